"""연습문제 01 — β-VAE: KL 항의 무게를 바꾸면 무엇이 바뀌는가 (reference solution).

Higgins et al. (2017), "β-VAE: Learning Basic Visual Concepts with a Constrained Variational Framework", 식 (4):
    L_β(x) = E_q[log p(x|z)] − β · D_KL(q(z|x) ‖ p(z))          (β = 1이면 ELBO)
닫힌 꼴로 풀 수 있는 linear-Gaussian decoder p(x|z) = N(W z + b, s² I)에서 β가 encoder 분산을 어떻게 정하는지 보고,
Burda et al. (2016) Appendix의 active unit 수로 잠재 차원이 "꺼지는" 것을 센다. NumPy만 쓴다.
"""
from __future__ import annotations

import numpy as np


def beta_objective(log_px_given_z: np.ndarray, kl: np.ndarray, beta: float) -> np.ndarray:
    """이미지마다 β-목적함수 log p(x|z) − β · KL.

    Args:
        log_px_given_z: (N,) 재구성 항 E_q[log p(x|z)]의 추정값.  kl: (N,) D_KL(q(z|x) ‖ p(z)) ≥ 0.
        beta: β ≥ 0.
    Returns:
        (N,) 배열.
    Raises:
        ValueError: β < 0, 또는 두 배열의 shape가 다를 때.
    """
    if beta < 0:
        raise ValueError(f"beta는 0 이상이어야 합니다: beta={beta}")
    log_px_given_z, kl = np.asarray(log_px_given_z), np.asarray(kl)
    if log_px_given_z.shape != kl.shape:
        raise ValueError(f"log_px_given_z와 kl의 shape가 다릅니다: {log_px_given_z.shape} vs {kl.shape}")
    return log_px_given_z - beta * kl


def expected_objective(log_var: np.ndarray, col_norm_sq: np.ndarray, noise_var: float, beta: float) -> float:
    """J(v): linear-Gaussian decoder에서 β-목적함수 가운데 encoder 분산 v = exp(log_var)가 들어간 항 (큰 쪽이 좋다).

    Args:
        log_var: (Z,) log v.  col_norm_sq: (Z,) ‖w_j‖².  noise_var: s² > 0.  beta: β > 0.
    Returns:
        J (float).
    """
    v = np.exp(log_var)
    return float(-np.sum(v * col_norm_sq) / (2.0 * noise_var) - beta * 0.5 * np.sum(v - 1.0 - log_var))


def optimal_posterior_variance(col_norm_sq: np.ndarray, noise_var: float, beta: float) -> np.ndarray:
    """J(v)를 최대로 하는 v* (차원마다, 닫힌 꼴).

    Args:
        col_norm_sq: (Z,) ‖w_j‖².  noise_var: s² > 0.  beta: β > 0.
    Returns:
        (Z,) 분산.
    Raises:
        ValueError: s² ≤ 0 또는 β ≤ 0.
    """
    if noise_var <= 0 or beta <= 0:
        raise ValueError(f"noise_var와 beta는 양수여야 합니다: noise_var={noise_var}, beta={beta}")
    return beta / (beta + np.asarray(col_norm_sq) / noise_var)


def fit_log_variance(col_norm_sq: np.ndarray, noise_var: float, beta: float, steps: int = 2000,
                     lr: float = 0.1) -> np.ndarray:
    """log v = 0에서 시작해 J를 log v에 대한 gradient ascent로 최대화한 log v (Z,).

    Args:
        col_norm_sq: (Z,).  noise_var: s² > 0.  beta: β > 0.  steps: 반복 수.  lr: step 크기.
    Returns:
        (Z,) 학습한 log v.
    """
    col_norm_sq = np.asarray(col_norm_sq, dtype=np.float64)
    log_var = np.zeros_like(col_norm_sq)
    for _ in range(steps):
        v = np.exp(log_var)
        grad = -v * col_norm_sq / (2.0 * noise_var) - 0.5 * beta * (v - 1.0)
        log_var = log_var + lr * grad
    return log_var


def active_units(mu: np.ndarray, threshold: float = 0.01) -> int:
    """Burda et al. (2016)의 activity A_u = Cov_x(E_q[z_u | x]) > threshold 인 잠재 차원 수.

    Args:
        mu: (N, Z) — 데이터 N개의 encoder 평균 E_q[z|x].  threshold: 기본 0.01.
    Returns:
        active unit 수 (int).
    Raises:
        ValueError: mu가 2차원이 아니거나 N < 2.
    """
    mu = np.asarray(mu)
    if mu.ndim != 2 or mu.shape[0] < 2:
        raise ValueError(f"mu는 shape (N, Z), N ≥ 2여야 합니다: 받은 shape {mu.shape}")
    return int(np.sum(mu.var(axis=0) > threshold))


def beta_to_forget(col_norm_sq: np.ndarray, noise_var: float, fraction: float = 0.9) -> np.ndarray:
    """차원마다 최적 분산 v_j*가 prior 분산(1)의 `fraction`배가 되는 β.

    Args:
        col_norm_sq: (Z,) ‖w_j‖² > 0.  noise_var: s² > 0.  fraction: 0 < fraction < 1.
    Returns:
        (Z,) β.
    """
    snr = np.asarray(col_norm_sq, dtype=np.float64) / noise_var          # ‖w_j‖² / s²
    return fraction * snr / (1.0 - fraction)                             # β / (β + snr) = fraction
