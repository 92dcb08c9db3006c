"""연습문제 01 — 정규화 (L2 ridge, L1 lasso): reference solution.

문제: `../01_regularization.md`. 학습자 stub: `../ex01_regularization.py` (함수 이름·signature·docstring이 같다).

이 장의 목적 함수 (numpy/linear_numpy.py와 같은 식):
    L2 (ridge):  L(w, b) = (1/N) ||X w + b − y||²  +  (λ/2) ||w||²
    L1 (lasso):  F(w, b) = (1/N) ||X w + b − y||²  +  λ ||w||₁          (bias는 어느 쪽도 정규화하지 않는다)
Ridge closed form (X̃ = [X, 1], θ = [w; b], P = diag(1, …, 1, 0)):
    (X̃ᵀX̃ + (Nλ/2) P) θ = X̃ᵀ y
Lasso는 |w|가 0에서 미분되지 않으므로 proximal gradient (ISTA)로 푼다:
    w ← S_{ηλ}(w − η ∇_w g),   b ← b − η ∂g/∂b,   g = (1/N)||X w + b − y||²,   S_t(v) = sign(v) max(|v| − t, 0)
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
    return 0.5 * lam * float(w @ w), lam * w


def ridge_loss_and_grads(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float,
                         lam: float) -> tuple[float, np.ndarray, float]:
    """Ridge 목적 함수 L = (1/N)||X w + b − y||² + (λ/2)||w||² 와 그 gradient.

    Args:
        X: (N, D) feature.  y: (N,) target.  w: (D,) 가중치.  b: 스칼라 bias.  lam: λ ≥ 0.
    Returns:
        (loss, dw, db): loss float, dw = ∂L/∂w (D,), db = ∂L/∂b float.
    """
    n = X.shape[0]
    residual = X @ w + b - y                                    # (N,)
    penalty, dpenalty = l2_penalty(w, lam)
    dpred = 2.0 * residual / n                                  # ∂L/∂ŷ, (N,)
    loss = float(residual @ residual) / n + penalty
    return loss, X.T @ dpred + dpenalty, float(dpred.sum())     # (D, N) @ (N,) → (D,)


def ridge_closed_form(X: np.ndarray, y: np.ndarray, lam: float) -> tuple[np.ndarray, float]:
    """Ridge 목적 함수의 정확한 최솟점 (w, b) — 선형 방정식 하나를 푼다.

    Args:
        X: (N, D).  y: (N,).  lam: λ ≥ 0 (λ = 0이면 보통의 least squares).
    Returns:
        (w, b): w (D,), b float. bias에는 penalty가 없다 (P의 마지막 대각 원소가 0).
    """
    n, d = X.shape
    X_aug = np.hstack([X, np.ones((n, 1), dtype=X.dtype)])     # (N, D+1), 마지막 열이 bias
    penalty = np.diag(np.r_[np.full(d, n * lam / 2.0), 0.0])    # (D+1, D+1) = (Nλ/2) P
    theta = np.linalg.solve(X_aug.T @ X_aug + penalty, X_aug.T @ y)   # (D+1,)
    return theta[:-1], float(theta[-1])


def soft_threshold(v: np.ndarray, threshold: float) -> np.ndarray:
    """Soft-thresholding S_t(v) = argmin_u ½(u − v)² + t|u| (원소별). L1의 proximal operator.

    Args:
        v: 임의 shape의 배열.  threshold: t ≥ 0.
    Returns:
        v와 같은 shape. |v_i| ≤ t 인 원소는 정확히 0이 된다.
    """
    return np.sign(v) * np.maximum(np.abs(v) - threshold, 0.0)


def ista_step(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float, lam: float,
              lr: float) -> tuple[np.ndarray, float]:
    """ISTA 한 step: 매끄러운 부분 g = (1/N)||X w + b − y||² 로 gradient step, 그다음 w에만 L1 prox.

    Args:
        X: (N, D).  y: (N,).  w: (D,).  b: 스칼라.  lam: L1 계수 λ ≥ 0.  lr: step size η (보통 1/L).
    Returns:
        (w_new, b_new): w_new (D,), b_new float. bias에는 prox가 없다.
    """
    n = X.shape[0]
    dpred = 2.0 * (X @ w + b - y) / n                           # ∂g/∂ŷ, (N,)
    w_half = w - lr * (X.T @ dpred)                             # gradient step, (D,)
    return soft_threshold(w_half, lr * lam), float(b - lr * dpred.sum())


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
    n, d = X.shape
    X_aug = np.hstack([X, np.ones((n, 1), dtype=X.dtype)])     # (N, D+1)
    sigma_max = np.linalg.svd(X_aug, compute_uv=False)[0]       # X̃의 최대 singular value
    lr = 1.0 / (2.0 * sigma_max**2 / n)                         # 1/L,  L = (2/N) σ_max²
    w, b = np.zeros(d, dtype=X.dtype), 0.0
    for _ in range(n_steps):
        w_new, b_new = ista_step(X, y, w, b, lam, lr)
        change = max(float(np.max(np.abs(w_new - w))), abs(b_new - b))
        w, b = w_new, b_new
        if change < tol:
            break
    return w, b


def lasso_zero_counts(X: np.ndarray, y: np.ndarray, lams) -> list[int]:
    """λ마다 lasso 해 (`fit_lasso_ista`)에서 정확히 0인 계수의 수.

    Args:
        X: (N, D).  y: (N,).  lams: λ ≥ 0 들.
    Returns:
        len(lams)개의 int.
    """
    return [int(np.sum(fit_lasso_ista(X, y, lam)[0] == 0.0)) for lam in lams]
