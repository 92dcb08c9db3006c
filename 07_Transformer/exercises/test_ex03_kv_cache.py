"""연습문제 03 (KV cache) 채점: step마다의 logits == 전체 다시 계산 → greedy 결과가 같다 → cache가 자란다 →
cross-attention의 K, V는 한 번만 계산된다.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_kv_cache.py`)을 검사한다. 기준은 장의
`paper/transformer.py`의 `Transformer.decode` (매 step 전체를 다시 계산)와 `greedy_decode`다.
"""
import numpy as np
import pytest
import torch

from utils.exercises import load_exercise
from utils.gradcheck import F32_ATOL

from ..paper.transformer import Transformer, greedy_decode, subsequent_mask

V, BOS, EOS = 17, 1, 2


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_kv_cache")


@pytest.fixture
def model():
    torch.manual_seed(0)
    return Transformer(V, 24, 4, 2, 3, 40, dropout=0.1).eval()


def source():
    src = torch.randint(3, V, (4, 6), generator=torch.Generator().manual_seed(1))
    src[1, 4:] = 0
    src[3, 2:] = 0
    return src


@pytest.mark.parametrize("final_norm", [False, True])
def test_each_step_equals_full_recomputation(ex, final_norm):
    torch.manual_seed(2)
    model = Transformer(V, 24, 4, 2, 3, 40, final_norm=final_norm).eval()
    src = source()
    src_pad = src == 0
    with torch.no_grad():
        memory = model.encode(model.embed(src, "src"), src_pad)
        cache = ex.init_cache(model, memory, src_pad)
        ys = torch.full((4, 1), BOS)
        for _ in range(7):
            step_logits = ex.decode_step(model, ys[:, -1], cache)
            T = ys.shape[1]
            full = model.project(model.decode(model.embed(ys, "tgt"), memory, subsequent_mask(T), None, src_pad))
            np.testing.assert_allclose(step_logits.numpy(), full[:, -1].numpy(), rtol=0, atol=F32_ATOL)
            ys = torch.cat([ys, torch.randint(3, V, (4, 1))], dim=1)            # 아무 token이나 이어 넣어도 같아야 한다


def test_cached_greedy_equals_greedy(ex, model):
    src = source()
    expected = greedy_decode(model, src, BOS, EOS, max_len=9)
    assert torch.equal(ex.greedy_decode_cached(model, src, BOS, EOS, max_len=9), expected)


def test_cache_grows_by_one_position_and_memory_keys_are_computed_once(ex, model):
    src = source()
    with torch.no_grad():
        memory = model.encode(model.embed(src, "src"), src == 0)
        cache = ex.init_cache(model, memory, src == 0)
        mem_k = [entry["mem_k"] for entry in cache["layers"]]
        assert len(cache["layers"]) == 3 and mem_k[0].shape == (4, 4, 6, 6)    # (B, nh, S, hs)
        token = torch.full((4,), BOS)
        for t in range(1, 4):
            ex.decode_step(model, token, cache)
            assert cache["length"] == t
            for entry, k0 in zip(cache["layers"], mem_k):
                assert entry["k"].shape == entry["v"].shape == (4, 4, t, 6)
                assert entry["mem_k"] is k0                                     # 다시 계산하지 않았다
