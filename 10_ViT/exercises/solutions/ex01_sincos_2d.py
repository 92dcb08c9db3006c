"""연습문제 01 — 2-D sin-cos position embedding: reference solution.

문제 설명과 유도: `01_sincos_2d.md`.

    python -m pytest 10_ViT/exercises -k ex01   # 이 solution 검사
"""
from __future__ import annotations

import torch


def frequencies(n: int, temperature: float = 10000.0) -> torch.Tensor:
    """ω_k = 1 / temperature^(k/n), k = 0 … n−1. (n,) float32."""
    k = torch.arange(n, dtype=torch.float32)
    return 1.0 / temperature ** (k / n)


def sincos_2d(h: int, w: int, dim: int, temperature: float = 10000.0) -> torch.Tensor:
    """h×w patch 격자의 고정 position embedding (h·w, dim). 위치는 행 우선 (y, x).

    dim을 4등분한다 (n = dim/4): [sin(y ω) | sin(x ω) | cos(y ω) | cos(x ω)], ω = `frequencies(n)`.
    dim이 4의 배수가 아니면 ValueError.
    """
    if dim % 4:
        raise ValueError(f"dim은 4의 배수여야 합니다: dim={dim}")
    omega = frequencies(dim // 4, temperature)                              # (n,)
    y, x = torch.meshgrid(torch.arange(h, dtype=torch.float32), torch.arange(w, dtype=torch.float32),
                          indexing="ij")                                    # 각각 (h, w)
    y, x = y.reshape(-1, 1) * omega, x.reshape(-1, 1) * omega               # 각각 (h·w, n)
    return torch.cat([y.sin(), x.sin(), y.cos(), x.cos()], dim=1)           # (h·w, dim)

def lowest_frequency_turns(h: int, dim: int, temperature: float = 10000.0) -> float:
    """가장 낮은 주파수 ω_{n−1} (n = dim/4)의 sinusoid가 격자 한 변의 위치 0 … h−1을 지나며 도는 바퀴 수.

    01_sincos_2d.md 생각해 볼 질문 3.
    """
    import math

    n = dim // 4
    return (h - 1) * temperature ** (-(n - 1) / n) / (2 * math.pi)
