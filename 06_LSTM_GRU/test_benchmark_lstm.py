"""benchmark_lstm 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

from utils.gradcheck import F32_ATOL

from . import benchmark_lstm


def test_benchmark_runs_and_every_row_has_goal_verdict_and_agreement(capsys):
    result = benchmark_lstm.main(["--repeats", "2", "--batch", "4", "--steps", "12", "--hidden", "16",
                                  "--input-size", "8"])
    rows = result["rows"]
    assert [(r["a"], r["b"], r["goal"]) for r in rows] == [
        ("NumPy LSTM (L1)", "nn.LSTM", "kernel"), ("low-level LSTM (L2)", "nn.LSTM", "kernel"),
        ("L3 LSTM", "nn.LSTM", "L3"), ("L3 LSTM", "nn.LSTM", "L3"), ("L3 GRU", "nn.GRU", "L3"),
        ("L3 GRU", "nn.GRU", "L3")]
    for r in rows:
        assert math.isfinite(r["ratio"]) and r["verdict"] in ("met", "not met", "unclear"), r["name"]
        # float32 모듈 parity의 기준 (docs/01 허용 오차 표): 최대 절대 오차 ≤ F32_ATOL, O(1) 크기로 정규화한 값에서
        assert r["rel_diff"] <= F32_ATOL, r["name"]
        assert len(r["a_wall_s"]) == len(r["b_wall_s"]) == 2
    assert result["environment"]["threads"] == 1
    printed = capsys.readouterr().out
    assert "NumPy LSTM (L1)" in printed and "nn.GRU" in printed and "판정: " in printed
