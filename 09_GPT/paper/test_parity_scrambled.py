"""L3 == HF `GPT2LMHeadModel`, L2 == L3 — 흔든 가중치에서 (Linear·embedding std 0.5, LayerNorm γ·β 무작위, float64).

기본 초기화 (std 0.02)에서는 MLP 입력이 0 근처라 GELU의 tanh 근사와 erf 형태의 차이 (최대 약 5e-4)가 parity 기준
아래로 숨는다. 흔든 가중치에서는 MLP 입력이 ±몇까지 퍼져 두 형태를 바꿔 쓴 것이 logits에 드러난다.
"""
import pytest
import torch
from torch import nn
from transformers import GPT2Config, GPT2LMHeadModel

from utils.gradcheck import F64_RTOL

from ..pytorch_lowlevel import gpt as L2
from .gpt import GPT, GPTConfig

ATOL = 1e-9                     # float64, logits 크기 O(10)


def scramble_(model: nn.Module, seed: int = 0) -> nn.Module:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            is_gamma = p.ndim == 1 and ("ln_" in name) and name.endswith("weight")
            p.copy_((1.0 if is_gamma else 0.0) + 0.5 * torch.randn(p.shape, generator=g, dtype=p.dtype))
    return model


def tokens(V=37, B=2, T=9, seed=1):
    return torch.randint(0, V, (B, T), generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("hf_act", ["gelu_new", "gelu"])
def test_logits_equal_hf_gpt2_at_scrambled_weights(hf_act):
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=37, n_positions=12, n_embd=16, n_layer=2, n_head=4, activation_function=hf_act,
                        attn_implementation="eager")
    ref = scramble_(GPT2LMHeadModel(config)).double().eval()
    ours = GPT.from_reference(ref).double().eval()
    x = tokens()
    with torch.no_grad():
        mlp_in = ref.transformer.h[0].mlp.c_fc(ref.transformer.h[0].ln_2(ref.transformer.wte(x)))
        assert mlp_in.abs().max() > 3                                    # GELU의 두 형태가 갈라지는 범위
        torch.testing.assert_close(ours(x), ref(x).logits, rtol=F64_RTOL, atol=ATOL)


def test_lowlevel_equals_paper_at_scrambled_weights():
    torch.manual_seed(0)
    paper = scramble_(GPT(GPTConfig(block_size=12, vocab_size=37, n_layer=2, n_head=4, n_embd=16)), seed=3)
    paper = paper.double().eval()
    params = {k: (v.t() if k.endswith(GPT.CONV1D_WEIGHTS) else v).detach().clone()
              for k, v in paper.state_dict().items() if k != "lm_head.weight"}     # L2는 (in, out) layout
    config = L2.Config(block_size=12, vocab_size=37, n_layer=2, n_head=4, n_embd=16)
    x = tokens()
    with torch.no_grad():
        torch.testing.assert_close(L2.forward(params, x, config), paper(x), rtol=F64_RTOL, atol=ATOL)
