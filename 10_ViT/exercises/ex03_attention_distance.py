"""연습문제 03 — mean attention distance (논문 Figure 7 오른쪽, Appendix D.7): 학습자가 채우는 stub.

문제 설명: `03_attention_distance.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다). torch만 쓴다.

    python -m pytest 10_ViT/exercises --learner -k ex03   # 이 문제만 채점
    make grade CHAPTERS=10                                # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import torch


def patch_distances(grid: int, patch_size: int) -> torch.Tensor:
    """grid × grid patch 격자에서 patch 중심 사이의 거리 (pixel), (N, N) float64, N = grid². 위치는 행 우선."""
    raise NotImplementedError("patch_distances: 03_attention_distance.md 1단계 (patch 중심의 좌표)")


def mean_attention_distance(attention: torch.Tensor, grid: int, patch_size: int) -> torch.Tensor:
    """한 층의 attention 확률 (B, heads, 1 + N, 1 + N) → head마다의 평균 attention 거리 (heads,) (pixel).

    [CLS]의 행과 열을 빼고, patch query의 행을 patch key 위에서 다시 합 1로 맞춘 뒤, query i마다
    Σ_j a_ij · d(i, j)를 구해 batch와 query에 대해 평균한다.
    """
    raise NotImplementedError("mean_attention_distance: 03_attention_distance.md 2단계 ([CLS]를 빼고 다시 정규화)")


def uniform_attention_distance(grid: int, patch_size: int) -> float:
    """모든 patch를 똑같이 보는 attention의 평균 거리 (pixel): 격자 위 두 위치 사이 거리의 평균.

    03_attention_distance.md 생각해 볼 질문 1.
    """
    raise NotImplementedError("uniform_attention_distance: 03_attention_distance.md 3단계 (균등한 attention의 거리)")
