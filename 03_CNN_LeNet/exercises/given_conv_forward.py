"""연습문제 01의 [주어짐] forward — 읽기만 하고 고치지 않는다.

`ex01_conv_backward.py`(stub)와 `solutions/ex01_conv_backward.py`가 둘 다 이 파일의 `conv2d_forward`를 import한다.
이 forward의 backward를 손으로 쓰는 것이 연습문제 01이다 (`01_conv_backward.md`).

    out[n, f, i, j] = b[f] + Σ_c Σ_p Σ_q W[f, c, p, q] · x̃[n, c, S·i + p, S·j + q]
    x̃ = 사방에 P칸씩 0을 붙인 x,   OH = ⌊(H + 2P − KH) / S⌋ + 1,   OW = ⌊(W + 2P − KW) / S⌋ + 1

kernel 안의 위치 (p, q)마다 그 tap이 읽는 입력 전체를 strided slice 하나 (N, C, OH, OW)로 잘라 더한다.
Python loop는 KH·KW번뿐이다.
"""
from __future__ import annotations

import numpy as np


def conv2d_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0) -> np.ndarray:
    """2-D convolution forward (cross-correlation, `F.conv2d`와 같은 정의).

    Args:
        x: (N, C, H, W) 입력.  W: (F, C, KH, KW) kernel.  b: (F,) bias.
        stride: 두 방향 공통 S ≥ 1.  padding: 두 방향 공통 P ≥ 0 (0으로 채움).
    Returns:
        (N, F, OH, OW),  OH = ⌊(H + 2P − KH) / S⌋ + 1,  OW = ⌊(W + 2P − KW) / S⌋ + 1.
    """
    n, c, h, w = x.shape
    f_out, c_w, kh, kw = W.shape
    if c != c_w:
        raise ValueError(f"x의 channel 수 {c}와 W의 입력 channel 수 {c_w}가 다릅니다: x {x.shape}, W {W.shape}")
    oh, ow = (h + 2 * padding - kh) // stride + 1, (w + 2 * padding - kw) // stride + 1
    if oh < 1 or ow < 1:
        raise ValueError(f"kernel {(kh, kw)}이 padding을 더한 입력 {(h + 2 * padding, w + 2 * padding)}보다 큽니다")
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))      # (N, C, H+2P, W+2P)
    out = np.zeros((n, f_out, oh, ow), dtype=np.result_type(x, W))
    for p in range(kh):
        for q in range(kw):
            window = xp[:, :, p:p + stride * oh:stride, q:q + stride * ow:stride]   # (N, C, OH, OW)
            out += np.einsum("ncij,fc->nfij", window, W[:, :, p, q])                # (N, F, OH, OW)
    return out + b[None, :, None, None]
