"""연습문제 03 — softmax cross-entropy의 gradient를 손으로: reference solution.

문제: `../03_softmax_gradient.md`. 학습자 stub: `../ex03_softmax_gradient.py` (함수 이름·signature·docstring이 같다).

    log softmax(z)_k = z_k − m − log Σ_j e^{z_j − m},   m = max_j z_j        (log-sum-exp trick)
    L = −(1/N) Σ_i log softmax(Z_i)_{y_i},     ∂L/∂Z = (softmax(Z) − onehot(y)) / N
    한 sample의 Jacobian:  ∂p_i/∂z_j = p_i (δ_ij − p_j),   J = diag(p) − p pᵀ
"""
from __future__ import annotations

import numpy as np


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """행마다 수치적으로 안정한 log softmax.

    Args:
        logits: (N, K) float 배열. 원소의 크기가 1e4 여도 overflow / underflow 경고 없이 동작해야 한다.
    Returns:
        (N, K), 각 행에서 exp의 합이 1.
    """
    shifted = logits - logits.max(axis=1, keepdims=True)        # (N, K), 행 최댓값이 0 → exp ≤ 1
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    """행마다 softmax p = e^z / Σ e^z (안정한 `log_softmax`를 거쳐서).

    Args:
        logits: (N, K).
    Returns:
        (N, K), 각 행이 확률 분포 (원소 ≥ 0, 합 1).
    """
    return np.exp(log_softmax(logits))


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """평균 softmax cross-entropy와 logits에 대한 gradient.

    Args:
        logits: (N, K) float.  y: (N,) 정수 클래스, 0 ≤ y_i < K.
    Returns:
        (loss, dlogits): loss = −(1/N) Σ_i log softmax(Z)_{i, y_i} (float),
        dlogits = (softmax(Z) − onehot(y)) / N, shape (N, K).
    """
    n = logits.shape[0]
    log_probs = log_softmax(logits)                             # (N, K)
    rows = np.arange(n)
    loss = -float(log_probs[rows, y].mean())
    dlogits = np.exp(log_probs)                                 # softmax, (N, K)
    dlogits[rows, y] -= 1.0                                     # softmax − onehot
    return loss, dlogits / n


def softmax_jacobian(z: np.ndarray) -> np.ndarray:
    """sample 하나의 softmax Jacobian J_ij = ∂p_i/∂z_j = p_i (δ_ij − p_j), 즉 J = diag(p) − p pᵀ.

    Args:
        z: (K,) logits 한 줄.
    Returns:
        (K, K) 대칭 행렬, 각 행(과 열)의 합은 0.
    """
    p = softmax(z[None, :])[0]                                  # (1, K) → (K,)
    return np.diag(p) - np.outer(p, p)                          # (K, K)
