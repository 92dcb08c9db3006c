"""로지스틱 / softmax 회귀 (L1) 검증 사다리: 안정성 → gradient → torch parity → scikit-learn → 학습 → 잘못된 입력."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.linear_model import LogisticRegression as SklearnLogisticRegression

from utils.datasets import load_breast_cancer, standardize
from utils.gradcheck import (
    F64_ATOL,
    F64_RTOL,
    GRAD_REL_TOL,
    SKLEARN_ITERATIVE_ATOL,
    check_loss_gradient,
    numeric_gradient,
    rel_error,
)

from .logistic_numpy import (
    LogisticRegression,
    SoftmaxRegression,
    bce_with_logits,
    fit_gd,
    log_softmax,
    main,
    sigmoid,
    softmax_cross_entropy,
)


@pytest.fixture
def breast_cancer():
    data = load_breast_cancer(seed=0)
    X_train, X_test, _, _ = standardize(data.X_train, data.X_test)
    return X_train, data.y_train, X_test, data.y_test


# ---- 수치 안정성: logit ±1e4에서도 유한하고 정확하다 ----
def test_sigmoid_is_stable_and_correct():
    z = np.array([-1e4, -30.0, -1.0, 0.0, 2.0, 30.0, 1e4])
    # overflow·0으로 나눔·NaN이면 실패 (underflow → 0은 정상)
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        p = sigmoid(z)
    np.testing.assert_allclose(p[1:-1], 1 / (1 + np.exp(-z[1:-1])), rtol=1e-15)
    assert p[0] == 0.0 and p[-1] == 1.0


def test_bce_is_finite_for_huge_logits():
    logits = np.array([1e4, -1e4, 1e4, -1e4])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        loss, dlogits = bce_with_logits(logits, y)
    # 틀린 두 샘플은 |z| = 1e4 nats씩, 맞은 두 샘플은 0: 평균 5e3
    assert loss == pytest.approx(5e3, rel=1e-12)
    np.testing.assert_allclose(dlogits, [0.25, -0.25, 0.0, 0.0])


def test_softmax_cross_entropy_is_finite_for_huge_logits():
    logits = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        loss, dlogits = softmax_cross_entropy(logits, np.array([1, 2]))
    assert np.isfinite(loss) and np.isfinite(dlogits).all()
    assert loss == pytest.approx((1e4 + np.log(2)) / 2, rel=1e-12)
    np.testing.assert_allclose(log_softmax(logits).max(axis=1), [0.0, -np.log(2)])


# ---- gradient ----
def test_loss_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=9) * 3
    y = rng.integers(0, 2, size=9).astype(np.float64)
    assert check_loss_gradient(bce_with_logits, logits, y) < GRAD_REL_TOL
    assert check_loss_gradient(softmax_cross_entropy, rng.normal(size=(6, 4)) * 3,
                               rng.integers(0, 4, size=6)) < GRAD_REL_TOL


@pytest.mark.parametrize("kind", ["logistic", "softmax"])
def test_objective_gradients_match_finite_differences(kind):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(10, 4))
    if kind == "logistic":
        model, y = LogisticRegression(4, l2=0.1, seed=1), rng.integers(0, 2, size=10)
    else:
        model, y = SoftmaxRegression(4, 3, l2=0.1, seed=1), rng.integers(0, 3, size=10)
    model.linear.params["b"][:] = rng.normal(size=model.linear.params["b"].shape)
    model.loss_and_grads(X, y)
    analytic = {k: v.copy() for k, v in model.linear.grads.items()}
    for name, param in model.linear.params.items():
        numeric = numeric_gradient(lambda: model.loss_and_grads(X, y), param)
        assert rel_error(analytic[name], numeric) < GRAD_REL_TOL, name


# ---- torch autograd parity (float64) ----
@pytest.mark.parametrize("kind", ["logistic", "softmax"])
def test_objective_and_gradients_equal_torch_autograd(kind):
    rng = np.random.default_rng(2)
    X, l2 = rng.normal(size=(16, 5)), 0.05
    if kind == "logistic":
        model, y = LogisticRegression(5, l2=l2, seed=2), rng.integers(0, 2, size=16)
    else:
        model, y = SoftmaxRegression(5, 4, l2=l2, seed=2), rng.integers(0, 4, size=16)
    loss = model.loss_and_grads(X, y)

    W = torch.tensor(model.linear.params["W"], requires_grad=True)
    b = torch.tensor(model.linear.params["b"], requires_grad=True)
    logits = torch.tensor(X) @ W + b
    if kind == "logistic":
        data_loss = F.binary_cross_entropy_with_logits(logits[:, 0], torch.tensor(y, dtype=torch.float64))
    else:
        data_loss = F.cross_entropy(logits, torch.tensor(y))
    loss_t = data_loss + 0.5 * l2 * (W**2).sum()
    loss_t.backward()
    np.testing.assert_allclose(loss, loss_t.item(), rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(model.linear.grads["W"], W.grad.numpy(), rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(model.linear.grads["b"], b.grad.numpy(), rtol=F64_RTOL, atol=F64_ATOL)


# ---- scikit-learn과 같은 해 ----
def test_l2_logistic_regression_equals_sklearn(breast_cancer):
    X_train, y_train, _, _ = breast_cancer
    C = 0.1
    l2 = 1.0 / (len(X_train) * C)                           # sklearn: C Σ ℓ + ½||w||²  ⇔  mean ℓ + (λ/2)||w||²
    model = LogisticRegression(X_train.shape[1], l2=l2, seed=0)
    fit_gd(model, X_train, y_train, lr=1.0, epochs=4000)
    reference = SklearnLogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X_train, y_train)
    np.testing.assert_allclose(model.linear.params["W"][:, 0], reference.coef_[0], rtol=0,
                               atol=SKLEARN_ITERATIVE_ATOL)
    np.testing.assert_allclose(model.linear.params["b"][0], reference.intercept_[0], rtol=0,
                               atol=SKLEARN_ITERATIVE_ATOL)


# ---- 학습의 sanity check ----
def test_initial_softmax_loss_is_log_num_classes():
    model = SoftmaxRegression(6, 10)
    model.linear.params["W"][:] = 0.0                       # 모든 클래스가 같은 점수 → 균등 분포
    loss = model.loss_and_grads(np.random.default_rng(0).normal(size=(20, 6)), np.arange(20) % 10)
    assert loss == pytest.approx(np.log(10), rel=1e-12)


def test_tiny_batch_can_be_overfit():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(8, 20)), np.arange(8) % 4
    model = SoftmaxRegression(20, 4, seed=3)
    losses, _ = fit_gd(model, X, y, lr=1.0, epochs=300)
    assert (model.predict(X) == y).all() and losses[-1] < 0.05 * losses[0]


def test_quick_runs_write_results(tmp_path):
    for data in ("breast_cancer", "digits"):
        result = main(["--quick", "--data", data, "--out", str(tmp_path / data)])
        assert result["metric"] == "test_accuracy" and 0.0 <= result["value"] <= 1.0
        assert result["train_loss_last"] < result["train_loss_first"]
        assert (tmp_path / data / "result.json").exists()
        assert (tmp_path / data / "decision_boundary.png").stat().st_size > 0


# ---- 잘못된 입력 ----
def test_labels_must_be_binary():
    with pytest.raises(ValueError, match="0 또는 1"):
        LogisticRegression(2).loss_and_grads(np.zeros((3, 2)), np.array([0, 1, 2]))


def test_labels_must_be_in_class_range():
    with pytest.raises(ValueError, match=r"0\.\.2"):
        SoftmaxRegression(2, 3).loss_and_grads(np.zeros((3, 2)), np.array([0, 1, 3]))


def test_wrong_feature_count_is_refused():
    with pytest.raises(ValueError, match=r"\(N, 30\)"):
        LogisticRegression(30).forward(np.zeros((2, 29)))


def test_inf_in_data_is_refused():
    X = np.zeros((3, 2))
    X[0, 0] = np.inf
    with pytest.raises(ValueError, match="inf"):
        fit_gd(LogisticRegression(2), X, np.array([0, 1, 0]), lr=0.1, epochs=1)


def test_missing_mnist_exits_with_one_sentence(tmp_path, capsys):
    from utils.core import DatasetUnavailable

    with pytest.raises(DatasetUnavailable, match=str(tmp_path)):
        main(["--data", "mnist", "--root", str(tmp_path), "--out", str(tmp_path / "out")])


# ---- 수렴 기준 (slow) ----
@pytest.mark.slow
def test_default_run_on_breast_cancer_reaches_95_percent(tmp_path):
    assert main(["--data", "breast_cancer", "--out", str(tmp_path)])["value"] >= 0.95


@pytest.mark.slow
def test_default_run_on_digits_reaches_95_percent(tmp_path):
    assert main(["--data", "digits", "--out", str(tmp_path)])["value"] >= 0.95
