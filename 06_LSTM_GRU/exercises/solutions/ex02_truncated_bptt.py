"""연습문제 02 — truncated BPTT: reference solution.

문제 설명과 유도: `../02_truncated_bptt.md`.
"""
from __future__ import annotations

import numpy as np


def rnn_forward(x, h0, W_ih, W_hh, b):
    """Vanilla RNN h_t = tanh(W_ih x_t + W_hh h_{t−1} + b)를 모든 시각에 대해.

    Args:
        x: (T, B, D), h0: (B, H), W_ih: (H, D), W_hh: (H, H), b: (H,).
    Returns:
        hs: (T + 1, B, H), hs[0] = h0, hs[t + 1] = h_t (t = 0 … T−1).
    """
    T = x.shape[0]
    hs = np.empty((T + 1,) + h0.shape, dtype=np.result_type(x, h0))
    hs[0] = h0
    for t in range(T):
        hs[t + 1] = np.tanh(x[t] @ W_ih.T + hs[t] @ W_hh.T + b)
    return hs


def truncated_bptt(x, h0, W_ih, W_hh, b, dout, k: int):
    """길이 k의 구간마다 gradient를 끊는 BPTT. L = Σ_t ⟨dout_t, h_t⟩.

    forward는 시퀀스 전체를 한 번에 이어서 돈다 (상태는 구간 경계를 넘어 이어진다). backward에서는 구간의 첫
    시각 t = k, 2k, … 에 들어오는 상태 h_{t−1}을 상수로 본다 (torch의 `h = h.detach()`와 같다). 첫 구간은 h0와
    이어져 있다. k ≥ T이면 full BPTT와 같다.

    Args:
        x: (T, B, D), h0: (B, H), W_ih: (H, D), W_hh: (H, H), b: (H,), dout: (T, B, H), k: 1 이상의 정수.
    Returns:
        (dW_ih, dW_hh, db, dh0) — 각각 W_ih, W_hh, b, h0와 같은 shape.
    Raises:
        ValueError: k가 1 이상의 정수가 아닐 때.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k는 1 이상의 정수여야 합니다: k={k!r}")
    hs = rnn_forward(x, h0, W_ih, W_hh, b)
    T = x.shape[0]
    dW_ih, dW_hh, db = np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros_like(b)
    dh_next = np.zeros_like(h0)
    for t in reversed(range(T)):
        da = (dout[t] + dh_next) * (1 - hs[t + 1] ** 2)               # tanh 앞
        dW_ih += da.T @ x[t]
        dW_hh += da.T @ hs[t]
        db += da.sum(axis=0)
        dh_next = da @ W_hh
        if t % k == 0 and t > 0:                                      # 구간의 첫 시각: 들어온 상태는 상수
            dh_next = np.zeros_like(h0)
    return dW_ih, dW_hh, db, dh_next


def gradient_reach(T: int, k: int) -> np.ndarray:
    """truncated BPTT(k)에서 시각 t의 loss가 입력 x_s에 gradient를 보낼 수 있는 자리.

    Args:
        T: 시퀀스 길이 ≥ 1.  k: 구간 길이 ≥ 1.
    Returns:
        (T, T) bool 배열. [t, s]가 True ⇔ 시각 t의 loss에서 x_s로 가는 경로가 끊기지 않는다 (s ≤ t).
    """
    t = np.arange(T)[:, None]                                         # loss의 시각
    s = np.arange(T)[None, :]                                         # 입력의 시각
    return (s <= t) & (s >= (t // k) * k)                             # 같은 구간 안, t 이전
