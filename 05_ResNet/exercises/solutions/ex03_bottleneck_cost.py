"""연습문제 03 — parameter와 곱셈-덧셈(multiply-add) 세기 (Basic vs Bottleneck, stride 위치, ResNet 전체):
reference solution.

문제 설명과 유도: `03_bottleneck_cost.md`. stub(`ex03_bottleneck_cost.py`)과 이름·signature·docstring이 같다.

He et al. (2015), Section 4.1과 Table 1. conv 한 층(bias 없음)의 비용:
    parameter = C_in·C_out·k²,   곱셈-덧셈 = parameter × (출력 H·W)      (출력 원소 하나가 C_in·k²개 입력을 읽는다)
BN은 parameter 2·C (γ, β)이고 곱셈-덧셈은 세지 않는다 (Table 1의 관례: conv와 fc만). 순수 Python 정수만 쓴다.
"""
from __future__ import annotations

ARCHS = {18: ("basic", (2, 2, 2, 2)), 34: ("basic", (3, 4, 6, 3)), 50: ("bottleneck", (3, 4, 6, 3)),
         101: ("bottleneck", (3, 4, 23, 3)), 152: ("bottleneck", (3, 8, 36, 3))}


def conv_cost(c_in: int, c_out: int, k: int, out_h: int, out_w: int) -> tuple[int, int]:
    """bias 없는 k×k conv 한 층의 (parameter 수, 곱셈-덧셈 수).

    Args:
        c_in, c_out: 입력·출력 채널.  k: kernel 크기.  out_h, out_w: **출력** feature map 크기.
    Returns:
        (c_in·c_out·k², c_in·c_out·k²·out_h·out_w).
    """
    params = c_in * c_out * k * k
    return params, params * out_h * out_w


def block_cost(kind: str, in_planes: int, planes: int, h: int, w: int, stride: int = 1,
               stride_on: str = "3x3") -> tuple[int, int]:
    """residual block 하나의 (parameter 수, 곱셈-덧셈 수). BN parameter 포함, shortcut은 option B.

    Args:
        kind: "basic" (3×3 → 3×3, 출력 planes) 또는 "bottleneck" (1×1 → 3×3 → 1×1, 출력 4·planes).
        in_planes: 입력 채널.  planes: block의 폭.  h, w: **입력** feature map 크기.  stride: 1 또는 2.
        stride_on: bottleneck에서 stride를 둘 곳 — "3x3" (torchvision, v1.5) 또는 "1x1" (논문, v1).
    Returns:
        (parameter, 곱셈-덧셈). 출력 크기는 (h − 1)//stride + 1 (3×3 pad 1과 1×1 pad 0이 같은 식).
        입력과 출력의 채널 또는 해상도가 다르면 projection(1×1 conv stride s + BN)을 더한다.
    Raises:
        ValueError: kind 또는 stride_on이 모르는 값일 때.
    """
    if kind not in ("basic", "bottleneck") or stride_on not in ("3x3", "1x1"):
        raise ValueError(f"kind ∈ {{basic, bottleneck}}, stride_on ∈ {{3x3, 1x1}}: 받은 {kind!r}, {stride_on!r}")
    oh, ow = (h - 1) // stride + 1, (w - 1) // stride + 1
    layers = []                                                               # (c_in, c_out, k, out_h, out_w)
    if kind == "basic":
        out_planes = planes
        layers += [(in_planes, planes, 3, oh, ow), (planes, planes, 3, oh, ow)]
    else:
        out_planes = 4 * planes
        first_h, first_w = (oh, ow) if stride_on == "1x1" else (h, w)         # 첫 1×1의 출력 크기
        layers += [(in_planes, planes, 1, first_h, first_w), (planes, planes, 3, oh, ow),
                   (planes, out_planes, 1, oh, ow)]
    if stride != 1 or in_planes != out_planes:
        layers.append((in_planes, out_planes, 1, oh, ow))                    # projection W_s
    params = macs = 0
    for c_in, c_out, k, lh, lw in layers:
        p, m = conv_cost(c_in, c_out, k, lh, lw)
        params += p + 2 * c_out                                               # conv + 뒤따르는 BN
        macs += m
    return params, macs


def resnet_cost(depth: int, stride_on: str = "3x3", num_classes: int = 1000, size: int = 224) -> tuple[int, int]:
    """ImageNet ResNet-18/34/50/101/152 (Table 1) 전체의 (parameter 수, 곱셈-덧셈 수).

    stem: 7×7 conv 64 stride 2 pad 3 + BN → 3×3 max-pool stride 2 pad 1. stage: planes 64, 128, 256, 512,
    첫 stage는 stride 1, 나머지는 첫 block이 stride 2. head: global average pool → fc (bias 있음).

    Args:
        depth: 18, 34, 50, 101, 152.  stride_on: bottleneck의 stride 위치.  num_classes: fc 출력.  size: 입력 한 변.
    Returns:
        (parameter, 곱셈-덧셈). 224×224, 1000 class면 ResNet-50 (v1.5)는 (25,557,032, 4,089,184,256).
    Raises:
        ValueError: 모르는 depth.
    """
    if depth not in ARCHS:
        raise ValueError(f"depth는 {sorted(ARCHS)} 중 하나여야 합니다: {depth}")
    kind, blocks = ARCHS[depth]
    h = (size + 2 * 3 - 7) // 2 + 1                                           # stem conv 출력
    params, macs = conv_cost(3, 64, 7, h, h)
    params += 2 * 64
    h = (h + 2 * 1 - 3) // 2 + 1                                              # max-pool 출력
    in_planes = 64
    for index, (planes, n) in enumerate(zip((64, 128, 256, 512), blocks)):
        for b in range(n):
            stride = 2 if index > 0 and b == 0 else 1
            p, m = block_cost(kind, in_planes, planes, h, h, stride, stride_on)
            params, macs = params + p, macs + m
            h = (h - 1) // stride + 1
            in_planes = planes * (4 if kind == "bottleneck" else 1)
    params += in_planes * num_classes + num_classes                           # fc
    macs += in_planes * num_classes
    return params, macs


def macs_ratio(depth: int, size: int, new_size: int, stride_on: str = "3x3") -> float:
    """입력 한 변을 size에서 new_size로 바꿀 때 ResNet 전체 곱셈-덧셈 수가 몇 배가 되는가.

    Args:
        depth: 18, 34, 50, 101, 152.  size, new_size: 입력 한 변.  stride_on: bottleneck의 stride 위치.
    Returns:
        곱셈-덧셈(new_size) / 곱셈-덧셈(size).
    """
    return resnet_cost(depth, stride_on, size=new_size)[1] / resnet_cost(depth, stride_on, size=size)[1]
