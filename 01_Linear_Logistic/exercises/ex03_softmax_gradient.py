"""연습문제 03 — softmax cross-entropy의 gradient를 손으로: 학습자가 채우는 stub.

문제 설명과 유도: `03_softmax_gradient.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (`test_exercises.py`가 solution과 같은지 검사한다).

    pytest 01_Linear_Logistic/exercises/test_ex03_softmax_gradient.py --learner   # 내 구현 검사

NumPy만 쓴다 (scipy.special.softmax / logsumexp 금지 — 그것을 직접 만드는 문제다).
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
    # 행 최댓값 m을 빼면 exp의 인자가 ≤ 0 이 되어 넘치지 않는다:  z − m − log Σ e^{z − m}
    raise NotImplementedError("log_softmax: log-sum-exp trick으로 구현하세요 (03_softmax_gradient.md 1단계)")


def softmax(logits: np.ndarray) -> np.ndarray:
    """행마다 softmax p = e^z / Σ e^z (안정한 `log_softmax`를 거쳐서).

    Args:
        logits: (N, K).
    Returns:
        (N, K), 각 행이 확률 분포 (원소 ≥ 0, 합 1).
    """
    raise NotImplementedError("softmax: exp(log_softmax(...)) (03_softmax_gradient.md 1단계)")


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """평균 softmax cross-entropy와 logits에 대한 gradient.

    Args:
        logits: (N, K) float.  y: (N,) 정수 클래스, 0 ≤ y_i < K.
    Returns:
        (loss, dlogits): loss = −(1/N) Σ_i log softmax(Z)_{i, y_i} (float),
        dlogits = (softmax(Z) − onehot(y)) / N, shape (N, K).
    """
    # 정답 클래스의 log 확률은 fancy indexing으로: log_probs[np.arange(N), y]
    raise NotImplementedError("softmax_cross_entropy: loss와 (p − onehot)/N (03_softmax_gradient.md 2단계)")


def softmax_jacobian(z: np.ndarray) -> np.ndarray:
    """sample 하나의 softmax Jacobian J_ij = ∂p_i/∂z_j = p_i (δ_ij − p_j), 즉 J = diag(p) − p pᵀ.

    Args:
        z: (K,) logits 한 줄.
    Returns:
        (K, K) 대칭 행렬, 각 행(과 열)의 합은 0.
    """
    raise NotImplementedError("softmax_jacobian: diag(p) − p pᵀ (03_softmax_gradient.md 3단계)")
