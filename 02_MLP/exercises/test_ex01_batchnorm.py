"""연습문제 01 (BatchNorm) 채점: 모듈 규약 → 수치 미분 → `F.batch_norm` parity (학습·평가) → running 통계 → 잘못된 입력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_batchnorm.py`)을 검사한다.
기대값은 torch(`F.batch_norm`, `nn.BatchNorm1d`, float64)·수치 미분·정의식으로 이 파일이 따로 계산한다.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from utils.exercises import load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, check_module_gradients

D = 4


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_batchnorm")


def assert_close(actual, expected, err_msg=""):
    np.testing.assert_allclose(actual, expected, rtol=F64_RTOL, atol=F64_ATOL, err_msg=err_msg)


def make_input(rng, n, d=D):
    """feature마다 평균과 척도가 다른 입력: 정규화가 실제로 일을 하게 한다."""
    return rng.normal(size=(n, d)) * rng.uniform(0.5, 3.0, size=d) + rng.normal(size=d) * 2.0


def make_layer(ex, rng, momentum=0.1):
    layer = ex.BatchNorm(D, momentum=momentum)
    layer.params["gamma"][...] = rng.uniform(0.5, 2.0, size=D) * rng.choice([-1.0, 1.0], size=D)
    layer.params["beta"][...] = rng.normal(size=D)
    return layer


def torch_batch_norm(layer, x, dout, running_mean, running_var, training):
    """같은 γ, β, running 통계로 `F.batch_norm`의 (out, dx, dgamma, dbeta). running 통계는 제자리에서 바뀐다."""
    xt = torch.tensor(x, requires_grad=True)
    gamma = torch.tensor(layer.params["gamma"].copy(), requires_grad=True)
    beta = torch.tensor(layer.params["beta"].copy(), requires_grad=True)
    out = F.batch_norm(xt, running_mean, running_var, gamma, beta, training=training,
                       momentum=layer.momentum, eps=layer.eps)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), xt.grad.numpy(), gamma.grad.numpy(), beta.grad.numpy()


# ---- 1단계: 모듈 규약과 초기값 (nn.BatchNorm1d와 같은 기본값) ----
def test_init_follows_the_module_contract_and_torch_defaults(ex):
    layer = ex.BatchNorm(D)
    reference = nn.BatchNorm1d(D, dtype=torch.float64)
    assert set(layer.params) == {"gamma", "beta"} and set(layer.grads) == set(layer.params)
    for name in layer.params:
        assert layer.params[name].shape == layer.grads[name].shape == (D,), name
        assert layer.params[name].dtype == np.float64, name
    assert_close(layer.params["gamma"], reference.weight.detach().numpy())
    assert_close(layer.params["beta"], reference.bias.detach().numpy())
    assert_close(layer.running_mean, reference.running_mean.numpy())
    assert_close(layer.running_var, reference.running_var.numpy())
    assert layer.eps == reference.eps and layer.momentum == reference.momentum
    assert layer.training is True


# ---- 2단계: 학습 모드 forward ----
def test_train_forward_normalises_each_feature(ex):
    x = make_input(np.random.default_rng(0), 16)
    out = ex.BatchNorm(D).forward(x)                         # γ = 1, β = 0
    assert out.shape == x.shape
    var = x.var(axis=0)                                      # biased 분산 (정의식)
    assert_close(out.mean(axis=0), np.zeros(D))
    assert_close((out**2).mean(axis=0), var / (var + 1e-5))  # 평균 x̂² = σ²/(σ² + ε), ε = 1e-5 (기본값)


def test_train_forward_and_backward_equal_torch_batch_norm(ex):
    rng = np.random.default_rng(1)
    layer = make_layer(ex, rng, momentum=0.3)
    x, dout = make_input(rng, 6), rng.normal(size=(6, D))
    running_mean, running_var = torch.zeros(D, dtype=torch.float64), torch.ones(D, dtype=torch.float64)
    out_t, dx_t, dgamma_t, dbeta_t = torch_batch_norm(layer, x, dout, running_mean, running_var, training=True)
    assert_close(layer.forward(x), out_t, "out")
    assert_close(layer.backward(dout), dx_t, "dx")
    assert_close(layer.grads["gamma"], dgamma_t, "dgamma")
    assert_close(layer.grads["beta"], dbeta_t, "dbeta")
    assert_close(layer.running_mean, running_mean.numpy(), "running_mean")
    assert_close(layer.running_var, running_var.numpy(), "running_var (unbiased 분산으로 갱신했나?)")


def test_train_backward_is_orthogonal_to_a_constant_shift(ex):
    # x의 한 feature 전체에 상수를 더해도 x̂은 그대로 → dL/dx의 batch 합은 0이어야 한다 (01_batchnorm.md).
    rng = np.random.default_rng(2)
    layer = make_layer(ex, rng)
    layer.forward(make_input(rng, 8))
    dx = layer.backward(rng.normal(size=(8, D)))
    np.testing.assert_allclose(dx.sum(axis=0), 0.0, rtol=0, atol=F64_ATOL)


# ---- 3단계: running 통계와 평가 모드 ----
def test_running_statistics_follow_torch_over_several_steps(ex):
    rng = np.random.default_rng(3)
    layer = make_layer(ex, rng, momentum=0.3)
    running_mean, running_var = torch.zeros(D, dtype=torch.float64), torch.ones(D, dtype=torch.float64)
    for step, n in enumerate((3, 5, 8, 2, 6)):                 # batch 크기가 달라도 N/(N−1)이 매번 맞아야 한다
        x = make_input(rng, n)
        layer.forward(x)
        F.batch_norm(torch.tensor(x), running_mean, running_var, training=True, momentum=0.3, eps=layer.eps)
        assert_close(layer.running_mean, running_mean.numpy(), f"running_mean, step {step}")
        assert_close(layer.running_var, running_var.numpy(), f"running_var, step {step}")


def test_eval_mode_uses_running_statistics_and_equals_torch(ex):
    rng = np.random.default_rng(4)
    layer = make_layer(ex, rng, momentum=0.5)
    running_mean, running_var = torch.zeros(D, dtype=torch.float64), torch.ones(D, dtype=torch.float64)
    for _ in range(4):                                       # running 통계를 기본값에서 멀리 옮겨 둔다
        x = make_input(rng, 8)
        layer.forward(x)
        F.batch_norm(torch.tensor(x), running_mean, running_var, training=True, momentum=0.5, eps=layer.eps)
    layer.training = False
    before = (layer.running_mean.copy(), layer.running_var.copy())
    x, dout = make_input(rng, 5), rng.normal(size=(5, D))
    out_t, dx_t, dgamma_t, dbeta_t = torch_batch_norm(layer, x, dout, running_mean, running_var, training=False)
    out = layer.forward(x)
    assert_close(out, out_t, "out")
    assert_close(layer.backward(dout), dx_t, "dx")
    assert_close(layer.grads["gamma"], dgamma_t, "dgamma")
    assert_close(layer.grads["beta"], dbeta_t, "dbeta")
    np.testing.assert_array_equal(layer.running_mean, before[0])   # 평가 모드는 running 통계를 바꾸지 않는다
    np.testing.assert_array_equal(layer.running_var, before[1])
    assert_close(layer.forward(x[2:3]), out[2:3], "평가 모드 출력은 batch의 다른 샘플과 무관해야 한다")


# ---- 4단계: backward == 수치 미분 ----
@pytest.mark.parametrize("training", [True, False])
def test_backward_matches_finite_differences(ex, training):
    rng = np.random.default_rng(5)
    layer = make_layer(ex, rng)
    if not training:
        layer.running_mean[...] = rng.normal(size=D)
        layer.running_var[...] = rng.uniform(0.5, 2.0, size=D)
    layer.training = training
    errors = check_module_gradients(layer, make_input(rng, 6), seed=6)
    assert set(errors) == {"x", "gamma", "beta"}
    for name, error in errors.items():
        assert error < GRAD_REL_TOL, (name, error)


# ---- 잘못된 입력 ----
@pytest.mark.parametrize("shape", [(6, D + 1), (6,), (2, 3, D)])
def test_wrong_shape_is_refused(ex, shape):
    with pytest.raises(ValueError, match=rf"\(N, {D}\)"):
        ex.BatchNorm(D).forward(np.zeros(shape))


def test_single_sample_batch_is_refused_only_in_training(ex):
    layer = ex.BatchNorm(D)
    with pytest.raises(ValueError):
        layer.forward(np.ones((1, D)))                       # torch도 학습 모드에서 N = 1을 거부한다
    layer.training = False
    assert layer.forward(np.ones((1, D))).shape == (1, D)    # 평가 모드는 running 통계를 쓰므로 괜찮다


@pytest.mark.parametrize("kwargs", [{"num_features": 0}, {"num_features": D, "eps": 0.0},
                                    {"num_features": D, "momentum": 1.5}])
def test_bad_constructor_arguments_are_refused(ex, kwargs):
    with pytest.raises(ValueError):
        ex.BatchNorm(**kwargs)
