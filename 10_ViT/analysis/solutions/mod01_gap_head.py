"""수정 과제 01 — timm ViT를 global average pooling과 새 class 수의 head로 바꾸기 (reference solution).

문제: `../mod01_gap_head.md`. 학습자 stub: `../mod01_gap_head.py` (이름·signature·docstring이 같다).

Dosovitskiy et al. (2021) Appendix D.3: [CLS] 대신 patch token의 평균을 쓰는 GAP도 (learning rate만 맞추면) 비슷하게
좋다. Section 3.2: fine-tuning 때는 pre-training head를 떼고 0으로 초기화한 D × K Linear를 단다. timm에서 GAP의 마지막
LayerNorm은 평균 **뒤** (`fc_norm`)에 있다 — `reset_classifier(global_pool="avg")`는 pooling만 바꾸고 LayerNorm의
자리는 그대로 둔다.
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
    if getattr(model, "global_pool", None) != "token":
        raise ValueError(f"[CLS] pooling (global_pool='token')인 timm VisionTransformer가 필요합니다: "
                         f"받은 global_pool={getattr(model, 'global_pool', None)!r}")
    if int(num_classes) != num_classes or num_classes < 1:
        raise ValueError(f"num_classes는 1 이상의 정수여야 합니다: num_classes={num_classes}")
    model.reset_classifier(int(num_classes), global_pool="avg")         # pooling과 head만 바꾼다
    model.fc_norm, model.norm = model.norm, nn.Identity()               # LN(mean(z)): 학습된 LN을 평균 뒤로
    nn.init.zeros_(model.head.weight)
    nn.init.zeros_(model.head.bias)
    return model


def pooled_features(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """바꾼 timm 모델에서 head 바로 앞의 (B, D) 표현: patch 평균 → 마지막 LayerNorm."""
    return model.forward_head(model.forward_features(x), pre_logits=True)
