"""L2 검증: 손으로 쓴 대칭 InfoNCE == 행·열 cross-entropy (값, gradient, 식으로 쓴 gradient, float64 gradcheck) →
정규화와 temperature 상한 → 손으로 쓴 attention == F.scaled_dot_product_attention → L2 encoder == L3 CLIP (같은
가중치, logits와 gradient) → 초기화 → 잘못된 입력 → 스크립트 실행."""
from __future__ import annotations

import math
from dataclasses import asdict

import pytest
import torch
import torch.nn.functional as F

from utils.gradcheck import F32_ATOL, F64_ATOL, F64_RTOL

from ..paper.clip import CLIP, CLIPConfig
from . import clip_functions as L
from .clip_lowlevel import main


def rand(*shape, seed=0, dtype=torch.float32):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def reference_loss(logits):
    """라이브러리 쌍둥이: 행에 한 번, 열에 한 번 F.cross_entropy."""
    labels = torch.arange(len(logits))
    return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2


# ---- 대칭 InfoNCE ----
@pytest.mark.parametrize("N, scale", [(1, 1.0), (5, 3.0), (16, 50.0), (7, 1000.0)])
def test_info_nce_equals_cross_entropy_over_rows_and_columns(N, scale):
    logits = rand(N, N) * scale                                     # 1000: log-sum-exp가 max를 빼지 않으면 inf
    ours = L.info_nce_from_logits(logits)
    assert math.isfinite(ours.item())
    torch.testing.assert_close(ours, reference_loss(logits), rtol=1e-6, atol=F32_ATOL)


def test_info_nce_is_symmetric_not_one_sided():
    """비대칭 행렬에서 행 방향 CE와 열 방향 CE는 다르고, 손으로 쓴 loss는 둘의 평균이다."""
    logits = rand(6, 6, seed=3) * 4
    labels = torch.arange(6)
    rows, cols = F.cross_entropy(logits, labels), F.cross_entropy(logits.T, labels)
    assert abs(rows - cols) > 1e-2
    torch.testing.assert_close(L.info_nce_from_logits(logits), (rows + cols) / 2)


def test_info_nce_gradients_equal_cross_entropy_and_the_formula_in_float64():
    logits = (rand(6, 6, seed=1, dtype=torch.float64) * 3).requires_grad_()
    ours, = torch.autograd.grad(L.info_nce_from_logits(logits), logits)
    theirs, = torch.autograd.grad(reference_loss(logits), logits)
    torch.testing.assert_close(ours, theirs, rtol=F64_RTOL, atol=F64_ATOL)
    torch.testing.assert_close(L.info_nce_logit_grad(logits.detach()), theirs, rtol=F64_RTOL, atol=F64_ATOL)
    assert torch.autograd.gradcheck(L.info_nce_from_logits, (logits,))


def test_info_nce_through_normalisation_and_temperature_passes_gradcheck():
    image = rand(5, 4, seed=1, dtype=torch.float64).requires_grad_()
    text = rand(5, 4, seed=2, dtype=torch.float64).requires_grad_()
    t = torch.tensor(1.3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(L.info_nce, (image, text, t))
    expected = reference_loss(t.exp() * F.normalize(image, dim=-1) @ F.normalize(text, dim=-1).T)
    torch.testing.assert_close(L.info_nce(image, text, t), expected, rtol=F64_RTOL, atol=F64_ATOL)


def test_logit_gradient_pulls_pairs_up_and_sums_to_zero():
    """행 성분 (softmax_행 − I)은 행마다, 열 성분은 열마다 합이 0 → 전체 합 0. 대각선(짝)은 언제나 음수:
    gradient descent가 짝의 logit을 올리고 나머지를 내린다."""
    g = L.info_nce_logit_grad(rand(7, 7, seed=4, dtype=torch.float64) * 2)
    assert abs(g.sum().item()) < 1e-12
    assert torch.all(g.diagonal() < 0)
    off = g - torch.diag(g.diagonal())
    assert torch.all(off >= 0)


def test_uniform_logits_give_ln_n():
    assert L.info_nce_from_logits(torch.zeros(9, 9)).item() == pytest.approx(math.log(9), abs=1e-6)


def test_mismatched_batches_are_refused():
    with pytest.raises(ValueError, match="batch 크기가 같아야"):
        L.info_nce_from_logits(torch.zeros(3, 4))
    with pytest.raises(ValueError, match="같은 shape"):
        L.info_nce(torch.zeros(3, 4), torch.zeros(5, 4), torch.tensor(0.0))


# ---- 정규화, temperature ----
def test_l2_normalize_equals_f_normalize_including_zero_vectors():
    x = rand(4, 6)
    x[2] = 0.0
    torch.testing.assert_close(L.l2_normalize(x), F.normalize(x, dim=-1), rtol=0, atol=F32_ATOL)
    assert torch.all(L.l2_normalize(x)[2] == 0)                      # 0 벡터는 0으로 (나눗셈이 NaN이 아니다)
    xd = rand(3, 5, dtype=torch.float64).requires_grad_()
    assert torch.autograd.gradcheck(L.l2_normalize, (xd,))


def test_temperature_clamp_bounds_and_leaves_values_inside():
    t = torch.tensor(math.log(1 / 0.07), requires_grad=True)
    L.clamp_logit_scale_(t)
    assert t.item() == pytest.approx(math.log(1 / 0.07))
    with torch.no_grad():
        t.fill_(9.0)
    L.clamp_logit_scale_(t)
    assert t.exp().item() == pytest.approx(100.0, rel=1e-6)
    with torch.no_grad():
        t.fill_(-3.0)
    L.clamp_logit_scale_(t)
    assert t.item() == 0.0 and t.requires_grad


def test_higher_scale_sharpens_the_loss_of_a_correct_batch():
    """짝이 가장 비슷한 batch: exp(t)가 클수록 loss가 작다 (temperature가 배우는 방향)."""
    features = F.normalize(rand(6, 8), dim=-1)
    losses = [L.info_nce(features, features, torch.tensor(math.log(s))).item() for s in (1.0, 10.0, 100.0)]
    assert losses[0] > losses[1] > losses[2]


# ---- attention ----
def test_attention_with_causal_and_padding_mask_equals_sdpa():
    q, k, v = rand(2, 3, 6, 4, seed=1), rand(2, 3, 6, 4, seed=2), rand(2, 3, 6, 4, seed=3)
    allowed = torch.ones(6, 6, dtype=torch.bool).tril()[None, None] \
        & torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1]], dtype=torch.bool)[:, None, None, :]
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
    torch.testing.assert_close(L.attention(q, k, v, allowed), expected, rtol=0, atol=F32_ATOL)
    qd = q.double().requires_grad_()
    assert torch.autograd.gradcheck(lambda q: L.attention(q, k.double(), v.double(), allowed), (qd,))


def test_layer_norm_equals_f_layer_norm():
    x, g, b = rand(3, 5, 8), rand(8, seed=1), rand(8, seed=2)
    torch.testing.assert_close(L.layer_norm(x, g, b, 1e-5), F.layer_norm(x, (8,), g, b, 1e-5), rtol=0, atol=F32_ATOL)


# ---- L2 == L3 ----
def small_config(**overrides) -> CLIPConfig:
    kwargs = dict(embed_dim=12, image_size=16, patch_size=4, vision_width=24, vision_layers=2, vision_heads=3,
                  vision_mlp=20, vocab_size=30, context_length=10, text_width=16, text_layers=2, text_heads=2,
                  text_mlp=36, eos_token_id=29)
    kwargs.update(overrides)
    return CLIPConfig(**kwargs)


def padded_batch(B=4, T=8):
    ids = torch.randint(2, 29, (B, T), generator=torch.Generator().manual_seed(5))
    mask = torch.ones_like(ids)
    for i in range(B):
        n = T - 2 * i
        ids[i, n - 1], ids[i, n:], mask[i, n:] = 29, 0, 0
    ids[-1] = torch.tensor([0, 0, 0, 5, 6, 7, 8, 29])                # 왼쪽 padding 행
    mask[-1] = torch.tensor([0, 0, 0, 1, 1, 1, 1, 1])
    return ids, mask


@pytest.mark.parametrize("overrides", [dict(), dict(text_act="gelu", vision_eps=1e-3, patch_size=8, vision_heads=4)])
def test_lowlevel_clip_equals_paper_clip_on_the_same_weights(overrides):
    torch.manual_seed(0)
    model = CLIP(small_config(**overrides)).eval()
    with torch.no_grad():
        model.logit_scale.fill_(1.9)
    params = L.params_from_state_dict(model.state_dict())
    c = asdict(model.config)
    ids, mask = padded_batch()
    px = rand(4, 3, 16, 16, seed=7)
    ours = L.clip_forward(params, ids, px, c, mask)
    theirs = model(ids, px, mask)
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b, rtol=0, atol=F32_ATOL)
    # gradient도 같다: 같은 loss를 두 레벨에서 backward
    L.info_nce_from_logits(ours[0]).backward()
    from ..paper.clip import clip_loss

    clip_loss(theirs[0]).backward()
    for name, p in model.named_parameters():
        torch.testing.assert_close(params[name].grad, p.grad, rtol=1e-4, atol=F32_ATOL, msg=name)


def test_params_are_copies_not_views():
    model = CLIP(small_config())
    params = L.params_from_state_dict(model.state_dict())
    assert not any(params[n].data_ptr() == p.data_ptr() for n, p in model.named_parameters())


def test_init_params_match_the_paper_model_keys_shapes_and_scales():
    c = asdict(small_config(vision_width=96, vision_heads=4, vision_mlp=192))
    params = L.init_params(c, seed=0)
    model = CLIP(CLIPConfig(**c))
    own = model.state_dict()
    assert set(params) == set(own)
    assert all(params[k].shape == own[k].shape for k in own)
    in_proj = params["visual.transformer.resblocks.0.attn.in_proj.weight"]
    assert abs(in_proj.std().item() - 96 ** -0.5 * 4 ** -0.5) < 0.05 * 96 ** -0.5 * 4 ** -0.5
    assert params["logit_scale"].exp().item() == pytest.approx(1 / 0.07, rel=1e-5)


# ---- 스크립트 ----
def test_quick_run_lowers_the_contrastive_loss(tmp_path, capsys):
    from pathlib import Path

    from .clip_lowlevel import QUICK_NOTE

    result = main(["--quick", "--threads", "1", "--out", str(tmp_path)])
    assert capsys.readouterr().out.strip().splitlines()[-1] == QUICK_NOTE, "마지막 줄: smoke run 안내"
    assert "smoke run" in QUICK_NOTE and "0.422" in QUICK_NOTE
    assert "**0.422**" in (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8"), \
        "QUICK_NOTE가 인용하는 전체 실행의 값이 README 결과 표에 있다"
    assert result["level"] == "pytorch_lowlevel" and result["metric"] == "zero_shot_accuracy"
    assert result["train_loss_last"] < result["train_loss_first"]
    assert 0.0 <= result["value"] <= 1.0
    assert (tmp_path / "result.json").exists()
