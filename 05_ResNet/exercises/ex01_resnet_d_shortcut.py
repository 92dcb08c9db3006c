"""연습문제 01 — stage 전환 shortcut: ResNet-D의 평균 pooling shortcut과 A/B/C의 비용: 학습자가 채우는 stub.

문제 설명: `01_resnet_d_shortcut.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 05_ResNet/exercises --learner -k ex01   # 이 문제만 채점
    make grade CHAPTERS=05                                  # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import numpy as np  # noqa: F401 — 구현에 쓴다
import torch  # noqa: F401 — 구현에 쓴다


def avg_pool_shortcut(x: torch.Tensor, weight: torch.Tensor, stride: int) -> torch.Tensor:
    """ResNet-D의 shortcut (BN 앞까지): 2×2 평균 pooling(stride s, 끝이 남으면 ceil, 입력 안의 픽셀만 평균) → 1×1 conv.

    `F.avg_pool2d`, `nn.AvgPool2d`, `F.conv2d`를 쓰지 않고 tensor 연산으로 쓴다.
    Args:
        x: (N, C, H, W).  weight: (C_out, C, 1, 1), bias 없음.  stride: 1 (pooling 없이 1×1 conv만) 또는 2.
    Returns:
        (N, C_out, ⌈H/s⌉, ⌈W/s⌉).
    Raises:
        ValueError: x가 4차원이 아니거나, weight가 (C_out, C, 1, 1)이 아니거나, stride가 1·2가 아닐 때.
    """
    raise NotImplementedError("avg_pool_shortcut: 01_resnet_d_shortcut.md 1단계")


def pixels_reaching_shortcut(kind: str, height: int, width: int, stride: int = 2) -> np.ndarray:
    """stage 전환 shortcut의 출력이 기대는 입력 픽셀 (한 채널의 (H, W) 위치).

    Args:
        kind: "B" (1×1 conv, stride s) 또는 "D" (2×2 평균 pooling, stride s → 1×1 conv).  height, width: 입력 크기.
        stride: s, 1 또는 2.
    Returns:
        (height, width) bool 배열: True ⇔ 그 픽셀이 바뀌면 shortcut 출력이 바뀔 수 있다.
    """
    raise NotImplementedError("pixels_reaching_shortcut: 01_resnet_d_shortcut.md 2단계")


def projection_parameters(in_channels: int, out_channels: int) -> int:
    """Option B/C(와 ResNet-D)의 projection W_s (bias 없는 1×1 conv + BatchNorm의 γ, β)의 학습 parameter 수.

    Args:
        in_channels: C_in.  out_channels: C_out.
    Returns:
        parameter 수 (int).
    """
    raise NotImplementedError("projection_parameters: 01_resnet_d_shortcut.md 3단계")


def cifar_resnet_parameters(n: int, shortcut: str = "A", width: int = 16, num_classes: int = 10) -> int:
    """CIFAR ResNet (깊이 6n + 2, He et al. Section 4.2)의 학습 parameter 수를 층마다 더해 센다.

    구조: 3×3 conv(3 → w) + BN → stage 세 개 (채널 w, 2w, 4w, 각 BasicBlock n개: 3×3 conv + BN 두 번,
    stage 2·3의 첫 block은 stride 2) → global average pool → fc (4w → num_classes, bias 있음). conv는 bias 없음.
    shortcut "A": parameter 0개, "B": 채널·해상도가 바뀌는 block에만 projection, "C": 모든 block에 projection.

    Args:
        n: stage마다 block 수 (≥ 1).  shortcut: "A", "B", "C".  width: 첫 stage 채널 수.  num_classes: 출력 class 수.
    Returns:
        parameter 수 (int).
    Raises:
        ValueError: n < 1 또는 shortcut이 A/B/C가 아닐 때.
    """
    raise NotImplementedError("cifar_resnet_parameters: 01_resnet_d_shortcut.md 4단계")
