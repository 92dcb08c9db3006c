"""연습문제 03 — VGG의 parameter 수와 연산량(MAC)을 손으로 세기: reference solution.

문제: `../03_vgg_counting.md`. 학습자 stub: `../ex03_vgg_counting.py` (이름·signature·docstring이 같다).

conv (K×K, C_in → C_out, bias): parameter K²·C_in·C_out + C_out, 출력 한 점당 MAC K²·C_in, 출력 점은 C_out·H·W개.
Linear (in → out): parameter in·out + out, MAC in·out.  BN: parameter 2·C (γ, β).
"""
from __future__ import annotations


def conv_parameters(c_in: int, c_out: int, kernel: int = 3, bias: bool = True) -> int:
    """K×K conv 하나의 학습 parameter 수: K²·C_in·C_out (+ C_out if bias)."""
    return kernel * kernel * c_in * c_out + (c_out if bias else 0)


def vgg_parameters(config, batch_norm: bool = False, num_classes: int = 1000, hidden: int = 4096,
                   in_channels: int = 3) -> int:
    """VGG (Simonyan & Zisserman 2015, Table 1 모양)의 학습 parameter 수. ImageNet head (7·7·C → hidden → hidden → K).

    Args:
        config: channel 수(int)와 "M"(max-pool)의 list. 예: configuration A = [64, "M", 128, "M", 256, 256, "M", ...].
        batch_norm: conv마다 BN(γ, β)을 더하는지.  num_classes, hidden, in_channels: head와 입력의 크기.
    Returns:
        conv(3×3, bias) + BN + FC 세 층의 parameter 합 (BN의 running 통계는 buffer라 세지 않는다).
    """
    total, channels = 0, in_channels
    for v in config:
        if v == "M":
            continue
        total += conv_parameters(channels, v) + (2 * v if batch_norm else 0)
        channels = v
    total += channels * 7 * 7 * hidden + hidden                 # FC-4096 (AdaptiveAvgPool 7×7 뒤)
    total += hidden * hidden + hidden                           # FC-4096
    total += hidden * num_classes + num_classes                 # FC-1000
    return total


def vgg_conv_macs(config, input_size: int = 224, in_channels: int = 3) -> int:
    """conv 층들의 multiply-accumulate 수 (이미지 한 장). 3×3, padding 1이라 conv는 크기를 유지, "M"은 절반.

    Args:
        config: `vgg_parameters`와 같은 list.  input_size: 정사각 입력의 한 변.  in_channels: 입력 channel.
    Returns:
        Σ_conv (출력 H·W·C_out) · (9·C_in).  FC와 pooling, bias 덧셈은 넣지 않는다.
    """
    total, channels, size = 0, in_channels, input_size
    for v in config:
        if v == "M":
            size //= 2
            continue
        total += size * size * v * 9 * channels
        channels = v
    return total


def stack_versus_single(channels: int, n: int) -> tuple[int, int]:
    """C → C channel의 3×3 conv n개 stack과, 같은 receptive field (2n+1)×(2n+1) conv 하나의 weight 수 (bias 제외).

    Returns:
        (stack, single) = (n·9·C², (2n+1)²·C²).  Section 2.3: n = 3이면 27C² 대 49C².
    """
    return n * 9 * channels * channels, (2 * n + 1) ** 2 * channels * channels


def classifier_share(config, num_classes: int = 1000, hidden: int = 4096) -> float:
    """VGG(BN 없음) 전체 parameter 가운데 FC head가 차지하는 비율.

    Args:
        config: `[64, "M", ...]`.  num_classes: K.  hidden: FC 은닉 크기.
    Returns:
        비율 (0과 1 사이).
    """
    channels = [c for c in config if c != "M"][-1]
    head = (49 * channels * hidden + hidden) + (hidden * hidden + hidden) + (hidden * num_classes + num_classes)
    return head / vgg_parameters(config, num_classes=num_classes, hidden=hidden)
