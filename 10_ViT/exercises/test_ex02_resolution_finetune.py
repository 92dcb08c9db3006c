"""연습문제 02 (해상도를 올린 fine-tuning) 채점: E_pos 맞추기 (보간 = timm `resample_abs_pos_embed`, 재초기화의 분포,
[CLS] 자리와 원래 모델은 그대로) → 정확도 → 실험표 (위치가 답을 정하는 과제에서 보간은 바로 맞히고, 재초기화는
우연 수준에서 시작한다).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_resolution_finetune.py`)을 검사한다.
사전학습 모델은 이 파일이 장의 L3 `ViT`로 8×8 이미지에서 학습한다 (loss < 0.02가 될 때까지, 최대 600 step).
"""
import pytest
import torch
import torch.nn.functional as F
from timm.layers import resample_abs_pos_embed

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F32_ATOL

from ..paper.vit import ViT


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_resolution_finetune")


def make_batch(n, size, generator):
    """8×8 이미지를 2×2 pixel 칸 4×4개로 나누고 한 칸만 밝게 (noise 0.1). label = 밝은 칸이 왼쪽 절반인가.
    더 높은 해상도는 같은 이미지를 nearest로 키운 것 (밝은 칸이 patch 여러 개를 덮는다)."""
    cell = torch.randint(0, 16, (n,), generator=generator)
    image = F.interpolate(F.one_hot(cell, 16).float().view(n, 1, 4, 4), size=(8, 8), mode="nearest")
    image = image + 0.1 * torch.randn(n, 1, 8, 8, generator=generator)
    if size != 8:
        image = F.interpolate(image, size=(size, size), mode="nearest")
    return image, (cell % 4 < 2).long()


@pytest.fixture(scope="module")
def pretrained():
    """8×8, patch 2 (격자 4×4)에서 학습한 작은 ViT. 밝은 칸의 내용은 어디서나 같으므로 답은 E_pos에서만 나온다."""
    torch.manual_seed(0)
    model = ViT(image_size=8, patch_size=2, num_classes=2, dim=16, depth=1, heads=2, mlp_dim=32, in_channels=1)
    with torch.no_grad():
        model.pos_embed.normal_(0.0, 1.0)                                    # 위치 신호를 크게 시작 (학습을 빠르게)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    generator = torch.Generator().manual_seed(0)
    for _ in range(600):
        x, y = make_batch(64, 8, generator)
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if loss.item() < 0.02:
            break
    model.eval()
    x, y = make_batch(512, 8, torch.Generator().manual_seed(99))
    with torch.no_grad():
        assert (model(x).argmax(-1) == y).float().mean() > 0.98, "채점 쪽 준비 실패: 사전학습 모델이 과제를 못 푼다"
    return model


def test_interpolate_equals_timm_resample_and_keeps_the_rest(ex, pretrained):
    before = {k: v.clone() for k, v in pretrained.state_dict().items()}
    adapted = ex.adapt_position_embedding(pretrained, 16, "interpolate")
    expected = resample_abs_pos_embed(pretrained.pos_embed.detach(), (8, 8), (4, 4), num_prefix_tokens=1)
    assert_equal(tuple(adapted.pos_embed.shape), (1, 1 + 64, 16), "보간한 E_pos shape (1, 1 + 8·8, D)")
    assert_close(adapted.pos_embed, expected, "보간한 E_pos (timm resample_abs_pos_embed와)", rtol=0, atol=F32_ATOL)
    for name, value in pretrained.state_dict().items():
        assert_close(value, before[name], f"원래 모델의 {name} (바뀌면 안 된다)", rtol=0, atol=0)
    for name, value in adapted.state_dict().items():
        if name != "pos_embed":
            assert_close(value, before[name], f"맞춘 모델의 {name} (E_pos 말고는 그대로)", rtol=0, atol=0)
    assert_equal(tuple(adapted(make_batch(2, 16, torch.Generator().manual_seed(1))[0]).shape), (2, 2),
                 "16×16 입력의 logits shape")


def test_reinit_draws_a_fresh_small_table_and_keeps_the_class_slot(ex, pretrained):
    adapted = ex.adapt_position_embedding(pretrained, 16, "reinit", torch.Generator().manual_seed(3))
    grid = adapted.pos_embed.detach()[0, 1:]
    assert_equal(tuple(adapted.pos_embed.shape), (1, 65, 16), "재초기화한 E_pos shape")
    assert_close(adapted.pos_embed[0, 0], pretrained.pos_embed[0, 0], "[CLS] 자리의 E_pos", rtol=0, atol=0)
    std = grid.std().item()
    assert 0.016 < std < 0.024, f"재초기화한 E_pos의 표준편차 {std:.4f}, 기대 약 0.02"
    old = resample_abs_pos_embed(pretrained.pos_embed.detach(), (8, 8), (4, 4), num_prefix_tokens=1)[0, 1:]
    corr = torch.corrcoef(torch.stack([grid.flatten(), old.flatten()]))[0, 1].abs().item()
    assert corr < 0.15, f"재초기화한 E_pos가 옛 E_pos와 상관 {corr:.3f}: 새로 뽑아야 한다"


def test_bad_arguments(ex, pretrained):
    with pytest.raises(ValueError, match="strategy"):
        ex.adapt_position_embedding(pretrained, 16, "zeros")
    with pytest.raises(ValueError, match="15"):
        ex.adapt_position_embedding(pretrained, 15, "interpolate")


def test_accuracy(ex, pretrained):
    x, y = make_batch(64, 8, torch.Generator().manual_seed(5))
    with torch.no_grad():
        expected = (pretrained(x).argmax(-1) == y).float().mean().item()
    assert_close(ex.accuracy(pretrained, x, y), expected, "정확도", rtol=0, atol=1e-9)
    assert_close(ex.accuracy(pretrained, x, 1 - y), 1 - expected, "label을 뒤집은 정확도", rtol=0, atol=1e-6)


def test_experiment_interpolated_positions_transfer_and_fresh_ones_start_from_chance(ex, pretrained):
    """3단계: 보간한 E_pos는 fine-tuning 전부터 우연 수준 (0.5)보다 크게 맞히고 (≥ 0.75, 재초기화보다 0.2 이상),
    20 step 뒤 0.9 이상. 새로 만든 E_pos는 위치를 모르므로 우연 수준 (≤ 0.65)에서 시작하고, 20 step 뒤에도 보간보다
    0.2 이상 낮다."""
    table = ex.resolution_experiment(pretrained, make_batch, 16, steps=20, lr=3e-3, seed=0)
    assert_equal(sorted(table), ["interpolate", "reinit"], "실험표의 strategy")
    shown = {s: {k: round(v, 3) for k, v in row.items()} for s, row in table.items()}
    interp, fresh = table["interpolate"], table["reinit"]
    assert interp["before"] >= 0.75, f"보간: fine-tuning 전 정확도가 0.75 미만 — {shown}"
    assert fresh["before"] <= 0.65, f"재초기화: fine-tuning 전 정확도가 우연 수준이 아니다 — {shown}"
    assert interp["before"] >= fresh["before"] + 0.2, f"보간이 재초기화보다 0.2 이상 높지 않다 (전) — {shown}"
    assert interp["after"] >= 0.9, f"보간: 20 step 뒤 정확도가 0.9 미만 — {shown}"
    assert interp["after"] >= fresh["after"] + 0.2, f"보간이 재초기화보다 0.2 이상 높지 않다 (20 step 뒤) — {shown}"
