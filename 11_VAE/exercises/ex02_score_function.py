"""연습문제 02 — score-function gradient vs reparameterization gradient: 학습자가 채우는 stub.

문제 설명과 유도: `02_score_function.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (`test_exercises.py`가 solution과 같은지 검사한다).
도우미 함수가 필요하면 `_`로 시작하는 이름으로 자유롭게 더해도 된다.

    pytest 11_VAE/exercises/test_ex02_score_function.py --learner   # 내 구현 검사

g(μ, log σ) = E_{z ~ N(μ, σ²)}[f(z)]의 gradient를 두 가지로 추정한다. NumPy만 쓴다.
    reparameterization:  z = μ + σε,  ∂/∂μ ≈ f′(z),  ∂/∂log σ ≈ f′(z) σ ε
    score function:      (f(z) − c) ∇ log q(z),  ∂ log q/∂μ = ε/σ,  ∂ log q/∂log σ = ε² − 1
"""
from __future__ import annotations

import numpy as np


def reparam_gradient(f_grad, mu: float, log_sigma: float, eps: np.ndarray) -> np.ndarray:
    """샘플마다의 reparameterization gradient.

    Args:
        f_grad: z (S,) → f′(z) (S,) 인 함수.  mu: μ.  log_sigma: log σ.  eps: (S,) 표준정규 샘플.
    Returns:
        (S, 2) 배열: [:, 0] = ∂/∂μ, [:, 1] = ∂/∂log σ.
    """
    raise NotImplementedError("reparam_gradient: z = μ + σε를 통과하는 연쇄 법칙 (02_score_function.md 1단계)")


def score_function_gradient(f, mu: float, log_sigma: float, eps: np.ndarray, baseline: float = 0.0) -> np.ndarray:
    """샘플마다의 score-function gradient (f(z) − baseline) · ∇ log q(z).

    Args:
        f: z (S,) → f(z) (S,) 인 함수 (미분하지 않는다).  mu, log_sigma: q의 파라미터.  eps: (S,).
        baseline: 빼는 상수 c (기본 0).
    Returns:
        (S, 2) 배열: [:, 0] = ∂/∂μ, [:, 1] = ∂/∂log σ.
    """
    raise NotImplementedError("score_function_gradient: (f(z) − c)·∇ log q(z) (02_score_function.md 2단계)")


def estimator_summary(per_sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """샘플마다의 gradient (S, P) → (평균 (P,), 샘플 하나의 분산 (P,), ddof = 1).

    Raises:
        ValueError: per_sample이 2차원이 아니거나 S < 2.
    """
    raise NotImplementedError("estimator_summary: 샘플 축의 평균과 ddof=1 분산 (02_score_function.md 3단계)")
