"""L3 dropout의 자리 (§5.4: 각 sub-layer 출력에 — residual 합과 LayerNorm 전에 — 그리고 embedding + PE 합에).

1. 하나만 켜기: 모든 dropout을 0으로 두고 하나만 p = 0.5로 켜면 학습 모드 출력이 평가 모드와 달라진다
   (정의만 되고 forward에서 빠진 dropout이 드러난다).
2. 자리: forward hook으로 각 residual dropout의 입력이 바로 그 sub-layer의 출력인지, embedding dropout의 입력이
   E·√d + PE인지 본다. 논문의 post-LN과 비교용 pre-LN (norm_first=True) 모두.
"""
import math

import pytest
import torch
from torch import nn

from .transformer import Transformer

V, D, NH, D_FF = 17, 8, 2, 12


def make_model(norm_first=False, seed=0) -> Transformer:
    torch.manual_seed(seed)
    return Transformer(V, D, NH, 2, 2, D_FF, dropout=0.1, max_len=16, norm_first=norm_first)


def batch():
    g = torch.Generator().manual_seed(1)
    return torch.randint(1, V, (3, 6), generator=g), torch.randint(1, V, (3, 5), generator=g)


def all_off(model: Transformer) -> None:
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    for mods in model.attention_modules().values():
        for m in mods:
            m.dropout = 0.0


def dropout_modules(model):
    return [(name, m) for name, m in model.named_modules() if isinstance(m, nn.Dropout)]


@pytest.mark.parametrize("norm_first", [False, True])
def test_every_dropout_module_alone_changes_the_training_forward(norm_first):
    model = make_model(norm_first)
    src, tgt = batch()
    names = [name for name, _ in dropout_modules(model)]
    expected = {"embed_dropout"} | {f"encoder_layers.{i}.{n}" for i in range(2)
                                    for n in ("dropout1", "dropout2", "ffn.dropout")} \
        | {f"decoder_layers.{i}.{n}" for i in range(2) for n in ("dropout1", "dropout2", "dropout3", "ffn.dropout")}
    assert expected <= set(names)
    for name in names:
        all_off(model)
        dict(model.named_modules())[name].p = 0.5
        model.eval()
        clean = model(src, tgt)
        model.train()
        torch.manual_seed(0)
        noisy = model(src, tgt)
        assert (noisy - clean).abs().max() > 1e-4, f"{name}가 켜져도 출력이 그대로: forward에서 쓰이지 않는다"


@pytest.mark.parametrize("where", ["encoder_self", "decoder_self", "cross"])
def test_attention_weight_dropout_alone_changes_the_training_forward(where):
    model = make_model()
    src, tgt = batch()
    for i in range(2):
        all_off(model)
        model.attention_modules()[where][i].dropout = 0.5
        model.eval()
        clean = model(src, tgt)
        model.train()
        torch.manual_seed(0)
        assert (model(src, tgt) - clean).abs().max() > 1e-4, f"{where}[{i}]의 attention dropout이 쓰이지 않는다"


@pytest.mark.parametrize("norm_first", [False, True])
def test_each_residual_dropout_takes_exactly_its_sublayer_output_and_embeddings_take_the_scaled_sum(norm_first):
    model = make_model(norm_first).train()
    src, tgt = batch()
    outputs, inputs, handles = {}, {}, []
    for name, m in model.named_modules():
        if name.endswith(("self_attn", "cross_attn", "ffn", "ffn.linear1")):
            handles.append(m.register_forward_hook(lambda mod, a, out, n=name: outputs.setdefault(n, out)))
        if isinstance(m, nn.Dropout):
            handles.append(m.register_forward_hook(lambda mod, a, out, n=name: inputs.setdefault(n, []).append(a[0])))
    model(src, tgt)
    for h in handles:
        h.remove()
    pairs = {}
    for i in range(2):
        pairs.update({f"encoder_layers.{i}.dropout1": f"encoder_layers.{i}.self_attn",
                      f"encoder_layers.{i}.dropout2": f"encoder_layers.{i}.ffn",
                      f"decoder_layers.{i}.dropout1": f"decoder_layers.{i}.self_attn",
                      f"decoder_layers.{i}.dropout2": f"decoder_layers.{i}.cross_attn",
                      f"decoder_layers.{i}.dropout3": f"decoder_layers.{i}.ffn"})
    for drop, sub in pairs.items():
        assert len(inputs.get(drop, [])) == 1, f"{drop}가 forward 한 번에 {len(inputs.get(drop, []))}번 불렸다"
        assert torch.equal(inputs[drop][0], outputs[sub]), f"{drop}의 입력이 {sub}의 출력이 아니다"
    for prefix in [f"encoder_layers.{i}" for i in range(2)] + [f"decoder_layers.{i}" for i in range(2)]:
        torch.testing.assert_close(inputs[f"{prefix}.ffn.dropout"][0], torch.relu(outputs[f"{prefix}.ffn.linear1"]),
                                   rtol=0, atol=0)                        # FFN 안쪽: 활성화 뒤
    embedded = inputs["embed_dropout"]
    assert len(embedded) == 2                                             # src 한 번, tgt 한 번
    E = model.src_embedding.weight
    for ids, x in zip((src, tgt), embedded):
        T = ids.shape[1]
        torch.testing.assert_close(x, E[ids] * math.sqrt(D) + model.positional.pe[:T])
