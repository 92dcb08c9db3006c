"""benchmark_vit 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

from utils.gradcheck import F32_ATOL

from . import benchmark_vit


def test_quick_benchmark_runs_and_every_row_has_goal_verdict_and_agreement(capsys):
    result = benchmark_vit.main(["--quick", "--repeats", "2", "--patch-sweep"])
    rows = result["rows"]
    assert [r["name"] for r in rows] == ["forward (no_grad)", "forward+backward", "학습 step (cross-entropy, AdamW)"]
    for r in rows:
        assert r["goal"] == "L3" and r["verdict"] in ("met", "not met", "unclear") and math.isfinite(r["ratio"])
    assert rows[0]["max_abs_diff"] <= F32_ATOL
    assert rows[1]["max_abs_grad_diff"] <= 10 * F32_ATOL       # 합의 gradient: 항이 많다
    assert result["environment"]["threads"] == 1
    assert "판정: " in capsys.readouterr().out


def test_patch_sweep_counts_tokens_and_attention_share():
    rows = benchmark_vit.patch_sweep(quick=True, repeats=1)
    assert [r["tokens"] for r in rows] == [(32 // 8) ** 2 + 1, (32 // 4) ** 2 + 1]
    D, L = benchmark_vit.QUICK["embed_dim"], benchmark_vit.QUICK["depth"]
    for r in rows:                                            # attention의 bmm 두 개: q kᵀ와 A v, 각각 T·T·D MAC
        assert r["attention_macs"] == 2 * r["tokens"] ** 2 * D * L
    assert rows[1]["attention_share"] > rows[0]["attention_share"]
