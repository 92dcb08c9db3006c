"""연습문제 01 (BN folding) 채점. 기본은 reference solution을, `--learner`를 주면 학습자 stub을 검사한다.

기대값은 모두 torch가 계산한다: `nn.Conv2d` → `nn.BatchNorm2d`(eval 모드, 무작위 running 통계)의 출력과, 접은 가중치로
`F.conv2d` 하나를 돌린 출력을 float64로 비교한다 (`F64_RTOL`, `F64_ATOL`).
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_fold_bn")


def conv_bn(c_in, c_out, kernel, stride, padding, bias, seed):
    torch.manual_seed(seed)
    conv = nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=padding, bias=bias).double()
    bn = nn.BatchNorm2d(c_out, eps=1e-3 if seed % 2 else 1e-5).double()
    with torch.no_grad():
        bn.weight.uniform_(0.5, 2.0)
        bn.bias.normal_()
        bn.running_mean.normal_(0, 0.5)
        bn.running_var.uniform_(0.1, 3.0)
    return conv, bn.eval()


def numpy_of(t):
    return None if t is None else t.detach().numpy().copy()


CASES = [(3, 8, 3, 1, 1, True), (4, 5, 1, 1, 0, True), (2, 6, 3, 2, 1, False), (5, 3, 5, 1, 2, True)]


def test_bn_eval_affine_equals_batchnorm_in_eval_mode(ex):
    _, bn = conv_bn(3, 6, 3, 1, 1, True, seed=1)
    scale, shift = ex.bn_eval_affine(numpy_of(bn.weight), numpy_of(bn.bias), numpy_of(bn.running_mean),
                                     numpy_of(bn.running_var), bn.eps)
    z = torch.randn(4, 6, 5, 5, dtype=torch.float64)
    expected = bn(z).detach().numpy()
    actual = scale[None, :, None, None] * z.numpy() + shift[None, :, None, None]
    assert_close(actual, expected, "(scale, shift)로 쓴 eval BN 출력", rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("case", CASES, ids=lambda c: "cin{}-cout{}-k{}-s{}-p{}-bias{}".format(*c))
def test_folded_conv_equals_conv_then_bn(ex, case):
    c_in, c_out, kernel, stride, padding, bias = case
    conv, bn = conv_bn(c_in, c_out, kernel, stride, padding, bias, seed=sum(case[:5]))
    weight, folded_bias = ex.fold_bn_into_conv(numpy_of(conv.weight), numpy_of(conv.bias), numpy_of(bn.weight),
                                               numpy_of(bn.bias), numpy_of(bn.running_mean),
                                               numpy_of(bn.running_var), bn.eps)
    assert weight.shape == tuple(conv.weight.shape) and folded_bias.shape == (c_out,)
    x = torch.randn(3, c_in, 9, 9, dtype=torch.float64)
    expected = bn(conv(x)).detach().numpy()
    actual = F.conv2d(x, torch.as_tensor(weight), torch.as_tensor(folded_bias), stride=stride, padding=padding)
    assert_close(actual.numpy(), expected, "접은 conv의 출력 (conv → BN 기준)", rtol=F64_RTOL, atol=F64_ATOL)


def test_folding_a_whole_vgg_stack_keeps_its_output(ex):
    """conv → BN → ReLU → max-pool stage 세 개를 BN 없이 접은 conv → ReLU → pool로 바꿔도 출력이 같다."""
    layers, folded = [], []
    channels = [3, 8, 16, 16]
    for i in range(3):
        conv, bn = conv_bn(channels[i], channels[i + 1], 3, 1, 1, True, seed=10 + i)
        layers += [conv, bn, nn.ReLU(), nn.MaxPool2d(2)]
        w, b = ex.fold_bn_into_conv(numpy_of(conv.weight), numpy_of(conv.bias), numpy_of(bn.weight),
                                    numpy_of(bn.bias), numpy_of(bn.running_mean), numpy_of(bn.running_var), bn.eps)
        new = nn.Conv2d(channels[i], channels[i + 1], 3, padding=1).double()
        with torch.no_grad():
            new.weight.copy_(torch.as_tensor(w))
            new.bias.copy_(torch.as_tensor(b))
        folded += [new, nn.ReLU(), nn.MaxPool2d(2)]
    x = torch.randn(2, 3, 16, 16, dtype=torch.float64)
    with torch.no_grad():
        expected = nn.Sequential(*layers).eval()(x)
        actual = nn.Sequential(*folded)(x)
    assert_close(actual.numpy(), expected.numpy(), "접은 VGG stack의 출력", rtol=F64_RTOL, atol=F64_ATOL)
    assert sum(p.numel() for p in nn.Sequential(*folded).parameters()) < sum(
        p.numel() for p in nn.Sequential(*layers).parameters())


def test_bad_shapes_are_refused(ex):
    ones = np.ones(4)
    with pytest.raises(ValueError):
        ex.bn_eval_affine(ones, ones, ones, np.ones(3))
    with pytest.raises(ValueError):
        ex.bn_eval_affine(ones, ones, ones, -ones)
    with pytest.raises(ValueError):
        ex.fold_bn_into_conv(np.ones((4, 3, 3)), None, ones, ones, ones, ones)
    with pytest.raises(ValueError):
        ex.fold_bn_into_conv(np.ones((5, 3, 3, 3)), None, ones, ones, ones, ones)


@pytest.mark.parametrize("config", [[8, "M", 16, 16, "M", 32], [64, 64, "M", 128]])
def test_values_removed_by_folding_equals_the_state_dict_difference(ex, config):
    """3단계: 기대값은 torchvision `make_layers`로 만든 conv + BN의 state_dict에서 접은 뒤 남는 conv를 뺀 수."""
    from torchvision.models.vgg import make_layers

    with torch.device("meta"):
        features = make_layers(list(config), batch_norm=True)
    before = sum(v.numel() for k, v in features.state_dict().items() if not k.endswith("num_batches_tracked"))
    after = sum(p.numel() for m in features.modules() if isinstance(m, torch.nn.Conv2d) for p in m.parameters())
    assert_equal(ex.values_removed_by_folding(list(config)), before - after, f"접어서 사라지는 값의 수 {config}")
