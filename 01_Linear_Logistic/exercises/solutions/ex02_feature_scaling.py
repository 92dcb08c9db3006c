"""연습문제 02 — feature scaling과 조건수(condition number): reference solution.

문제: `../02_feature_scaling.md`. 학습자 stub: `../ex02_feature_scaling.py` (함수 이름·signature·docstring이 같다).

표준화 (통계량은 train에서만):  x' = (x − μ_train) / σ_train
선형 회귀 목적 함수 L(θ) = (1/N)||X̃θ − y||² (X̃ = [X, 1], θ = [w; b])의 Hessian은 상수 행렬
    H = (2/N) X̃ᵀX̃,    κ(H) = λ_max(H) / λ_min(H) = (σ_max(X̃) / σ_min(X̃))²
η = 1/λ_max 인 gradient descent는 L(θ_k) − L* ≤ (1 − 1/κ)^{2k} (L(θ_0) − L*) 로 줄어든다 → step 수 ~ (κ/2) ln(gap₀/tol).
"""
from __future__ import annotations

import numpy as np


def standardize_fit(X: np.ndarray, eps: float = 1e-12) -> tuple[np.ndarray, np.ndarray]:
    """feature별 평균과 표준편차를 구한다 (train 데이터에만 호출한다).

    표준편차는 1/N로 나눈 것(ddof=0)이다. std < eps 인 상수 열은 std를 1로 바꿔 0으로 나누지 않게 한다.

    Args:
        X: (N, D) train feature.  eps: 상수 열 판정 기준.
    Returns:
        (mean, std): 둘 다 (D,).
    """
    mean = X.mean(axis=0)                                       # (D,)
    std = X.std(axis=0)                                         # (D,), ddof=0
    return mean, np.where(std < eps, 1.0, std)


def standardize_apply(X: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """주어진 (train의) 통계량으로 표준화한다: (X − mean) / std.

    Args:
        X: (M, D) — train이든 test든 같은 mean / std를 쓴다.  mean, std: (D,) (`standardize_fit`의 결과).
    Returns:
        (M, D) 표준화된 feature.
    """
    return (X - mean) / std                                     # (M, D) − (D,) broadcasting


def hessian_condition_number(X: np.ndarray) -> float:
    """선형 회귀 MSE의 Hessian H = (2/N) X̃ᵀX̃ (X̃ = [X, 1])의 조건수 κ = λ_max / λ_min.

    X̃ᵀX̃ 를 만들지 않고 X̃의 singular value로 계산하면 작은 고윳값을 더 정확하게 얻는다.

    Args:
        X: (N, D), N ≥ D + 1 이고 X̃의 열이 선형 독립이어야 κ가 유한하다.
    Returns:
        κ (float, ≥ 1).
    """
    X_aug = np.hstack([X, np.ones((X.shape[0], 1), dtype=X.dtype)])   # (N, D+1)
    s = np.linalg.svd(X_aug, compute_uv=False)                  # 내림차순 singular values
    return float((s[0] / s[-1]) ** 2)


def steps_to_tolerance(X: np.ndarray, y: np.ndarray, tol: float, max_steps: int) -> int:
    """θ = 0 에서 출발한 full-batch GD (η = 1/λ_max(H))가 목적 함수 gap L(θ_k) − L* ≤ tol 에 닿는 step 수 k.

    L(θ) = (1/N)||X̃θ − y||², L*는 least squares의 최솟값 (np.linalg.lstsq로 구한다).
    k = 0 (출발점)부터 검사한다: 출발점에서 이미 gap ≤ tol 이면 0.
    max_steps 번 갱신한 뒤에도 닿지 못하면 "도달하지 못함" 표시로 max_steps + 1 을 돌려준다.

    Args:
        X: (N, D).  y: (N,).  tol: 목적 함수 gap의 절대 기준 (> 0).  max_steps: 최대 갱신 횟수.
    Returns:
        0 ≤ k ≤ max_steps, 또는 max_steps + 1.
    """
    n = X.shape[0]
    X_aug = np.hstack([X, np.ones((n, 1), dtype=X.dtype)])     # (N, D+1)
    theta_star = np.linalg.lstsq(X_aug, y, rcond=None)[0]       # (D+1,)
    r_star = X_aug @ theta_star - y
    loss_star = float(r_star @ r_star) / n
    lr = n / (2.0 * np.linalg.svd(X_aug, compute_uv=False)[0] ** 2)   # 1 / λ_max(H), λ_max = (2/N) σ_max²
    theta = np.zeros(X_aug.shape[1], dtype=X.dtype)
    for k in range(max_steps + 1):
        residual = X_aug @ theta - y                            # (N,)
        if float(residual @ residual) / n - loss_star <= tol:
            return k
        theta -= lr * (2.0 / n) * (X_aug.T @ residual)          # ∇L = (2/N) X̃ᵀ(X̃θ − y)
    return max_steps + 1


def step_upper_bound(kappa: float, gap0: float, tol: float) -> int:
    """η = 1/λ_max 인 GD가 목적 함수 gap을 gap0에서 tol 이하로 줄이는 데 필요한 step 수의 상한 (κ로 유도한 것, 올림).

    Args:
        kappa: κ > 1.  gap0: 출발점의 gap > 0.  tol: 기준 > 0.
    Returns:
        step 수의 상한 (int, gap0 ≤ tol 이면 0).
    """
    if gap0 <= tol:
        return 0
    return int(np.ceil(np.log(gap0 / tol) / (-2.0 * np.log1p(-1.0 / kappa))))   # (1 − 1/κ)^{2k} gap0 ≤ tol
