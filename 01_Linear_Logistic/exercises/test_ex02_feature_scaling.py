"""연습문제 02 (feature scaling) 채점: train 통계량 → 조건수 κ → GD step 수가 κ와 함께 자란다.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_feature_scaling.py`)을 검사한다.
기대값은 정의식, `utils.datasets.standardize`, `np.linalg.cond`, `np.linalg.lstsq`로 이 파일이 따로 계산한다.
"""
import numpy as np
import pytest

from utils.datasets import load_diabetes, standardize
from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL

TOL = 1e-2   # 목적 함수 gap의 절대 기준 (y의 단위², 최솟값 L* ≈ 2.9e3 에 비해 작다)


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_feature_scaling")


@pytest.fixture(scope="module")
def diabetes():
    data = load_diabetes(seed=0)
    return data.X_train, data.y_train, data.X_test


@pytest.fixture(scope="module")
def wild(diabetes):
    """diabetes의 열마다 10^0 … 10^3 을 곱해 척도가 천 배씩 다른 feature를 만든다."""
    X_train, y_train, X_test = diabetes
    scales = 10.0 ** (np.arange(X_train.shape[1]) % 4)      # (D,) = 1, 10, 100, 1000, 1, 10, ...
    return X_train * scales, y_train, X_test * scales


def augmented(X):
    return np.hstack([X, np.ones((len(X), 1))])


def gd_bound(X, y, tol):
    """이론 상한: η = 1/λ_max 이면 gap_k ≤ (1 − 1/κ)^{2k} gap_0 → k ≤ ln(gap_0/tol) / (−2 ln(1 − 1/κ))."""
    A = augmented(X)
    kappa = np.linalg.cond(A) ** 2
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    gap0 = np.mean(y**2) - np.mean((A @ theta - y) ** 2)    # θ_0 = 0 에서의 gap
    return int(np.ceil(np.log(gap0 / tol) / (-2.0 * np.log1p(-1.0 / kappa))))


def predicted_steps(X, y, tol, max_steps):
    """GD를 돌리지 않고 고유분해로 step 수를 예측한다 (02_feature_scaling.md "GD의 수렴 속도").

    X̃ = U Σ Vᵀ,  e_0 = θ_0 − θ* = −θ*,  c = Vᵀ e_0  →  gap_k = Σ_i (σ_i²/N) c_i² (1 − σ_i²/σ_max²)^{2k}.
    """
    A = augmented(X)
    _, sigma, vt = np.linalg.svd(A, full_matrices=False)
    c = vt @ -np.linalg.lstsq(A, y, rcond=None)[0]          # (D+1,)
    k = np.arange(max_steps + 1)[:, None]                    # (K, 1)
    gaps = np.sum(sigma**2 / len(X) * c**2 * (1.0 - sigma**2 / sigma[0] ** 2) ** (2 * k), axis=1)   # (K,)
    reached = np.flatnonzero(gaps <= tol)
    return int(reached[0]) if reached.size else max_steps + 1


# ---- 1단계: 표준화 통계량은 train에서만 ----
def test_fit_returns_train_mean_and_population_std(ex, wild):
    X_train, _, _ = wild
    mean, std = ex.standardize_fit(X_train)
    assert_close(mean, X_train.mean(axis=0), "train 평균", rtol=F64_RTOL, atol=F64_ATOL)
    assert_close(std, X_train.std(axis=0, ddof=0), "train 표준편차 (ddof=0)", rtol=F64_RTOL, atol=F64_ATOL)


def test_standardized_train_has_mean_zero_and_std_one(ex, wild):
    X_train, _, _ = wild
    Z = ex.standardize_apply(X_train, *ex.standardize_fit(X_train))
    assert Z.shape == X_train.shape
    assert_close(Z.mean(axis=0), 0.0, "표준화한 train 열 평균", rtol=0, atol=F64_ATOL)
    assert_close(Z.std(axis=0), 1.0, "표준화한 train 열 표준편차", rtol=F64_RTOL, atol=0)


def test_test_split_uses_train_statistics(ex, wild):
    X_train, _, X_test = wild
    Z_test = ex.standardize_apply(X_test, *ex.standardize_fit(X_train))
    expected = (X_test - X_train.mean(axis=0)) / X_train.std(axis=0)
    assert_close(Z_test, expected, "train 통계로 표준화한 test", rtol=F64_RTOL, atol=F64_ATOL)
    assert_close(Z_test, standardize(X_train, X_test)[1], "test (utils.datasets.standardize 기준)", rtol=F64_RTOL,
                 atol=F64_ATOL)
    # test 자신의 통계량으로 표준화했다면 평균이 정확히 0이었을 것이다 — 그렇지 않아야 한다 (leakage 없음)
    assert np.max(np.abs(Z_test.mean(axis=0))) > 1e-2


def test_constant_column_does_not_divide_by_zero(ex):
    X = np.column_stack([np.arange(5.0), np.full(5, 3.0)])   # 두 번째 열은 상수
    mean, std = ex.standardize_fit(X)
    assert std[1] == 1.0
    with np.errstate(all="raise"):
        Z = ex.standardize_apply(X, mean, std)
    assert_equal(Z[:, 1], np.asarray(0.0), "상수 열 (0이어야 함)")


# ---- 2단계: Hessian의 조건수 ----
def test_condition_number_matches_numpy_cond(ex, diabetes):
    X_train, _, X_test = diabetes
    Z, _, _, _ = standardize(X_train, X_test)
    rng = np.random.default_rng(0)
    for X in (Z, rng.normal(size=(40, 3)) * [1.0, 5.0, 0.2] + 2.0):
        assert_close(ex.hessian_condition_number(X), np.linalg.cond(augmented(X)) ** 2, "κ (np.linalg.cond² 기준)",
                     rtol=F64_RTOL, atol=0.0)


def test_scaling_shrinks_the_condition_number(ex, wild):
    X_train, _, _ = wild
    scaled = ex.standardize_apply(X_train, *ex.standardize_fit(X_train))
    kappa_raw, kappa_scaled = ex.hessian_condition_number(X_train), ex.hessian_condition_number(scaled)
    assert 1.0 <= kappa_scaled < kappa_raw
    assert kappa_raw > 1e4 * kappa_scaled                   # 척도 차이 10³ → 고윳값 차이 ~10⁶


# ---- 3단계: GD step 수 ----
def test_gd_needs_far_fewer_steps_after_scaling(ex, wild):
    X_train, y_train, _ = wild
    scaled = ex.standardize_apply(X_train, *ex.standardize_fit(X_train))
    max_steps = 5000
    steps_scaled = ex.steps_to_tolerance(scaled, y_train, TOL, max_steps)
    steps_raw = ex.steps_to_tolerance(X_train, y_train, TOL, max_steps)
    assert 0 < steps_scaled <= gd_bound(scaled, y_train, TOL)
    assert steps_raw == max_steps + 1                       # 같은 예산으로 raw는 닿지 못한다
    assert steps_scaled < steps_raw


def test_gd_steps_grow_with_the_condition_number(ex, diabetes):
    X_train, y_train, X_test = diabetes
    Z, _, _, _ = standardize(X_train, X_test)
    kappas, steps = [], []
    for s in (1.0, 2.0, 4.0, 8.0):                          # 한 열만 s배: κ가 커진다
        X = Z.copy()
        X[:, 0] *= s
        kappas.append(ex.hessian_condition_number(X))
        steps.append(ex.steps_to_tolerance(X, y_train, TOL, 40_000))
        assert steps[-1] <= gd_bound(X, y_train, TOL), (s, steps[-1])
    assert all(a < b for a, b in zip(kappas, kappas[1:])), kappas
    assert all(a < b for a, b in zip(steps, steps[1:])), steps


def test_step_count_matches_the_eigen_decomposition_prediction(ex, diabetes):
    # η = 1/λ_max 라는 약속을 지켰다면 step 수는 고유값·초기 오차 성분만으로 정확히 정해진다.
    X_train, y_train, X_test = diabetes
    Z, _, _, _ = standardize(X_train, X_test)
    for s in (1.0, 4.0):
        X = Z.copy()
        X[:, 0] *= s
        assert ex.steps_to_tolerance(X, y_train, TOL, 20_000) == predicted_steps(X, y_train, TOL, 20_000), s


def test_perfectly_conditioned_problem_takes_one_step(ex):
    # X̃ᵀX̃ = 4 I  →  κ = 1, H = cI 이고 η = 1/c 인 GD 한 step은 Newton step: 곧바로 최솟점이다.
    X = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    y = np.array([3.0, -1.0, 2.0, 0.5])
    assert_close(ex.hessian_condition_number(X), 1.0, "직교 열의 κ", rtol=F64_RTOL, atol=0.0)
    assert ex.steps_to_tolerance(X, y, 1e-9, 100) == 1


def test_steps_counts_from_zero_and_reports_failure(ex, wild):
    X_train, y_train, _ = wild
    gap0 = np.mean(y_train**2) - np.mean((augmented(X_train) @ np.linalg.lstsq(augmented(X_train), y_train,
                                                                                 rcond=None)[0] - y_train) ** 2)
    assert ex.steps_to_tolerance(X_train, y_train, 1.01 * gap0, 10) == 0    # 출발점이 이미 기준 안
    assert ex.steps_to_tolerance(X_train, y_train, TOL, 10) == 11           # 닿지 못함 = max_steps + 1


@pytest.mark.parametrize("kappa, gap0, tol", [(10.0, 1.0, 1e-6), (250.0, 30.0, 1e-3), (1.5, 2.0, 1e-12),
                                              (4.0, 1e-4, 1e-3)])
def test_step_upper_bound_is_tight_on_the_slowest_direction(ex, kappa, gap0, tol):
    """4단계: 오차가 λ_min 방향에만 있으면 gap은 매 step 정확히 (1 − 1/κ)² 배다. 그 수열을 이 파일이 직접 돌려 센다."""
    gap, steps = gap0, 0
    while gap > tol:
        gap *= (1.0 - 1.0 / kappa) ** 2
        steps += 1
    assert_equal(ex.step_upper_bound(kappa, gap0, tol), steps, f"step 상한 (κ={kappa}, gap0={gap0}, tol={tol})")


@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_step_upper_bound_is_above_the_measured_steps(ex, diabetes, scale):
    """4단계: 실제 데이터에서 고유분해로 센 step 수는 상한을 넘지 않는다 (열 하나를 scale배 한 문제 포함)."""
    X, y, _ = diabetes
    X = X.copy()
    X[:, 0] *= scale
    A = augmented(X)
    theta = np.linalg.lstsq(A, y, rcond=None)[0]
    gap0, tol = np.mean(y**2) - np.mean((A @ theta - y) ** 2), 1e-6
    bound = ex.step_upper_bound(np.linalg.cond(A) ** 2, gap0, tol)
    measured = predicted_steps(X, y, tol, bound + 10)
    assert measured <= bound, f"측정한 step 수 {measured}가 상한 {bound}를 넘습니다"
