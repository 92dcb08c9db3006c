"""수정 과제 01 — timm ViT를 global average pooling과 새 class 수의 head로 바꾸기: 학습자가 채우는 stub.

문제 설명: `mod01_gap_head.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 10_ViT/analysis/test_mod01_gap_head.py --learner   # 이 과제만 채점
    python -m pytest 10_ViT/analysis --learner -k mod                   # 이 장의 수정 과제 모두
    make grade CHAPTERS=10                                              # 이 장의 채점표
"""
from __future__ import annotations

import torch
from torch import nn


def to_average_pooling(model: nn.Module, num_classes: int) -> nn.Module:
    """timm `VisionTransformer`([CLS] pooling)를 patch 평균 pooling + 새 head (num_classes개)로 바꾼다 (제자리).

    바꾼 모델은 같은 가중치의 L3 `ViT(pool="avg")`와 같은 함수다: 학습된 마지막 LayerNorm (γ, β 그대로)을 patch 평균
    **뒤**에 건다. 새 head는 논문 Section 3.2처럼 0으로 초기화한 D × K Linear. model을 돌려준다.
    model의 global_pool이 "token"이 아니거나 num_classes < 1이면 ValueError.
    """
    raise NotImplementedError("to_average_pooling: mod01_gap_head.md의 할 일을 보세요")


def pooled_features(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """바꾼 timm 모델에서 head 바로 앞의 (B, D) 표현: patch 평균 → 마지막 LayerNorm."""
    raise NotImplementedError("pooled_features: mod01_gap_head.md의 할 일을 보세요")
