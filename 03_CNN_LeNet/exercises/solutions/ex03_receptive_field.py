"""연습문제 03 — receptive field, jump, start: reference solution.

문제: `../03_receptive_field.md`. 학습자 stub: `../ex03_receptive_field.py` (함수 이름·signature·docstring이 같다).

한 축만 본다 (정사각 kernel이면 두 축이 같다). 층 l은 (K, S, P) 또는 (K, S, P, d), K_eff = d·(K − 1) + 1.
입력에서 시작해 (r₀, j₀, s₀) = (1, 1, 0) 으로 두고 층마다 (Araujo, Norris & Sim 2019, "Computing Receptive
Fields of Convolutional Neural Networks", Distill의 recurrence를 한 층씩 쓴 것):
    r_l = r_{l−1} + (K_eff − 1) · j_{l−1}       receptive field 크기 (입력 픽셀 수)
    j_l = j_{l−1} · S                           jump: 이웃한 출력 unit의 receptive field가 입력에서 몇 칸 떨어졌나
    s_l = s_{l−1} − P · j_{l−1}                 start: unit 0의 receptive field가 시작하는 입력 좌표 (음수 = padding)
출력 unit i의 receptive field는 입력 좌표 [s_l + i·j_l,  s_l + i·j_l + r_l − 1] (양 끝 포함).
"""
from __future__ import annotations


def _unpack(layer) -> tuple[int, int, int, int]:
    """(K, S, P) 또는 (K, S, P, d) → (K, S, P, d). 범위 밖이면 ValueError."""
    if not isinstance(layer, (tuple, list)) or len(layer) not in (3, 4):
        raise ValueError(f"층은 (kernel, stride, padding) 또는 (kernel, stride, padding, dilation)이어야 "
                         f"합니다: {layer!r}")
    kernel, stride, padding, dilation = (*layer, 1) if len(layer) == 3 else layer
    if kernel < 1 or stride < 1 or padding < 0 or dilation < 1:
        raise ValueError(f"kernel ≥ 1, stride ≥ 1, padding ≥ 0, dilation ≥ 1이어야 합니다: {layer!r}")
    return kernel, stride, padding, dilation


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
    size, jump, start = 1, 1, 0                                # 입력 픽셀 하나: 자기 자신만 본다
    table = []
    for layer in layers:
        kernel, stride, padding, dilation = _unpack(layer)
        k_eff = dilation * (kernel - 1) + 1
        start -= padding * jump                                # padding P칸 = 이전 층 unit P개 = 입력 P·j칸 앞
        size += (k_eff - 1) * jump                             # kernel이 더 덮는 K_eff − 1개 unit, 각각 j칸 간격
        jump *= stride
        table.append((size, jump, start))
    return table


def input_region(layers, index: int) -> tuple[int, int]:
    """마지막 층의 출력 unit `index`가 보는 입력 구간 [lo, hi] (양 끝 포함, 입력 밖으로 나갈 수 있다).

    Args:
        layers: `receptive_field`와 같은 층 목록 (비어 있지 않음).  index: 마지막 층 출력에서의 위치 i ≥ 0.
    Returns:
        (lo, hi) = (start + i·jump,  start + i·jump + size − 1). 입력 범위 [0, H − 1]로 자르지 않은 값.
    """
    size, jump, start = receptive_field(layers)[-1]
    lo = start + index * jump
    return lo, lo + size - 1


def lenet5_layers() -> list[tuple[int, int, int]]:
    """LeNet-5 (LeCun et al. 1998, Section II.B)의 C1, S2, C3, S4, C5를 (kernel, stride, padding)으로.

    Returns:
        5개 층. convolution은 5×5, stride 1, padding 0; sub-sampling은 2×2, stride 2 (겹치지 않음), padding 0.
        32×32 입력에서 feature map 크기가 28, 14, 10, 5, 1이 된다.
    """
    conv, subsample = (5, 1, 0), (2, 2, 0)
    return [conv, subsample, conv, subsample, conv]            # C1, S2, C3, S4, C5


def vgg_layers(convs_per_stage: tuple[int, ...]) -> list[tuple[int, int, int]]:
    """VGG 식 stack (Simonyan & Zisserman 2015, Section 2.1): stage마다 3×3 conv n개 + 2×2 max-pool 하나.

    Args:
        convs_per_stage: stage별 conv 개수. VGG-16이면 (2, 2, 3, 3, 3).
    Returns:
        conv (3, 1, 1)을 n번, 이어서 max-pool (2, 2, 0) 한 번 — 이것을 stage마다 차례로 이어 붙인 목록.
    """
    layers = []
    for n in convs_per_stage:
        layers += [(3, 1, 1)] * n + [(2, 2, 0)]
    return layers


def smallest_input(layers) -> int:
    """층 목록(conv·pooling, 입력 쪽이 먼저)을 지나 모든 층에서 출력이 1개 이상 남는 가장 작은 입력 크기 H.

    Args:
        layers: `receptive_field`와 같은 층 목록.
    Returns:
        H ≥ 1 (int).
    """
    size = 1                                                          # 마지막 층 출력 1개에서 거꾸로
    for layer in reversed(list(layers)):
        kernel, stride, padding = layer[:3]
        dilation = layer[3] if len(layer) > 3 else 1
        k_eff = dilation * (kernel - 1) + 1
        size = max(1, (size - 1) * stride + k_eff - 2 * padding)      # O = ⌊(H + 2P − K_eff)/S⌋ + 1 ≥ size
    return size
