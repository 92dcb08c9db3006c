"""수정 과제 02 — timm ViT를 새 해상도로 옮겨 fine-tuning하기: 학습자가 채우는 stub.

문제 설명: `mod02_new_resolution.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 10_ViT/analysis/test_mod02_new_resolution.py --learner   # 이 과제만 채점
    python -m pytest 10_ViT/analysis --learner -k mod                         # 이 장의 수정 과제 모두
    make grade CHAPTERS=10                                                    # 이 장의 채점표
"""
from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: F401 — 구현에 쓴다
from torch import nn


def resize_to(model: nn.Module, image_size: int) -> nn.Module:
    """timm `VisionTransformer`의 입력 해상도를 image_size × image_size로 바꾼다 (제자리, model을 돌려준다).

    E_pos는 timm 자신의 resampling으로 새 patch 격자에 맞추고 [CLS] 자리는 그대로 둔다. 바뀐 E_pos는 계속 학습하는
    parameter다. image_size가 patch 크기의 양의 배수가 아니면 ValueError.
    """
    raise NotImplementedError("resize_to: mod02_new_resolution.md의 할 일을 보세요")


def finetune(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, steps: int, lr: float) -> list[float]:
    """full-batch SGD (momentum·weight decay 없음)로 cross-entropy를 steps번 줄인다. 모든 parameter를 학습한다.

    train 모드로 돌린다. 돌려주는 값: step마다 update **전**의 loss (float) list, 길이 steps.
    """
    raise NotImplementedError("finetune: mod02_new_resolution.md의 할 일을 보세요")
