"""연습문제 01 — 2-D sin-cos position embedding: 학습자가 채우는 stub.

문제 설명과 유도: `01_sincos_2d.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 10_ViT/exercises --learner -k ex01   # 이 문제만 채점
    make grade CHAPTERS=10                                # 이 장의 채점표 (문제마다 한 줄)
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

def lowest_frequency_turns(h: int, dim: int, temperature: float = 10000.0) -> float:
    """가장 낮은 주파수 ω_{n−1} (n = dim/4)의 sinusoid가 격자 한 변의 위치 0 … h−1을 지나며 도는 바퀴 수.

    01_sincos_2d.md 생각해 볼 질문 3.
    """
    raise NotImplementedError("lowest_frequency_turns: 01_sincos_2d.md 3단계 (위상 변화 ÷ 2π)")
