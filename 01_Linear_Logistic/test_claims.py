"""01장 claims.py 검증: quick 경로의 arm, step 세기의 경계, 표준화가 L*를 바꾸지 않고 κ만 줄인다는 전제."""
import math

import numpy as np
import pytest

from utils.claims import REQUIRED_KEYS, run_claim
from utils.datasets.base import split, standardize

from . import claims as C


@pytest.mark.parametrize("claim", C.CLAIMS, ids=lambda c: c.name)
def test_quick_run_returns_every_arm_finite(claim):
    values = claim.run(0, True)
    assert set(values) == set(claim.arms)
    assert all(math.isfinite(v) for v in values.values())
    assert 0 <= values["steps_standardized"] <= C.QUICK_STEP_CAP + 1
    assert math.isfinite(claim.criterion.per_seed(values))


@pytest.mark.parametrize("data", ["diabetes", "breast_cancer"])
def test_standardizing_keeps_the_minimum_and_shrinks_kappa(data):
    """주장의 전제: affine 표준화는 L*를 그대로 두고 (bias가 있으므로), κ만 여러 자릿수 줄인다."""
    X, y, stratify = C.raw_table(data)
    X_train, X_test, y_train, _ = split(X, y, 0.2, 0, stratify)
    X_std, _, _, _ = standardize(X_train, X_test)
    X_aug = np.hstack([X_train, np.ones((len(X_train), 1))])
    theta, *_ = np.linalg.lstsq(X_aug, y_train, rcond=None)              # raw에서 SVD로 푼 least squares
    raw_best = float(np.mean((X_aug @ theta - y_train) ** 2))
    assert C.closed_form_loss(X_std, y_train) == pytest.approx(raw_best, rel=1e-9)
    assert C.condition_number(X_train) > 1e4 * C.condition_number(X_std)
    assert C.condition_number(X_train) == pytest.approx(np.linalg.cond(X_aug) ** 2, rel=1e-6)


def test_steps_count_from_zero_and_report_the_cap():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4)) * np.array([16.0, 1.0, 1.0, 1.0])        # κ ≈ 280: 1,000 step보다 오래 걸린다
    y = X @ np.array([1.0, -2.0, 0.5, 1.0]) + 0.1 * rng.normal(size=200)
    assert C.steps_to_reach(X, y, target=1e9, cap=10, seed=0) == 0          # 출발점이 이미 기준 안
    assert C.steps_to_reach(X, y, target=-1.0, cap=10, seed=0) == 11        # 닿을 수 없는 기준 → cap + 1
    target = C.closed_form_loss(X, y) * 1.01
    k = C.steps_to_reach(X, y, target=target, cap=5_000, seed=0)
    assert C.CHUNK < k <= 5_000                                             # 조각 경계를 넘어 이어 센다
    model = C.LinearRegression(4, seed=0)                                   # 한 번에 돌린 GD와 같은 k
    losses = np.asarray(model.fit_gd(X, y, lr=0.5 * C.step_size_bound(X), epochs=k + 1))
    assert losses[k] <= target < losses[k - 1]
    assert C.steps_to_reach(X, y, target=target, cap=k - 1, seed=0) == k   # 상한 바로 아래면 "닿지 못함" = cap + 1


def test_step_count_grows_with_kappa():
    """한 열의 척도를 키우면 κ와 step 수가 함께 늘어난다 (주장이 재는 관계 그 자체)."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 4))
    y = X @ np.array([1.0, 0.5, -1.0, 2.0]) + 0.1 * rng.normal(size=200)
    target = C.closed_form_loss(X, y) * 1.01
    kappas, steps = [], []
    for scale in (1.0, 4.0, 16.0):
        Xs = X * np.array([scale, 1.0, 1.0, 1.0])
        kappas.append(C.condition_number(Xs))
        steps.append(C.steps_to_reach(Xs, y, target, cap=5_000, seed=0))
    assert kappas[0] < kappas[1] < kappas[2] and steps[0] < steps[1] < steps[2], (kappas, steps)


def test_unknown_table_is_refused():
    with pytest.raises(ValueError, match="diabetes"):
        C.raw_table("iris")


@pytest.mark.slow
def test_diabetes_claim_holds_in_full():
    """기본 seed 5개의 전체 실행 (CPU 약 20초). 미리 적은 기대: holds."""
    claim = next(c for c in C.CLAIMS if c.name == "conditioning_diabetes")
    record = run_claim(claim, list(range(claim.default_seeds)))
    assert set(REQUIRED_KEYS) <= set(record)
    assert record["verdict"] == "holds", record
