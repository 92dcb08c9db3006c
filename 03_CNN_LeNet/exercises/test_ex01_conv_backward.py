"""연습문제 01 (conv2d backward) 채점: db → dW → dx(adjoint) → 묶음 → torch autograd → 수치 미분.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_conv_backward.py`)을 검사한다.
기대값은 이 파일이 `F.conv2d`(float64) autograd와 central difference로 따로 계산한다. 주어진
`conv2d_forward`(`given_conv_forward.py`)도 기준으로 쓰지 않고, 그것 역시 `F.conv2d`와 맞는지 확인한다.

격자: stride 1, 2, 3 × padding 0, 1, 2, 비대칭 kernel (3, 2)와 비정사각 입력 7×6. stride 3 > KW = 2 이면
어떤 window도 읽지 않는 열이 생기고, (H + 2P − KH)가 S로 나누어떨어지지 않으면 오른쪽·아래 나머지가 남는다 —
두 경우 모두 그 픽셀의 gradient는 정확히 0이어야 한다.
"""
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import assert_close, assert_equal, assert_rel_error, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, numeric_gradient

from .given_conv_forward import conv2d_forward

GRID = list(itertools.product((1, 2, 3), (0, 1, 2)))          # (stride, padding)
X_SHAPE, W_SHAPE = (2, 3, 7, 6), (4, 3, 3, 2)                  # (N, C, H, W), (F, C, KH, KW)


def grid_id(case):
    return "s{}-p{}".format(*case)


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_conv_backward")


def make_case(stride, padding, seed=0):
    """float64 x, W, b와 출력 shape에 맞는 무작위 dout (출력 shape는 torch가 정한다)."""
    rng = np.random.default_rng(seed)
    x, W, b = rng.normal(size=X_SHAPE), rng.normal(size=W_SHAPE), rng.normal(size=W_SHAPE[0])
    out_shape = F.conv2d(torch.from_numpy(x), torch.from_numpy(W), stride=stride, padding=padding).shape
    return x, W, b, rng.normal(size=tuple(out_shape))


def torch_grads(x, W, b, dout, stride, padding):
    """`F.conv2d` autograd가 계산한 (dx, dW, db), float64."""
    xt, Wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    F.conv2d(xt, Wt, bt, stride=stride, padding=padding).backward(torch.from_numpy(dout))
    return xt.grad.numpy(), Wt.grad.numpy(), bt.grad.numpy()


# ---- 주어진 forward (읽기 전용) ----
def test_given_forward_equals_torch_conv2d():
    for stride, padding in GRID:
        x, W, b, _ = make_case(stride, padding)
        expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(W), torch.from_numpy(b), stride=stride,
                            padding=padding).numpy()
        assert_close(conv2d_forward(x, W, b, stride, padding), expected, f"forward (S={stride}, P={padding})",
                     rtol=F64_RTOL, atol=F64_ATOL)


# ---- 1단계: db ----
def test_grad_bias_equals_torch(ex):
    x, W, b, dout = make_case(2, 1, seed=1)
    _, _, db_t = torch_grads(x, W, b, dout, 2, 1)
    assert_close(ex.conv2d_grad_bias(dout), db_t, "db", rtol=F64_RTOL, atol=F64_ATOL)


# ---- 2단계: dW ----
@pytest.mark.parametrize("case", GRID, ids=grid_id)
def test_grad_weight_equals_torch(ex, case):
    stride, padding = case
    x, W, b, dout = make_case(stride, padding, seed=2)
    _, dW_t, _ = torch_grads(x, W, b, dout, stride, padding)
    assert_close(ex.conv2d_grad_weight(dout, x, W_SHAPE[2:], stride, padding), dW_t,
                 f"dW (stride {stride}, padding {padding})", rtol=F64_RTOL, atol=F64_ATOL)


# ---- 3단계: dx ----
@pytest.mark.parametrize("case", GRID, ids=grid_id)
def test_grad_input_equals_torch(ex, case):
    stride, padding = case
    x, W, b, dout = make_case(stride, padding, seed=3)
    dx_t, _, _ = torch_grads(x, W, b, dout, stride, padding)
    assert_close(ex.conv2d_grad_input(dout, W, X_SHAPE, stride, padding), dx_t,
                 f"dx (stride {stride}, padding {padding})", rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("case", GRID, ids=grid_id)
def test_gradients_are_adjoints_of_the_forward(ex, case):
    # b = 0이면 conv는 x에 대해서도 W에 대해서도 선형이다:  ⟨conv(x, W), dout⟩ = ⟨x, dx⟩ = ⟨W, dW⟩.
    stride, padding = case
    x, W, _, dout = make_case(stride, padding, seed=4)
    inner = float((F.conv2d(torch.from_numpy(x), torch.from_numpy(W), stride=stride, padding=padding).numpy()
                   * dout).sum())
    dx = ex.conv2d_grad_input(dout, W, X_SHAPE, stride, padding)
    dW = ex.conv2d_grad_weight(dout, x, W_SHAPE[2:], stride, padding)
    assert float((x * dx).sum()) == pytest.approx(inner, rel=F64_RTOL, abs=F64_ATOL)
    assert float((W * dW).sum()) == pytest.approx(inner, rel=F64_RTOL, abs=F64_ATOL)


# ---- 4단계: 묶음 ----
@pytest.mark.parametrize("case", GRID, ids=grid_id)
def test_backward_equals_torch_autograd(ex, case):
    stride, padding = case
    x, W, b, dout = make_case(stride, padding, seed=5)
    grads = ex.conv2d_backward(dout, x, W, stride, padding)
    assert len(grads) == 3
    for name, mine, expected in zip(("dx", "dW", "db"), grads, torch_grads(x, W, b, dout, stride, padding)):
        assert mine.shape == expected.shape, name
        assert_close(mine, expected, name, rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("case", GRID, ids=grid_id)
def test_backward_matches_finite_differences(ex, case):
    # L = Σ conv(x, W, b) ⊙ dout 이면 ∂L/∂out = dout. loss는 F.conv2d로 계산한다 (torch.from_numpy는 메모리를
    # 공유하므로 numeric_gradient가 x, W, b를 제자리에서 흔들면 torch tensor도 같이 바뀐다).
    # conv는 선형이라 central difference의 절단 오차는 0이고 남는 것은 L의 반올림 오차/h ≈ 1e-10 (절대)뿐이다.
    # 부호가 섞인 값이면 우연히 1e-3 근처인 gradient 원소에서 이것이 상대 1e-7에 닿으므로, 값을 모두 [0.5, 1.5]에서
    # 뽑아 읽힌 픽셀의 gradient를 0에서 멀리 둔다 (ReLU kink를 피하는 것과 같은 이유; 읽히지 않은 픽셀은 정확히 0).
    # 부호가 섞인 값은 위의 torch parity 테스트들이 본다.
    stride, padding = case
    rng = np.random.default_rng(6)
    x, W, b = rng.uniform(0.5, 1.5, size=X_SHAPE), rng.uniform(0.5, 1.5, size=W_SHAPE), rng.uniform(0.5, 1.5, size=4)
    out_shape = F.conv2d(torch.from_numpy(x), torch.from_numpy(W), stride=stride, padding=padding).shape
    dout = rng.uniform(0.5, 1.5, size=tuple(out_shape))
    xt, Wt, bt, doutt = (torch.from_numpy(a) for a in (x, W, b, dout))

    def loss() -> float:
        return float((F.conv2d(xt, Wt, bt, stride=stride, padding=padding) * doutt).sum())

    dx, dW, db = ex.conv2d_backward(dout, x, W, stride, padding)
    assert_rel_error(dx, numeric_gradient(loss, x), "dx", GRAD_REL_TOL)
    assert_rel_error(dW, numeric_gradient(loss, W), "dW", GRAD_REL_TOL)
    assert_rel_error(db, numeric_gradient(loss, b), "db", GRAD_REL_TOL)


@pytest.mark.parametrize("size, kernel, stride, padding", [((7, 6), (3, 3), 1, 1), ((9, 8), (2, 3), 3, 0),
                                                           ((8, 8), (3, 3), 2, 1)])
def test_read_counts_equal_the_gradient_of_an_all_ones_convolution(ex, size, kernel, stride, padding):
    """5단계: 기대값은 weight가 모두 1인 `F.conv2d`의 출력 합을 torch autograd로 미분한 값 (읽힌 횟수)이다."""
    x = torch.zeros(1, 1, *size, dtype=torch.float64, requires_grad=True)
    F.conv2d(x, torch.ones(1, 1, *kernel, dtype=torch.float64), stride=stride, padding=padding).sum().backward()
    expected = x.grad[0, 0].numpy().astype(np.int64)
    assert_equal(np.asarray(ex.read_counts(*size, kernel, stride, padding)), expected,
                 f"읽힌 횟수 (H, W={size}, K={kernel}, S={stride}, P={padding})")
