"""L2 GPT의 증명: 손으로 쓴 attention = F.scaled_dot_product_attention (값, float64 gradcheck) →
LayerNorm / GELU = torch → L2 = L3 (같은 가중치: logits와 gradient) → AdamW = torch.optim.AdamW → 초기화 →
dropout 모드 → 잘못된 입력 → 학습 script의 quick run."""
from __future__ import annotations

import json
import math

import pytest
import torch
import torch.nn.functional as F

from utils.gradcheck import F32_ATOL, F64_ATOL, F64_RTOL

from ..paper.gpt import GPT, GPTConfig
from . import gpt as L2


def attention_inputs(C=12, n_head=3, T=7, B=2, dtype=torch.float32, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(B, T, C, generator=g, dtype=dtype)
    w_attn = torch.randn(C, 3 * C, generator=g, dtype=dtype) * 0.3
    b_attn = torch.randn(3 * C, generator=g, dtype=dtype) * 0.1
    w_proj = torch.randn(C, C, generator=g, dtype=dtype) * 0.3
    b_proj = torch.randn(C, generator=g, dtype=dtype) * 0.1
    return x, w_attn, b_attn, w_proj, b_proj, n_head


def test_attention_equals_sdpa():
    x, w_attn, b_attn, w_proj, b_proj, nh = attention_inputs()
    ours, weights = L2.causal_self_attention(x, w_attn, b_attn, w_proj, b_proj, nh, return_weights=True)
    B, T, C = x.shape
    q, k, v = (x @ w_attn + b_attn).split(C, dim=2)
    q, k, v = (t.view(B, T, nh, C // nh).transpose(1, 2) for t in (q, k, v))
    ref = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(B, T, C) @ w_proj + b_proj
    assert (ours - ref).abs().max().item() <= F32_ATOL
    assert torch.allclose(weights.sum(-1), torch.ones(B, nh, T))
    assert torch.all(weights.triu(diagonal=1) == 0)                         # 미래에는 확률 0


def test_attention_gradcheck_float64():
    inputs = [t.requires_grad_() if isinstance(t, torch.Tensor) else t
              for t in attention_inputs(C=6, n_head=2, T=4, B=1, dtype=torch.float64)]
    assert torch.autograd.gradcheck(lambda *a: L2.causal_self_attention(*a, inputs[-1]), inputs[:-1])


def test_layer_norm_and_gelu_equal_torch():
    x = torch.randn(3, 5, 8, dtype=torch.float64)
    w, b = torch.randn(8, dtype=torch.float64), torch.randn(8, dtype=torch.float64)
    torch.testing.assert_close(L2.layer_norm(x, w, b, 1e-5), F.layer_norm(x, (8,), w, b, 1e-5), rtol=F64_RTOL, atol=0)
    torch.testing.assert_close(L2.gelu_tanh(x), F.gelu(x, approximate="tanh"), rtol=F64_RTOL, atol=1e-12)


def copy_to_paper(params: dict, config: L2.Config) -> GPT:
    """L2 가중치를 L3 GPT에 넣는다. L2는 (in, out) layout이라 행렬 네 종류는 transpose."""
    model = GPT(GPTConfig(block_size=config.block_size, vocab_size=config.vocab_size, n_layer=config.n_layer,
                          n_head=config.n_head, n_embd=config.n_embd, embd_pdrop=0.0, attn_pdrop=0.0,
                          resid_pdrop=0.0, layer_norm_eps=config.eps))
    with torch.no_grad():
        for key, target in model.state_dict().items():
            if key == "lm_head.weight":
                continue
            source = params[key]
            target.copy_(source.t() if key.endswith(GPT.CONV1D_WEIGHTS) else source)
    return model


def test_lowlevel_equals_paper_logits_and_gradients():
    config = L2.Config(block_size=16, vocab_size=23, n_layer=2, n_head=2, n_embd=16)
    params = L2.init_params(config, torch.Generator().manual_seed(0))
    model = copy_to_paper(params, config)
    x, y = torch.randint(0, 23, (2, 3, 16), generator=torch.Generator().manual_seed(1))
    ours = L2.forward(params, x, config)
    theirs = model(x)
    assert (ours - theirs).abs().max().item() <= F32_ATOL
    L2.cross_entropy(ours, y).backward()
    F.cross_entropy(theirs.flatten(0, 1), y.flatten()).backward()
    grads = dict(model.named_parameters())
    for key in ("transformer.wte.weight", "transformer.h.1.attn.c_attn.weight", "transformer.h.0.mlp.c_proj.bias",
                "transformer.ln_f.weight"):
        g = grads[key].grad.t() if key.endswith(GPT.CONV1D_WEIGHTS) else grads[key].grad
        assert (params[key].grad - g).abs().max().item() <= F32_ATOL, key


def test_cross_entropy_equals_torch():
    logits, targets = torch.randn(2, 5, 7), torch.randint(0, 7, (2, 5))
    reference = F.cross_entropy(logits.view(-1, 7), targets.view(-1))
    assert abs(L2.cross_entropy(logits, targets).item() - reference.item()) <= F32_ATOL


def test_adamw_step_equals_torch_adamw():
    """float64로 비교한다. key의 bias(c_attn.bias의 가운데 n_embd개)는 수학적으로 gradient가 0이다 (q·b_k는 query마다
    모든 key에 같은 값을 더해 softmax가 바뀌지 않는다). float32에서는 그 자리에 1e-12 크기의 반올림 noise가 남고,
    Adam은 m/√v로 크기를 지워 noise의 부호만으로 lr 크기의 update를 한다: 우리와 torch의 update 계산 순서가
    반올림에서 다르면 다음 step의 noise가 달라져 float32에서 1e-5를 넘는 차이가 났다. float64에서는 4e-15."""
    config = L2.Config(block_size=8, vocab_size=11, n_layer=1, n_head=2, n_embd=8)
    ours = {k: v.detach().double().requires_grad_()
            for k, v in L2.init_params(config, torch.Generator().manual_seed(0)).items()}
    theirs = {k: v.detach().clone().requires_grad_() for k, v in ours.items()}
    decay = [p for k, p in theirs.items() if p.ndim >= 2]
    no_decay = [p for k, p in theirs.items() if p.ndim < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                                  lr=1e-2, betas=(0.9, 0.99), eps=1e-8)
    state = {}
    for step in range(4):
        x, y = torch.randint(0, 11, (2, 2, 8), generator=torch.Generator().manual_seed(step))
        for params in (ours, theirs):
            for p in params.values():
                p.grad = None
            L2.cross_entropy(L2.forward(params, x, config), y).backward()
        L2.adamw_step(ours, state, lr=1e-2, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.1)
        optimizer.step()
    for key in ours:
        assert torch.allclose(ours[key], theirs[key], rtol=F64_RTOL, atol=F64_ATOL), key
    assert not torch.equal(ours["transformer.wte.weight"], L2.init_params(config, torch.Generator().manual_seed(0))[
        "transformer.wte.weight"].double())


def test_clip_grad_norm_equals_torch():
    a = {"w": torch.randn(4, 3, requires_grad=True), "b": torch.randn(3, requires_grad=True)}
    b = {k: v.detach().clone().requires_grad_() for k, v in a.items()}
    for params in (a, b):
        (params["w"].sum() * 3 + params["b"].pow(2).sum() * 5).backward()
    norm = L2.clip_grad_norm(a, 1.0)
    ref = torch.nn.utils.clip_grad_norm_(list(b.values()), 1.0)
    assert abs(norm - ref.item()) <= F32_ATOL * max(1.0, norm)
    for k in a:
        assert (a[k].grad - b[k].grad).abs().max().item() <= F32_ATOL


def test_initialisation_std():
    config = L2.Config(block_size=128, vocab_size=1000, n_layer=4, n_head=4, n_embd=256)
    p = L2.init_params(config, torch.Generator().manual_seed(0))
    assert abs(p["transformer.wte.weight"].std().item() - 0.02) < 0.02 * 0.02
    target = 0.02 / math.sqrt(2 * 4)
    assert abs(p["transformer.h.2.mlp.c_proj.weight"].std().item() - target) < target * 0.03
    assert abs(p["transformer.h.2.attn.c_proj.weight"].std().item() - target) < target * 0.03
    assert torch.all(p["transformer.h.0.ln_2.weight"] == 1)


def test_dropout_only_in_training():
    config = L2.Config(block_size=8, vocab_size=11, n_layer=1, n_head=2, n_embd=8, dropout=0.2)
    p = L2.init_params(config, torch.Generator().manual_seed(0))
    x = torch.randint(0, 11, (2, 8))
    assert torch.equal(L2.forward(p, x, config), L2.forward(p, x, config))
    assert (L2.forward(p, x, config, training=True) - L2.forward(p, x, config, training=True)).abs().max() > 1e-4


@pytest.mark.parametrize("idx, match", [
    (torch.zeros(1, 9, dtype=torch.long), "block_size=8"), (torch.tensor([[11]]), "vocab_size=11"),
    (torch.zeros(3, dtype=torch.long), r"\(B, T\)"), (torch.zeros(1, 0, dtype=torch.long), "T=0"),
])
def test_bad_input(idx, match):
    config = L2.Config(block_size=8, vocab_size=11, n_layer=1, n_head=1, n_embd=4)
    with pytest.raises(ValueError, match=match):
        L2.forward(L2.init_params(config), idx, config)


def test_generate_refuses_a_temperature_that_is_not_positive():
    config = L2.Config(block_size=8, vocab_size=10, n_layer=1, n_head=1, n_embd=4)
    params = L2.init_params(config, torch.Generator().manual_seed(0))
    for bad in (0.0, -1.0):
        with pytest.raises(ValueError, match="temperature"):
            L2.generate(params, torch.tensor([[1, 2]]), 3, config, temperature=bad)


def test_quick_run_lowers_the_loss(tmp_path, capsys):
    from pathlib import Path

    from .gpt_lowlevel import FULL_RUN_VAL_LOSS, main

    result = main(["--quick", "--threads", "1", "--out", str(tmp_path)])
    last = capsys.readouterr().out.strip().splitlines()[-2:]                    # 마지막 두 줄: smoke run 안내
    assert "ln V" in last[0] and f"{math.log(result['vocab_size']):.3f}" in last[0]
    assert "smoke run" in last[1] and str(FULL_RUN_VAL_LOSS) in last[1]
    assert f"**{FULL_RUN_VAL_LOSS}**" in (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert result["metric"] == "val_loss" and result["level"] == "pytorch_lowlevel"
    assert result["final_train_loss"] < result["initial_loss"] - 0.5
    assert abs(result["initial_loss"] - math.log(result["vocab_size"])) < 0.3        # 처음엔 ≈ ln V
    assert json.loads((tmp_path / "result.json").read_text())["value"] == result["value"]
    for name in ("loss_curve.png", "attention.png"):
        assert (tmp_path / name).stat().st_size > 0


@pytest.mark.slow
def test_nanogpt_cpu_recipe_on_english_prose(tmp_path):
    """nanoGPT의 CPU 처방 (4층, 4 head, 128 폭, block 64, batch 12, 2000 iter): validation loss가 내려간다."""
    from .gpt_lowlevel import main

    result = main(["--threads", "1", "--out", str(tmp_path)])
    assert result["iters"] == 2000
    assert result["value"] < 1.9
