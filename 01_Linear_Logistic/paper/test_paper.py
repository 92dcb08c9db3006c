"""L3 (nn.Module) 검증: shape와 파라미터 수, utils 학습 루프로 학습한 결과 == 같은 초기값의 L2 수작업 GD."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.datasets import load_breast_cancer, load_diabetes, load_digits, standardize
from utils.gradcheck import F64_ATOL, F64_RTOL
from utils.training import fit

from ..pytorch_lowlevel import linear_lowlevel, logistic_lowlevel
from . import linear_paper, logistic_paper


def copy_lowlevel_into(model, params):
    """L2의 W (D, K)는 x @ W, nn.Linear의 weight (K, D)는 x @ weight.T — 그래서 전치해서 복사한다."""
    with torch.no_grad():
        model.linear.weight.copy_(params["W"].T)
        model.linear.bias.copy_(params["b"])


def test_shapes_and_parameter_counts():
    assert linear_paper.LinearRegression(10)(torch.zeros(4, 10)).shape == (4,)
    assert logistic_paper.LogisticRegression(30)(torch.zeros(4, 30)).shape == (4,)
    assert logistic_paper.SoftmaxRegression(64, 10)(torch.zeros(4, 64)).shape == (4, 10)
    assert sum(p.numel() for p in linear_paper.LinearRegression(10).parameters()) == 10 + 1
    assert sum(p.numel() for p in logistic_paper.SoftmaxRegression(64, 10).parameters()) == 64 * 10 + 10


def test_weight_decay_only_on_weights_equals_l2_penalty_gradient():
    # SGD(weight_decay=λ)의 한 step == (λ/2)||W||² 를 loss에 더하고 weight_decay 없이 한 step (bias 제외)
    torch.manual_seed(0)
    X, y = torch.randn(16, 5, dtype=torch.float64), torch.randn(16, dtype=torch.float64)
    a = linear_paper.LinearRegression(5).double()
    b = linear_paper.LinearRegression(5).double()
    b.load_state_dict(a.state_dict())
    opt_a = linear_paper.make_optimizer(a, lr=0.1, l2=0.3)
    opt_a.zero_grad()
    F.mse_loss(a(X), y).backward()
    opt_a.step()
    opt_b = torch.optim.SGD(b.parameters(), lr=0.1)
    opt_b.zero_grad()
    (F.mse_loss(b(X), y) + 0.15 * (b.linear.weight**2).sum()).backward()
    opt_b.step()
    for (name, pa), pb in zip(a.state_dict().items(), b.state_dict().values()):
        np.testing.assert_allclose(pa.numpy(), pb.numpy(), rtol=F64_RTOL, atol=F64_ATOL, err_msg=name)


# ---- parity up the ladder: utils.fit (full batch) == L2 수작업 GD ----
def test_linear_regression_training_equals_lowlevel():
    data = load_diabetes(seed=0)
    X_train, _, _, _ = standardize(data.X_train, data.X_test)
    X, y = torch.tensor(X_train), torch.tensor(data.y_train)
    params = linear_lowlevel.init_params(X.shape[1], seed=5)
    model = linear_paper.LinearRegression(X.shape[1]).double()
    copy_lowlevel_into(model, params)
    lr, l2 = 0.5 * linear_lowlevel.step_size_bound(X, 0.05), 0.05
    linear_lowlevel.fit_gd(params, X, y, lr, 150, l2=l2)
    fit(model, (X, y), optimizer=linear_paper.make_optimizer(model, lr, l2), loss_fn=F.mse_loss, epochs=150,
        batch_size=None, progress=False)
    np.testing.assert_allclose(model.linear.weight.detach().numpy(), params["W"].detach().numpy().T,
                               rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(model.linear.bias.detach().numpy(), params["b"].detach().numpy(),
                               rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("dataset", ["breast_cancer", "digits"])
def test_classifier_training_equals_lowlevel(dataset):
    if dataset == "breast_cancer":
        data = load_breast_cancer(seed=0)
        model, n_outputs = logistic_paper.LogisticRegression(data.X_train.shape[1]), 1
    else:
        data = load_digits(seed=0, flatten=True)
        model, n_outputs = logistic_paper.SoftmaxRegression(data.X_train.shape[1], 10), 10
    X_train, _, _, _ = standardize(data.X_train.astype(np.float64), data.X_test.astype(np.float64))
    X, y = torch.tensor(X_train), torch.tensor(data.y_train)
    params = logistic_lowlevel.init_params(X.shape[1], n_outputs, seed=6)
    model = model.double()
    copy_lowlevel_into(model, params)
    logistic_lowlevel.fit_gd(params, X, y, 0.5, 80, l2=1e-3)
    history = fit(model, (X, y), optimizer=logistic_paper.make_optimizer(model, 0.5, 1e-3), loss_fn=model.loss,
                  epochs=80, batch_size=None, progress=False)
    assert history["train_loss"][-1] < history["train_loss"][0]
    np.testing.assert_allclose(model.linear.weight.detach().numpy(), params["W"].detach().numpy().T,
                               rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(model.linear.bias.detach().numpy(), params["b"].detach().numpy(),
                               rtol=F64_RTOL, atol=F64_ATOL)


def test_initial_softmax_loss_is_near_log_num_classes():
    data = load_digits(seed=0, flatten=True)
    X_train, _, _, _ = standardize(data.X_train.astype(np.float64), data.X_test.astype(np.float64))
    torch.manual_seed(0)
    model = logistic_paper.SoftmaxRegression(64, 10).double()
    loss = model.loss(model(torch.tensor(X_train)), torch.tensor(data.y_train)).item()
    # nn.Linear 초기값 U(−1/√D, 1/√D)는 logit을 작게 만들어 예측이 거의 균등 → loss ≈ ln 10 = 2.303
    assert abs(loss - np.log(10)) < 0.3


def test_quick_runs_write_results(tmp_path):
    linear = linear_paper.main(["--quick", "--device", "cpu", "--out", str(tmp_path / "linear")])
    assert linear["train_loss_last"] < linear["train_loss_first"]
    logistic = logistic_paper.main(["--quick", "--device", "cpu", "--data", "digits", "--out", str(tmp_path / "sm")])
    assert logistic["model"] == "SoftmaxRegression" and logistic["train_loss_last"] < logistic["train_loss_first"]
    assert (tmp_path / "sm" / "accuracy_curve.png").stat().st_size > 0


# ---- 잘못된 입력 ----
def test_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"\(N, 30\)"):
        logistic_paper.LogisticRegression(30)(torch.zeros(2, 31))
    with pytest.raises(ValueError, match=r"\(N, 10\)"):
        linear_paper.LinearRegression(10)(torch.zeros(10))


def test_nan_in_data_is_refused_before_training():
    model = linear_paper.LinearRegression(2)
    X = torch.zeros(4, 2)
    X[0, 1] = float("inf")
    before = model.linear.weight.detach().clone()
    with pytest.raises(ValueError, match="inf"):
        fit(model, (X, torch.zeros(4)), optimizer=linear_paper.make_optimizer(model, 0.1), loss_fn=F.mse_loss,
            epochs=1, progress=False)
    assert torch.equal(model.linear.weight.detach(), before)


# ---- 수렴 기준 (slow) ----
@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["breast_cancer", "digits"])
def test_default_runs_reach_95_percent(tmp_path, dataset):
    assert logistic_paper.main(["--data", dataset, "--device", "cpu", "--out", str(tmp_path)])["value"] >= 0.95


@pytest.mark.slow
def test_default_run_on_synthetic_recovers_true_weights(tmp_path):
    result = linear_paper.main(["--data", "synthetic", "--device", "cpu", "--out", str(tmp_path)])
    assert result["value"] < 1e-2


# ---- 초기화: L3는 nn.Linear의 기본값 U(±1/√fan_in) (weight와 bias 모두) ----
@pytest.mark.parametrize("make", [lambda d: linear_paper.LinearRegression(d).linear,
                                  lambda d: logistic_paper.LogisticRegression(d).linear,
                                  lambda d: logistic_paper.SoftmaxRegression(d, 300).linear],
                         ids=["linear", "logistic", "softmax"])
def test_init_is_torch_linear_default_uniform_on_fan_in(make):
    torch.manual_seed(0)
    fan_in = 400
    layer = make(fan_in)
    bound = 1 / np.sqrt(fan_in)
    W, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
    if W.size > 1000:                                           # 균등분포 std = bound/√3. 표본 std의 상대 표준오차는
        tol = 5 * np.sqrt(0.2 / W.size)                         # √((κ−1)/(4n)), κ = 1.8 → √(0.2/n); 5배 (통계적 여유)
        assert W.std() == pytest.approx(bound / np.sqrt(3), rel=tol)
        assert np.abs(W).max() > (1 - 10 / W.size) * bound    # 최댓값이 경계 근처까지 간다 (더 좁은 분포가 아니다)


# ---- step_size_bound: λ를 포함한 Hessian, 세 레벨이 같은 값 ----
@pytest.mark.parametrize("l2", [0.0, 0.5, 5.0])
def test_step_size_bound_includes_l2_like_the_other_levels(l2):
    data = load_diabetes(seed=0)
    X_train, _, _, _ = standardize(data.X_train, data.X_test)
    expected = linear_lowlevel.step_size_bound(torch.tensor(X_train), l2)
    assert linear_paper.step_size_bound(torch.tensor(X_train), l2) == pytest.approx(expected, rel=F64_RTOL)
