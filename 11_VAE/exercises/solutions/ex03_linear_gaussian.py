"""연습문제 03 — 답을 아는 모델(linear-Gaussian)에서 대각 q, ELBO의 빈틈, IW 빈틈의 계수 (reference solution).

문제와 유도: `../03_linear_gaussian.md`. 학습자 stub: `../ex03_linear_gaussian.py` (이름·signature·docstring이 같다).
    log p(x) = log N(x; b, C), C = W Wᵀ + s² I;   p(z|x) = N(M⁻¹ Wᵀ (x − b) / s², M⁻¹), M = I + Wᵀ W / s²
    가장 좋은 대각 q: m = μ_p, v_j = 1 / M_jj;   log p(x) − ELBO = KL(q ‖ p(z|x))
    IW 빈틈 ≈ c / k,  c = ½ (∫ p(z|x)² / q dz − 1)   (delta method, Burda et al. 2016의 bound를 2차까지 전개)

p(z) = N(0, I),  p(x|z) = N(W z + b, s² I). NumPy만 쓴다.
"""
from __future__ import annotations

import math

import numpy as np

LOG_2PI = math.log(2.0 * math.pi)


def log_marginal(x: np.ndarray, W: np.ndarray, b: np.ndarray, noise_var: float) -> np.ndarray:
    """닫힌 꼴 log p(x) = log N(x; b, W Wᵀ + s² I), 이미지마다 (Cholesky로).

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


def best_diagonal_q(x: np.ndarray, W: np.ndarray, b: np.ndarray, noise_var: float) -> tuple[np.ndarray, np.ndarray]:
    """대각 Gaussian 가운데 KL(q ‖ p(z|x))를 최소로 하는 q = N(mean, diag exp(logvar)).

    Args:
        x: (N, D).  W: (D, Z).  b: (D,).  noise_var: s² > 0.
    Returns:
        mean (N, Z), logvar (N, Z).
    """
    mean, _ = exact_posterior(x, W, b, noise_var)
    precision = np.eye(W.shape[1]) + W.T @ W / noise_var                # P = Σ_p⁻¹ = M
    logvar = -np.log(np.diag(precision))                                 # ∂KL/∂v_j = ½ (P_jj − 1/v_j) = 0
    return mean, np.broadcast_to(logvar, mean.shape).copy()


def elbo_gap(x: np.ndarray, W: np.ndarray, b: np.ndarray, noise_var: float, q_mean: np.ndarray,
             q_logvar: np.ndarray) -> np.ndarray:
    """log p(x) − ELBO(q), 닫힌 꼴, 이미지마다.

    Args:
        x: (N, D).  W, b, noise_var: 생성 모델.  q_mean, q_logvar: (N, Z) 대각 Gaussian q(z|x).
    Returns:
        (N,) 0 이상.
    """
    post_mean, post_cov = exact_posterior(x, W, b, noise_var)
    precision = np.eye(W.shape[1]) + W.T @ W / noise_var                # P
    Z = precision.shape[0]
    v = np.exp(q_logvar)                                                 # (N, Z)
    d = q_mean - post_mean                                               # (N, Z)
    _, logdet_precision = np.linalg.slogdet(precision)                   # log det Σ_p = −log det P
    return 0.5 * ((v * np.diag(precision)).sum(-1) + np.einsum("ni,ij,nj->n", d, precision, d) - Z
                  - logdet_precision - q_logvar.sum(-1))                 # KL(q ‖ p(z|x))


def iw_gap_coefficient(x: np.ndarray, W: np.ndarray, b: np.ndarray, noise_var: float, q_mean: np.ndarray,
                       q_logvar: np.ndarray) -> np.ndarray:
    """큰 k에서 log p(x) − E[log p̂_k] ≈ c / k 인 c (delta method), 이미지마다.

    Args:
        x: (N, D).  W, b, noise_var: 생성 모델.  q_mean, q_logvar: (N, Z) 대각 Gaussian q(z|x) (proposal).
    Returns:
        (N,) c ≥ 0.
    Raises:
        ValueError: importance weight의 분산이 무한대인 q (적분이 발산)일 때.
    """
    post_mean, _ = exact_posterior(x, W, b, noise_var)
    P = np.eye(W.shape[1]) + W.T @ W / noise_var                         # 참 posterior의 정밀도
    _, logdet_P = np.linalg.slogdet(P)
    out = np.empty(x.shape[0])
    for n in range(x.shape[0]):
        Q = np.diag(np.exp(-q_logvar[n]))                                # q의 정밀도
        A = 2.0 * P - Q                                                  # p²/q의 지수가 갖는 정밀도
        if np.linalg.eigvalsh(A).min() <= 0:
            raise ValueError("q가 참 posterior보다 너무 좁아 importance weight의 분산이 무한대입니다 "
                             "(2P − Q가 양의 정부호가 아님)")
        h = 2.0 * P @ post_mean[n] - Q @ q_mean[n]
        c0 = 2.0 * post_mean[n] @ P @ post_mean[n] - q_mean[n] @ Q @ q_mean[n]
        _, logdet_A = np.linalg.slogdet(A)
        log_integral = logdet_P + 0.5 * q_logvar[n].sum() - 0.5 * logdet_A + 0.5 * h @ np.linalg.solve(A, h) - 0.5 * c0
        out[n] = 0.5 * (np.exp(log_integral) - 1.0)                      # ½ Var(w) / p(x)²
    return out
