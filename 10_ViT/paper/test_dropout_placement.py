"""L3 dropout의 자리 (Appendix B.1: "qkv를 뺀 모든 dense 층 뒤, 그리고 position embedding을 더한 직후";
선택지로 attention 확률, MLP 활성화 뒤, head 앞).

1. 하나만 켜기: 모든 dropout을 0으로 두고 하나만 p = 0.5로 켜면 학습 모드의 출력이 평가 모드와 달라진다.
2. 자리: forward hook으로 각 dropout의 입력이 바로 앞 연산의 출력인지 본다.
"""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from .vit import ViT


def model(**rates) -> ViT:
    torch.manual_seed(0)
    net = ViT(image_size=8, patch_size=4, num_classes=3, dim=12, depth=2, heads=3, mlp_dim=16, **rates)
    with torch.no_grad():                                   # 기본 초기화 (std 0.02)보다 크게: dropout의 몫이 보이게
        for m in net.modules():
            if isinstance(m, nn.Linear):
                m.weight.normal_(0, 0.5)
    return net


def images():
    return torch.randn(4, 3, 8, 8, generator=torch.Generator().manual_seed(1))


ALL_OFF = dict(dropout=0.0, attention_dropout=0.0, drop_path=0.0, embedding_dropout=0.0, mlp_hidden_dropout=0.0,
               head_dropout=0.0)


@pytest.mark.parametrize("which", ["dropout", "attention_dropout", "drop_path", "embedding_dropout",
                                   "mlp_hidden_dropout", "head_dropout"])
def test_each_dropout_alone_changes_the_training_forward(which):
    net = model(**{**ALL_OFF, which: 0.5})
    x = images()
    net.eval()
    clean = net(x)
    net.train()
    torch.manual_seed(0)
    assert float((net(x) - clean).detach().abs().max()) > 1e-3, f"{which}가 켜져도 출력이 그대로"


def test_each_dropout_takes_the_output_of_the_operation_before_it():
    net = model(dropout=0.1, embedding_dropout=0.1, mlp_hidden_dropout=0.1, head_dropout=0.1).train()
    x = images()
    outputs, inputs, handles = {}, {}, []
    watch = {"head_drop": "norm"}
    for i in range(2):
        watch[f"blocks.{i}.attn.proj_drop"] = f"blocks.{i}.attn.proj"
        watch[f"blocks.{i}.mlp.drop1"] = f"blocks.{i}.mlp.fc1"
        watch[f"blocks.{i}.mlp.drop2"] = f"blocks.{i}.mlp.fc2"
    modules = dict(net.named_modules())
    for source in set(watch.values()):
        handles.append(modules[source].register_forward_hook(lambda m, a, out, n=source: outputs.setdefault(n, out)))
    for name, m in net.named_modules():
        if isinstance(m, nn.Dropout):
            handles.append(m.register_forward_hook(lambda m, a, out, n=name: inputs.setdefault(n, []).append(a[0])))
    net(x)
    for h in handles:
        h.remove()
    assert set(inputs) == set(watch) | {"pos_drop"}
    assert all(len(v) == 1 for v in inputs.values())
    for i in range(2):
        p = f"blocks.{i}."
        assert torch.equal(inputs[p + "attn.proj_drop"][0], outputs[p + "attn.proj"])
        assert torch.equal(inputs[p + "mlp.drop2"][0], outputs[p + "mlp.fc2"])
        torch.testing.assert_close(inputs[p + "mlp.drop1"][0], F.gelu(outputs[p + "mlp.fc1"]), rtol=0, atol=0)
    torch.testing.assert_close(inputs["head_drop"][0], outputs["norm"][:, 0], rtol=0, atol=0)   # pooled [CLS]
    patches = net.patch_embed(x)
    z0 = torch.cat([net.cls_token.expand(4, -1, -1), patches], 1) + net.pos_embed          # 식 (1)
    torch.testing.assert_close(inputs["pos_drop"][0], z0, rtol=0, atol=0)
