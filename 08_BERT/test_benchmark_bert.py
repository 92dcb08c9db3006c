"""benchmark_bert 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

from . import benchmark_bert


def test_benchmark_tiny_runs_once_and_returns_ratios_and_agreement(capsys):
    result = benchmark_bert.main(["--tiny", "--lengths", "16", "--batch", "2", "--repeats", "1"])
    row = result["rows"][0]
    for key in ("ours_vs_hf_sdpa", "ours_vs_hf_eager"):
        assert math.isfinite(row[key]) and row[key] > 0, key
    assert row["max_abs_diff_vs_eager"] < 1e-5 and row["max_abs_diff_vs_sdpa"] < 1e-5
    assert result["environment"]["threads"] == 1
    assert "HF sdpa" in capsys.readouterr().out
