"""L3 dropout의 자리 (BERT 코드 `modeling.py`와 HF: embedding LayerNorm 뒤, attention 확률, 두 sub-layer 출력 —
residual 합과 LayerNorm 전 —, 그리고 분류 head 앞의 pooled output).

1. 하나만 켜기: 모든 dropout을 0으로 두고 하나만 p = 0.5로 켜면 학습 모드의 출력이 평가 모드와 달라진다.
2. 자리: forward hook으로 각 dropout의 입력이 바로 앞 연산의 출력인지 본다.
"""
import pytest
import torch
from torch import nn

from .bert import BERT, BERTClassifier, BERTConfig

CONFIG = BERTConfig(vocab_size=29, hidden_size=12, num_layers=2, num_heads=3, intermediate_size=20, max_position=16,
                    hidden_dropout=0.1, attention_dropout=0.1)


def classifier() -> BERTClassifier:
    """가중치를 크게 흔든 (Linear std 0.5) 분류 모델: 기본 초기화(std 0.02)에서는 dropout 하나의 몫이 작다."""
    torch.manual_seed(0)
    model = BERTClassifier(BERT(CONFIG), num_labels=3)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Linear):
                m.weight.normal_(0, 0.5)
    return model


def batch():
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(5, CONFIG.vocab_size, (4, 9), generator=g)
    mask = torch.ones(4, 9, dtype=torch.long)
    mask[1, 6:] = 0
    return ids, torch.randint(0, 2, (4, 9), generator=g), mask


def all_off(model: nn.Module) -> None:
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
        if hasattr(m, "attention_dropout"):
            m.attention_dropout = 0.0


def changes_in_training(model: nn.Module, inputs) -> float:
    model.eval()
    clean = model(*inputs)
    model.train()
    torch.manual_seed(0)
    return float((model(*inputs) - clean).detach().abs().max())


def test_every_dropout_module_alone_changes_the_training_forward():
    model = classifier()
    names = [name for name, m in model.named_modules() if isinstance(m, nn.Dropout)]
    expected = {"dropout", "bert.embeddings.dropout"} | {f"bert.layers.{i}.{n}.dropout" for i in range(2)
                                                         for n in ("attention", "ffn")}
    assert expected <= set(names)
    for name in names:
        all_off(model)
        dict(model.named_modules())[name].p = 0.5
        assert changes_in_training(model, batch()) > 1e-4, f"{name}가 켜져도 출력이 그대로: forward에서 쓰이지 않는다"


@pytest.mark.parametrize("layer", [0, 1])
def test_attention_probability_dropout_alone_changes_the_training_forward(layer):
    model = classifier()
    all_off(model)
    model.bert.layers[layer].attention.attention_dropout = 0.5
    assert changes_in_training(model, batch()) > 1e-4


def test_each_dropout_takes_the_output_of_the_operation_before_it():
    model = classifier().train()
    outputs, inputs, handles = {}, {}, []
    watch = {"bert.embeddings.dropout": "bert.embeddings.norm", "dropout": "bert.pooler"}
    for i in range(2):
        watch[f"bert.layers.{i}.attention.dropout"] = f"bert.layers.{i}.attention.output"
        watch[f"bert.layers.{i}.ffn.dropout"] = f"bert.layers.{i}.ffn.down"
    modules = dict(model.named_modules())
    for drop, source in watch.items():
        handles.append(modules[source].register_forward_hook(lambda m, a, out, n=source: outputs.setdefault(n, out)))
        handles.append(modules[drop].register_forward_hook(
            lambda m, a, out, n=drop: inputs.setdefault(n, []).append(a[0])))
    model(*batch())
    for h in handles:
        h.remove()
    for drop, source in watch.items():
        assert len(inputs.get(drop, [])) == 1, f"{drop}가 forward 한 번에 {len(inputs.get(drop, []))}번 불렸다"
        assert torch.equal(inputs[drop][0], outputs[source]), f"{drop}의 입력이 {source}의 출력이 아니다"
