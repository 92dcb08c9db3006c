"""연습문제 03 (weight tying) 채점: 식 = HF GPT2LMHeadModel의 실제 parameter 수 (meta device, 여러 모양) →
GPT-2 small 124,439,808 → embedding 비율 → untie_가 출력은 그대로 두고 V·C를 늘린다 →
4단계 (묶인 행렬의 gradient = 입력 쪽 몫 + 출력 쪽 몫).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_weight_tying.py`)을 검사한다.
"""
import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from utils.exercises import assert_all_true, assert_close, assert_equal, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL


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
    assert_equal(ex.gpt2_parameter_count(**shape, tied=tied), hf_count(tied, **shape),
                 f"parameter 수 ({shape}, tied={tied})")


def test_n_inner(ex):
    shape = dict(vocab_size=50, block_size=8, n_layer=2, n_embd=16)
    assert_equal(ex.gpt2_parameter_count(**shape, n_inner=40), hf_count(True, n_inner=40, **shape),
                 "parameter 수 (n_inner=40)")


def test_gpt2_small(ex):
    assert_equal(ex.gpt2_parameter_count(50257, 1024, 12, 768), 124_439_808, "GPT-2 small (묶음)")
    assert_equal(ex.gpt2_parameter_count(50257, 1024, 12, 768, tied=False), 124_439_808 + 50257 * 768,
                 "GPT-2 small (안 묶음)")


@pytest.mark.parametrize("shape", [dict(vocab_size=50257, block_size=1024, n_layer=12, n_embd=768),
                                   dict(vocab_size=50257, block_size=1024, n_layer=48, n_embd=1600)])
def test_embedding_share(ex, shape):
    """small (약 31%)과 XL: 기대값은 HF 모델에서 센 전체 수로 나눈 것."""
    expected = shape["vocab_size"] * shape["n_embd"] / hf_count(True, **shape)
    assert_close(ex.embedding_share(**shape), expected, f"embedding 비율 ({shape['n_layer']}층, {shape['n_embd']}폭)",
                 rtol=1e-12, atol=0)


def test_untie_keeps_outputs_and_adds_vocab_times_width(ex):
    torch.manual_seed(0)
    model = GPT2LMHeadModel(GPT2Config(vocab_size=30, n_positions=8, n_layer=1, n_embd=8, n_head=2,
                                       bos_token_id=None, eos_token_id=None)).eval()
    x = torch.randint(0, 30, (1, 5))
    before, n_before = model(x).logits, model.num_parameters()
    ex.untie_(model)
    assert model.lm_head.weight is not model.transformer.wte.weight, "untie_ 뒤에도 lm_head와 wte가 같은 tensor입니다"
    assert_close(model(x).logits, before, "untie_ 뒤의 logits", rtol=0, atol=0)
    assert_equal(sum(p.numel() for p in model.parameters()), n_before + 30 * 8, "untie_ 뒤 parameter 수")
    ex.untie_(model)                                                         # 이미 풀렸으면 아무것도 안 한다
    assert_equal(sum(p.numel() for p in model.parameters()), n_before + 30 * 8, "두 번째 untie_ 뒤 parameter 수")


def tied_model(seed=0):
    torch.manual_seed(seed)
    return GPT2LMHeadModel(GPT2Config(vocab_size=30, n_positions=8, n_layer=1, n_embd=8, n_head=2,
                                      bos_token_id=None, eos_token_id=None)).double().eval()


def test_tied_gradient_parts_add_up_and_unused_tokens_get_only_the_output_part(ex):
    model = tied_model(1)
    ids = torch.tensor([[3, 7, 3, 12, 5, 7]])                                 # 30개 중 4개 token만 입력에 나온다
    from_input, from_output = ex.tied_gradient_parts(model, ids)
    assert model.lm_head.weight is model.transformer.wte.weight, "tied_gradient_parts가 원래 모델을 풀었습니다"
    assert model.transformer.wte.weight.grad is None, "tied_gradient_parts가 원래 모델에 grad를 남겼습니다"
    model(ids, labels=ids).loss.backward()
    assert_close(from_input + from_output, model.transformer.wte.weight.grad, "입력 몫 + 출력 몫 (묶인 W의 grad)",
                 rtol=F64_RTOL, atol=F64_ATOL)
    unused = torch.ones(30, dtype=torch.bool)
    unused[ids.unique()] = False
    assert_equal(from_input[unused], torch.zeros(int(unused.sum()), 8, dtype=torch.float64),
                 "입력에 나오지 않은 token의 입력 쪽 몫")
    assert_all_true(from_output.abs().sum(-1) > 0, "모든 token이 출력 쪽 몫을 받는가 (softmax의 분모)")


def test_tied_gradient_parts_equal_a_separately_untied_model(ex):
    """채점 쪽에서 lm_head에 새 Parameter를 두어 따로 푼 모델의 두 gradient와 같다."""
    model = tied_model(2)
    ids = torch.tensor([[1, 4, 9, 4, 2], [6, 6, 0, 28, 3]])
    from_input, from_output = ex.tied_gradient_parts(model, ids)
    separate = tied_model(2)
    separate.lm_head.weight = torch.nn.Parameter(separate.transformer.wte.weight.detach().clone())
    separate(ids, labels=ids).loss.backward()
    assert_close(from_input, separate.transformer.wte.weight.grad, "입력 쪽 몫", rtol=F64_RTOL, atol=F64_ATOL)
    assert_close(from_output, separate.lm_head.weight.grad, "출력 쪽 몫", rtol=F64_RTOL, atol=F64_ATOL)
