"""L3 ViT 검증: shape → parameter 수(Table 1) → timm·HF parity(홀수 설정) → 옮겨야 할 hyper-parameter →
E_pos 보간 == timm → 초기화 식 → train/eval → 거부할 변형과 잘못된 입력 → 학습 sanity.

parity의 상대는 모두 라이브러리의 class와 config로 이 자리에서 만든 작은 무작위 모델이다 (내려받는 것 없음).
"""
import math

import numpy as np
import pytest
import timm.models.vision_transformer as timm_vit
import torch
import torch.nn.functional as F
from timm.layers import resample_abs_pos_embed
from torch import nn
from transformers import ViTConfig, ViTForImageClassification, ViTModel

from utils.core import DatasetUnavailable
from utils.gradcheck import F32_ATOL, F64_ATOL, F64_RTOL

from . import vit as V
from .vit import ViT

# 논문 Table 1을 따로 옮겨 적은 것 (vit.CONFIGS와 대조): 이름 → (Layers, Hidden size D, MLP size, Heads, Params)
PAPER_TABLE_1 = {"B": (12, 768, 3072, 12, "86M"), "L": (24, 1024, 4096, 16, "307M"), "H": (32, 1280, 5120, 16, "632M")}
# DeiT (Touvron et al. 2021) Table 1: 이름 → (embedding dim, heads, layers)
DEIT_TABLE_1 = {"Ti": (192, 3, 12), "S": (384, 6, 12)}


def randomize_(model: nn.Module, seed: int = 0) -> nn.Module:
    """모든 parameter를 무작위로 (LayerNorm γ·β, bias, [CLS]까지). 갓 만든 모델의 γ=1, β=0, bias=0으로는
    key를 잘못 옮겨도 parity가 통과할 수 있다."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            scale = 0.2 if ("norm" in name and name.endswith("weight")) else 0.3
            base = 1.0 if ("norm" in name and name.endswith("weight")) else 0.0
            p.copy_(base + scale * torch.randn(p.shape, generator=g))
    return model


def images(B, size, C=3, seed=1):
    return torch.randn(B, C, size, size, generator=torch.Generator().manual_seed(seed))


# ---- timm·HF의 작은 홀수 설정: patch 수가 홀수, 1층, head 3개, 작은 D ----
TIMM_CONFIGS = {
    "odd_grid_1layer_3heads": dict(img_size=20, patch_size=4, num_classes=7, embed_dim=24, depth=1, num_heads=3,
                                   mlp_ratio=2.0),
    "3x3_patches_avg_pool": dict(img_size=15, patch_size=5, num_classes=3, embed_dim=30, depth=2, num_heads=5,
                                 mlp_ratio=1.5, global_pool="avg"),
    "gray_no_qkv_bias_1head": dict(img_size=21, patch_size=7, in_chans=1, num_classes=4, embed_dim=12, depth=3,
                                   num_heads=1, qkv_bias=False),
    "headless": dict(img_size=12, patch_size=4, num_classes=0, embed_dim=18, depth=2, num_heads=3),
}
HF_CONFIGS = {
    "odd_grid_1layer_3heads": dict(image_size=20, patch_size=4, hidden_size=24, num_hidden_layers=1,
                                   num_attention_heads=3, intermediate_size=40, num_labels=5),
    "gray_no_qkv_bias_eps": dict(image_size=15, patch_size=5, num_channels=1, hidden_size=30, num_hidden_layers=2,
                                 num_attention_heads=5, intermediate_size=33, num_labels=3, qkv_bias=False,
                                 layer_norm_eps=1e-5),
}


# ===========================================================================
# shape와 parameter 수
# ===========================================================================
def test_forward_returns_logits_of_shape_batch_by_classes():
    model = ViT(image_size=32, patch_size=4, num_classes=10, dim=32, depth=2, heads=4, mlp_dim=64).eval()
    assert model(images(3, 32)).shape == (3, 10)
    tokens = model.forward_features(images(3, 32))
    assert tokens.shape == (3, 8 * 8 + 1, 32), "N = (32/4)² = 64 patch + [CLS]"
    headless = ViT(image_size=32, patch_size=4, num_classes=0, dim=32, depth=1, heads=4, mlp_dim=64)
    assert headless(images(2, 32)).shape == (2, 32), "num_classes=0: pooled feature (B, D)"


def test_vit_b16_has_exactly_timms_parameter_count():
    with torch.device("meta"):                           # 값 없이 모양만: 86M개를 초기화하지 않고 센다
        ours = ViT()                                     # 기본값 = ViT-B/16, 224, 1000 class
        twin = timm_vit.VisionTransformer(img_size=224, patch_size=16, embed_dim=768, depth=12, num_heads=12,
                                          num_classes=1000)   # timm vit_base_patch16_224의 인자
    assert V.n_parameters(ours) == 86_567_656
    assert sum(p.numel() for p in twin.parameters()) == 86_567_656
    assert V.count_parameters("B/16") == 86_567_656


@pytest.mark.parametrize("name, image_size, num_classes", [("Ti/16", 224, 1000), ("S/32", 224, 1000),
                                                           ("S/32", 64, 10), ("Ti/16", 48, 0)])
def test_parameter_formula_equals_built_model_and_timm(name, image_size, num_classes):
    size, patch = name.split("/")
    c = V.CONFIGS[size]
    with torch.device("meta"):
        model = V.vit(name, image_size=image_size, num_classes=num_classes)
        twin = timm_vit.VisionTransformer(img_size=image_size, patch_size=int(patch), embed_dim=c["dim"],
                                          depth=c["depth"], num_heads=c["heads"], mlp_ratio=c["mlp_dim"] / c["dim"],
                                          num_classes=num_classes)
    assert V.n_parameters(model) == V.count_parameters(name, image_size, num_classes) \
        == sum(p.numel() for p in twin.parameters())


def test_config_table_matches_the_paper_and_deit():
    for size, (layers, hidden, mlp, heads, _params) in PAPER_TABLE_1.items():
        assert V.CONFIGS[size] == {"dim": hidden, "depth": layers, "mlp_dim": mlp, "heads": heads}, size
    for size, (dim, heads, layers) in DEIT_TABLE_1.items():
        assert V.CONFIGS[size] == {"dim": dim, "depth": layers, "mlp_dim": 4 * dim, "heads": heads}, size
    # 논문의 "Params" 열은 반올림한 값: B/16 86.6M → "86M", H/14 → "632M"
    assert V.count_parameters("B/16") // 10**6 == 86
    assert V.count_parameters("H/14") // 10**6 == 632


# ===========================================================================
# parity: timm VisionTransformer
# ===========================================================================
@pytest.mark.parametrize("key", list(TIMM_CONFIGS))
def test_from_reference_timm_matches_outputs(key):
    torch.manual_seed(0)
    cfg = TIMM_CONFIGS[key]
    ref = randomize_(timm_vit.VisionTransformer(**cfg)).eval()
    ours = ViT.from_reference(ref)
    assert not ours.training
    x = images(3, cfg["img_size"], cfg.get("in_chans", 3))
    with torch.no_grad():
        diff = float((ours(x) - ref(x)).abs().max())
        feat = float((ours.forward_head(ours.forward_features(x), pre_logits=True)
                      - ref.forward_head(ref.forward_features(x), pre_logits=True)).abs().max())
    assert diff <= F32_ATOL, f"{key}: logits 최대 차이 {diff:.2e}"
    assert feat <= F32_ATOL, f"{key}: pre-logits 최대 차이 {feat:.2e}"
    assert V.n_parameters(ours) == sum(p.numel() for p in ref.parameters())
    ref_ptrs = {p.data_ptr() for p in ref.parameters()}
    assert not any(p.data_ptr() in ref_ptrs for p in ours.parameters()), "상대와 tensor를 나누지 않는다"


def test_from_reference_timm_in_float64_is_exact_to_float64_tolerance():
    torch.manual_seed(0)
    ref = randomize_(timm_vit.VisionTransformer(**TIMM_CONFIGS["odd_grid_1layer_3heads"])).double().eval()
    ours = ViT.from_reference(ref)
    assert next(ours.parameters()).dtype == torch.float64
    x = images(2, 20).double()
    torch.testing.assert_close(ours(x), ref(x), rtol=F64_RTOL, atol=F64_ATOL)


def test_from_reference_timm_carries_eps_dropouts_and_pool():
    ref = timm_vit.VisionTransformer(img_size=16, patch_size=4, num_classes=3, embed_dim=12, depth=3, num_heads=2,
                                     pos_drop_rate=0.1, proj_drop_rate=0.2, attn_drop_rate=0.3, drop_rate=0.4,
                                     drop_path_rate=0.5, global_pool="avg")
    ours = ViT.from_reference(ref)
    assert ours.eps == 1e-6 and all(m.eps == 1e-6 for m in ours.modules() if isinstance(m, nn.LayerNorm))
    assert ours.pool == "avg" and ours.pos_drop.p == 0.1 and ours.head_drop.p == 0.4
    for i, block in enumerate(ours.blocks):
        assert block.attn.proj_drop.p == 0.2 and block.mlp.drop1.p == 0.2 and block.mlp.drop2.p == 0.2
        assert block.attn.attention_dropout == 0.3
        timm_rate = getattr(ref.blocks[i].drop_path1, "drop_prob", 0.0)        # 0이면 timm은 Identity
        assert block.drop_path.p == pytest.approx(timm_rate), "층마다 0 → 0.5 선형"
    assert ours.blocks[0].drop_path.p == 0.0 and ours.blocks[-1].drop_path.p == pytest.approx(0.5)
    assert ours.training == ref.training


def test_train_mode_with_dropout_is_random_and_eval_mode_matches_timm():
    torch.manual_seed(0)
    ref = randomize_(timm_vit.VisionTransformer(img_size=16, patch_size=4, num_classes=3, embed_dim=12, depth=2,
                                                num_heads=2, proj_drop_rate=0.3, attn_drop_rate=0.3,
                                                drop_path_rate=0.3))
    ours = ViT.from_reference(ref)
    x = images(4, 16)
    assert ours.training, "from_reference는 상대의 train/eval 상태를 따른다"
    a, b = ours(x), ours(x)
    assert not torch.allclose(a, b), "train 모드: dropout이 매번 다르다"
    ours.eval()
    ref.eval()
    with torch.no_grad():
        torch.testing.assert_close(ours(x), ours(x), rtol=0, atol=0)
        assert float((ours(x) - ref(x)).abs().max()) <= F32_ATOL


# ===========================================================================
# parity: Hugging Face ViTForImageClassification / ViTModel
# ===========================================================================
@pytest.mark.parametrize("key", list(HF_CONFIGS))
def test_from_reference_hf_classifier_matches_logits_and_carries_eps(key):
    torch.manual_seed(0)
    cfg = ViTConfig(**HF_CONFIGS[key])
    ref = randomize_(ViTForImageClassification(cfg)).eval()
    ours = ViT.from_reference(ref)
    assert ours.eps == cfg.layer_norm_eps and all(m.eps == cfg.layer_norm_eps
                                                  for m in ours.modules() if isinstance(m, nn.LayerNorm))
    x = images(3, cfg.image_size, cfg.num_channels)
    with torch.no_grad():
        diff = float((ours(x) - ref(x).logits).abs().max())
    assert diff <= F32_ATOL, f"{key}: {diff:.2e}"
    assert V.n_parameters(ours) == sum(p.numel() for p in ref.parameters())


def test_eps_travels_with_the_port_it_is_not_hard_coded():
    """ε가 크면 결과가 ε에 따라 크게 달라진다: HF의 ε를 가져오지 않고 1e-6을 썼다면 여기서 틀린다."""
    torch.manual_seed(0)
    cfg = ViTConfig(**{**HF_CONFIGS["odd_grid_1layer_3heads"], "layer_norm_eps": 0.5})
    ref = randomize_(ViTForImageClassification(cfg)).eval()
    ours = ViT.from_reference(ref)
    x = images(2, 20)
    with torch.no_grad():
        assert float((ours(x) - ref(x).logits).abs().max()) <= F32_ATOL
        for m in ours.modules():
            if isinstance(m, nn.LayerNorm):
                m.eps = 1e-6
        assert float((ours(x) - ref(x).logits).abs().max()) > 100 * F32_ATOL, "ε는 출력을 바꾼다"


@pytest.mark.parametrize("pooler", [True, False])
def test_from_reference_hf_vitmodel_gives_pooler_or_cls_feature(pooler):
    torch.manual_seed(0)
    cfg = ViTConfig(**HF_CONFIGS["odd_grid_1layer_3heads"])
    ref = randomize_(ViTModel(cfg, add_pooling_layer=pooler)).eval()
    ours = ViT.from_reference(ref)
    assert ours.num_classes == 0 and (ours.pre_logits is not None) == pooler
    x = images(2, 20)
    with torch.no_grad():
        out = ref(x)
        expected = out.pooler_output if pooler else out.last_hidden_state[:, 0]
        assert float((ours(x) - expected).abs().max()) <= F32_ATOL
        assert float((ours.forward_features(x) - out.last_hidden_state).abs().max()) <= F32_ATOL


def test_from_reference_hf_carries_dropouts_without_mlp_hidden_dropout():
    cfg = ViTConfig(**{**HF_CONFIGS["odd_grid_1layer_3heads"], "hidden_dropout_prob": 0.1,
                       "attention_probs_dropout_prob": 0.2})
    ours = ViT.from_reference(ViTForImageClassification(cfg))
    assert ours.pos_drop.p == 0.1 and ours.blocks[0].attn.proj_drop.p == 0.1 and ours.blocks[0].mlp.drop2.p == 0.1
    assert ours.blocks[0].mlp.drop1.p == 0.0, "HF ViT는 MLP 활성화 뒤에 dropout이 없다"
    assert ours.blocks[0].attn.attention_dropout == 0.2 and ours.head_drop.p == 0.0
    assert ours.pos_embed_antialias is False, "HF의 E_pos 보간은 antialias 없이"


def test_hf_transformers_4_layout_reads_to_the_same_weights():
    """transformers 4.x의 key 이름(`encoder.layer.{i}.attention.attention.query` …)도 같은 state로 읽는다."""
    torch.manual_seed(0)
    cfg = ViTConfig(**HF_CONFIGS["odd_grid_1layer_3heads"])
    ref = randomize_(ViTForImageClassification(cfg))
    v5, v4 = V.HF_LAYER_KEYS["v5"], V.HF_LAYER_KEYS["v4"]
    renamed = {}
    for key, value in ref.state_dict().items():
        for part in ("q", "k", "v", "o", "fc1", "fc2", "norm1", "norm2"):
            new_key = key.replace(f"layers.0.{v5[part]}.", "encoder.layer.0." + v4[part] + ".")
            if new_key != key:
                key = new_key
                break
        renamed[key] = value
    assert "vit.encoder.layer.0.attention.attention.query.weight" in renamed
    config5, state5 = V._hf_config_and_state(cfg, ref.state_dict(), "hf_classifier", has_pooler=False)
    config4, state4 = V._hf_config_and_state(cfg, renamed, "hf_classifier", has_pooler=False)
    assert config4 == config5 and list(state4) == list(state5)
    for key in state5:
        torch.testing.assert_close(state4[key], state5[key], rtol=0, atol=0)


def test_timm_and_hf_ports_of_the_same_weights_agree_through_ours():
    """timm → ours → 같은 가중치의 HF: 세 모델이 같은 함수 (ε만 다르면 안 되므로 HF 쪽 ε를 1e-6으로)."""
    torch.manual_seed(0)
    cfg = ViTConfig(**{**HF_CONFIGS["odd_grid_1layer_3heads"], "layer_norm_eps": 1e-6})
    hf = randomize_(ViTForImageClassification(cfg)).eval()
    ours = ViT.from_reference(hf)
    timm_twin = timm_vit.VisionTransformer(img_size=20, patch_size=4, num_classes=5, embed_dim=24, depth=1,
                                           num_heads=3, mlp_ratio=40 / 24).eval()
    state = dict(ours.state_dict())                      # 우리 key 이름은 timm과 같다 (patch kernel만 모양이 다르다)
    state["patch_embed.proj.weight"] = state["patch_embed.proj.weight"].reshape(24, 3, 4, 4)
    timm_twin.load_state_dict(state)
    x = images(2, 20)
    with torch.no_grad():
        assert float((timm_twin(x) - hf(x).logits).abs().max()) <= F32_ATOL


# ===========================================================================
# E_pos 보간 (Section 3.2)
# ===========================================================================
@pytest.mark.parametrize("new_grid", [(7, 7), (3, 3), (5, 5), (4, 6)])
def test_resample_pos_embed_equals_timm(new_grid):
    pe = torch.randn(1, 1 + 25, 8, generator=torch.Generator().manual_seed(0))
    ours = V.resample_pos_embed(pe, new_grid)
    theirs = resample_abs_pos_embed(pe, list(new_grid), num_prefix_tokens=1)
    assert ours.shape == (1, 1 + new_grid[0] * new_grid[1], 8)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=F32_ATOL)
    torch.testing.assert_close(ours[:, 0], pe[:, 0], rtol=0, atol=0)             # [CLS] 자리는 그대로


def test_resample_same_grid_is_the_identity_and_antialias_matters():
    pe = torch.randn(1, 1 + 16, 4, generator=torch.Generator().manual_seed(0))
    assert V.resample_pos_embed(pe, (4, 4)) is pe
    up_aa, up_plain = V.resample_pos_embed(pe, (6, 6)), V.resample_pos_embed(pe, (6, 6), antialias=False)
    assert float((up_aa - up_plain).abs().max()) > 1e-2, "antialias bicubic(a=−0.5)와 보통 bicubic(a=−0.75)은 다르다"


def test_set_image_size_matches_timm_set_input_size():
    torch.manual_seed(0)
    ref = randomize_(timm_vit.VisionTransformer(**TIMM_CONFIGS["odd_grid_1layer_3heads"])).eval()
    ours = ViT.from_reference(ref)
    ref.set_input_size(img_size=(28, 28))
    ours.set_image_size(28)
    assert ours.pos_embed.shape == ref.pos_embed.shape == (1, 1 + 49, 24)
    x = images(2, 28)
    with torch.no_grad():
        assert float((ours(x) - ref(x)).abs().max()) <= F32_ATOL


def test_interpolate_pos_encoding_matches_hf_at_a_new_resolution():
    torch.manual_seed(0)
    ref = randomize_(ViTForImageClassification(ViTConfig(**HF_CONFIGS["odd_grid_1layer_3heads"]))).eval()
    ours = ViT.from_reference(ref)
    x = images(2, 28)
    with torch.no_grad():
        diff = float((ours(x, interpolate_pos_encoding=True)
                      - ref(x, interpolate_pos_encoding=True).logits).abs().max())
    assert diff <= F32_ATOL


# ===========================================================================
# 부품: attention, DropPath, patch embedding
# ===========================================================================
def test_sdpa_path_equals_the_explicit_attention_path_and_rows_sum_to_one():
    torch.manual_seed(0)
    model = randomize_(ViT(image_size=12, patch_size=4, num_classes=3, dim=12, depth=2, heads=3, mlp_dim=20)).eval()
    x = images(2, 12)
    with torch.no_grad():
        plain = model.forward_features(x)
        tokens, attentions = model.forward_features(x, return_attention=True)
    torch.testing.assert_close(tokens, plain, rtol=0, atol=F32_ATOL)
    assert len(attentions) == 2 and attentions[0].shape == (2, 3, 10, 10)
    torch.testing.assert_close(attentions[0].sum(-1), torch.ones(2, 3, 10), rtol=0, atol=F32_ATOL)


def test_drop_path_is_identity_in_eval_and_drops_whole_samples_in_train():
    layer = V.DropPath(0.5)
    x = torch.ones(400, 3, 2)
    layer.eval()
    assert layer(x) is x
    layer.train()
    torch.manual_seed(0)
    y = layer(x)
    per_sample = y.reshape(400, -1)
    assert set(per_sample.unique().tolist()) <= {0.0, 2.0}, "남긴 sample은 1/(1−p)배"
    assert torch.all(per_sample.min(1).values == per_sample.max(1).values), "sample 단위로 통째로"
    assert 0.4 < float((per_sample[:, 0] == 0).float().mean()) < 0.6
    assert V.DropPath(0.0).train()(x) is x


def test_patch_embedding_is_a_strided_convolution_with_the_reshaped_kernel():
    torch.manual_seed(0)
    embed = V.PatchEmbedding(patch_size=4, in_channels=3, dim=5)
    x = images(2, 12)
    conv = F.conv2d(x, embed.proj.weight.reshape(5, 3, 4, 4), embed.proj.bias, stride=4)   # (B, D, 3, 3)
    torch.testing.assert_close(embed(x), conv.flatten(2).transpose(1, 2), rtol=0, atol=F32_ATOL)


# ===========================================================================
# 초기화: timm 기본(`init_weights_vit_timm`)의 식
# ===========================================================================
def test_initialisation_follows_the_formula_and_timm():
    torch.manual_seed(0)
    ours = ViT(image_size=64, patch_size=8, num_classes=100, dim=192, depth=2, heads=3, mlp_dim=768)
    twin = timm_vit.VisionTransformer(img_size=64, patch_size=8, num_classes=100, embed_dim=192, depth=2,
                                      num_heads=3)
    for name in ("blocks.0.attn.qkv.weight", "blocks.1.mlp.fc2.weight", "head.weight", "pos_embed"):
        std = float(ours.state_dict()[name].std())
        assert abs(std - V.INIT_STD) < 0.05 * V.INIT_STD, f"{name}: std {std:.4f}, 식 0.02"
    cls = ours.cls_token.detach()
    assert float(cls.std()) < 1e-5 and float(cls.abs().max()) > 0
    fan_in = 3 * 8 * 8
    bound = 1 / math.sqrt(fan_in)
    w = ours.patch_embed.proj.weight.detach()
    assert float(w.abs().max()) <= bound and abs(float(w.std()) - bound / math.sqrt(3)) < 0.05 * bound
    for name, p in ours.named_parameters():
        if name.endswith("bias") and not name.startswith("patch_embed"):
            assert torch.count_nonzero(p) == 0, f"{name}: bias는 0"
        if "norm" in name and name.endswith("weight"):
            assert torch.all(p == 1), name
    # 같은 식이므로 timm이 만든 모델과 표준편차가 같다 (patch conv kernel은 reshape해서 비교)
    theirs = twin.state_dict()
    theirs["patch_embed.proj.weight"] = theirs["patch_embed.proj.weight"].reshape(192, -1)
    for name, p in ours.state_dict().items():
        if p.numel() > 1000:
            assert abs(float(p.std()) - float(theirs[name].std())) < 0.1 * float(theirs[name].std()), name


# ===========================================================================
# 거부할 변형, 잘못된 입력
# ===========================================================================
@pytest.mark.parametrize("change, fact", [
    ({"reg_tokens": 2}, "register token"),
    ({"init_values": 1e-5}, "LayerScale"),
    ({"qk_norm": True}, "qk_norm"),
    ({"act_layer": "gelu_tanh"}, "정확한 GELU"),
    ({"global_pool": "max"}, "global_pool='max'"),
    ({"no_embed_class": True}, "no_embed_class"),
    ({"pre_norm": True}, "pre_norm"),
    ({"class_token": False, "global_pool": "avg"}, "class token"),
    ({"fc_norm": False, "global_pool": "avg"}, "마지막 LayerNorm의 자리"),
])
def test_from_reference_refuses_timm_variants_it_cannot_express(change, fact):
    ref = timm_vit.VisionTransformer(**{**TIMM_CONFIGS["odd_grid_1layer_3heads"], **change})
    with pytest.raises(ValueError, match=fact):
        ViT.from_reference(ref)


def test_from_reference_refuses_hf_relu_and_unknown_models():
    cfg = ViTConfig(**{**HF_CONFIGS["odd_grid_1layer_3heads"], "hidden_act": "relu"})
    with pytest.raises(ValueError, match="hidden_act='relu'"):
        ViT.from_reference(ViTForImageClassification(cfg))
    with pytest.raises(ValueError, match="받은 Linear"):
        ViT.from_reference(nn.Linear(2, 2))


@pytest.mark.parametrize("x, message", [
    (torch.zeros(1, 3, 30, 32), r"30×32가 patch 크기 4로 나누어떨어지지"),
    (torch.zeros(1, 1, 32, 32), r"채널 수는 3.*\(1, 1, 32, 32\)"),
    (torch.zeros(1, 3, 40, 40), r"입력 40×40는 patch 격자 10×10인데 position table은 32×32"),
    (torch.zeros(3, 32, 32), r"rank-4"),
    (torch.zeros(1, 3, 32, 32, dtype=torch.long), r"float tensor.*int64"),
])
def test_bad_input_is_refused_with_the_sizes(x, message):
    model = ViT(image_size=32, patch_size=4, num_classes=2, dim=8, depth=1, heads=2, mlp_dim=8)
    with pytest.raises(ValueError, match=message):
        model(x)


def test_bad_construction_arguments_are_refused():
    with pytest.raises(ValueError, match="image_size=30가 patch_size=4"):
        ViT(image_size=30, patch_size=4)
    with pytest.raises(ValueError, match="heads=5"):
        ViT(image_size=8, patch_size=4, dim=12, heads=5, depth=1, mlp_dim=8)
    with pytest.raises(ValueError, match="pool은"):
        ViT(image_size=8, patch_size=4, dim=8, heads=2, depth=1, mlp_dim=8, pool="max")
    with pytest.raises(ValueError, match="'B/16'"):
        V.vit("X/16")
    with pytest.raises(ValueError, match="patch_size=4의 양의 배수"):
        ViT(image_size=8, patch_size=4, dim=8, heads=2, depth=1, mlp_dim=8).set_image_size(10)


def test_from_pretrained_without_network_raises_dataset_unavailable(monkeypatch):
    import timm

    def offline(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(timm, "create_model", offline)
    monkeypatch.setattr(ViTForImageClassification, "from_pretrained", classmethod(offline))
    with pytest.raises(DatasetUnavailable, match="vit_base_patch16_224의 pretrained 가중치"):
        ViT.from_pretrained("vit_base_patch16_224")
    with pytest.raises(DatasetUnavailable, match="'google/vit-base-patch16-224'를 내려받지 못했습니다"):
        ViT.from_pretrained("google/vit-base-patch16-224")


def test_from_pretrained_reads_a_saved_hf_folder_offline(tmp_path, monkeypatch):
    """HF `save_pretrained` 폴더 (분류 모델과 pooler가 있는 ViTModel) → 같은 logits·pooler_output, 네트워크 없이."""
    import huggingface_hub

    def no_network(*args, **kwargs):
        raise AssertionError("로컬 폴더를 읽는데 Hub에 접속했다")

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", no_network)
    torch.manual_seed(0)
    x = images(2, 20)
    classifier = randomize_(ViTForImageClassification(ViTConfig(**HF_CONFIGS["odd_grid_1layer_3heads"]))).eval()
    classifier.save_pretrained(tmp_path / "classifier")
    ours = ViT.from_pretrained(str(tmp_path / "classifier"))
    assert not ours.training and ours.eps == 1e-12
    with torch.no_grad():
        torch.testing.assert_close(ours(x), classifier(x).logits, rtol=0, atol=F32_ATOL)
    base = randomize_(ViTModel(ViTConfig(**HF_CONFIGS["odd_grid_1layer_3heads"])), seed=3).eval()
    base.save_pretrained(tmp_path / "base")
    ours = ViT.from_pretrained(str(tmp_path / "base"))
    assert ours.pre_logits is not None, "ViTModel 폴더는 pooler(Linear + tanh)까지 옮긴다"
    with torch.no_grad():
        torch.testing.assert_close(ours(x), base(x).pooler_output, rtol=0, atol=F32_ATOL)


@pytest.mark.parametrize("suffix", [".safetensors", ".pth"])
def test_from_pretrained_reads_a_local_timm_checkpoint_file(tmp_path, suffix):
    import timm
    from safetensors.torch import save_file

    size = dict(img_size=20, patch_size=4, embed_dim=24, depth=1, num_heads=3, num_classes=7)
    torch.manual_seed(0)
    ref = randomize_(timm.create_model("vit_tiny_patch16_224", pretrained=False, **size)).eval()
    path = tmp_path / f"weights{suffix}"
    state = {k: v.contiguous() for k, v in ref.state_dict().items()}
    save_file(state, path) if suffix == ".safetensors" else torch.save(state, path)
    ours = ViT.from_pretrained("vit_tiny_patch16_224", checkpoint_path=path, **size)
    x = images(2, 20)
    with torch.no_grad():
        torch.testing.assert_close(ours(x), ref(x), rtol=0, atol=F32_ATOL)
    with pytest.raises(ValueError, match="구조와 맞지 않습니다"):
        ViT.from_pretrained("vit_tiny_patch16_224", checkpoint_path=path, **{**size, "num_classes": 3})
    partial = tmp_path / "partial.pth"
    torch.save({k: v for k, v in state.items() if k != "norm.bias"}, partial)     # key 하나가 빠진 파일
    with pytest.raises(ValueError, match="구조와 맞지 않습니다"):
        ViT.from_pretrained("vit_tiny_patch16_224", checkpoint_path=partial, **size)
    with pytest.raises(DatasetUnavailable, match="checkpoint 파일 .*nothing.pth이 없습니다"):
        ViT.from_pretrained("vit_tiny_patch16_224", checkpoint_path=tmp_path / "nothing.pth", **size)


def test_from_pretrained_empty_folder_is_one_sentence(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetUnavailable, match="empty에 ViT.* 가중치가 없습니다.*save_pretrained"):
        ViT.from_pretrained(str(tmp_path / "empty"))
    with pytest.raises(ValueError, match="timm 이름에만"):
        ViT.from_pretrained(str(tmp_path / "empty"), checkpoint_path=tmp_path / "w.pth")


def test_reset_head_is_the_zero_initialised_d_by_k_layer_of_section_3_2():
    """Section 3.2: pre-training head (hidden 층 + tanh)를 떼고 0으로 초기화한 D × K Linear. 처음 loss = ln K."""
    torch.manual_seed(0)
    model = randomize_(ViT(image_size=16, patch_size=4, num_classes=10, dim=24, depth=1, heads=3, mlp_dim=32,
                           representation_size=12))
    features = model.forward_features(images(4, 16))[:, 0]                 # (B, D): 새 head 앞의 feature
    assert model.reset_head(5) is model
    assert model.pre_logits is None and model.num_classes == 5
    assert isinstance(model.head, nn.Linear) and model.head.weight.shape == (5, 24)
    assert torch.count_nonzero(model.head.weight) == 0 and torch.count_nonzero(model.head.bias) == 0
    x = images(4, 16)
    logits = model(x)
    assert logits.shape == (4, 5) and torch.count_nonzero(logits) == 0
    assert F.cross_entropy(logits, torch.arange(4)).item() == pytest.approx(math.log(5))
    F.cross_entropy(logits, torch.arange(4)).backward()
    assert model.head.weight.grad.abs().sum() > 0, "0에서 시작해도 head는 gradient를 받는다"
    torch.testing.assert_close(model.forward_head(model.forward_features(x), pre_logits=True), features.detach(),
                               rtol=0, atol=0)
    assert model.reset_head(0)(x).shape == (4, 24)
    with pytest.raises(ValueError, match="num_classes는 0 이상"):
        model.reset_head(-1)


# ===========================================================================
# 학습 sanity
# ===========================================================================
def test_initial_loss_is_ln_classes_and_a_tiny_batch_can_be_overfit():
    torch.manual_seed(0)
    model = ViT(image_size=16, patch_size=4, num_classes=10, dim=32, depth=2, heads=4, mlp_dim=64)
    x, y = images(10, 16), torch.arange(10)
    loss0 = F.cross_entropy(model(x), y)
    assert abs(loss0.item() - math.log(10)) < 0.1, "head 가중치 std 0.02: 처음 logits ≈ 0 → loss ≈ ln 10"
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(100):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.05 and bool((model(x).argmax(1) == y).all())


# ===========================================================================
# 학습 스크립트와 그림의 재료
# ===========================================================================
def test_attention_rollout_follows_the_formula():
    """손으로 두 층: R = Â_2 Â_1, Â = (½A + ½I)를 행 정규화. head 평균 먼저."""
    a1 = torch.softmax(torch.randn(1, 2, 3, 3, generator=torch.Generator().manual_seed(0)), dim=-1)
    a2 = torch.softmax(torch.randn(1, 2, 3, 3, generator=torch.Generator().manual_seed(1)), dim=-1)
    hat = [0.5 * a.mean(1) + 0.5 * torch.eye(3) for a in (a1, a2)]       # 행의 합은 이미 1
    torch.testing.assert_close(V.attention_rollout([a1, a2]), hat[1] @ hat[0], rtol=0, atol=F32_ATOL)
    torch.testing.assert_close(V.attention_rollout([a1], residual=False), a1.mean(1), rtol=0, atol=0)
    with pytest.raises(ValueError, match="비어"):
        V.attention_rollout([])


def test_plot_ingredients_have_the_documented_shapes():
    from .vit_paper import patch_filter_components, position_similarity, rollout_maps

    model = ViT(image_size=32, patch_size=4, num_classes=10, dim=32, depth=2, heads=4, mlp_dim=64)
    sim = position_similarity(model)
    assert sim.shape == (8, 8, 8, 8)
    assert all(abs(sim[i, j, i, j] - 1) < 1e-5 for i in range(8) for j in range(8)), "자기 자신과 유사도 1"
    comps = patch_filter_components(model)
    assert comps.shape == (28, 3, 4, 4)
    flat = torch.from_numpy(comps.reshape(28, -1))
    torch.testing.assert_close(flat @ flat.T, torch.eye(28, dtype=flat.dtype), rtol=0, atol=1e-8)
    maps = rollout_maps(model, images(3, 32))
    assert maps.shape == (3, 8, 8) and abs(maps.max() - 1) < 1e-6


def test_similarity_by_distance_averages_over_grid_distance():
    from .vit_paper import similarity_by_distance

    g = 5
    i, j, k, m = np.meshgrid(*[np.arange(g)] * 4, indexing="ij")
    sim = 1.0 / (1.0 + np.abs(i - k) + np.abs(j - m))                   # 거리 d인 쌍은 모두 1 / (1 + d)
    assert similarity_by_distance(sim) == pytest.approx([1 / (1 + d) for d in range(1, 2 * g - 1)])
    sim[0, 0, 0, 1] = sim[0, 1, 0, 0] = 0.0                               # 거리 1인 쌍 2·2·g·(g−1) = 80개 중 2개
    assert similarity_by_distance(sim)[0] == pytest.approx(0.5 * (80 - 2) / 80)


def test_digits_uses_the_l2_recipe_and_the_command_line_wins():
    """digits의 기본 처방은 L2 vit_lowlevel의 것 (patch 8 = 원래 pixel 2×2), 명령줄에 준 값이 처방보다 앞선다."""
    import argparse

    from .vit_paper import RECIPES, apply_recipe

    def args(data, **given):
        names = ("patch", "dim", "depth", "heads", "mlp_ratio", "lr", "batch_size", "epochs", "warmup")
        return argparse.Namespace(data=data, no_augment=False, **{n: given.get(n) for n in names})

    digits = args("digits")
    apply_recipe(digits)
    assert (digits.patch, digits.dim, digits.depth, digits.heads, digits.lr, digits.batch_size, digits.epochs,
            digits.warmup, digits.augment) == (8, 32, 2, 2, 3e-3, 64, 40, 2, False)
    assert 32 // digits.patch == 8 // 2, "32×32로 키운 digits의 patch 8 = 원래 8×8의 P=2 (L2의 격자 4×4)"
    shapes = args("shapes", epochs=3, patch=8)
    apply_recipe(shapes)
    assert (shapes.epochs, shapes.patch, shapes.dim, shapes.lr, shapes.augment) == (3, 8, 64, 1e-3, True)
    off = args("shapes")
    off.no_augment = True
    apply_recipe(off)
    assert off.augment is False and RECIPES["cifar10"] == RECIPES["shapes"]


def test_quick_run_reports_and_saves_every_plot(tmp_path, capsys):
    from pathlib import Path

    from .vit_paper import FULL_RUN_ACCURACY, main, quick_note

    result = main(["--quick", "--out", str(tmp_path)])
    assert capsys.readouterr().out.strip().splitlines()[-1] == quick_note("shapes"), "마지막 줄: smoke run 안내"
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for data, value in FULL_RUN_ACCURACY.items():
        assert "smoke run" in quick_note(data) and value in quick_note(data)
        assert f"**{value}**" in readme, f"quick_note가 인용하는 {data} 전체 실행의 값이 README 결과 표에 있다"
    for key in ("model", "level", "data", "metric", "value", "seconds"):
        assert key in result
    assert result["level"] == "paper" and result["data"] == "shapes"
    assert result["n_parameters"] == 4 * (4 * 64 + 3 * 64 * 64 + 3 * 64 + 64 * 64 + 64 + 2 * 64 * 128 + 128 + 64) \
        + (48 + 1) * 64 + 64 + 65 * 64 + 2 * 64 + 64 * 10 + 10, "기본 D=64, L=4, MLP 128, patch 4, 10 class"
    for name in ("loss_curve", "position_similarity", "patch_filters", "patch_filter_components",
                 "attention_rollout"):
        assert (tmp_path / f"{name}.png").is_file(), name
    assert (tmp_path / "result.json").is_file()
    assert len(result["position_similarity_by_distance"]) == 8 + 8 - 2


@pytest.mark.slow
def test_default_run_reaches_95_percent_on_shapes(tmp_path):
    from .vit_paper import main

    result = main(["--out", str(tmp_path)])
    assert result["value"] >= 0.95, f"shapes test accuracy {result['value']:.4f}"


# ---------------------------------------------------------------------------
# 실제 데이터 + pretrained 가중치 (--pretrained): 테스트가 쓴 진짜 형식의 파일, 가중치는 작은 무작위 ViT로 대신한다
# ---------------------------------------------------------------------------
def run_cli(argv):
    from utils.cli import cli

    from .vit_paper import main

    with pytest.raises(SystemExit) as exit_info:
        cli(lambda: main(argv))
    return exit_info.value.code


@pytest.mark.parametrize("data", ["imagenette", "cifar10"])
def test_pretrained_run_without_data_is_one_sentence_and_exit_2(tmp_path, capsys, data):
    code = run_cli(["--data", data, "--pretrained", "--root", str(tmp_path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "--download" in err, err


def test_pretrained_run_without_weights_is_one_sentence_and_exit_2(tmp_path, capsys, monkeypatch):
    import timm

    from utils.fake_datasets import write_fake_imagenette

    def offline(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(timm, "create_model", offline)
    write_fake_imagenette(tmp_path, n_train=1, n_val=1)
    code = run_cli(["--data", "imagenette", "--pretrained", "--root", str(tmp_path), "--image-size", "32",
                    "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "vit_base_patch16_224의 pretrained 가중치" in err, err


def test_pretrained_needs_real_data(tmp_path, capsys):
    from .vit_paper import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--data", "shapes", "--pretrained", "--out", str(tmp_path)])
    assert exit_info.value.code == 2 and "--data cifar10 또는 imagenette" in capsys.readouterr().err


def stand_in_vit(seed: int = 0) -> ViT:
    """내려받은 가중치 대신: 32×32, patch 8, 1000 class의 작은 무작위 ViT (head까지 무작위)."""
    torch.manual_seed(seed)
    return randomize_(ViT(image_size=32, patch_size=8, num_classes=1000, dim=24, depth=1, heads=2, mlp_dim=32),
                      seed=seed).eval()


@pytest.mark.parametrize("data, size", [("imagenette", 48), ("cifar10", 32)])
def test_pretrained_finetuning_runs_on_written_files(tmp_path, monkeypatch, data, size):
    """데이터 → 새 0 head (class 10개) → E_pos 보간 (32 → 48이면 격자 4 → 6) → 정규화한 입력 → fit → 평가."""
    from utils.fake_datasets import write_fake_cifar10, write_fake_imagenette

    from . import vit_paper

    made, seen = [], []

    def fake_from_pretrained(name):
        made.append(stand_in_vit())
        made[-1].blocks[0].register_forward_pre_hook(lambda module, args: seen.append(args[0].shape))
        original = made[-1].patch_embed.forward
        made[-1].patch_embed.forward = lambda x: (seen.append((float(x.min()), float(x.max()), tuple(x.shape))),
                                                  original(x))[1]
        return made[-1]

    monkeypatch.setattr(vit_paper.ViT, "from_pretrained", staticmethod(fake_from_pretrained))
    if data == "imagenette":
        write_fake_imagenette(tmp_path, n_train=2, n_val=1)
    else:
        write_fake_cifar10(tmp_path, n_per_batch=4)
    result = vit_paper.main(["--data", data, "--pretrained", "--root", str(tmp_path), "--image-size", str(size),
                             "--epochs", "1", "--batch-size", "8", "--out", str(tmp_path / "out")])
    vit = made[0]
    grid = size // 8
    assert tuple(vit.pos_embed.shape) == (1, grid * grid + 1, 24), "E_pos를 새 격자로 보간했다"
    assert vit.head.out_features == 10 and vit.pre_logits is None, "pre-training head 대신 class 10개의 head"
    assert result["image_size"] == size and result["pretrained_image_size"] == 32 and result["num_classes"] == 10
    assert result["n_train"] == 20 and 0.0 <= result["value"] <= 1.0       # 10 class × 2장 / batch 5개 × 4장
    low, high, shape = next(s for s in seen if len(s) == 3)
    assert shape[1:] == (3, size, size) and -1.0 - 1e-6 <= low < -0.5 and high <= 1.0 + 1e-6, \
        "ViT 입력: image_size로 키우고 (x − 0.5) / 0.5로 정규화한 [−1, 1] (어두운 화소는 음수)"
    assert (tmp_path / "out" / "result.json").is_file()
