"""benchmark_clip 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

from utils.gradcheck import F32_ATOL

from . import benchmark_clip


def test_tiny_benchmark_runs_and_every_row_has_goal_verdict_and_agreement(capsys):
    result = benchmark_clip.main(["--tiny", "--repeats", "2"])
    rows = result["rows"]
    assert [(r["name"], r["b"]) for r in rows] == [("image+text forward", "HF sdpa"),
                                                  ("image+text forward", "HF eager"),
                                                  ("학습 step (contrastive loss, AdamW)", "HF sdpa")]
    for r in rows:
        assert r["goal"] == "L3" and r["verdict"] in ("met", "not met", "unclear") and math.isfinite(r["ratio"])
    assert rows[0]["max_abs_diff"] <= F32_ATOL
    assert result["batch"] == 8 and result["environment"]["threads"] == 1
    printed = capsys.readouterr().out
    assert "HF sdpa" in printed and "판정: " in printed
