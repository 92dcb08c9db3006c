"""sampling이 HF `generate`의 logits processor와 같은지: V = 50,257 (GPT-2 vocabulary)의 무작위 logits에서
temperature, top_k, top_p의 모든 경계 (끔, 0, 1, V, V 초과, top_p = 1.0)와 그 조합.

HF 쪽은 작은 GPT2LMHeadModel의 `_get_logits_processor`가 `GenerationConfig`로 만드는 `LogitsProcessorList`를
그대로 쓴다 (processor를 고르는 조건도 HF의 것). 비교: 남긴 token 집합이 정확히 같고, 남긴 token의
log-확률이 `F32_ATOL` 안에서 같다.
"""
from __future__ import annotations

import pytest
import torch
from transformers import GenerationConfig, GPT2Config, GPT2LMHeadModel

from utils.gradcheck import F32_ATOL

from .gpt import GPT, warp_logits

V = 50_257                                       # GPT-2의 vocabulary: 256 byte + 50,000 merge + <|endoftext|>
SETTINGS = [  # (temperature, top_k, top_p)
    (1.0, None, None), (1.0, 0, 1.0), (1.0, None, 1.0), (1.0, 0, None),           # 아무것도 자르지 않는다
    (0.7, None, None), (1.5, None, None),                                          # temperature만
    (1.0, 1, None), (1.0, 50, None), (1.0, V, None), (1.0, V + 10, None),          # top_k 경계
    (1.0, None, 0.0), (1.0, None, 0.3), (1.0, None, 0.9), (1.0, None, 0.99), (1.0, None, 0.999),
    (0.8, 50, 0.95), (1.3, 200, 0.9), (0.5, 0, 0.99), (2.0, V + 1, 0.5), (1.0, 1, 0.999),
]


@pytest.fixture(scope="module")
def hf_model():
    torch.manual_seed(0)
    config = GPT2Config(n_layer=1, n_head=1, n_embd=4, n_positions=4, vocab_size=11, bos_token_id=None,
                        eos_token_id=None)
    return GPT2LMHeadModel(config).eval()


@pytest.fixture(scope="module")
def logits():
    """행마다 scale이 다른 무작위 logits (6, V): 거의 평평한 분포부터 몇 token에 몰린 분포까지."""
    g = torch.Generator().manual_seed(0)
    scales = torch.tensor([0.5, 1.0, 2.0, 4.0, 8.0, 16.0])[:, None]
    return torch.randn(6, V, generator=g) * scales


def hf_warp(model, logits, temperature, top_k, top_p):
    config = GenerationConfig(do_sample=True, temperature=temperature, top_k=top_k, top_p=top_p)
    processors = model._get_logits_processor(generation_config=config, input_ids_seq_length=1)
    ids = torch.zeros(logits.shape[0], 1, dtype=torch.long)                   # warper들은 input_ids를 보지 않는다
    return processors(ids, logits.clone())


@pytest.mark.parametrize("temperature,top_k,top_p", SETTINGS)
def test_kept_set_and_probabilities_equal_hf_processors_at_gpt2_vocabulary(hf_model, logits, temperature, top_k,
                                                                            top_p):
    ours = warp_logits(logits, temperature, top_k, top_p)
    theirs = hf_warp(hf_model, logits, temperature, top_k, top_p)
    kept = torch.isfinite(ours)
    assert torch.equal(kept, torch.isfinite(theirs)), \
        f"남긴 집합이 다르다: 우리 {int(kept.sum())}개, HF {int(torch.isfinite(theirs).sum())}개"
    torch.testing.assert_close(ours.log_softmax(-1)[kept], theirs.log_softmax(-1)[kept], rtol=0, atol=F32_ATOL)


def test_top_p_one_and_top_k_zero_keep_the_whole_vocabulary(logits):
    """top_p = 1.0, top_k = 0은 끈 것이다: 50,257개 전부 남는다 (큰 확률부터 float32로 더하면 꼬리가 잘린다)."""
    for top_k, top_p in ((0, 1.0), (None, 1.0), (0, None), (V, 1.0)):
        assert torch.isfinite(warp_logits(logits, 1.0, top_k, top_p)).all()


def test_top_p_keeps_the_smallest_set_reaching_p_by_hand():
    probs = torch.tensor([[0.5, 0.2, 0.15, 0.1, 0.05]])
    kept = lambda p: torch.isfinite(warp_logits(probs.log(), top_p=p))[0].tolist()       # noqa: E731
    assert kept(0.8) == [True, True, True, False, False]                  # 0.5 + 0.2 = 0.7 < 0.8 → 셋째까지
    assert kept(0.6) == [True, True, False, False, False]
    assert kept(0.0) == [True, False, False, False, False]                # 가장 큰 token은 언제나 남는다
    assert kept(1.0) == [True] * 5


def test_top_k_keeps_ties_with_the_kth_value():
    logits = torch.tensor([[3.0, 1.0, 2.0, 2.0, 0.0]])
    assert torch.isfinite(warp_logits(logits, top_k=2))[0].tolist() == [True, False, True, True, False]


@pytest.mark.parametrize("kwargs,name", [
    (dict(top_k=-1), "top_k"), (dict(top_k=2.5), "top_k"), (dict(top_p=-0.1), "top_p"), (dict(top_p=1.5), "top_p"),
    (dict(temperature=0.0), "temperature"), (dict(temperature=-1.0), "temperature"),
])
def test_bad_sampling_arguments_are_refused(kwargs, name):
    with pytest.raises(ValueError, match=name):
        warp_logits(torch.zeros(1, 5), **kwargs)


def test_logits_must_be_a_float_matrix():
    with pytest.raises(ValueError, match=r"\(B, V\)"):
        warp_logits(torch.zeros(5))


@pytest.mark.parametrize("kwargs", [dict(top_k=0, top_p=1.0), dict(temperature=1.4, top_k=0, top_p=0.0),
                                    dict(temperature=0.9, top_k=97, top_p=0.999)])
def test_generate_with_off_and_edge_settings_equals_hf_generate(kwargs):
    """generate 전체: 같은 전역 seed면 HF `generate`와 token 하나까지 같다."""
    torch.manual_seed(4)
    ref = GPT2LMHeadModel(GPT2Config(n_layer=2, n_head=2, n_embd=32, n_positions=48, vocab_size=97,
                                     bos_token_id=None, eos_token_id=None, attn_implementation="eager")).eval()
    model = GPT.from_reference(ref)
    prompt = torch.randint(0, 97, (3, 4), generator=torch.Generator().manual_seed(5))
    torch.manual_seed(11)
    theirs = ref.generate(prompt, pad_token_id=0, max_new_tokens=12, do_sample=True, **kwargs)
    torch.manual_seed(11)
    ours = model.generate(prompt, 12, do_sample=True, **kwargs)
    assert torch.equal(ours, theirs)


def test_unset_top_k_is_off_here_but_50_in_hf_generate():
    """HF `generate`는 top_k를 주지 않으면 `_get_default_generation_params()`의 50을 쓴다. 우리 generate는 끈다:
    HF와 같은 token을 얻으려면 top_k=50을 명시한다."""
    torch.manual_seed(6)
    ref = GPT2LMHeadModel(GPT2Config(n_layer=1, n_head=2, n_embd=16, n_positions=40, vocab_size=300,
                                     bos_token_id=None, eos_token_id=None)).eval()
    model = GPT.from_reference(ref)
    prompt = torch.randint(0, 300, (4, 3), generator=torch.Generator().manual_seed(7))
    torch.manual_seed(3)
    theirs = ref.generate(prompt, pad_token_id=0, max_new_tokens=30, do_sample=True, temperature=3.0)
    torch.manual_seed(3)
    ours_50 = model.generate(prompt, 30, do_sample=True, temperature=3.0, top_k=50)
    torch.manual_seed(3)
    ours_off = model.generate(prompt, 30, do_sample=True, temperature=3.0)
    assert torch.equal(ours_50, theirs)
    assert not torch.equal(ours_off, theirs)                              # T = 3이면 300개 중 50개 밖도 자주 뽑힌다


def test_choose_next_uses_the_warped_distribution():
    logits = torch.tensor([[5.0, 4.0, -1.0, -2.0]]).repeat(500, 1)
    draws = GPT.choose_next(logits, True, 1.0, 2, None, torch.Generator().manual_seed(0))
    assert set(draws.flatten().tolist()) == {0, 1}
    assert abs((draws == 0).float().mean().item() - 1 / (1 + torch.e ** -1)) < 0.06     # e⁵ / (e⁵ + e⁴)
