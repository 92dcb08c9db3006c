"""benchmark_conv 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

from . import benchmark_conv


def test_benchmark_runs_once_and_returns_ratios(capsys):
    result = benchmark_conv.main(["--repeats", "1"])
    assert set(result["ratios"]) == {"C1", "C3", "C5"}
    for layer, ratios in result["ratios"].items():
        for key in ("im2col_vs_torch", "naive_vs_im2col"):
            assert math.isfinite(ratios[key]) and ratios[key] > 0, (layer, key)
    assert result["batch"] == 64 and result["environment"]["threads"] == 1
    printed = capsys.readouterr().out
    assert "im2col / torch" in printed and printed.count("| C") == 3
