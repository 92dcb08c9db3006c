"""L3 dropout의 자리 (GPT-2 / nanoGPT: token + position embedding 합, attention 확률, 두 residual branch의 끝 —
residual 합 전).

1. 하나만 켜기: embd_pdrop, attn_pdrop, resid_pdrop 중 하나만 0.5로 두면 학습 모드의 출력이 평가 모드와 달라진다
   (GPT-2의 pre-LN과 GPT-1의 post-LN 모두).
2. 자리: forward hook으로 각 dropout의 입력이 바로 앞 연산의 출력인지 본다.
"""
import pytest
import torch
from torch import nn

from .gpt import GPT, GPTConfig


def model(pre_ln=True, **pdrop) -> GPT:
    torch.manual_seed(0)
    rates = {"embd_pdrop": 0.0, "attn_pdrop": 0.0, "resid_pdrop": 0.0, **pdrop}
    net = GPT(GPTConfig(block_size=12, vocab_size=23, n_layer=2, n_head=2, n_embd=16, pre_ln=pre_ln, **rates))
    with torch.no_grad():                                    # 기본 초기화 (std 0.02)보다 크게: dropout의 몫이 보이게
        for m in net.modules():
            if isinstance(m, nn.Linear):
                m.weight.normal_(0, 0.5)
    return net


def tokens():
    return torch.randint(0, 23, (3, 10), generator=torch.Generator().manual_seed(1))


@pytest.mark.parametrize("pre_ln", [True, False])
@pytest.mark.parametrize("which", ["embd_pdrop", "attn_pdrop", "resid_pdrop"])
def test_each_dropout_rate_alone_changes_the_training_forward(which, pre_ln):
    net = model(pre_ln, **{which: 0.5})
    x = tokens()
    net.eval()
    clean = net(x)
    net.train()
    torch.manual_seed(0)
    assert float((net(x) - clean).detach().abs().max()) > 1e-3, f"{which}가 켜져도 출력이 그대로"


@pytest.mark.parametrize("pre_ln", [True, False])
def test_each_dropout_takes_the_output_of_the_operation_before_it(pre_ln):
    net = model(pre_ln, embd_pdrop=0.1, attn_pdrop=0.1, resid_pdrop=0.1).train()
    x = tokens()
    outputs, inputs, handles = {}, {}, []
    watch = {}
    for i in range(2):
        watch[f"transformer.h.{i}.attn.resid_dropout"] = f"transformer.h.{i}.attn.c_proj"
        watch[f"transformer.h.{i}.mlp.dropout"] = f"transformer.h.{i}.mlp.c_proj"
    modules = dict(net.named_modules())
    for source in watch.values():
        handles.append(modules[source].register_forward_hook(lambda m, a, out, n=source: outputs.setdefault(n, out)))
    for name, m in net.named_modules():
        if isinstance(m, nn.Dropout):
            handles.append(m.register_forward_hook(lambda m, a, out, n=name: inputs.setdefault(n, []).append(a[0])))
    net(x)
    for h in handles:
        h.remove()
    assert set(inputs) == set(watch) | {"transformer.drop"}
    for drop, source in watch.items():
        assert len(inputs[drop]) == 1 and torch.equal(inputs[drop][0], outputs[source]), drop
    embedded = net.transformer.wte.weight[x] + net.transformer.wpe.weight[:x.shape[1]]
    assert len(inputs["transformer.drop"]) == 1
    torch.testing.assert_close(inputs["transformer.drop"][0], embedded, rtol=0, atol=0)
