"""연습문제 02 (rolling KV cache) 채점: mask 모양 → window ≥ T면 보통 causal attention (SDPA) → 한 token씩 cache로
푼 값 = 한 번에 window attention → cache 길이는 window를 넘지 않는다 → 5단계 (층을 쌓은 도달 거리).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_rolling_cache.py`)을 검사한다.
"""
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import assert_close, assert_equal, assert_same_mask, load_exercise
from utils.gradcheck import F32_ATOL


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_rolling_cache")


def qkv(T=10, B=2, nh=2, hs=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(B, nh, T, hs, generator=g) for _ in range(3))


def test_window_mask_by_hand(ex):
    expected = torch.tensor([[1, 0, 0, 0], [1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]], dtype=torch.bool)
    assert_same_mask(ex.window_mask(4, 2), expected, "window_mask(4, 2) (True = 볼 수 있음)")
    assert_same_mask(ex.window_mask(5, 1), torch.eye(5, dtype=torch.bool), "window_mask(5, 1)")


def test_large_window_is_ordinary_causal_attention(ex):
    q, k, v = qkv()
    ref = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    assert_close(ex.windowed_attention(q, k, v, window=10), ref, "window = T = 10 (causal과 같다)",
                 rtol=0, atol=F32_ATOL)
    assert_close(ex.windowed_attention(q, k, v, window=50), ref, "window = 50 > T", rtol=0, atol=F32_ATOL)


@pytest.mark.parametrize("window", [1, 3, 7])
def test_windowed_attention_equals_sdpa_with_band_mask(ex, window):
    q, k, v = qkv(seed=window)
    i, j = torch.arange(10)[:, None], torch.arange(10)[None, :]
    band = (j <= i) & (i - j < window)                                     # 채점용으로 따로 쓴 mask
    ref = F.scaled_dot_product_attention(q, k, v, attn_mask=band)
    assert_close(ex.windowed_attention(q, k, v, window), ref, f"window {window} attention", rtol=0, atol=F32_ATOL)


@pytest.mark.parametrize("window", [1, 4, 12])
def test_decoding_with_rolling_cache_equals_full_windowed_attention(ex, window):
    q, k, v = qkv(T=12, seed=3)
    cache = ex.RollingKVCache(window)
    steps = []
    for t in range(12):
        steps.append(ex.decode_step(q[:, :, t:t + 1], k[:, :, t:t + 1], v[:, :, t:t + 1], cache))
        assert_equal(len(cache), min(t + 1, window), f"step {t} 뒤 cache 길이")
    assert_close(torch.cat(steps, dim=2), ex.windowed_attention(q, k, v, window),
                 f"한 token씩 푼 12 step (window {window})", rtol=0, atol=F32_ATOL)


def test_cache_keeps_the_most_recent(ex):
    cache = ex.RollingKVCache(2)
    for t in range(5):
        keys, _ = cache.append(torch.full((1, 1, 1, 1), float(t)), torch.zeros(1, 1, 1, 1))
    assert_equal(keys.flatten().tolist(), [3.0, 4.0], "window 2 cache에 남은 key (5개를 넣은 뒤)")


def test_bad_window(ex):
    with pytest.raises(ValueError):
        ex.window_mask(4, 0)
    with pytest.raises(ValueError):
        ex.RollingKVCache(0)


def reach_distance(n_layers, window, T=64):
    """채점 쪽 계산: band mask A (A[i, j] = 위치 j가 i에 닿음)를 n_layers번 boolean 곱하고,
    마지막 위치에 닿는 가장 먼 j까지의 거리."""
    i, j = torch.arange(T)[:, None], torch.arange(T)[None, :]
    step = ((j <= i) & (i - j < window)).to(torch.int64)
    reach = torch.eye(T, dtype=torch.int64)
    for _ in range(n_layers):
        reach = ((step @ reach) > 0).to(torch.int64)
    return T - 1 - int(torch.nonzero(reach[T - 1])[0])


@pytest.mark.parametrize("n_layers, window", [(1, 1), (1, 5), (2, 4), (3, 3), (4, 8), (6, 2)])
def test_receptive_field_equals_reachability(ex, n_layers, window):
    assert_equal(ex.receptive_field(n_layers, window), reach_distance(n_layers, window),
                 f"receptive_field({n_layers}층, window {window})")
