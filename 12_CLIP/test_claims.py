"""12장 claims: few-shot 표본 (class마다 k장, 포개짐), quick 경로, 줄인 실행의 기록."""
import math

import numpy as np
import pytest

from utils.claims import REQUIRED_KEYS, run_claim

from . import claims


def test_first_shots_take_k_per_class_and_nest():
    labels = np.array([0] * 5 + [1] * 2 + [3] * 9)
    order = claims.shuffled_by_class(labels, np.random.default_rng(0))
    assert sorted(order) == [0, 1, 3]
    previous = set()
    for k in claims.SHOTS:
        shots = claims.first_shots(order, k)
        counts = {c: int((labels[shots] == c).sum()) for c in (0, 1, 3)}
        assert counts == {0: min(k, 5), 1: min(k, 2), 3: min(k, 9)}
        assert previous <= set(shots.tolist())                          # k장은 더 큰 k의 shot에 들어 있다
        previous = set(shots.tolist())


def test_quick_path_returns_every_arm_finite():
    claim = claims.CLAIMS[0]
    values = claim.run(0, True)
    assert set(values) == set(claim.arms) == {"zero_shot", "probe_1", "probe_2", "probe_4", "probe_8", "probe_16"}
    assert all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values.values())


# 줄인 실행의 크기: clip_paper.py를 `--n-train 1500 --epochs 3`으로 돌린 것과 같은 학습
# (test는 clip_paper.py처럼 1,000장). 아래 두 slow 테스트가 이 한 번의 실행 (seed 0, 1)을 나눠 쓴다.
REDUCED = dict(n_train=1500, n_test=1000, epochs=3)


@pytest.fixture(scope="module")
def reduced_record():
    """줄인 크기의 주장 실행 하나 (seed 0, 1): seed마다 CLIP 학습 한 번, zero-shot과 probe 다섯 개."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(claims, "FULL", dict(claims.FULL, **REDUCED))
        return run_claim(claims.CLAIMS[0], [0, 1])


@pytest.mark.slow
def test_reduced_run_records_every_key(reduced_record):
    record = reduced_record
    assert all(key in record for key in REQUIRED_KEYS)
    assert record["verdict"] in ("holds", "does not hold", "inconclusive")
    assert record["seeds"] == [0, 1]
    assert all(0.0 <= v <= 1.0 for values in record["arms"].values() for v in values)
    assert all(v > 1 / 80 for v in record["arms"]["probe_16"])             # 16장이면 chance (1/80)보다 낫다


@pytest.mark.slow
def test_zero_shot_arm_is_the_number_clip_paper_reports(tmp_path, reduced_record):
    # 같은 seed·크기면 clip_paper.py의 held-out zero-shot 정확도와 주장의 zero_shot arm이 정확히 같은 값이어야 한다
    # (두 번째 사본이 아니다)
    from .paper import clip_paper

    argv = ["--n-train", str(REDUCED["n_train"]), "--epochs", str(REDUCED["epochs"]), "--seed", "1",
            "--threads", "1", "--out", str(tmp_path)]
    reported = clip_paper.main(argv)["value"]                             # 학습 1,500장, 3 epoch, test 1,000장
    assert reduced_record["seeds"][1] == 1
    assert reduced_record["arms"]["zero_shot"][1] == reported
