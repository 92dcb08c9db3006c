"""연습문제 03 — 답을 아는 모델: linear-Gaussian의 log p(x), 참 posterior, IW bound (reference solution).

생성 모델 (probabilistic PCA, Tipping & Bishop 1999):  p(z) = N(0, I_Z),  p(x|z) = N(W z + b, s² I_D)
    log p(x) = log N(x; b, C),  C = W Wᵀ + s² I                           (Gaussian의 선형 변환 + 독립 잡음)
    p(z|x)  = N(M⁻¹ Wᵀ (x − b) / s²,  M⁻¹),  M = I + Wᵀ W / s²             (Bayes 정리, 두 Gaussian의 곱)
importance-weighted 추정 (Burda et al. 2016):  log p̂_k(x) = logsumexp_i(log w_i) − log k,
    log w_i = log p(x|z_i) + log p(z_i) − log q(z_i|x),  z_i = μ_q + σ_q ε_i.
NumPy만 쓴다 (Cholesky 분해는 `np.linalg.cholesky`).
"""
from __future__ import annotations

import math

import numpy as np

LOG_2PI = math.log(2.0 * math.pi)


def log_marginal(x: np.ndarray, W: np.ndarray, b: np.ndarray, noise_var: float) -> np.ndarray:
    """닫힌 꼴 log p(x) = log N(x; b, W Wᵀ + s² I), 이미지마다.

    C = L Lᵀ (Cholesky)로 두면  log N = −½ [D log 2π + 2 Σ log L_ii + ‖L⁻¹ (x − b)‖²].
    Args:
        x: (N, D).  W: (D, Z).  b: (D,).  noise_var: s² > 0.
    Returns:
        (N,) log p(x).
    Raises:
        ValueError: s² ≤ 0 또는 shape가 맞지 않을 때.
    """
    x, W, b = np.asarray(x, dtype=np.float64), np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if noise_var <= 0:
        raise ValueError(f"noise_var는 양수여야 합니다: {noise_var}")
    if x.ndim != 2 or W.ndim != 2 or W.shape[0] != x.shape[1] or b.shape != (x.shape[1],):
        raise ValueError(f"x (N, D), W (D, Z), b (D,)이어야 합니다: 받은 {x.shape}, {W.shape}, {b.shape}")
    D = x.shape[1]
    L = np.linalg.cholesky(W @ W.T + noise_var * np.eye(D))              # (D, D) 아래 삼각
    r = np.linalg.solve(L, (x - b).T)                                    # L⁻¹ (x − b)ᵀ, (D, N)
    return -0.5 * (D * LOG_2PI + 2.0 * np.log(np.diag(L)).sum() + (r**2).sum(axis=0))


def exact_posterior(x: np.ndarray, W: np.ndarray, b: np.ndarray, noise_var: float) -> tuple[np.ndarray, np.ndarray]:
    """참 posterior p(z|x) = N(mean, cov).

    Args:
        x: (N, D).  W: (D, Z).  b: (D,).  noise_var: s² > 0.
    Returns:
        mean (N, Z), cov (Z, Z) — cov는 x와 무관하다.
    """
    Z = W.shape[1]
    cov = np.linalg.inv(np.eye(Z) + W.T @ W / noise_var)                 # M⁻¹
    mean = (x - b) @ W / noise_var @ cov                                 # (N, D)(D, Z)(Z, Z); cov는 대칭
    return mean, cov


def log_weights(x: np.ndarray, W: np.ndarray, b: np.ndarray, noise_var: float, q_mean: np.ndarray,
                q_logvar: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """log w_i = log p(x|z_i) + log p(z_i) − log q(z_i|x),  z_i = μ_q + exp(½ log σ_q²) ε_i.

    Args:
        x: (N, D).  W, b, noise_var: 생성 모델.  q_mean, q_logvar: (N, Z) 대각 Gaussian q(z|x).
        eps: (k, N, Z) 표준정규 샘플.
    Returns:
        (k, N).
    """
    std = np.exp(0.5 * q_logvar)
    z = q_mean + std * eps                                               # (k, N, Z)
    D, Z = W.shape
    resid = x - (z @ W.T + b)                                            # (k, N, D)
    log_px_z = -0.5 * (D * (LOG_2PI + math.log(noise_var)) + (resid**2).sum(-1) / noise_var)
    log_pz = -0.5 * (Z * LOG_2PI + (z**2).sum(-1))
    log_qz = -0.5 * (Z * LOG_2PI + q_logvar.sum(-1) + (eps**2).sum(-1))   # (z − μ)²/σ² = ε²
    return log_px_z + log_pz - log_qz


def iw_estimate(log_w: np.ndarray) -> np.ndarray:
    """log (1/k) Σ_i w_i = m + log Σ_i exp(log w_i − m) − log k,  m = max_i log w_i (넘침·사라짐 없이).

    Args:
        log_w: (k, N).
    Returns:
        (N,).
    Raises:
        ValueError: log_w가 2차원이 아니거나 k < 1.
    """
    log_w = np.asarray(log_w, dtype=np.float64)
    if log_w.ndim != 2 or log_w.shape[0] < 1:
        raise ValueError(f"log_w는 shape (k, N), k ≥ 1이어야 합니다: 받은 shape {log_w.shape}")
    m = log_w.max(axis=0)                                                # (N,)
    return m + np.log(np.exp(log_w - m).sum(axis=0)) - math.log(log_w.shape[0])
