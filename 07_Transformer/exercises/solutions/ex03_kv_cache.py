"""연습문제 03 — incremental decoding을 위한 KV cache: reference solution.

문제 설명: `../03_kv_cache.md`.

    python -m pytest 07_Transformer/exercises -k ex03   # 이 solution 검사
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


def _self_attention_step(attn, h: torch.Tensor, entry: dict) -> torch.Tensor:
    """새 위치 하나의 self-attention: k, v를 cache 뒤에 붙이고 query 하나가 cache 전체를 본다. (B, 1, C)."""
    B, _, C = h.shape
    q = _heads(attn.w_q(h), attn.n_head)                                          # (B, nh, 1, hs)
    k_new, v_new = _heads(attn.w_k(h), attn.n_head), _heads(attn.w_v(h), attn.n_head)
    entry["k"] = k_new if entry["k"] is None else torch.cat([entry["k"], k_new], dim=2)   # (B, nh, t+1, hs)
    entry["v"] = v_new if entry["v"] is None else torch.cat([entry["v"], v_new], dim=2)
    y = F.scaled_dot_product_attention(q, entry["k"], entry["v"])                # (B, nh, 1, hs)
    return attn.w_o(y.transpose(1, 2).reshape(B, 1, C))


def _cross_attention_step(cross, h: torch.Tensor, entry: dict, memory_mask) -> torch.Tensor:
    B, _, C = h.shape
    q = _heads(cross.w_q(h), cross.n_head)
    y = F.scaled_dot_product_attention(q, entry["mem_k"], entry["mem_v"], attn_mask=memory_mask)
    return cross.w_o(y.transpose(1, 2).reshape(B, 1, C))


def decode_step(model: Transformer, token_ids: torch.Tensor, cache: dict) -> torch.Tensor:
    """새 token 하나 (B,)를 decoder에 넣고 다음 token의 logits (B, V)를 돌려준다. cache를 제자리에서 늘린다.

    위치 t = cache["length"]의 query는 cache의 key 0 … t−1과 자기 자신을 본다 (미래가 없으니 causal mask가 필요 없다).
    eval 모드(dropout 없음)를 가정한다. 층의 배치(post-LN / `norm_first` pre-LN)는 모델을 따른다.
    """
    t = cache["length"]
    x = model.tgt_embedding(token_ids)[:, None, :] * math.sqrt(model.d_model) + model.positional.pe[t]   # (B, 1, C)
    for layer, entry in zip(model.decoder_layers, cache["layers"]):
        if layer.norm_first:                                                     # pre-LN: 정규화는 가지에만
            x = x + _self_attention_step(layer.self_attn, layer.norm1(x), entry)
            x = x + _cross_attention_step(layer.cross_attn, layer.norm2(x), entry, cache["memory_mask"])
            x = x + layer.ffn(layer.norm3(x))
        else:                                                                    # post-LN: 합 뒤에 정규화
            x = layer.norm1(x + _self_attention_step(layer.self_attn, x, entry))
            x = layer.norm2(x + _cross_attention_step(layer.cross_attn, x, entry, cache["memory_mask"]))
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
    out = [torch.zeros(B, 0, dtype=torch.long, device=src_ids.device)]          # max_len = 0이면 (B, 0)
    for _ in range(max_len):
        token = decode_step(model, token, cache).argmax(dim=-1)
        token = torch.where(done, torch.full_like(token, model.pad_id), token)
        out.append(token[:, None])
        done = done | (token == eos_id)
        if done.all():
            break
    return torch.cat(out, dim=1)


def cache_bytes(n_layers: int, d_model: int, tgt_len: int, src_len: int, batch: int = 1,
                bytes_per_value: int = 4) -> int:
    """길이 tgt_len까지 만든 뒤 decoder cache가 차지하는 byte 수 (self-attention K, V와 cross-attention K, V).

    03_kv_cache.md 생각해 볼 질문 1. d_model = n_head · hs.
    """
    self_kv = 2 * n_layers * batch * tgt_len * d_model
    cross_kv = 2 * n_layers * batch * src_len * d_model
    return (self_kv + cross_kv) * bytes_per_value
