"""연습문제 03 (KV cache) 채점: step마다의 logits == 전체 다시 계산 (post-LN / pre-LN, 마지막 LayerNorm 유무) →
greedy 결과가 같다 (모든 행이 끝나는 경우, max_len = 0 포함) → cache가 자란다 → 4단계 (cache의 byte 수).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_kv_cache.py`)을 검사한다. 기준은 장의
`paper/transformer.py`의 `Transformer.decode` (매 step 전체를 다시 계산)와 `greedy_decode`다.
"""
import pytest
import torch
from torch import nn

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F32_ATOL

from ..paper.transformer import Transformer, greedy_decode, subsequent_mask

V, BOS, EOS = 17, 1, 2


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_kv_cache")


def make_model(seed=0, **kwargs):
    """작은 무작위 모델. LayerNorm의 γ, β도 무작위로: 어느 LayerNorm을 빠뜨려도 logits가 눈에 띄게 바뀐다."""
    torch.manual_seed(seed)
    model = Transformer(V, 24, 4, 2, 3, 40, dropout=0.1, **kwargs).eval()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.LayerNorm):
                module.weight.normal_(1.0, 0.5)
                module.bias.normal_(0.0, 0.5)
    return model


@pytest.fixture
def model():
    return make_model()


def source():
    src = torch.randint(3, V, (4, 6), generator=torch.Generator().manual_seed(1))
    src[1, 4:] = 0
    src[3, 2:] = 0
    return src


@pytest.mark.parametrize("norm_first, final_norm", [(False, False), (False, True), (True, True), (True, False)])
def test_each_step_equals_full_recomputation(ex, norm_first, final_norm):
    model = make_model(2, norm_first=norm_first, final_norm=final_norm)
    src = source()
    src_pad = src == 0
    tokens = torch.randint(3, V, (4, 7), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        memory = model.encode(model.embed(src, "src"), src_pad)
        cache = ex.init_cache(model, memory, src_pad)
        ys = torch.full((4, 1), BOS)
        for t in range(7):
            step_logits = ex.decode_step(model, ys[:, -1], cache)
            T = ys.shape[1]
            full = model.project(model.decode(model.embed(ys, "tgt"), memory, subsequent_mask(T), None, src_pad))
            assert_close(step_logits, full[:, -1], f"step {t}의 logits (norm_first={norm_first}, "
                         f"final_norm={final_norm})", rtol=0, atol=F32_ATOL)
            ys = torch.cat([ys, tokens[:, t:t + 1]], dim=1)                     # 아무 token이나 이어 넣어도 같아야 한다


@pytest.mark.parametrize("norm_first", [False, True])
def test_cached_greedy_equals_greedy_when_some_rows_end(ex, norm_first):
    """EOS로 첫 행이 처음 낸 token을 쓴다: 그 행은 끝나고 (뒤는 pad) 나머지 행은 계속된다."""
    model = make_model(0, norm_first=norm_first)
    src = source()
    eos = int(greedy_decode(model, src, BOS, -1, max_len=1)[0, 0])
    expected = greedy_decode(model, src, BOS, eos, max_len=9)
    assert expected.shape[1] == 9 and (expected[0, 1:] == model.pad_id).all(), "채점 쪽 준비 실패"
    assert_equal(ex.greedy_decode_cached(model, src, BOS, eos, max_len=9), expected,
                 f"greedy 출력 (EOS={eos}, 첫 행만 끝남, max_len 9)")


def test_greedy_stops_when_every_row_has_ended(ex):
    """모든 행이 EOS를 내면 max_len 전에 멈춘다 (폭이 장의 greedy_decode와 같아야 한다).

    마지막 LayerNorm의 β를 EOS embedding 방향으로 크게 밀어 모든 행이 첫 step에 EOS를 내게 만든다.
    """
    model = make_model(5, final_norm=True)
    with torch.no_grad():
        e = model.tgt_embedding.weight[EOS]
        model.decoder_norm.bias += 50.0 * e / e.norm()
    src = source()
    expected = greedy_decode(model, src, BOS, EOS, max_len=8)
    assert expected.shape[1] < 8 and (expected[:, 0] == EOS).all(), "채점 쪽 준비 실패: 모든 행이 끝나지 않습니다"
    assert_equal(ex.greedy_decode_cached(model, src, BOS, EOS, max_len=8), expected,
                 f"모든 행이 EOS를 내는 greedy 출력 (폭 {expected.shape[1]}에서 멈춰야 한다)")


def test_max_len_zero_gives_an_empty_batch(ex, model):
    src = source()
    out = ex.greedy_decode_cached(model, src, BOS, EOS, max_len=0)
    expected = greedy_decode(model, src, BOS, EOS, max_len=0)
    assert_equal(tuple(out.shape), tuple(expected.shape), "max_len=0의 출력 shape")


def test_cache_grows_by_one_position_and_memory_keys_are_computed_once(ex, model):
    src = source()
    with torch.no_grad():
        memory = model.encode(model.embed(src, "src"), src == 0)
        cache = ex.init_cache(model, memory, src == 0)
        mem_k = [entry["mem_k"] for entry in cache["layers"]]
        assert_equal(len(cache["layers"]), 3, "cache의 층 수")
        assert_equal(tuple(mem_k[0].shape), (4, 4, 6, 6), "mem_k shape (B, nh, S, hs)")
        token = torch.full((4,), BOS)
        for t in range(1, 4):
            ex.decode_step(model, token, cache)
            assert_equal(cache["length"], t, "cache['length']")
            for i, (entry, k0) in enumerate(zip(cache["layers"], mem_k)):
                assert_equal(tuple(entry["k"].shape), (4, 4, t, 6), f"층 {i}의 k shape (step {t})")
                assert_equal(tuple(entry["v"].shape), (4, 4, t, 6), f"층 {i}의 v shape (step {t})")
                assert entry["mem_k"] is k0, f"층 {i}의 mem_k를 step {t}에서 다시 만들었습니다 (한 번만 계산해야 한다)"


@pytest.mark.parametrize("dtype, itemsize", [(torch.float32, 4), (torch.float64, 8)])
def test_cache_bytes_equals_the_tensors_in_a_real_cache(ex, dtype, itemsize):
    """4단계: 실제로 5 step을 만든 cache의 k, v, mem_k, mem_v가 차지하는 byte 수의 합과 같다."""
    model = make_model(4).to(dtype)
    src = source()
    with torch.no_grad():
        memory = model.encode(model.embed(src, "src"), src == 0)
        cache = ex.init_cache(model, memory, src == 0)
        for _ in range(5):
            ex.decode_step(model, torch.full((4,), BOS), cache)
    measured = sum(entry[key].numel() * entry[key].element_size()
                   for entry in cache["layers"] for key in ("k", "v", "mem_k", "mem_v"))
    assert_equal(ex.cache_bytes(3, 24, 5, 6, batch=4, bytes_per_value=itemsize), measured,
                 f"cache_bytes(3층, d_model 24, 길이 5, source 6, batch 4, {itemsize} byte)")
