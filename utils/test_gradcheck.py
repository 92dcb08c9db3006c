"""gradcheck 도구 자체의 검증: 수치 미분이 정확하고, 틀린 backward를 실제로 잡아낸다."""
import numpy as np
import pytest
import torch

from .gradcheck import (
    GRAD_REL_TOL,
    check_loss_gradient,
    check_module_gradients,
    numeric_gradient,
    numpy_to_torch,
    rel_error,
    torch_to_numpy,
)


class Scale:
    """y = x ⊙ s (원소별). `wrong=True`면 backward가 일부러 2배 틀린 gradient를 낸다."""

    def __init__(self, size, wrong=False):
        self.params = {"s": np.linspace(0.5, 1.5, size)}
        self.grads = {"s": np.zeros(size)}
        self.wrong = wrong

    def forward(self, x):
        self.x = x
        return x * self.params["s"]

    def backward(self, dout):
        self.grads["s"][...] = (dout * self.x).sum(axis=0) * (2.0 if self.wrong else 1.0)
        return dout * self.params["s"]


def test_rel_error_definition():
    assert rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0.0
    assert rel_error(np.array([1.0]), np.array([3.0])) == pytest.approx(0.5)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0                # 분모 하한 1e-8
    with pytest.raises(ValueError, match="shape"):
        rel_error(np.zeros(2), np.zeros(3))


def test_rel_error_small_value_floor_is_1e_minus_8():
    """분모 하한 1e-8을 못박는다: 둘 다 0 근처인 gradient(|a|+|b| < 1e-8)는 절대 오차/1e-8로 잰다."""
    assert rel_error(np.array([5e-9]), np.array([0.0])) == pytest.approx(0.5)        # 5e-9 / 1e-8
    assert rel_error(np.array([1e-9]), np.array([-1e-9])) == pytest.approx(0.2)      # 2e-9 / 1e-8
    assert rel_error(np.array([2e-8]), np.array([0.0])) == pytest.approx(1.0)        # 하한 위: 보통의 상대 오차
    assert rel_error(np.array([1e-12]), np.array([0.0])) == pytest.approx(1e-4)      # 하한이 없으면 1.0


def test_numeric_gradient_of_known_function():
    x = np.array([0.3, -1.2, 2.0])
    grad = numeric_gradient(lambda: float(np.sum(np.sin(x) * x**2)), x)
    expected = np.cos(x) * x**2 + 2 * x * np.sin(x)
    assert rel_error(grad, expected) < GRAD_REL_TOL
    np.testing.assert_array_equal(x, [0.3, -1.2, 2.0])             # 흔든 뒤 원래 값으로 되돌린다


def test_numeric_gradient_refuses_float32():
    with pytest.raises(ValueError, match="float64"):
        numeric_gradient(lambda: 0.0, np.zeros(2, dtype=np.float32))


def test_module_check_passes_correct_and_catches_wrong_backward():
    x = np.random.default_rng(0).normal(size=(4, 3))
    good = check_module_gradients(Scale(3), x)
    assert set(good) == {"x", "s"} and max(good.values()) < GRAD_REL_TOL
    bad = check_module_gradients(Scale(3, wrong=True), x)
    assert bad["s"] > 0.3 and bad["x"] < GRAD_REL_TOL                # 틀린 param gradient만 잡힌다


def test_loss_check_catches_a_missing_factor():
    def half_wrong(pred, y):                                       # MSE의 gradient에서 2를 빠뜨렸다
        return float(np.mean((pred - y) ** 2)), (pred - y) / pred.size

    def right(pred, y):
        return float(np.mean((pred - y) ** 2)), 2 * (pred - y) / pred.size

    rng = np.random.default_rng(1)
    pred, y = rng.normal(size=5), rng.normal(size=5)
    assert check_loss_gradient(right, pred, y) < GRAD_REL_TOL
    assert check_loss_gradient(half_wrong, pred, y) > 0.3


def test_numpy_torch_round_trip_copies_not_shares():
    params = {"W": np.arange(6.0).reshape(2, 3), "b": np.zeros(3)}
    tensors = numpy_to_torch(params)
    assert tensors["W"].dtype == torch.float64 and tensors["W"].requires_grad
    params["W"][0, 0] = 100.0
    assert tensors["W"][0, 0].item() == 0.0
    np.testing.assert_array_equal(torch_to_numpy(tensors)["b"], np.zeros(3))

