"""연습문제 02 — dilated (atrous) convolution: 학습자가 채우는 stub.

문제 설명과 유도: `02_dilation.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).
도우미 함수가 필요하면 `_`로 시작하는 이름으로 자유롭게 더해도 된다.

    python -m pytest 03_CNN_LeNet/exercises --learner -k ex02   # 이 문제만 채점
    make grade CHAPTERS=03                                      # 이 장의 채점표 (문제마다 한 줄)

Yu & Koltun (2016), "Multi-Scale Context Aggregation by Dilated Convolutions", 식 (2):
    out[n, f, i, j] = b[f] + Σ_c Σ_p Σ_q W[f, c, p, q] · x̃[n, c, S·i + d·p, S·j + d·q]
NumPy만 쓴다 (`F.conv2d`는 채점에서 기준으로만 쓰인다).
"""
from __future__ import annotations

import numpy as np


def effective_kernel_size(kernel_size: int, dilation: int) -> int:
    """dilation d인 K-tap kernel이 입력에서 차지하는 폭 K_eff (첫 tap부터 마지막 tap까지).

    Args:
        kernel_size: K ≥ 1.  dilation: d ≥ 1.
    Returns:
        K_eff (int).
    Raises:
        ValueError: K < 1 또는 d < 1.
    """
    raise NotImplementedError("effective_kernel_size: 첫 tap과 마지막 tap 사이의 폭 (02_dilation.md 1단계)")


def dilated_output_size(in_size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """한 축의 출력 크기 (`F.conv2d(..., dilation=d)`와 같다).

    Args:
        in_size: H ≥ 1.  kernel_size: K ≥ 1.  stride: S ≥ 1.  padding: P ≥ 0.  dilation: d ≥ 1.
    Returns:
        O ≥ 1 (int).
    Raises:
        ValueError: 인자가 범위 밖이거나, K_eff > H + 2P 여서 출력이 하나도 생기지 않을 때.
    """
    raise NotImplementedError("dilated_output_size: 보통 출력 크기 식의 K를 K_eff로 (02_dilation.md 1단계)")


def dilate_kernel(W: np.ndarray, dilation: int) -> np.ndarray:
    """tap 사이에 0을 d − 1개씩 끼운 kernel. 이것으로 dilation 1 convolution을 하면 dilated convolution과 같다.

    Args:
        W: (F, C, KH, KW).  dilation: d ≥ 1.
    Returns:
        (F, C, d·(KH − 1) + 1, d·(KW − 1) + 1),  W_dil[..., d·p, d·q] = W[..., p, q], 나머지 0.
    """
    raise NotImplementedError("dilate_kernel: 0 배열에 step d slice로 W를 넣는다 (02_dilation.md 2단계)")


def conv2d_dilated_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0,
                           dilation: int = 1) -> np.ndarray:
    """dilated 2-D convolution forward (`F.conv2d(x, W, b, stride, padding, dilation)`와 같은 정의).

    out[n, f, i, j] = b[f] + Σ_{c,p,q} W[f, c, p, q] · x̃[n, c, S·i + d·p, S·j + d·q]

    Args:
        x: (N, C, H, W).  W: (F, C, KH, KW).  b: (F,).  stride S ≥ 1, padding P ≥ 0, dilation d ≥ 1 (두 방향 공통).
    Returns:
        (N, F, OH, OW),  OH = `dilated_output_size(H, KH, S, P, d)`, OW도 같은 식.
    """
    # 연습문제 01의 conv2d_forward에서 tap (p, q)가 읽는 slice의 시작만 p → d·p, q → d·q 로 바뀐다.
    raise NotImplementedError("conv2d_dilated_forward: tap마다 strided slice (02_dilation.md 3단계)")


def conv2d_dilated_backward(dout: np.ndarray, x: np.ndarray, W: np.ndarray, stride: int = 1, padding: int = 0,
                            dilation: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`conv2d_dilated_forward`의 backward: (dx, dW, db).

    Args:
        dout: (N, F, OH, OW).  x: (N, C, H, W).  W: (F, C, KH, KW).  stride, padding, dilation: forward와 같은 값.
    Returns:
        dx (N, C, H, W), dW (F, C, KH, KW), db (F,).
    """
    raise NotImplementedError("conv2d_dilated_backward: forward와 같은 slice로 dW, dx 누적 (02_dilation.md 4단계)")


def stack_footprint(kernel_size: int, dilations) -> np.ndarray:
    """K-tap 1-D conv를 dilation d_1, d_2, …로 (stride 1) 쌓았을 때 출력 unit 하나가 기대는 입력 offset.

    Args:
        kernel_size: K ≥ 1.  dilations: 층마다 d ≥ 1 (입력 쪽이 먼저).
    Returns:
        길이 1 + Σ_l d_l·(K − 1)의 bool 배열: [o]가 True ⇔ receptive field의 o번째 입력이 출력에 닿는 경로가 있다.
    """
    raise NotImplementedError("stack_footprint: 02_dilation.md 5단계")
