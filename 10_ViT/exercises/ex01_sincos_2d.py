"""연습문제 01 — 2-D sin-cos position embedding: 학습자가 채우는 stub.

문제 설명과 유도: `01_sincos_2d.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (`test_exercises.py`가 solution과 같은지 검사한다).

    pytest 10_ViT/exercises/test_ex01_sincos_2d.py --learner   # 내 구현 검사
"""
from __future__ import annotations

import torch


def frequencies(n: int, temperature: float = 10000.0) -> torch.Tensor:
    """ω_k = 1 / temperature^(k/n), k = 0 … n−1. (n,) float32."""
    raise NotImplementedError("frequencies: 01_sincos_2d.md 1단계")


def sincos_2d(h: int, w: int, dim: int, temperature: float = 10000.0) -> torch.Tensor:
    """h×w patch 격자의 고정 position embedding (h·w, dim). 위치는 행 우선 (y, x).

    dim을 4등분한다 (n = dim/4): [sin(y ω) | sin(x ω) | cos(y ω) | cos(x ω)], ω = `frequencies(n)`.
    dim이 4의 배수가 아니면 ValueError.
    """
    raise NotImplementedError("sincos_2d: 01_sincos_2d.md 2단계 (y, x 격자 → 네 조각을 이어 붙인다)")
