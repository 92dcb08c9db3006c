"""benchmark_bert 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

from . import benchmark_bert


def test_benchmark_tiny_runs_and_every_row_has_goal_verdict_and_agreement(capsys):
    result = benchmark_bert.main(["--tiny", "--lengths", "16", "--train-length", "16", "--batch", "2",
                                  "--repeats", "2"])
    rows = result["rows"]
    assert [(r["name"], r["b"]) for r in rows] == [("forward T=16", "HF sdpa"), ("forward T=16", "HF eager"),
                                                  ("MLM 학습 step T=16 (AdamW)", "HF BertForMaskedLM")]
    for r in rows:
        assert r["goal"] == "L3" and r["verdict"] in ("met", "not met", "unclear")
        assert math.isfinite(r["ratio"]) and r["max_abs_diff"] < 1e-5, r["name"]
    assert result["environment"]["threads"] == 1
    assert "HF sdpa" in capsys.readouterr().out
