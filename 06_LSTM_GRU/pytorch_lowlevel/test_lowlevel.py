"""Low-level recurrent 검증: 셀의 autograd.gradcheck → nn.LSTM / GRU / RNN parity 격자 → L1 == L2 → 잘못된 입력."""
import itertools

import numpy as np
import pytest
import torch
from torch import nn

from utils.gradcheck import F64_ATOL, F64_RTOL

from ..numpy.recurrent import LAYERS as NUMPY_LAYERS
from .recurrent import gru_cell, init_params, lstm_cell, param_names, recurrent, rnn_cell

T, B, D, H = 5, 2, 3, 4
TWINS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def close(ours, theirs):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("cell,n_gates,has_c", [(rnn_cell, 1, False), (lstm_cell, 4, True), (gru_cell, 3, False)])
def test_cells_pass_autograd_gradcheck(cell, n_gates, has_c):
    g = torch.Generator().manual_seed(0)

    def rand(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64).requires_grad_(True)

    x, h = rand(B, D), rand(B, H)
    weights = (rand(n_gates * H, D), rand(n_gates * H, H), rand(n_gates * H), rand(n_gates * H))
    inputs = (x, h, rand(B, H), *weights) if has_c else (x, h, *weights)
    assert torch.autograd.gradcheck(cell, inputs)


GRID = [(mode, L, bi, bf) for mode in ("lstm", "gru") for L in (1, 2, 3)
        for bi in (False, True) for bf in (False, True)]
GRID += [("rnn", L, bi, False) for L in (1, 2) for bi in (False, True)]


@pytest.mark.parametrize("mode,num_layers,bidirectional,batch_first", GRID,
                         ids=[f"{m}-L{L}-{'bi' if bi else 'uni'}-{'bf' if bf else 'tf'}" for m, L, bi, bf in GRID])
def test_values_and_gradients_equal_torch(mode, num_layers, bidirectional, batch_first):
    torch.manual_seed(1)
    ref = TWINS[mode](D, H, num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first).double()
    ours = {name: p.detach().clone().requires_grad_(True) for name, p in ref.named_parameters()}
    assert list(ours) == param_names(num_layers, bidirectional)              # 같은 key, 같은 순서
    dirs = 2 if bidirectional else 1
    x = torch.randn((B, T, D) if batch_first else (T, B, D), dtype=torch.float64)
    h0 = torch.randn(num_layers * dirs, B, H, dtype=torch.float64)
    c0 = torch.randn(num_layers * dirs, B, H, dtype=torch.float64)
    leaves = {}

    def run(fn):
        xs, hs, cs = (t.clone().requires_grad_(True) for t in (x, h0, c0))
        hx = (hs, cs) if mode == "lstm" else hs
        out, state = fn(xs, hx)
        h_n, c_n = state if mode == "lstm" else (state, None)
        w = torch.linspace(-1, 1, out.numel(), dtype=torch.float64).reshape(out.shape)
        loss = (out * w).sum() + (h_n * 0.7).sum() + (0.0 if c_n is None else (c_n * -0.3).sum())
        loss.backward()
        leaves[fn] = (xs, hs, cs)
        return out, h_n, c_n

    out_r, h_r, c_r = run(lambda xs, hx: ref(xs, hx))
    out_o, h_o, c_o = run(lambda xs, hx: recurrent(ours, xs, mode, num_layers, bidirectional, batch_first, hx))
    close(out_o, out_r)
    close(h_o, h_r)
    if mode == "lstm":
        close(c_o, c_r)
    (x_r, h0_r, c0_r), (x_o, h0_o, c0_o) = leaves.values()
    close(x_o.grad, x_r.grad)
    close(h0_o.grad, h0_r.grad)
    if mode == "lstm":
        close(c0_o.grad, c0_r.grad)
    for name, p in ref.named_parameters():
        close(ours[name].grad, p.grad)


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
def test_numpy_level_equals_lowlevel(mode):
    """L1 (NumPy, 손 BPTT) == L2 (autograd): 같은 가중치로 출력과 모든 gradient."""
    rng = np.random.default_rng(2)
    layer = NUMPY_LAYERS[mode](D, H, rng=rng)
    x, dout = rng.normal(size=(T, B, D)), rng.normal(size=(T, B, H))
    out = layer.forward(x)
    dx = layer.backward(dout)
    names = {"W_ih": "weight_ih_l0", "W_hh": "weight_hh_l0", "b_ih": "bias_ih_l0", "b_hh": "bias_hh_l0"}
    params = {theirs: torch.tensor(layer.params[ours], requires_grad=True) for ours, theirs in names.items()}
    xt = torch.tensor(x, requires_grad=True)
    out_t, _ = recurrent(params, xt, mode)
    (out_t * torch.tensor(dout)).sum().backward()
    np.testing.assert_allclose(out, out_t.detach().numpy(), rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=F64_RTOL, atol=F64_ATOL)
    for ours, theirs in names.items():
        np.testing.assert_allclose(layer.grads[ours], params[theirs].grad.numpy(), rtol=F64_RTOL, atol=F64_ATOL)


def test_init_params_shapes_and_count_match_torch():
    for mode, L, bi in itertools.product(("lstm", "gru"), (1, 2), (False, True)):
        ref = TWINS[mode](D, H, num_layers=L, bidirectional=bi)
        ours = init_params(mode, D, H, L, bi)
        assert {k: tuple(v.shape) for k, v in ours.items()} == {k: tuple(v.shape) for k, v in ref.named_parameters()}
        assert all(v.abs().max() <= 1 / H ** 0.5 for v in ours.values())


# ---- 잘못된 입력 ----
def test_wrong_rank_empty_and_feature_size_are_refused():
    params = init_params("lstm", D, H)
    with pytest.raises(ValueError, match=r"rank 3 \(T, B, D\)"):
        recurrent(params, torch.zeros(T, D))
    with pytest.raises(ValueError, match=r"rank 3 \(B, T, D\)"):
        recurrent(params, torch.zeros(T, D), batch_first=True)
    with pytest.raises(ValueError, match="비어 있습니다"):
        recurrent(params, torch.zeros(0, B, D))
    with pytest.raises(ValueError, match="input_size=3"):
        recurrent(params, torch.zeros(T, B, D + 2))


def test_wrong_hidden_state_shape_is_refused():
    params = init_params("gru", D, H, num_layers=2, bidirectional=True)
    with pytest.raises(ValueError, match=r"h0의 shape은 .* \(4, 2, 4\)"):
        recurrent(params, torch.zeros(T, B, D), "gru", 2, True, hx=torch.zeros(2, B, H))
    lstm = init_params("lstm", D, H)
    with pytest.raises(ValueError, match=r"c0의 shape은 .* \(1, 2, 4\)"):
        recurrent(lstm, torch.zeros(T, B, D), "lstm", hx=(torch.zeros(1, B, H), torch.zeros(1, B, H + 1)))


# ---- 학습: 문자 LM ----
def test_charlm_quick_run_lowers_the_loss(tmp_path):
    from . import charlm_lowlevel

    result = charlm_lowlevel.main(["--quick", "--out", str(tmp_path)])
    assert abs(result["initial_val_loss"] - result["ln_vocab"]) < 0.3
    assert result["value"] < result["initial_val_loss"]
    assert result["layers"] == 2 and (tmp_path / "loss_curve.png").stat().st_size > 0


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
def test_init_params_is_uniform_in_plus_minus_one_over_sqrt_h(mode):
    """`nn.LSTM`과 같은 U(−1/√H, 1/√H): 모든 tensor가 구간 안, 구간 끝 근처까지 쓰고, std = 1/√(3H)."""
    hidden = 64
    bound = hidden ** -0.5
    for name, p in init_params(mode, 32, hidden, num_layers=2, bidirectional=True).items():
        large = p.numel() >= 1000                                  # 작은 bias는 구간 끝까지 안 갈 수 있다
        assert p.abs().max() <= bound and (not large or p.abs().max() > 0.95 * bound), name
        assert abs(p.std().item() / (bound / 3 ** 0.5) - 1) < (0.1 if large else 0.25), (name, p.std().item())
