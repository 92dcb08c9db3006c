"""연습문제 03 — VGG의 parameter 수와 연산량(MAC)을 손으로 세기: 학습자가 채우는 stub.

문제 설명과 유도: `03_vgg_counting.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 04_VGG/exercises --learner -k ex03   # 이 문제만 채점
    make grade CHAPTERS=04                                # 이 장의 채점표 (문제마다 한 줄)

순수 Python이면 충분하다. 채점은 torchvision VGG의 실제 parameter 수, 그리고 meta device에서
forward hook으로 센 MAC과 비교한다.
"""
from __future__ import annotations


def conv_parameters(c_in: int, c_out: int, kernel: int = 3, bias: bool = True) -> int:
    """K×K conv 하나의 학습 parameter 수: K²·C_in·C_out (+ C_out if bias)."""
    raise NotImplementedError("conv_parameters: K²·C_in·C_out + bias (03_vgg_counting.md 1단계)")


def vgg_parameters(config, batch_norm: bool = False, num_classes: int = 1000, hidden: int = 4096,
                   in_channels: int = 3) -> int:
    """VGG (Simonyan & Zisserman 2015, Table 1 모양)의 학습 parameter 수. ImageNet head (7·7·C → hidden → hidden → K).

    Args:
        config: channel 수(int)와 "M"(max-pool)의 list. 예: configuration A = [64, "M", 128, "M", 256, 256, "M", ...].
        batch_norm: conv마다 BN(γ, β)을 더하는지.  num_classes, hidden, in_channels: head와 입력의 크기.
    Returns:
        conv(3×3, bias) + BN + FC 세 층의 parameter 합 (BN의 running 통계는 buffer라 세지 않는다).
    """
    raise NotImplementedError("vgg_parameters: conv + BN + FC 세 층 (03_vgg_counting.md 2단계)")


def vgg_conv_macs(config, input_size: int = 224, in_channels: int = 3) -> int:
    """conv 층들의 multiply-accumulate 수 (이미지 한 장). 3×3, padding 1이라 conv는 크기를 유지, "M"은 절반.

    Args:
        config: `vgg_parameters`와 같은 list.  input_size: 정사각 입력의 한 변.  in_channels: 입력 channel.
    Returns:
        Σ_conv (출력 H·W·C_out) · (9·C_in).  FC와 pooling, bias 덧셈은 넣지 않는다.
    """
    raise NotImplementedError("vgg_conv_macs: 층마다 H·W·C_out·9·C_in (03_vgg_counting.md 3단계)")


def stack_versus_single(channels: int, n: int) -> tuple[int, int]:
    """C → C channel의 3×3 conv n개 stack과, 같은 receptive field (2n+1)×(2n+1) conv 하나의 weight 수 (bias 제외).

    Returns:
        (stack, single) = (n·9·C², (2n+1)²·C²).  Section 2.3: n = 3이면 27C² 대 49C².
    """
    raise NotImplementedError("stack_versus_single: n·9·C² 대 (2n+1)²·C² (03_vgg_counting.md 4단계)")


def classifier_share(config, num_classes: int = 1000, hidden: int = 4096) -> float:
    """VGG(BN 없음) 전체 parameter 가운데 FC head가 차지하는 비율.

    Args:
        config: `[64, "M", ...]`.  num_classes: K.  hidden: FC 은닉 크기.
    Returns:
        비율 (0과 1 사이).
    """
    raise NotImplementedError("classifier_share: 03_vgg_counting.md 5단계")
