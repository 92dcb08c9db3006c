"""연습문제 01 (peephole LSTM) 채점: forward == torch 식 → backward == autograd → 수치 미분 → LSTMCell → 질문 3.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_peephole.py`)을 검사한다.
기대값은 이 파일이 torch(float64)로 식을 따로 써서 autograd로 계산한다.
"""
import numpy as np
import pytest
import torch

from utils.exercises import assert_close, assert_grads_close, assert_rel_error, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, numeric_gradient

B, D, H = 3, 4, 5
NAMES = ("x", "h", "c", "W_ih", "W_hh", "b", "p_i", "p_f", "p_o")


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_peephole")


def make_inputs(seed=0):
    rng = np.random.default_rng(seed)
    shapes = {"x": (B, D), "h": (B, H), "c": (B, H), "W_ih": (4 * H, D), "W_hh": (4 * H, H), "b": (4 * H,),
              "p_i": (H,), "p_f": (H,), "p_o": (H,)}
    return {k: rng.normal(0, 0.7, s) for k, s in shapes.items()}


def torch_peephole(v):
    """같은 식을 torch로 (채점 기준)."""
    a = v["x"] @ v["W_ih"].T + v["h"] @ v["W_hh"].T + v["b"]
    a_i, a_f, a_g, a_o = a.chunk(4, dim=1)
    i = torch.sigmoid(a_i + v["p_i"] * v["c"])
    f = torch.sigmoid(a_f + v["p_f"] * v["c"])
    c_next = f * v["c"] + i * torch.tanh(a_g)
    o = torch.sigmoid(a_o + v["p_o"] * c_next)
    return o * torch.tanh(c_next), c_next


def test_forward_matches_the_formula(ex):
    v = make_inputs()
    h_next, c_next, _ = ex.peephole_step(*(v[k] for k in NAMES))
    h_t, c_t = torch_peephole({k: torch.tensor(a) for k, a in v.items()})
    assert_close(h_next, h_t, "h'", rtol=F64_RTOL, atol=F64_ATOL)
    assert_close(c_next, c_t, "c'", rtol=F64_RTOL, atol=F64_ATOL)


def test_backward_matches_torch_autograd(ex):
    v = make_inputs(1)
    rng = np.random.default_rng(2)
    dh, dc = rng.normal(size=(B, H)), rng.normal(size=(B, H))
    _, _, cache = ex.peephole_step(*(v[k] for k in NAMES))
    grads = ex.peephole_step_backward(dh, dc, cache)
    tv = {k: torch.tensor(a, requires_grad=True) for k, a in v.items()}
    h_t, c_t = torch_peephole(tv)
    ((h_t * torch.tensor(dh)).sum() + (c_t * torch.tensor(dc)).sum()).backward()
    assert_grads_close(grads, {k: tv[k].grad for k in NAMES}, rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("name", ["c", "p_i", "p_f", "p_o"])
def test_peephole_gradients_match_finite_differences(ex, name):
    v = make_inputs(3)
    rng = np.random.default_rng(4)
    dh, dc = rng.normal(size=(B, H)), rng.normal(size=(B, H))

    def loss():
        h_next, c_next, _ = ex.peephole_step(*(v[k] for k in NAMES))
        return float((h_next * dh).sum() + (c_next * dc).sum())

    _, _, cache = ex.peephole_step(*(v[k] for k in NAMES))
    analytic = ex.peephole_step_backward(dh, dc, cache)[name]
    assert_rel_error(analytic, numeric_gradient(loss, v[name]), f"gradient {name!r}", GRAD_REL_TOL)


def test_zero_peepholes_give_torch_lstm_cell(ex):
    v = make_inputs(5)
    for k in ("p_i", "p_f", "p_o"):
        v[k] = np.zeros(H)
    cell = torch.nn.LSTMCell(D, H).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(v["W_ih"]))
        cell.weight_hh.copy_(torch.tensor(v["W_hh"]))
        cell.bias_ih.copy_(torch.tensor(v["b"]))
        cell.bias_hh.zero_()
        h_ref, c_ref = cell(torch.tensor(v["x"]), (torch.tensor(v["h"]), torch.tensor(v["c"])))
    h_next, c_next, _ = ex.peephole_step(*(v[k] for k in NAMES))
    assert_close(h_next, h_ref, "p = 0일 때 h' (nn.LSTMCell 기준)", rtol=F64_RTOL, atol=F64_ATOL)
    assert_close(c_next, c_ref, "p = 0일 때 c' (nn.LSTMCell 기준)", rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("D_, H_", [(4, 5), (32, 128)])
def test_peephole_parameter_fraction_counts_the_arrays(ex, D_, H_):
    """질문 3: 기대값은 이 파일이 만드는 배열(make_inputs와 같은 shape)의 원소 수에서 센다."""
    shapes = {"W_ih": (4 * H_, D_), "W_hh": (4 * H_, H_), "b": (4 * H_,), "p_i": (H_,), "p_f": (H_,), "p_o": (H_,)}
    sizes = {k: int(np.prod(s)) for k, s in shapes.items()}
    expected = (sizes["p_i"] + sizes["p_f"] + sizes["p_o"]) / (sizes["W_ih"] + sizes["W_hh"] + sizes["b"])
    assert_close(ex.peephole_parameter_fraction(D_, H_), expected, f"peephole 비율 (D={D_}, H={H_})",
                 rtol=F64_RTOL, atol=0.0)
