"""연습문제 02 (rolling KV cache) 채점: mask 모양 → window ≥ T면 보통 causal attention (SDPA) → 한 token씩 cache로
푼 값 = 한 번에 window attention → cache 길이는 window를 넘지 않는다.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_rolling_cache.py`)을 검사한다.
"""
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import load_exercise
from utils.gradcheck import F32_ATOL


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_rolling_cache")


def qkv(T=10, B=2, nh=2, hs=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(B, nh, T, hs, generator=g) for _ in range(3))


def test_window_mask_by_hand(ex):
    expected = torch.tensor([[1, 0, 0, 0], [1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]], dtype=torch.bool)
    assert torch.equal(ex.window_mask(4, 2), expected)
    assert torch.equal(ex.window_mask(5, 1), torch.eye(5, dtype=torch.bool))


def test_large_window_is_ordinary_causal_attention(ex):
    q, k, v = qkv()
    ref = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert (ex.windowed_attention(q, k, v, window=10) - ref).abs().max().item() <= F32_ATOL
    assert (ex.windowed_attention(q, k, v, window=50) - ref).abs().max().item() <= F32_ATOL


@pytest.mark.parametrize("window", [1, 3, 7])
def test_windowed_attention_equals_sdpa_with_band_mask(ex, window):
    q, k, v = qkv(seed=window)
    i, j = torch.arange(10)[:, None], torch.arange(10)[None, :]
    band = (j <= i) & (i - j < window)                                     # 채점용으로 따로 쓴 mask
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=band)
    assert (ex.windowed_attention(q, k, v, window) - ref).abs().max().item() <= F32_ATOL


@pytest.mark.parametrize("window", [1, 4, 12])
def test_decoding_with_rolling_cache_equals_full_windowed_attention(ex, window):
    q, k, v = qkv(T=12, seed=3)
    cache = ex.RollingKVCache(window)
    steps = []
    for t in range(12):
        steps.append(ex.decode_step(q[:, :, t:t + 1], k[:, :, t:t + 1], v[:, :, t:t + 1], cache))
        assert len(cache) == min(t + 1, window)
    assert (torch.cat(steps, dim=2) - ex.windowed_attention(q, k, v, window)).abs().max().item() <= F32_ATOL


def test_cache_keeps_the_most_recent(ex):
    cache = ex.RollingKVCache(2)
    for t in range(5):
        keys, _ = cache.append(torch.full((1, 1, 1, 1), float(t)), torch.zeros(1, 1, 1, 1))
    assert keys.flatten().tolist() == [3.0, 4.0]


def test_bad_window(ex):
    with pytest.raises(ValueError):
        ex.window_mask(4, 0)
    with pytest.raises(ValueError):
        ex.RollingKVCache(0)
