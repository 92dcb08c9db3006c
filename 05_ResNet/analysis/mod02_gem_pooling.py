"""수정 과제 02 — torchvision·timm ResNet의 global average pooling을 GeM pooling으로 바꾸기: 학습자가 채우는 stub.

문제 설명: `mod02_gem_pooling.md`. 각 함수·메서드의 `raise NotImplementedError(...)`를 지우고 구현한다.
이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 05_ResNet/analysis/test_mod02_gem_pooling.py --learner   # 이 과제만 채점
    python -m pytest 05_ResNet/analysis --learner -k mod                      # 이 장의 수정 과제 모두
    make grade CHAPTERS=05                                                    # 이 장의 채점표
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
        raise NotImplementedError("GeM.__init__: mod02_gem_pooling.md의 할 일을 보세요")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, C, H, W) → (N, C, 1, 1)."""
        raise NotImplementedError("GeM.forward: mod02_gem_pooling.md의 할 일을 보세요")


def replace_pooling(model: nn.Module, pool: nn.Module) -> nn.Module:
    """torchvision ResNet이면 `avgpool` 자리에, timm ResNet이면 `global_pool` 자리에 `pool`을 끼운다 (제자리).

    `pool`은 (N, C, H, W) → (N, C, 1, 1) 모듈이다. 각 라이브러리의 forward가 pooling 출력을 fc까지 어떻게 넘기는지
    읽고, 바꾼 model의 logits가 fc(GeM(layer4 출력))이 되게 한다. model을 돌려준다. 다른 모델이면 ValueError.
    """
    raise NotImplementedError("replace_pooling: mod02_gem_pooling.md의 할 일을 보세요")
