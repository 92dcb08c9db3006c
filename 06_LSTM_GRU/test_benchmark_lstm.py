"""benchmark_lstm 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

from utils.gradcheck import F32_ATOL

from . import benchmark_lstm


def test_benchmark_runs_once_and_returns_ratios_and_agreement(capsys):
    result = benchmark_lstm.main(["--repeats", "1", "--batch", "4", "--steps", "12", "--hidden", "16",
                                  "--input-size", "8"])
    for key in ("numpy_vs_torch", "lowlevel_vs_torch"):
        assert math.isfinite(result[key]) and result[key] > 0, key
    # float32 모듈 parity의 기준 (docs/01 허용 오차 표): 최대 절대 오차 ≤ F32_ATOL, O(1) 크기로 정규화한 값에서
    assert result["rel_diff_numpy"] <= F32_ATOL and result["rel_diff_lowlevel"] <= F32_ATOL
    assert result["environment"]["threads"] == 1
    printed = capsys.readouterr().out
    assert "NumPy LSTM (L1)" in printed and "nn.LSTM" in printed
