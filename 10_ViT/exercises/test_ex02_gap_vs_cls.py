"""연습문제 02 ([CLS] vs GAP) 채점: 손으로 만든 token → 불변성 → timm `VisionTransformer`의
`global_pool="token"` / `"avg"` logits와 같음 → LN과 평균의 순서 → 모르는 mode.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_gap_vs_cls.py`)을 검사한다.
"""
import pytest
import torch
import torch.nn.functional as F
from timm.models.vision_transformer import VisionTransformer

from utils.exercises import load_exercise
from utils.gradcheck import F32_ATOL


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_gap_vs_cls")


def rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def test_hand_example(ex):
    tokens = torch.tensor([[[10.0, 20.0], [1.0, 2.0], [3.0, 6.0]]])            # (1, 1+2, 2): [CLS], patch 두 개
    assert ex.pool_tokens(tokens, "cls").tolist() == [[10.0, 20.0]]
    assert ex.pool_tokens(tokens, "avg").tolist() == [[2.0, 4.0]]            # [CLS]는 평균에 넣지 않는다


def test_cls_ignores_patches_and_avg_ignores_order_and_the_cls_slot(ex):
    tokens = rand(3, 1 + 9, 8)
    changed = tokens.clone()
    changed[:, 1:] = rand(3, 9, 8, seed=1)
    assert torch.equal(ex.pool_tokens(changed, "cls"), ex.pool_tokens(tokens, "cls"))
    order = torch.cat([torch.zeros(1, dtype=torch.long), 1 + torch.randperm(9, generator=torch.Generator()
                                                                             .manual_seed(2))])
    torch.testing.assert_close(ex.pool_tokens(tokens[:, order], "avg"), ex.pool_tokens(tokens, "avg"),
                               rtol=0, atol=F32_ATOL)
    changed = tokens.clone()
    changed[:, 0] = 100.0
    assert torch.equal(ex.pool_tokens(changed, "avg"), ex.pool_tokens(tokens, "avg"))


def timm_model(global_pool):
    torch.manual_seed(0)
    model = VisionTransformer(img_size=12, patch_size=4, in_chans=3, num_classes=5, embed_dim=12, depth=2,
                              num_heads=3, mlp_ratio=2.0, global_pool=global_pool).eval()
    with torch.no_grad():
        for p in model.parameters():                           # LayerNorm γ, β와 bias까지 모두 무작위로
            p.add_(0.3 * torch.randn_like(p))
    return model


def tokens_before_final_norm(model, x):
    with torch.no_grad():
        return model.blocks(model.norm_pre(model._pos_embed(model.patch_embed(x))))    # (B, 1+N, D)


@pytest.mark.parametrize("global_pool, mode", [("token", "cls"), ("avg", "avg")])
def test_logits_equal_timm(ex, global_pool, mode):
    model = timm_model(global_pool)
    x = rand(4, 3, 12, 12, seed=3)
    tokens = tokens_before_final_norm(model, x)
    norm = model.norm if global_pool == "token" else model.fc_norm             # timm: 마지막 LN의 자리가 다르다
    assert isinstance(norm, torch.nn.LayerNorm)
    ours = ex.classify(tokens, norm.weight, norm.bias, norm.eps, model.head.weight, model.head.bias, mode)
    with torch.no_grad():
        theirs = model(x)
    assert ours.shape == (4, 5)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=F32_ATOL)


def test_eps_is_used(ex):
    tokens = rand(2, 5, 4) * 1e-4                                              # 분산이 ε와 비슷한 크기
    w, b, hw, hb = torch.ones(4), torch.zeros(4), torch.eye(4), torch.zeros(4)
    small, large = (ex.classify(tokens, w, b, eps, hw, hb, "cls") for eps in (1e-12, 1e-6))
    expected = F.layer_norm(tokens[:, 0], (4,), w, b, 1e-6)
    torch.testing.assert_close(large, expected, rtol=0, atol=F32_ATOL)
    assert not torch.allclose(small, large, atol=1e-3)


def test_layer_norm_before_the_average_is_a_different_model(ex):
    model = timm_model("avg")
    x = rand(4, 3, 12, 12, seed=3)
    tokens = tokens_before_final_norm(model, x)
    norm = model.fc_norm
    wrong_order = F.layer_norm(tokens[:, 1:], (12,), norm.weight, norm.bias, norm.eps).mean(1) @ model.head.weight.T \
        + model.head.bias
    with torch.no_grad():
        theirs = model(x)
        ours = ex.classify(tokens, norm.weight, norm.bias, norm.eps, model.head.weight, model.head.bias, "avg")
    assert (wrong_order - theirs).abs().max() > 100 * F32_ATOL                # 평균(LN) ≠ LN(평균)
    torch.testing.assert_close(ours, theirs, rtol=0, atol=F32_ATOL)


def test_unknown_mode_is_refused(ex):
    with pytest.raises(ValueError, match="max"):
        ex.pool_tokens(torch.zeros(1, 3, 2), "max")
