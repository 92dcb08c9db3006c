"""benchmark_lstm 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

from . import benchmark_lstm


def test_benchmark_runs_once_and_returns_ratios_and_agreement(capsys):
    result = benchmark_lstm.main(["--repeats", "1", "--batch", "4", "--steps", "12", "--hidden", "16",
                                  "--input-size", "8"])
    for key in ("numpy_vs_torch", "lowlevel_vs_torch"):
        assert math.isfinite(result[key]) and result[key] > 0, key
    assert result["rel_diff_numpy"] < 1e-5 and result["rel_diff_lowlevel"] < 1e-5     # float32, 합의 순서만 다르다
    assert result["environment"]["threads"] == 1
    printed = capsys.readouterr().out
    assert "NumPy LSTM (L1)" in printed and "nn.LSTM" in printed
