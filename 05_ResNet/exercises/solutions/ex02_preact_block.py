"""연습문제 02 — pre-activation residual block (He et al. 2016): reference solution.

문제 설명과 유도: `02_preact_block.md`. stub(`ex02_preact_block.py`)과 이름·signature·docstring이 같다.

He, Zhang, Ren & Sun (2016), "Identity Mappings in Deep Residual Networks", 식 (3)과 Fig. 4(e):
    x_{l+1} = x_l + F(x_l),   F(x) = conv3×3( ReLU(BN( conv3×3_s( ReLU(BN(x)) ) )) )
덧셈 뒤에 ReLU가 없다. 차원이 바뀌면 shortcut은 pre-activation ReLU(BN(x))에 1×1 conv(stride s, BN 없음)를 건다.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class PreActBlock(nn.Module):
    """Pre-activation BasicBlock: BN → ReLU → conv3×3(stride) → BN → ReLU → conv3×3, 그리고 덧셈 (뒤에 ReLU 없음).

    submodule 이름: bn1 (BatchNorm2d(in_planes)), conv1 (3×3, in_planes → planes, stride, bias 없음),
    bn2 (BatchNorm2d(planes)), conv2 (3×3, planes → planes, bias 없음),
    shortcut (stride ≠ 1 또는 in_planes ≠ planes일 때 1×1 conv stride s, bias 없음; 아니면 None).
    """

    def __init__(self, in_planes: int, planes: int, stride: int = 1):
        """Args: in_planes 입력 채널, planes 출력 채널, stride 첫 conv(와 shortcut)의 stride."""
        super().__init__()
        self.bn1 = nn.BatchNorm2d(in_planes)
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.shortcut = (nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False)
                         if stride != 1 or in_planes != planes else None)

    def residual(self, x: torch.Tensor) -> torch.Tensor:
        """F(x) = conv2(ReLU(bn2(conv1(ReLU(bn1(x)))))).  x (N, in_planes, H, W) → (N, planes, H/s, W/s)."""
        out = self.conv1(F.relu(self.bn1(x)))                               # (N, planes, H/s, W/s)
        return self.conv2(F.relu(self.bn2(out)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x + F(x) (shape가 같을 때) 또는 shortcut(ReLU(bn1(x))) + F(x). 덧셈 뒤에 ReLU는 없다."""
        if self.shortcut is None:
            return x + self.residual(x)
        preact = F.relu(self.bn1(x))                                        # 두 branch가 함께 쓰는 pre-activation
        out = self.conv2(F.relu(self.bn2(self.conv1(preact))))
        return self.shortcut(preact) + out


def unrolled(blocks, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """같은 shape의 block들을 차례로 통과한 x_L과, 식 x_L = x_0 + Σ_i F(x_i)로 다시 계산한 값을 함께 돌려준다.

    Args:
        blocks: shortcut이 None인 `PreActBlock` 들 (순서대로).  x: x_0 (N, C, H, W).
    Returns:
        (x_L, x_0 + Σ_{i<L} blocks[i].residual(x_i)) — 두 tensor는 (반올림 오차 안에서) 같아야 한다.
    Raises:
        ValueError: shortcut이 있는(shape가 바뀌는) block이 섞여 있을 때.
    """
    if any(b.shortcut is not None for b in blocks):
        raise ValueError("unrolled는 shape가 바뀌지 않는 block(shortcut이 None)만 받습니다")
    h, total = x, x
    for block in blocks:
        f = block.residual(h)
        total = total + f
        h = block(h)
    return h, total


def residual_stream_variances(blocks, x: torch.Tensor) -> list[float]:
    """block을 차례로 통과하는 residual stream의 분산 Var(x_l), l = 0 … L (eval 모드에서 재는 것을 전제로 한다).

    Args:
        blocks: shape를 바꾸지 않는 block들 (순서대로).  x: x_0 (N, C, H, W).
    Returns:
        길이 L + 1의 float list: [Var(x_0), Var(x_1), …, Var(x_L)] (모든 원소에 대한 분산, `unbiased=False`).
    """
    variances = [float(x.var(unbiased=False))]
    with torch.no_grad():
        for block in blocks:
            x = block(x)
            variances.append(float(x.var(unbiased=False)))
    return variances
