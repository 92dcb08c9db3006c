"""연습문제 01 — option A shortcut과 shortcut 선택지별 parameter 수: reference solution.

문제 설명과 유도: `01_option_a_shortcut.md`. stub(`ex01_option_a_shortcut.py`)과 함수 이름·signature·docstring이 같다.

He et al. (2015), Section 3.3: 차원이 늘 때 (A) 0 padding identity — parameter 없음, (B) projection 1×1 conv + BN,
(C) 모든 shortcut이 projection.
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
    if not isinstance(x, torch.Tensor) or x.ndim != 4:
        raise ValueError(f"x는 (N, C, H, W) 4차원 tensor여야 합니다: 받은 shape {tuple(getattr(x, 'shape', ()))}")
    if out_channels < x.shape[1] or stride < 1:
        raise ValueError(f"out_channels ≥ C, stride ≥ 1이어야 합니다: C={x.shape[1]}, out_channels={out_channels}, "
                         f"stride={stride}")
    sub = x[:, :, ::stride, ::stride]                                        # (N, C, H/s, W/s)
    zeros = sub.new_zeros(sub.shape[0], out_channels - sub.shape[1], sub.shape[2], sub.shape[3])
    return torch.cat([sub, zeros], dim=1)                                    # (N, C_out, H/s, W/s)


def projection_parameters(in_channels: int, out_channels: int) -> int:
    """Option B/C의 projection W_s (bias 없는 1×1 conv + BatchNorm의 γ, β)의 학습 parameter 수.

    Args:
        in_channels: C_in.  out_channels: C_out.
    Returns:
        C_in·C_out + 2·C_out.
    """
    return in_channels * out_channels + 2 * out_channels


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
    if n < 1 or shortcut not in ("A", "B", "C"):
        raise ValueError(f"n ≥ 1, shortcut ∈ {{A, B, C}}이어야 합니다: n={n}, shortcut={shortcut!r}")

    def conv_bn(c_in, c_out):
        return 9 * c_in * c_out + 2 * c_out

    total = conv_bn(3, width)
    c_in = width
    for stage, c_out in enumerate((width, 2 * width, 4 * width)):
        for b in range(n):
            total += conv_bn(c_in, c_out) + conv_bn(c_out, c_out)
            changes = stage > 0 and b == 0
            if shortcut == "C" or (shortcut == "B" and changes):
                total += projection_parameters(c_in, c_out)
            c_in = c_out
    return total + 4 * width * num_classes + num_classes
