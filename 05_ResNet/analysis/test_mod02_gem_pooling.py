"""수정 과제 02 (GeM pooling) 채점: 직접 쓴 식 → p = 1은 평균 pooling → 두 라이브러리에 끼운 logits == L3 + 식 →
p의 gradient == 손으로 미분한 식 → 잘못된 입력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`mod02_gem_pooling.py`)을 검사한다.
기대값은 이 파일이 따로 계산한다: GeM은 float64로 직접 쓴 식 `gem_formula`, 모델 쪽은 같은 가중치를 옮긴 이 장의
L3 모델(`paper/resnet.py`)의 `features(x)["layer4"]`와 `fc`. p에 대한 미분은 아래 `gem_dp`의 닫힌 식이다.
"""
import pytest
import timm.models.resnet as timm_resnet
import torch
import torchvision.models.resnet as tv_resnet
from torch import nn

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F32_ATOL, F64_ATOL, F64_RTOL

from ..paper.resnet import ResNet
from . import resnet_analysis as A


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "mod02_gem_pooling")


def gem_formula(x: torch.Tensor, p: float, eps: float) -> torch.Tensor:
    """f_c = (mean_{h,w} max(x, eps)^p)^(1/p), float64, (N, C)."""
    x = x.double().clamp(min=eps)
    return (x ** p).mean(dim=(2, 3)) ** (1.0 / p)


def gem_dp(x: torch.Tensor, p: float, eps: float) -> torch.Tensor:
    """∂f_c/∂p를 손으로: m = mean(x^p), f = m^(1/p)이면 ∂f/∂p = f · (−ln m / p² + mean(x^p ln x) / (p·m))."""
    x = x.double().clamp(min=eps)
    m = (x ** p).mean(dim=(2, 3))
    f = m ** (1.0 / p)
    return f * (-torch.log(m) / p ** 2 + (x ** p * torch.log(x)).mean(dim=(2, 3)) / (p * m))


def models(seed: int = 0):
    torch.manual_seed(seed)
    tv = A.randomize_batchnorm_(tv_resnet.ResNet(tv_resnet.BasicBlock, [1, 1, 1, 1], num_classes=5), seed + 1)
    torch.manual_seed(seed)
    tm = A.randomize_batchnorm_(timm_resnet.ResNet(timm_resnet.Bottleneck, (1, 1, 1, 1), num_classes=5), seed + 2)
    return {"torchvision": tv.eval(), "timm": tm.eval()}


@pytest.fixture(scope="module")
def x():
    return torch.randn(3, 3, 64, 64, generator=torch.Generator().manual_seed(0))


def test_gem_is_the_generalised_mean_with_a_learnable_exponent(ex):
    g = torch.Generator().manual_seed(1)
    features = torch.relu(torch.randn(2, 4, 5, 3, generator=g))          # ReLU 뒤처럼 0이 섞인 activation
    pool = ex.GeM(p=3.0, eps=1e-6)
    assert isinstance(pool.p, nn.Parameter) and pool.p.requires_grad, "p는 학습하는 nn.Parameter여야 합니다"
    assert_equal([name for name, _ in pool.named_parameters()], ["p"], "GeM의 parameter 이름")
    out = pool(features)
    assert_equal(tuple(out.shape), (2, 4, 1, 1), "GeM 출력 shape (N, C, 1, 1)")
    assert_close(out[:, :, 0, 0], gem_formula(features, 3.0, 1e-6), "GeM(p=3) vs 식", rtol=0, atol=F32_ATOL)
    zeros = ex.GeM(p=2.0, eps=1e-3)(torch.zeros(1, 2, 4, 4))
    assert_close(zeros, torch.full((1, 2, 1, 1), 1e-3), "0뿐인 feature map → eps (아래에서 자른다)",
                 rtol=1e-6, atol=0)


def test_gem_sits_between_the_mean_and_the_max(ex):
    features = torch.rand(2, 3, 4, 4, generator=torch.Generator().manual_seed(2)) + 0.1
    mean = features.mean(dim=(2, 3))
    assert_close(ex.GeM(p=1.0)(features)[:, :, 0, 0], mean, "GeM(p=1) = 평균 pooling", rtol=0, atol=F32_ATOL)
    pooled = [ex.GeM(p=p)(features)[:, :, 0, 0] for p in (1.0, 3.0, 8.0, 64.0)]
    for small, large, names in zip(pooled, pooled[1:], ("1 ≤ 3", "3 ≤ 8", "8 ≤ 64")):
        assert bool((small <= large + 1e-6).all()), f"p가 크면 GeM도 크다 (power mean 부등식, p {names})"
    assert_close(pooled[-1], features.amax(dim=(2, 3)), "GeM(p=64) ≈ max pooling", rtol=0.05, atol=0)


@pytest.mark.parametrize("library", ["torchvision", "timm"])
def test_replaced_pooling_gives_fc_of_gem_of_the_l3_features(ex, x, library):
    model = models()[library]
    ours = ResNet.from_reference(model).eval()                            # 바꾸기 전 가중치의 L3 사본
    with torch.no_grad():
        layer4 = ours.features(x)["layer4"]
        original = model(x)
    returned = ex.replace_pooling(model, ex.GeM(p=1.0))
    assert returned is model, "replace_pooling은 받은 model을 제자리에서 고쳐 돌려준다"
    with torch.no_grad():
        assert_close(model(x), original, f"{library}: GeM(p=1)을 끼운 logits = 원래 평균 pooling의 logits",
                     rtol=0, atol=F32_ATOL)
    for p in (3.0, 4.5):
        ex.replace_pooling(model, ex.GeM(p=p, eps=1e-6))
        expected = ours.fc(gem_formula(layer4, p, 1e-6).float())
        with torch.no_grad():
            assert_close(model(x), expected, f"{library}: GeM(p={p})를 끼운 logits vs fc(식(L3 layer4))",
                         rtol=0, atol=F32_ATOL)


def test_timm_head_still_gets_a_flat_vector(ex, x):
    model = ex.replace_pooling(models()["timm"], ex.GeM(p=3.0))
    with torch.no_grad():
        pre = model.forward_head(model.forward_features(x), pre_logits=True)
    assert_equal(tuple(pre.shape), (3, 2048), "timm forward_head(pre_logits=True)의 shape (N, C): flatten까지")


@pytest.mark.parametrize("library", ["torchvision", "timm"])
def test_the_exponent_is_trained_with_the_model(ex, x, library):
    """p는 model.parameters()에 들어가고, 그 gradient는 손으로 미분한 식과 같다 (float64)."""
    model = ex.replace_pooling(models(seed=4)[library], ex.GeM(p=2.5, eps=1e-6)).double()
    ours = ResNet.from_reference(models(seed=4)[library]).eval().double()
    gem = [m for m in model.modules() if type(m).__name__ == "GeM"]
    assert_equal(len(gem), 1, "model 안의 GeM 수")
    assert any(param is gem[0].p for param in model.parameters()), "p가 model.parameters()에 있어야 optimizer가 배운다"
    x64 = x.double()
    model(x64).sum().backward()
    with torch.no_grad():
        layer4 = ours.features(x64)["layer4"]
    # Σ logits = Σ_n Σ_c f_nc · (Σ_k W_kc)  →  ∂/∂p = Σ_n Σ_c (∂f_nc/∂p) · Σ_k W_kc
    expected = (gem_dp(layer4, 2.5, 1e-6) * ours.fc.weight.sum(dim=0)).sum()
    assert_close(gem[0].p.grad, expected, "∂(Σ logits)/∂p vs 손으로 미분한 식", rtol=F64_RTOL, atol=F64_ATOL)


def test_bad_arguments_are_refused(ex):
    with pytest.raises(ValueError, match="p"):
        ex.GeM(p=0.0)
    with pytest.raises(ValueError, match="eps"):
        ex.GeM(eps=0.0)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        ex.GeM()(torch.ones(2, 3))
    with pytest.raises(ValueError, match="ResNet"):
        ex.replace_pooling(nn.Linear(2, 2), ex.GeM())
