"""연습문제 01 (정규화) 채점: penalty → gradient(수치 미분) → ridge closed form vs sklearn → ISTA vs sklearn Lasso.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_regularization.py`)을 검사한다.
기대값은 모두 이 파일이 정의식·scikit-learn·수치 미분으로 따로 계산한다 (solution에서 복사한 숫자는 없다).
"""
import numpy as np
import pytest
from sklearn.linear_model import Lasso, Ridge

from utils.datasets import load_diabetes, standardize
from utils.exercises import assert_close, assert_equal, assert_rel_error, assert_same_mask, load_exercise
from utils.gradcheck import (
    F64_ATOL,
    F64_RTOL,
    GRAD_REL_TOL,
    SKLEARN_CLOSED_FORM_ATOL,
    SKLEARN_ITERATIVE_ATOL,
    numeric_gradient,
)


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_regularization")


@pytest.fixture(scope="module")
def diabetes():
    data = load_diabetes(seed=0)
    X_train, _, _, _ = standardize(data.X_train, data.X_test)
    return X_train, data.y_train


def objective(X, y, w, b, lam):
    """테스트가 따로 쓰는 정의식: (1/N)||Xw + b − y||² + (λ/2)||w||²."""
    residual = X @ w + b - y
    return float(np.mean(residual**2) + 0.5 * lam * np.sum(w**2))


def lasso_objective(X, y, w, b, lam):
    """테스트가 따로 쓰는 정의식: (1/N)||Xw + b − y||² + λ||w||₁."""
    residual = X @ w + b - y
    return float(np.mean(residual**2) + lam * np.sum(np.abs(w)))


def sklearn_lasso(X, y, lam):
    """우리 λ에 해당하는 sklearn Lasso: (1/(2N))||y − Xw − b||² + α||w||₁ 에 2를 곱하면 우리 식 → α = λ/2."""
    return Lasso(alpha=lam / 2, tol=1e-12, max_iter=100_000).fit(X, y)


# ---- 1·2단계: L2 penalty와 ridge gradient ----
def test_l2_penalty_value_and_gradient(ex):
    rng = np.random.default_rng(0)
    w, lam = rng.normal(size=6), 0.7
    value, grad = ex.l2_penalty(w, lam)
    assert_close(value, 0.5 * lam * np.sum(w**2), "(λ/2)‖w‖²", rtol=F64_RTOL, atol=F64_ATOL)
    numeric = numeric_gradient(lambda: 0.5 * lam * float(np.sum(w**2)), w)
    assert_rel_error(grad, numeric, "∂penalty/∂w", GRAD_REL_TOL)


@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_ridge_gradient_matches_finite_differences(ex, lam):
    rng = np.random.default_rng(1)
    X, y, w = rng.normal(size=(12, 4)), rng.normal(size=12), rng.normal(size=4)
    b = np.array([0.7])                                     # 배열이어야 numeric_gradient가 흔들 수 있다
    loss, dw, db = ex.ridge_loss_and_grads(X, y, w, float(b[0]), lam)
    assert_close(loss, objective(X, y, w, b[0], lam), "ridge loss", rtol=F64_RTOL, atol=F64_ATOL)
    assert np.shape(dw) == (4,) and np.ndim(db) == 0
    assert_rel_error(dw, numeric_gradient(lambda: objective(X, y, w, b[0], lam), w), "∂L/∂w", GRAD_REL_TOL)
    assert_rel_error(np.array([db]), numeric_gradient(lambda: objective(X, y, w, b[0], lam), b), "∂L/∂b", GRAD_REL_TOL)


# ---- 3단계: ridge closed form == sklearn Ridge ----
@pytest.mark.parametrize("lam", [0.05, 1.0])
def test_ridge_closed_form_equals_sklearn_ridge(ex, diabetes, lam):
    # sklearn Ridge: ||y − Xw − b||² + α||w||² (합).  우리 식 × N = ||…||² + (Nλ/2)||w||²  →  α = Nλ/2
    X, y = diabetes
    w, b = ex.ridge_closed_form(X, y, lam)
    reference = Ridge(alpha=len(X) * lam / 2, solver="cholesky").fit(X, y)
    assert_close(w, reference.coef_, f"ridge w (λ={lam}, sklearn Ridge 기준)", rtol=0, atol=SKLEARN_CLOSED_FORM_ATOL)
    assert_close(b, reference.intercept_, f"ridge b (λ={lam})", rtol=0, atol=SKLEARN_CLOSED_FORM_ATOL)


def test_ridge_weight_norm_shrinks_as_lambda_grows(ex, diabetes):
    X, y = diabetes
    norms = [np.linalg.norm(ex.ridge_closed_form(X, y, lam)[0]) for lam in (0.0, 0.01, 0.1, 1.0, 10.0, 100.0)]
    assert all(a > b for a, b in zip(norms, norms[1:])), norms
    assert norms[-1] < 0.05 * norms[0]                      # 큰 λ에서는 거의 0으로 눌린다


# ---- 4·5단계: soft-thresholding과 ISTA 한 step ----
def test_soft_threshold_follows_the_definition(ex):
    v = np.array([3.0, -3.0, 0.5, -0.5, 1.0, -1.0, 0.0, 1.25])
    out = ex.soft_threshold(v, 1.0)
    assert_equal(out, np.asarray([2.0, -2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.25]), "S_1(v)")
    assert np.sum(out == 0.0) == 5                          # |v| ≤ t 인 원소는 "정확히" 0
    assert_equal(ex.soft_threshold(v, 0.0), np.asarray(v), "S_0(v) (항등이어야 함)")   # t = 0 이면 항등 함수


def test_ista_step_keeps_the_lasso_optimum_fixed(ex, diabetes):
    # 최적점 w*는 prox-gradient 사상의 고정점이다: w* = S_{ηλ}(w* − η∇g(w*)).
    X, y = diabetes
    lam = 2.0
    reference = sklearn_lasso(X, y, lam)
    lr = 0.5 * len(X) / np.linalg.svd(np.hstack([X, np.ones((len(X), 1))]), compute_uv=False)[0] ** 2
    w, b = ex.ista_step(X, y, reference.coef_.copy(), float(reference.intercept_), lam, lr)
    assert_close(w, reference.coef_, "w", rtol=0, atol=SKLEARN_ITERATIVE_ATOL)
    assert_close(b, reference.intercept_, "b", rtol=0, atol=SKLEARN_ITERATIVE_ATOL)
    assert_same_mask(w == 0.0, reference.coef_ == 0.0, "ISTA 한 step 뒤 정확히 0인 계수")


def test_ista_step_never_increases_the_objective(ex, diabetes):
    # η = 1/L 인 ISTA는 단조 감소한다 (g의 2차 상한 + prox의 정의, 01_regularization.md 5단계).
    X, y = diabetes
    lam = 2.0
    lr = 0.5 * len(X) / np.linalg.svd(np.hstack([X, np.ones((len(X), 1))]), compute_uv=False)[0] ** 2
    rng = np.random.default_rng(2)
    w, b = rng.normal(size=X.shape[1]) * 10, 50.0
    values = [lasso_objective(X, y, w, b, lam)]
    for _ in range(20):
        w, b = ex.ista_step(X, y, w, b, lam, lr)
        values.append(lasso_objective(X, y, w, b, lam))
    assert all(b <= a for a, b in zip(values, values[1:])), values
    assert values[-1] < 0.5 * values[0]


# ---- 6단계: ISTA 전체 == sklearn Lasso, 그리고 정확한 0 ----
@pytest.mark.parametrize("lam", [2.0, 10.0])
def test_ista_reaches_sklearn_lasso_with_the_same_zeros(ex, diabetes, lam):
    X, y = diabetes
    w, b = ex.fit_lasso_ista(X, y, lam)
    reference = sklearn_lasso(X, y, lam)
    zeros = reference.coef_ == 0.0
    assert zeros.any() and not zeros.all()                  # 이 λ에서는 일부만 0: 비교가 의미 있다
    assert_close(w, reference.coef_, "w", rtol=0, atol=SKLEARN_ITERATIVE_ATOL)
    assert_close(b, reference.intercept_, "b", rtol=0, atol=SKLEARN_ITERATIVE_ATOL)
    assert_same_mask(w == 0.0, zeros, f"정확히 0인 계수 (λ={lam}, sklearn 기준)")         # 작은 값이 아니라 정확히 0


def test_lasso_l1_norm_shrinks_and_vanishes_above_lambda_max(ex, diabetes):
    X, y = diabetes
    # w = 0 이 최적 ⇔ |∂g/∂w_j| ≤ λ (모든 j) at (w, b) = (0, ȳ)  →  λ_max = (2/N)||Xᵀ(y − ȳ)||_∞
    lam_max = 2.0 / len(X) * np.max(np.abs(X.T @ (y - y.mean())))
    l1 = [np.sum(np.abs(ex.fit_lasso_ista(X, y, lam)[0])) for lam in (0.5, 2.0, 10.0, 40.0, 0.9 * lam_max)]
    assert all(b <= a for a, b in zip(l1, l1[1:])), l1
    assert l1[-1] > 0.0                                     # λ_max 바로 아래에서는 아직 0이 아니다
    w, b = ex.fit_lasso_ista(X, y, 1.01 * lam_max)
    assert_equal(w, np.zeros(X.shape[1]), "λ ≥ λ_max의 w")
    assert_close(b, y.mean(), "λ ≥ λ_max의 b (= ȳ)", rtol=0, atol=SKLEARN_ITERATIVE_ATOL)


def test_lasso_zero_counts_equal_sklearn(ex, diabetes):
    """7단계: 기대값은 λ마다 sklearn `Lasso(alpha=λ/2)`의 해에서 정확히 0인 계수의 수다."""
    X, y = diabetes
    lams = (0.5, 2.0, 10.0, 40.0)
    expected = [int(np.sum(sklearn_lasso(X, y, lam).coef_ == 0.0)) for lam in lams]
    assert_equal(list(ex.lasso_zero_counts(X, y, lams)), expected, f"λ = {lams}에서 0인 계수의 수")
