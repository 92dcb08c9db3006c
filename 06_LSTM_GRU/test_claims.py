"""06장 claims.py 검증: quick 경로의 arm, 두 주장이 같은 실행을 한 번만 학습하는지, seed 하나의 기본 실행 (slow)."""
import math

import pytest

from utils.claims import REQUIRED_KEYS, quick_values_and_training_calls, run_claim

from . import claims as C


def test_quick_run_returns_every_arm_finite_and_both_claims_share_it():
    values, calls = quick_values_and_training_calls(C, "run_adding", 3)
    assert calls == [3]                                                   # 두 주장, 학습은 한 번
    assert values[0] == values[1] and set(values[0]) == set(C.ARMS)
    assert all(math.isfinite(v) and v > 0 for v in values[0].values())
    assert 0.1 < values[0]["baseline_mse"] < 0.25                         # Var(u_a + u_b) = 1/6 근처


def test_criteria_read_the_right_arms():
    v = {"mse_rnn": 0.16, "mse_lstm": 0.002, "mse_gru": 0.004, "baseline_mse": 0.16}
    gated, rnn = (c.criterion.per_seed(v) for c in C.CLAIMS)
    assert gated == pytest.approx(0.025) and rnn == pytest.approx(1.0)


@pytest.mark.slow
def test_one_seed_of_the_default_experiment():
    """기본 처방, seed 0 하나 (CPU 약 240초; 예전 `paper/test_paper.py`의 T = 100 수렴 테스트를 대신한다).
    seed 하나라 구간은 없고, 값은 예전 기준을 따른다: LSTM, GRU < 0.01, RNN > 0.8 × 기준선."""
    C._experiment.cache_clear()
    records = [run_claim(claim, [0]) for claim in C.CLAIMS]
    for record in records:
        assert set(REQUIRED_KEYS) <= set(record)
    mse = {arm: values[0] for arm, values in records[0]["arms"].items()}
    assert 0.15 < mse["baseline_mse"] < 0.19
    assert mse["mse_lstm"] < 0.01 and mse["mse_gru"] < 0.01, mse
    assert mse["mse_rnn"] > 0.8 * mse["baseline_mse"], mse
