"""수정 과제 01 (GAP + 새 head) 채점: pooled 표현 == L3 ViT(pool="avg") → 새 head는 0으로 초기화한 D × K →
같은 head 가중치면 같은 logits → L3로 다시 옮겨도 GAP 모델 → 잘못된 입력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`mod01_gap_head.py`)을 검사한다.
기대값은 이 장의 L3 모델(`paper/vit.py`)이 같은 가중치로 계산한다: 바꾸기 **전**의 timm 모델을 `ViT.from_reference`로
옮기고 `pool="avg"`로 바꾼 것 (patch 평균 뒤 LayerNorm, 논문 Appendix D.3). LayerNorm γ·β까지 무작위로 채운 모델을
쓰므로 LayerNorm의 자리가 틀리면 통과할 수 없다.
"""
import copy

import pytest
import torch
from torch import nn

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F32_ATOL

from ..paper.vit import ViT
from . import vit_analysis as A

TINY = {"image_size": 20, "patch_size": 4, "dim": 24, "depth": 2, "heads": 3, "mlp_dim": 40, "num_classes": 5}


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "mod01_gap_head")


@pytest.fixture
def timm_cls():
    torch.manual_seed(0)
    return A.randomize_(A.build_timm(TINY), seed=1).eval()


@pytest.fixture(scope="module")
def x():
    return torch.randn(3, 3, 20, 20, generator=torch.Generator().manual_seed(2))


def l3_average_pool(timm_model) -> ViT:
    """같은 가중치의 L3 ViT를 GAP로: patch token 평균 → 마지막 LayerNorm (ViT.forward_head의 pool="avg")."""
    ours = ViT.from_reference(timm_model).eval()
    ours.pool = "avg"
    return ours


def test_pooled_representation_is_layernorm_of_the_patch_mean(ex, timm_cls, x):
    ours = l3_average_pool(timm_cls)
    model = ex.to_average_pooling(timm_cls, num_classes=7)
    with torch.no_grad():
        found = ex.pooled_features(model, x)
        expected = ours.forward_head(ours.forward_features(x), pre_logits=True)
    assert_equal(tuple(found.shape), (3, 24), "pooled_features의 shape (B, D)")
    assert_close(found, expected, "GAP 표현 vs L3 ViT(pool='avg')의 LN(mean(patch))", rtol=0, atol=F32_ATOL)


def test_new_head_is_the_zero_initialised_d_by_k_layer(ex, timm_cls, x):
    original_norm = timm_cls.norm.weight.detach().clone()
    model = ex.to_average_pooling(timm_cls, num_classes=7)
    assert_equal(tuple(model.head.weight.shape), (7, 24), "새 head weight의 shape (K, D)")
    assert_equal(int(torch.count_nonzero(model.head.weight)) + int(torch.count_nonzero(model.head.bias)), 0,
                 "새 head의 0이 아닌 원소 수 (Section 3.2: 0으로 초기화)")
    with torch.no_grad():
        assert_close(model(x), torch.zeros(3, 7), "처음 logits (head가 0이므로 모두 0)", rtol=0, atol=0)
    norms = [m for m in model.modules() if isinstance(m, nn.LayerNorm) and m.weight.shape == (24,)]
    assert any(torch.equal(m.weight, original_norm) for m in norms), "학습된 마지막 LayerNorm의 γ가 남아 있어야 한다"


def test_same_head_weights_give_the_l3_logits(ex, timm_cls, x):
    ours = l3_average_pool(timm_cls)
    model = ex.to_average_pooling(timm_cls, num_classes=7)
    g = torch.Generator().manual_seed(3)
    weight, bias = 0.2 * torch.randn(7, 24, generator=g), 0.1 * torch.randn(7, generator=g)
    ours.reset_head(7)
    with torch.no_grad():
        for head in (model.head, ours.head):
            head.weight.copy_(weight)
            head.bias.copy_(bias)
        assert_close(model(x), ours(x), "같은 head 가중치의 logits vs L3 ViT(pool='avg')", rtol=0, atol=F32_ATOL)
    train_copy = copy.deepcopy(model).train()
    loss = nn.functional.cross_entropy(train_copy(x), torch.tensor([0, 3, 6]))
    loss.backward()
    assert train_copy.head.weight.grad is not None and bool(train_copy.head.weight.grad.abs().sum() > 0), \
        "새 head에 gradient가 흐른다"


def test_the_changed_model_ports_back_to_l3_as_an_average_pooling_vit(ex, timm_cls, x):
    """L3 `from_reference`는 timm의 GAP 모델 (fc_norm LayerNorm, norm Identity)을 pool="avg"로 읽는다."""
    model = ex.to_average_pooling(timm_cls, num_classes=4)
    with torch.no_grad():
        model.head.weight.normal_(0, 0.2, generator=torch.Generator().manual_seed(4))
    ported = ViT.from_reference(model).eval()
    assert_equal(ported.pool, "avg", "L3로 옮긴 모델의 pool")
    with torch.no_grad():
        assert_close(ported(x), model(x), "L3로 다시 옮긴 logits", rtol=0, atol=F32_ATOL)


def test_bad_arguments_are_refused(ex, timm_cls):
    with pytest.raises(ValueError, match="num_classes"):
        ex.to_average_pooling(timm_cls, num_classes=0)
    torch.manual_seed(0)
    already = A.build_timm(TINY)
    already.reset_classifier(5, global_pool="avg")
    with pytest.raises(ValueError, match="token"):
        ex.to_average_pooling(already, num_classes=3)
