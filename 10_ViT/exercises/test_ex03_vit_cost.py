"""연습문제 03 (ViT 비용) 채점: parameter 수 = timm `VisionTransformer`의 실제 수 (meta device, 여러 모양) →
MAC = `FlopCounterMode`가 실제 forward에서 센 FLOP의 절반 → patch 크기를 반으로 줄이면 attention 항이 약 16배.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_vit_cost.py`)을 검사한다.
"""
import pytest
import torch
from timm.models.vision_transformer import VisionTransformer
from torch.utils.flop_counter import FlopCounterMode

from utils.exercises import load_exercise


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_vit_cost")


# (image_size, patch_size, dim, depth, mlp_dim, num_classes, in_channels, heads)
SHAPES = {
    "Ti/16": (224, 16, 192, 12, 768, 1000, 3, 3),
    "S/16": (224, 16, 384, 12, 1536, 1000, 3, 6),
    "B/16": (224, 16, 768, 12, 3072, 1000, 3, 12),
    "B/32": (224, 32, 768, 12, 3072, 1000, 3, 12),
    "L/16": (224, 16, 1024, 24, 4096, 1000, 3, 16),
    "tiny odd": (15, 5, 6, 1, 10, 3, 1, 3),
    "shapes run": (32, 4, 64, 4, 128, 4, 3, 4),
}


def timm_on_meta(image_size, patch_size, dim, depth, mlp_dim, num_classes, in_channels, heads):
    with torch.device("meta"):
        model = VisionTransformer(img_size=image_size, patch_size=patch_size, in_chans=in_channels,
                                  num_classes=num_classes, embed_dim=dim, depth=depth, num_heads=heads,
                                  mlp_ratio=mlp_dim / dim).eval()
    for block in model.blocks:
        block.attn.fused_attn = False                      # q kᵀ, A v를 행렬곱으로: FlopCounterMode가 센다
    return model


def counted_macs(model, image_size, in_channels):
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.empty(1, in_channels, image_size, image_size, device="meta"))
    return counter.get_total_flops() // 2


@pytest.mark.parametrize("name", SHAPES)
def test_parameter_count_equals_timm(ex, name):
    shape = SHAPES[name]
    model = timm_on_meta(*shape)
    assert ex.vit_parameter_count(*shape[:7]) == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("name", SHAPES)
def test_macs_equal_half_the_counted_flops(ex, name):
    shape = SHAPES[name]
    assert ex.vit_forward_macs(*shape[:7]) == counted_macs(timm_on_meta(*shape), shape[0], shape[6])


def test_vit_b16_parameter_count(ex):
    """timm `vit_base_patch16_224`의 수 (장의 `paper/test_paper.py`가 timm 모델에서 같은 수를 확인한다)."""
    assert ex.vit_parameter_count(224, 16, 768, 12, 3072, 1000) == 86_567_656


def test_halving_the_patch_multiplies_attention_by_about_16(ex):
    D, L, M = 768, 12, 3072
    coarse, fine = (ex.vit_forward_macs(224, P, D, L, M, 1000) for P in (16, 8))
    T16, T8 = (224 // 16) ** 2 + 1, (224 // 8) ** 2 + 1
    attention16, attention8 = 2 * T16 * T16 * D * L, 2 * T8 * T8 * D * L
    assert 15.5 < attention8 / attention16 < 16.1
    rest16, rest8 = coarse - attention16, fine - attention8
    assert 3.9 < rest8 / rest16 < 4.1
    # parameter는 거의 그대로: E는 3·(256 − 64)·D개 줄고 E_pos는 (785 − 197)·D개 는다
    difference = ex.vit_parameter_count(224, 8, D, L, M, 1000) - ex.vit_parameter_count(224, 16, D, L, M, 1000)
    assert difference == (T8 - T16) * D - 3 * (16 * 16 - 8 * 8) * D
