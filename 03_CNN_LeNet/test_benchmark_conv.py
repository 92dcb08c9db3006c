"""benchmark_conv 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

import numpy as np

from . import benchmark_conv


def test_benchmark_runs_and_every_row_has_goal_and_verdict(capsys):
    result = benchmark_conv.main(["--repeats", "2", "--naive-repeats", "1", "--batch", "4"])
    rows = result["rows"]
    assert len(rows) == 9 and [r["goal"] for r in rows[:3]] == ["kernel", "buffers", "im2col"]
    for r in rows:
        assert math.isfinite(r["ratio"]) and r["ratio_low"] <= r["ratio"] <= r["ratio_high"], r["name"]
        assert r["verdict"] in ("met", "not met", "unclear") and r["rel_diff"] < 1e-4, r["name"]
        assert len(r["a_wall_s"]) == len(r["b_wall_s"]) == (1 if r["goal"] == "im2col" else 2)
    assert result["batch"] == 4 and result["environment"]["threads"] == 1
    printed = capsys.readouterr().out
    assert "F.conv2d + autograd" in printed and printed.rstrip().splitlines()[-1].startswith("판정: ")
    for layer in result["layers"]:
        assert layer["page_faults_im2col"] >= 0 and layer["page_faults_fresh"] >= 0


def test_fresh_conv_allocates_every_step_and_computes_the_same():
    rng = np.random.default_rng(0)
    ours, fresh = benchmark_conv.Conv2D(2, 3, 5, rng=rng), benchmark_conv.FreshConv2D(2, 3, 5)
    fresh.params = {k: v.copy() for k, v in ours.params.items()}
    x = rng.normal(size=(2, 2, 9, 9))
    assert np.array_equal(ours.forward(x), fresh.forward(x))
    assert fresh.buffers == {} and set(ours.buffers) == {"cols"}


def test_page_faults_count_fresh_pages():
    import mmap

    def touch_fresh_8mb():                          # OS에서 새로 받은 8 MB를 page마다 한 번씩 쓴다 → page마다 fault
        block = mmap.mmap(-1, 8 * 2**20)
        for offset in range(0, len(block), mmap.PAGESIZE):
            block[offset] = 1
        block.close()

    assert benchmark_conv.page_faults_per_call(lambda: None) < 50
    assert benchmark_conv.page_faults_per_call(touch_fresh_8mb) > 8 * 2**20 // mmap.PAGESIZE // 2


def test_profile_stages_cover_the_step():
    times = benchmark_conv.profile_stages(6, 16, 14, batch=4, repeats=1, seed=0)
    assert list(times) == ["im2col", "forward matmul", "dW matmul", "dcols matmul", "col2im", "합"]
    assert all(t > 0 for t in times.values())
    assert times["합"] == sum(t for name, t in times.items() if name != "합")
