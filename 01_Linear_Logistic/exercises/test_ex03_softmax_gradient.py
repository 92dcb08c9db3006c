"""연습문제 03 (softmax gradient) 채점: 안정성 → 수치 미분 → torch autograd parity → Jacobian.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_softmax_gradient.py`)을 검사한다.
기대값은 torch(float64)·수치 미분·정의식으로 이 파일이 따로 계산한다.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, check_loss_gradient


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_softmax_gradient")


def torch_cross_entropy(logits, y):
    """torch autograd가 계산한 (loss, dL/dlogits), float64."""
    z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    loss = F.cross_entropy(z, torch.tensor(y))
    loss.backward()
    return loss.item(), z.grad.numpy()


# ---- 1단계: log_softmax / softmax ----
def test_log_softmax_and_softmax_equal_torch(ex):
    logits = np.random.default_rng(0).normal(size=(5, 7)) * 4
    log_p = ex.log_softmax(logits)
    p = ex.softmax(logits)
    assert log_p.shape == p.shape == (5, 7)
    np.testing.assert_allclose(log_p, torch.log_softmax(torch.tensor(logits), dim=1).numpy(),
                               rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(p, torch.softmax(torch.tensor(logits), dim=1).numpy(), rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=F64_RTOL)


def test_huge_logits_stay_finite_and_exact(ex):
    logits = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4], [-1e4, -1e4, -1e4]])
    y = np.array([1, 2, 0])
    # overflow · 0으로 나눔 · NaN(invalid)은 실패로 만든다. underflow만 허용: e^{−1e4}는 float64에서 정확히 0으로
    # 내려가는 것이 맞는 답이라 어떤 올바른 구현도 피할 수 없다 (numpy/test_logistic_numpy.py와 같은 정책).
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        log_p = ex.log_softmax(logits)
        p = ex.softmax(logits)
        loss, dlogits = ex.softmax_cross_entropy(logits, y)
        J = ex.softmax_jacobian(logits[0])
    assert np.isfinite(log_p).all() and np.isfinite(loss) and np.isfinite(dlogits).all()
    assert np.isfinite(p).all() and np.isfinite(J).all()
    np.testing.assert_allclose(p, torch.softmax(torch.tensor(logits), dim=1).numpy(), rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(log_p, torch.log_softmax(torch.tensor(logits), dim=1).numpy(),
                               rtol=F64_RTOL, atol=F64_ATOL)
    loss_t, grad_t = torch_cross_entropy(logits, y)
    np.testing.assert_allclose(loss, loss_t, rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(dlogits, grad_t, rtol=F64_RTOL, atol=F64_ATOL)


# ---- 2단계: cross-entropy와 gradient ----
def test_gradient_matches_finite_differences(ex):
    rng = np.random.default_rng(1)
    logits, y = rng.normal(size=(6, 4)) * 3, rng.integers(0, 4, size=6)
    assert check_loss_gradient(ex.softmax_cross_entropy, logits, y) < GRAD_REL_TOL


def test_loss_and_gradient_equal_torch_cross_entropy(ex):
    rng = np.random.default_rng(2)
    logits, y = rng.normal(size=(16, 10)) * 2, rng.integers(0, 10, size=16)
    loss, dlogits = ex.softmax_cross_entropy(logits, y)
    loss_t, grad_t = torch_cross_entropy(logits, y)
    np.testing.assert_allclose(loss, loss_t, rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(dlogits, grad_t, rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(dlogits.sum(axis=1), 0.0, rtol=0, atol=F64_ATOL)   # Σ_k (p_k − onehot_k) = 0


def test_equal_logits_give_log_num_classes(ex):
    loss, dlogits = ex.softmax_cross_entropy(np.zeros((4, 5)), np.array([0, 1, 2, 4]))
    assert loss == pytest.approx(np.log(5), rel=F64_RTOL)   # 균등 분포 1/K 의 cross-entropy = ln K
    np.testing.assert_allclose(dlogits[0], [-0.8 / 4, 0.05, 0.05, 0.05, 0.05], rtol=F64_RTOL, atol=F64_ATOL)


# ---- 3단계: softmax Jacobian ----
def test_jacobian_is_symmetric_with_zero_row_sums(ex):
    J = ex.softmax_jacobian(np.random.default_rng(3).normal(size=6) * 2)
    assert J.shape == (6, 6)
    np.testing.assert_allclose(J, J.T, rtol=0, atol=F64_ATOL)
    np.testing.assert_allclose(J.sum(axis=1), 0.0, rtol=0, atol=F64_ATOL)


def test_jacobian_equals_torch_autograd(ex):
    z = np.random.default_rng(4).normal(size=5) * 2
    expected = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, dim=0), torch.tensor(z)).numpy()
    np.testing.assert_allclose(ex.softmax_jacobian(z), expected, rtol=F64_RTOL, atol=F64_ATOL)


def test_jacobian_chain_rule_gives_the_cross_entropy_gradient(ex):
    # L = −log p_y  →  ∂L/∂p = −e_y / p_y,  ∂L/∂z = Jᵀ ∂L/∂p  ==  p − e_y  (N = 1)
    z, y = np.random.default_rng(5).normal(size=4) * 2, 2
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    dL_dp = np.zeros(4)
    dL_dp[y] = -1.0 / p[y]
    _, dlogits = ex.softmax_cross_entropy(z[None, :], np.array([y]))
    np.testing.assert_allclose(ex.softmax_jacobian(z).T @ dL_dp, dlogits[0], rtol=F64_RTOL, atol=F64_ATOL)
