"""L2 검증: 손으로 쓴 patchify·attention·LayerNorm == 라이브러리 쌍둥이 (값과 float64 gradcheck) →
L2 모델 == L3 모델 (같은 가중치, logits와 gradient) → 초기화 식 → 잘못된 입력 → 스크립트 실행."""
import math

import pytest
import torch
import torch.nn.functional as F

from utils.gradcheck import F32_ATOL, F64_ATOL, F64_RTOL

from ..paper.vit import ViT
from . import vit_functions as L
from .vit_lowlevel import main


def rand(*shape, seed=0, dtype=torch.float32):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


# ---- patchify == stride-P convolution ----
@pytest.mark.parametrize("C, H, P", [(3, 12, 4), (1, 15, 5), (2, 8, 1), (3, 16, 16)])
def test_patch_embed_equals_a_stride_p_convolution(C, H, P):
    D = 7
    fan_in = C * P * P                                   # 출력이 O(1)이 되도록 초기화처럼 1/√fan_in 크기의 W
    x, W, b = rand(2, C, H, H), rand(D, fan_in, seed=1) / math.sqrt(fan_in), rand(D, seed=2)
    ours = L.patch_embed(x, W, b, P)                                           # (B, N, D)
    conv = F.conv2d(x, W.reshape(D, C, P, P), b, stride=P)                     # (B, D, h, w)
    assert ours.shape == (2, (H // P) ** 2, D)
    torch.testing.assert_close(ours, conv.flatten(2).transpose(1, 2), rtol=0, atol=F32_ATOL)


def test_patchify_puts_pixel_c_i_j_of_patch_r_s_where_the_docstring_says():
    x = torch.arange(2 * 4 * 6, dtype=torch.float32).reshape(1, 2, 4, 6)     # C=2, H=4, W=6, P=2 → 2×3 patch
    patches = L.patchify(x, 2)                                                 # (1, 6, 8)
    r, s, c, i, j = 1, 2, 1, 0, 1                                              # patch (행 1, 열 2), 채널 1, (0, 1)
    assert patches[0, r * 3 + s, c * 4 + i * 2 + j] == x[0, c, r * 2 + i, s * 2 + j]


def test_patch_embed_gradients_equal_the_convolution_in_float64():
    x = rand(2, 3, 8, 8, dtype=torch.float64).requires_grad_()
    W = rand(5, 3 * 4 * 4, seed=1, dtype=torch.float64).requires_grad_()
    b = rand(5, seed=2, dtype=torch.float64).requires_grad_()
    assert torch.autograd.gradcheck(lambda x, W, b: L.patch_embed(x, W, b, 4), (x, W, b))
    dout = rand(2, 4, 5, seed=3, dtype=torch.float64)
    grads = torch.autograd.grad((L.patch_embed(x, W, b, 4) * dout).sum(), (x, W, b))
    conv = F.conv2d(x, W.reshape(5, 3, 4, 4), b, stride=4).flatten(2).transpose(1, 2)
    conv_grads = torch.autograd.grad((conv * dout).sum(), (x, W, b))
    for ours, theirs in zip(grads, conv_grads):
        torch.testing.assert_close(ours, theirs, rtol=F64_RTOL, atol=F64_ATOL)


# ---- attention == F.scaled_dot_product_attention ----
def test_hand_written_attention_equals_sdpa_with_rows_summing_to_one():
    q, k, v = rand(2, 3, 5, 4), rand(2, 3, 5, 4, seed=1), rand(2, 3, 5, 4, seed=2)
    y, A = L.scaled_dot_product(q, k, v)
    torch.testing.assert_close(y, F.scaled_dot_product_attention(q, k, v), rtol=0, atol=F32_ATOL)
    torch.testing.assert_close(A.sum(-1), torch.ones(2, 3, 5), rtol=0, atol=F32_ATOL)


def test_attention_gradcheck_in_float64_and_equal_to_sdpa_gradients():
    q, k, v = (rand(1, 2, 4, 3, seed=s, dtype=torch.float64).requires_grad_() for s in range(3))
    assert torch.autograd.gradcheck(lambda q, k, v: L.scaled_dot_product(q, k, v)[0], (q, k, v))
    dout = rand(1, 2, 4, 3, seed=4, dtype=torch.float64)
    ours = torch.autograd.grad((L.scaled_dot_product(q, k, v)[0] * dout).sum(), (q, k, v))
    theirs = torch.autograd.grad((F.scaled_dot_product_attention(q, k, v) * dout).sum(), (q, k, v))
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=F64_RTOL, atol=F64_ATOL)


def test_softmax_shift_keeps_large_scores_finite():
    q = torch.full((1, 1, 3, 2), 300.0)
    y, A = L.scaled_dot_product(q, q, rand(1, 1, 3, 2))
    assert torch.isfinite(y).all() and torch.isfinite(A).all()


def test_layer_norm_equals_torch_and_passes_gradcheck():
    x, g, b = rand(2, 5, 6, dtype=torch.float64), rand(6, seed=1, dtype=torch.float64), rand(6, seed=2,
                                                                                           dtype=torch.float64)
    torch.testing.assert_close(L.layer_norm(x, g, b, 1e-6), F.layer_norm(x, (6,), g, b, 1e-6),
                               rtol=F64_RTOL, atol=F64_ATOL)
    args = tuple(t.clone().requires_grad_() for t in (x, g, b))
    assert torch.autograd.gradcheck(lambda x, g, b: L.layer_norm(x, g, b, 1e-6), args)


# ---- L2 == L3 ----
def paper_model(seed=0, **overrides):
    torch.manual_seed(seed)
    config = dict(image_size=12, patch_size=4, num_classes=5, dim=12, depth=2, heads=3, mlp_dim=20)
    config.update(overrides)
    model = ViT(**config).eval()
    with torch.no_grad():
        for p in model.parameters():                                          # LayerNorm·bias까지 모두 무작위로
            p.add_(0.2 * torch.randn_like(p))
    return model, config


@pytest.mark.parametrize("overrides", [{}, {"qkv_bias": False, "eps": 1e-12}, {"in_channels": 1, "depth": 1}])
def test_lowlevel_vit_equals_paper_vit_logits_and_gradients(overrides):
    model, config = paper_model(**overrides)
    params = L.params_from_state_dict(model.state_dict())
    x = rand(3, config.get("in_channels", 3), 12, 12, seed=5)
    ours = L.vit_forward(params, x, config["patch_size"], config["heads"], eps=model.eps)
    theirs = model(x)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=F32_ATOL)
    y = torch.tensor([0, 3, 4])
    F.cross_entropy(ours, y).backward()
    F.cross_entropy(theirs, y).backward()
    for name, p in model.named_parameters():
        torch.testing.assert_close(params[name].grad, p.grad, rtol=0, atol=F32_ATOL, msg=name)


def test_lowlevel_attention_maps_equal_paper_attention_maps():
    model, config = paper_model()
    params = L.params_from_state_dict(model.state_dict())
    x = rand(2, 3, 12, 12, seed=6)
    _, ours = L.vit_forward(params, x, 4, 3, eps=model.eps, return_attention=True)
    theirs = model.attention_maps(x)
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=0, atol=F32_ATOL)


def test_init_params_have_the_paper_models_names_shapes_and_formula():
    params = L.init_params(32, 4, 10, dim=64, depth=2, mlp_dim=128)
    model = ViT(image_size=32, patch_size=4, num_classes=10, dim=64, depth=2, heads=4, mlp_dim=128)
    assert {k: tuple(v.shape) for k, v in params.items()} == {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert all(p.requires_grad for p in params.values())
    assert abs(float(params["blocks.0.attn.qkv.weight"].detach().std()) - 0.02) < 0.002
    bound = 1 / math.sqrt(3 * 16)
    w = params["patch_embed.proj.weight"].detach()
    assert float(w.abs().max()) <= bound and abs(float(w.std()) - bound / math.sqrt(3)) < 0.1 * bound
    assert torch.all(params["blocks.1.norm2.weight"] == 1) and torch.count_nonzero(params["head.bias"]) == 0
    logits = L.vit_forward(params, rand(10, 3, 32, 32), 4, 4)
    assert abs(F.cross_entropy(logits, torch.arange(10)).item() - math.log(10)) < 0.1


def test_bad_input_names_the_sizes():
    params = L.init_params(8, 4, 2, dim=8, depth=1, mlp_dim=8)
    with pytest.raises(ValueError, match="10×10가 patch 크기 4"):
        L.vit_forward(params, torch.zeros(1, 3, 10, 10), 4, 2)
    with pytest.raises(ValueError, match=r"patch 16개 \+ \[CLS\]인데 position table은 5개"):
        L.vit_forward(params, torch.zeros(1, 3, 16, 16), 4, 2)
    with pytest.raises(ValueError, match=r"\(B, C, H, W\)"):
        L.patchify(torch.zeros(3, 8, 8), 4)
    with pytest.raises(ValueError, match="image_size=9"):
        L.init_params(9, 4, 2, dim=8, depth=1, mlp_dim=8)


def test_quick_run_learns_and_reports(tmp_path, capsys):
    from pathlib import Path

    from .vit_lowlevel import QUICK_NOTE

    result = main(["--quick", "--out", str(tmp_path)])
    assert capsys.readouterr().out.strip().splitlines()[-1] == QUICK_NOTE, "마지막 줄: smoke run 안내"
    assert "smoke run" in QUICK_NOTE and "0.9528" in QUICK_NOTE
    assert "**0.9528**" in (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8"), \
        "QUICK_NOTE가 인용하는 전체 실행의 값이 README 결과 표에 있다"
    for key in ("model", "level", "data", "metric", "value", "seconds"):
        assert key in result
    assert result["level"] == "pytorch_lowlevel"
    assert result["train_loss_last"] < result["train_loss_first"]
    assert (tmp_path / "result.json").is_file() and all((tmp_path / p).is_file() for p in result["plots"])


@pytest.mark.slow
def test_default_run_reaches_93_percent_on_digits(tmp_path):
    """기본 실행 (digits 8×8, 40 epoch): 측정은 0.9528 (test 360장 중 343장), 마지막 10 epoch는 0.942 – 0.961 사이.

    0.93은 측정보다 8장 (2.2%p) 아래: 한 epoch 사이의 흔들림 (±1%p)과 BLAS의 합 순서 차이는 견디고, 학습이 실제로
    망가지면 (예: attention이나 E_pos가 틀려 0.9 아래로) 실패한다.
    """
    result = main(["--out", str(tmp_path)])
    assert result["epochs"] == 40 and result["n_train"] == 1437
    assert result["value"] >= 0.93, f"digits test accuracy {result['value']:.4f}"
