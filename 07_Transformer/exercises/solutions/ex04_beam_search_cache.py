"""연습문제 04 — KV cache를 쓰는 beam search: reference solution.

문제 설명: `../04_beam_search_cache.md`. 연습문제 03의 `init_cache`, `decode_step`을 그대로 쓴다.

    python -m pytest 07_Transformer/exercises -k ex04   # 이 solution 검사
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ...paper.transformer import Transformer, length_penalty
from .ex03_kv_cache import decode_step, init_cache


def reorder_cache(cache: dict, rows: torch.Tensor) -> None:
    """beam이 살아남은 가설을 고른 뒤 cache를 그 가설들의 부모 순서로 바꾼다 (제자리).

    rows (B·K,): 새 가설 r의 부모가 이전 step의 몇 번째 행인가 (`beam_search`의 `rows`와 같은 뜻).
    바꿀 필요가 없는 tensor는 건드리지 않는다 (같은 tensor 객체로 남는다).
    """
    for entry in cache["layers"]:
        entry["k"] = entry["k"].index_select(0, rows)                           # (B·K, nh, t, hs)
        entry["v"] = entry["v"].index_select(0, rows)
    # mem_k, mem_v, memory_mask: 부모는 늘 같은 source 문장의 K개 행 안에 있고, 그 행들의 memory는 같다


@torch.no_grad()
def beam_search_cached(model: Transformer, src_ids: torch.Tensor, bos_id: int, eos_id: int, max_len: int,
                       beam_size: int = 4, alpha: float = 0.6) -> torch.Tensor:
    """장의 `paper.transformer.beam_search`와 같은 규칙, 같은 출력 (B, ≤ max_len).

    decoder는 `decode_step`으로만 지난다: step마다 가설마다 새 위치 하나.
    """
    model.eval()
    B, K, pad = src_ids.shape[0], beam_size, model.pad_id
    device = src_ids.device
    src_pad = src_ids == pad
    memory = model.encode(model.embed(src_ids, "src"), src_pad)               # (B, S, d)
    cache = init_cache(model, memory.repeat_interleave(K, dim=0), src_pad.repeat_interleave(K, dim=0))
    ys = torch.full((B * K, 1), bos_id, dtype=torch.long, device=device)      # (B·K, 1)
    scores = torch.full((B, K), float("-inf"), device=device)
    scores[:, 0] = 0.0
    done = torch.zeros(B, K, dtype=torch.bool, device=device)
    lengths = torch.zeros(B, K, device=device)
    for _ in range(max_len):
        log_p = F.log_softmax(decode_step(model, ys[:, -1], cache), dim=-1).view(B, K, -1)   # (B, K, V)
        V = log_p.shape[-1]
        finished_row = torch.full((V,), float("-inf"), device=device)
        finished_row[pad] = 0.0
        log_p = torch.where(done[:, :, None], finished_row, log_p)
        scores, flat = (scores[:, :, None] + log_p).view(B, K * V).topk(K, dim=-1)   # (B, K)
        parent, token = flat // V, flat % V
        rows = (torch.arange(B, device=device)[:, None] * K + parent).view(-1)     # (B·K,)
        ys = torch.cat([ys[rows], token.view(-1, 1)], dim=1)
        reorder_cache(cache, rows)
        was_done = done.gather(1, parent)
        lengths = lengths.gather(1, parent) + (~was_done).float()
        done = was_done | (token == eos_id)
        if done.all():
            break
    best = (scores / length_penalty(lengths, alpha)).argmax(dim=-1)          # (B,)
    return ys.view(B, K, -1)[torch.arange(B, device=device), best][:, 1:]
