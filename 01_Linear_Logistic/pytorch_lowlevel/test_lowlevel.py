"""L2 (raw tensor + autograd) 검증: 손으로 쓴 loss·SGD step == torch 라이브러리, 같은 초기값에서 L1 == L2."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.datasets import load_breast_cancer, load_diabetes, load_digits, standardize
from utils.gradcheck import F64_ATOL, F64_RTOL, numpy_to_torch, torch_to_numpy

from ..numpy import linear_numpy, logistic_numpy
from . import linear_lowlevel, logistic_lowlevel


def assert_close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=F64_RTOL, atol=F64_ATOL)


# ---- 손으로 쓴 연산 == 라이브러리 twin ----
def test_mse_loss_equals_torch():
    rng = np.random.default_rng(0)
    pred = torch.tensor(rng.normal(size=10), requires_grad=True)
    y = torch.tensor(rng.normal(size=10))
    ours = linear_lowlevel.mse_loss(pred, y)
    (grad_ours,) = torch.autograd.grad(ours, pred)
    reference = F.mse_loss(pred, y)
    (grad_ref,) = torch.autograd.grad(reference, pred)
    assert_close(ours.item(), reference.item())
    assert_close(grad_ours.numpy(), grad_ref.numpy())


def test_bce_with_logits_equals_torch_including_huge_logits():
    logits = torch.tensor([-1e4, -3.0, 0.0, 2.5, 1e4], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([1.0, 0.0, 1.0, 1.0, 0.0], dtype=torch.float64)
    ours = logistic_lowlevel.bce_with_logits(logits, y)
    (grad_ours,) = torch.autograd.grad(ours, logits)
    reference = F.binary_cross_entropy_with_logits(logits, y)
    (grad_ref,) = torch.autograd.grad(reference, logits)
    assert torch.isfinite(ours) and torch.isfinite(grad_ours).all()
    assert_close(ours.item(), reference.item())
    assert_close(grad_ours.numpy(), grad_ref.numpy())


def test_cross_entropy_equals_torch_including_huge_logits():
    rng = np.random.default_rng(1)
    Z = torch.tensor(rng.normal(size=(6, 4)) * np.array([[1.0], [1.0], [1.0], [1e4], [1e4], [1.0]]),
                     requires_grad=True)
    y = torch.tensor([0, 1, 2, 3, 0, 1])
    ours = logistic_lowlevel.cross_entropy(Z, y)
    (grad_ours,) = torch.autograd.grad(ours, Z)
    reference = F.cross_entropy(Z, y)
    (grad_ref,) = torch.autograd.grad(reference, Z)
    assert_close(ours.item(), reference.item())
    assert_close(grad_ours.numpy(), grad_ref.numpy())


def test_sgd_step_equals_torch_optim_sgd():
    rng = np.random.default_rng(2)
    X, y = torch.tensor(rng.normal(size=(20, 3))), torch.tensor(rng.normal(size=20))
    ours = linear_lowlevel.init_params(3, seed=2)
    theirs = {k: v.detach().clone().requires_grad_() for k, v in ours.items()}
    optimizer = torch.optim.SGD(list(theirs.values()), lr=0.1)
    for _ in range(5):
        linear_lowlevel.objective(ours, X, y).backward()
        linear_lowlevel.sgd_step(ours, lr=0.1)
        optimizer.zero_grad()
        linear_lowlevel.objective(theirs, X, y).backward()
        optimizer.step()
    for name in ours:
        assert_close(ours[name].detach().numpy(), theirs[name].detach().numpy())


def test_closed_form_equals_numpy_level():
    data = load_diabetes(seed=0)
    X_train, _, _, _ = standardize(data.X_train, data.X_test)
    reference = linear_numpy.LinearRegression(X_train.shape[1], l2=0.1)
    reference.fit_closed_form(X_train, data.y_train)
    ours = linear_lowlevel.closed_form(torch.tensor(X_train), torch.tensor(data.y_train), l2=0.1)
    assert_close(ours["W"].numpy(), reference.linear.params["W"])
    assert_close(ours["b"].numpy(), reference.linear.params["b"])
    assert linear_lowlevel.step_size_bound(torch.tensor(X_train)) == pytest.approx(
        linear_numpy.step_size_bound(X_train), rel=F64_RTOL)


# ---- parity up the ladder: 같은 초기 가중치, 같은 step → L1과 같은 가중치 ----
def test_linear_regression_training_equals_numpy_level():
    data = load_diabetes(seed=0)
    X_train, _, _, _ = standardize(data.X_train, data.X_test)
    l1 = linear_numpy.LinearRegression(X_train.shape[1], l2=0.05, seed=3)
    params = numpy_to_torch(l1.linear.params)                     # 같은 초기값
    lr = 0.5 * linear_numpy.step_size_bound(X_train, 0.05)
    losses_l1 = l1.fit_gd(X_train, data.y_train, lr=lr, epochs=200)
    losses_l2 = linear_lowlevel.fit_gd(params, torch.tensor(X_train), torch.tensor(data.y_train), lr, 200, l2=0.05)
    assert_close(losses_l2, losses_l1)
    for name, value in torch_to_numpy(params).items():
        assert_close(value, l1.linear.params[name])


@pytest.mark.parametrize("dataset", ["breast_cancer", "digits"])
def test_classifier_training_equals_numpy_level(dataset):
    if dataset == "breast_cancer":
        data = load_breast_cancer(seed=0)
        l1 = logistic_numpy.LogisticRegression(data.X_train.shape[1], l2=1e-3, seed=4)
    else:
        data = load_digits(seed=0, flatten=True)
        l1 = logistic_numpy.SoftmaxRegression(data.X_train.shape[1], 10, l2=1e-3, seed=4)
    X_train, _, _, _ = standardize(data.X_train.astype(np.float64), data.X_test.astype(np.float64))
    params = numpy_to_torch(l1.linear.params)
    losses_l1, _ = logistic_numpy.fit_gd(l1, X_train, data.y_train, lr=0.5, epochs=100)
    losses_l2 = logistic_lowlevel.fit_gd(params, torch.tensor(X_train), torch.tensor(data.y_train), 0.5, 100,
                                         l2=1e-3)
    assert_close(losses_l2, losses_l1)
    for name, value in torch_to_numpy(params).items():
        assert_close(value, l1.linear.params[name])


def test_quick_runs_write_results(tmp_path):
    linear = linear_lowlevel.main(["--quick", "--device", "cpu", "--out", str(tmp_path / "linear")])
    assert linear["train_loss_last"] < linear["train_loss_first"]
    logistic = logistic_lowlevel.main(["--quick", "--device", "cpu", "--out", str(tmp_path / "logistic")])
    assert logistic["metric"] == "test_accuracy" and logistic["train_loss_last"] < logistic["train_loss_first"]
    assert (tmp_path / "logistic" / "result.json").exists()


# ---- 잘못된 입력 ----
def test_wrong_shape_is_refused():
    params = linear_lowlevel.init_params(3)
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        linear_lowlevel.forward(params, torch.zeros(4, 2, dtype=torch.float64))


def test_integer_input_is_refused():
    params = logistic_lowlevel.init_params(3, 2)
    with pytest.raises(ValueError, match="float"):
        logistic_lowlevel.logits_of(params, torch.zeros(4, 3, dtype=torch.int64))


def test_labels_out_of_range_are_refused():
    with pytest.raises(ValueError, match=r"0\.\.2"):
        logistic_lowlevel.cross_entropy(torch.zeros(2, 3), torch.tensor([0, 5]))


def test_nan_in_data_is_refused():
    X = torch.zeros(3, 2, dtype=torch.float64)
    X[2, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN"):
        linear_lowlevel.fit_gd(linear_lowlevel.init_params(2), X, torch.zeros(3, dtype=torch.float64), 0.1, 1)


# ---- 수렴 기준 (slow) ----
@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["breast_cancer", "digits"])
def test_default_runs_reach_95_percent(tmp_path, dataset):
    assert logistic_lowlevel.main(["--data", dataset, "--device", "cpu", "--out", str(tmp_path)])["value"] >= 0.95


@pytest.mark.slow
def test_default_run_on_synthetic_recovers_true_weights(tmp_path):
    result = linear_lowlevel.main(["--data", "synthetic", "--device", "cpu", "--out", str(tmp_path)])
    assert result["value"] < 1e-2


# ---- 초기화: W ~ N(0, 1/fan_in) (L1과 같은 분포), b = 0. 분류 모델도 같은 init_params를 쓴다 ----
def test_init_params_is_lecun_normal_on_fan_in():
    fan_in, fan_out = 400, 300                  # fan_in ≠ fan_out: fan_out으로 나누면 std가 15% 달라진다
    params = linear_lowlevel.init_params(fan_in, fan_out, seed=0)
    W = params["W"].detach().numpy()
    tol = 5 / np.sqrt(2 * W.size)                               # 표본 std의 상대 표준오차 1/√(2n)의 5배 (통계적 여유)
    assert W.shape == (fan_in, fan_out)
    assert W.std() == pytest.approx(1 / np.sqrt(fan_in), rel=tol)
    assert abs(W.mean()) < 5 * W.std() / np.sqrt(W.size)
    assert not params["b"].detach().any()
