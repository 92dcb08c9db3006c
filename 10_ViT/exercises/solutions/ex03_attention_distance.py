"""연습문제 03 — mean attention distance (논문 Figure 7 오른쪽, Appendix D.7): reference solution.

문제 설명: `../03_attention_distance.md`.

    python -m pytest 10_ViT/exercises -k ex03   # 이 solution 검사
"""
from __future__ import annotations

import torch


def patch_distances(grid: int, patch_size: int) -> torch.Tensor:
    """grid × grid patch 격자에서 patch 중심 사이의 거리 (pixel), (N, N) float64, N = grid². 위치는 행 우선."""
    y, x = torch.meshgrid(torch.arange(grid, dtype=torch.float64), torch.arange(grid, dtype=torch.float64),
                          indexing="ij")
    centres = torch.stack([y.reshape(-1), x.reshape(-1)], dim=1) * patch_size   # (N, 2)
    return torch.cdist(centres, centres)


def mean_attention_distance(attention: torch.Tensor, grid: int, patch_size: int) -> torch.Tensor:
    """한 층의 attention 확률 (B, heads, 1 + N, 1 + N) → head마다의 평균 attention 거리 (heads,) (pixel).

    [CLS]의 행과 열을 빼고, patch query의 행을 patch key 위에서 다시 합 1로 맞춘 뒤, query i마다
    Σ_j a_ij · d(i, j)를 구해 batch와 query에 대해 평균한다.
    """
    N = grid * grid
    if attention.ndim != 4 or attention.shape[-1] != 1 + N or attention.shape[-2] != 1 + N:
        raise ValueError(f"attention은 (B, heads, {1 + N}, {1 + N})여야 합니다 (격자 {grid}×{grid} + [CLS]): "
                         f"받은 shape {tuple(attention.shape)}")
    a = attention[:, :, 1:, 1:].double()                                       # (B, heads, N, N)
    a = a / a.sum(dim=-1, keepdim=True)
    per_query = (a * patch_distances(grid, patch_size)).sum(dim=-1)           # (B, heads, N)
    return per_query.mean(dim=(0, 2))


def uniform_attention_distance(grid: int, patch_size: int) -> float:
    """모든 patch를 똑같이 보는 attention의 평균 거리 (pixel): 격자 위 두 위치 사이 거리의 평균.

    03_attention_distance.md 생각해 볼 질문 1.
    """
    return float(patch_distances(grid, patch_size).mean())
