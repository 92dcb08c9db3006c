"""연습문제 02 — score-function gradient vs reparameterization gradient: 학습자가 채우는 stub.

문제 설명과 유도: `02_score_function.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).
도우미 함수가 필요하면 `_`로 시작하는 이름으로 자유롭게 더해도 된다.

    python -m pytest 11_VAE/exercises --learner -k ex02   # 이 문제만 채점
    make grade CHAPTERS=11                                # 이 장의 채점표 (문제마다 한 줄)

g(μ, log σ) = E_{z ~ N(μ, σ²)}[f(z)]의 gradient를 두 가지로 추정한다: z = μ + σε를 통과하는 reparameterization과
f를 미분하지 않는 score function (f(z) − c) ∇ log q(z). NumPy만 쓴다.
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


def z_squared_variances(mu: float, sigma: float) -> tuple[float, float]:
    """f(z) = z², z ~ N(μ, σ²)에서 ∂/∂μ 추정의 샘플 하나당 분산 (닫힌 꼴).

    Args:
        mu: μ.  sigma: σ > 0.
    Returns:
        (reparameterization의 분산, score function의 분산 (baseline 없음)).
    """
    raise NotImplementedError("z_squared_variances: 02_score_function.md 4단계")


def _table(n_samples: int = 100_000, seed: int = 0) -> list[tuple]:
    """theory.md §3.3의 표: 세 함수에서 ∂/∂μ의 샘플 하나당 분산."""
    rng = np.random.default_rng(seed)
    eps = rng.standard_normal(n_samples)
    mu, log_sigma = 0.5, 0.0
    cases = {
        "f(z) = z²": (lambda z: z**2, lambda z: 2 * z),
        "f(z) = (z − 3)²": (lambda z: (z - 3.0) ** 2, lambda z: 2 * (z - 3.0)),
        "f(z) = log σ(4z) (Bernoulli log-likelihood 꼴)": (lambda z: -np.logaddexp(0.0, -4 * z),
                                                          lambda z: 4.0 / (1.0 + np.exp(4 * z))),
    }
    rows = []
    for name, (f, f_grad) in cases.items():
        reparam = estimator_summary(reparam_gradient(f_grad, mu, log_sigma, eps))
        score = estimator_summary(score_function_gradient(f, mu, log_sigma, eps))
        baseline = float(f(mu + np.exp(log_sigma) * rng.standard_normal(1000)).mean())   # 따로 뽑은 샘플로 E[f]
        score_b = estimator_summary(score_function_gradient(f, mu, log_sigma, eps, baseline))
        rows.append((name, reparam[0][0], reparam[1][0], score[0][0], score[1][0], score_b[1][0]))
    return rows


if __name__ == "__main__":
    print("| f | ∂/∂μ 평균 (reparam) | 분산 (reparam) | ∂/∂μ 평균 (score) | 분산 (score) | 분산 (score + baseline) |")
    print("|---|---|---|---|---|---|")
    for name, m_r, v_r, m_s, v_s, v_b in _table():
        print(f"| {name} | {m_r:.3f} | {v_r:.3f} | {m_s:.3f} | {v_s:.2f} | {v_b:.3f} |")
