"""연습문제 03 — receptive field, jump, start: 학습자가 채우는 stub.

문제 설명과 유도: `03_receptive_field.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).
도우미 함수가 필요하면 `_`로 시작하는 이름으로 자유롭게 더해도 된다.

    python -m pytest 03_CNN_LeNet/exercises --learner -k ex03   # 이 문제만 채점
    make grade CHAPTERS=03                                      # 이 장의 채점표 (문제마다 한 줄)

한 축만 본다. 층은 (K, S, P) 또는 (K, S, P, d). 채점은 torch autograd로 **실제로 잰** receptive field와 비교한다.
순수 Python만으로 충분하다 (NumPy도 필요 없다).
"""
from __future__ import annotations


def receptive_field(layers) -> list[tuple[int, int, int]]:
    """층을 하나씩 지날 때마다의 (size, jump, start).

    Args:
        layers: [(kernel, stride, padding), ...] 또는 층마다 (kernel, stride, padding, dilation). 입력 쪽이 먼저.
    Returns:
        len(layers)개의 (size, jump, start) — i번째는 layers[: i + 1]을 지난 feature map의 값.
        size = receptive field 폭, jump = 이웃 unit 사이 입력 거리, start = unit 0의 receptive field 첫 입력 좌표.
    Raises:
        ValueError: 층의 모양이 틀렸거나 kernel < 1, stride < 1, padding < 0, dilation < 1.
    """
    raise NotImplementedError("receptive_field: (size, jump, start) recurrence (03_receptive_field.md 1단계)")


def input_region(layers, index: int) -> tuple[int, int]:
    """마지막 층의 출력 unit `index`가 보는 입력 구간 [lo, hi] (양 끝 포함, 입력 밖으로 나갈 수 있다).

    Args:
        layers: `receptive_field`와 같은 층 목록 (비어 있지 않음).  index: 마지막 층 출력에서의 위치 i ≥ 0.
    Returns:
        (lo, hi) = (start + i·jump,  start + i·jump + size − 1). 입력 범위 [0, H − 1]로 자르지 않은 값.
    """
    raise NotImplementedError("input_region: 마지막 층의 (size, jump, start)로 (03_receptive_field.md 2단계)")


def lenet5_layers() -> list[tuple[int, int, int]]:
    """LeNet-5 (LeCun et al. 1998, Section II.B)의 C1, S2, C3, S4, C5를 (kernel, stride, padding)으로.

    Returns:
        5개 층. convolution은 5×5, stride 1, padding 0; sub-sampling은 2×2, stride 2 (겹치지 않음), padding 0.
        32×32 입력에서 feature map 크기가 28, 14, 10, 5, 1이 된다.
    """
    raise NotImplementedError("lenet5_layers: 논문 Section II.B의 다섯 층 (03_receptive_field.md 3단계)")


def vgg_layers(convs_per_stage: tuple[int, ...]) -> list[tuple[int, int, int]]:
    """VGG 식 stack (Simonyan & Zisserman 2015, Section 2.1): stage마다 3×3 conv n개 + 2×2 max-pool 하나.

    Args:
        convs_per_stage: stage별 conv 개수. VGG-16이면 (2, 2, 3, 3, 3).
    Returns:
        conv (3, 1, 1)을 n번, 이어서 max-pool (2, 2, 0) 한 번 — 이것을 stage마다 차례로 이어 붙인 목록.
    """
    raise NotImplementedError("vgg_layers: stage마다 conv n개 + pool 하나 (03_receptive_field.md 4단계)")


def smallest_input(layers) -> int:
    """층 목록(conv·pooling, 입력 쪽이 먼저)을 지나 모든 층에서 출력이 1개 이상 남는 가장 작은 입력 크기 H.

    Args:
        layers: `receptive_field`와 같은 층 목록.
    Returns:
        H ≥ 1 (int).
    """
    raise NotImplementedError("smallest_input: 03_receptive_field.md 5단계")
