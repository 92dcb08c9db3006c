"""연습문제 03 — linear-Gaussian 모델의 log p(x)와 importance-weighted bound: 학습자가 채우는 stub.

문제 설명과 유도: `03_linear_gaussian.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (`test_exercises.py`가 solution과 같은지 검사한다).
도우미 함수가 필요하면 `_`로 시작하는 이름으로 자유롭게 더해도 된다.

    pytest 11_VAE/exercises/test_ex03_linear_gaussian.py --learner   # 내 구현 검사

p(z) = N(0, I),  p(x|z) = N(W z + b, s² I)  →  log p(x) = log N(x; b, W Wᵀ + s² I),
p(z|x) = N(M⁻¹ Wᵀ (x − b) / s², M⁻¹),  M = I + Wᵀ W / s².  NumPy만 쓴다.
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
    raise NotImplementedError("log_marginal: C = W Wᵀ + s² I의 Cholesky로 log N(x; b, C) (03_linear_gaussian.md 1단계)")


def exact_posterior(x: np.ndarray, W: np.ndarray, b: np.ndarray, noise_var: float) -> tuple[np.ndarray, np.ndarray]:
    """참 posterior p(z|x) = N(mean, cov).

    Args:
        x: (N, D).  W: (D, Z).  b: (D,).  noise_var: s² > 0.
    Returns:
        mean (N, Z), cov (Z, Z) — cov는 x와 무관하다.
    """
    raise NotImplementedError("exact_posterior: M = I + Wᵀ W / s², 공분산 M⁻¹ (03_linear_gaussian.md 2단계)")


def log_weights(x: np.ndarray, W: np.ndarray, b: np.ndarray, noise_var: float, q_mean: np.ndarray,
                q_logvar: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """log w_i = log p(x|z_i) + log p(z_i) − log q(z_i|x),  z_i = μ_q + exp(½ log σ_q²) ε_i.

    Args:
        x: (N, D).  W, b, noise_var: 생성 모델.  q_mean, q_logvar: (N, Z) 대각 Gaussian q(z|x).
        eps: (k, N, Z) 표준정규 샘플.
    Returns:
        (k, N).
    """
    raise NotImplementedError("log_weights: 세 log density의 합과 차, z = μ_q + σ_q ε (03_linear_gaussian.md 3단계)")


def iw_estimate(log_w: np.ndarray) -> np.ndarray:
    """log (1/k) Σ_i w_i = m + log Σ_i exp(log w_i − m) − log k,  m = max_i log w_i (넘침·사라짐 없이).

    Args:
        log_w: (k, N).
    Returns:
        (N,).
    Raises:
        ValueError: log_w가 2차원이 아니거나 k < 1.
    """
    raise NotImplementedError("iw_estimate: 최댓값을 빼고 exp, 합, log, 되돌리고 − log k (03_linear_gaussian.md 4단계)")
