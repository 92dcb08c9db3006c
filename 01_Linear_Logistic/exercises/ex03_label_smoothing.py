"""연습문제 03 — label smoothing과 softmax의 Jacobian–vector product: 학습자가 채우는 stub.

문제 설명과 유도: `03_label_smoothing.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 01_Linear_Logistic/exercises --learner -k ex03   # 이 문제만 채점
    make grade CHAPTERS=01                                            # 이 장의 채점표 (문제마다 한 줄)

장의 `log_softmax`(log-sum-exp trick, `../numpy/logistic_numpy.py`)는 import해 두었다. 그대로 쓴다.

    q = (1 − ε) onehot(y) + ε / K                                   (Szegedy et al. 2016, §7)
    L = −(1/N) Σ_i Σ_k q_ik log softmax(Z_i)_k
"""
from __future__ import annotations

import numpy as np

from ..numpy.logistic_numpy import log_softmax  # noqa: F401  (건네는 함수: 풀이에서 쓴다)


def smoothed_targets(y: np.ndarray, num_classes: int, eps: float) -> np.ndarray:
    """label smoothing의 목표 분포 q = (1 − ε) onehot(y) + ε / K.

    Args:
        y: (N,) 정수 클래스, 0 ≤ y_i < K.  num_classes: K.  eps: ε, 0 ≤ ε ≤ 1.
    Returns:
        (N, K), 각 행이 확률 분포 (합 1). 정답 자리는 1 − ε + ε/K, 나머지는 ε/K.
    Raises:
        ValueError: ε가 [0, 1] 밖일 때.
    """
    raise NotImplementedError("smoothed_targets: (1 − ε) onehot + ε/K (03_label_smoothing.md 1단계)")


def label_smoothing_cross_entropy(logits: np.ndarray, y: np.ndarray, eps: float) -> tuple[float, np.ndarray]:
    """label smoothing을 건 평균 softmax cross-entropy와 logits에 대한 gradient.

    Args:
        logits: (N, K) float.  y: (N,) 정수 클래스.  eps: ε (0이면 보통의 cross-entropy).
    Returns:
        (loss, dlogits): loss = −(1/N) Σ_i Σ_k q_ik log softmax(Z_i)_k (float), dlogits = ∂loss/∂logits (N, K).
    """
    raise NotImplementedError("label_smoothing_cross_entropy: loss와 유도한 gradient (03_label_smoothing.md 2단계)")


def softmax_jvp(logits: np.ndarray, v: np.ndarray) -> np.ndarray:
    """행마다 softmax Jacobian J_i와 벡터 v_i의 곱 J_i v_i. (K, K) 행렬은 만들지 않는다.

    Args:
        logits: (N, K).  v: (N, K) — 행 i의 logits를 움직이는 방향.
    Returns:
        (N, K): 행 i는 softmax(Z_i)가 방향 v_i로 움직이는 속도 d/dt softmax(Z_i + t v_i) at t = 0.
    """
    raise NotImplementedError("softmax_jvp: 유도한 J v를 O(K)로 (03_label_smoothing.md 3단계)")


def optimal_logit_margin(num_classes: int, eps: float) -> float:
    """label smoothing loss를 최소로 하는 logit에서 z_y − z_k (k ≠ y). 0 < ε ≤ 1, K ≥ 2.

    Args:
        num_classes: K ≥ 2.  eps: ε ∈ (0, 1].
    Returns:
        margin (float).
    """
    raise NotImplementedError("optimal_logit_margin: 03_label_smoothing.md 4단계")
