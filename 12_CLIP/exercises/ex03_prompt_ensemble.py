"""연습문제 03 — prompt ensembling으로 zero-shot 분류기 만들기: 학습자가 채우는 stub.

문제 설명: `03_prompt_ensemble.md`.
각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다. 이름·인자·docstring은 바꾸지 않는다.

    pytest 12_CLIP/exercises/test_ex03_prompt_ensemble.py --learner   # 내 구현 검사
"""
from __future__ import annotations

import torch


def ensemble_weights(text_features: torch.Tensor) -> torch.Tensor:
    """Radford et al. (2021) Section 3.1.4: class마다 template M개의 feature를 **정규화한 뒤** 평균하고 다시 정규화.

    Args:
        text_features: (K, M, d) — class K개 × template M개의 text feature (정규화 전).
    Returns:
        (K, d), 행마다 길이 1. rank가 3이 아니면 ValueError.
    """
    raise NotImplementedError("ensemble_weights: 03_prompt_ensemble.md의 할 일을 보세요")


def zero_shot_probabilities(image_features: torch.Tensor, weights: torch.Tensor,
                            logit_scale: float = 100.0) -> torch.Tensor:
    """softmax(logit_scale · Î Wᵀ): 이미지마다 class 확률 (B, K). logit_scale은 exp(t) 값 그대로."""
    raise NotImplementedError("zero_shot_probabilities: 03_prompt_ensemble.md의 할 일을 보세요")


def accuracy_by_template_count(image_features: torch.Tensor, labels: torch.Tensor, text_features: torch.Tensor,
                               counts: list[int]) -> list[float]:
    """앞에서부터 template m개 (m ∈ counts)만 써서 만든 분류기의 정확도 목록 (논문 Figure 4의 실험을 작게)."""
    raise NotImplementedError("accuracy_by_template_count: 03_prompt_ensemble.md의 할 일을 보세요")
