"""benchmark_attention 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

import torch
from torch import nn

from . import benchmark_attention
from .paper.transformer import Transformer, greedy_decode


def test_benchmark_runs_in_tiny_mode_and_every_row_has_goal_and_verdict(tmp_path, capsys):
    result = benchmark_attention.main(["--tiny", "--out", str(tmp_path)])
    rows = result["rows"]
    goals = {r["goal"] for r in rows}
    assert goals == {"kernel", "L3", "cache"}
    for r in rows:
        assert math.isfinite(r["ratio"]) and r["verdict"] in ("met", "not met", "unclear"), r["name"]
        assert len(r["a_wall_s"]) == len(r["b_wall_s"]) == 2
    names = [r["name"] for r in rows]
    assert any(n.startswith("Transformer 2+2층") for n in names)
    assert all(r["max_abs_diff"] < 1e-5 for r in rows if "max_abs_diff" in r)
    assert all(r["same_tokens"] for r in rows if "same_tokens" in r) and sum("same_tokens" in r for r in rows) == 2
    assert all(m["ours"] >= 0 and m["sdpa"] >= 0 for m in result["peak_memory_mb"].values())
    assert (tmp_path / "result.json").exists()
    printed = capsys.readouterr().out
    assert "F.scaled_dot_product_attention" in printed and "판정: " in printed


def test_reference_greedy_loop_decodes_like_ours():
    torch.manual_seed(0)
    ref = nn.Transformer(16, 2, 1, 2, 32, dropout=0.0, batch_first=True).eval()     # decoder 2층: 앞 위치가 뒤로 흐른다
    model = Transformer(11, 16, 2, 1, 2, 32, dropout=0.0, max_len=12, final_norm=True).eval()
    model.load_reference_state(ref.state_dict())
    src = torch.randint(3, 11, (8, 5), generator=torch.Generator().manual_seed(2))
    ours = greedy_decode(model, src, 1, -1, 7)
    assert torch.equal(benchmark_attention.reference_greedy_decode(model, ref, src, 1, 7), ours)


def _native_ops(layer, x) -> set[str]:
    from torch.profiler import ProfilerActivity, profile
    with torch.no_grad(), profile(activities=[ProfilerActivity.CPU]) as prof:
        layer(x)
    return {event.key for event in prof.key_averages()}


def test_encoder_eval_rows_compare_against_nn_with_and_without_its_fast_path():
    layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.1, batch_first=True).eval()
    x = torch.randn(2, 5, 16)
    assert "aten::_transformer_encoder_layer_fwd" in _native_ops(layer, x)         # 켠 쪽은 정말 fast path를 탄다
    with benchmark_attention.fastpath_disabled():
        assert "aten::_transformer_encoder_layer_fwd" not in _native_ops(layer, x)
    assert torch.backends.mha.get_fastpath_enabled()
    try:
        with benchmark_attention.fastpath_disabled():
            raise RuntimeError("중간에 실패")
    except RuntimeError:
        pass
    assert torch.backends.mha.get_fastpath_enabled()                             # 예외가 나도 되돌린다
    rows = benchmark_attention.encoder_layer_times(1, d_model=16, heads=2, d_ff=32, B=2, T=5)
    assert [r["b"] for r in rows] == ["nn.TransformerEncoderLayer", "nn.TransformerEncoderLayer",
                                      "nn.TransformerEncoderLayer (fast path 끔)"]
    assert all(r["max_abs_diff"] < 1e-5 for r in rows if "max_abs_diff" in r)
