"""연습문제 01 — 정규화 (L2 ridge, L1 lasso): 학습자가 채우는 stub.

문제 설명과 유도: `01_regularization.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 01_Linear_Logistic/exercises --learner -k ex01   # 이 문제만 채점
    make grade CHAPTERS=01                                            # 이 장의 채점표 (문제마다 한 줄)

이 장의 목적 함수 (numpy/linear_numpy.py와 같은 식):
    L2 (ridge):  L(w, b) = (1/N) ||X w + b − y||²  +  (λ/2) ||w||²
    L1 (lasso):  F(w, b) = (1/N) ||X w + b − y||²  +  λ ||w||₁          (bias는 어느 쪽도 정규화하지 않는다)
"""
from __future__ import annotations

import numpy as np


def l2_penalty(w: np.ndarray, lam: float) -> tuple[float, np.ndarray]:
    """L2 penalty (λ/2)||w||² 의 값과 gradient λ w.

    Args:
        w: (D,) 가중치. bias는 넣지 않는다.
        lam: λ ≥ 0.
    Returns:
        (value, grad): value는 float, grad는 (D,).
    """
    raise NotImplementedError("l2_penalty: (λ/2)||w||² 와 λw 를 돌려주세요 (01_regularization.md 1단계)")


def ridge_loss_and_grads(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float,
                         lam: float) -> tuple[float, np.ndarray, float]:
    """Ridge 목적 함수 L = (1/N)||X w + b − y||² + (λ/2)||w||² 와 그 gradient.

    Args:
        X: (N, D) feature.  y: (N,) target.  w: (D,) 가중치.  b: 스칼라 bias.  lam: λ ≥ 0.
    Returns:
        (loss, dw, db): loss float, dw = ∂L/∂w (D,), db = ∂L/∂b float.
    """
    raise NotImplementedError("ridge_loss_and_grads: 목적 함수와 gradient를 구현하세요 (01_regularization.md 2단계)")


def ridge_closed_form(X: np.ndarray, y: np.ndarray, lam: float) -> tuple[np.ndarray, float]:
    """Ridge 목적 함수의 정확한 최솟점 (w, b) — 선형 방정식 하나를 푼다.

    Args:
        X: (N, D).  y: (N,).  lam: λ ≥ 0 (λ = 0이면 보통의 least squares).
    Returns:
        (w, b): w (D,), b float. bias에는 penalty가 없다 (P의 마지막 대각 원소가 0).
    """
    raise NotImplementedError("ridge_closed_form: gradient = 0 을 푸세요 (01_regularization.md 3단계)")


def soft_threshold(v: np.ndarray, threshold: float) -> np.ndarray:
    """Soft-thresholding S_t(v) = argmin_u ½(u − v)² + t|u| (원소별). L1의 proximal operator.

    Args:
        v: 임의 shape의 배열.  threshold: t ≥ 0.
    Returns:
        v와 같은 shape. |v_i| ≤ t 인 원소는 정확히 0이 된다.
    """
    raise NotImplementedError("soft_threshold: 1차원 argmin을 경우로 나눠 푸세요 (01_regularization.md 4단계)")


def ista_step(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, lam: float,
              lr: float) -> tuple[np.ndarray, float]:
    """ISTA 한 step: 매끄러운 부분 g = (1/N)||X w + b − y||² 로 gradient step, 그다음 w에만 L1 prox.

    Args:
        X: (N, D).  y: (N,).  w: (D,).  b: 스칼라.  lam: L1 계수 λ ≥ 0.  lr: step size η (보통 1/L).
    Returns:
        (w_new, b_new): w_new (D,), b_new float. bias에는 prox가 없다.
    """
    raise NotImplementedError("ista_step: proximal gradient 한 step을 구현하세요 (01_regularization.md 5단계)")


def fit_lasso_ista(X: np.ndarray, y: np.ndarray, lam: float, n_steps: int = 20000,
                   tol: float = 1e-10) -> tuple[np.ndarray, float]:
    """Lasso F(w, b) = (1/N)||X w + b − y||² + λ||w||₁ 을 ISTA로 푼다. w = 0, b = 0 에서 출발.

    step size η = 1/L, L = λ_max((2/N) X̃ᵀX̃) (g의 Hessian의 최대 고윳값, X̃ = [X, 1]).
    한 step의 변화 max(|Δw|_∞, |Δb|)가 tol보다 작아지거나 n_steps에 닿으면 멈춘다.

    Args:
        X: (N, D).  y: (N,).  lam: λ ≥ 0.  n_steps: 최대 step 수.  tol: 멈춤 기준.
    Returns:
        (w, b): w (D,) (정확히 0인 원소가 있을 수 있다), b float.
    """
    raise NotImplementedError("fit_lasso_ista: ISTA 반복을 구현하세요 (01_regularization.md 6단계)")


def lasso_zero_counts(X: np.ndarray, y: np.ndarray, lams) -> list[int]:
    """λ마다 lasso 해 (`fit_lasso_ista`)에서 정확히 0인 계수의 수.

    Args:
        X: (N, D).  y: (N,).  lams: λ ≥ 0 들.
    Returns:
        len(lams)개의 int.
    """
    raise NotImplementedError("lasso_zero_counts: 01_regularization.md 7단계")
