"""연습문제 03 — Cho et al. (2014) 원래 형태 GRU 한 step의 backward: reference solution.

문제 설명과 유도: `../03_gru_backward.md`.
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
    H = h.shape[1]
    xw = x @ W.T + b                                                  # (B, 3H)
    r = _sigmoid(xw[:, :H] + h @ U[:H].T)
    z = _sigmoid(xw[:, H:2 * H] + h @ U[H:2 * H].T)
    rh = r * h
    n = np.tanh(xw[:, 2 * H:] + rh @ U[2 * H:].T)
    h_next = (1 - z) * n + z * h
    return h_next, (x, h, W, U, r, z, n, rh)


def cho_gru_step_backward(dh_next, cache) -> dict:
    """`cho_gru_step`의 backward. dh_next = ∂L/∂h'.

    Returns:
        {"x", "h", "W", "U", "b"} → 각 입력과 같은 shape의 gradient.
    """
    x, h, W, U, r, z, n, rh = cache
    H = h.shape[1]
    da_n = dh_next * (1 - z) * (1 - n ** 2)                          # (B, H)
    da_z = dh_next * (h - n) * z * (1 - z)
    d_rh = da_n @ U[2 * H:]                                           # ∂L/∂(r ⊙ h)
    da_r = d_rh * h * r * (1 - r)
    da = np.concatenate([da_r, da_z, da_n], axis=1)                  # (B, 3H)
    dU = np.concatenate([da_r.T @ h, da_z.T @ h, da_n.T @ rh], axis=0)
    dh = dh_next * z + d_rh * r + da_r @ U[:H] + da_z @ U[H:2 * H]
    return {"x": da @ W, "h": dh, "W": da.T @ x, "U": dU, "b": da.sum(axis=0)}


def step_jacobian(x, h, W, U, b) -> np.ndarray:
    """sample마다 한 step의 Jacobian J_b = ∂h'_b/∂h_b, `cho_gru_step_backward`로 만든다.

    Args:
        x: (B, D), h: (B, H), W: (3H, D), U: (3H, H), b: (3H,).
    Returns:
        (B, H, H), J[b, i, j] = ∂h'_{b,i}/∂h_{b,j}.
    """
    B, H = h.shape
    _, cache = cho_gru_step(x, h, W, U, b)
    J = np.empty((B, H, H), dtype=np.result_type(x, h))
    for i in range(H):
        onehot = np.zeros((B, H), dtype=J.dtype)
        onehot[:, i] = 1.0                                            # 모든 sample의 h'_i 하나씩
        J[:, i, :] = cho_gru_step_backward(onehot, cache)["h"]         # sample b의 행은 h_b에만 기댄다
    return J
