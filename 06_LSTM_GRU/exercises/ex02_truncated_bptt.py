"""연습문제 02 — truncated BPTT: 학습자가 채우는 stub.

문제 설명과 유도: `02_truncated_bptt.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다). NumPy만 쓴다.

    python -m pytest 06_LSTM_GRU/exercises --learner -k ex02   # 이 문제만 채점
    make grade CHAPTERS=06                                     # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import numpy as np  # noqa: F401 — 구현에 쓴다


def rnn_forward(x, h0, W_ih, W_hh, b):
    """Vanilla RNN h_t = tanh(W_ih x_t + W_hh h_{t−1} + b)를 모든 시각에 대해.

    Args:
        x: (T, B, D), h0: (B, H), W_ih: (H, D), W_hh: (H, H), b: (H,).
    Returns:
        hs: (T + 1, B, H), hs[0] = h0, hs[t + 1] = h_t (t = 0 … T−1).
    """
    raise NotImplementedError("rnn_forward: 02_truncated_bptt.md 1단계")


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
    raise NotImplementedError("truncated_bptt: 02_truncated_bptt.md 2단계 (구간의 첫 시각에서 dh를 0으로)")


def gradient_reach(T: int, k: int) -> np.ndarray:
    """truncated BPTT(k)에서 시각 t의 loss가 입력 x_s에 gradient를 보낼 수 있는 자리.

    Args:
        T: 시퀀스 길이 ≥ 1.  k: 구간 길이 ≥ 1.
    Returns:
        (T, T) bool 배열. [t, s]가 True ⇔ 시각 t의 loss에서 x_s로 가는 경로가 끊기지 않는다 (s ≤ t).
    """
    raise NotImplementedError("gradient_reach: 02_truncated_bptt.md 3단계")
