"""연습문제 03 — prompt ensembling으로 zero-shot 분류기 만들기: reference solution.

문제 설명: `../03_prompt_ensemble.md`.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def ensemble_weights(text_features: torch.Tensor) -> torch.Tensor:
    """Radford et al. (2021) Section 3.1.4: class마다 template M개의 feature를 **정규화한 뒤** 평균하고 다시 정규화.

    Args:
        text_features: (K, M, d) — class K개 × template M개의 text feature (정규화 전).
    Returns:
        (K, d), 행마다 길이 1. rank가 3이 아니면 ValueError.
    """
    if text_features.ndim != 3:
        raise ValueError(f"text_features는 (K, M, d)여야 합니다: 받은 shape {tuple(text_features.shape)}")
    return F.normalize(F.normalize(text_features, dim=-1).mean(dim=1), dim=-1)


def zero_shot_probabilities(image_features: torch.Tensor, weights: torch.Tensor,
                            logit_scale: float = 100.0) -> torch.Tensor:
    """softmax(logit_scale · Î Wᵀ): 이미지마다 class 확률 (B, K). logit_scale은 exp(t) 값 그대로."""
    return (logit_scale * F.normalize(image_features, dim=-1) @ weights.T).softmax(dim=-1)


def accuracy_by_template_count(image_features: torch.Tensor, labels: torch.Tensor, text_features: torch.Tensor,
                               counts: list[int]) -> list[float]:
    """앞에서부터 template m개 (m ∈ counts)만 써서 만든 분류기의 정확도 목록 (논문 Figure 4의 실험을 작게)."""
    image = F.normalize(image_features, dim=-1)
    return [float(((image @ ensemble_weights(text_features[:, :m]).T).argmax(dim=-1) == labels).float().mean())
            for m in counts]
