"""L3의 식을 코드 밖에서 쓴 식과 비교한다: §3.5 PE 표, §3.4 embedding × √d_model, 식 (1)의 1/√d_k, §3.2.3 mask.

기대값은 NumPy/`math`로 논문의 식을 다시 쓴 것이다 (모델의 `pe` buffer나 mask 함수를 기대값으로 쓰지 않는다).
"""
import math

import numpy as np
import torch

from utils.gradcheck import F64_ATOL, F64_RTOL

from .transformer import MultiHeadAttention, Transformer, subsequent_mask

D64 = torch.float64


def numpy_pe(max_len: int, d: int) -> np.ndarray:
    """§3.5: PE(pos, 2i) = sin(pos / 10000^{2i/d}), PE(pos, 2i+1) = cos(같은 각)."""
    pos = np.arange(max_len)[:, None]
    i = np.arange(d)[None, :] // 2
    angle = pos / 10000.0 ** (2 * i / d)
    return np.where(np.arange(d)[None, :] % 2 == 0, np.sin(angle), np.cos(angle))


def numpy_attention(query, key, value, mha: MultiHeadAttention, mask=None) -> tuple[np.ndarray, np.ndarray]:
    """식 (1)과 §3.2.2를 NumPy로: head마다 softmax(Q_h K_hᵀ / √d_k + mask) V_h, 이어 붙여 W^O. → (출력, weights)."""
    def lin(x, m):
        return x @ m.weight.detach().numpy().T + m.bias.detach().numpy()

    Q, K, V = lin(query, mha.w_q), lin(key, mha.w_k), lin(value, mha.w_v)
    d_k = mha.d_model // mha.n_head
    heads, weights = [], []
    for h in range(mha.n_head):
        cols = slice(h * d_k, (h + 1) * d_k)
        scores = Q[:, cols] @ K[:, cols].T / math.sqrt(d_k)
        if mask is not None:
            scores = scores + mask
        w = np.exp(scores - scores.max(1, keepdims=True))
        w /= w.sum(1, keepdims=True)
        weights.append(w)
        heads.append(w @ V[:, cols])
    return lin(np.concatenate(heads, axis=1), mha.w_o), np.stack(weights)


def test_positional_table_equals_the_paper_formula_at_a_wide_model():
    model = Transformer(11, d_model=64, n_head=4, num_encoder_layers=1, num_decoder_layers=1, d_ff=8, max_len=50)
    np.testing.assert_allclose(model.positional.pe.double().numpy(), numpy_pe(50, 64), rtol=0, atol=1e-6)


def test_embedding_is_the_table_row_times_sqrt_d_model_plus_the_formula_pe():
    """d = 16이면 √d = 4 (1/√d, d, 1과 구별된다). src와 tgt 쪽 모두."""
    model = Transformer(30, 16, 2, 1, 1, 32, dropout=0.0, max_len=10).double().eval()
    ids = torch.tensor([[3, 4, 5, 29], [0, 1, 2, 7]])
    E = model.src_embedding.weight.detach().numpy()
    expected = E[ids.numpy()] * 4.0 + numpy_pe(10, 16)[:4]
    for side in ("src", "tgt"):
        np.testing.assert_allclose(model.embed(ids, side).detach().numpy(), expected, rtol=F64_RTOL, atol=1e-6)


def test_subsequent_mask_hides_exactly_the_future_and_keeps_the_diagonal():
    for T in (1, 2, 6):
        np.testing.assert_array_equal(subsequent_mask(T).numpy(), np.triu(np.ones((T, T), dtype=bool), k=1))


def test_attention_scales_by_one_over_sqrt_head_size_on_both_paths():
    """d_model 64, h 4 → d_k 16: √d_k = 4는 √d_model = 8과 구별된다. SDPA 경로와 weight를 남기는 경로 모두."""
    torch.manual_seed(0)
    mha = MultiHeadAttention(64, 4, dropout=0.0).double().eval()
    g = torch.Generator().manual_seed(1)
    q, kv = torch.randn(1, 3, 64, generator=g, dtype=D64), torch.randn(1, 5, 64, generator=g, dtype=D64)
    expected, weights = numpy_attention(q[0].numpy(), kv[0].numpy(), kv[0].numpy(), mha)
    for keep in (False, True):
        mha.keep_attention = keep
        out = mha(q, kv, kv).detach().numpy()[0]
        np.testing.assert_allclose(out, expected, rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(mha.attention[0].numpy(), weights, rtol=F64_RTOL, atol=F64_ATOL)


def test_decoder_self_attention_sees_the_diagonal_and_nothing_after_it():
    """model(src, tgt)가 decoder에 건 mask: weight의 대각선 > 0, 위쪽 삼각형 = 0, 값은 NumPy 식과 같다."""
    model = Transformer(20, 16, 2, 1, 2, 32, dropout=0.0).double().eval()
    for m in model.attention_modules()["decoder_self"]:
        m.keep_attention = True
    T = 5
    model(torch.tensor([[4, 5, 6]]), torch.randint(3, 20, (1, T), generator=torch.Generator().manual_seed(0)))
    upper = np.triu(np.ones((T, T), dtype=bool), k=1)
    for m in model.attention_modules()["decoder_self"]:
        w = m.attention[0].numpy()                                       # (h, T, T)
        assert np.all(w[:, upper] == 0) and np.all(np.diagonal(w, axis1=1, axis2=2) > 0)
    layer = model.decoder_layers[0]
    x = model.embed(torch.tensor([[1, 3, 7, 9, 11]]), "tgt")[0].detach().numpy()
    _, expected = numpy_attention(x, x, x, layer.self_attn, mask=np.where(upper, -np.inf, 0.0))
    model(torch.tensor([[4, 5, 6]]), torch.tensor([[1, 3, 7, 9, 11]]))
    np.testing.assert_allclose(layer.self_attn.attention[0].numpy(), expected, rtol=F64_RTOL, atol=F64_ATOL)


def test_decoder_output_at_position_i_ignores_every_later_target_token():
    model = Transformer(20, 16, 2, 1, 2, 32, dropout=0.0).double().eval()
    src = torch.tensor([[4, 5, 6, 7]])
    tgt = torch.tensor([[1, 3, 7, 9, 11, 12]])
    base = model(src, tgt)
    for i in range(tgt.shape[1] - 1):
        changed = tgt.clone()
        changed[0, i + 1:] = 13
        out = model(src, changed)
        torch.testing.assert_close(out[:, :i + 1], base[:, :i + 1], rtol=F64_RTOL, atol=F64_ATOL)
        assert (out[:, i + 1] - base[:, i + 1]).abs().max() > 1e-6
