"""연습문제 02 (dilated convolution) 채점: 유효 kernel 크기 → 출력 크기 → 0을 끼운 kernel → forward → backward.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_dilation.py`)을 검사한다.
기대값은 이 파일이 `F.conv2d(..., dilation=d)`(float64)와 그 autograd, central difference로 따로 계산한다.
크기에 대한 기대값도 숫자로 적지 않고 torch가 실제로 만드는 shape(또는 거부)에서 읽는다.
"""
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import assert_close, assert_equal, assert_rel_error, assert_same_mask, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, numeric_gradient

GRID = list(itertools.product((1, 2), (0, 2), (1, 2, 3)))     # (stride, padding, dilation)
X_SHAPE, W_SHAPE = (2, 2, 9, 8), (3, 2, 3, 2)                  # 비정사각 입력, 비대칭 kernel


def grid_id(case):
    return "s{}-p{}-d{}".format(*case)


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_dilation")


def torch_output_hw(h, w, kernel, stride, padding, dilation):
    """torch가 만드는 출력 (OH, OW), 출력이 생기지 않아 torch가 거부하면 None."""
    x = torch.zeros(1, 1, h, w, dtype=torch.float64)
    weight = torch.zeros(1, 1, kernel, kernel, dtype=torch.float64)
    try:
        return tuple(F.conv2d(x, weight, stride=stride, padding=padding, dilation=dilation).shape[2:])
    except RuntimeError:
        return None


def make_case(stride, padding, dilation, seed=0, low=None):
    """x, W, b, dout (float64). low를 주면 모든 값을 [low, low + 1]에서 뽑는다 (수치 미분용, 아래 설명)."""
    rng = np.random.default_rng(seed)

    def draw(size):
        return rng.normal(size=size) if low is None else rng.uniform(low, low + 1.0, size=size)

    x, W, b = draw(X_SHAPE), draw(W_SHAPE), draw(W_SHAPE[0])
    out_shape = F.conv2d(torch.from_numpy(x), torch.from_numpy(W), stride=stride, padding=padding,
                         dilation=dilation).shape
    return x, W, b, draw(tuple(out_shape))


# ---- 1단계: 유효 kernel 크기와 출력 크기 ----
def test_effective_kernel_size_is_the_smallest_input_torch_accepts(ex):
    # padding 0, stride 1에서 출력이 생기는 가장 작은 입력 폭이 곧 kernel이 덮는 폭이고, 그때 출력은 1개다.
    for kernel, dilation in itertools.product(range(1, 6), range(1, 5)):
        smallest = next(h for h in range(1, 40) if torch_output_hw(h, h, kernel, 1, 0, dilation) is not None)
        assert torch_output_hw(smallest, smallest, kernel, 1, 0, dilation) == (1, 1)
        assert ex.effective_kernel_size(kernel, dilation) == smallest, (kernel, dilation)


def test_output_size_matches_torch_shapes_over_a_grid(ex):
    checked = refused = 0
    for h, kernel, stride, padding, dilation in itertools.product((1, 4, 7, 10), (1, 2, 3, 5), (1, 2, 3), (0, 1, 3),
                                                                  (1, 2, 3)):
        expected = torch_output_hw(h, h + 3, kernel, stride, padding, dilation)
        case = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation)
        if expected is None:                                   # torch도 거부: 출력이 생기지 않는 설정
            with pytest.raises(ValueError):
                ex.dilated_output_size(h, **case)
            refused += 1
            continue
        assert (ex.dilated_output_size(h, **case), ex.dilated_output_size(h + 3, **case)) == expected, (h, case)
        checked += 1
    assert checked > 200 and refused > 20                      # 격자가 두 경우를 모두 충분히 덮는다


def test_out_of_range_arguments_are_refused(ex):
    for bad in (dict(kernel_size=0), dict(stride=0), dict(padding=-1), dict(dilation=0)):
        with pytest.raises(ValueError):
            ex.dilated_output_size(8, **{"kernel_size": 3, **bad})
    with pytest.raises(ValueError):
        ex.effective_kernel_size(3, 0)


# ---- 2단계: 0을 끼운 kernel ----
@pytest.mark.parametrize("dilation", (1, 2, 3))
def test_dilate_kernel_puts_taps_dilation_apart(ex, dilation):
    W = np.random.default_rng(1).uniform(0.5, 1.5, size=W_SHAPE)          # 0이 없는 W: 0의 개수로 위치를 센다
    W_dil = ex.dilate_kernel(W, dilation)
    kh, kw = W_SHAPE[2:]
    assert W_dil.shape == (*W_SHAPE[:2], dilation * (kh - 1) + 1, dilation * (kw - 1) + 1)
    assert_equal(W_dil[:, :, ::dilation, ::dilation], np.asarray(W), f"W_dil의 tap 자리 (d={dilation})")
    assert np.count_nonzero(W_dil) == W.size                               # 나머지는 모두 0


@pytest.mark.parametrize("case", GRID, ids=grid_id)
def test_zero_inserted_kernel_gives_the_same_convolution(ex, case):
    stride, padding, dilation = case
    x, W, _, _ = make_case(stride, padding, dilation, seed=2)
    xt = torch.from_numpy(x)
    dilated = F.conv2d(xt, torch.from_numpy(W), stride=stride, padding=padding, dilation=dilation)
    plain = F.conv2d(xt, torch.from_numpy(ex.dilate_kernel(W, dilation)), stride=stride, padding=padding)
    assert_close(plain.numpy(), dilated.numpy(), "0을 끼운 kernel의 conv", rtol=F64_RTOL, atol=F64_ATOL)


# ---- 3단계: forward ----
@pytest.mark.parametrize("case", GRID, ids=grid_id)
def test_forward_equals_torch_conv2d(ex, case):
    stride, padding, dilation = case
    x, W, b, _ = make_case(stride, padding, dilation, seed=3)
    expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(W), torch.from_numpy(b), stride=stride,
                        padding=padding, dilation=dilation).numpy()
    out = ex.conv2d_dilated_forward(x, W, b, stride, padding, dilation)
    assert out.shape == expected.shape
    assert_close(out, expected, "dilated forward", rtol=F64_RTOL, atol=F64_ATOL)


# ---- 4단계: backward ----
@pytest.mark.parametrize("case", GRID, ids=grid_id)
def test_backward_equals_torch_autograd(ex, case):
    stride, padding, dilation = case
    x, W, b, dout = make_case(stride, padding, dilation, seed=4)
    xt, Wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    F.conv2d(xt, Wt, bt, stride=stride, padding=padding, dilation=dilation).backward(torch.from_numpy(dout))
    grads = ex.conv2d_dilated_backward(dout, x, W, stride, padding, dilation)
    assert len(grads) == 3
    for name, mine, expected in zip(("dx", "dW", "db"), grads, (xt.grad, Wt.grad, bt.grad)):
        assert mine.shape == tuple(expected.shape), name
        assert_close(mine, expected.numpy(), name, rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("case", [(1, 0, 2), (2, 2, 3), (1, 2, 2)], ids=grid_id)
def test_backward_matches_finite_differences(ex, case):
    # 연습문제 01과 같은 방식: L = Σ conv ⊙ dout 을 F.conv2d로 계산하고, 값을 [0.5, 1.5]에서 뽑아 읽힌 픽셀의
    # gradient를 0에서 멀리 둔다 (선형 연산이라 남는 것은 반올림 오차뿐; 작은 원소에서 상대 오차가 커지지 않게).
    stride, padding, dilation = case
    x, W, b, dout = make_case(stride, padding, dilation, seed=5, low=0.5)
    xt, Wt, bt, doutt = (torch.from_numpy(a) for a in (x, W, b, dout))

    def loss() -> float:
        return float((F.conv2d(xt, Wt, bt, stride=stride, padding=padding, dilation=dilation) * doutt).sum())

    dx, dW, db = ex.conv2d_dilated_backward(dout, x, W, stride, padding, dilation)
    assert_rel_error(dx, numeric_gradient(loss, x), "dx", GRAD_REL_TOL)
    assert_rel_error(dW, numeric_gradient(loss, W), "dW", GRAD_REL_TOL)
    assert_rel_error(db, numeric_gradient(loss, b), "db", GRAD_REL_TOL)


@pytest.mark.parametrize("dilations", [(1, 2, 4), (2, 2, 2), (1, 1), (3,)])
def test_stack_footprint_equals_the_autograd_sparsity(ex, dilations):
    """5단계: 기대값은 weight가 모두 1인 1-D dilated conv를 쌓고, 출력 하나를 입력으로 미분해 0이 아닌 자리다."""
    width = 1 + sum(d * 2 for d in dilations)
    x = torch.zeros(1, 1, width, dtype=torch.float64, requires_grad=True)
    h = x
    for d in dilations:
        h = F.conv1d(h, torch.ones(1, 1, 3, dtype=torch.float64), dilation=d)
    assert h.shape[-1] == 1
    h.sum().backward()
    assert_same_mask(np.asarray(ex.stack_footprint(3, dilations)), (x.grad[0, 0] != 0).numpy(),
                     f"dilation {dilations}가 닿는 입력 offset")
