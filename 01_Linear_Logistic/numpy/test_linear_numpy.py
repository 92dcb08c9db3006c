"""선형 회귀 (L1) 검증 사다리: shape → gradient → torch autograd parity → scikit-learn → 학습 → 잘못된 입력."""
import json

import numpy as np
import pytest
import torch
from sklearn.linear_model import LinearRegression as SklearnLinearRegression
from sklearn.linear_model import Ridge

from utils.datasets import load_diabetes, load_synthetic_regression, standardize
from utils.gradcheck import (
    F64_ATOL,
    F64_RTOL,
    GRAD_REL_TOL,
    SKLEARN_CLOSED_FORM_ATOL,
    check_loss_gradient,
    check_module_gradients,
    numeric_gradient,
    rel_error,
)

from .linear_numpy import Linear, LinearRegression, main, mse_loss, step_size_bound


@pytest.fixture
def diabetes():
    data = load_diabetes(seed=0)
    X_train, X_test, _, _ = standardize(data.X_train, data.X_test)
    return X_train, data.y_train, X_test, data.y_test


def test_shapes():
    rng = np.random.default_rng(0)
    layer = Linear(4, 3, rng)
    assert layer.forward(rng.normal(size=(7, 4))).shape == (7, 3)
    assert layer.backward(np.ones((7, 3))).shape == (7, 4)
    assert LinearRegression(4).forward(rng.normal(size=(7, 4))).shape == (7,)


def test_linear_layer_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    errors = check_module_gradients(Linear(5, 3, rng), rng.normal(size=(6, 5)))
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < GRAD_REL_TOL, errors


def test_mse_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    assert check_loss_gradient(mse_loss, rng.normal(size=8), rng.normal(size=8)) < GRAD_REL_TOL


@pytest.mark.parametrize("l2", [0.0, 0.3])
def test_objective_gradient_with_l2_matches_finite_differences(l2):
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(10, 4)), rng.normal(size=10)
    model = LinearRegression(4, l2=l2, seed=3)
    model.linear.params["b"][:] = 0.7
    model.loss_and_grads(X, y)
    analytic = {k: v.copy() for k, v in model.linear.grads.items()}
    for name, param in model.linear.params.items():
        numeric = numeric_gradient(lambda: model.loss_and_grads(X, y), param)
        assert rel_error(analytic[name], numeric) < GRAD_REL_TOL, name


def test_objective_and_gradients_equal_torch_autograd():
    rng = np.random.default_rng(4)
    X, y, l2 = rng.normal(size=(12, 5)), rng.normal(size=12), 0.2
    model = LinearRegression(5, l2=l2, seed=4)
    loss = model.loss_and_grads(X, y)

    W = torch.tensor(model.linear.params["W"], requires_grad=True)
    b = torch.tensor(model.linear.params["b"], requires_grad=True)
    pred = (torch.tensor(X) @ W + b)[:, 0]
    loss_t = torch.nn.functional.mse_loss(pred, torch.tensor(y)) + 0.5 * l2 * (W**2).sum()
    loss_t.backward()
    np.testing.assert_allclose(loss, loss_t.item(), rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(model.linear.grads["W"], W.grad.numpy(), rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(model.linear.grads["b"], b.grad.numpy(), rtol=F64_RTOL, atol=F64_ATOL)


def test_closed_form_equals_sklearn_linear_regression(diabetes):
    X_train, y_train, _, _ = diabetes
    model = LinearRegression(X_train.shape[1])
    model.fit_closed_form(X_train, y_train)
    reference = SklearnLinearRegression().fit(X_train, y_train)
    np.testing.assert_allclose(model.linear.params["W"][:, 0], reference.coef_, rtol=0,
                               atol=SKLEARN_CLOSED_FORM_ATOL)
    np.testing.assert_allclose(model.linear.params["b"][0], reference.intercept_, rtol=0,
                               atol=SKLEARN_CLOSED_FORM_ATOL)


def test_closed_form_with_l2_equals_sklearn_ridge(diabetes):
    # Ridge는 ||y − Xw||² + α||w||² (합)을, 우리는 (1/N)||y − Xw||² + (λ/2)||w||² (평균)을 푼다 → α = Nλ/2.
    X_train, y_train, _, _ = diabetes
    l2 = 0.05
    model = LinearRegression(X_train.shape[1], l2=l2)
    model.fit_closed_form(X_train, y_train)
    reference = Ridge(alpha=len(X_train) * l2 / 2, solver="cholesky").fit(X_train, y_train)
    np.testing.assert_allclose(model.linear.params["W"][:, 0], reference.coef_, rtol=0,
                               atol=SKLEARN_CLOSED_FORM_ATOL)
    np.testing.assert_allclose(model.linear.params["b"][0], reference.intercept_, rtol=0,
                               atol=SKLEARN_CLOSED_FORM_ATOL)


def test_gradient_descent_reaches_the_closed_form(diabetes):
    X_train, y_train, _, _ = diabetes
    exact = LinearRegression(X_train.shape[1])
    exact.fit_closed_form(X_train, y_train)
    model = LinearRegression(X_train.shape[1], seed=0)
    losses = model.fit_gd(X_train, y_train, lr=0.5 * step_size_bound(X_train), epochs=3000)
    assert losses[-1] < losses[0]
    # 목적 함수가 최솟값에 가까워진다: 남은 차이는 초기 차이의 1e-6 미만
    optimum = exact.loss_and_grads(X_train, y_train)
    assert losses[-1] - optimum < 1e-6 * (losses[0] - optimum)


def test_step_size_bound_separates_convergence_from_divergence(diabetes):
    X_train, y_train, _, _ = diabetes
    bound = step_size_bound(X_train)
    below = LinearRegression(X_train.shape[1], seed=1).fit_gd(X_train, y_train, lr=0.99 * bound, epochs=400)
    above = LinearRegression(X_train.shape[1], seed=1).fit_gd(X_train, y_train, lr=1.01 * bound, epochs=400)
    assert below[-1] < below[0]
    assert above[-1] > above[0]             # 경계를 1% 넘으면 가장 큰 고유 방향으로 발산한다


def test_closed_form_recovers_synthetic_true_weights():
    data = load_synthetic_regression(seed=0)
    model = LinearRegression(data.X_train.shape[1])
    model.fit_closed_form(data.X_train, data.y_train)
    assert np.max(np.abs(model.linear.params["W"][:, 0] - data.info["true_w"])) < 1e-2
    assert abs(model.linear.params["b"][0] - data.info["true_b"]) < 1e-2


def test_same_seed_gives_same_numbers(tmp_path):
    first = main(["--quick", "--out", str(tmp_path / "a")])
    second = main(["--quick", "--out", str(tmp_path / "b")])
    assert first["value"] == second["value"] and first["train_loss_last"] == second["train_loss_last"]


def test_quick_run_writes_result_and_plots(tmp_path):
    result = main(["--quick", "--data", "synthetic", "--out", str(tmp_path)])
    saved = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert saved["metric"] == "max_abs_weight_error" and saved["value"] == result["value"]
    for key in ("model", "level", "data", "metric", "value", "seconds"):
        assert key in saved
    assert result["train_loss_last"] < result["train_loss_first"]
    assert len(result["plots"]) == 3 and all((tmp_path / p.split("/")[-1]).stat().st_size > 0 for p in result["plots"])


# ---- 잘못된 입력 ----
def test_wrong_feature_count_is_refused():
    with pytest.raises(ValueError, match=r"\(N, 4\)"):
        LinearRegression(4).forward(np.zeros((3, 5)))


def test_integer_features_are_refused():
    with pytest.raises(ValueError, match="float"):
        LinearRegression(2).fit_closed_form(np.zeros((3, 2), dtype=np.int64), np.zeros(3))


def test_wrong_target_shape_is_refused():
    with pytest.raises(ValueError, match=r"\(3,\)"):
        LinearRegression(2).loss_and_grads(np.zeros((3, 2)), np.zeros((3, 1)))


def test_nan_in_data_is_refused_before_training():
    X = np.ones((4, 2))
    X[1, 1] = np.nan
    model = LinearRegression(2)
    before = model.linear.params["W"].copy()
    with pytest.raises(ValueError, match="NaN"):
        model.fit_gd(X, np.ones(4), lr=0.1, epochs=5)
    np.testing.assert_array_equal(model.linear.params["W"], before)   # 학습이 시작되지 않았다


def test_unknown_data_lists_the_choices(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--data", "imagenet"])
    assert exit_info.value.code == 2
    assert "diabetes" in capsys.readouterr().err


# ---- 수렴 기준 (slow) ----
@pytest.mark.slow
def test_default_run_on_diabetes_matches_sklearn_r2(tmp_path, diabetes):
    X_train, y_train, X_test, y_test = diabetes
    reference = SklearnLinearRegression().fit(X_train, y_train).score(X_test, y_test)
    result = main(["--out", str(tmp_path)])
    assert result["gd_vs_closed_form_max_abs"] < 1e-3
    assert result["value"] >= reference - 1e-4


@pytest.mark.slow
def test_default_run_on_synthetic_recovers_true_weights(tmp_path):
    result = main(["--data", "synthetic", "--out", str(tmp_path)])
    assert result["value"] < 1e-2 and result["bias_error"] < 1e-2


# ---- 초기화: W ~ N(0, 1/fan_in) (LeCun), b = 0 ----
def test_linear_init_is_lecun_normal_on_fan_in():
    fan_in, fan_out = 400, 300                  # fan_in ≠ fan_out: fan_out으로 나누면 std가 15% 달라진다
    layer = Linear(fan_in, fan_out, np.random.default_rng(0))
    W = layer.params["W"]
    # 표본 n개 표준편차의 상대 표준오차는 1/√(2n) (정규분포): 5배를 여유로 둔다 (통계적 여유, 반올림 기준이 아니다)
    tol = 5 / np.sqrt(2 * W.size)
    assert W.shape == (fan_in, fan_out)
    assert W.std() == pytest.approx(1 / np.sqrt(fan_in), rel=tol)
    assert abs(W.mean()) < 5 * W.std() / np.sqrt(W.size)
    np.testing.assert_array_equal(layer.params["b"], 0.0)
