"""benchmark_clip 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

from utils.gradcheck import F32_ATOL

from . import benchmark_clip


def test_tiny_benchmark_runs_and_reports_ratios(capsys):
    result = benchmark_clip.main(["--tiny", "--repeats", "1"])
    row = result["forward"]
    assert math.isfinite(row["ours_over_sdpa"]) and row["ours_over_sdpa"] > 0
    assert math.isfinite(row["ours_over_eager"]) and row["ours_over_eager"] > 0
    assert row["max_abs_diff"] <= F32_ATOL
    assert result["batch"] == 8 and result["environment"]["threads"] == 1
    assert "HF sdpa" in capsys.readouterr().out
