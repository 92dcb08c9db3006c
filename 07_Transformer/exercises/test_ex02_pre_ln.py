"""연습문제 02 (pre-LN) 채점: 층 == nn.TransformerEncoderLayer(norm_first=True) → stack == nn.TransformerEncoder ==
장의 L3 `Transformer(norm_first=True)` → sub-layer가 0이면 항등 → gradient → 3단계 (residual stream의 RMS).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_pre_ln.py`)을 검사한다.
"""
import pytest
import torch
from torch import nn

from utils.exercises import assert_all_true, assert_close, assert_equal, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL

from ..paper.transformer import Transformer

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


def state(layer):
    return {k: v.detach().clone() for k, v in layer.state_dict().items()}


def padding():
    return torch.arange(T)[None, :] >= torch.tensor([T, 3])[:, None]


@pytest.mark.parametrize("eps", [1e-5, 1e-3])
def test_layer_equals_nn_transformer_encoder_layer_norm_first(ex, eps):
    layer = make_layer(0)
    layer.norm1.eps = layer.norm2.eps = eps
    x = torch.randn(B, T, C, dtype=torch.float64)
    assert_close(ex.pre_ln_encoder_layer(x, state(layer), NH, padding(), eps),
                 layer(x, src_key_padding_mask=padding()), f"pre-LN 층 (padding 있음, eps={eps})",
                 rtol=F64_RTOL, atol=F64_ATOL)
    assert_close(ex.pre_ln_encoder_layer(x, state(layer), NH, eps=eps), layer(x),
                 f"pre-LN 층 (padding 없음, eps={eps})", rtol=F64_RTOL, atol=F64_ATOL)


def reference_stack(seeds=(1, 2, 3)):
    layers = [make_layer(s) for s in seeds]
    final = nn.LayerNorm(C).double()
    with torch.no_grad():
        final.weight.normal_(1, 0.3)
        final.bias.normal_(0, 0.3)
    ref = nn.TransformerEncoder(layers[0], num_layers=len(layers), norm=final, enable_nested_tensor=False).eval()
    with torch.no_grad():
        for i, layer in enumerate(layers):                     # TransformerEncoder는 층을 복사하므로 다시 채운다
            ref.layers[i].load_state_dict(layer.state_dict())
    return ref, [state(layer) for layer in layers], {"weight": final.weight.detach(), "bias": final.bias.detach()}


def test_stack_equals_nn_transformer_encoder_with_final_norm(ex):
    ref, params, norm = reference_stack()
    x = torch.randn(B, T, C, dtype=torch.float64)
    assert_close(ex.pre_ln_encoder(x, params, norm, NH, padding()), ref(x, src_key_padding_mask=padding()),
                 "pre-LN stack 3층 + 마지막 LayerNorm", rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor")
def test_stack_equals_the_chapter_l3_model_with_norm_first(ex):
    """장의 `Transformer(norm_first=True)` (nn.Transformer에서 옮긴 가중치)의 encoder와 같은 값."""
    torch.manual_seed(6)
    ref = nn.Transformer(C, NH, 2, 1, DFF, dropout=0.0, batch_first=True, norm_first=True).eval()
    with torch.no_grad():
        for p in ref.parameters():
            if p.ndim == 1:
                p.normal_(0, 0.3)
    model = Transformer.from_reference(ref).double().eval()      # float32로 옮긴 뒤 둘 다 float64로
    ref = ref.double()
    assert model.encoder_norm is not None and all(layer.norm_first for layer in model.encoder_layers)
    params = [state(layer) for layer in ref.encoder.layers]
    norm = {"weight": ref.encoder.norm.weight.detach(), "bias": ref.encoder.norm.bias.detach()}
    x = torch.randn(B, T, C, dtype=torch.float64)
    with torch.no_grad():
        expected = model.encode(x, padding())
    assert_close(ex.pre_ln_encoder(x, params, norm, NH, padding()), expected,
                 "pre-LN stack vs 장의 Transformer(norm_first=True).encode", rtol=F64_RTOL, atol=F64_ATOL)


def test_zero_sublayers_make_pre_ln_the_identity_but_not_post_ln(ex):
    """attention·FFN 출력 projection이 0이면 pre-LN 층은 x를 그대로 낸다 (residual이 정규화되지 않는 길).
    같은 조건에서 post-LN 층은 LayerNorm(x)를 낸다."""
    layer = make_layer(4)
    with torch.no_grad():
        for name in ("self_attn.out_proj.weight", "self_attn.out_proj.bias", "linear2.weight", "linear2.bias"):
            layer.get_parameter(name).zero_()
    x = torch.randn(B, T, C, dtype=torch.float64) * 3 + 1
    assert_close(ex.pre_ln_encoder_layer(x, state(layer), NH), x, "sub-layer가 0인 pre-LN 층의 출력 (= 입력)",
                 rtol=F64_RTOL, atol=F64_ATOL)
    post = nn.TransformerEncoderLayer(C, NH, DFF, dropout=0.0, batch_first=True).double().eval()
    post.load_state_dict(layer.state_dict())
    assert not torch.allclose(post(x), x)


def test_gradients_flow_to_every_parameter(ex):
    layer = make_layer(5)
    params = {k: v.detach().clone().requires_grad_(True) for k, v in layer.state_dict().items()}
    x = torch.randn(B, T, C, dtype=torch.float64)
    ex.pre_ln_encoder_layer(x, params, NH).pow(2).sum().backward()
    layer(x.clone()).pow(2).sum().backward()
    for name, p in layer.named_parameters():
        assert params[name].grad is not None, f"gradient {name!r}가 흐르지 않습니다"
        assert_close(params[name].grad, p.grad, f"gradient {name!r}", rtol=F64_RTOL, atol=F64_ATOL)


def test_residual_rms_equals_layer_by_layer_measurement(ex):
    """3단계: torch 층을 하나씩 지나며 잰 RMS (마지막 LayerNorm 전)와 같다."""
    ref, params, _ = reference_stack((7, 8, 9, 10))
    x = torch.randn(B, T, C, dtype=torch.float64) * 0.5
    expected, h = [x.pow(2).mean().sqrt().item()], x
    with torch.no_grad():
        for layer in ref.layers:
            h = layer(h)
            expected.append(h.pow(2).mean().sqrt().item())
    sizes = ex.residual_rms(x, params, NH)
    assert_equal(len(sizes), len(params) + 1, "residual_rms 목록 길이 (입력 + 층마다)")
    assert_close(sizes, expected, "residual_rms", rtol=F64_RTOL, atol=F64_ATOL)


def test_residual_stream_grows_with_depth_at_initialisation(ex):
    """초기화 직후 (γ = 1, β = 0, 장의 L3처럼 Xavier) pre-LN 16층: RMS가 4층마다 자라고, 16층 뒤에는 입력의 2.5배를
    넘는다 (제곱 크기가 층마다 더해지는 모양). stack 끝의 LayerNorm 뒤는 약 1로 돌아온다."""
    torch.manual_seed(11)
    d, depth = 32, 16
    layers = [nn.TransformerEncoderLayer(d, 4, 64, dropout=0.0, batch_first=True, norm_first=True).double().eval()
              for _ in range(depth)]
    for module in (m for layer in layers for m in layer.modules()):
        if isinstance(module, nn.Linear):
            nn.init.xavier_uniform_(module.weight)
    x = torch.randn(4, 16, d, dtype=torch.float64)
    sizes = ex.residual_rms(x, [state(layer) for layer in layers], 4)
    every_fourth = torch.tensor(sizes[::4])
    assert_all_true(every_fourth[1:] > every_fourth[:-1], "4층마다 RMS가 자라는가 (x_0 < x_4 < … < x_16)")
    assert sizes[-1] > 2.5 * sizes[0], f"16층 뒤 RMS {sizes[-1]:.3f}가 입력 RMS {sizes[0]:.3f}의 2.5배를 넘지 않습니다"
    plain = {"weight": torch.ones(d, dtype=torch.float64), "bias": torch.zeros(d, dtype=torch.float64)}
    out = ex.pre_ln_encoder(x, [state(layer) for layer in layers], plain, 4)
    assert abs(out.pow(2).mean().sqrt().item() - 1.0) < 1e-3, "마지막 LayerNorm 뒤의 RMS는 약 1이어야 합니다"
