"""연습문제 01 — β-VAE: 학습자가 채우는 stub.

문제 설명과 유도: `01_beta_vae.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).
도우미 함수가 필요하면 `_`로 시작하는 이름으로 자유롭게 더해도 된다.

    python -m pytest 11_VAE/exercises --learner -k ex01   # 이 문제만 채점
    make grade CHAPTERS=11                                # 이 장의 채점표 (문제마다 한 줄)

Higgins et al. (2017) 식 (4):  L_β(x) = E_q[log p(x|z)] − β · D_KL(q(z|x) ‖ p(z)).
linear-Gaussian decoder p(x|z) = N(W z + b, s² I)에서 β가 encoder 분산을 어떻게 정하는지 본다. NumPy만 쓴다.
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
    raise NotImplementedError("beta_objective: log p(x|z) − β·KL, 검사 두 가지 (01_beta_vae.md 1단계)")


def expected_objective(log_var: np.ndarray, col_norm_sq: np.ndarray, noise_var: float, beta: float) -> float:
    """J(v): linear-Gaussian decoder에서 β-목적함수 가운데 encoder 분산 v = exp(log_var)가 들어간 항 (큰 쪽이 좋다).

    Args:
        log_var: (Z,) log v.  col_norm_sq: (Z,) ‖w_j‖².  noise_var: s² > 0.  beta: β > 0.
    Returns:
        J (float).
    """
    raise NotImplementedError("expected_objective: v가 들어간 두 항: 재구성의 trace 항과 β·KL (01_beta_vae.md 2단계)")


def optimal_posterior_variance(col_norm_sq: np.ndarray, noise_var: float, beta: float) -> np.ndarray:
    """J(v)를 최대로 하는 v* (차원마다, 닫힌 꼴).

    Args:
        col_norm_sq: (Z,) ‖w_j‖².  noise_var: s² > 0.  beta: β > 0.
    Returns:
        (Z,) 분산.
    Raises:
        ValueError: s² ≤ 0 또는 β ≤ 0.
    """
    raise NotImplementedError("optimal_posterior_variance: ∂J/∂v_j = 0을 v_j에 대해 푼다 (01_beta_vae.md 3단계)")


def fit_log_variance(col_norm_sq: np.ndarray, noise_var: float, beta: float, steps: int = 2000,
                     lr: float = 0.1) -> np.ndarray:
    """log v = 0에서 시작해 J를 log v에 대한 gradient ascent로 최대화한 log v (Z,).

    Args:
        col_norm_sq: (Z,).  noise_var: s² > 0.  beta: β > 0.  steps: 반복 수.  lr: step 크기.
    Returns:
        (Z,) 학습한 log v.
    """
    raise NotImplementedError("fit_log_variance: log v에 대한 gradient ascent, v = exp(log v) (01_beta_vae.md 4단계)")


def active_units(mu: np.ndarray, threshold: float = 0.01) -> int:
    """Burda et al. (2016)의 activity A_u = Cov_x(E_q[z_u | x]) > threshold 인 잠재 차원 수.

    Args:
        mu: (N, Z) — 데이터 N개의 encoder 평균 E_q[z|x].  threshold: 기본 0.01.
    Returns:
        active unit 수 (int).
    Raises:
        ValueError: mu가 2차원이 아니거나 N < 2.
    """
    raise NotImplementedError("active_units: 데이터에 대한 μ의 분산을 차원마다 (01_beta_vae.md 5단계)")


def beta_to_forget(col_norm_sq: np.ndarray, noise_var: float, fraction: float = 0.9) -> np.ndarray:
    """차원마다 최적 분산 v_j*가 prior 분산(1)의 `fraction`배가 되는 β.

    Args:
        col_norm_sq: (Z,) ‖w_j‖² > 0.  noise_var: s² > 0.  fraction: 0 < fraction < 1.
    Returns:
        (Z,) β.
    """
    raise NotImplementedError("beta_to_forget: 3단계의 v*(β) = fraction을 β에 대해 푼다 (01_beta_vae.md 6단계)")
