"""연습문제 02 (score function vs reparameterization) 채점: 샘플 하나의 식 → 불편성(평균) → 분산 비교 → baseline.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_score_function.py`)을 검사한다.
기대값은 닫힌 꼴과 torch autograd로 이 파일이 따로 계산한다.
평균의 판정은 표준오차의 5배 안 (우연히 실패할 확률 ~ 1e-6).
"""
import math

import numpy as np
import pytest
import torch

from utils.exercises import assert_all_true, assert_close, load_exercise
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
        assert_close(got[i], [mu.grad.item(), ls.grad.item()], f"sample {i}의 gradient", rtol=F64_RTOL, atol=F64_ATOL)


def test_score_sample_is_f_times_the_score(ex):
    eps = np.array([-1.2, 0.3, 2.0])
    got = ex.score_function_gradient(square, MU, LOG_SIGMA, eps, baseline=0.7)
    for i, e in enumerate(eps):                              # ∇ log N(z; μ, σ²)를 autograd로, z는 고정
        z = MU + SIGMA * e
        mu = torch.tensor(MU, dtype=torch.float64, requires_grad=True)
        ls = torch.tensor(LOG_SIGMA, dtype=torch.float64, requires_grad=True)
        torch.distributions.Normal(mu, torch.exp(ls)).log_prob(torch.tensor(z, dtype=torch.float64)).backward()
        expected = (z**2 - 0.7) * np.array([mu.grad.item(), ls.grad.item()])
        assert_close(got[i], expected, f"sample {i}의 gradient", rtol=F64_RTOL, atol=F64_ATOL)


def test_summary_and_its_errors(ex):
    mean, var = ex.estimator_summary(np.array([[1.0, 2.0], [3.0, 2.0], [5.0, 2.0]]))
    assert_close(mean, [3.0, 2.0], "mean", rtol=1e-7, atol=0.0)
    assert_close(var, [4.0, 0.0], "var", rtol=1e-7, atol=0.0)                # ddof = 1
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
    assert_all_true(np.abs(mean - TRUE_GRAD) < 5 * stderr + 1e-12,
                    f"평균 {mean}이 참 gradient {TRUE_GRAD}의 표준오차 5배 안 ([∂/∂μ, ∂/∂log σ])")


def test_reparameterization_has_much_lower_variance(ex):
    eps = np.random.default_rng(1).standard_normal(100_000)
    _, var_r = ex.estimator_summary(ex.reparam_gradient(square_grad, MU, LOG_SIGMA, eps))
    _, var_s = ex.estimator_summary(ex.score_function_gradient(square, MU, LOG_SIGMA, eps))
    # 닫힌 꼴 (z = μ + σε, E[ε²] = 1, E[ε⁴] = 3, E[ε⁶] = 15):
    #   reparam ∂/∂μ = 2z            → 분산 4σ²                                         = 6.76
    #   score   ∂/∂μ = z² ε / σ      → E[z⁴ ε²]/σ² − (2μ)² = (μ⁴ + 18μ²σ² + 15σ⁴)/σ² − 4μ² ≈ 28.9
    assert_close(var_r[0], 4 * SIGMA**2, "reparameterization ∂/∂μ의 표본 분산", rtol=0.05, atol=0.0)
    assert_close(var_s[0], (MU**4 + 18 * MU**2 * SIGMA**2 + 15 * SIGMA**4) / SIGMA**2 - 4 * MU**2,
                 "score function ∂/∂μ의 표본 분산", rtol=0.05, atol=0.0)
    assert var_s[0] > 4 * var_r[0] and var_s[1] > var_r[1]


def test_a_good_baseline_reduces_the_score_function_variance(ex):
    eps = np.random.default_rng(2).standard_normal(100_000)
    _, plain = ex.estimator_summary(ex.score_function_gradient(square, MU, LOG_SIGMA, eps))
    _, based = ex.estimator_summary(ex.score_function_gradient(square, MU, LOG_SIGMA, eps, baseline=MU**2 + SIGMA**2))
    assert_all_true(based < 0.8 * plain, f"baseline이 분산을 0.8배 아래로 ({based} vs {plain})")


@pytest.mark.parametrize("mu, sigma", [(0.5, 1.3), (0.0, 1.0), (-2.0, 0.4)])
def test_z_squared_variances_equal_gauss_hermite_moments(ex, mu, sigma):
    """4단계: 기대값은 이 파일이 Gauss–Hermite 구적법(다항식에 정확)으로 E[g²] − E[g]²를 직접 적분한 값이다."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(20)              # ∫ p(ε) e^{−ε²/2} dε, 차수 39까지 정확
    weights = weights / weights.sum()                                     # 표준정규의 기댓값
    z = mu + sigma * nodes
    per_sample = {"reparameterization": 2 * z, "score function": z**2 * nodes / sigma}
    expected = [float(weights @ g**2 - (weights @ g) ** 2) for g in per_sample.values()]
    got = ex.z_squared_variances(mu, sigma)
    assert len(got) == 2, f"두 분산 (reparameterization, score function)을 돌려주어야 합니다: {got}"
    for name, value, want in zip(per_sample, got, expected):
        assert_close(value, want, f"{name} 분산 (μ={mu}, σ={sigma})", rtol=F64_RTOL, atol=F64_ATOL)
