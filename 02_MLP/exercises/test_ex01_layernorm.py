"""연습문제 01 (LayerNorm) 채점: 모듈 규약 → sample마다 정규화 → `F.layer_norm` parity → 수치 미분 → 잘못된 입력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_layernorm.py`)을 검사한다.
기대값은 torch(`F.layer_norm`, `nn.LayerNorm`, float64)·수치 미분·정의식으로 이 파일이 따로 계산한다.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, check_module_gradients

D = 5


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_layernorm")


def close(actual, expected, err_msg):
    assert_close(actual, expected, err_msg, rtol=F64_RTOL, atol=F64_ATOL)


def make_input(rng, n, d=D):
    """sample마다 평균과 척도가 다른 입력: 정규화가 실제로 일을 하게 한다."""
    return rng.normal(size=(n, d)) * rng.uniform(0.5, 3.0, size=(n, 1)) + rng.normal(size=(n, 1)) * 2.0


def make_layer(ex, rng, eps=1e-5):
    layer = ex.LayerNorm(D, eps=eps)
    layer.params["gamma"][...] = rng.uniform(0.5, 2.0, size=D) * rng.choice([-1.0, 1.0], size=D)
    layer.params["beta"][...] = rng.normal(size=D)
    return layer


def torch_layer_norm(layer, x, dout):
    """같은 γ, β, ε로 `F.layer_norm`의 (out, dx, dgamma, dbeta), float64."""
    xt = torch.tensor(x, requires_grad=True)
    gamma = torch.tensor(layer.params["gamma"], requires_grad=True)
    beta = torch.tensor(layer.params["beta"], requires_grad=True)
    out = F.layer_norm(xt, (D,), gamma, beta, eps=layer.eps)
    out.backward(torch.tensor(dout))
    return out.detach().numpy(), xt.grad.numpy(), gamma.grad.numpy(), beta.grad.numpy()


# ---- 1단계: 모듈 규약 ----
def test_init_follows_the_module_contract_and_torch_defaults(ex):
    layer = ex.LayerNorm(D)
    torch_layer = nn.LayerNorm(D)
    assert set(layer.params) == {"gamma", "beta"} and set(layer.grads) == {"gamma", "beta"}
    assert_equal(layer.params["gamma"], np.asarray(torch_layer.weight.detach().numpy()), "layer.params['gamma']")   # 1
    assert_equal(layer.params["beta"], np.asarray(torch_layer.bias.detach().numpy()), "layer.params['beta']")      # 0
    assert layer.eps == torch_layer.eps
    for key in ("gamma", "beta"):
        assert layer.grads[key].shape == (D,) and not layer.grads[key].any()


# ---- 2단계: forward ----
def test_forward_normalises_each_sample_over_its_features(ex):
    x = make_input(np.random.default_rng(0), 7)
    out = ex.LayerNorm(D).forward(x)                         # γ = 1, β = 0
    assert out.shape == (7, D)
    close(out.mean(axis=1), np.zeros(7), "out.mean(axis=1)")              # 행마다 평균 0
    assert_close(out.var(axis=1), x.var(axis=1) / (x.var(axis=1) + 1e-5), "out.var(axis=1)", rtol=F64_RTOL, atol=0.0)


def test_forward_and_backward_equal_torch_layer_norm(ex):
    rng = np.random.default_rng(1)
    layer = make_layer(ex, rng)
    x, dout = make_input(rng, 6), rng.normal(size=(6, D))
    out = layer.forward(x)
    dx = layer.backward(dout)
    out_t, dx_t, dgamma_t, dbeta_t = torch_layer_norm(layer, x, dout)
    close(out, out_t, "forward")
    close(dx, dx_t, "dx")
    close(layer.grads["gamma"], dgamma_t, "dgamma")
    close(layer.grads["beta"], dbeta_t, "dbeta")


def test_large_eps_is_used_as_given(ex):
    # ε를 무시하거나 고정값으로 쓰는 구현은 ε = 0.5 에서 torch와 달라진다
    rng = np.random.default_rng(2)
    layer = make_layer(ex, rng, eps=0.5)
    x, dout = rng.normal(size=(4, D)) * 0.3, rng.normal(size=(4, D))
    out, dx = layer.forward(x), layer.backward(dout)
    out_t, dx_t, _, _ = torch_layer_norm(layer, x, dout)
    close(out, out_t, "forward")
    close(dx, dx_t, "dx")


def test_each_sample_is_independent_of_the_rest_of_the_batch(ex):
    # BatchNorm과 다른 점: 통계가 sample 안에서 정해지므로 N = 1 도 되고, 다른 sample이 결과를 바꾸지 않는다
    rng = np.random.default_rng(3)
    layer = make_layer(ex, rng)
    x = make_input(rng, 5)
    batch = layer.forward(x)
    for n in range(5):
        close(layer.forward(x[n:n + 1]), batch[n:n + 1], f"sample {n}")


def test_backward_is_orthogonal_to_a_per_sample_constant_shift(ex):
    # x_n + c·1 은 출력을 바꾸지 않으므로 그 방향의 미분, 곧 dx의 각 행의 합은 0 이다
    rng = np.random.default_rng(4)
    layer = make_layer(ex, rng)
    x = make_input(rng, 6)
    layer.forward(x)
    dx = layer.backward(rng.normal(size=(6, D)))
    assert_close(dx.sum(axis=1), 0.0, "dx.sum(axis=1)", rtol=0, atol=F64_ATOL)


# ---- 3단계: backward == 수치 미분 ----
def test_backward_matches_finite_differences(ex):
    rng = np.random.default_rng(5)
    layer = make_layer(ex, rng)
    errors = check_module_gradients(layer, make_input(rng, 6), seed=6)
    assert set(errors) == {"x", "gamma", "beta"}, f"gradient key: {sorted(errors)}"
    for name, error in errors.items():
        assert error < GRAD_REL_TOL, f"gradient {name!r}: 수치 미분과의 상대 오차 {error:.2e} ≥ {GRAD_REL_TOL:.0e}"


# ---- 잘못된 입력 ----
@pytest.mark.parametrize("shape", [(6, D + 1), (6,), (2, 3, D)])
def test_wrong_shape_is_refused(ex, shape):
    with pytest.raises(ValueError, match=rf"\(N, {D}\)"):
        ex.LayerNorm(D).forward(np.zeros(shape))


def test_integer_input_is_refused(ex):
    with pytest.raises(ValueError, match="float"):
        ex.LayerNorm(D).forward(np.ones((2, D), dtype=np.int64))


@pytest.mark.parametrize("kwargs", [{"num_features": 0}, {"num_features": D, "eps": 0.0}])
def test_bad_constructor_arguments_are_refused(ex, kwargs):
    with pytest.raises(ValueError):
        ex.LayerNorm(**kwargs)


@pytest.mark.parametrize("gamma, beta", [(1.0, 0.0), (2.5, -0.7)])
def test_one_feature_output_equals_torch(ex, gamma, beta):
    """질문 1: 기대값은 torch `F.layer_norm`을 D = 1에 그대로 부른 값이다."""
    x = np.random.default_rng(8).normal(size=(5, 1)) * 3.0
    expected = F.layer_norm(torch.tensor(x), (1,), torch.tensor([gamma], dtype=torch.float64),
                           torch.tensor([beta], dtype=torch.float64),
                           eps=1e-5)
    close(ex.one_feature_output(x, gamma, beta, 1e-5), expected, f"D = 1 출력 (γ={gamma}, β={beta})")
