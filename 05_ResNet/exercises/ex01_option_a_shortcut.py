"""연습문제 01 — option A shortcut과 shortcut 선택지별 parameter 수: 학습자가 채우는 stub.

문제 설명과 유도: `01_option_a_shortcut.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (`test_exercises.py`가 solution과 같은지 검사한다).
도우미 함수가 필요하면 `_`로 시작하는 이름으로 자유롭게 더해도 된다.

    pytest 05_ResNet/exercises/test_ex01_option_a_shortcut.py --learner   # 내 구현 검사

He et al. (2015), Section 3.3: 차원이 늘 때 (A) 0 padding identity — parameter 없음, (B) projection 1×1 conv + BN,
(C) 모든 shortcut이 projection. torch tensor 연산만 쓴다 (장의 모델 코드는 import하지 않는다).
"""
from __future__ import annotations

import torch


def shortcut_a(x: torch.Tensor, out_channels: int, stride: int) -> torch.Tensor:
    """Option A shortcut: x를 stride만큼 건너 뛰어 읽고, 늘어난 채널을 뒤에 0으로 채운다.

    Args:
        x: (N, C, H, W) float tensor.  out_channels: C_out ≥ C.  stride: s ≥ 1.
    Returns:
        (N, C_out, ⌈H/s⌉, ⌈W/s⌉). 앞의 C 채널은 x[:, :, ::s, ::s], 나머지 C_out − C 채널은 0.
    Raises:
        ValueError: x가 4차원이 아니거나, out_channels < C, stride < 1.
    """
    raise NotImplementedError("shortcut_a: strided slice + 0 채널 이어 붙이기 (01_option_a_shortcut.md 1단계)")


def projection_parameters(in_channels: int, out_channels: int) -> int:
    """Option B/C의 projection W_s (bias 없는 1×1 conv + BatchNorm의 γ, β)의 학습 parameter 수.

    Args:
        in_channels: C_in.  out_channels: C_out.
    Returns:
        C_in·C_out + 2·C_out.
    """
    raise NotImplementedError("projection_parameters: 1×1 conv weight + BN의 γ, β (01_option_a_shortcut.md 2단계)")


def cifar_resnet_parameters(n: int, shortcut: str = "A", width: int = 16, num_classes: int = 10) -> int:
    """CIFAR ResNet (깊이 6n + 2, He et al. Section 4.2)의 학습 parameter 수를 층마다 더해 센다.

    구조: 3×3 conv(3 → w) + BN → stage 세 개 (채널 w, 2w, 4w, 각 BasicBlock n개: 3×3 conv + BN 두 번,
    stage 2·3의 첫 block은 stride 2) → global average pool → fc (4w → num_classes, bias 있음). conv는 bias 없음.
    shortcut "A": parameter 0개, "B": 채널·해상도가 바뀌는 block에만 projection, "C": 모든 block에 projection.

    Args:
        n: stage마다 block 수 (≥ 1).  shortcut: "A", "B", "C".  width: 첫 stage 채널 수.  num_classes: 출력 class 수.
    Returns:
        parameter 수 (int). n = 3, shortcut "A", width 16이면 269,722 (논문의 0.27M).
    Raises:
        ValueError: n < 1 또는 shortcut이 A/B/C가 아닐 때.
    """
    raise NotImplementedError("cifar_resnet_parameters: 층마다 더하기 (01_option_a_shortcut.md 3단계)")
