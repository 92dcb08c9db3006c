"""연습문제 01 — peephole LSTM 한 step의 forward와 backward: reference solution.

문제 설명과 유도: `../01_peephole.md`.
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
    H = h.shape[1]
    a = x @ W_ih.T + h @ W_hh.T + b                                  # (B, 4H)
    i = _sigmoid(a[:, :H] + p_i * c)
    f = _sigmoid(a[:, H:2 * H] + p_f * c)
    g = np.tanh(a[:, 2 * H:3 * H])
    c_next = f * c + i * g
    o = _sigmoid(a[:, 3 * H:] + p_o * c_next)                          # output gate는 **새** cell을 본다
    tanh_c = np.tanh(c_next)
    h_next = o * tanh_c
    cache = (x, h, c, W_ih, W_hh, p_i, p_f, p_o, i, f, g, o, c_next, tanh_c)
    return h_next, c_next, cache


def peephole_step_backward(dh_next, dc_next, cache) -> dict:
    """`peephole_step`의 backward. dh_next = ∂L/∂h', dc_next = ∂L/∂c' (c'가 다음 step으로 가는 경로).

    Returns:
        {"x", "h", "c", "W_ih", "W_hh", "b", "p_i", "p_f", "p_o"} → 각 입력과 같은 shape의 gradient.
    """
    x, h, c, W_ih, W_hh, p_i, p_f, p_o, i, f, g, o, c_next, tanh_c = cache
    da_o = dh_next * tanh_c * o * (1 - o)                            # (B, H)
    dc_new = dc_next + dh_next * o * (1 - tanh_c ** 2) + da_o * p_o  # c'는 h'와 o 두 곳에 쓰인다
    da_i = dc_new * g * i * (1 - i)
    da_f = dc_new * c * f * (1 - f)
    da_g = dc_new * i * (1 - g ** 2)
    da = np.concatenate([da_i, da_f, da_g, da_o], axis=1)            # (B, 4H)
    return {
        "x": da @ W_ih,
        "h": da @ W_hh,
        "c": dc_new * f + da_i * p_i + da_f * p_f,                   # c는 c', i, f 세 곳에 쓰인다
        "W_ih": da.T @ x,
        "W_hh": da.T @ h,
        "b": da.sum(axis=0),
        "p_i": (da_i * c).sum(axis=0),
        "p_f": (da_f * c).sum(axis=0),
        "p_o": (da_o * c_next).sum(axis=0),
    }


def peephole_parameter_fraction(input_size: int, hidden_size: int) -> float:
    """peephole parameter 수 ÷ 이 LSTM의 gate parameter 수 (W_ih, W_hh, b; bias는 b 하나).

    Args:
        input_size: D ≥ 1.  hidden_size: H ≥ 1.
    Returns:
        비율 (float). 01_peephole.md 생각해 볼 질문 3.
    """
    peephole = 3 * hidden_size                                            # p_i, p_f, p_o: (H,) 셋
    gates = 4 * hidden_size * (input_size + hidden_size) + 4 * hidden_size   # W_ih, W_hh, b
    return peephole / gates
