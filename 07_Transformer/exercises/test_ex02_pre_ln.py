"""연습문제 02 (pre-LN) 채점: 층 == nn.TransformerEncoderLayer(norm_first=True) → stack == nn.TransformerEncoder →
sub-layer가 0이면 pre-LN 층은 항등 (post-LN은 아님) → gradient가 autograd로 흐른다.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_pre_ln.py`)을 검사한다.
"""
import numpy as np
import pytest
import torch
from torch import nn

from utils.exercises import load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL

B, T, C, NH, DFF = 2, 5, 12, 3, 20


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_pre_ln")


def make_layer(seed):
    torch.manual_seed(seed)
    layer = nn.TransformerEncoderLayer(C, NH, DFF, dropout=0.0, batch_first=True, norm_first=True).double().eval()
    with torch.no_grad():
        for p in layer.parameters():
            if p.ndim == 1:
                p.normal_(0, 0.3)                               # bias·γ·β도 기본값이 아니게
    return layer


def padding():
    return torch.arange(T)[None, :] >= torch.tensor([T, 3])[:, None]


def close(a, b):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("eps", [1e-5, 1e-3])
def test_layer_equals_nn_transformer_encoder_layer_norm_first(ex, eps):
    layer = make_layer(0)
    layer.norm1.eps = layer.norm2.eps = eps
    params = {k: v.detach().clone() for k, v in layer.state_dict().items()}
    x = torch.randn(B, T, C, dtype=torch.float64)
    close(ex.pre_ln_encoder_layer(x, params, NH, padding(), eps), layer(x, src_key_padding_mask=padding()))
    close(ex.pre_ln_encoder_layer(x, params, NH, eps=eps), layer(x))


def test_stack_equals_nn_transformer_encoder_with_final_norm(ex):
    layers = [make_layer(s) for s in (1, 2, 3)]
    final = nn.LayerNorm(C).double()
    with torch.no_grad():
        final.weight.normal_(1, 0.3)
        final.bias.normal_(0, 0.3)
    ref = nn.TransformerEncoder(layers[0], num_layers=3, norm=final, enable_nested_tensor=False).eval()
    with torch.no_grad():
        for i, layer in enumerate(layers):                     # TransformerEncoder는 층을 복사하므로 다시 채운다
            ref.layers[i].load_state_dict(layer.state_dict())
    params = [{k: v.detach().clone() for k, v in layer.state_dict().items()} for layer in layers]
    norm = {"weight": final.weight.detach(), "bias": final.bias.detach()}
    x = torch.randn(B, T, C, dtype=torch.float64)
    close(ex.pre_ln_encoder(x, params, norm, NH, padding()), ref(x, src_key_padding_mask=padding()))


def test_zero_sublayers_make_pre_ln_the_identity_but_not_post_ln(ex):
    """attention·FFN 출력 projection이 0이면 pre-LN 층은 x를 그대로 낸다 (residual이 정규화되지 않는 길).
    같은 조건에서 post-LN 층은 LayerNorm(x)를 낸다."""
    layer = make_layer(4)
    with torch.no_grad():
        for name in ("self_attn.out_proj.weight", "self_attn.out_proj.bias", "linear2.weight", "linear2.bias"):
            layer.get_parameter(name).zero_()
    params = {k: v.detach().clone() for k, v in layer.state_dict().items()}
    x = torch.randn(B, T, C, dtype=torch.float64) * 3 + 1
    close(ex.pre_ln_encoder_layer(x, params, NH), x)
    post = nn.TransformerEncoderLayer(C, NH, DFF, dropout=0.0, batch_first=True).double().eval()
    post.load_state_dict(layer.state_dict())
    assert not torch.allclose(post(x), x)


def test_gradients_flow_to_every_parameter(ex):
    layer = make_layer(5)
    params = {k: v.detach().clone().requires_grad_(True) for k, v in layer.state_dict().items()}
    x = torch.randn(B, T, C, dtype=torch.float64)
    ex.pre_ln_encoder_layer(x, params, NH).pow(2).sum().backward()
    ref = x.clone()
    layer(ref).pow(2).sum().backward()
    for name, p in layer.named_parameters():
        close(params[name].grad, p.grad)
