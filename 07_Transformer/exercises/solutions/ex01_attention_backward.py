"""연습문제 01 — scaled dot-product attention의 forward와 backward (NumPy, float64): reference solution.

문제 설명과 유도: `../01_attention_backward.md`.

    python -m pytest 07_Transformer/exercises -k ex01   # 이 solution 검사
"""
from __future__ import annotations

import numpy as np


def softmax(scores: np.ndarray) -> np.ndarray:
    """마지막 축의 softmax. 행마다 max를 빼서 exp가 넘치지 않게 한다 (모든 행에 가려지지 않은 원소가 있다고 가정)."""
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def attention_forward(Q: np.ndarray, K: np.ndarray, V: np.ndarray, mask: np.ndarray | None = None):
    """out = softmax(Q Kᵀ / √d + mask) V.

    Args:
        Q: (..., T, d), K: (..., S, d), V: (..., S, d_v). 앞쪽 축(batch, head)은 broadcast된다.
        mask: (T, S) additive mask (가릴 곳 −inf, 나머지 0) 또는 None.
    Returns:
        (out (..., T, d_v), cache) — cache는 `attention_backward`가 쓰는 값들 (형식은 자유).
    """
    d = Q.shape[-1]
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(d)              # (..., T, S)
    if mask is not None:
        scores = scores + mask
    P = softmax(scores)                                           # (..., T, S)
    return P @ V, (Q, K, V, P)


def attention_backward(dout: np.ndarray, cache) -> dict:
    """`attention_forward`의 backward. dout = ∂L/∂out (..., T, d_v).

    Returns:
        {"Q": ∂L/∂Q, "K": ∂L/∂K, "V": ∂L/∂V} — 각 입력과 같은 shape.
    """
    Q, K, V, P = cache
    d = Q.shape[-1]
    dV = np.swapaxes(P, -1, -2) @ dout                            # (..., S, d_v)
    dP = dout @ np.swapaxes(V, -1, -2)                            # (..., T, S)
    dS = P * (dP - (dP * P).sum(axis=-1, keepdims=True))          # softmax의 Jacobian을 행렬 없이
    dS = dS / np.sqrt(d)                                          # scores = Q Kᵀ / √d
    dQ = dS @ K                                                   # (..., T, d)
    dK = np.swapaxes(dS, -1, -2) @ Q                              # (..., S, d)
    return {"Q": dQ, "K": dK, "V": dV}


def row_logsumexp(Q: np.ndarray, K: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """행마다 L_i = log Σ_j exp(S_ij), S = Q Kᵀ / √d + mask. (..., T).

    FlashAttention이 P 대신 저장하는 값. 점수가 수백이어도 유한해야 한다.
    """
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])    # (..., T, S)
    if mask is not None:
        scores = scores + mask
    top = scores.max(axis=-1, keepdims=True)                      # (..., T, 1)
    return (top + np.log(np.exp(scores - top).sum(axis=-1, keepdims=True)))[..., 0]


def probabilities_from_logsumexp(Q: np.ndarray, K: np.ndarray, lse: np.ndarray,
                                 mask: np.ndarray | None = None) -> np.ndarray:
    """저장해 둔 L (`row_logsumexp`, (..., T))만으로 attention 확률 P (..., T, S)를 다시 만든다.

    행의 합을 다시 구하지 않는다: L이 그 합을 이미 담고 있다.
    """
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])    # (..., T, S)
    if mask is not None:
        scores = scores + mask
    return np.exp(scores - lse[..., None])
