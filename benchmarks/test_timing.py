"""timing.py와 메모리 측정 도구: 알려진 입력으로 값이 맞는지 (시간 자체는 판정하지 않는다)."""
import numpy as np
import pytest

from benchmarks.numpy_vs_torch import torch_peak_mb, tracemalloc_peak_mb
from benchmarks.timing import Recorder, make_row


def test_make_row_ratio_of_medians_and_per_round_range():
    row = make_row("g", "n", "a", "b", [2.0, 4.0, 9.0], [1.0, 1.0, 3.0])
    assert row["ratio"] == pytest.approx(4.0 / 1.0)          # 중앙값 4 / 중앙값 1
    assert row["ratio_min"] == pytest.approx(2.0)            # round별 2/1, 4/1, 9/3
    assert row["ratio_max"] == pytest.approx(4.0)
    assert row["a_ms"] == pytest.approx(4000.0)
    single = make_row("g", "n", "a", "b", [2.0], [1.0])
    assert single["ratio_min"] is None and single["ratio"] == pytest.approx(2.0)
    with pytest.raises(ValueError, match="표본"):
        make_row("g", "n", "a", "b", [], [1.0])


def test_recorder_finds_samples_by_median():
    from utils.benchmark import median_seconds, recording, side_by_side

    with recording() as records:
        out = side_by_side({"a": lambda: sum(range(1000)), "b": lambda: None}, 3)
        median = median_seconds(lambda: None, 4)
    rec = Recorder(records)
    samples = rec.samples(out["a"]["median"])
    assert len(samples) == 3 and np.median(samples) == out["a"]["median"]
    assert len(rec.samples(median)) == 4
    assert rec.samples(123.0) == [123.0]                    # 모르는 값: 범위 없이 그 값 하나


def test_memory_peaks_see_a_known_allocation():
    import torch

    def numpy_8mb():
        a = np.ones(2**20)                                   # 8 MB (float64)
        return float(a.sum())

    def torch_two_4mb_then_one():
        a = torch.ones(2**20)                                # 4 MB
        b = a * 2                                            # 4 MB: 여기서 8 MB
        del a
        c = b + 1                                            # a를 놓은 뒤라 다시 8 MB
        return float(c.sum())

    assert tracemalloc_peak_mb(numpy_8mb) == pytest.approx(8.0, abs=0.5)
    assert torch_peak_mb(torch_two_4mb_then_one) == pytest.approx(8.0, abs=0.5)
