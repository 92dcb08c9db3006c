"""Convolution / pooling (L1) 검증 사다리: shape → adjoint → 수치 미분 → naive loop → torch parity → 잘못된 입력.

격자(grid)의 경우마다 shape, kernel, stride, padding이 다르다: stride > 1, 비대칭 kernel·stride·padding,
kernel이 입력 전체를 덮는 경우(C5처럼 1×1 출력), 나누어떨어지지 않는 stride를 모두 넣었다.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, check_module_gradients

from .conv import AvgPool2D, Conv2D, MaxPool2D, col2im, conv2d_naive, im2col, pair

# (x shape, out_channels, kernel, stride, padding)
CONV_GRID = [
    ((2, 3, 7, 7), 4, 3, 1, 0),
    ((2, 3, 7, 7), 4, 3, 2, 1),
    ((1, 2, 8, 6), 3, (3, 2), (2, 1), (1, 0)),
    ((2, 1, 5, 5), 2, 5, 1, 2),
    ((3, 4, 6, 6), 5, 1, 1, 0),
    ((2, 2, 9, 9), 3, 4, 3, 2),
    ((1, 3, 4, 4), 2, 4, 1, 0),
]
# (x shape, kernel, stride (None = kernel), padding)
POOL_GRID = [
    ((2, 3, 8, 8), 2, None, 0),
    ((2, 2, 7, 7), 3, 2, 1),
    ((1, 3, 9, 6), (3, 2), (2, 1), (1, 0)),
    ((2, 1, 5, 5), 2, 1, 1),
    ((2, 2, 6, 6), 4, 3, 2),
]


def grid_id(case):
    return "x{}-k{}-s{}-p{}".format(case[0], *case[-3:]).replace(" ", "")


def make_conv(case, seed=0):
    shape, f_out, kernel, stride, padding = case
    rng = np.random.default_rng(seed)
    layer = Conv2D(shape[1], f_out, kernel, stride, padding, rng=rng)
    layer.params["b"][:] = rng.normal(size=f_out)                  # 0이 아닌 bias로 검사
    return layer, rng.normal(size=shape)


def expected_hw(h, w, kernel, stride, padding):
    (kh, kw), (sh, sw), (ph, pw) = pair(kernel, "k"), pair(stride, "s"), pair(padding, "p")
    return (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1


def tie_free(shape, seed):
    """서로 다른 값들(간격 0.01 ≫ h = 1e-5)의 무작위 배열: 어느 window에도 동점이 없어 max가 kink를 피한다."""
    rng = np.random.default_rng(seed)
    return (rng.permutation(int(np.prod(shape))).reshape(shape) * 0.01 - 1.0).astype(np.float64)


# ---- shape ----
@pytest.mark.parametrize("case", CONV_GRID, ids=grid_id)
def test_conv_output_shape(case):
    layer, x = make_conv(case)
    shape, f_out, kernel, stride, padding = case
    assert layer.forward(x).shape == (shape[0], f_out, *expected_hw(*shape[2:], kernel, stride, padding))


@pytest.mark.parametrize("case", POOL_GRID, ids=grid_id)
def test_pool_output_shape(case):
    shape, kernel, stride, padding = case
    hw = expected_hw(*shape[2:], kernel, stride if stride is not None else kernel, padding)
    for pool in (MaxPool2D(kernel, stride, padding), AvgPool2D(kernel, stride, padding)):
        assert pool.forward(tie_free(shape, 0)).shape == (*shape[:2], *hw)


def test_dtype_follows_input():
    layer = Conv2D(1, 2, 3, dtype=np.float32)
    assert layer.forward(np.zeros((1, 1, 5, 5), dtype=np.float32)).dtype == np.float32


# ---- col2im은 im2col의 adjoint: <im2col(x), c> = <x, col2im(c)> ----
@pytest.mark.parametrize("case", CONV_GRID, ids=grid_id)
def test_col2im_is_adjoint_of_im2col(case):
    shape, _, kernel, stride, padding = case
    k, s, p = pair(kernel, "k"), pair(stride, "s"), pair(padding, "p")
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape)
    cols = im2col(x, k, s, p)
    c = rng.normal(size=cols.shape)
    np.testing.assert_allclose(np.sum(cols * c), np.sum(x * col2im(c, shape, k, s, p)), rtol=F64_RTOL, atol=F64_ATOL)


# ---- 수치 미분 (float64) ----
@pytest.mark.parametrize("case", CONV_GRID, ids=grid_id)
def test_conv_backward_matches_finite_differences(case):
    layer, x = make_conv(case, seed=2)
    errors = check_module_gradients(layer, x, seed=2)
    assert set(errors) == {"x", "W", "b"}
    assert max(errors.values()) < GRAD_REL_TOL, errors


@pytest.mark.parametrize("case", POOL_GRID, ids=grid_id)
def test_pool_backward_matches_finite_differences(case):
    shape, kernel, stride, padding = case
    for pool in (MaxPool2D(kernel, stride, padding), AvgPool2D(kernel, stride, padding)):
        errors = check_module_gradients(pool, tie_free(shape, 3), seed=3)
        assert errors["x"] < GRAD_REL_TOL, (type(pool).__name__, errors)


# ---- 정의 그대로의 loop == im2col ----
@pytest.mark.parametrize("case", CONV_GRID, ids=grid_id)
def test_naive_loop_equals_im2col(case):
    layer, x = make_conv(case, seed=4)
    _, _, _, stride, padding = case
    expected = conv2d_naive(x, layer.params["W"], layer.params["b"], stride, padding)
    np.testing.assert_allclose(layer.forward(x), expected, rtol=F64_RTOL, atol=F64_ATOL)


# ---- torch parity: 값과 gradient (float64) ----
@pytest.mark.parametrize("case", CONV_GRID, ids=grid_id)
def test_conv_matches_torch_conv2d(case):
    layer, x = make_conv(case, seed=5)
    _, _, _, stride, padding = case
    out = layer.forward(x)
    dout = np.random.default_rng(5).normal(size=out.shape)
    dx = layer.backward(dout)

    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(layer.params["W"], requires_grad=True)
    bt = torch.tensor(layer.params["b"], requires_grad=True)
    ref = F.conv2d(xt, Wt, bt, stride=pair(stride, "s"), padding=pair(padding, "p"))
    ref.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(layer.grads["W"], Wt.grad.numpy(), rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(layer.grads["b"], bt.grad.numpy(), rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", POOL_GRID, ids=grid_id)
def test_pool_matches_torch(case, kind):
    shape, kernel, stride, padding = case
    x = tie_free(shape, 6)
    pool = (MaxPool2D if kind == "max" else AvgPool2D)(kernel, stride, padding)
    out = pool.forward(x)
    dout = np.random.default_rng(6).normal(size=out.shape)
    dx = pool.backward(dout)

    xt = torch.tensor(x, requires_grad=True)
    torch_pool = F.max_pool2d if kind == "max" else F.avg_pool2d
    ref = torch_pool(xt, pair(kernel, "k"), pair(stride if stride is not None else kernel, "s"), pair(padding, "p"))
    ref.backward(torch.tensor(dout))
    np.testing.assert_allclose(out, ref.detach().numpy(), rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=F64_RTOL, atol=F64_ATOL)


def test_max_pool_sends_gradient_only_to_the_maximum():
    x = np.array([[[[1.0, 5.0], [3.0, 2.0]]]])                      # 최댓값 5는 (0, 1)
    pool = MaxPool2D(2)
    assert pool.forward(x)[0, 0, 0, 0] == 5.0
    np.testing.assert_array_equal(pool.backward(np.array([[[[7.0]]]])), [[[[0.0, 7.0], [0.0, 0.0]]]])


# ---- 잘못된 입력: 기대하는 shape를 말하는 ValueError ----
def test_conv_input_of_wrong_rank_is_refused():
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\).*\(3, 8, 8\)"):
        Conv2D(3, 4, 3).forward(np.zeros((3, 8, 8)))


def test_conv_input_with_wrong_channel_count_is_refused():
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\).*\(2, 1, 8, 8\)"):
        Conv2D(3, 4, 3).forward(np.zeros((2, 1, 8, 8)))


def test_kernel_larger_than_padded_input_is_refused():
    with pytest.raises(ValueError, match=r"kernel \(5, 5\).*\(4, 4\)"):
        Conv2D(1, 2, 5).forward(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"kernel \(5, 5\).*\(4, 6\)"):     # padding 1을 더해도 H는 4
        Conv2D(1, 2, 5, padding=(0, 1)).forward(np.zeros((1, 1, 4, 4)))
    Conv2D(1, 2, 5, padding=1).forward(np.zeros((1, 1, 3, 3)))            # 3 + 2 = 5: 경계는 허용 (1×1 출력)


def test_integer_input_and_bad_pool_settings_are_refused():
    with pytest.raises(ValueError, match="float"):
        Conv2D(1, 2, 3).forward(np.zeros((1, 1, 5, 5), dtype=np.int64))
    with pytest.raises(ValueError, match="절반"):
        MaxPool2D(2, padding=2)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        MaxPool2D(2).forward(np.zeros((4, 4)))
    with pytest.raises(ValueError, match="kernel_size"):
        Conv2D(1, 2, (3, 3, 3))


# ---- 작업 배열 재사용 ----
def test_buffers_are_allocated_once_per_shape_and_never_returned():
    """cols·dcols는 shape이 같은 동안 같은 배열을 다시 쓰고, 돌려준 출력·dx는 그 배열과 메모리를 나누지 않는다."""
    case = CONV_GRID[1]
    layer, x = make_conv(case)
    fresh, _ = make_conv(case)                                      # 같은 가중치, 매번 새 buffer로 비교할 층
    rng = np.random.default_rng(3)
    outs, dxs = [], []
    for step in range(3):
        xs = x + step                                               # 매 step 다른 입력, 같은 shape
        out = layer.forward(xs)
        dout = rng.normal(size=out.shape)
        dx = layer.backward(dout)
        if step == 0:
            first = {name: buf for name, buf in layer.buffers.items()}
        fresh.buffers = {}                                          # 매번 새로 잡는 층
        assert np.array_equal(out, fresh.forward(xs)) and np.array_equal(dx, fresh.backward(dout))
        assert np.array_equal(layer.grads["W"], fresh.grads["W"])
        for buf in layer.buffers.values():
            assert not np.shares_memory(buf, out) and not np.shares_memory(buf, dx)
        outs.append(out)
        dxs.append(dx)
    assert set(first) == {"cols", "dcols"}
    assert all(layer.buffers[name] is first[name] for name in first)    # 한 번 잡은 배열을 다시 썼다
    assert not np.array_equal(outs[0], outs[1])                         # 앞 step의 출력이 덮어써지지 않았다
    layer.forward(x[:1])                                                # batch가 바뀌면 새 shape로 다시 잡는다
    assert layer.buffers["cols"] is not first["cols"] and layer.buffers["cols"].shape[3] == 1


def test_im2col_out_must_match_shape_and_dtype():
    x = np.zeros((2, 3, 5, 5))
    cols = im2col(x, (3, 3), (1, 1), (0, 0))
    buf = np.empty_like(cols)
    assert im2col(x + 1, (3, 3), (1, 1), (0, 0), out=buf) is buf and np.all(buf == 1)
    with pytest.raises(ValueError, match="out"):
        im2col(x, (3, 3), (1, 1), (0, 0), out=np.empty(cols.shape, dtype=np.float32))
