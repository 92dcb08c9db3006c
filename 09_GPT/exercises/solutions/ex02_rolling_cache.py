"""연습문제 02 — sliding-window attention과 rolling KV cache: reference solution.

문제 설명: `../02_rolling_cache.md`.

    python -m pytest 09_GPT/exercises -k ex02   # 이 solution 검사
"""
from __future__ import annotations

import math

import torch


def window_mask(T: int, window: int) -> torch.Tensor:
    """(T, T) bool, True = 볼 수 있음: key j는 i − window < j ≤ i일 때만 (자기 포함 최근 window개)."""
    if window < 1:
        raise ValueError(f"window는 1 이상이어야 합니다: {window}")
    i = torch.arange(T)[:, None]
    j = torch.arange(T)[None, :]
    return (j <= i) & (j > i - window)


def windowed_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int) -> torch.Tensor:
    """q, k, v (B, nh, T, hs) → softmax(QKᵀ/√hs, window_mask 밖은 −∞) V, (B, nh, T, hs)."""
    T = q.size(2)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))               # (B, nh, T, T)
    scores = scores.masked_fill(~window_mask(T, window), float("-inf"))
    return scores.softmax(dim=-1) @ v


class RollingKVCache:
    """최근 window개의 key/value만 담는 cache: 길이가 window를 넘으면 가장 오래된 것을 버린다."""

    def __init__(self, window: int):
        if window < 1:
            raise ValueError(f"window는 1 이상이어야 합니다: {window}")
        self.window = window
        self.keys = None                                                    # (B, nh, ≤ window, hs)
        self.values = None

    def append(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """새 token 하나의 k, v (B, nh, 1, hs)를 넣고, 담긴 전체 (B, nh, min(t, window), hs)를 돌려준다."""
        if self.keys is None:
            self.keys, self.values = k, v
        else:
            self.keys = torch.cat([self.keys, k], dim=2)[:, :, -self.window:]
            self.values = torch.cat([self.values, v], dim=2)[:, :, -self.window:]
        return self.keys, self.values

    def __len__(self) -> int:
        return 0 if self.keys is None else self.keys.size(2)


def decode_step(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, cache: RollingKVCache) -> torch.Tensor:
    """새 token 하나: q, k, v (B, nh, 1, hs). k, v를 cache에 넣고, q가 cache 전체를 보는 attention (B, nh, 1, hs)."""
    keys, values = cache.append(k, v)
    scores = q @ keys.transpose(-2, -1) / math.sqrt(q.size(-1))            # (B, nh, 1, ≤ window)
    return scores.softmax(dim=-1) @ values


def receptive_field(n_layers: int, window: int) -> int:
    """window attention 층 n_layers개를 쌓았을 때 마지막 층의 위치 i가 정보를 받을 수 있는 가장 먼 입력까지의 거리.

    max (i − j) over 입력 위치 j that can reach i. 02_rolling_cache.md 생각해 볼 질문 1.
    """
    return n_layers * (window - 1)                                          # 층마다 최대 w − 1칸
