"""연습문제 02 (pre-activation block) 채점: 구조 → residual F(x) → forward → x_L = x_0 + Σ F(x_i).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_preact_block.py`)을 검사한다.
기대값은 이 파일이 `F.batch_norm`, `F.relu`, `F.conv2d`로 식을 직접 계산해 만든다 (float64, train·eval 두 모드).
"""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from utils.exercises import assert_close, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL

from ..paper import resnet as P


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_preact_block")


def randomized(block, seed=0):
    g = torch.Generator().manual_seed(seed)
    block.double()
    with torch.no_grad():
        for name, t in block.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith(("running_var", "bn1.weight", "bn2.weight")):
                t.copy_(torch.rand(t.shape, generator=g, dtype=t.dtype) + 0.5)
            else:
                t.copy_(torch.randn(t.shape, generator=g, dtype=t.dtype) * 0.3)
    return block


def reference(block, x, training):
    """식 그대로: pre = ReLU(BN1(x)), F = conv2(ReLU(BN2(conv1(pre)))), y = (x 또는 W_s pre) + F.

    BN의 running 통계는 복사본을 넘겨, 기대값 계산이 block의 통계를 건드리지 않게 한다."""
    def bn(prefix, t):
        return F.batch_norm(t, getattr(block, prefix).running_mean.clone(), getattr(block, prefix).running_var.clone(),
                            getattr(block, prefix).weight, getattr(block, prefix).bias, training=training)
    stride = block.conv1.stride
    pre = F.relu(bn("bn1", x))
    residual = F.conv2d(F.relu(bn("bn2", F.conv2d(pre, block.conv1.weight, stride=stride, padding=1))),
                        block.conv2.weight, padding=1)
    shortcut = x if block.shortcut is None else F.conv2d(pre, block.shortcut.weight, stride=stride)
    return residual, shortcut + residual


def close(a, b, name):
    assert_close(a, b, name, rtol=F64_RTOL, atol=F64_ATOL)


# ---- 1단계: 구조 ----
@pytest.mark.parametrize("in_planes, planes, stride, projection",
                         [(8, 8, 1, False), (8, 16, 2, True), (8, 16, 1, True)])
def test_submodules_and_parameter_count(ex, in_planes, planes, stride, projection):
    block = ex.PreActBlock(in_planes, planes, stride)
    assert isinstance(block, nn.Module)
    assert block.bn1.num_features == in_planes and block.bn2.num_features == planes
    assert block.conv1.weight.shape == (planes, in_planes, 3, 3) and block.conv1.stride == (stride, stride)
    assert block.conv2.weight.shape == (planes, planes, 3, 3) and block.conv1.bias is None and block.conv2.bias is None
    assert (block.shortcut is not None) == projection
    if projection:
        assert block.shortcut.weight.shape == (planes, in_planes, 1, 1) and block.shortcut.bias is None
    expected = 9 * in_planes * planes + 9 * planes * planes + 2 * in_planes + 2 * planes
    expected += in_planes * planes if projection else 0
    assert sum(p.numel() for p in block.parameters()) == expected


# ---- 2·3단계: residual과 forward ----
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("in_planes, planes, stride", [(4, 4, 1), (4, 8, 2)])
def test_residual_and_forward_equal_the_formula(ex, training, in_planes, planes, stride):
    torch.manual_seed(1)
    block = randomized(ex.PreActBlock(in_planes, planes, stride), seed=2).train(training)
    x = torch.randn(3, in_planes, 6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(3))
    expected_residual, expected_out = reference(block, x, training)
    close(block.residual(x), expected_residual, "block.residual(x)")
    close(block(x), expected_out, "block(x)")


def test_no_relu_after_the_addition(ex):
    """conv2 = 0이면 F(x) = 0: pre-activation block은 **정확히** identity (음수도 그대로). 논문 원래 block은 ReLU(x)."""
    x = torch.randn(2, 4, 5, 5, dtype=torch.float64, requires_grad=True)
    block = randomized(ex.PreActBlock(4, 4), seed=4).train()
    nn.init.zeros_(block.conv2.weight)
    out = block(x)
    assert torch.equal(out, x)
    v = torch.randn_like(x)
    (grad,) = torch.autograd.grad((out * v).sum(), x)
    assert torch.equal(grad, v)                                       # Jacobian = I: gradient가 그대로 지나간다
    post = P.BasicBlock(4, 4).double().train()
    nn.init.zeros_(post.bn2.weight)
    nn.init.zeros_(post.bn2.bias)
    assert torch.equal(post(x.detach()), F.relu(x.detach()))          # 대조: post-activation은 음수를 잘라낸다


# ---- 4단계: x_L = x_0 + Σ F(x_i) ----
def test_unrolled_sum_of_residuals(ex):
    torch.manual_seed(5)
    blocks = [randomized(ex.PreActBlock(4, 4), seed=10 + i).eval() for i in range(6)]
    x = torch.randn(2, 4, 5, 5, dtype=torch.float64)
    with torch.no_grad():
        x_last, total = ex.unrolled(blocks, x)
        h = x
        for b in blocks:
            h = reference(b, h, training=False)[1]
    close(x_last, h, "x_last")
    close(total, h, "total")
    with pytest.raises(ValueError):
        ex.unrolled([ex.PreActBlock(4, 8, 2)], torch.randn(1, 4, 4, 4))


def test_residual_stream_variances_follow_the_formula(ex):
    """5단계: 기대값은 이 파일의 `reference`(식 그대로)로 eval 모드 block 8개를 쌓으며 잰 분산이다."""
    blocks = [randomized(ex.PreActBlock(4, 4, 1), seed=s).eval() for s in range(8)]
    x = torch.randn(6, 4, 5, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(9))
    expected, h = [x.var(unbiased=False).item()], x
    with torch.no_grad():
        for block in blocks:
            h = reference(block, h, training=False)[1]
            expected.append(h.var(unbiased=False).item())
    got = ex.residual_stream_variances(blocks, x)
    assert len(got) == 9, f"Var(x_0) … Var(x_8) 9개여야 합니다: {len(got)}개"
    assert_close(got, expected, "Var(x_l), l = 0 … 8", rtol=F64_RTOL, atol=0.0)
    assert expected[-1] > 10 * expected[0], f"identity 경로에 F가 쌓여 분산이 커져야 합니다: {expected}"
