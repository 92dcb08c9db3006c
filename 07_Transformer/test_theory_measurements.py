"""theory_measurements 실행 검사: 작은 크기에서 돌고, theory.md가 말하는 방향의 값을 낸다."""
import math

import pytest

from . import theory_measurements
from .paper.transformer_paper import inverse_sqrt_warmup_lr


def test_tiny_measurements_run_and_scaling_keeps_softmax_unsaturated(capsys):
    result = theory_measurements.main(["--tiny", "--training"])
    sat = result["softmax_saturation"]
    assert sat[64]["unscaled"] > sat[16]["unscaled"] > sat[16]["scaled"]          # d_k를 따라 포화가 커진다
    assert abs(sat[64]["scaled"] / sat[16]["scaled"] - 1) < 0.2                    # scale이 있으면 거의 그대로
    norms = result["ln_gradient_norms"][2]
    assert len(norms["post"]) == len(norms["pre"]) == 2
    assert all(math.isfinite(v) and v > 0 for v in norms["post"] + norms["pre"])
    runs = result["warmup_runs"]
    assert set(runs) == {"post_warmup", "post_none", "pre_warmup", "pre_none"}
    for row in runs.values():
        assert row["diverged_at"] is None and len(row["val_loss"]) == 2 and all(map(math.isfinite, row["val_loss"]))
    assert runs["post_none"]["peak_lr"] == pytest.approx(runs["post_warmup"]["peak_lr"])   # 같은 꼭짓점
    out = capsys.readouterr().out
    assert "post-LN" in out and "pre_none" in out


def test_no_warmup_schedule_starts_at_the_peak_and_then_equals_equation_3():
    warm, none = inverse_sqrt_warmup_lr(64, 400), theory_measurements.no_warmup_lr(64, 400)
    peak = (64 * 400) ** -0.5
    assert none(0) == pytest.approx(peak) and warm(0) == pytest.approx(peak / 400)     # 식 (3)은 1/400에서 시작
    assert all(none(t) == pytest.approx(peak) for t in (0, 100, 399))
    assert all(none(t) == pytest.approx(warm(t)) for t in (399, 400, 1000, 5000))
