"""연습문제 01 — conv2d의 backward를 손으로: 학습자가 채우는 stub.

문제 설명과 유도: `01_conv_backward.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).
forward는 [주어짐]: `given_conv_forward.py`의 `conv2d_forward`를 읽고, 그 backward를 쓴다 (그 파일은 고치지 않는다).

    python -m pytest 03_CNN_LeNet/exercises --learner -k ex01   # 이 문제만 채점
    make grade CHAPTERS=03                                      # 이 장의 채점표 (문제마다 한 줄)

NumPy만 쓴다. loop로 써도, im2col / col2im으로 써도 된다 (`F.conv2d`는 채점에서 기준으로만 쓰인다).
"""
from __future__ import annotations

import numpy as np

from .given_conv_forward import conv2d_forward  # noqa: F401 — [주어짐] forward: 읽고 불러 써도 된다


def conv2d_grad_bias(dout: np.ndarray) -> np.ndarray:
    """bias의 gradient db = ∂L/∂b.

    Args:
        dout: (N, F, OH, OW) 출력에 대한 upstream gradient ∂L/∂out.
    Returns:
        (F,).
    """
    raise NotImplementedError("conv2d_grad_bias: batch와 출력 위치에 대해 합 (01_conv_backward.md 1단계)")


def conv2d_grad_weight(dout: np.ndarray, x: np.ndarray, kernel_size: tuple[int, int], stride: int = 1,
                       padding: int = 0) -> np.ndarray:
    """kernel의 gradient dW = ∂L/∂W.

    Args:
        dout: (N, F, OH, OW).  x: forward에 넣었던 (N, C, H, W) 입력.
        kernel_size: (KH, KW).  stride, padding: forward와 같은 값.
    Returns:
        (F, C, KH, KW).
    """
    # forward의 window(같은 strided slice)를 다시 만들고 dout과 짝지어 (n, i, j)에 대해 합한다.
    raise NotImplementedError("conv2d_grad_weight: dout과 입력 window의 상관 (01_conv_backward.md 2단계)")


def conv2d_grad_input(dout: np.ndarray, W: np.ndarray, x_shape: tuple[int, int, int, int], stride: int = 1,
                      padding: int = 0) -> np.ndarray:
    """입력의 gradient dx. 한 입력 픽셀을 읽은 모든 (출력 위치, kernel 위치) 쌍의 기여를 **더한다**.

    dx̃[n, c, S·i + p, S·j + q] += Σ_f dout[n, f, i, j] · W[f, c, p, q],  dx = dx̃의 padding 안쪽.

    Args:
        dout: (N, F, OH, OW).  W: (F, C, KH, KW).  x_shape: forward 입력의 shape (N, C, H, W).
        stride, padding: forward와 같은 값.
    Returns:
        (N, C, H, W). 어떤 window도 읽지 않은 픽셀(stride가 kernel보다 커서 건너뛴 곳, 오른쪽·아래 나머지)은 0.
    """
    # padding을 포함한 크기의 0 배열에 누적(+=)한 뒤, 마지막에 padding 테두리를 잘라 낸다.
    raise NotImplementedError("conv2d_grad_input: 겹치는 window의 기여를 누적 (01_conv_backward.md 3단계)")


def conv2d_backward(dout: np.ndarray, x: np.ndarray, W: np.ndarray, stride: int = 1,
                    padding: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """conv2d_forward의 backward 전체: (dx, dW, db).

    Args:
        dout: (N, F, OH, OW).  x: (N, C, H, W).  W: (F, C, KH, KW).  stride, padding: forward와 같은 값.
    Returns:
        dx (N, C, H, W), dW (F, C, KH, KW), db (F,).
    """
    raise NotImplementedError("conv2d_backward: 1–3단계를 묶어 (dx, dW, db) (01_conv_backward.md 4단계)")


def read_counts(height: int, width: int, kernel_size: tuple[int, int], stride: int = 1, padding: int = 0) -> np.ndarray:
    """conv2d_forward가 입력 픽셀 (a, e)를 읽는 횟수 — (출력 위치, kernel 위치) 쌍의 수.

    Args:
        height, width: 입력 크기.  kernel_size: (KH, KW).  stride: S ≥ 1.  padding: P ≥ 0.
    Returns:
        (height, width) 정수 배열.
    """
    raise NotImplementedError("read_counts: 01_conv_backward.md 5단계")
