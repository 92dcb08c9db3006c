"""GPT (L3)의 증명: shape → parameter 수 → HF GPT2LMHeadModel parity (logits, greedy 20 token, sampling) →
KV cache = 전체 재계산 → 초기화 → dropout / 모드 → GPT-1 flag (HF OpenAIGPT) → 잘못된 입력 → from_pretrained."""
from __future__ import annotations

import math

import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel, OpenAIGPTConfig, OpenAIGPTLMHeadModel

from utils.core import DatasetUnavailable
from utils.gradcheck import F32_ATOL

from .gpt import GPT, GPTConfig, KVCache

GPT2_SMALL_PARAMETERS = 124_439_808      # HF GPT2LMHeadModel("gpt2").num_parameters(), lm_head = wte 한 번만


def tiny_hf(seed: int = 0, attn: str = "eager", **overrides) -> GPT2LMHeadModel:
    """offline으로 만든 작은 무작위 HF GPT-2 (eval 모드). bos/eos는 생성이 일찍 멈추지 않도록 없앤다."""
    kwargs = dict(n_layer=2, n_head=2, n_embd=32, n_positions=48, vocab_size=97, bos_token_id=None,
                  eos_token_id=None, attn_implementation=attn)
    kwargs.update(overrides)
    torch.manual_seed(seed)
    return GPT2LMHeadModel(GPT2Config(**kwargs)).eval()


def max_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    return (a - b).abs().max().item()


# ---------------------------------------------------------------- shape, 크기
def test_logits_shape():
    model = GPT(GPTConfig(block_size=16, vocab_size=50, n_layer=1, n_head=2, n_embd=8))
    assert model(torch.randint(0, 50, (3, 7))).shape == (3, 7, 50)


def test_gpt2_small_has_exactly_124_439_808_parameters():
    with torch.device("meta"):                                        # 값 없이 모양만: 빠르다
        model = GPT(GPTConfig.gpt2())
        ref = GPT2LMHeadModel(GPT2Config())
    assert model.num_parameters() == GPT2_SMALL_PARAMETERS
    assert ref.num_parameters() == GPT2_SMALL_PARAMETERS
    # 손으로 센 값: wte + wpe + 층마다 (LN 2개, c_attn, c_proj, c_fc, c_proj) + ln_f
    V, P, C, L = 50257, 1024, 768, 12
    per_layer = 2 * 2 * C + (C * 3 * C + 3 * C) + (C * C + C) + (C * 4 * C + 4 * C) + (4 * C * C + C)
    assert V * C + P * C + L * per_layer + 2 * C == GPT2_SMALL_PARAMETERS


def test_untied_head_adds_exactly_vocab_times_width():
    tied = GPT(GPTConfig(block_size=8, vocab_size=30, n_layer=1, n_head=1, n_embd=4))
    untied = GPT(GPTConfig(block_size=8, vocab_size=30, n_layer=1, n_head=1, n_embd=4, tie_weights=False))
    assert tied.lm_head.weight is tied.transformer.wte.weight
    assert untied.num_parameters() - tied.num_parameters() == 30 * 4


# ---------------------------------------------------------------- HF parity
@pytest.mark.parametrize("attn", ["eager", "sdpa"])
@pytest.mark.parametrize("overrides", [
    {},
    dict(n_layer=3, n_head=3, n_embd=24, n_inner=40, layer_norm_epsilon=1e-3),
    dict(n_layer=1, n_head=4, n_embd=16, activation_function="gelu", tie_word_embeddings=False),
    dict(n_layer=2, n_head=1, n_embd=12, activation_function="gelu_pytorch_tanh", vocab_size=13),
])
def test_logits_equal_hf_gpt2(attn, overrides):
    ref = tiny_hf(attn=attn, **overrides)
    model = GPT.from_reference(ref)
    x = torch.randint(0, ref.config.vocab_size, (3, 19), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert max_diff(model(x), ref(x).logits) <= F32_ATOL
        full = torch.randint(0, ref.config.vocab_size, (1, ref.config.n_positions))
        assert max_diff(model(full), ref(full).logits) <= F32_ATOL      # T = block_size까지


def test_from_reference_carries_every_hyper_parameter():
    ref = tiny_hf(n_inner=40, layer_norm_epsilon=3e-4, embd_pdrop=0.11, attn_pdrop=0.22, resid_pdrop=0.33,
                  activation_function="gelu", tie_word_embeddings=False)
    c = GPT.from_reference(ref).config
    assert (c.n_inner, c.layer_norm_eps, c.embd_pdrop, c.attn_pdrop, c.resid_pdrop) == (40, 3e-4, 0.11, 0.22, 0.33)
    assert (c.activation, c.tie_weights, c.block_size, c.vocab_size) == ("gelu", False, 48, 97)
    model = GPT.from_reference(ref)
    assert model.transformer.h[0].ln_1.eps == 3e-4
    assert model.transformer.h[1].attn.resid_dropout.p == 0.33 and model.transformer.drop.p == 0.11


def test_from_reference_shares_no_tensor_and_follows_mode():
    ref = tiny_hf()
    model = GPT.from_reference(ref)
    ref_ptrs = {p.data_ptr() for p in ref.parameters()}
    assert not any(p.data_ptr() in ref_ptrs for p in model.parameters())
    assert not model.training
    assert GPT.from_reference(ref.train()).training


def test_conv1d_weights_are_transposed_not_reshaped():
    """c_attn: HF Conv1D (C, 3C)의 transpose. 정사각 c_proj는 shape만으로는 잘못된 복사를 알 수 없다."""
    ref = tiny_hf()
    model = GPT.from_reference(ref)
    hf_proj = ref.transformer.h[0].attn.c_proj.weight                 # (in, out)
    assert torch.equal(model.transformer.h[0].attn.c_proj.weight, hf_proj.t())
    assert not torch.equal(model.transformer.h[0].attn.c_proj.weight, hf_proj)
    x = torch.randn(2, 5, 32)
    assert max_diff(model.transformer.h[0].attn.c_attn(x), ref.transformer.h[0].attn.c_attn(x)) <= F32_ATOL


@pytest.mark.parametrize("bad, reason", [
    (dict(scale_attn_by_inverse_layer_idx=True), "scale_attn_by_inverse_layer_idx"),
    (dict(scale_attn_weights=False), "scale_attn_weights"),
    (dict(activation_function="relu"), "activation_function"),
    (dict(add_cross_attention=True), "add_cross_attention"),
])
def test_from_reference_refuses_what_it_cannot_reproduce(bad, reason):
    with pytest.raises(ValueError, match=reason):
        GPT.from_reference(tiny_hf(**bad))


@pytest.mark.parametrize("attn", ["eager", "sdpa"])
def test_twenty_greedy_tokens_equal_hf_generate(attn):
    ref = tiny_hf(seed=3, attn=attn, n_layer=3, n_embd=48, n_head=4)
    model = GPT.from_reference(ref)
    prompt = torch.randint(0, 97, (2, 6), generator=torch.Generator().manual_seed(2))
    theirs = ref.generate(prompt, max_new_tokens=20, do_sample=False, pad_token_id=0)
    ours = model.generate(prompt, max_new_tokens=20)
    assert ours.shape == (2, 26)
    assert torch.equal(ours, theirs)


def test_sampling_with_top_k_top_p_temperature_equals_hf_generate():
    """같은 전역 seed → 같은 torch.multinomial: 처리 순서 (temperature → top_k → top_p)까지 같아야 같은 token."""
    ref = tiny_hf(seed=4)
    model = GPT.from_reference(ref)
    prompt = torch.randint(0, 97, (3, 4), generator=torch.Generator().manual_seed(5))
    kwargs = dict(max_new_tokens=15, do_sample=True, temperature=0.8, top_k=20, top_p=0.9)
    torch.manual_seed(11)
    theirs = ref.generate(prompt, pad_token_id=0, **kwargs)
    torch.manual_seed(11)
    ours = model.generate(prompt, **kwargs)
    assert torch.equal(ours, theirs)


# ---------------------------------------------------------------- KV cache
def test_cached_logits_equal_full_recomputation():
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=32, vocab_size=40, n_layer=3, n_head=4, n_embd=32)).eval()
    x = torch.randint(0, 40, (2, 20))
    with torch.no_grad():
        full = model(x)                                                  # (2, 20, 40)
        cache = model.new_cache(2, 20)
        pieces = [model(x[:, :7], cache)]                                # prompt 7개를 한 번에
        pieces += [model(x[:, t:t + 1], cache) for t in range(7, 16)]   # 하나씩
        pieces.append(model(x[:, 16:], cache))                          # 여러 개를 cache 뒤에 (mask가 필요한 경우)
    assert cache.length == 20
    assert max_diff(torch.cat(pieces, dim=1), full) <= F32_ATOL


def test_last_only_is_the_last_position_of_the_full_logits():
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=16, vocab_size=40, n_layer=2, n_head=2, n_embd=16)).eval()
    x = torch.randint(0, 40, (3, 9))
    with torch.no_grad():
        full, last = model(x), model(x, last_only=True)
    assert last.shape == (3, 1, 40)
    assert max_diff(last, full[:, -1:]) <= F32_ATOL


def test_cached_generation_equals_recomputation_token_for_token():
    torch.manual_seed(1)
    model = GPT(GPTConfig(block_size=64, vocab_size=30, n_layer=2, n_head=2, n_embd=16))
    prompt = torch.randint(0, 30, (2, 5))
    assert torch.equal(model.generate(prompt, 40), model.generate(prompt, 40, use_cache=False))
    kwargs = dict(do_sample=True, temperature=1.3, top_k=10, top_p=0.95)
    a = model.generate(prompt, 40, generator=torch.Generator().manual_seed(7), **kwargs)
    b = model.generate(prompt, 40, use_cache=False, generator=torch.Generator().manual_seed(7), **kwargs)
    assert torch.equal(a, b)
    assert model.training                                                # generate는 모드를 되돌려 놓는다


def test_cache_refuses_to_overflow():
    cache = KVCache(n_layer=1, batch=1, n_head=1, max_len=3, head_size=2)
    with pytest.raises(ValueError, match="가득"):
        cache.update(0, torch.zeros(1, 1, 4, 2), torch.zeros(1, 1, 4, 2))


def test_zero_new_tokens_returns_the_prompt():
    model = GPT(GPTConfig(block_size=8, vocab_size=10, n_layer=1, n_head=1, n_embd=4))
    prompt = torch.tensor([[1, 2, 3]])
    assert torch.equal(model.generate(prompt, 0), prompt)


def test_top_k_one_and_tiny_top_p_are_greedy():
    torch.manual_seed(2)
    model = GPT(GPTConfig(block_size=32, vocab_size=25, n_layer=1, n_head=2, n_embd=8))
    prompt = torch.randint(0, 25, (3, 3))
    greedy = model.generate(prompt, 10)
    assert torch.equal(model.generate(prompt, 10, do_sample=True, top_k=1), greedy)
    assert torch.equal(model.generate(prompt, 10, do_sample=True, top_p=1e-6), greedy)


# ---------------------------------------------------------------- 초기화, 모드
def test_initialisation_follows_gpt2():
    torch.manual_seed(0)
    L = 4
    model = GPT(GPTConfig(block_size=256, vocab_size=2000, n_layer=L, n_head=4, n_embd=256))
    h = model.transformer.h
    assert abs(model.transformer.wte.weight.std().item() - 0.02) < 0.02 * 0.02
    assert abs(model.transformer.wpe.weight.std().item() - 0.02) < 0.02 * 0.05
    assert abs(h[1].attn.c_attn.weight.std().item() - 0.02) < 0.02 * 0.02
    assert abs(h[1].mlp.c_fc.weight.std().item() - 0.02) < 0.02 * 0.02
    residual_std = 0.02 / math.sqrt(2 * L)                               # GPT-2 Section 2.3
    for block in h:
        for w in (block.attn.c_proj.weight, block.mlp.c_proj.weight):
            assert abs(w.std().item() - residual_std) < residual_std * 0.03
    assert all(torch.all(b.attn.c_attn.bias == 0) for b in h)
    assert torch.all(model.transformer.ln_f.weight == 1) and torch.all(model.transformer.ln_f.bias == 0)


def test_initial_loss_is_about_log_vocab():
    """target은 입력과 무관한 무작위 token. (target = 입력 token이면 묶인 lm_head가 residual 속 자기 embedding을
    알아봐서 ln V보다 0.7쯤 낮다: weight tying이 처음부터 "입력 복사"를 쉽게 만든다.)"""
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=32, vocab_size=500, n_layer=2, n_head=2, n_embd=64)).eval()
    x, y = torch.randint(0, 500, (2, 8, 32))
    loss = torch.nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
    assert abs(loss.item() - math.log(500)) < 0.1


def test_dropout_acts_in_train_mode_only():
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=16, vocab_size=20, n_layer=2, n_head=2, n_embd=16))   # 기본 dropout 0.1
    x = torch.randint(0, 20, (2, 10))
    model.train()
    assert max_diff(model(x), model(x)) > 1e-3
    model.eval()
    assert torch.equal(model(x), model(x))


def test_causality_future_tokens_do_not_change_past_logits():
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=16, vocab_size=20, n_layer=2, n_head=2, n_embd=16)).eval()
    x = torch.randint(0, 20, (1, 12))
    y = x.clone()
    y[0, 8:] = (y[0, 8:] + 1) % 20
    assert max_diff(model(x)[:, :8], model(y)[:, :8]) == 0.0
    assert max_diff(model(x)[:, 8:], model(y)[:, 8:]) > 1e-4


def test_gpt1_initialisation_has_no_residual_scaling():
    """GPT-1 Section 4.1: 모든 행렬 N(0, 0.02). GPT-2의 0.02/√(2L) 축소는 pre-LN 모양에만 (HF OpenAIGPT도 같다)."""
    torch.manual_seed(0)
    gpt1 = GPT(GPTConfig.gpt1(block_size=64, vocab_size=500, n_layer=4, n_head=4, n_embd=256))
    for block in gpt1.transformer.h:
        for w in (block.attn.c_proj.weight, block.mlp.c_proj.weight, block.attn.c_attn.weight):
            assert abs(w.std().item() - 0.02) < 0.02 * 0.03
    ref = OpenAIGPTLMHeadModel(OpenAIGPTConfig(n_layer=4, n_head=4, n_embd=256, n_positions=64, vocab_size=500))
    assert abs(ref.transformer.h[0].attn.c_proj.weight.std().item() - 0.02) < 0.02 * 0.03   # HF GPT-1도 축소 없음
    assert GPTConfig.gpt1().scale_residual_init is False and GPTConfig.gpt2().scale_residual_init is True


# ---------------------------------------------------------------- GPT-1 flag
def test_gpt1_post_ln_equals_hf_openai_gpt():
    """pre_ln=False (GPT-1)는 HF OpenAIGPTLMHeadModel과 같은 값을 낸다: 이름만 다른 1:1 복사 (Conv1D는 transpose)."""
    torch.manual_seed(0)
    ref = OpenAIGPTLMHeadModel(OpenAIGPTConfig(n_layer=2, n_head=2, n_embd=16, n_positions=24, vocab_size=50)).eval()
    model = GPT(GPTConfig.gpt1(block_size=24, vocab_size=50, n_layer=2, n_head=2, n_embd=16)).eval()
    assert isinstance(model.transformer.ln_f, torch.nn.Identity)
    theirs = ref.state_dict()
    with torch.no_grad():
        for key, target in model.state_dict().items():
            source_key = key.replace("transformer.wte", "transformer.tokens_embed").replace(
                "transformer.wpe", "transformer.positions_embed")
            source = theirs[source_key]
            target.copy_(source.t() if key.endswith(GPT.CONV1D_WEIGHTS) else source)
    x = torch.randint(0, 50, (2, 24))
    with torch.no_grad():
        assert max_diff(model(x), ref(x).logits) <= F32_ATOL


# ---------------------------------------------------------------- 잘못된 입력
@pytest.fixture(scope="module")
def small():
    return GPT(GPTConfig(block_size=8, vocab_size=10, n_layer=1, n_head=1, n_embd=4))


def test_too_long_input_names_the_limit_and_suggests_cropping(small):
    with pytest.raises(ValueError, match=r"block_size=8.*잘라"):
        small(torch.zeros(1, 9, dtype=torch.long))
    with pytest.raises(ValueError, match="block_size=8"):
        small.generate(torch.zeros(1, 5, dtype=torch.long), max_new_tokens=4)


@pytest.mark.parametrize("ids", [torch.tensor([[1, 10]]), torch.tensor([[-1, 2]])])
def test_token_ids_outside_vocab(small, ids):
    with pytest.raises(ValueError, match="vocab_size=10"):
        small(ids)


def test_empty_prompt(small):
    with pytest.raises(ValueError, match="비어"):
        small.generate(torch.zeros(1, 0, dtype=torch.long), 3)


@pytest.mark.parametrize("ids", [torch.tensor([1, 2]), torch.tensor([[0.0, 1.0]])])
def test_wrong_shape_or_dtype(small, ids):
    with pytest.raises(ValueError, match="input_ids"):
        small(ids)


@pytest.mark.parametrize("kwargs, name", [
    (dict(top_k=-3), "top_k"), (dict(top_k=2.0), "top_k"), (dict(top_p=-0.5), "top_p"), (dict(top_p=1.5), "top_p"),
    (dict(temperature=0.0), "temperature"),
])
def test_bad_sampling_arguments(small, kwargs, name):
    with pytest.raises(ValueError, match=name):
        small.generate(torch.tensor([[1]]), 2, do_sample=True, **kwargs)


def test_bad_config():
    with pytest.raises(ValueError, match="나누어"):
        GPTConfig(n_embd=10, n_head=3)
    with pytest.raises(ValueError, match="activation"):
        GPTConfig(activation="relu")


# ---------------------------------------------------------------- from_pretrained (offline)
def test_from_pretrained_missing_weights_is_one_clear_sentence(tmp_path):
    with pytest.raises(DatasetUnavailable, match="'gpt2'.*HF cache"):
        GPT.from_pretrained("gpt2", local_files_only=True, cache_dir=tmp_path)


def test_from_pretrained_unknown_name():
    with pytest.raises(ValueError, match="gpt2-medium"):
        GPT.from_pretrained("gpt3")


def test_from_pretrained_reads_a_saved_checkpoint(tmp_path):
    ref = tiny_hf(seed=9)
    ref.save_pretrained(tmp_path)
    model = GPT.from_pretrained(str(tmp_path))
    x = torch.randint(0, 97, (2, 9))
    with torch.no_grad():
        assert max_diff(model(x), ref(x).logits) <= F32_ATOL


# ---------------------------------------------------------------- 학습 script
def test_quick_run_trains_bpe_and_gpt(tmp_path, capsys):
    import json
    from pathlib import Path

    from .gpt_paper import FULL_RUN_VAL_LOSS, main

    result = main(["--quick", "--threads", "1", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    note = out[out.index("처음 validation loss"):]                           # report 줄 뒤의 마지막 줄들
    assert f"ln {result['vocab_size']}" in note and "smoke run" in note and str(FULL_RUN_VAL_LOSS) in note
    assert ("\ufffd" in result["sample"]) == ("U+FFFD" in note)             # 깨진 글자가 있을 때만 설명한다
    assert f"**{FULL_RUN_VAL_LOSS}**" in (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert result["level"] == "paper" and result["metric"] == "val_loss" and result["data"] == "korean"
    assert result["vocab_size"] == 256 + 150
    assert abs(result["initial_loss"] - math.log(result["vocab_size"])) < 0.3          # 처음엔 ≈ ln V
    assert result["value"] < result["initial_loss"] - 0.3
    assert result["tokens_per_char"]["bpe_korean"] < result["tokens_per_char"]["bpe_english"]
    assert json.loads((tmp_path / "result.json").read_text())["value"] == result["value"]
    for name in ("loss_curve.png", "attention.png", "bpe_vocab_growth.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_warmup_not_shorter_than_iters_is_one_sentence_and_exit_2(tmp_path, capsys):
    from .gpt_paper import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--iters", "30", "--merges", "10", "--threads", "1", "--out", str(tmp_path)])   # 기본 warmup 100
    assert exit_info.value.code == 2 and "--warmup" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_smoke_note_explains_replacement_characters_only_when_present():
    from .gpt_paper import smoke_run_note

    base = dict(initial_loss=6.0, vocab_size=406, value=5.4)
    assert not any("U+FFFD" in line for line in smoke_run_note({**base, "sample": "한국어"}))
    assert any("U+FFFD" in line for line in smoke_run_note({**base, "sample": "한\ufffd\ufffd"}))


@pytest.mark.slow
def test_default_run_on_korean_prose(tmp_path):
    """기본 처방 (BPE 1000 merge, 4층 128 폭, 2000 iter): validation loss가 ln V보다 크게 내려간다."""
    from .gpt_paper import main

    result = main(["--threads", "1", "--out", str(tmp_path)])
    assert result["iters"] == 2000 and result["vocab_size"] == 1256
    assert result["value"] < 4.5
