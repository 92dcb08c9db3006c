"""연습문제 03 — incremental decoding을 위한 KV cache: reference solution.

문제 설명: `../03_kv_cache.md`.

    pytest 07_Transformer/exercises/test_ex03_kv_cache.py   # 이 solution 검사
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ...paper.transformer import Transformer, attention_mask


def _heads(x: torch.Tensor, n_head: int) -> torch.Tensor:
    """주어진 것: (B, T, C) → (B, nh, T, hs)."""
    B, T, C = x.shape
    return x.view(B, T, n_head, C // n_head).transpose(1, 2)


def init_cache(model: Transformer, memory: torch.Tensor, memory_key_padding_mask=None) -> dict:
    """decoder 층마다의 cache를 만든다. cross-attention의 K, V는 memory에서 **한 번만** 계산해 둔다.

    Returns:
        {"layers": [층마다 {"k": None, "v": None, "mem_k": (B, nh, S, hs), "mem_v": (B, nh, S, hs)}],
         "memory_mask": additive (B, 1, 1, S) 또는 None, "length": 0}
    """
    layers = []
    for layer in model.decoder_layers:
        cross = layer.cross_attn
        layers.append({"k": None, "v": None, "mem_k": _heads(cross.w_k(memory), cross.n_head),
                       "mem_v": _heads(cross.w_v(memory), cross.n_head)})
    B, S, _ = memory.shape
    mask = attention_mask(B, 1, S, None, memory_key_padding_mask, memory.dtype, memory.device)
    return {"layers": layers, "memory_mask": mask, "length": 0}


def decode_step(model: Transformer, token_ids: torch.Tensor, cache: dict) -> torch.Tensor:
    """새 token 하나 (B,)를 decoder에 넣고 다음 token의 logits (B, V)를 돌려준다. cache를 제자리에서 늘린다.

    위치 t = cache["length"]의 query는 cache의 key 0 … t−1과 자기 자신을 본다 (미래가 없으니 causal mask가 필요 없다).
    eval 모드(dropout 없음)를 가정한다.
    """
    t = cache["length"]
    x = model.tgt_embedding(token_ids)[:, None, :] * math.sqrt(model.d_model) + model.positional.pe[t]   # (B, 1, C)
    B, _, C = x.shape
    for layer, entry in zip(model.decoder_layers, cache["layers"]):
        attn = layer.self_attn
        q = _heads(attn.w_q(x), attn.n_head)                                      # (B, nh, 1, hs)
        k_new, v_new = _heads(attn.w_k(x), attn.n_head), _heads(attn.w_v(x), attn.n_head)
        entry["k"] = k_new if entry["k"] is None else torch.cat([entry["k"], k_new], dim=2)   # (B, nh, t+1, hs)
        entry["v"] = v_new if entry["v"] is None else torch.cat([entry["v"], v_new], dim=2)
        y = F.scaled_dot_product_attention(q, entry["k"], entry["v"])            # (B, nh, 1, hs)
        x = layer.norm1(x + attn.w_o(y.transpose(1, 2).reshape(B, 1, C)))
        cross = layer.cross_attn
        q = _heads(cross.w_q(x), cross.n_head)
        y = F.scaled_dot_product_attention(q, entry["mem_k"], entry["mem_v"], attn_mask=cache["memory_mask"])
        x = layer.norm2(x + cross.w_o(y.transpose(1, 2).reshape(B, 1, C)))
        x = layer.norm3(x + layer.ffn(x))
    if model.decoder_norm is not None:
        x = model.decoder_norm(x)
    cache["length"] = t + 1
    return model.project(x[:, 0])                                                # (B, V)


@torch.no_grad()
def greedy_decode_cached(model: Transformer, src_ids: torch.Tensor, bos_id: int, eos_id: int,
                         max_len: int) -> torch.Tensor:
    """`paper.transformer.greedy_decode`와 같은 결과를 step마다 token 하나만 계산해서 낸다. (B, ≤ max_len)."""
    model.eval()
    src_pad = src_ids == model.pad_id
    memory = model.encode(model.embed(src_ids, "src"), src_pad)
    cache = init_cache(model, memory, src_pad)
    B = src_ids.shape[0]
    token = torch.full((B,), bos_id, dtype=torch.long, device=src_ids.device)
    done = torch.zeros(B, dtype=torch.bool, device=src_ids.device)
    out = []
    for _ in range(max_len):
        token = decode_step(model, token, cache).argmax(dim=-1)
        token = torch.where(done, torch.full_like(token, model.pad_id), token)
        out.append(token)
        done = done | (token == eos_id)
        if done.all():
            break
    return torch.stack(out, dim=1)
