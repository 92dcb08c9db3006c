"""numpy_vs_torch의 도구: 메모리 측정이 크기를 아는 할당을 맞게 재는지, NumPy attention이 dtype을 지키는지."""
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
