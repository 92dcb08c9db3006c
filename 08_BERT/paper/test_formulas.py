"""L3·L2의 식을 코드 밖에서 쓴 식과 비교한다: erf 형태의 GELU, 식 (1)의 1/√d_k, 입력 표현의 합 + LayerNorm.

GELU의 tanh 근사는 정확한 형태와 최대 약 5e-4 다르다: float64에서 F64_RTOL로 비교하면 바꿔 쓴 것이 드러난다.
"""
import math

import numpy as np
import torch

from utils.gradcheck import F64_ATOL, F64_RTOL

from ..pytorch_lowlevel import encoder as E
from .bert import BERT, BERTConfig, SelfAttention, gelu

D64 = torch.float64


def numpy_gelu(x: np.ndarray) -> np.ndarray:
    """GELU(x) = x·Φ(x) = ½ x (1 + erf(x/√2)) (Hendrycks & Gimpel 2016)."""
    return np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.ravel()]).reshape(x.shape)


def test_gelu_is_the_exact_erf_form_at_both_levels():
    x = torch.linspace(-6, 6, 241, dtype=D64)
    expected = numpy_gelu(x.numpy())
    np.testing.assert_allclose(gelu(x).numpy(), expected, rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(E.gelu(x).numpy(), expected, rtol=F64_RTOL, atol=F64_ATOL)


def test_self_attention_scales_by_one_over_sqrt_head_size_and_masks_padding_keys():
    """hidden 64, head 4 → d_k = 16 (√d_k = 4, √hidden = 8과 구별된다). 확률을 남기는 경로와 SDPA 경로 모두."""
    torch.manual_seed(0)
    config = BERTConfig(vocab_size=10, hidden_size=64, num_layers=1, num_heads=4, intermediate_size=8, max_position=8)
    layer = SelfAttention(config).double().eval()
    x = torch.randn(1, 5, 64, dtype=D64, generator=torch.Generator().manual_seed(1))
    keep = np.array([1, 1, 1, 0, 0])
    additive = torch.zeros(1, 1, 1, 5, dtype=D64)
    additive[..., keep == 0] = torch.finfo(D64).min                           # BERT.additive_mask와 같은 뜻

    def lin(v, m):
        return v @ m.weight.detach().numpy().T + m.bias.detach().numpy()

    xn = x[0].numpy()
    Q, K, Vv = lin(xn, layer.query), lin(xn, layer.key), lin(xn, layer.value)
    probs, heads = [], []
    for h in range(4):
        cols = slice(16 * h, 16 * (h + 1))
        s = Q[:, cols] @ K[:, cols].T / math.sqrt(16)
        s = np.where(keep[None, :] == 1, s, -np.inf)
        p = np.exp(s - s.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        probs.append(p)
        heads.append(p @ Vv[:, cols])
    h_out = xn + lin(np.concatenate(heads, 1), layer.output)
    mu, var = h_out.mean(1, keepdims=True), h_out.var(1, keepdims=True)
    expected = (h_out - mu) / np.sqrt(var + config.layer_norm_eps) * layer.norm.weight.detach().numpy() \
        + layer.norm.bias.detach().numpy()
    for return_probs in (False, True):
        out, p = layer(x, additive, return_probs)
        np.testing.assert_allclose(out[0].detach().numpy(), expected, rtol=F64_RTOL, atol=1e-10)
    np.testing.assert_allclose(p[0].detach().numpy(), np.stack(probs), rtol=F64_RTOL, atol=F64_ATOL)


def test_input_representation_is_layernorm_of_token_plus_segment_plus_position():
    """§3 Figure 2: E_token + E_segment + E_position, 그 합에 LayerNorm (ε = 1e-12)."""
    torch.manual_seed(0)
    model = BERT(BERTConfig(vocab_size=20, hidden_size=12, num_layers=1, num_heads=3, intermediate_size=8,
                            max_position=10, type_vocab_size=3)).double().eval()
    emb = model.embeddings
    with torch.no_grad():
        emb.norm.weight.normal_(1, 0.5)
        emb.norm.bias.normal_(0, 0.5)
    ids, types = torch.tensor([[2, 7, 19, 4]]), torch.tensor([[0, 2, 1, 1]])
    s = (emb.word_embeddings.weight[ids] + emb.token_type_embeddings.weight[types]
         + emb.position_embeddings.weight[:4]).detach().numpy()
    mu, var = s.mean(-1, keepdims=True), s.var(-1, keepdims=True)
    expected = (s - mu) / np.sqrt(var + 1e-12) * emb.norm.weight.detach().numpy() + emb.norm.bias.detach().numpy()
    np.testing.assert_allclose(emb(ids, types).detach().numpy(), expected, rtol=F64_RTOL, atol=1e-10)
