"""연습문제 01 (option A shortcut, parameter 수) 채점: shortcut_a → projection parameter → CIFAR ResNet 전체.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_option_a_shortcut.py`)을 검사한다.
기대값은 이 파일이 따로 계산한다: shortcut_a는 "앞 C 채널만 1인 1×1 선택 kernel"의 stride s convolution(`F.conv2d`)과,
parameter 수는 장의 L3 모델(`paper/resnet.py`)을 만들어 `parameters()`를 센 값과 비교한다.
"""
import itertools

import pytest
import torch
import torch.nn.functional as F

from utils.exercises import load_exercise

from ..paper import resnet as P


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_option_a_shortcut")


def selection_conv(x, out_channels, stride):
    """option A = 1×1 conv(stride s), weight[k, k] = 1 (k < C), 나머지 0. 출력 채널 k ≥ C는 모두 0이 된다."""
    c = x.shape[1]
    weight = torch.zeros(out_channels, c, 1, 1, dtype=x.dtype)
    weight[torch.arange(c), torch.arange(c)] = 1.0
    return F.conv2d(x, weight, stride=stride)


# ---- 1단계: shortcut_a ----
@pytest.mark.parametrize("shape, out_channels, stride", [
    ((2, 3, 8, 8), 6, 2), ((1, 4, 7, 5), 8, 2), ((2, 4, 6, 6), 4, 1), ((1, 2, 9, 9), 5, 3)])
def test_shortcut_a_equals_a_selection_convolution(ex, shape, out_channels, stride):
    x = torch.randn(shape, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    out = ex.shortcut_a(x, out_channels, stride)
    expected = selection_conv(x, out_channels, stride)
    assert out.shape == expected.shape                                # 홀수 크기면 ⌈H/s⌉ (conv 식과 같다)
    assert torch.equal(out, expected)


def test_shortcut_a_gradient_goes_only_to_read_pixels(ex):
    x = torch.randn(2, 3, 6, 6, dtype=torch.float64, requires_grad=True)
    dout = torch.randn(2, 6, 3, 3, dtype=torch.float64)
    ex.shortcut_a(x, 6, 2).backward(dout)
    expected = torch.zeros(2, 3, 6, 6, dtype=torch.float64)
    expected[:, :, ::2, ::2] = dout[:, :3]                            # 0 채널의 gradient는 어디로도 가지 않는다
    assert torch.equal(x.grad, expected)


def test_shortcut_a_refuses_bad_input(ex):
    with pytest.raises(ValueError):
        ex.shortcut_a(torch.zeros(3, 8, 8), 6, 2)
    with pytest.raises(ValueError):
        ex.shortcut_a(torch.zeros(1, 8, 4, 4), 4, 2)                   # 채널을 줄이는 것은 option A가 아니다
    with pytest.raises(ValueError):
        ex.shortcut_a(torch.zeros(1, 4, 4, 4), 8, 0)


# ---- 2단계: projection parameter ----
@pytest.mark.parametrize("c_in, c_out", [(16, 32), (32, 64), (64, 256), (256, 512)])
def test_projection_parameters_equal_a_real_projection(ex, c_in, c_out):
    with torch.device("meta"):
        projection = P.make_shortcut(c_in, c_out, 2, "B")
    assert ex.projection_parameters(c_in, c_out) == sum(p.numel() for p in projection.parameters())


# ---- 3단계: CIFAR ResNet 전체 ----
@pytest.mark.parametrize("n, shortcut, width", list(itertools.product((1, 3, 5, 18), ("A", "B", "C"), (16, 8))))
def test_cifar_parameters_equal_the_chapter_model(ex, n, shortcut, width):
    with torch.device("meta"):
        model = P.CifarResNet(n, 10, shortcut, width)
    assert ex.cifar_resnet_parameters(n, shortcut, width) == sum(p.numel() for p in model.parameters())


def test_resnet20_is_0_27M_and_other_class_counts(ex):
    assert ex.cifar_resnet_parameters(3) == 269_722
    assert ex.cifar_resnet_parameters(3, num_classes=100) - ex.cifar_resnet_parameters(3) == 90 * 64 + 90
    with pytest.raises(ValueError):
        ex.cifar_resnet_parameters(0)
    with pytest.raises(ValueError):
        ex.cifar_resnet_parameters(3, shortcut="D")
