"""수정 과제 02 — torchvision·timm ResNet의 global average pooling을 GeM pooling으로 바꾸기 (reference solution).

문제: `../mod02_gem_pooling.md`. 학습자 stub: `../mod02_gem_pooling.py` (이름·signature·docstring이 같다).

F. Radenović, G. Tolias & O. Chum (2019), "Fine-tuning CNN Image Retrieval with No Human Annotation", TPAMI
(arXiv:1711.02512), Section 3의 generalized-mean (GeM) pooling: 채널 c의 activation 집합 X_c에서

    f_c = ( (1/|X_c|) Σ_{x ∈ X_c} x^p )^(1/p)        p = 1: 평균 pooling,  p → ∞: max pooling

p는 학습하는 parameter다. x^p가 정의되도록 activation을 eps 아래에서 자른다 (ReLU 뒤라 음수는 없지만 0은 있다).
"""
from __future__ import annotations

import torch
from torch import nn


class GeM(nn.Module):
    """Generalized-mean pooling: (N, C, H, W) → (N, C, 1, 1). p는 학습하는 scalar parameter (초기값 `p`).

    f_c = (mean_{h,w} max(x, eps)^p)^(1/p). p ≤ 0이나 eps ≤ 0이면 ValueError.
    """

    def __init__(self, p: float = 3.0, eps: float = 1e-6):
        """p: 지수의 초기값 (학습하는 `nn.Parameter`), eps: activation을 자르는 아래 한계."""
        super().__init__()
        if p <= 0 or eps <= 0:
            raise ValueError(f"p와 eps는 양수여야 합니다: p={p}, eps={eps}")
        self.p = nn.Parameter(torch.tensor(float(p)))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, C, H, W) → (N, C, 1, 1)."""
        if x.ndim != 4:
            raise ValueError(f"GeM 입력은 (N, C, H, W)여야 합니다: 받은 shape {tuple(x.shape)}")
        powered = x.clamp(min=self.eps).pow(self.p)                          # (N, C, H, W)
        return powered.mean(dim=(2, 3), keepdim=True).pow(1.0 / self.p)      # (N, C, 1, 1)


def replace_pooling(model: nn.Module, pool: nn.Module) -> nn.Module:
    """torchvision ResNet이면 `avgpool` 자리에, timm ResNet이면 `global_pool` 자리에 `pool`을 끼운다 (제자리).

    `pool`은 (N, C, H, W) → (N, C, 1, 1) 모듈이다. 각 라이브러리의 forward가 pooling 출력을 fc까지 어떻게 넘기는지
    읽고, 바꾼 model의 logits가 fc(GeM(layer4 출력))이 되게 한다. model을 돌려준다. 다른 모델이면 ValueError.
    """
    import timm.models.resnet as timm_resnet
    import torchvision.models.resnet as tv_resnet

    if isinstance(model, tv_resnet.ResNet):
        model.avgpool = pool                                   # 뒤에서 torch.flatten(x, 1)을 forward가 한다
    elif isinstance(model, timm_resnet.ResNet):
        model.global_pool = nn.Sequential(pool, nn.Flatten(1))  # timm의 global_pool은 flatten까지 맡는다
    else:
        raise ValueError(f"torchvision 또는 timm ResNet이 필요합니다: 받은 {type(model).__name__}")
    return model
