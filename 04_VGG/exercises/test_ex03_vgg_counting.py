"""연습문제 03 (parameter·MAC 세기) 채점. 기본은 reference solution을, `--learner`를 주면 학습자 stub을 검사한다.

기대값은 모두 torchvision이 정한다: parameter 수는 torchvision VGG의 `parameters()`를 센 값, MAC은 meta device
(값 없이 shape만 계산)에서 forward hook으로 conv마다 (출력 원소 수 × C_in·K·K)를 더한 값이다. 숫자로 적힌 기대값은
논문 Table 2가 적은 VGG-16의 138M (torchvision이 센 138,357,544)와 논문 Section 2.3의 27C² 대 49C²뿐이다.
"""
import pytest
import torch
import torchvision
from torch import nn
from torchvision.models.vgg import cfgs as TV_CFGS
from torchvision.models.vgg import make_layers

from utils.exercises import load_exercise

NAMES = {"A": "vgg11", "B": "vgg13", "D": "vgg16", "E": "vgg19"}


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_vgg_counting")


def meta_vgg(key, batch_norm):
    with torch.device("meta"):
        return getattr(torchvision.models, NAMES[key] + ("_bn" if batch_norm else ""))(weights=None)


def measured_conv_macs(model: nn.Module, size: int) -> int:
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        k = module.kernel_size[0] * module.kernel_size[1]
        total += output[0].numel() * module.in_channels // module.groups * k

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad():
        model(torch.empty(1, 3, size, size, device="meta"))
    for h in handles:
        h.remove()
    return total


@pytest.mark.parametrize("batch_norm", [False, True], ids=["plain", "bn"])
@pytest.mark.parametrize("key", list("ABDE"))
def test_parameter_count_equals_torchvision(ex, key, batch_norm):
    expected = sum(p.numel() for p in meta_vgg(key, batch_norm).parameters())
    assert ex.vgg_parameters(list(TV_CFGS[key]), batch_norm=batch_norm) == expected


def test_vgg16_is_138_357_544(ex):
    assert ex.vgg_parameters(list(TV_CFGS["D"])) == 138_357_544


def test_other_head_sizes_and_configs(ex):
    cfg = [16, "M", 32, 32, "M", 512, "M"]
    with torch.device("meta"):
        model = torchvision.models.VGG(make_layers(cfg, batch_norm=True), num_classes=7)
    assert ex.vgg_parameters(cfg, batch_norm=True, num_classes=7) == sum(p.numel() for p in model.parameters())
    conv = nn.Conv2d(5, 11, kernel_size=3)
    assert ex.conv_parameters(5, 11) == sum(p.numel() for p in conv.parameters())
    assert ex.conv_parameters(5, 11, kernel=1, bias=False) == nn.Conv2d(5, 11, 1, bias=False).weight.numel()


@pytest.mark.parametrize("size", [224, 32, 96])
@pytest.mark.parametrize("key", list("ABDE"))
def test_conv_macs_equal_forward_hook_count(ex, key, size):
    assert ex.vgg_conv_macs(list(TV_CFGS[key]), input_size=size) == measured_conv_macs(meta_vgg(key, False), size)


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_stack_of_3x3_versus_one_big_kernel(ex, n):
    channels = 8
    stack = nn.Sequential(*[nn.Conv2d(channels, channels, 3, bias=False) for _ in range(n)])
    single = nn.Conv2d(channels, channels, 2 * n + 1, bias=False)
    assert ex.stack_versus_single(channels, n) == (sum(p.numel() for p in stack.parameters()), single.weight.numel())
    assert ex.stack_versus_single(1, 3) == (27, 49)                       # Section 2.3


@pytest.mark.parametrize("key", ["A", "D"])
def test_classifier_share_equals_the_torchvision_count(ex, key):
    """5단계: 기대값은 meta device의 torchvision VGG에서 `classifier`의 parameter를 전체로 나눈 값이다."""
    model = meta_vgg(key, False)
    expected = sum(p.numel() for p in model.classifier.parameters()) / sum(p.numel() for p in model.parameters())
    share = ex.classifier_share(list(TV_CFGS[key]))
    assert abs(share - expected) <= 1e-12, f"FC head 비율 (cfg {key}): 실제 {share:.10f}, 기대 {expected:.10f}"
