"""09장 claims: parameter 수 (닫힌 식), log–log 기울기, held-out loss, quick 경로, 줄인 실행의 기록."""
import math

import pytest
import torch

from utils.claims import REQUIRED_KEYS, run_claim

from . import claims


def test_parameter_count_matches_the_closed_form():
    # GPT-2: wte V·d + wpe B·d + 층마다 (ln 2·2d, attn 3d² + 3d + d² + d, mlp 4d² + 4d + 4d² + d) + ln_f 2d
    V, B, L = 256 + claims.MERGES, claims.BLOCK, claims.N_LAYER
    for d in claims.WIDTHS:
        assert claims.parameter_count(d) == V * d + B * d + L * (12 * d * d + 13 * d) + 2 * d
    counts = [claims.parameter_count(d) for d in claims.WIDTHS]
    assert counts == sorted(counts)


def test_loglog_slope_recovers_a_power_law():
    for exponent in (-0.1, 0.0, 0.05):
        losses = {arm: 3.0 * claims.parameter_count(d) ** exponent for arm, d in zip(claims.ARMS, claims.WIDTHS)}
        assert claims.loglog_slope(losses) == pytest.approx(exponent, abs=1e-9)


def test_untrained_model_scores_about_ln_vocab_on_every_validation_block():
    val = torch.randint(0, 256 + claims.MERGES, (5 * claims.BLOCK + 1,))
    torch.manual_seed(0)
    model = claims.GPT(claims.config(16))
    assert claims.held_out_loss(model, val) == pytest.approx(math.log(256 + claims.MERGES), abs=0.05)


def test_quick_path_returns_every_arm_finite():
    claim = claims.CLAIMS[0]
    values = claim.run(0, True)
    assert set(values) == set(claim.arms)
    assert all(math.isfinite(v) and v > 0 for v in values.values())
    assert math.isfinite(claim.criterion.per_seed(values))


@pytest.mark.slow
def test_reduced_run_records_every_key(monkeypatch):
    monkeypatch.setattr(claims, "FULL", dict(claims.FULL, steps=60, warmup=6))
    record = run_claim(claims.CLAIMS[0], [0, 1])
    assert all(key in record for key in REQUIRED_KEYS)
    assert record["verdict"] in ("holds", "does not hold", "inconclusive")
    ln_vocab = math.log(256 + claims.MERGES)
    assert all(0 < v < ln_vocab - 0.2 for values in record["arms"].values() for v in values)   # 60 step에도 배운다
    assert all(math.isfinite(s) for s in record["per_seed_statistic"])
