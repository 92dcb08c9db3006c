"""수정 과제 02 — timm ViT를 새 해상도로 옮겨 fine-tuning하기 (reference solution).

문제: `../mod02_new_resolution.md`. 학습자 stub: `../mod02_new_resolution.py` (이름·signature·docstring이 같다).

Dosovitskiy et al. (2021) Section 3.2 "Fine-tuning and higher resolution": patch 크기는 그대로이므로 해상도가 바뀌면
patch 격자가 바뀐다. 학습한 E_pos를 원래 이미지 위치에 맞춰 2D 보간한다. timm은 이 일을 `set_input_size`
(안에서 `resample_abs_pos_embed`: bicubic, antialias)로 하고, patch embedding의 입력 크기 검사도 함께 바꾼다.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def resize_to(model: nn.Module, image_size: int) -> nn.Module:
    """timm `VisionTransformer`의 입력 해상도를 image_size × image_size로 바꾼다 (제자리, model을 돌려준다).

    E_pos는 timm 자신의 resampling으로 새 patch 격자에 맞추고 [CLS] 자리는 그대로 둔다. 바뀐 E_pos는 계속 학습하는
    parameter다. image_size가 patch 크기의 양의 배수가 아니면 ValueError.
    """
    patch = model.patch_embed.patch_size[0]
    if int(image_size) != image_size or image_size < 1 or image_size % patch:
        raise ValueError(f"image_size={image_size}는 patch 크기 {patch}의 양의 배수여야 합니다")
    model.set_input_size(img_size=(int(image_size), int(image_size)))
    return model


def finetune(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, steps: int, lr: float) -> list[float]:
    """full-batch SGD (momentum·weight decay 없음)로 cross-entropy를 steps번 줄인다. 모든 parameter를 학습한다.

    train 모드로 돌린다. 돌려주는 값: step마다 update **전**의 loss (float) list, 길이 steps.
    """
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = F.cross_entropy(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    return losses
