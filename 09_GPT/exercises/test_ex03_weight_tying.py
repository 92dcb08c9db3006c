"""연습문제 03 (weight tying) 채점: 식 = HF GPT2LMHeadModel의 실제 parameter 수 (meta device, 여러 모양) →
GPT-2 small 124,439,808 → embedding 비율 → untie_가 출력은 그대로 두고 V·C를 늘린다.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_weight_tying.py`)을 검사한다.
"""
import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from utils.exercises import load_exercise


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_weight_tying")


def hf_count(tied, n_inner=None, **shape):
    config = GPT2Config(vocab_size=shape["vocab_size"], n_positions=shape["block_size"], n_layer=shape["n_layer"],
                        n_embd=shape["n_embd"], n_head=1, n_inner=n_inner, tie_word_embeddings=tied,
                        bos_token_id=None, eos_token_id=None)
    with torch.device("meta"):
        return GPT2LMHeadModel(config).num_parameters()


@pytest.mark.parametrize("shape", [dict(vocab_size=50257, block_size=1024, n_layer=12, n_embd=768),
                                   dict(vocab_size=101, block_size=17, n_layer=3, n_embd=24),
                                   dict(vocab_size=7, block_size=5, n_layer=1, n_embd=2)])
@pytest.mark.parametrize("tied", [True, False])
def test_formula_equals_hf(ex, shape, tied):
    assert ex.gpt2_parameter_count(**shape, tied=tied) == hf_count(tied, **shape)


def test_n_inner(ex):
    shape = dict(vocab_size=50, block_size=8, n_layer=2, n_embd=16)
    assert ex.gpt2_parameter_count(**shape, n_inner=40) == hf_count(True, n_inner=40, **shape)


def test_gpt2_small(ex):
    assert ex.gpt2_parameter_count(50257, 1024, 12, 768) == 124_439_808
    assert ex.gpt2_parameter_count(50257, 1024, 12, 768, tied=False) == 124_439_808 + 50257 * 768


def test_embedding_share(ex):
    share = ex.embedding_share(50257, 1024, 12, 768)
    assert abs(share - 50257 * 768 / 124_439_808) < 1e-12
    assert 0.30 < share < 0.32                                                # GPT-2 small의 약 31%


def test_untie_keeps_outputs_and_adds_vocab_times_width(ex):
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=30, n_positions=8, n_layer=1, n_embd=8, n_head=2,
                                       bos_token_id=None, eos_token_id=None)).eval()
    x = torch.randint(0, 30, (1, 5))
    before, n_before = model(x).logits, model.num_parameters()
    ex.untie_(model)
    assert model.lm_head.weight is not model.transformer.wte.weight
    assert torch.equal(model(x).logits, before)
    assert sum(p.numel() for p in model.parameters()) == n_before + 30 * 8
    ex.untie_(model)                                                         # 이미 풀렸으면 아무것도 안 한다
    assert sum(p.numel() for p in model.parameters()) == n_before + 30 * 8
