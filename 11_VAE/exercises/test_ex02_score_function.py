"""연습문제 02 (score function vs reparameterization) 채점: 샘플 하나의 식 → 불편성(평균) → 분산 비교 → baseline.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_score_function.py`)을 검사한다.
기대값은 닫힌 꼴과 torch autograd로 이 파일이 따로 계산한다.
평균의 판정은 표준오차의 5배 안 (우연히 실패할 확률 ~ 1e-6).
"""
import math

import numpy as np
import pytest
import torch

from utils.exercises import load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL

MU, LOG_SIGMA = 0.5, math.log(1.3)
SIGMA = 1.3


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_score_function")


def square(z):
    return z**2


def square_grad(z):
    return 2 * z


# E[z²] = μ² + σ²  →  ∂/∂μ = 2μ,  ∂/∂log σ = 2σ²
TRUE_GRAD = np.array([2 * MU, 2 * SIGMA**2])


def test_reparam_sample_is_the_pathwise_derivative(ex):
    # 샘플 하나의 reparam gradient = ε를 고정한 f(μ + e^{log σ} ε)의 autograd 미분
    eps = np.array([-1.2, 0.3, 2.0])
    got = ex.reparam_gradient(lambda z: np.cos(z) * 3, MU, LOG_SIGMA, eps)
    assert got.shape == (3, 2)
    for i, e in enumerate(eps):
        mu = torch.tensor(MU, dtype=torch.float64, requires_grad=True)
        ls = torch.tensor(LOG_SIGMA, dtype=torch.float64, requires_grad=True)
        (3 * torch.sin(mu + torch.exp(ls) * e)).backward()
        np.testing.assert_allclose(got[i], [mu.grad.item(), ls.grad.item()], rtol=F64_RTOL, atol=F64_ATOL)


def test_score_sample_is_f_times_the_score(ex):
    eps = np.array([-1.2, 0.3, 2.0])
    got = ex.score_function_gradient(square, MU, LOG_SIGMA, eps, baseline=0.7)
    for i, e in enumerate(eps):                              # ∇ log N(z; μ, σ²)를 autograd로, z는 고정
        z = MU + SIGMA * e
        mu = torch.tensor(MU, dtype=torch.float64, requires_grad=True)
        ls = torch.tensor(LOG_SIGMA, dtype=torch.float64, requires_grad=True)
        torch.distributions.Normal(mu, torch.exp(ls)).log_prob(torch.tensor(z, dtype=torch.float64)).backward()
        expected = (z**2 - 0.7) * np.array([mu.grad.item(), ls.grad.item()])
        np.testing.assert_allclose(got[i], expected, rtol=F64_RTOL, atol=F64_ATOL)


def test_summary_and_its_errors(ex):
    mean, var = ex.estimator_summary(np.array([[1.0, 2.0], [3.0, 2.0], [5.0, 2.0]]))
    np.testing.assert_allclose(mean, [3.0, 2.0])
    np.testing.assert_allclose(var, [4.0, 0.0])                # ddof = 1
    with pytest.raises(ValueError):
        ex.estimator_summary(np.ones((1, 2)))
    with pytest.raises(ValueError):
        ex.estimator_summary(np.ones(5))


@pytest.mark.parametrize("which", ["reparam", "score", "score+baseline"])
def test_every_estimator_is_unbiased(ex, which):
    eps = np.random.default_rng(0).standard_normal(200_000)
    if which == "reparam":
        samples = ex.reparam_gradient(square_grad, MU, LOG_SIGMA, eps)
    else:
        samples = ex.score_function_gradient(square, MU, LOG_SIGMA, eps, baseline=3.0 if "baseline" in which else 0.0)
    mean, var = ex.estimator_summary(samples)
    stderr = np.sqrt(var / len(eps))
    assert (np.abs(mean - TRUE_GRAD) < 5 * stderr + 1e-12).all(), (mean, TRUE_GRAD, stderr)


def test_reparameterization_has_much_lower_variance(ex):
    eps = np.random.default_rng(1).standard_normal(100_000)
    _, var_r = ex.estimator_summary(ex.reparam_gradient(square_grad, MU, LOG_SIGMA, eps))
    _, var_s = ex.estimator_summary(ex.score_function_gradient(square, MU, LOG_SIGMA, eps))
    # 닫힌 꼴 (z = μ + σε, E[ε²] = 1, E[ε⁴] = 3, E[ε⁶] = 15):
    #   reparam ∂/∂μ = 2z            → 분산 4σ²                                         = 6.76
    #   score   ∂/∂μ = z² ε / σ      → E[z⁴ ε²]/σ² − (2μ)² = (μ⁴ + 18μ²σ² + 15σ⁴)/σ² − 4μ² ≈ 28.9
    np.testing.assert_allclose(var_r[0], 4 * SIGMA**2, rtol=0.05)
    np.testing.assert_allclose(var_s[0], (MU**4 + 18 * MU**2 * SIGMA**2 + 15 * SIGMA**4) / SIGMA**2 - 4 * MU**2,
                               rtol=0.05)
    assert var_s[0] > 4 * var_r[0] and var_s[1] > var_r[1]


def test_a_good_baseline_reduces_the_score_function_variance(ex):
    eps = np.random.default_rng(2).standard_normal(100_000)
    _, plain = ex.estimator_summary(ex.score_function_gradient(square, MU, LOG_SIGMA, eps))
    _, based = ex.estimator_summary(ex.score_function_gradient(square, MU, LOG_SIGMA, eps, baseline=MU**2 + SIGMA**2))
    assert (based < 0.8 * plain).all()
