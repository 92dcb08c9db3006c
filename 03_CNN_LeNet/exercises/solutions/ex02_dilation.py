"""연습문제 02 — dilated (atrous) convolution: reference solution.

문제: `../02_dilation.md`. 학습자 stub: `../ex02_dilation.py` (함수 이름·signature·docstring이 같다).

Dilation d는 kernel의 tap 사이에 d − 1칸씩 간격을 둔다 (Yu & Koltun 2016, "Multi-Scale Context Aggregation by
Dilated Convolutions", 식 (2); DeepLab의 atrous convolution과 같다):
    out[n, f, i, j] = b[f] + Σ_c Σ_p Σ_q W[f, c, p, q] · x̃[n, c, S·i + d·p, S·j + d·q]
    유효 kernel 크기  K_eff = d·(K − 1) + 1,      O = ⌊(H + 2P − K_eff) / S⌋ + 1
같은 연산을 "tap 사이에 0을 끼운 K_eff × K_eff kernel의 보통 convolution"으로 볼 수도 있다 (`dilate_kernel`).
Backward는 연습문제 01과 같고, window의 위치만 p → d·p 로 바뀐다.
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
    if kernel_size < 1 or dilation < 1:
        raise ValueError(f"kernel_size ≥ 1, dilation ≥ 1이어야 합니다: kernel_size={kernel_size}, dilation={dilation}")
    return dilation * (kernel_size - 1) + 1


def dilated_output_size(in_size: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """한 축의 출력 크기 (`F.conv2d(..., dilation=d)`와 같다).

    Args:
        in_size: H ≥ 1.  kernel_size: K ≥ 1.  stride: S ≥ 1.  padding: P ≥ 0.  dilation: d ≥ 1.
    Returns:
        O ≥ 1 (int).
    Raises:
        ValueError: 인자가 범위 밖이거나, K_eff > H + 2P 여서 출력이 하나도 생기지 않을 때.
    """
    k_eff = effective_kernel_size(kernel_size, dilation)
    if in_size < 1 or stride < 1 or padding < 0:
        raise ValueError(f"in_size ≥ 1, stride ≥ 1, padding ≥ 0이어야 합니다: {in_size}, {stride}, {padding}")
    if k_eff > in_size + 2 * padding:
        raise ValueError(f"유효 kernel 크기 {k_eff} (K={kernel_size}, d={dilation})가 padding을 더한 입력 "
                         f"{in_size + 2 * padding}보다 큽니다: 출력이 생기지 않습니다")
    return (in_size + 2 * padding - k_eff) // stride + 1


def dilate_kernel(W: np.ndarray, dilation: int) -> np.ndarray:
    """tap 사이에 0을 d − 1개씩 끼운 kernel. 이것으로 dilation 1 convolution을 하면 dilated convolution과 같다.

    Args:
        W: (F, C, KH, KW).  dilation: d ≥ 1.
    Returns:
        (F, C, d·(KH − 1) + 1, d·(KW − 1) + 1),  W_dil[..., d·p, d·q] = W[..., p, q], 나머지 0.
    """
    f_out, c, kh, kw = W.shape
    W_dil = np.zeros((f_out, c, effective_kernel_size(kh, dilation), effective_kernel_size(kw, dilation)),
                     dtype=W.dtype)
    W_dil[:, :, ::dilation, ::dilation] = W
    return W_dil


def _tap_index(p: int, q: int, stride: int, dilation: int, oh: int, ow: int) -> tuple:
    """kernel tap (p, q)가 읽는 입력 위치들: x̃[:, :, S·i + d·p, S·j + d·q] 의 strided slice 인덱스."""
    rows = slice(dilation * p, dilation * p + stride * oh, stride)
    cols = slice(dilation * q, dilation * q + stride * ow, stride)
    return (slice(None), slice(None), rows, cols)


def conv2d_dilated_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int = 1, padding: int = 0,
                           dilation: int = 1) -> np.ndarray:
    """dilated 2-D convolution forward (`F.conv2d(x, W, b, stride, padding, dilation)`와 같은 정의).

    out[n, f, i, j] = b[f] + Σ_{c,p,q} W[f, c, p, q] · x̃[n, c, S·i + d·p, S·j + d·q]

    Args:
        x: (N, C, H, W).  W: (F, C, KH, KW).  b: (F,).  stride S ≥ 1, padding P ≥ 0, dilation d ≥ 1 (두 방향 공통).
    Returns:
        (N, F, OH, OW),  OH = `dilated_output_size(H, KH, S, P, d)`, OW도 같은 식.
    """
    n, c, h, w = x.shape
    f_out, _, kh, kw = W.shape
    oh = dilated_output_size(h, kh, stride, padding, dilation)
    ow = dilated_output_size(w, kw, stride, padding, dilation)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))      # (N, C, H+2P, W+2P)
    out = np.zeros((n, f_out, oh, ow), dtype=np.result_type(x, W))
    for p in range(kh):
        for q in range(kw):
            window = xp[_tap_index(p, q, stride, dilation, oh, ow)]             # (N, C, OH, OW)
            out += np.einsum("ncij,fc->nfij", window, W[:, :, p, q])
    return out + b[None, :, None, None]


def conv2d_dilated_backward(dout: np.ndarray, x: np.ndarray, W: np.ndarray, stride: int = 1, padding: int = 0,
                            dilation: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`conv2d_dilated_forward`의 backward: (dx, dW, db).

    Args:
        dout: (N, F, OH, OW).  x: (N, C, H, W).  W: (F, C, KH, KW).  stride, padding, dilation: forward와 같은 값.
    Returns:
        dx (N, C, H, W), dW (F, C, KH, KW), db (F,).
    """
    n, c, h, w = x.shape
    kh, kw = W.shape[2:]
    oh, ow = dout.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))      # (N, C, H+2P, W+2P)
    dxp = np.zeros_like(xp, dtype=np.result_type(dout, W))
    dW = np.zeros(W.shape, dtype=np.result_type(dout, x))
    for p in range(kh):
        for q in range(kw):
            index = _tap_index(p, q, stride, dilation, oh, ow)
            dW[:, :, p, q] = np.einsum("nfij,ncij->fc", dout, xp[index])            # (F, C)
            dxp[index] += np.einsum("nfij,fc->ncij", dout, W[:, :, p, q])           # 겹치는 window → 누적
    dx = dxp[:, :, padding:padding + h, padding:padding + w]                       # padding 몫은 버린다
    return dx, dW, dout.sum(axis=(0, 2, 3))


def stack_footprint(kernel_size: int, dilations) -> np.ndarray:
    """K-tap 1-D conv를 dilation d_1, d_2, …로 (stride 1) 쌓았을 때 출력 unit 하나가 기대는 입력 offset.

    Args:
        kernel_size: K ≥ 1.  dilations: 층마다 d ≥ 1 (입력 쪽이 먼저).
    Returns:
        길이 1 + Σ_l d_l·(K − 1)의 bool 배열: [o]가 True ⇔ receptive field의 o번째 입력이 출력에 닿는 경로가 있다.
    """
    reach = np.ones(1, dtype=bool)                                   # 출력 unit 자신
    for d in reversed(list(dilations)):                               # 출력 쪽에서 입력 쪽으로
        wider = np.zeros(len(reach) + d * (kernel_size - 1), dtype=bool)
        for p in range(kernel_size):
            wider[d * p:d * p + len(reach)] |= reach                  # tap p가 d·p만큼 옮긴 자리
        reach = wider
    return reach
