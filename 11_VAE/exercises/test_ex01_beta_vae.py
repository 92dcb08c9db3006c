"""연습문제 01 (β-VAE) 채점: β-목적함수 → 분산이 들어간 항 → 최적 분산의 닫힌 꼴 → gradient ascent → active units.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_beta_vae.py`)을 검사한다.
기대값은 이 파일이 따로 계산한다: torch.distributions의 KL, 역행렬로 구한 참 posterior 분산, torch autograd.
"""
import numpy as np
import pytest
import torch
from torch.distributions import Normal, kl_divergence

from utils.exercises import assert_close, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_beta_vae")


def close(actual, expected, msg):
    assert_close(actual, expected, msg, rtol=F64_RTOL, atol=F64_ATOL)


def decoder(seed=0):
    """직교 열을 가진 W (6, 3), 열 길이 3, 1, 0.2 — 잘 쓰이는 차원, 애매한 차원, 거의 안 쓰이는 차원."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(6, 3)))
    return Q * np.array([3.0, 1.0, 0.2]), 0.5                          # W, s²


# ---- 1단계: β-목적함수 ----
def test_beta_objective(ex):
    rec, kl = np.array([-10.0, -3.0, -7.5]), np.array([2.0, 0.0, 4.0])
    close(ex.beta_objective(rec, kl, 1.0), rec - kl, "β = 1 (ELBO)")
    close(ex.beta_objective(rec, kl, 4.0), np.array([-18.0, -3.0, -23.5]), "β = 4")
    close(ex.beta_objective(rec, kl, 0.0), rec, "β = 0 (재구성만, 보통의 auto-encoder)")
    with pytest.raises(ValueError):
        ex.beta_objective(rec, kl, -1.0)
    with pytest.raises(ValueError):
        ex.beta_objective(rec, kl[:2], 1.0)


# ---- 2단계: v가 들어간 항 ----
@pytest.mark.parametrize("beta", [0.5, 1.0, 4.0])
def test_expected_objective_differences_equal_the_full_objective(ex, beta):
    # 전체 목적함수 = −(‖x − W m − b‖² + tr(W diag(v) Wᵀ)) / (2s²) − β KL(N(m, v) ‖ N(0, I)) + (v와 무관한 상수).
    # v를 바꿨을 때의 차이는 v가 들어간 항의 차이와 같아야 한다.
    W, s2 = decoder()
    rng = np.random.default_rng(1)
    m, x, b = rng.normal(size=3), rng.normal(size=6), rng.normal(size=6)

    def full(v):
        kl = kl_divergence(Normal(torch.tensor(m), torch.tensor(np.sqrt(v))), Normal(0.0, 1.0)).sum().item()
        return -(np.sum((x - W @ m - b) ** 2) + np.trace(W @ np.diag(v) @ W.T)) / (2 * s2) - beta * kl

    v1, v2 = rng.uniform(0.1, 2.0, size=3), rng.uniform(0.1, 2.0, size=3)
    col = (W**2).sum(0)
    got = ex.expected_objective(np.log(v1), col, s2, beta) - ex.expected_objective(np.log(v2), col, s2, beta)
    close(got, full(v1) - full(v2), f"J(v1) − J(v2) (β={beta})")


# ---- 3단계: 최적 분산 ----
def test_optimal_variance_at_beta_one_is_the_true_posterior_variance(ex):
    W, s2 = decoder()
    true_cov = np.linalg.inv(np.eye(3) + W.T @ W / s2)                # p(z|x)의 공분산 (x와 무관), 직교 열 → 대각
    close(true_cov, np.diag(np.diag(true_cov)), "true_cov")
    close(ex.optimal_posterior_variance((W**2).sum(0), s2, 1.0), np.diag(true_cov), "β = 1의 v* (참 posterior 분산)")


@pytest.mark.parametrize("beta", [0.25, 1.0, 4.0, 50.0])
def test_optimal_variance_is_a_stationary_maximum(ex, beta):
    W, s2 = decoder()
    col = (W**2).sum(0)
    v = ex.optimal_posterior_variance(col, s2, beta)
    log_v = torch.tensor(np.log(v), requires_grad=True)
    J = -(torch.exp(log_v) * torch.tensor(col)).sum() / (2 * s2) \
        - beta * 0.5 * (torch.exp(log_v) - 1 - log_v).sum()                # 테스트가 따로 쓴 J
    J.backward()
    assert_close(log_v.grad, 0.0, f"v*에서 ∂J/∂log v (β={beta})", rtol=0.0, atol=1e-12)
    for delta in (-0.1, 0.1):                                          # 그리고 최대 (J는 log v에 대해 오목)
        assert ex.expected_objective(np.log(v) + delta, col, s2, beta) < ex.expected_objective(np.log(v), col, s2, beta)


def test_larger_beta_pushes_the_posterior_towards_the_prior(ex):
    W, s2 = decoder()
    col = (W**2).sum(0)
    vs = [ex.optimal_posterior_variance(col, s2, beta) for beta in (0.5, 1.0, 4.0, 1000.0)]
    assert all((a < b).all() for a, b in zip(vs, vs[1:]))             # β가 커지면 분산이 1(prior) 쪽으로
    assert np.abs(vs[-1] - 1.0).max() < 0.03
    with pytest.raises(ValueError):
        ex.optimal_posterior_variance(col, 0.0, 1.0)
    with pytest.raises(ValueError):
        ex.optimal_posterior_variance(col, s2, 0.0)


# ---- 4단계: gradient ascent ----
def test_one_ascent_step_uses_the_autograd_gradient(ex):
    W, s2 = decoder()
    col, beta, lr = (W**2).sum(0), 2.0, 0.1
    log_v = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    J = -(torch.exp(log_v) * torch.tensor(col)).sum() / (2 * s2) - beta * 0.5 * (torch.exp(log_v) - 1 - log_v).sum()
    J.backward()
    close(ex.fit_log_variance(col, s2, beta, steps=1, lr=lr), lr * log_v.grad.numpy(), "한 step 뒤의 log v")


@pytest.mark.parametrize("beta", [0.5, 1.0, 4.0])
def test_ascent_converges_to_the_closed_form(ex, beta):
    W, s2 = decoder()
    col = (W**2).sum(0)
    assert_close(np.exp(ex.fit_log_variance(col, s2, beta, steps=3000, lr=0.05)), beta / (beta + col / s2),
                 f"3000 step 뒤의 v (β={beta})", rtol=1e-6, atol=0.0)


# ---- 5단계: active units ----
def test_active_units_counts_dimensions_whose_mean_varies_over_the_data(ex):
    rng = np.random.default_rng(2)
    mu = rng.normal(size=(500, 5)) * np.array([1.0, 0.5, 0.2, 0.05, 0.0])   # 분산 1, 0.25, 0.04, 0.0025, 0
    assert ex.active_units(mu) == 3
    assert ex.active_units(mu, threshold=0.1) == 2
    with pytest.raises(ValueError):
        ex.active_units(np.zeros(5))


@pytest.mark.parametrize("fraction", [0.5, 0.9])
def test_beta_to_forget_puts_the_numerical_optimum_at_the_fraction(ex, fraction):
    """질문 3·4: 학습자의 β를 넣고 이 파일이 J를 차원마다 수치로 최대화해 v*가 fraction인지 본다 (닫힌 꼴 없이)."""
    from scipy.optimize import minimize_scalar

    W, s2 = decoder()
    col = (W**2).sum(0)
    betas = np.asarray(ex.beta_to_forget(col, s2, fraction))
    assert betas.shape == (3,), f"β의 shape {betas.shape}, 기대 (3,)"
    optimum = []
    for c, beta in zip(col, betas):
        def negative_j(log_v, c=c, beta=beta):
            v = np.exp(log_v)
            return v * c / (2 * s2) + beta * 0.5 * (v - 1 - log_v)
        result = minimize_scalar(negative_j, bounds=(-30, 5), method="bounded", options={"xatol": 1e-12})
        optimum.append(np.exp(result.x))
    assert_close(optimum, np.full(3, fraction), f"β_forget에서 수치로 찾은 v* (fraction={fraction})",
                 rtol=1e-6, atol=0.0)
    assert (np.diff(betas) < 0).all(), f"‖w_j‖²가 작은 차원일수록 작은 β에서 잊어야 합니다: {betas}"
