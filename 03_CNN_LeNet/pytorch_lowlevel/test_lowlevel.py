"""L2 (raw tensor + autograd) 검증: 손으로 쓴 unfold / conv2d / pooling == torch twin (값, gradient,
`torch.autograd.gradcheck`), 같은 가중치에서 L1 (NumPy) == L2, 실행, 잘못된 입력, 수렴 기준 (slow)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.gradcheck import F64_ATOL, F64_RTOL, numpy_to_torch

from ..numpy.layers import softmax_cross_entropy
from ..numpy.lenet_numpy import LeNet5 as NumpyLeNet5
from ..numpy.test_conv import CONV_GRID, POOL_GRID, grid_id  # L1과 같은 shape·stride·padding 격자
from . import lenet_lowlevel as L


def assert_close(actual, expected, msg=""):
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=F64_RTOL, atol=F64_ATOL, err_msg=msg)


def conv_inputs(case, seed=0):
    shape, f_out, kernel, _, _ = case
    kh, kw = L.pair(kernel, "kernel")
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=g, dtype=torch.float64, requires_grad=True)
    W = torch.randn(f_out, shape[1], kh, kw, generator=g, dtype=torch.float64, requires_grad=True)
    b = torch.randn(f_out, generator=g, dtype=torch.float64, requires_grad=True)
    return x, W, b


def tie_free(shape, seed):
    """서로 다른 값(간격 0.01): max window에 동점이 없어 gradcheck의 흔들림(eps = 1e-6)이 순위를 바꾸지 않는다."""
    g = torch.Generator().manual_seed(seed)
    values = torch.randperm(int(np.prod(shape)), generator=g).reshape(shape).double() * 0.01 - 1.0
    return values.requires_grad_()


# ---- 손으로 쓴 연산 == 라이브러리 twin ----
@pytest.mark.parametrize("case", CONV_GRID, ids=grid_id)
def test_unfold_equals_torch_unfold(case):
    shape, _, kernel, stride, padding = case
    x = torch.randn(shape, dtype=torch.float64)
    ours = L.unfold(x, kernel, stride, padding)
    ref = F.unfold(x, L.pair(kernel, "k"), padding=L.pair(padding, "p"), stride=L.pair(stride, "s"))
    assert ours.shape == ref.shape
    assert torch.equal(ours, ref)                                     # 값을 옮기기만 하므로 비트까지 같다


@pytest.mark.parametrize("case", CONV_GRID, ids=grid_id)
def test_conv2d_values_and_gradients_equal_torch_conv2d(case):
    _, _, _, stride, padding = case
    x, W, b = conv_inputs(case, seed=1)
    ours = L.conv2d(x, W, b, stride, padding)
    ref = F.conv2d(x, W, b, stride=L.pair(stride, "s"), padding=L.pair(padding, "p"))
    assert ours.shape == ref.shape
    assert_close(ours.detach(), ref.detach())
    dout = torch.randn_like(ref)
    grads_ours = torch.autograd.grad(ours, (x, W, b), dout)
    grads_ref = torch.autograd.grad(ref, (x, W, b), dout)
    for name, g1, g2 in zip("xWb", grads_ours, grads_ref):
        assert_close(g1, g2, msg=name)


@pytest.mark.parametrize("case", CONV_GRID, ids=grid_id)
def test_conv2d_passes_autograd_gradcheck(case):
    _, _, _, stride, padding = case
    x, W, b = conv_inputs(case, seed=2)
    assert torch.autograd.gradcheck(lambda *t: L.conv2d(*t, stride, padding), (x, W, b))


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("case", POOL_GRID, ids=grid_id)
def test_pooling_equals_torch_and_passes_gradcheck(case, kind):
    shape, kernel, stride, padding = case
    x = tie_free(shape, 3)
    ours_fn = L.max_pool2d if kind == "max" else L.avg_pool2d
    ref_fn = F.max_pool2d if kind == "max" else F.avg_pool2d
    ours = ours_fn(x, kernel, stride, padding)
    ref = ref_fn(x, L.pair(kernel, "k"), L.pair(stride if stride is not None else kernel, "s"), L.pair(padding, "p"))
    assert ours.shape == ref.shape
    assert_close(ours.detach(), ref.detach())
    dout = torch.randn_like(ref)
    assert_close(torch.autograd.grad(ours, x, dout)[0], torch.autograd.grad(ref, x, dout)[0])
    assert torch.autograd.gradcheck(lambda t: ours_fn(t, kernel, stride, padding), (x,))


# ---- parity up the ladder: 같은 가중치 → L1 (NumPy) == L2 ----
def numpy_model_as_params(model: NumpyLeNet5) -> dict:
    flat = {f"{name}.{k}": v for name, layer in model.layers.items() for k, v in layer.params.items()}
    assert set(flat) == set(L.SHAPES)                                   # key와 layout이 같다 (전치 없음)
    return numpy_to_torch(flat)


def test_lenet_forward_and_gradients_equal_numpy_level():
    rng = np.random.default_rng(4)
    model = NumpyLeNet5(seed=4)
    for layer in model.modules():
        layer.params["b"][:] = 0.1 * rng.normal(size=layer.params["b"].shape)
    x, y = rng.normal(size=(3, 1, 32, 32)), rng.integers(0, 10, size=3)
    logits_np = model.forward(x)
    loss_np, dlogits = softmax_cross_entropy(logits_np, y)
    model.backward(dlogits)

    params = numpy_model_as_params(model)
    logits = L.forward(params, torch.tensor(x))
    loss = F.cross_entropy(logits, torch.tensor(y))
    loss.backward()
    assert_close(logits.detach(), logits_np)
    assert_close(loss.item(), loss_np)
    for name, p in params.items():
        layer, key = name.split(".")
        assert_close(p.grad, model.layers[layer].grads[key], msg=name)


def test_layer_shapes_and_parameter_count():
    params = L.init_params()
    _, feats = L.forward(params, torch.zeros(2, 1, 32, 32), keep=True)
    assert {k: tuple(v.shape) for k, v in feats.items()} == {
        "C1": (2, 6, 28, 28), "S2": (2, 6, 14, 14), "C3": (2, 16, 10, 10), "S4": (2, 16, 5, 5),
        "C5": (2, 120, 1, 1), "F6": (2, 84)}
    assert sum(p.numel() for p in params.values()) == 6 * 26 + 16 * 151 + 120 * 401 + 84 * 121 + 10 * 85
    assert all(p.requires_grad and p.is_leaf for p in params.values())


def test_quick_run_writes_results_and_restores_threads(tmp_path):
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        result = L.main(["--quick", "--device", "cpu", "--threads", "1", "--out", str(tmp_path)])
        assert torch.get_num_threads() == 2                             # --threads는 main 안에서만 적용된다
    finally:
        torch.set_num_threads(threads)
    assert result["metric"] == "test_accuracy" and result["train_loss_last"] < result["train_loss_first"]
    assert (tmp_path / "result.json").exists() and (tmp_path / "c1_filters.png").stat().st_size > 0


# ---- 잘못된 입력 ----
def test_wrong_inputs_are_refused():
    W = torch.zeros(4, 3, 3, 3)
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\).*\(3, 8, 8\)"):
        L.conv2d(torch.zeros(3, 8, 8), W)
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\).*\(2, 1, 8, 8\)"):
        L.conv2d(torch.zeros(2, 1, 8, 8), W)
    with pytest.raises(ValueError, match=r"kernel \(3, 3\).*\(2, 2\)"):
        L.conv2d(torch.zeros(1, 3, 2, 2), W)
    with pytest.raises(ValueError, match="절반"):
        L.max_pool2d(torch.zeros(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(ValueError, match=r"\(N, 1, 32, 32\).*\(2, 1, 28, 28\)"):
        L.forward(L.init_params(), torch.zeros(2, 1, 28, 28))


# ---- 수렴 기준 (slow) ----
@pytest.mark.slow
def test_default_run_on_digits_reaches_98_percent(tmp_path):
    assert L.main(["--device", "cpu", "--out", str(tmp_path)])["value"] >= 0.98


# ---- 초기화: 모든 weight가 He N(0, 2/fan_in), bias 0 ----
def test_init_params_are_he_on_fan_in():
    params = L.init_params(seed=0, dtype=torch.float64)
    fan_ins = {"C1.W": 25, "C3.W": 6 * 25, "C5.W": 16 * 25, "F6.W": 120, "output.W": 84}
    for name, fan_in in fan_ins.items():
        W = params[name].detach().numpy()
        # 표본 std의 상대 표준오차 1/√(2n)의 5배 (통계적 여유). fan_out으로 나누면 std가 √(fan_in/fan_out)배
        assert W.std() == pytest.approx(np.sqrt(2 / fan_in), rel=5 / np.sqrt(2 * W.size)), name
        assert not params[name.replace(".W", ".b")].detach().any(), name
