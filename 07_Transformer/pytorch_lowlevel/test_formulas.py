"""L2의 식을 코드 밖에서 쓴 식과 비교한다: mask, embedding × √d_model, attention의 1/√d_k, 초기화 scale.

기대값은 모두 NumPy/`math`로 논문의 식을 다시 쓴 것이다 (모듈의 buffer·함수를 기대값으로 쓰지 않는다).
"""
import math

import numpy as np
import torch

from utils.gradcheck import F64_ATOL, F64_RTOL

from .attention import causal_mask, multi_head_attention, positional_encoding
from .transformer_lowlevel import PAD, VOCAB, decode, embed, encode, init_model

D64 = torch.float64


def numpy_pe(max_len: int, d: int) -> np.ndarray:
    """§3.5: PE(pos, 2i) = sin(pos / 10000^{2i/d}), PE(pos, 2i+1) = cos(같은 각)."""
    pos = np.arange(max_len)[:, None]
    i = np.arange(d)[None, :] // 2
    angle = pos / 10000.0 ** (2 * i / d)
    return np.where(np.arange(d)[None, :] % 2 == 0, np.sin(angle), np.cos(angle))


def double(params: dict) -> dict:
    return {k: v.detach().double() for k, v in params.items()}


def test_causal_mask_hides_exactly_the_future_and_keeps_the_diagonal():
    for T in (1, 2, 5):
        expected = np.triu(np.ones((T, T), dtype=bool), k=1)           # j > i만 가린다
        np.testing.assert_array_equal(causal_mask(T).numpy(), expected)


def test_decoder_self_attention_weights_see_the_diagonal_and_nothing_after_it():
    """decoder가 쓰는 mask로 계산한 weight: 대각선은 0보다 크고, 위쪽 삼각형은 정확히 0이다."""
    C, nh, T = 8, 2, 5
    g = torch.Generator().manual_seed(0)
    p = {"in_proj_weight": torch.randn(3 * C, C, generator=g, dtype=D64),
         "in_proj_bias": torch.randn(3 * C, generator=g, dtype=D64),
         "out_proj.weight": torch.randn(C, C, generator=g, dtype=D64),
         "out_proj.bias": torch.randn(C, generator=g, dtype=D64)}
    x = torch.randn(2, T, C, generator=g, dtype=D64)
    _, w = multi_head_attention(x, x, x, p, nh, attn_mask=causal_mask(T), average_attn_weights=False)
    upper = torch.ones(T, T, dtype=torch.bool).triu(1)
    assert torch.all(w[..., upper] == 0)
    assert torch.all(w.diagonal(dim1=-2, dim2=-1) > 0)


def test_multi_head_attention_scales_scores_by_one_over_sqrt_head_size():
    """식 (1)을 NumPy로: head마다 softmax(Q_h K_hᵀ / √d_k), d_k = d_model / h = 16 (√d_model = 8과 구별된다)."""
    C, nh, T, S = 64, 4, 3, 5
    g = torch.Generator().manual_seed(1)
    p = {"in_proj_weight": torch.randn(3 * C, C, generator=g, dtype=D64) * 0.3,
         "in_proj_bias": torch.randn(3 * C, generator=g, dtype=D64),
         "out_proj.weight": torch.randn(C, C, generator=g, dtype=D64),
         "out_proj.bias": torch.randn(C, generator=g, dtype=D64)}
    q_in, kv_in = torch.randn(1, T, C, generator=g, dtype=D64), torch.randn(1, S, C, generator=g, dtype=D64)
    _, w = multi_head_attention(q_in, kv_in, kv_in, p, nh, average_attn_weights=False)
    W = p["in_proj_weight"].numpy()
    b = p["in_proj_bias"].numpy()
    Q = q_in[0].numpy() @ W[:C].T + b[:C]
    K = kv_in[0].numpy() @ W[C:2 * C].T + b[C:2 * C]
    d_k = C // nh
    for h in range(nh):
        cols = slice(h * d_k, (h + 1) * d_k)
        scores = Q[:, cols] @ K[:, cols].T / math.sqrt(d_k)
        expected = np.exp(scores - scores.max(1, keepdims=True))
        expected /= expected.sum(1, keepdims=True)
        np.testing.assert_allclose(w[0, h].numpy(), expected, rtol=F64_RTOL, atol=F64_ATOL)


def test_positional_table_at_a_wide_model_equals_the_paper_formula():
    """d_model = 64, 위치 50까지: 지수 2i/d의 실수(i/d, 2i/d_model−1 …)는 여기서 크게 드러난다."""
    np.testing.assert_allclose(positional_encoding(50, 64, dtype=D64).numpy(), numpy_pe(50, 64),
                               rtol=F64_RTOL, atol=F64_ATOL)


def test_lowlevel_embedding_is_scaled_by_sqrt_d_model_before_the_positional_table_is_added():
    """§3.4: E[ids]·√d_model + PE. d = 16이면 √d = 4 (1/√d나 d와 구별된다)."""
    d = 16
    params = double(init_model(d, 32, layers=1, seed=0))
    table = torch.from_numpy(numpy_pe(12, d))
    ids = torch.tensor([[3, 7, 12, PAD], [1, 2, 4, 5]])
    E = params["embedding"].numpy()
    expected = E[ids.numpy()] * 4.0 + numpy_pe(12, d)[:4]
    np.testing.assert_allclose(embed(params, ids, table).numpy(), expected, rtol=F64_RTOL, atol=F64_ATOL)


def test_lowlevel_model_with_no_layers_is_scaled_embedding_plus_pe_and_shared_output_projection():
    """층 0개: encode = E[src]·√d + PE, decode의 logits = (E[tgt]·√d + PE) Eᵀ (§3.4의 공유 행렬, 출력 쪽엔 √d 없음)."""
    d = 16
    params = double(init_model(d, 32, layers=0, seed=3))
    table = torch.from_numpy(numpy_pe(12, d))
    E = params["embedding"].numpy()
    src = torch.tensor([[4, 9, 11]])
    tgt = torch.tensor([[1, 5, 6, 8]])
    memory, _ = encode(params, src, 2, 0, table)
    np.testing.assert_allclose(memory.numpy(), E[src.numpy()] * 4.0 + numpy_pe(12, d)[:3],
                               rtol=F64_RTOL, atol=F64_ATOL)
    logits = decode(params, tgt, memory, src == PAD, 2, 0, table)
    expected = (E[tgt.numpy()] * 4.0 + numpy_pe(12, d)[:4]) @ E.T
    np.testing.assert_allclose(logits.numpy(), expected, rtol=F64_RTOL, atol=F64_ATOL)


def test_lowlevel_embedding_init_has_std_d_model_to_the_minus_half():
    """N(0, d^−1/2): × √d 뒤 분산 1. d = 256이면 std 1/16 (0.02나 1과 구별된다)."""
    d = 256
    E = init_model(d, 8, layers=0, seed=0)["embedding"].detach().numpy()
    assert E.shape == (VOCAB, d)
    assert abs(E.std() / d ** -0.5 - 1) < 0.05
    assert abs(E.mean()) < 0.01
