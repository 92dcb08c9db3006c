"""연습문제 02 (BN forward·backward) 채점. 기본은 reference solution을, `--learner`를 주면 학습자 stub을 검사한다.

기대값: forward는 `F.batch_norm(training=True)`, backward는 수치 미분(`utils.gradcheck`, float64,
`GRAD_REL_TOL`)과 `F.batch_norm`의 autograd (`F64_RTOL`, `F64_ATOL`).
입력은 평균 2, 표준편차 3으로 만들어 평균을 빼는 일이 실제로 일어나게 한다.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import assert_close, assert_rel_error, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, numeric_gradient

SHAPES = [(4, 3, 3, 3), (2, 5, 2, 4), (16, 2, 1, 1)]


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_batchnorm_backward")


def inputs(shape, seed):
    rng = np.random.default_rng(seed)
    c = shape[1]
    return 2 + 3 * rng.normal(size=shape), 1 + 0.5 * rng.normal(size=c), rng.normal(size=c), rng.normal(size=shape)


def torch_reference(x, gamma, beta, dout):
    xt, gt, bt = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    y = F.batch_norm(xt, None, None, gt, bt, training=True, eps=1e-5)
    y.backward(torch.tensor(dout))
    return y.detach().numpy(), xt.grad.numpy(), gt.grad.numpy(), bt.grad.numpy()


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_forward_equals_torch_batch_norm(ex, shape):
    x, gamma, beta, dout = inputs(shape, seed=sum(shape))
    y, _ = ex.batchnorm_forward(x, gamma, beta)
    assert_close(y, torch_reference(x, gamma, beta, dout)[0], "y", rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_backward_equals_torch_autograd(ex, shape):
    x, gamma, beta, dout = inputs(shape, seed=sum(shape) + 1)
    _, cache = ex.batchnorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = ex.batchnorm_backward(dout, cache)
    _, dx_ref, dgamma_ref, dbeta_ref = torch_reference(x, gamma, beta, dout)
    for name, a, b in (("dx", dx, dx_ref), ("dgamma", dgamma, dgamma_ref), ("dbeta", dbeta, dbeta_ref)):
        assert_close(a, b, name, rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("shape", [(3, 2, 2, 2), (2, 3, 1, 3)], ids=str)
def test_backward_matches_finite_differences(ex, shape):
    # 작은 shape, 표준편차 1의 x: loss = Σ y·dout의 반올림 오차(≈ ε·Σ|y·dout|)를 2h로 나눈 값이 수치 미분의 잡음이다.
    # 값이 많고 σ가 크면(gradient ∝ γ/σ가 작으면) 작은 gradient 원소에서 그 잡음이 상대 1e-7을 넘는다.
    # 그래서 기준이 아니라 입력을 고른다.
    x, gamma, beta, dout = inputs(shape, seed=sum(shape) + 2)
    x = (x - 2) / 3

    def loss():
        return float(np.sum(ex.batchnorm_forward(x, gamma, beta)[0] * dout))

    _, cache = ex.batchnorm_forward(x, gamma, beta)
    dx, dgamma, dbeta = ex.batchnorm_backward(dout, cache)
    assert_rel_error(dx, numeric_gradient(loss, x), "dx", GRAD_REL_TOL)
    assert_rel_error(dgamma, numeric_gradient(loss, gamma), "dgamma", GRAD_REL_TOL)
    assert_rel_error(dbeta, numeric_gradient(loss, beta), "dbeta", GRAD_REL_TOL)


def test_gradient_through_the_mean_sums_to_zero(ex):
    """Σ ∂L/∂x = 0 (channel마다): x에 상수를 더해도 x̂가 그대로이기 때문. 첫 보정항 −mean(g)이 없으면 깨진다."""
    x, gamma, beta, dout = inputs((5, 3, 2, 2), seed=9)
    _, cache = ex.batchnorm_forward(x, gamma, beta)
    dx, _, _ = ex.batchnorm_backward(dout, cache)
    assert np.abs(dx.sum(axis=(0, 2, 3))).max() < 1e-10


def test_bad_shapes_are_refused(ex):
    with pytest.raises(ValueError):
        ex.batchnorm_forward(np.ones((4, 3, 2)), np.ones(3), np.zeros(3))
    with pytest.raises(ValueError):
        ex.batchnorm_forward(np.ones((4, 3, 2, 2)), np.ones(2), np.zeros(3))


@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_running_update_equals_torch_batch_norm(ex, momentum):
    """4단계: 기대값은 `F.batch_norm(training=True)`가 제자리에서 갱신한 running buffer다."""
    rng = np.random.default_rng(9)
    x = rng.normal(size=(3, 4, 2, 5)) * 2.0 + 1.0
    mean0, var0 = rng.normal(size=4), rng.uniform(0.5, 2.0, size=4)
    running_mean, running_var = torch.tensor(mean0), torch.tensor(var0)
    F.batch_norm(torch.tensor(x), running_mean, running_var, training=True, momentum=momentum)
    new_mean, new_var = ex.running_update(x, mean0, var0, momentum)
    assert_close(new_mean, running_mean, f"running_mean (momentum={momentum})", rtol=F64_RTOL, atol=F64_ATOL)
    assert_close(new_var, running_var, f"running_var (momentum={momentum})", rtol=F64_RTOL, atol=F64_ATOL)
