"""연습문제 02 — pre-activation residual block (He et al. 2016): 학습자가 채우는 stub.

문제 설명과 유도: `02_preact_block.md`. 각 함수·메서드의 `raise NotImplementedError(...)`를 지우고 구현한다.
이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 05_ResNet/exercises --learner -k ex02   # 이 문제만 채점
    make grade CHAPTERS=05                                   # 이 장의 채점표 (문제마다 한 줄)

He, Zhang, Ren & Sun (2016), "Identity Mappings in Deep Residual Networks", 식 (3)과 Fig. 4(e):
    x_{l+1} = x_l + F(x_l),   F(x) = conv3×3( ReLU(BN( conv3×3_s( ReLU(BN(x)) ) )) )
덧셈 뒤에 ReLU가 없다. 차원이 바뀌면 shortcut은 pre-activation ReLU(BN(x))에 1×1 conv(stride s, BN 없음)를 건다.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: F401 — 구현할 때 쓴다
from torch import nn


class PreActBlock(nn.Module):
    """Pre-activation BasicBlock: BN → ReLU → conv3×3(stride) → BN → ReLU → conv3×3, 그리고 덧셈 (뒤에 ReLU 없음).

    submodule 이름: bn1 (BatchNorm2d(in_planes)), conv1 (3×3, in_planes → planes, stride, bias 없음),
    bn2 (BatchNorm2d(planes)), conv2 (3×3, planes → planes, bias 없음),
    shortcut (stride ≠ 1 또는 in_planes ≠ planes일 때 1×1 conv stride s, bias 없음; 아니면 None).
    """

    def __init__(self, in_planes: int, planes: int, stride: int = 1):
        """Args: in_planes 입력 채널, planes 출력 채널, stride 첫 conv(와 shortcut)의 stride."""
        raise NotImplementedError("PreActBlock.__init__: bn1, conv1, bn2, conv2, shortcut (02_preact_block.md 1단계)")

    def residual(self, x: torch.Tensor) -> torch.Tensor:
        """F(x) = conv2(ReLU(bn2(conv1(ReLU(bn1(x)))))).  x (N, in_planes, H, W) → (N, planes, H/s, W/s)."""
        raise NotImplementedError("PreActBlock.residual: BN → ReLU → conv 두 번 (02_preact_block.md 2단계)")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x + F(x) (shape가 같을 때) 또는 shortcut(ReLU(bn1(x))) + F(x). 덧셈 뒤에 ReLU는 없다."""
        raise NotImplementedError("PreActBlock.forward: 덧셈, 뒤에 ReLU 없음 (02_preact_block.md 3단계)")


def unrolled(blocks, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """같은 shape의 block들을 차례로 통과한 x_L과, 식 x_L = x_0 + Σ_i F(x_i)로 다시 계산한 값을 함께 돌려준다.

    Args:
        blocks: shortcut이 None인 `PreActBlock` 들 (순서대로).  x: x_0 (N, C, H, W).
    Returns:
        (x_L, x_0 + Σ_{i<L} blocks[i].residual(x_i)) — 두 tensor는 (반올림 오차 안에서) 같아야 한다.
    Raises:
        ValueError: shortcut이 있는(shape가 바뀌는) block이 섞여 있을 때.
    """
    raise NotImplementedError("unrolled: x_L과 x_0 + Σ F(x_i) (02_preact_block.md 4단계)")


def residual_stream_variances(blocks, x: torch.Tensor) -> list[float]:
    """block을 차례로 통과하는 residual stream의 분산 Var(x_l), l = 0 … L (eval 모드에서 재는 것을 전제로 한다).

    Args:
        blocks: shape를 바꾸지 않는 block들 (순서대로).  x: x_0 (N, C, H, W).
    Returns:
        길이 L + 1의 float list: [Var(x_0), Var(x_1), …, Var(x_L)] (모든 원소에 대한 분산, `unbiased=False`).
    """
    raise NotImplementedError("residual_stream_variances: 02_preact_block.md 5단계")
