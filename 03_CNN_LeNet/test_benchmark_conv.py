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
    for row in result["rows"]:
        assert row["page_faults_im2col"] >= 0 and row["page_faults_torch"] >= 0


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
