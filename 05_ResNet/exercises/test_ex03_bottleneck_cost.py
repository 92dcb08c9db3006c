"""연습문제 03 (parameter·곱셈-덧셈 세기) 채점: conv 한 층 → block 하나 → ResNet 전체.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_bottleneck_cost.py`)을 검사한다.
기대값은 이 파일이 따로 얻는다: 장의 L3 모델(`paper/resnet.py`)을 meta device에 만들어 forward hook으로 conv·fc의
곱셈-덧셈을 세고 `parameters()`를 센 값, 그리고 torchvision weight 메타데이터의 `num_params`와 `_ops`(GFLOPs).
"""
import pytest
import torch
import torchvision
from torch import nn

from utils.exercises import load_exercise

from ..paper import resnet as P


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_bottleneck_cost")


def measured(model, shape):
    """(parameter 수, conv·fc 곱셈-덧셈 수)를 meta device forward hook으로 잰다."""
    macs = 0

    def hook(module, inputs, output):
        nonlocal macs
        if isinstance(module, nn.Conv2d):
            macs += output[0].numel() * module.in_channels * module.kernel_size[0] * module.kernel_size[1]
        else:
            macs += module.in_features * module.out_features
    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model.eval()(torch.zeros(shape, device="meta"))
    for h in handles:
        h.remove()
    return sum(p.numel() for p in model.parameters()), macs


# ---- 1단계 ----
def test_conv_cost(ex):
    with torch.device("meta"):
        conv = nn.Conv2d(64, 128, 3, stride=2, padding=1, bias=False)
    assert ex.conv_cost(64, 128, 3, 28, 28) == measured(conv, (1, 64, 56, 56))
    assert ex.conv_cost(256, 64, 1, 56, 56) == (16_384, 16_384 * 3_136)


# ---- 2단계 ----
BLOCKS = [("basic", 64, 64, 56, 1, "3x3"), ("basic", 64, 128, 56, 2, "3x3"), ("bottleneck", 64, 64, 56, 1, "3x3"),
          ("bottleneck", 256, 64, 56, 1, "3x3"), ("bottleneck", 256, 128, 56, 2, "3x3"),
          ("bottleneck", 256, 128, 56, 2, "1x1"), ("bottleneck", 512, 256, 28, 2, "1x1")]


@pytest.mark.parametrize("kind, in_planes, planes, h, stride, stride_on", BLOCKS)
def test_block_cost_equals_a_measured_block(ex, kind, in_planes, planes, h, stride, stride_on):
    with torch.device("meta"):
        block = (P.BasicBlock(in_planes, planes, stride) if kind == "basic"
                 else P.Bottleneck(in_planes, planes, stride, stride_on=stride_on))
    assert ex.block_cost(kind, in_planes, planes, h, h, stride, stride_on) == measured(block, (1, in_planes, h, h))


def test_section_4_1_example(ex):
    """Basic 64-d와 Bottleneck 256-d (identity shortcut)는 비용이 비슷하다: conv parameter 73,728 vs 69,632."""
    basic, bottleneck = ex.block_cost("basic", 64, 64, 56, 56), ex.block_cost("bottleneck", 256, 64, 56, 56)
    assert basic == (73_728 + 2 * 64 * 2, 73_728 * 3_136)
    assert bottleneck == (69_632 + 2 * (64 + 64 + 256), 69_632 * 3_136)
    with pytest.raises(ValueError):
        ex.block_cost("wide", 64, 64, 56, 56)
    with pytest.raises(ValueError):
        ex.block_cost("bottleneck", 64, 64, 56, 56, 2, "5x5")


# ---- 3단계 ----
@pytest.mark.parametrize("depth", (18, 34, 50, 101, 152))
def test_resnet_cost_equals_measured_model_and_torchvision(ex, depth):
    meta = getattr(torchvision.models, f"ResNet{depth}_Weights").IMAGENET1K_V1.meta
    for stride_on in ("3x3", "1x1"):
        with torch.device("meta"):
            model = getattr(P, f"resnet{depth}")(stride_on=stride_on)
        assert ex.resnet_cost(depth, stride_on) == measured(model, (1, 3, 224, 224)), stride_on
    params, macs = ex.resnet_cost(depth)
    assert params == meta["num_params"] and round(macs / 1e9, 3) == meta["_ops"]


def test_other_input_size_and_classes(ex):
    with torch.device("meta"):
        model = P.resnet50(num_classes=10)
    assert ex.resnet_cost(50, num_classes=10, size=64) == measured(model, (1, 3, 64, 64))
    with pytest.raises(ValueError):
        ex.resnet_cost(42)


@pytest.mark.parametrize("depth, size, new_size", [(50, 224, 448), (18, 224, 112)])
def test_macs_ratio_equals_two_measured_models(ex, depth, size, new_size):
    """4단계: 기대값은 장의 모델을 두 입력 크기에서 meta device forward hook으로 잰 곱셈-덧셈의 비다."""
    with torch.device("meta"):
        model = getattr(P, f"resnet{depth}")()
    expected = measured(model, (1, 3, new_size, new_size))[1] / measured(model, (1, 3, size, size))[1]
    ratio = ex.macs_ratio(depth, size, new_size)
    assert abs(ratio - expected) <= 1e-12 * expected, f"MAC 비 ({size} → {new_size}): 실제 {ratio}, 기대 {expected}"
