"""연습문제 04 (KV cache를 쓰는 beam search) 채점: 장의 `beam_search`와 token 하나까지 같다 (decoder는 cache로만) →
`reorder_cache`가 가설마다 다른 tensor만 다시 고른다.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex04_beam_search_cache.py`, 안에서 내가 쓴
`ex03_kv_cache.py`)을 검사한다. 기준은 장의 `paper/transformer.py`의 `beam_search` (매 step 전체를 다시 계산)다.
"""
import pytest
import torch

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL

from ..paper.transformer import Transformer, beam_search

V, BOS, EOS = 17, 1, 2


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex04_beam_search_cache")


def make_model(seed, norm_first=False):
    """무작위 float64 모델. target embedding을 키워 다음 token이 과거 token에 크게 달려 있게 한다
    (그래야 cache를 부모 순서로 바꾸지 않은 구현이 다른 답을 낸다)."""
    torch.manual_seed(seed)
    model = Transformer(V, 24, 4, 2, 3, 40, dropout=0.1, norm_first=norm_first).eval().double()
    with torch.no_grad():
        model.src_embedding.weight.mul_(3.0)
    return model


def source():
    src = torch.randint(3, V, (4, 6), generator=torch.Generator().manual_seed(1))
    src[1, 4:] = 0
    src[3, 2:] = 0
    return src


def forbid_full_recomputation(model):
    def refuse(*args, **kwargs):
        raise AssertionError("beam_search_cached가 model.decode (전체 재계산)를 불렀습니다: decode_step만 쓰세요")
    model.decode = refuse


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("beam, alpha", [(4, 0.6), (3, 1.0), (1, 0.0)])
def test_equals_the_chapter_beam_search(ex, seed, beam, alpha):
    model = make_model(seed)
    src = source()
    expected = beam_search(model, src, BOS, EOS, max_len=9, beam_size=beam, alpha=alpha)
    forbid_full_recomputation(model)
    out = ex.beam_search_cached(model, src, BOS, EOS, max_len=9, beam_size=beam, alpha=alpha)
    assert_equal(out, expected, f"beam 출력 (seed {seed}, beam {beam}, α {alpha}, 폭 {expected.shape[1]})")


@pytest.mark.parametrize("seed", [1, 3])
def test_equals_the_chapter_beam_search_for_pre_ln(ex, seed):
    model = make_model(seed, norm_first=True)
    src = source()
    expected = beam_search(model, src, BOS, EOS, max_len=7, beam_size=4, alpha=0.6)
    forbid_full_recomputation(model)
    assert_equal(ex.beam_search_cached(model, src, BOS, EOS, max_len=7, beam_size=4, alpha=0.6), expected,
                 f"pre-LN 모델의 beam 출력 (seed {seed})")


def test_reorder_cache_follows_the_parents_and_leaves_the_rest(ex):
    """1단계: self-attention K, V의 행 r은 이전 행 rows[r]이 되고, 다시 고를 필요가 없는 것은 같은 tensor 객체."""
    from .solutions.ex03_kv_cache import decode_step, init_cache  # 채점 쪽에서 cache를 만든다

    model = make_model(4)
    B, K = 2, 3
    src = source()[:B]
    src_pad = src == 0
    with torch.no_grad():
        memory = model.encode(model.embed(src, "src"), src_pad).repeat_interleave(K, dim=0)
        cache = init_cache(model, memory, src_pad.repeat_interleave(K, dim=0))
        for t in range(3):
            decode_step(model, torch.arange(B * K) + 3 + t, cache)
    before = [{key: entry[key] for key in ("k", "v", "mem_k", "mem_v")} for entry in cache["layers"]]
    mask, length = cache["memory_mask"], cache["length"]
    rows = torch.tensor([2, 2, 0, 4, 3, 3])                                    # 블록 안의 부모 (b·K + parent)
    ex.reorder_cache(cache, rows)
    for i, (entry, old) in enumerate(zip(cache["layers"], before)):
        assert_close(entry["k"], old["k"][rows], f"층 {i}의 k (부모 순서)", rtol=F64_RTOL, atol=F64_ATOL)
        assert_close(entry["v"], old["v"][rows], f"층 {i}의 v (부모 순서)", rtol=F64_RTOL, atol=F64_ATOL)
        for key in ("mem_k", "mem_v"):
            assert entry[key] is old[key], f"층 {i}의 {key}를 다시 골랐습니다: 같은 source의 가설끼리는 같은 값이다"
    assert cache["memory_mask"] is mask, "memory_mask를 다시 골랐습니다"
    assert_equal(cache["length"], length, "cache['length'] (reorder는 길이를 바꾸지 않는다)")
