"""연습문제 03 (Cho et al. GRU) 채점: forward == 식 → nn.GRUCell과 다름 → backward == torch autograd → 수치 미분.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_gru_backward.py`)을 검사한다.
"""
import numpy as np
import pytest
import torch

from utils.exercises import assert_close, assert_grads_close, assert_rel_error, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, numeric_gradient

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
    assert_close(h_next, expected, "h' (식 (5)–(8))", rtol=F64_RTOL, atol=F64_ATOL)


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
    gap = np.abs(h_next - torch_form).max()
    assert gap > 1e-3, f"h'가 nn.GRUCell(r을 U_n h 뒤에 곱함)과 {gap:.2e}만 다릅니다: r을 행렬곱 앞에서 곱했나요?"


def test_backward_matches_torch_autograd(ex):
    v = make_inputs(2)
    dh = np.random.default_rng(3).normal(size=(B, H))
    _, cache = ex.cho_gru_step(*(v[k] for k in NAMES))
    grads = ex.cho_gru_step_backward(dh, cache)
    tv = {k: torch.tensor(a, requires_grad=True) for k, a in v.items()}
    (torch_cho(tv) * torch.tensor(dh)).sum().backward()
    assert_grads_close(grads, {k: tv[k].grad for k in NAMES}, rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("name", NAMES)
def test_backward_matches_finite_differences(ex, name):
    v = make_inputs(4)
    dh = np.random.default_rng(5).normal(size=(B, H))

    def loss():
        return float((ex.cho_gru_step(*(v[k] for k in NAMES))[0] * dh).sum())

    _, cache = ex.cho_gru_step(*(v[k] for k in NAMES))
    analytic = ex.cho_gru_step_backward(dh, cache)[name]
    assert_rel_error(analytic, numeric_gradient(loss, v[name]), f"gradient {name!r}", GRAD_REL_TOL)


def test_step_jacobian_equals_autograd_and_tends_to_identity_as_z_opens(ex):
    """질문 2: 기대값은 torch.autograd.functional.jacobian (sample마다), z → 1이면 I."""
    v = make_inputs(6)
    t = {k: torch.tensor(a) for k, a in v.items()}
    expected = np.stack([
        torch.autograd.functional.jacobian(
            lambda hb, i=i: torch_cho({**t, "x": t["x"][i:i + 1], "h": hb[None]})[0], t["h"][i]).numpy()
        for i in range(B)])
    assert_close(ex.step_jacobian(*(v[k] for k in NAMES)), expected, "∂h'/∂h", rtol=F64_RTOL, atol=F64_ATOL)
    v["b"][H:2 * H] = 30.0                                           # z = σ(30) ≈ 1 − 1e-13: h' ≈ h
    identity = np.broadcast_to(np.eye(H), (B, H, H))
    assert_close(ex.step_jacobian(*(v[k] for k in NAMES)), identity, "z → 1일 때 ∂h'/∂h", rtol=F64_RTOL,
                 atol=F64_RTOL)
