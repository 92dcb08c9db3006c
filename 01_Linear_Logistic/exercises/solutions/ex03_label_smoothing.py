"""연습문제 03 — label smoothing과 softmax의 Jacobian–vector product: reference solution.

문제: `../03_label_smoothing.md`. 학습자 stub: `../ex03_label_smoothing.py` (함수 이름·signature·docstring이 같다).

    q = (1 − ε) onehot(y) + ε / K                                   (Szegedy et al. 2016, §7)
    L = −(1/N) Σ_i Σ_k q_ik log softmax(Z_i)_k
"""
from __future__ import annotations

import numpy as np

from ...numpy.logistic_numpy import log_softmax


def smoothed_targets(y: np.ndarray, num_classes: int, eps: float) -> np.ndarray:
    """label smoothing의 목표 분포 q = (1 − ε) onehot(y) + ε / K.

    Args:
        y: (N,) 정수 클래스, 0 ≤ y_i < K.  num_classes: K.  eps: ε, 0 ≤ ε ≤ 1.
    Returns:
        (N, K), 각 행이 확률 분포 (합 1). 정답 자리는 1 − ε + ε/K, 나머지는 ε/K.
    Raises:
        ValueError: ε가 [0, 1] 밖일 때.
    """
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"eps는 [0, 1] 범위여야 합니다: eps={eps}")
    q = np.full((len(y), num_classes), eps / num_classes)       # (N, K), 모든 class에 ε/K
    q[np.arange(len(y)), y] += 1.0 - eps                          # 정답 class에 1 − ε 를 더한다
    return q


def label_smoothing_cross_entropy(logits: np.ndarray, y: np.ndarray, eps: float) -> tuple[float, np.ndarray]:
    """label smoothing을 건 평균 softmax cross-entropy와 logits에 대한 gradient.

    Args:
        logits: (N, K) float.  y: (N,) 정수 클래스.  eps: ε (0이면 보통의 cross-entropy).
    Returns:
        (loss, dlogits): loss = −(1/N) Σ_i Σ_k q_ik log softmax(Z_i)_k (float), dlogits = ∂loss/∂logits (N, K).
    """
    n, k = logits.shape
    q = smoothed_targets(y, k, eps)                              # (N, K)
    log_p = log_softmax(logits)                                  # (N, K), 안정한 log-sum-exp
    loss = -float((q * log_p).sum(axis=1).mean())
    return loss, (np.exp(log_p) - q) / n


def softmax_jvp(logits: np.ndarray, v: np.ndarray) -> np.ndarray:
    """행마다 softmax Jacobian J_i와 벡터 v_i의 곱 J_i v_i. (K, K) 행렬은 만들지 않는다.

    Args:
        logits: (N, K).  v: (N, K) — 행 i의 logits를 움직이는 방향.
    Returns:
        (N, K): 행 i는 softmax(Z_i)가 방향 v_i로 움직이는 속도 d/dt softmax(Z_i + t v_i) at t = 0.
    """
    p = np.exp(log_softmax(logits))                              # (N, K)
    return p * (v - (p * v).sum(axis=1, keepdims=True))          # (N, K) − (N, 1)


def optimal_logit_margin(num_classes: int, eps: float) -> float:
    """label smoothing loss를 최소로 하는 logit에서 z_y − z_k (k ≠ y). 0 < ε ≤ 1, K ≥ 2.

    Args:
        num_classes: K ≥ 2.  eps: ε ∈ (0, 1].
    Returns:
        margin (float).
    """
    on, off = 1.0 - eps + eps / num_classes, eps / num_classes              # 최솟점에서 p = q
    return float(np.log(on / off))
