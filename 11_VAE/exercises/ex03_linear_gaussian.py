"""연습문제 03 — 답을 아는 모델(linear-Gaussian)에서 대각 q, ELBO의 빈틈, IW 빈틈의 계수: 학습자가 채우는 stub.

문제 설명과 유도: `03_linear_gaussian.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).
도우미 함수가 필요하면 `_`로 시작하는 이름으로 자유롭게 더해도 된다.

    python -m pytest 11_VAE/exercises --learner -k ex03   # 이 문제만 채점
    make grade CHAPTERS=11                                # 이 장의 채점표 (문제마다 한 줄)

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
    raise NotImplementedError("log_marginal: 03_linear_gaussian.md 1단계")


def exact_posterior(x: np.ndarray, W: np.ndarray, b: np.ndarray, noise_var: float) -> tuple[np.ndarray, np.ndarray]:
    """참 posterior p(z|x) = N(mean, cov).

    Args:
        x: (N, D).  W: (D, Z).  b: (D,).  noise_var: s² > 0.
    Returns:
        mean (N, Z), cov (Z, Z) — cov는 x와 무관하다.
    """
    raise NotImplementedError("exact_posterior: 03_linear_gaussian.md 2단계")


def best_diagonal_q(x: np.ndarray, W: np.ndarray, b: np.ndarray, noise_var: float) -> tuple[np.ndarray, np.ndarray]:
    """대각 Gaussian 가운데 KL(q ‖ p(z|x))를 최소로 하는 q = N(mean, diag exp(logvar)).

    Args:
        x: (N, D).  W: (D, Z).  b: (D,).  noise_var: s² > 0.
    Returns:
        mean (N, Z), logvar (N, Z).
    """
    raise NotImplementedError("best_diagonal_q: 03_linear_gaussian.md 3단계")


def elbo_gap(x: np.ndarray, W: np.ndarray, b: np.ndarray, noise_var: float, q_mean: np.ndarray,
             q_logvar: np.ndarray) -> np.ndarray:
    """log p(x) − ELBO(q), 닫힌 꼴, 이미지마다.

    Args:
        x: (N, D).  W, b, noise_var: 생성 모델.  q_mean, q_logvar: (N, Z) 대각 Gaussian q(z|x).
    Returns:
        (N,) 0 이상.
    """
    raise NotImplementedError("elbo_gap: 03_linear_gaussian.md 4단계")


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
    raise NotImplementedError("iw_gap_coefficient: 03_linear_gaussian.md 5단계")
