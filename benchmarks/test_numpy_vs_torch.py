"""numpy_vs_torch의 도구: 메모리 측정이 크기를 아는 할당을 맞게 재는지, NumPy attention이 dtype을 지키는지,
thread 줄이 서로를 방해하지 않게 나눠 재는지."""
import numpy as np
import pytest

from benchmarks.numpy_vs_torch import torch_peak_mb, tracemalloc_peak_mb


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


def test_numpy_attention_stays_float32_and_matches_sdpa():
    import torch
    import torch.nn.functional as F

    from benchmarks.numpy_vs_torch import numpy_attention

    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((1, 2, 5, 8), dtype=np.float32) for _ in range(3))
    out = numpy_attention(q, k, v)
    assert out.dtype == np.float32                 # float64 scalar로 나누면 NumPy 2에서 float64로 승격된다
    expected = F.scaled_dot_product_attention(*(torch.from_numpy(a) for a in (q, k, v))).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    q64 = q.astype(np.float64)
    assert numpy_attention(q64, k.astype(np.float64), v.astype(np.float64)).dtype == np.float64


def test_torch_two_threads_are_not_timed_next_to_numpy_two_threads(monkeypatch):
    """NumPy(OpenBLAS)의 2-thread 호출 뒤에는 worker thread가 한동안 두 번째 core에서 돈다: torch 2 thread를 같은
    번갈아 재기에 넣으면 그 core를 나눠 써 thread 비율이 틀어진다. 그래서 둘은 다른 호출에서 잰다."""
    from benchmarks import numpy_vs_torch

    calls = []
    real = numpy_vs_torch.interleaved_times

    def recording(fns, repeats, setup=None):
        calls.append(set(fns))
        return real(fns, repeats, setup)

    monkeypatch.setattr(numpy_vs_torch, "interleaved_times", recording)
    rows = numpy_vs_torch.thread_rows(16, 2, 1, np.random.default_rng(0))
    assert any("torch2" in names for names in calls) and any("numpy2" in names for names in calls)
    assert not any({"numpy2", "torch2"} <= names for names in calls)
    assert any({"numpy1", "torch1"} <= names for names in calls)        # 1절의 표제 비율은 같은 회의 쌍
    pairs = [(r["a"], r["b"]) for r in rows if r.get("group") == "threads"]           # matmul 둘, conv2d 하나
    assert pairs == [("NumPy 2 thread", "NumPy 1 thread")] + [("torch 2 thread", "torch 1 thread")] * 2
