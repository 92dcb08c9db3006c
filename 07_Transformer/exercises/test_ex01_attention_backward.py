"""연습문제 01 (attention backward) 채점: forward == torch 식 → backward == autograd → 수치 미분 → mask 아래 gradient 0.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_attention_backward.py`)을 검사한다.
기대값은 이 파일이 torch(float64)로 식을 따로 써서 autograd로 계산한다.
"""
import numpy as np
import pytest
import torch

from utils.exercises import load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, numeric_gradient, rel_error

B, NH, T, S, D, DV = 2, 3, 4, 5, 6, 3


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_attention_backward")


def make_inputs(seed=0, masked=False):
    rng = np.random.default_rng(seed)
    Q, K, V = rng.normal(size=(B, NH, T, D)), rng.normal(size=(B, NH, S, D)), rng.normal(size=(B, NH, S, DV))
    mask = None
    if masked:
        mask = np.zeros((T, S))
        mask[np.triu_indices(T, k=2, m=S)] = -np.inf                    # 각 행에 볼 수 있는 key가 남는다
    return Q, K, V, mask


def torch_attention(Q, K, V, mask):
    scores = Q @ K.transpose(-2, -1) / np.sqrt(Q.shape[-1])
    if mask is not None:
        scores = scores + torch.tensor(mask)
    return torch.softmax(scores, dim=-1) @ V


@pytest.mark.parametrize("masked", [False, True])
def test_forward_matches_torch(ex, masked):
    Q, K, V, mask = make_inputs(1, masked)
    out, _ = ex.attention_forward(Q, K, V, mask)
    expected = torch_attention(torch.tensor(Q), torch.tensor(K), torch.tensor(V), mask)
    np.testing.assert_allclose(out, expected.numpy(), rtol=F64_RTOL, atol=F64_ATOL)


def test_softmax_rows_sum_to_one_and_survive_large_scores(ex):
    p = ex.softmax(np.array([[1000.0, 1001.0, 999.0], [-5.0, 0.0, 5.0]]))
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=F64_RTOL)


@pytest.mark.parametrize("masked", [False, True])
def test_backward_matches_torch_autograd(ex, masked):
    Q, K, V, mask = make_inputs(2, masked)
    dout = np.random.default_rng(3).normal(size=(B, NH, T, DV))
    _, cache = ex.attention_forward(Q, K, V, mask)
    grads = ex.attention_backward(dout, cache)
    assert set(grads) == {"Q", "K", "V"}
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (Q, K, V))
    (torch_attention(tq, tk, tv, mask) * torch.tensor(dout)).sum().backward()
    for name, t in (("Q", tq), ("K", tk), ("V", tv)):
        np.testing.assert_allclose(grads[name], t.grad.numpy(), rtol=F64_RTOL, atol=F64_ATOL, err_msg=name)


@pytest.mark.parametrize("name", ["Q", "K", "V"])
def test_gradients_match_finite_differences(ex, name):
    """원소별 central difference (batch·head 하나: loss가 작을수록 반올림 바닥 ε·|L|/2h가 낮다)."""
    Q, K, V, mask = (a if a is None or a.ndim == 2 else a[:1, :1] for a in make_inputs(4, masked=True))
    inputs = {"Q": Q, "K": K, "V": V}
    dout = np.random.default_rng(5).normal(size=(1, 1, T, DV))

    def loss():
        out, _ = ex.attention_forward(inputs["Q"], inputs["K"], inputs["V"], mask)
        return float((out * dout).sum())

    _, cache = ex.attention_forward(Q, K, V, mask)
    analytic = ex.attention_backward(dout, cache)[name]
    assert rel_error(analytic, numeric_gradient(loss, inputs[name])) < GRAD_REL_TOL


def test_a_key_masked_for_every_query_gets_no_gradient(ex):
    """모든 query가 가린 key (열 전체가 −inf)는 출력에 영향이 없다: 그 key와 value의 gradient는 정확히 0."""
    Q, K, V, _ = make_inputs(6)
    mask = np.zeros((T, S))
    mask[:, 2] = -np.inf
    _, cache = ex.attention_forward(Q, K, V, mask)
    grads = ex.attention_backward(np.ones((B, NH, T, DV)), cache)
    assert np.all(grads["K"][..., 2, :] == 0) and np.all(grads["V"][..., 2, :] == 0)
