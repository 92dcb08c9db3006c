"""연습문제 01 (attention backward) 채점: forward == torch 식 → backward == autograd → 수치 미분 →
mask 아래 gradient 0 → 4단계 (행마다의 log-sum-exp로 P 다시 만들기).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_attention_backward.py`)을 검사한다.
기대값은 이 파일이 torch(float64)로 식을 따로 써서 autograd로 계산한다.
"""
import math

import numpy as np
import pytest
import torch

from utils.exercises import (
    assert_all_true,
    assert_close,
    assert_equal,
    assert_grads_close,
    assert_rel_error,
    load_exercise,
)
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, numeric_gradient

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


def torch_scores(Q, K, mask):
    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    return scores if mask is None else scores + torch.tensor(mask)


def torch_attention(Q, K, V, mask):
    return torch.softmax(torch_scores(Q, K, mask), dim=-1) @ V


@pytest.mark.parametrize("masked", [False, True])
def test_forward_matches_torch(ex, masked):
    Q, K, V, mask = make_inputs(1, masked)
    out, _ = ex.attention_forward(Q, K, V, mask)
    expected = torch_attention(torch.tensor(Q), torch.tensor(K), torch.tensor(V), mask)
    assert_close(out, expected, f"attention 출력 (mask {'있음' if masked else '없음'})", rtol=F64_RTOL, atol=F64_ATOL)


def test_softmax_rows_sum_to_one_and_survive_large_scores(ex):
    scores = np.array([[1000.0, 1001.0, 999.0], [-5.0, 0.0, 5.0]])
    p = ex.softmax(scores)
    assert_all_true(np.isfinite(p), "softmax([1000, 1001, 999])가 유한한가")
    assert_close(p, torch.softmax(torch.tensor(scores), dim=-1), "softmax", rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("masked", [False, True])
def test_backward_matches_torch_autograd(ex, masked):
    Q, K, V, mask = make_inputs(2, masked)
    dout = np.random.default_rng(3).normal(size=(B, NH, T, DV))
    _, cache = ex.attention_forward(Q, K, V, mask)
    grads = ex.attention_backward(dout, cache)
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (Q, K, V))
    (torch_attention(tq, tk, tv, mask) * torch.tensor(dout)).sum().backward()
    assert_grads_close(grads, {"Q": tq.grad, "K": tk.grad, "V": tv.grad}, rtol=F64_RTOL, atol=F64_ATOL)


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
    assert_rel_error(analytic, numeric_gradient(loss, inputs[name]), f"d{name}", GRAD_REL_TOL)


def test_a_key_masked_for_every_query_gets_no_gradient(ex):
    """모든 query가 가린 key (열 전체가 −inf)는 출력에 영향이 없다: 그 key와 value의 gradient는 정확히 0."""
    Q, K, V, _ = make_inputs(6)
    mask = np.zeros((T, S))
    mask[:, 2] = -np.inf
    _, cache = ex.attention_forward(Q, K, V, mask)
    grads = ex.attention_backward(np.ones((B, NH, T, DV)), cache)
    assert_equal(grads["K"][..., 2, :], np.zeros((B, NH, D)), "가려진 key 2의 dK")
    assert_equal(grads["V"][..., 2, :], np.zeros((B, NH, DV)), "가려진 key 2의 dV")


@pytest.mark.parametrize("masked", [False, True])
def test_row_logsumexp_equals_torch_even_for_large_scores(ex, masked):
    Q, K, _, mask = make_inputs(7, masked)
    Q = Q * 400.0                                                         # 점수가 천 단위: exp가 넘친다
    lse = ex.row_logsumexp(Q, K, mask)
    expected = torch.logsumexp(torch_scores(torch.tensor(Q), torch.tensor(K), mask), dim=-1)
    assert_close(lse, expected, "row_logsumexp (점수 천 단위)", rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("masked", [False, True])
def test_probabilities_rebuilt_from_the_stored_logsumexp(ex, masked):
    """L만으로 P를 다시 만든다: 값은 softmax와 같고, L을 log 2만큼 키우면 P가 정확히 반이 된다
    (행의 합을 다시 구하지 않는다)."""
    Q, K, _, mask = make_inputs(8, masked)
    scores = torch_scores(torch.tensor(Q), torch.tensor(K), mask)
    lse = torch.logsumexp(scores, dim=-1).numpy()                         # 채점 쪽에서 따로 구한 L
    expected = torch.softmax(scores, dim=-1)
    assert_close(ex.probabilities_from_logsumexp(Q, K, lse, mask), expected, "L로 다시 만든 P",
                 rtol=F64_RTOL, atol=F64_ATOL)
    assert_close(ex.probabilities_from_logsumexp(Q, K, lse + math.log(2.0), mask), expected / 2,
                 "L + log 2로 만든 P (= P/2여야 한다: 저장한 L을 써야 한다)", rtol=F64_RTOL, atol=F64_ATOL)
