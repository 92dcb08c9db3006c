"""연습문제 01 (stage 전환 shortcut) 채점: ResNet-D 평균 pooling shortcut == timm → 읽는 픽셀 → parameter 수.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_resnet_d_shortcut.py`)을 검사한다.
기대값은 이 파일이 따로 계산한다: shortcut은 timm의 `downsample_avg`(ResNet-D, `avg_down=True`가 쓰는 모듈)에 같은
weight를 넣은 출력, 읽는 픽셀은 장의 `make_shortcut(..., "B")`와 timm 모듈을 autograd로 미분해 0이 아닌 자리,
parameter 수는 장의 L3 모델(`paper/resnet.py`)의 `parameters()`를 센 값.
"""
import itertools

import numpy as np
import pytest
import torch
from timm.models.resnet import downsample_avg

from utils.exercises import assert_close, assert_equal, assert_same_mask, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL

from ..paper import resnet as P


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_resnet_d_shortcut")


def timm_shortcut(c_in, c_out, stride, weight):
    """timm의 ResNet-D shortcut (pool → 1×1 conv → BN)에서 BN 앞까지, 같은 weight로 (float64)."""
    module = downsample_avg(c_in, c_out, kernel_size=1, stride=stride).double().eval()
    with torch.no_grad():
        module[1].weight.copy_(weight)
    return torch.nn.Sequential(module[0], module[1])


# ---- 1단계: 평균 pooling shortcut ----
@pytest.mark.parametrize("shape, c_out, stride", [
    ((2, 3, 8, 8), 6, 2), ((1, 4, 7, 5), 8, 2), ((2, 4, 6, 6), 4, 1), ((1, 2, 9, 1), 5, 2)])
def test_avg_pool_shortcut_equals_timm(ex, shape, c_out, stride):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(shape, dtype=torch.float64, generator=g)
    weight = torch.randn(c_out, shape[1], 1, 1, dtype=torch.float64, generator=g)
    out = ex.avg_pool_shortcut(x, weight, stride)
    expected = timm_shortcut(shape[1], c_out, stride, weight)(x)
    assert_close(out, expected, f"shortcut 출력 {tuple(shape)}, stride {stride} (timm downsample_avg 기준)",
                 rtol=F64_RTOL, atol=F64_ATOL)


def test_avg_pool_shortcut_refuses_bad_input(ex):
    weight = torch.zeros(6, 3, 1, 1, dtype=torch.float64)
    with pytest.raises(ValueError):
        ex.avg_pool_shortcut(torch.zeros(3, 8, 8, dtype=torch.float64), weight, 2)
    with pytest.raises(ValueError):
        ex.avg_pool_shortcut(torch.zeros(1, 4, 8, 8, dtype=torch.float64), weight, 2)   # weight의 C가 다르다
    with pytest.raises(ValueError):
        ex.avg_pool_shortcut(torch.zeros(1, 3, 8, 8, dtype=torch.float64), weight, 3)


# ---- 2단계: 어느 픽셀이 shortcut에 닿는가 ----
def gradient_mask(module, height, width):
    x = torch.randn(1, 4, height, width, dtype=torch.float64, requires_grad=True,
                    generator=torch.Generator().manual_seed(1))
    module(x).pow(2).sum().backward()
    return (x.grad[0].abs().sum(0) > 0).numpy()


@pytest.mark.parametrize("height, width", [(8, 8), (7, 5)])
def test_pixels_reaching_shortcut_equal_the_autograd_sparsity(ex, height, width):
    with torch.no_grad():
        option_b = P.make_shortcut(4, 8, 2, "B").double().eval()
        option_d = downsample_avg(4, 8, kernel_size=1, stride=2).double().eval()
    for kind, module in (("B", option_b), ("D", option_d)):
        expected = gradient_mask(module, height, width)
        assert_same_mask(np.asarray(ex.pixels_reaching_shortcut(kind, height, width, 2)), expected,
                         f"shortcut {kind}가 읽는 픽셀 ({height}×{width})")


# ---- 3·4단계: parameter 수 ----
@pytest.mark.parametrize("c_in, c_out", [(16, 32), (32, 64), (64, 256), (256, 512)])
def test_projection_parameters_equal_a_real_projection(ex, c_in, c_out):
    with torch.device("meta"):
        projection = P.make_shortcut(c_in, c_out, 2, "B")
        resnet_d = downsample_avg(c_in, c_out, kernel_size=1, stride=2)
    expected = sum(p.numel() for p in projection.parameters())
    assert_equal(ex.projection_parameters(c_in, c_out), expected, f"projection parameter ({c_in} → {c_out})")
    assert_equal(sum(p.numel() for p in resnet_d.parameters()), expected, "ResNet-D shortcut도 같은 수")


@pytest.mark.parametrize("n, shortcut, width", list(itertools.product((1, 3, 5, 18), ("A", "B", "C"), (16, 8))))
def test_cifar_parameters_equal_the_chapter_model(ex, n, shortcut, width):
    with torch.device("meta"):
        model = P.CifarResNet(n, 10, shortcut, width)
    assert_equal(ex.cifar_resnet_parameters(n, shortcut, width), sum(p.numel() for p in model.parameters()),
                 f"CIFAR ResNet-{6 * n + 2} parameter (shortcut {shortcut}, width {width})")


def test_resnet20_is_0_27M_and_other_class_counts(ex):
    assert_equal(ex.cifar_resnet_parameters(3), 269_722, "ResNet-20 (A) parameter (논문 Table 6: 0.27M)")
    assert_equal(ex.cifar_resnet_parameters(3, num_classes=100) - ex.cifar_resnet_parameters(3), 90 * 64 + 90,
                 "class 100개로 바꿨을 때 늘어나는 fc parameter")
    with pytest.raises(ValueError):
        ex.cifar_resnet_parameters(0)
    with pytest.raises(ValueError):
        ex.cifar_resnet_parameters(3, shortcut="D")
