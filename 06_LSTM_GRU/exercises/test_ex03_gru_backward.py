"""연습문제 03 (Cho et al. GRU) 채점: forward == 식 → nn.GRUCell과 다름 → backward == torch autograd → 수치 미분.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_gru_backward.py`)을 검사한다.
"""
import numpy as np
import pytest
import torch

from utils.exercises import load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, numeric_gradient, rel_error

B, D, H = 3, 4, 5
NAMES = ("x", "h", "W", "U", "b")


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_gru_backward")


def make_inputs(seed=0):
    rng = np.random.default_rng(seed)
    shapes = {"x": (B, D), "h": (B, H), "W": (3 * H, D), "U": (3 * H, H), "b": (3 * H,)}
    return {k: rng.normal(0, 0.7, s) for k, s in shapes.items()}


def torch_cho(v):
    """Cho et al. (2014) 식 (5)–(8)을 torch로 (채점 기준)."""
    U_r, U_z, U_n = v["U"].chunk(3, dim=0)
    a_r, a_z, a_n = (v["x"] @ v["W"].T + v["b"]).chunk(3, dim=1)
    r = torch.sigmoid(a_r + v["h"] @ U_r.T)
    z = torch.sigmoid(a_z + v["h"] @ U_z.T)
    n = torch.tanh(a_n + (r * v["h"]) @ U_n.T)
    return (1 - z) * n + z * v["h"]


def test_forward_matches_chos_equations(ex):
    v = make_inputs()
    h_next, _ = ex.cho_gru_step(*(v[k] for k in NAMES))
    expected = torch_cho({k: torch.tensor(a) for k, a in v.items()})
    np.testing.assert_allclose(h_next, expected.numpy(), rtol=F64_RTOL, atol=F64_ATOL)


def test_cho_form_differs_from_torch_gru_cell(ex):
    """같은 가중치(b는 입력 쪽 bias, hidden 쪽 bias 0)에서 nn.GRUCell(r ⊙ (U_n h))과 값이 다르다."""
    v = make_inputs(1)
    cell = torch.nn.GRUCell(D, H).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(v["W"]))
        cell.weight_hh.copy_(torch.tensor(v["U"]))
        cell.bias_ih.copy_(torch.tensor(v["b"]))
        cell.bias_hh.zero_()
        torch_form = cell(torch.tensor(v["x"]), torch.tensor(v["h"])).numpy()
    h_next, _ = ex.cho_gru_step(*(v[k] for k in NAMES))
    assert np.abs(h_next - torch_form).max() > 1e-3


def test_backward_matches_torch_autograd(ex):
    v = make_inputs(2)
    dh = np.random.default_rng(3).normal(size=(B, H))
    _, cache = ex.cho_gru_step(*(v[k] for k in NAMES))
    grads = ex.cho_gru_step_backward(dh, cache)
    assert set(grads) == set(NAMES)
    tv = {k: torch.tensor(a, requires_grad=True) for k, a in v.items()}
    (torch_cho(tv) * torch.tensor(dh)).sum().backward()
    for k in NAMES:
        np.testing.assert_allclose(grads[k], tv[k].grad.numpy(), rtol=F64_RTOL, atol=F64_ATOL, err_msg=k)


@pytest.mark.parametrize("name", NAMES)
def test_backward_matches_finite_differences(ex, name):
    v = make_inputs(4)
    dh = np.random.default_rng(5).normal(size=(B, H))

    def loss():
        return float((ex.cho_gru_step(*(v[k] for k in NAMES))[0] * dh).sum())

    _, cache = ex.cho_gru_step(*(v[k] for k in NAMES))
    analytic = ex.cho_gru_step_backward(dh, cache)[name]
    assert rel_error(analytic, numeric_gradient(loss, v[name])) < GRAD_REL_TOL
