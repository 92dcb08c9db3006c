"""연습문제 01 — stage 전환 shortcut: ResNet-D의 평균 pooling shortcut과 A/B/C의 비용 (reference solution).

문제: `../01_resnet_d_shortcut.md`. 학습자 stub: `../ex01_resnet_d_shortcut.py` (이름·signature·docstring이 같다).

He, Zhang, Zhang, Zhang, Xie & Li (2019), "Bag of Tricks for Image Classification with Convolutional Neural Networks",
§4.1, Fig. 2(c): ResNet-D는 stage 전환 shortcut의 1×1 conv(stride 2)가 입력의 3/4을 읽지 않는 것을 고치려고 앞에
2×2 평균 pooling(stride 2)을 두고 1×1 conv를 stride 1로 바꾼다. parameter 수는 B와 같다.
"""
from __future__ import annotations

import numpy as np
import torch


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
    if x.ndim != 4:
        raise ValueError(f"x는 (N, C, H, W)여야 합니다: 받은 shape {tuple(x.shape)}")
    if weight.ndim != 4 or weight.shape[1:] != (x.shape[1], 1, 1):
        raise ValueError(f"weight는 (C_out, {x.shape[1]}, 1, 1)이어야 합니다: 받은 shape {tuple(weight.shape)}")
    if stride not in (1, 2):
        raise ValueError(f"stride는 1 또는 2여야 합니다: {stride!r}")
    pooled = x
    if stride == 2:
        N, C, H, W = x.shape
        OH, OW = -(-H // 2), -(-W // 2)                                   # ceil: 끝에 남은 한 줄도 window 하나
        padded = x.new_zeros(N, C, 2 * OH, 2 * OW)
        padded[:, :, :H, :W] = x
        ones = x.new_zeros(1, 1, 2 * OH, 2 * OW)
        ones[:, :, :H, :W] = 1.0
        sums = padded.reshape(N, C, OH, 2, OW, 2).sum(dim=(3, 5))         # (N, C, OH, OW)
        counts = ones.reshape(1, 1, OH, 2, OW, 2).sum(dim=(3, 5))         # 입력 안의 픽셀 수 (1, 2, 4)
        pooled = sums / counts
    return torch.einsum("oc,nchw->nohw", weight[:, :, 0, 0], pooled)      # 1×1 conv, stride 1


def pixels_reaching_shortcut(kind: str, height: int, width: int, stride: int = 2) -> np.ndarray:
    """stage 전환 shortcut의 출력이 기대는 입력 픽셀 (한 채널의 (H, W) 위치).

    Args:
        kind: "B" (1×1 conv, stride s) 또는 "D" (2×2 평균 pooling, stride s → 1×1 conv).  height, width: 입력 크기.
        stride: s, 1 또는 2.
    Returns:
        (height, width) bool 배열: True ⇔ 그 픽셀이 바뀌면 shortcut 출력이 바뀔 수 있다.
    """
    if kind not in ("B", "D"):
        raise ValueError(f"kind는 'B' 또는 'D'여야 합니다: {kind!r}")
    mask = np.zeros((height, width), dtype=bool)
    if kind == "B":
        mask[::stride, ::stride] = True                                  # 1×1 stride s: 각 window의 왼쪽 위만
    else:
        mask[:] = True                                                   # stride 2의 2×2 window는 빈틈 없이 덮는다
    return mask


def projection_parameters(in_channels: int, out_channels: int) -> int:
    """Option B/C(와 ResNet-D)의 projection W_s (bias 없는 1×1 conv + BatchNorm의 γ, β)의 학습 parameter 수.

    Args:
        in_channels: C_in.  out_channels: C_out.
    Returns:
        parameter 수 (int).
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
        parameter 수 (int).
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
