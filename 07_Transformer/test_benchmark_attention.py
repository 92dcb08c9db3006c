"""benchmark_attention 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

from . import benchmark_attention


def test_benchmark_runs_in_tiny_mode_and_returns_ratios(tmp_path, capsys):
    result = benchmark_attention.main(["--tiny", "--out", str(tmp_path)])
    assert result["attention"] and all(math.isfinite(r["ratio"]) and r["ratio"] > 0
                                       for r in result["attention"].values())
    for row in result["encoder_layer"].values():
        assert math.isfinite(row["train_ratio"]) and row["eval_max_abs_diff"] < 1e-5
    for row in result["decoding"].values():
        assert row["same_tokens"] and row["tokens_per_s_cached"] > 0
    assert all(m["ours"] >= 0 and m["sdpa"] >= 0 for m in result["peak_memory_mb"].values())
    assert (tmp_path / "result.json").exists()
    assert "F.scaled_dot_product_attention" in capsys.readouterr().out
