"""연습문제 03 (linear-Gaussian) 채점: log p(x) → 참 posterior → 가장 좋은 대각 q → ELBO의 빈틈 → IW 빈틈의 계수.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_linear_gaussian.py`)을 검사한다.
기대값은 이 파일이 따로 계산한다: torch.distributions(MultivariateNormal, Normal, kl_divergence), Bayes 정리(결합
Gaussian의 조건부), Gauss–Hermite 구적법, 격자 위의 수치 적분. 풀이의 닫힌 꼴은 쓰지 않는다.
"""
import math

import numpy as np
import pytest
import torch
from torch.distributions import MultivariateNormal, Normal, kl_divergence

from utils.exercises import assert_all_true, assert_close, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_linear_gaussian")


def close(actual, expected, name):
    assert_close(actual, expected, name, rtol=F64_RTOL, atol=F64_ATOL)


def model(seed=0, D=5, Z=2, N=4):
    """열이 직교하지 않는 W: 참 posterior 공분산이 대각이 아니다."""
    rng = np.random.default_rng(seed)
    W, b, s2 = rng.normal(size=(D, Z)), rng.normal(size=D), 0.4
    x = rng.normal(size=(N, D)) + b
    return x, W, b, s2


def posterior(x, W, b, s2):
    """결합 Gaussian의 조건부 공식: mean = Wᵀ C⁻¹ (x − b), cov = I − Wᵀ C⁻¹ W."""
    C_inv = np.linalg.inv(W @ W.T + s2 * np.eye(W.shape[0]))
    return (x - b) @ C_inv @ W, np.eye(W.shape[1]) - W.T @ C_inv @ W


def kl_to_posterior(q_mean, q_logvar, post_mean, post_cov):
    """KL(N(q_mean, diag e^{q_logvar}) ‖ N(post_mean, post_cov)), 행마다 — torch가 계산한다."""
    t = torch.tensor
    q = MultivariateNormal(t(q_mean), covariance_matrix=torch.diag_embed(t(np.exp(q_logvar))))
    return kl_divergence(q, MultivariateNormal(t(post_mean), covariance_matrix=t(post_cov))).numpy()


def test_log_marginal_equals_multivariate_normal(ex):
    x, W, b, s2 = model()
    C = torch.tensor(W @ W.T + s2 * np.eye(5))
    expected = MultivariateNormal(torch.tensor(b), covariance_matrix=C).log_prob(torch.tensor(x))
    close(ex.log_marginal(x, W, b, s2), expected, "log p(x)")
    with pytest.raises(ValueError):
        ex.log_marginal(x, W, b, 0.0)
    with pytest.raises(ValueError):
        ex.log_marginal(x[:, :3], W, b, s2)


def test_exact_posterior_is_the_gaussian_conditional(ex):
    x, W, b, s2 = model(seed=1)
    mean, cov = ex.exact_posterior(x, W, b, s2)
    expected_mean, expected_cov = posterior(x, W, b, s2)
    close(mean, expected_mean, "posterior 평균")
    close(cov, expected_cov, "posterior 공분산")


def test_best_diagonal_q_minimises_the_kl(ex):
    x, W, b, s2 = model(seed=2)
    post_mean, post_cov = posterior(x, W, b, s2)
    assert abs(post_cov[0, 1]) > 0.01, "테스트의 W가 직교에 가까워 대각이 아닌 posterior를 만들지 못했습니다"
    mean, logvar = ex.best_diagonal_q(x, W, b, s2)
    assert np.shape(mean) == np.shape(logvar) == (4, 2), f"shape {np.shape(mean)}, {np.shape(logvar)}, 기대 (4, 2)"
    best = kl_to_posterior(mean, logvar, post_mean, post_cov)
    for which, j, step in [(w, j, s) for w in ("mean", "logvar") for j in range(2) for s in (-1e-3, 1e-3)]:
        moved_mean, moved_logvar = np.array(mean, dtype=float), np.array(logvar, dtype=float)
        (moved_mean if which == "mean" else moved_logvar)[:, j] += step
        moved = kl_to_posterior(moved_mean, moved_logvar, post_mean, post_cov)
        assert_all_true(moved > best, f"{which}[:, {j}]를 {step:+g} 옮기면 KL이 커져야 합니다 (최소가 아님)")
    Q, _ = np.linalg.qr(np.random.default_rng(3).normal(size=(5, 2)))
    W_orth = Q * np.array([2.0, 0.6])                                    # 직교 열: 참 posterior가 대각
    mean, logvar = ex.best_diagonal_q(x, W_orth, b, s2)
    post_mean, post_cov = posterior(x, W_orth, b, s2)
    close(mean, post_mean, "직교 W에서 q 평균")
    close(np.exp(logvar), np.broadcast_to(np.diag(post_cov), (4, 2)), "직교 W에서 q 분산 (= posterior 대각)")


def gauss_hermite_elbo(x, W, b, s2, q_mean, q_logvar, points=8):
    """ELBO = E_q[log p(x|z) + log p(z) − log q(z)], 행마다 Gauss–Hermite 곱 격자로 (log 밀도가 z의 2차식이라 정확)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(points)
    weights = weights / weights.sum()
    e1, e2 = np.meshgrid(nodes, nodes, indexing="ij")
    eps = np.stack([e1.ravel(), e2.ravel()], axis=1)                      # (P², 2)
    weight = np.outer(weights, weights).ravel()                           # (P²,)
    out = []
    t = torch.tensor
    for n in range(x.shape[0]):
        std = np.exp(0.5 * q_logvar[n])
        z = q_mean[n] + std * eps                                         # (P², 2)
        log_joint = (Normal(t(z @ W.T + b), math.sqrt(s2)).log_prob(t(x[n])).sum(-1)
                     + Normal(0.0, 1.0).log_prob(t(z)).sum(-1)
                     - Normal(t(q_mean[n]), t(std)).log_prob(t(z)).sum(-1)).numpy()
        out.append(weight @ log_joint)
    return np.array(out)


def test_elbo_gap_equals_quadrature(ex):
    x, W, b, s2 = model(seed=4)
    post_mean, post_cov = posterior(x, W, b, s2)
    truth = MultivariateNormal(torch.tensor(b), covariance_matrix=torch.tensor(W @ W.T + s2 * np.eye(5)))
    log_px = truth.log_prob(torch.tensor(x)).numpy()
    rng = np.random.default_rng(5)
    cases = {"대각 q (posterior 대각)": (post_mean, np.broadcast_to(np.log(np.diag(post_cov)), post_mean.shape)),
             "틀린 q": (post_mean + rng.normal(size=post_mean.shape) * 0.3, rng.normal(size=post_mean.shape) * 0.4)}
    for name, (q_mean, q_logvar) in cases.items():
        expected = log_px - gauss_hermite_elbo(x, W, b, s2, q_mean, q_logvar)
        close(ex.elbo_gap(x, W, b, s2, q_mean, q_logvar), expected, f"log p(x) − ELBO ({name})")


def grid_integral(post_mean, post_cov, q_mean, q_logvar, half_width=8.0, points=641):
    """∫ p(z|x)² / q(z) dz를 2차원 격자(사다리꼴)로, log 공간에서 — 닫힌 꼴 없이."""
    t = torch.tensor
    axis = np.linspace(-half_width, half_width, points)
    z1, z2 = np.meshgrid(axis + post_mean[0], axis + post_mean[1], indexing="ij")
    z = t(np.stack([z1, z2], axis=-1))
    log_p = MultivariateNormal(t(post_mean), covariance_matrix=t(post_cov)).log_prob(z)
    log_q = Normal(t(q_mean), t(np.exp(0.5 * q_logvar))).log_prob(z).sum(-1)
    h = axis[1] - axis[0]
    return float(torch.exp(torch.logsumexp((2 * log_p - log_q).flatten(), 0)).item() * h * h)


def test_iw_gap_coefficient_equals_a_grid_integral(ex):
    x, W, b, s2 = model(seed=6, N=3)
    post_mean, post_cov = posterior(x, W, b, s2)
    q_mean = post_mean + np.array([0.3, -0.2])
    q_logvar = np.broadcast_to(np.log(1.5 * np.diag(post_cov)), post_mean.shape).copy()
    expected = [0.5 * (grid_integral(post_mean[n], post_cov, q_mean[n], q_logvar[n]) - 1.0) for n in range(3)]
    assert_close(ex.iw_gap_coefficient(x, W, b, s2, q_mean, q_logvar), expected, "IW 빈틈의 계수 c",
                 rtol=1e-6, atol=0.0)
    Q, _ = np.linalg.qr(np.random.default_rng(7).normal(size=(5, 2)))
    W_orth = Q * np.array([2.0, 0.6])
    exact_mean, exact_cov = posterior(x, W_orth, b, s2)
    exact_logvar = np.broadcast_to(np.log(np.diag(exact_cov)), exact_mean.shape)
    close(ex.iw_gap_coefficient(x, W_orth, b, s2, exact_mean, exact_logvar), np.zeros(3),
          "q = 참 posterior일 때 c (w가 상수)")
    with pytest.raises(ValueError):                                      # 분산이 posterior의 0.4배: 2P − Q < 0
        ex.iw_gap_coefficient(x, W_orth, b, s2, exact_mean, exact_logvar + np.log(0.4))
