"""연습문제 02 — extended attention mask를 손으로: reference solution.

문제 설명: `../02_extended_mask.md`.
"""
from __future__ import annotations

import math

import torch


def extended_attention_mask(attention_mask: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """(B, T)의 1(읽음)/0(padding) → (B, 1, 1, T) 더하기 mask: 읽는 위치 0, padding은 `torch.finfo(dtype).min`.

    attention 점수 (B, nh, T, T)에 더하면 head와 query 축으로 broadcast된다.
    """
    if attention_mask.dim() != 2:
        raise ValueError(f"attention_mask는 (B, T)여야 합니다: {tuple(attention_mask.shape)}")
    keep = attention_mask.to(torch.bool)[:, None, None, :]
    return torch.where(keep, torch.zeros((), dtype=dtype), torch.tensor(torch.finfo(dtype).min, dtype=dtype))


def masked_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, extended_mask: torch.Tensor):
    """softmax(q kᵀ / √d + extended_mask) v. q, k, v: (B, nh, T, d) → (출력 (B, nh, T, d), 확률 (B, nh, T, T))."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + extended_mask
    probs = scores.softmax(dim=-1)
    return probs @ v, probs
