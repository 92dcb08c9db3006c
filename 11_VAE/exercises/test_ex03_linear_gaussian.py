"""연습문제 03 (linear-Gaussian) 채점: 닫힌 꼴 log p(x) → 참 posterior → log w → 안정한 logsumexp → bound의 성질.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_linear_gaussian.py`)을 검사한다.
기대값은 torch.distributions.MultivariateNormal과 Bayes 정리(결합 Gaussian의 조건부)로 이 파일이 따로 계산한다.
"""
import math

import numpy as np
import pytest
import torch
from torch.distributions import MultivariateNormal, Normal

from utils.exercises import load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_linear_gaussian")


def assert_close(actual, expected, msg=""):
    np.testing.assert_allclose(actual, expected, rtol=F64_RTOL, atol=F64_ATOL, err_msg=msg)


def model(seed=0, D=5, Z=2, N=4):
    rng = np.random.default_rng(seed)
    W, b, s2 = rng.normal(size=(D, Z)), rng.normal(size=D), 0.4
    x = rng.normal(size=(N, D)) + b
    return x, W, b, s2


def test_log_marginal_equals_multivariate_normal(ex):
    x, W, b, s2 = model()
    C = torch.tensor(W @ W.T + s2 * np.eye(5))
    expected = MultivariateNormal(torch.tensor(b), covariance_matrix=C).log_prob(torch.tensor(x)).numpy()
    assert_close(ex.log_marginal(x, W, b, s2), expected)
    with pytest.raises(ValueError):
        ex.log_marginal(x, W, b, 0.0)
    with pytest.raises(ValueError):
        ex.log_marginal(x[:, :3], W, b, s2)


def test_exact_posterior_is_the_gaussian_conditional(ex):
    # (z, x)는 결합 Gaussian: Cov(z) = I, Cov(x, z) = W, Cov(x) = C.
    # 조건부 공식: mean = Wᵀ C⁻¹ (x − b), cov = I − Wᵀ C⁻¹ W.
    x, W, b, s2 = model(seed=1)
    C_inv = np.linalg.inv(W @ W.T + s2 * np.eye(5))
    mean, cov = ex.exact_posterior(x, W, b, s2)
    assert_close(mean, (x - b) @ C_inv @ W)
    assert_close(cov, np.eye(2) - W.T @ C_inv @ W)


def test_log_weights_equal_torch_densities(ex):
    x, W, b, s2 = model(seed=2)
    rng = np.random.default_rng(3)
    q_mean, q_logvar, eps = rng.normal(size=(4, 2)), rng.normal(size=(4, 2)) * 0.3, rng.normal(size=(6, 4, 2))
    z = q_mean + np.exp(0.5 * q_logvar) * eps
    t = torch.tensor
    expected = (Normal(t(z @ W.T + b), math.sqrt(s2)).log_prob(t(x)).sum(-1)
                + Normal(0.0, 1.0).log_prob(t(z)).sum(-1)
                - Normal(t(q_mean), t(np.exp(0.5 * q_logvar))).log_prob(t(z)).sum(-1)).numpy()
    got = ex.log_weights(x, W, b, s2, q_mean, q_logvar, eps)
    assert got.shape == (6, 4)
    assert_close(got, expected)


def test_iw_estimate_is_a_stable_log_mean_exp(ex):
    a = np.array([[0.5, 1.0], [1.0, 1.0], [2.0, 1.0], [4.5, 1.0]])         # (k = 4, N = 2)
    for shift in (0.0, -5000.0, 700.0):                                    # exp(±700)은 float64 경계 근처, −5000은 0
        assert_close(ex.iw_estimate(np.log(a) + shift), np.log(a.mean(0)) + shift)
    assert_close(ex.iw_estimate(np.array([[-3.0, 2.0]])), np.array([-3.0, 2.0]))   # k = 1: log w 그대로
    with pytest.raises(ValueError):
        ex.iw_estimate(np.zeros(3))


def orthogonal_model(seed=4):
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.normal(size=(5, 2)))
    W, b, s2 = Q * np.array([2.0, 0.6]), rng.normal(size=5), 0.3        # 직교 열: 참 posterior가 대각
    return rng.normal(size=(4, 5)) + b, W, b, s2


@pytest.mark.parametrize("k", [1, 5, 200])
def test_exact_posterior_makes_every_weight_equal_to_p_x(ex, k):
    x, W, b, s2 = orthogonal_model()
    mean, cov = ex.exact_posterior(x, W, b, s2)
    assert_close(cov, np.diag(np.diag(cov)))
    q_logvar = np.broadcast_to(np.log(np.diag(cov)), mean.shape)
    eps = np.random.default_rng(k).normal(size=(k, 4, 2))
    log_w = ex.log_weights(x, W, b, s2, mean, q_logvar, eps)
    truth = ex.log_marginal(x, W, b, s2)
    assert_close(log_w, np.broadcast_to(truth, log_w.shape))               # 분산 0: 모든 w가 p(x)
    assert_close(ex.iw_estimate(log_w), truth)


def test_bound_tightens_with_k_for_a_wrong_posterior(ex):
    x, W, b, s2 = orthogonal_model()
    mean, cov = ex.exact_posterior(x, W, b, s2)
    q_mean, q_logvar = mean + 0.4, np.broadcast_to(np.log(2.0 * np.diag(cov)), mean.shape)   # 틀린 q
    truth = ex.log_marginal(x, W, b, s2)
    rng = np.random.default_rng(0)
    est = {k: np.mean([ex.iw_estimate(ex.log_weights(x, W, b, s2, q_mean, q_logvar, rng.normal(size=(k, 4, 2))))
                       for _ in range(400 if k == 1 else 100)], axis=0) for k in (1, 50, 2000)}
    assert (est[1] < truth - 0.1).all()                                    # k = 1 (= ELBO의 추정): 확실히 아래
    assert (est[1] < est[50]).all() and (est[50] < est[2000]).all()        # k와 함께 커진다
    assert (np.abs(est[2000] - truth) < 0.02).all()                        # 그리고 log p(x)로 다가간다
