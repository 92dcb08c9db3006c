"""연습문제 03 (label smoothing, softmax JVP) 채점: 목표 분포 → loss·gradient → torch parity → JVP.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_label_smoothing.py`)을 검사한다.
기대값은 torch(float64, `F.cross_entropy(label_smoothing=ε)`, `torch.func.jvp`)·수치 미분·정의식으로
이 파일이 따로 계산한다.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, check_loss_gradient


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_label_smoothing")


def torch_smoothed_cross_entropy(logits, y, eps):
    """torch autograd가 계산한 (loss, dL/dlogits), float64."""
    z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    loss = F.cross_entropy(z, torch.tensor(y), label_smoothing=eps)
    loss.backward()
    return loss.item(), z.grad.numpy()


# ---- 1단계: 목표 분포 q ----
def test_smoothed_targets_follow_the_definition(ex):
    q = ex.smoothed_targets(np.array([2, 0]), 4, 0.2)
    assert_close(q, [[0.05, 0.05, 0.85, 0.05], [0.85, 0.05, 0.05, 0.05]], "q (ε=0.2)", rtol=F64_RTOL, atol=F64_ATOL)


def test_zero_eps_gives_onehot_and_one_gives_uniform(ex):
    y = np.array([1, 3, 0])
    assert_equal(ex.smoothed_targets(y, 4, 0.0), np.asarray(np.eye(4)[y]), "ε = 0의 q (onehot)")
    assert_close(ex.smoothed_targets(y, 4, 1.0), np.full((3, 4), 0.25), "ε = 1의 q (균등)", rtol=F64_RTOL, atol=0.0)


def test_eps_outside_unit_interval_is_refused(ex):
    for eps in (-0.1, 1.5):
        with pytest.raises(ValueError, match="eps"):
            ex.smoothed_targets(np.array([0]), 3, eps)


# ---- 2단계: loss와 gradient ----
@pytest.mark.parametrize("eps", [0.0, 0.1, 0.5])
def test_loss_and_gradient_equal_torch_label_smoothing(ex, eps):
    rng = np.random.default_rng(2)
    logits, y = rng.normal(size=(16, 10)) * 2, rng.integers(0, 10, size=16)
    loss, dlogits = ex.label_smoothing_cross_entropy(logits, y, eps)
    loss_t, grad_t = torch_smoothed_cross_entropy(logits, y, eps)
    assert loss == pytest.approx(loss_t, rel=F64_RTOL)
    assert_close(dlogits, grad_t, "dlogits", rtol=F64_RTOL, atol=F64_ATOL)
    assert_close(dlogits.sum(axis=1), 0.0, "dlogits의 행 합", rtol=0, atol=F64_ATOL)   # Σ_k (p_k − q_k) = 0


def test_gradient_matches_finite_differences(ex):
    rng = np.random.default_rng(1)
    logits, y = rng.normal(size=(6, 4)) * 3, rng.integers(0, 4, size=6)
    assert check_loss_gradient(lambda z, t: ex.label_smoothing_cross_entropy(z, t, 0.3), logits, y) < GRAD_REL_TOL


def test_loss_is_smallest_when_softmax_equals_q(ex):
    # 최적에서 softmax(z) = q → gradient 0, loss = q의 entropy H(q). 정답 logit을 무한히 키우지 않는다.
    k, eps = 5, 0.2
    q = np.array([eps / k] * k)
    q[3] += 1 - eps
    logits = np.log(q)[None, :]                                  # softmax(log q) = q
    loss, dlogits = ex.label_smoothing_cross_entropy(logits, np.array([3]), eps)
    assert loss == pytest.approx(-(q * np.log(q)).sum(), rel=F64_RTOL)
    assert_close(dlogits, 0.0, "dlogits", rtol=0, atol=F64_ATOL)
    sharper, _ = ex.label_smoothing_cross_entropy(logits + 5 * np.eye(k)[3], np.array([3]), eps)
    assert sharper > loss                                        # 더 자신 있는 예측은 벌을 받는다


def test_huge_logits_stay_finite_and_exact(ex):
    logits = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4]])
    y = np.array([1, 2])
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        loss, dlogits = ex.label_smoothing_cross_entropy(logits, y, 0.1)
        jvp = ex.softmax_jvp(logits, np.ones_like(logits))
    assert np.isfinite(loss) and np.isfinite(dlogits).all() and np.isfinite(jvp).all()
    loss_t, grad_t = torch_smoothed_cross_entropy(logits, y, 0.1)
    assert loss == pytest.approx(loss_t, rel=F64_RTOL)
    assert_close(dlogits, grad_t, "dlogits", rtol=F64_RTOL, atol=F64_ATOL)


# ---- 3단계: softmax Jacobian–vector product ----
def test_jvp_equals_torch_forward_mode(ex):
    rng = np.random.default_rng(4)
    logits, v = rng.normal(size=(5, 6)) * 2, rng.normal(size=(5, 6))
    _, expected = torch.func.jvp(lambda t: torch.softmax(t, dim=1), (torch.tensor(logits),), (torch.tensor(v),))
    out = ex.softmax_jvp(logits, v)
    assert out.shape == (5, 6)
    assert_close(out, expected.numpy(), "softmax JVP (torch.func.jvp 기준)", rtol=F64_RTOL, atol=F64_ATOL)


def test_jvp_equals_the_explicit_jacobian_times_v(ex):
    rng = np.random.default_rng(5)
    z, v = rng.normal(size=4) * 2, rng.normal(size=4)
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    J = np.diag(p) - np.outer(p, p)                              # (K, K), 정의대로
    assert_close(ex.softmax_jvp(z[None, :], v[None, :])[0], J @ v, "J·v (Jacobian 행렬 기준)", rtol=F64_RTOL,
                     atol=F64_ATOL)


def test_jvp_along_a_constant_shift_is_zero(ex):
    # softmax(z + c·1) = softmax(z): 모든 logit을 같이 올리는 방향에서는 움직이지 않는다 (J·1 = 0)
    logits = np.random.default_rng(6).normal(size=(3, 5)) * 3
    assert_close(ex.softmax_jvp(logits, np.full((3, 5), 2.5)), 0.0, "상수 방향의 JVP", rtol=0, atol=F64_ATOL)


@pytest.mark.parametrize("num_classes, eps", [(4, 0.1), (10, 0.2), (3, 0.9)])
def test_optimal_logit_margin_equals_a_numerical_minimum(ex, num_classes, eps):
    """4단계: 기대값은 torch `F.cross_entropy(label_smoothing=ε)`(gradient는 autograd)를 scipy BFGS로 최소화한 logit의
    z_y − z_k 평균이다."""
    from scipy.optimize import minimize

    def loss_and_grad(z):
        logits = torch.tensor(z[None, :], requires_grad=True)
        loss = F.cross_entropy(logits, torch.tensor([0]), label_smoothing=eps)
        loss.backward()
        return loss.item(), logits.grad[0].numpy()

    z = minimize(loss_and_grad, np.zeros(num_classes), jac=True, method="BFGS", options={"gtol": 1e-13}).x
    expected = z[0] - z[1:].mean()
    assert_close(ex.optimal_logit_margin(num_classes, eps), expected, f"최적 logit 차이 (K={num_classes}, ε={eps})",
                 rtol=1e-6, atol=0.0)
