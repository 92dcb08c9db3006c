"""연습문제 03 — Cho et al. (2014) 원래 형태 GRU 한 step의 backward: 학습자가 채우는 stub.

문제 설명과 유도: `03_gru_backward.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다). NumPy만 쓴다.

    python -m pytest 06_LSTM_GRU/exercises --learner -k ex03   # 이 문제만 채점
    make grade CHAPTERS=06                                     # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import numpy as np


def _sigmoid(a: np.ndarray) -> np.ndarray:
    """σ(a) = 1 / (1 + e^{−a}), overflow 없이."""
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def cho_gru_step(x, h, W, U, b):
    """Cho et al. (2014) 식 (5)–(8)의 GRU 한 step. gate 순서 (r, z, n).

    r = σ(x W_rᵀ + h U_rᵀ + b_r),  z = σ(x W_zᵀ + h U_zᵀ + b_z)
    n = tanh(x W_nᵀ + (r ⊙ h) U_nᵀ + b_n)          ← reset gate가 행렬곱 **앞**에서 h를 곱한다
    h' = (1 − z) ⊙ n + z ⊙ h

    Args:
        x: (B, D), h: (B, H), W: (3H, D), U: (3H, H), b: (3H,).
    Returns:
        (h_next (B, H), cache).
    """
    raise NotImplementedError("cho_gru_step: 03_gru_backward.md 1단계 (r ⊙ h를 먼저, 그다음 U_n)")


def cho_gru_step_backward(dh_next, cache) -> dict:
    """`cho_gru_step`의 backward. dh_next = ∂L/∂h'.

    Returns:
        {"x", "h", "W", "U", "b"} → 각 입력과 같은 shape의 gradient.
    """
    raise NotImplementedError("cho_gru_step_backward: 03_gru_backward.md 2단계")


def step_jacobian(x, h, W, U, b) -> np.ndarray:
    """sample마다 한 step의 Jacobian J_b = ∂h'_b/∂h_b, `cho_gru_step_backward`로 만든다.

    Args:
        x: (B, D), h: (B, H), W: (3H, D), U: (3H, H), b: (3H,).
    Returns:
        (B, H, H), J[b, i, j] = ∂h'_{b,i}/∂h_{b,j}.
    """
    raise NotImplementedError("step_jacobian: 03_gru_backward.md 3단계 (one-hot dh'로 backward를 H번)")
