"""Convolution과 pooling — NumPy로 손으로 쓴 forward / backward (im2col / col2im).

출처: Y. LeCun, L. Bottou, Y. Bengio & P. Haffner (1998), "Gradient-Based Learning Applied to Document
Recognition", Proc. IEEE 86(11), 2278–2324, Section II.A — local receptive field, shared weights(같은 kernel을
모든 위치에 쓴다), sub-sampling. 이 파일은 그 세 아이디어를 층으로 만든다.

Convolution (딥러닝의 관례대로 kernel을 뒤집지 않는 cross-correlation, `F.conv2d`와 같은 정의):
    out[n, f, i, j] = b[f] + Σ_c Σ_p Σ_q W[f, c, p, q] · x̃[n, c, S·i + p, S·j + q]
    x̃ = 사방에 P픽셀씩 0을 붙인 x,   OH = ⌊(H + 2P − KH) / S⌋ + 1,   OW = ⌊(W + 2P − KW) / S⌋ + 1

im2col: window마다 KH·KW·C개 값을 한 열로 펼치면 convolution은 행렬곱 하나가 된다.
    cols: (C·KH·KW, N·OH·OW),   W_mat = W.reshape(F, C·KH·KW)
    out_mat = W_mat @ cols + b                                  (F, N·OH·OW)
Backward (out_mat = W_mat @ cols 의 미분 그대로):
    dW_mat = dout_mat @ colsᵀ,   db = Σ dout,   dcols = W_matᵀ @ dout_mat,   dx = col2im(dcols)
col2im은 im2col의 adjoint(전치)다: 겹치는 window들이 같은 입력 픽셀을 여러 번 읽었으므로, 그 픽셀의
gradient는 읽힌 횟수만큼 **더해진다**.

im2col은 kernel 안의 위치 (p, q)마다 한 번씩, 모두 KH·KW번의 strided slice 복사로 만든다. 각 복사는
(C, N, OH, OW) 전체를 한꺼번에 옮기므로 Python loop는 KH·KW(=25)번뿐이다. `conv2d_naive`는 정의를
그대로 loop로 쓴 느린 버전이며 **테스트 oracle로만** 쓴다.

펼친 cols와 backward의 dcols는 입력보다 몇 배 큰 임시 배열이다 (LeNet C3, batch 64에서 각각 3.8 MB). `Conv2D`는
이 둘을 입력 shape마다 한 번 잡아 두고 step마다 다시 쓴다 (`Conv2D.buffer`): 매번 새로 잡으면 allocator가 OS에서
받은 새 page를 처음 쓸 때마다 0으로 채우는 비용(page fault)을 step마다 치를 수 있다.

Pooling (Section II.A의 sub-sampling; 현대식 LeNet은 max-pool을 쓴다):
    max:  out[n, c, i, j] = max_{p, q} x̃[n, c, S·i + p, S·j + q]     (x̃는 −∞ padding)
    avg:  out[n, c, i, j] = (1 / (KH·KW)) Σ_{p, q} x̃[n, c, S·i + p, S·j + q]   (0 padding도 개수에 센다)
max의 gradient는 window의 최댓값 위치 하나로만 가고, avg의 gradient는 window에 고르게 1/(KH·KW)씩 간다.
두 pooling 모두 `F.max_pool2d`, `F.avg_pool2d`(기본값 `count_include_pad=True`, `ceil_mode=False`)와 같다.
"""
from __future__ import annotations

import numpy as np


def pair(value, name: str) -> tuple[int, int]:
    """3 → (3, 3), (3, 2) → (3, 2). 정수가 아니거나 길이 2가 아니면 ValueError."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, (int, np.integer)) for v in value):
        return int(value[0]), int(value[1])
    raise ValueError(f"{name}는 정수 하나 또는 정수 두 개의 tuple이어야 합니다: 받은 값 {value!r}")


def output_size(in_hw, kernel, stride, padding) -> tuple[int, int]:
    """(OH, OW) = ⌊(H + 2P − K) / S⌋ + 1. padding을 더한 입력보다 kernel이 크면 ValueError (shape를 말해 준다)."""
    (h, w), (kh, kw), (sh, sw), (ph, pw) = in_hw, kernel, stride, padding
    padded = (h + 2 * ph, w + 2 * pw)
    if kh > padded[0] or kw > padded[1]:
        raise ValueError(f"kernel {(kh, kw)}이 padding을 더한 입력 {padded}보다 큽니다 "
                         f"(입력 H×W = {(h, w)}, padding = {(ph, pw)}): 출력이 생기지 않습니다")
    return (padded[0] - kh) // sh + 1, (padded[1] - kw) // sw + 1


def check_images(x, name: str, channels: int | None = None) -> None:
    """x가 (N, C, H, W) float 배열인지 확인한다. channels를 주면 C도 확인한다."""
    expected = f"(N, {channels if channels is not None else 'C'}, H, W)"
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"{name} 입력은 float NumPy 배열이어야 합니다: 받은 {type(x).__name__} "
                         f"dtype {getattr(x, 'dtype', None)}")
    if x.ndim != 4:
        raise ValueError(f"{name} 입력은 4차원 {expected}이어야 합니다: 받은 shape {x.shape}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{name} 입력의 channel 수가 다릅니다: 기대 shape {expected}, 받은 shape {x.shape}")


# ---------------------------------------------------------------------------------------------------------
# im2col / col2im
# ---------------------------------------------------------------------------------------------------------
def im2col(x: np.ndarray, kernel, stride, padding, pad_value: float = 0.0, out: np.ndarray | None = None) -> np.ndarray:
    """x (N, C, H, W) → cols (C, KH, KW, N, OH, OW).

    cols[c, p, q, n, i, j] = x̃[n, c, S·i + p, S·j + q]. 이 축 순서면 `cols.reshape(C·KH·KW, N·OH·OW)`가
    복사 없이 되고, 행 순서 (c, p, q)가 `W.reshape(F, C·KH·KW)`의 열 순서와 같다.
    out: 결과를 쓸 그 shape·dtype의 배열 (다시 쓰는 buffer). 없으면 새로 잡는다.
    """
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = output_size((h, w), kernel, stride, padding)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=pad_value)   # (N, C, H+2P, W+2P)
    xp = xp.transpose(1, 0, 2, 3)                                                     # (C, N, H+2P, W+2P)
    shape = (c, kh, kw, n, oh, ow)
    if out is not None and (out.shape != shape or out.dtype != x.dtype):
        raise ValueError(f"im2col의 out은 shape {shape}, dtype {x.dtype}이어야 합니다: 받은 {out.shape}, {out.dtype}")
    cols = np.empty(shape, dtype=x.dtype) if out is None else out
    for p in range(kh):
        for q in range(kw):
            cols[:, p, q] = xp[:, :, p:p + sh * oh:sh, q:q + sw * ow:sw]              # (C, N, OH, OW)
    return cols


def col2im(dcols: np.ndarray, x_shape, kernel, stride, padding) -> np.ndarray:
    """im2col의 adjoint: dcols (C, KH, KW, N, OH, OW) → dx (N, C, H, W). 같은 픽셀로 가는 gradient는 더한다."""
    n, c, h, w = x_shape
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    oh, ow = dcols.shape[-2:]
    dxp = np.zeros((c, n, h + 2 * ph, w + 2 * pw), dtype=dcols.dtype)                # (C, N, H+2P, W+2P)
    for p in range(kh):
        for q in range(kw):
            dxp[:, :, p:p + sh * oh:sh, q:q + sw * ow:sw] += dcols[:, p, q]           # 겹치는 window → 누적
    return dxp[:, :, ph:ph + h, pw:pw + w].transpose(1, 0, 2, 3)                      # padding 몫은 버린다


# ---------------------------------------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------------------------------------
def conv2d_naive(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride=1, padding=0) -> np.ndarray:
    """정의를 그대로 옮긴 loop 버전 (테스트 oracle 전용, 느리다). x (N, C, H, W), W (F, C, KH, KW) → (N, F, OH, OW)."""
    f_out, _, kh, kw = W.shape
    (sh, sw), (ph, pw) = pair(stride, "stride"), pair(padding, "padding")
    n = x.shape[0]
    oh, ow = output_size(x.shape[2:], (kh, kw), (sh, sw), (ph, pw))
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((n, f_out, oh, ow), dtype=np.result_type(x, W))
    for i_n in range(n):
        for f in range(f_out):
            for i in range(oh):
                for j in range(ow):
                    window = xp[i_n, :, i * sh:i * sh + kh, j * sw:j * sw + kw]      # (C, KH, KW)
                    out[i_n, f, i, j] = np.sum(window * W[f]) + b[f]
    return out


class Conv2D:
    """2-D convolution 층 (im2col + 행렬곱). L1 규약: params / grads, forward가 캐시, backward(dout) -> dx.

    W: (F, C, KH, KW) — `nn.Conv2d.weight`와 같은 layout이라 그대로 복사할 수 있다. b: (F,).
    초기값 W ~ N(0, 2 / fan_in), fan_in = C·KH·KW (ReLU 뒤에서 분산을 보존하는 He 초기화), b = 0.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 rng: np.random.Generator | None = None, dtype=np.float64):
        if in_channels < 1 or out_channels < 1:
            raise ValueError(f"in_channels, out_channels는 1 이상이어야 합니다: {in_channels}, {out_channels}")
        self.kernel = pair(kernel_size, "kernel_size")
        self.stride = pair(stride, "stride")
        self.padding = pair(padding, "padding")
        if min(self.kernel) < 1 or min(self.stride) < 1 or min(self.padding) < 0:
            raise ValueError(f"kernel ≥ 1, stride ≥ 1, padding ≥ 0이어야 합니다: "
                             f"kernel {self.kernel}, stride {self.stride}, padding {self.padding}")
        rng = rng if rng is not None else np.random.default_rng(0)
        fan_in = in_channels * self.kernel[0] * self.kernel[1]
        self.params = {
            "W": (rng.normal(size=(out_channels, in_channels, *self.kernel)) * np.sqrt(2.0 / fan_in)).astype(dtype),
            "b": np.zeros(out_channels, dtype=dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.buffers = {}                                   # 이름 → 다시 쓰는 작업 배열 (`buffer`)

    def buffer(self, name: str, shape: tuple, dtype) -> np.ndarray:
        """shape·dtype이 같은 동안 다시 쓰는 작업 배열. 처음이거나 shape·dtype이 바뀌면 새로 잡는다.

        값은 매번 덮어쓰므로 초기화하지 않는다 (np.empty). 돌려주는 출력·gradient에는 쓰지 않는다: 호출한 쪽이
        그것을 들고 있을 수 있다.
        """
        buf = self.buffers.get(name)
        if buf is None or buf.shape != shape or buf.dtype != dtype:
            buf = self.buffers[name] = np.empty(shape, dtype=dtype)
        return buf

    def forward(self, x: np.ndarray) -> np.ndarray:
        W, b = self.params["W"], self.params["b"]
        f_out, c_in = W.shape[:2]
        check_images(x, "Conv2D", channels=c_in)
        n = x.shape[0]
        oh, ow = output_size(x.shape[2:], self.kernel, self.stride, self.padding)
        cols = self.buffer("cols", (c_in, *self.kernel, n, oh, ow), x.dtype)
        im2col(x, self.kernel, self.stride, self.padding, out=cols)                   # (C, KH, KW, N, OH, OW)
        cols = cols.reshape(-1, n * oh * ow)                                          # (C·KH·KW, N·OH·OW)
        out = W.reshape(f_out, -1) @ cols + b[:, None]                                # (F, N·OH·OW)
        self.cache = (x.shape, cols)
        return out.reshape(f_out, n, oh, ow).transpose(1, 0, 2, 3)                    # (N, F, OH, OW)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x_shape, cols = self.cache
        W = self.params["W"]
        f_out = W.shape[0]
        dout_mat = dout.transpose(1, 0, 2, 3).reshape(f_out, -1)                      # (F, N·OH·OW)
        self.grads["W"][...] = (dout_mat @ cols.T).reshape(W.shape)                   # (F, C·KH·KW) → (F, C, KH, KW)
        self.grads["b"][...] = dout_mat.sum(axis=1)                                   # (F,)
        dcols = self.buffer("dcols", cols.shape, np.result_type(W, dout_mat))
        np.matmul(W.reshape(f_out, -1).T, dout_mat, out=dcols)                        # (C·KH·KW, N·OH·OW)
        dcols = dcols.reshape(W.shape[1], *self.kernel, x_shape[0], *dout.shape[2:])  # (C, KH, KW, N, OH, OW)
        return col2im(dcols, x_shape, self.kernel, self.stride, self.padding)         # (N, C, H, W)


# ---------------------------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------------------------
class _Pool2D:
    """MaxPool2D / AvgPool2D의 공통 부분: 설정 확인, window 펼치기. 학습할 파라미터는 없다 (params = {})."""

    pad_value = 0.0

    def __init__(self, kernel_size, stride=None, padding=0):
        self.kernel = pair(kernel_size, "kernel_size")
        self.stride = pair(stride if stride is not None else kernel_size, "stride")
        self.padding = pair(padding, "padding")
        if min(self.kernel) < 1 or min(self.stride) < 1 or min(self.padding) < 0:
            raise ValueError(f"kernel ≥ 1, stride ≥ 1, padding ≥ 0이어야 합니다: "
                             f"kernel {self.kernel}, stride {self.stride}, padding {self.padding}")
        if any(2 * p > k for p, k in zip(self.padding, self.kernel)):
            # torch와 같은 제약: padding이 kernel의 절반보다 크면 padding만 담긴 window가 생길 수 있다.
            raise ValueError(f"padding {self.padding}은 kernel {self.kernel}의 절반 이하여야 합니다")
        self.params, self.grads = {}, {}

    def windows(self, x: np.ndarray) -> np.ndarray:
        check_images(x, type(self).__name__)
        cols = im2col(x, self.kernel, self.stride, self.padding, self.pad_value)       # (C, KH, KW, N, OH, OW)
        c, kh, kw = cols.shape[:3]
        self.x_shape = x.shape
        return cols.reshape(c, kh * kw, *cols.shape[3:])                              # (C, KH·KW, N, OH, OW)

    def scatter(self, dwindows: np.ndarray) -> np.ndarray:
        """(C, KH·KW, N, OH, OW) 모양의 window별 gradient → dx (N, C, H, W)."""
        dcols = dwindows.reshape(dwindows.shape[0], *self.kernel, *dwindows.shape[2:])
        return col2im(dcols, self.x_shape, self.kernel, self.stride, self.padding)


class MaxPool2D(_Pool2D):
    """Max pooling. padding은 −∞로 채우므로 최댓값으로 뽑히지 않는다 (`F.max_pool2d`와 같다)."""

    pad_value = -np.inf

    def forward(self, x: np.ndarray) -> np.ndarray:
        win = self.windows(x)                                                          # (C, K, N, OH, OW)
        self.argmax = win.argmax(axis=1)[:, None]                                      # (C, 1, N, OH, OW)
        self.win_shape = win.shape
        out = np.take_along_axis(win, self.argmax, axis=1)[:, 0]                       # (C, N, OH, OW)
        return out.transpose(1, 0, 2, 3)                                               # (N, C, OH, OW)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        dwin = np.zeros(self.win_shape, dtype=dout.dtype)                              # (C, K, N, OH, OW)
        np.put_along_axis(dwin, self.argmax, dout.transpose(1, 0, 2, 3)[:, None], axis=1)  # 최댓값 자리로만
        return self.scatter(dwin)


class AvgPool2D(_Pool2D):
    """Average pooling. 0 padding도 개수에 넣어 늘 KH·KW로 나눈다 (`count_include_pad=True`)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        win = self.windows(x)                                                          # (C, K, N, OH, OW)
        self.win_shape = win.shape
        return win.mean(axis=1).transpose(1, 0, 2, 3)                                  # (N, C, OH, OW)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        k = self.win_shape[1]
        share = dout.transpose(1, 0, 2, 3)[:, None] / k                                # (C, 1, N, OH, OW)
        return self.scatter(np.broadcast_to(share, self.win_shape))                    # window에 고르게 1/K씩
