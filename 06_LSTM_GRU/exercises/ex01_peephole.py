"""연습문제 01 — peephole LSTM 한 step의 forward와 backward: 학습자가 채우는 stub.

문제 설명과 유도: `01_peephole.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다). NumPy만 쓴다.

    python -m pytest 06_LSTM_GRU/exercises --learner -k ex01   # 이 문제만 채점
    make grade CHAPTERS=06                                     # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import numpy as np


def _sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1 / (1 + e^{−a}), overflow 없이."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def peephole_step(x, h, c, W_ih, W_hh, b, p_i, p_f, p_o):
    """Peephole LSTM 한 step (Gers & Schmidhuber 2000). gate 순서 (i, f, g, o).

    a = x W_ihᵀ + h W_hhᵀ + b,  i = σ(a_i + p_i ⊙ c),  f = σ(a_f + p_f ⊙ c),  g = tanh(a_g)
    c' = f ⊙ c + i ⊙ g,  o = σ(a_o + p_o ⊙ c'),  h' = o ⊙ tanh(c')

    Args:
        x: (B, D), h: (B, H), c: (B, H), W_ih: (4H, D), W_hh: (4H, H), b: (4H,), p_i / p_f / p_o: (H,).
    Returns:
        (h_next (B, H), c_next (B, H), cache) — cache는 `peephole_step_backward`가 쓰는 값들 (형식은 자유).
    """
    raise NotImplementedError("peephole_step: 01_peephole.md 1단계 (i, f는 c를, o는 새 c'를 본다)")


def peephole_step_backward(dh_next, dc_next, cache) -> dict:
    """`peephole_step`의 backward. dh_next = ∂L/∂h', dc_next = ∂L/∂c' (c'가 다음 step으로 가는 경로).

    Returns:
        {"x", "h", "c", "W_ih", "W_hh", "b", "p_i", "p_f", "p_o"} → 각 입력과 같은 shape의 gradient.
    """
    raise NotImplementedError("peephole_step_backward: 01_peephole.md 2단계 (c'와 c가 쓰인 곳을 모두 더한다)")


def peephole_parameter_fraction(input_size: int, hidden_size: int) -> float:
    """peephole parameter 수 ÷ 이 LSTM의 gate parameter 수 (W_ih, W_hh, b; bias는 b 하나).

    Args:
        input_size: D ≥ 1.  hidden_size: H ≥ 1.
    Returns:
        비율 (float). 01_peephole.md 생각해 볼 질문 3.
    """
    raise NotImplementedError("peephole_parameter_fraction: 01_peephole.md 3단계 (원소 수를 센다)")
