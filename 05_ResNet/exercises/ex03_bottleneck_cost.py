"""연습문제 03 — parameter와 곱셈-덧셈(multiply-add) 세기 (Basic vs Bottleneck, stride 위치, ResNet 전체):
학습자가 채우는 stub.

문제 설명과 유도: `03_bottleneck_cost.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 05_ResNet/exercises --learner -k ex03   # 이 문제만 채점
    make grade CHAPTERS=05                                   # 이 장의 채점표 (문제마다 한 줄)

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
    raise NotImplementedError("conv_cost: 한 줄씩 (03_bottleneck_cost.md 1단계)")


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
    raise NotImplementedError("block_cost: 층 목록을 만들고 더하기, stride 위치에 주의 (03_bottleneck_cost.md 2단계)")


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
    raise NotImplementedError("resnet_cost: stem → stage → fc, 해상도를 따라가며 (03_bottleneck_cost.md 3단계)")


def macs_ratio(depth: int, size: int, new_size: int, stride_on: str = "3x3") -> float:
    """입력 한 변을 size에서 new_size로 바꿀 때 ResNet 전체 곱셈-덧셈 수가 몇 배가 되는가.

    Args:
        depth: 18, 34, 50, 101, 152.  size, new_size: 입력 한 변.  stride_on: bottleneck의 stride 위치.
    Returns:
        곱셈-덧셈(new_size) / 곱셈-덧셈(size).
    """
    raise NotImplementedError("macs_ratio: 03_bottleneck_cost.md 4단계")
