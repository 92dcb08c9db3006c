"""연습문제 01 — conv2d의 backward를 손으로: reference solution.

문제: `../01_conv_backward.md`. 학습자 stub: `../ex01_conv_backward.py` (함수 이름·signature·docstring이 같다).

    forward:  out[n, f, i, j] = b[f] + Σ_c Σ_p Σ_q W[f, c, p, q] · x̃[n, c, S·i + p, S·j + q]
    db[f]          = Σ_{n,i,j} dout[n, f, i, j]
    dW[f, c, p, q] = Σ_{n,i,j} dout[n, f, i, j] · x̃[n, c, S·i + p, S·j + q]
    dx̃[n, c, S·i + p, S·j + q] += Σ_f dout[n, f, i, j] · W[f, c, p, q]     (모든 i, j, p, q에 대해 누적)
    dx = dx̃에서 padding 테두리를 잘라 낸 것

이 solution은 kernel 안의 위치 (p, q)마다 strided slice 하나로 (N, C, OH, OW) 전체를 한꺼번에 다룬다
(im2col을 (p, q)별로 쪼개 쓴 것과 같다). Python loop는 KH·KW번뿐이다.
"""
from __future__ import annotations

import numpy as np

from ..given_conv_forward import conv2d_forward  # noqa: F401 — [주어짐] forward (stub과 같은 것)


def conv2d_grad_bias(dout: np.ndarray) -> np.ndarray:
    """bias의 gradient db = ∂L/∂b.

    Args:
        dout: (N, F, OH, OW) 출력에 대한 upstream gradient ∂L/∂out.
    Returns:
        (F,).
    """
    return dout.sum(axis=(0, 2, 3))


def conv2d_grad_weight(dout: np.ndarray, x: np.ndarray, kernel_size: tuple[int, int], stride: int = 1,
                       padding: int = 0) -> np.ndarray:
    """kernel의 gradient dW = ∂L/∂W.

    Args:
        dout: (N, F, OH, OW).  x: forward에 넣었던 (N, C, H, W) 입력.
        kernel_size: (KH, KW).  stride, padding: forward와 같은 값.
    Returns:
        (F, C, KH, KW).
    """
    kh, kw = kernel_size
    oh, ow = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))      # (N, C, H+2P, W+2P)
    dW = np.zeros((dout.shape[1], x.shape[1], kh, kw), dtype=np.result_type(dout, x))
    for p in range(kh):
        for q in range(kw):
            window = xp[:, :, p:p + stride * oh:stride, q:q + stride * ow:stride]   # (N, C, OH, OW)
            dW[:, :, p, q] = np.einsum("nfij,ncij->fc", dout, window)               # batch·위치에 대해 합
    return dW


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
    n, c, h, w = x_shape
    kh, kw = W.shape[2:]
    oh, ow = dout.shape[2:]
    dxp = np.zeros((n, c, h + 2 * padding, w + 2 * padding), dtype=np.result_type(dout, W))  # (N, C, H+2P, W+2P)
    for p in range(kh):
        for q in range(kw):
            contribution = np.einsum("nfij,fc->ncij", dout, W[:, :, p, q])          # (N, C, OH, OW)
            dxp[:, :, p:p + stride * oh:stride, q:q + stride * ow:stride] += contribution   # 겹치면 누적
    return dxp[:, :, padding:padding + h, padding:padding + w]                     # padding 몫은 버린다


def conv2d_backward(dout: np.ndarray, x: np.ndarray, W: np.ndarray, stride: int = 1,
                    padding: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """conv2d_forward의 backward 전체: (dx, dW, db).

    Args:
        dout: (N, F, OH, OW).  x: (N, C, H, W).  W: (F, C, KH, KW).  stride, padding: forward와 같은 값.
    Returns:
        dx (N, C, H, W), dW (F, C, KH, KW), db (F,).
    """
    dx = conv2d_grad_input(dout, W, x.shape, stride, padding)
    dW = conv2d_grad_weight(dout, x, W.shape[2:], stride, padding)
    return dx, dW, conv2d_grad_bias(dout)


def read_counts(height: int, width: int, kernel_size: tuple[int, int], stride: int = 1, padding: int = 0) -> np.ndarray:
    """conv2d_forward가 입력 픽셀 (a, e)를 읽는 횟수 — (출력 위치, kernel 위치) 쌍의 수.

    Args:
        height, width: 입력 크기.  kernel_size: (KH, KW).  stride: S ≥ 1.  padding: P ≥ 0.
    Returns:
        (height, width) 정수 배열.
    """
    kh, kw = kernel_size
    oh, ow = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
    counts = np.zeros((height + 2 * padding, width + 2 * padding), dtype=np.int64)
    for p in range(kh):
        for q in range(kw):
            counts[p:p + stride * oh:stride, q:q + stride * ow:stride] += 1   # tap (p, q)가 읽는 자리
    return counts[padding:padding + height, padding:padding + width]
