"""연습문제 02 — score-function (REINFORCE) gradient와 reparameterization gradient의 분산 비교 (reference solution).

목표: g(μ, log σ) = E_{z ~ N(μ, σ²)}[f(z)]의 gradient를 샘플 S개로 추정하는 두 방법.
    reparameterization (Kingma & Welling 2013, Section 2.4):  z = μ + σ ε
        ∂/∂μ      ≈ f′(z)                ∂/∂log σ  ≈ f′(z) · σ ε
    score function (Williams 1992; Paisley et al. 2012 — 논문 Section 2.2가 "분산이 매우 크다"고 한 estimator):
        ∇ E_q[f] = E_q[f(z) ∇ log q(z)],   ∂ log q/∂μ = ε / σ,   ∂ log q/∂log σ = ε² − 1
        baseline c를 빼도 (f(z) − c) ∇ log q의 기댓값은 같다 (E_q[∇ log q] = 0).
NumPy만 쓴다. `python -m 11_VAE.exercises.solutions.ex02_score_function`은 theory.md §3.3의 표를 출력한다.
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
    sigma = np.exp(log_sigma)
    z = mu + sigma * eps
    d = f_grad(z)
    return np.stack([d, d * sigma * eps], axis=1)


def score_function_gradient(f, mu: float, log_sigma: float, eps: np.ndarray, baseline: float = 0.0) -> np.ndarray:
    """샘플마다의 score-function gradient (f(z) − baseline) · ∇ log q(z).

    Args:
        f: z (S,) → f(z) (S,) 인 함수 (미분하지 않는다).  mu, log_sigma: q의 파라미터.  eps: (S,).
        baseline: 빼는 상수 c (기본 0).
    Returns:
        (S, 2) 배열: [:, 0] = ∂/∂μ, [:, 1] = ∂/∂log σ.
    """
    sigma = np.exp(log_sigma)
    z = mu + sigma * eps
    weight = f(z) - baseline
    return np.stack([weight * eps / sigma, weight * (eps**2 - 1.0)], axis=1)


def estimator_summary(per_sample: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """샘플마다의 gradient (S, P) → (평균 (P,), 샘플 하나의 분산 (P,), ddof = 1).

    Raises:
        ValueError: per_sample이 2차원이 아니거나 S < 2.
    """
    per_sample = np.asarray(per_sample)
    if per_sample.ndim != 2 or per_sample.shape[0] < 2:
        raise ValueError(f"per_sample은 shape (S, P), S ≥ 2여야 합니다: 받은 shape {per_sample.shape}")
    return per_sample.mean(axis=0), per_sample.var(axis=0, ddof=1)


def z_squared_variances(mu: float, sigma: float) -> tuple[float, float]:
    """f(z) = z², z ~ N(μ, σ²)에서 ∂/∂μ 추정의 샘플 하나당 분산 (닫힌 꼴).

    Args:
        mu: μ.  sigma: σ > 0.
    Returns:
        (reparameterization의 분산, score function의 분산 (baseline 없음)).
    """
    reparam = 4.0 * sigma**2                                              # 2z = 2μ + 2σε
    score = (mu**4 + 18 * mu**2 * sigma**2 + 15 * sigma**4) / sigma**2 - 4 * mu**2   # z² ε/σ, E[ε⁴] = 3, E[ε⁶] = 15
    return float(reparam), float(score)


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
