"""연습문제 02 (truncated BPTT) 채점: forward → k마다 detach한 autograd → k ≥ T는 full BPTT == 수치 미분 → 잘못된 k.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_truncated_bptt.py`)을 검사한다.
"""
import numpy as np
import pytest
import torch

from utils.exercises import assert_close, assert_rel_error, assert_same_mask, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, numeric_gradient

T, B, D, H = 7, 2, 3, 4


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_truncated_bptt")


def make_inputs(seed=0):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(T, B, D)), rng.normal(0, 0.5, (B, H)), rng.normal(0, 0.6, (H, D)),
            rng.normal(0, 0.6, (H, H)), rng.normal(0, 0.3, H), rng.normal(size=(T, B, H)))


def torch_truncated(x, h0, W_ih, W_hh, b, dout, k):
    """채점 기준: 구간의 첫 시각 t = k, 2k, …에서 `h = h.detach()`로 끊고 autograd."""
    leaves = [torch.tensor(a, requires_grad=True) for a in (W_ih, W_hh, b, h0)]
    W_ih_t, W_hh_t, b_t, h = leaves
    loss = 0.0
    for t in range(T):
        if t > 0 and t % k == 0:
            h = h.detach()
        h = torch.tanh(torch.tensor(x[t]) @ W_ih_t.T + h @ W_hh_t.T + b_t)
        loss = loss + (h * torch.tensor(dout[t])).sum()
    loss.backward()
    return [leaf.grad.numpy() for leaf in leaves]


def test_forward_matches_the_formula(ex):
    x, h0, W_ih, W_hh, b, _ = make_inputs()
    hs = ex.rnn_forward(x, h0, W_ih, W_hh, b)
    assert hs.shape == (T + 1, B, H)
    h = h0
    for t in range(T):
        h = np.tanh(x[t] @ W_ih.T + h @ W_hh.T + b)
        assert_close(hs[t + 1], h, f"hs[{t + 1}] (= h_{t})", rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("k", [1, 2, 3, 7, 50])
def test_gradients_equal_torch_with_detach_every_k_steps(ex, k):
    x, h0, W_ih, W_hh, b, dout = make_inputs(1)
    ours = ex.truncated_bptt(x, h0, W_ih, W_hh, b, dout, k)
    expected = torch_truncated(x, h0, W_ih, W_hh, b, dout, k)
    for name, a, e in zip(("dW_ih", "dW_hh", "db", "dh0"), ours, expected):
        assert_close(a, e, f"{name} (k={k})", rtol=F64_RTOL, atol=F64_ATOL)


def test_k_at_least_T_is_full_bptt_and_matches_finite_differences(ex):
    x, h0, W_ih, W_hh, b, dout = make_inputs(2)
    dW_ih, dW_hh, db, dh0 = ex.truncated_bptt(x, h0, W_ih, W_hh, b, dout, T)

    def loss():
        return float((ex.rnn_forward(x, h0, W_ih, W_hh, b)[1:] * dout).sum())

    for name, analytic, tensor in (("dW_ih", dW_ih, W_ih), ("dW_hh", dW_hh, W_hh), ("db", db, b), ("dh0", dh0, h0)):
        assert_rel_error(analytic, numeric_gradient(loss, tensor), f"{name} (k = T)", GRAD_REL_TOL)


def test_truncation_changes_the_recurrent_gradient_but_only_first_chunk_reaches_h0(ex):
    x, h0, W_ih, W_hh, b, dout = make_inputs(3)
    full = ex.truncated_bptt(x, h0, W_ih, W_hh, b, dout, T)
    cut = ex.truncated_bptt(x, h0, W_ih, W_hh, b, dout, 2)
    assert np.abs(full[1] - cut[1]).max() > 1e-3, "k = 2의 dW_hh가 full BPTT와 같습니다: 경계에서 끊지 않았습니다"
    only_first = dout.copy()
    only_first[2:] = 0.0                                           # 첫 구간 (t = 0, 1)의 loss만 남기면
    assert_close(ex.truncated_bptt(x, h0, W_ih, W_hh, b, only_first, 2)[3], cut[3],
                 "dh0 (첫 구간의 loss만 남겼을 때)", rtol=F64_RTOL, atol=F64_ATOL)     # h0의 gradient는 그대로


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_bad_k_is_refused(ex, k):
    x, h0, W_ih, W_hh, b, dout = make_inputs()
    with pytest.raises(ValueError, match="k는 1 이상의 정수"):
        ex.truncated_bptt(x, h0, W_ih, W_hh, b, dout, k)


@pytest.mark.parametrize("k", [1, 2, 3, 7])
def test_gradient_reach_equals_the_autograd_sparsity(ex, k):
    """질문 2: 기대값은 detach를 k마다 넣은 torch 그래프에서 ∂(Σ h_t)/∂x_s가 0이 아닌 자리다."""
    x, h0, W_ih, W_hh, b, _ = make_inputs(4)
    expected = np.zeros((T, T), dtype=bool)
    for t_loss in range(T):
        xs = torch.tensor(x, requires_grad=True)
        h = torch.tensor(h0)
        for t in range(t_loss + 1):
            if t > 0 and t % k == 0:
                h = h.detach()
            h = torch.tanh(xs[t] @ torch.tensor(W_ih).T + h @ torch.tensor(W_hh).T + torch.tensor(b))
        h.sum().backward()
        expected[t_loss] = xs.grad.abs().sum(axis=(1, 2)).numpy() > 0
    reach = np.asarray(ex.gradient_reach(T, k))
    assert_same_mask(reach, expected, f"gradient_reach(T={T}, k={k})")
