"""연습문제 02 — sliding-window attention과 rolling KV cache: 학습자가 채우는 stub.

문제 설명: `02_rolling_cache.md`.
각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다. 이름·인자·docstring은 바꾸지 않는다.

    python -m pytest 09_GPT/exercises --learner -k ex02   # 이 문제만 채점
    make grade CHAPTERS=09                                # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import torch


def window_mask(T: int, window: int) -> torch.Tensor:
    """(T, T) bool, True = 볼 수 있음: key j는 i − window < j ≤ i일 때만 (자기 포함 최근 window개)."""
    raise NotImplementedError("window_mask: 02_rolling_cache.md 1단계 (j ≤ i 그리고 j > i − window)")


def windowed_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int) -> torch.Tensor:
    """q, k, v (B, nh, T, hs) → softmax(QKᵀ/√hs, window_mask 밖은 −∞) V, (B, nh, T, hs)."""
    raise NotImplementedError("windowed_attention: 02_rolling_cache.md 2단계")


class RollingKVCache:
    """최근 window개의 key/value만 담는 cache: 길이가 window를 넘으면 가장 오래된 것을 버린다."""

    def __init__(self, window: int):
        raise NotImplementedError("RollingKVCache.__init__: 02_rolling_cache.md 3단계")

    def append(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """새 token 하나의 k, v (B, nh, 1, hs)를 넣고, 담긴 전체 (B, nh, min(t, window), hs)를 돌려준다."""
        raise NotImplementedError("RollingKVCache.append: 02_rolling_cache.md 3단계 (이어 붙이고 뒤에서 window개만)")

    def __len__(self) -> int:
        raise NotImplementedError("RollingKVCache.__len__: 담긴 token 수")


def decode_step(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, cache: RollingKVCache) -> torch.Tensor:
    """새 token 하나: q, k, v (B, nh, 1, hs). k, v를 cache에 넣고, q가 cache 전체를 보는 attention (B, nh, 1, hs)."""
    raise NotImplementedError("decode_step: 02_rolling_cache.md 4단계")


def receptive_field(n_layers: int, window: int) -> int:
    """window attention 층 n_layers개를 쌓았을 때 마지막 층의 위치 i가 정보를 받을 수 있는 가장 먼 입력까지의 거리.

    max (i − j) over 입력 위치 j that can reach i. 02_rolling_cache.md 생각해 볼 질문 1.
    """
    raise NotImplementedError("receptive_field: 02_rolling_cache.md 5단계 (층 하나가 몇 칸을 옮기는가)")
