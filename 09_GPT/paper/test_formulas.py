"""L3·L2의 식을 코드 밖에서 쓴 식과 비교한다: GELU의 tanh 근사 (GPT-2 코드의 식), 그림용 attention weight의
1/√d_k와 causal mask (대각선은 보이고 그 뒤는 0)."""
import math

import numpy as np
import torch

from utils.gradcheck import F64_ATOL, F64_RTOL

from ..pytorch_lowlevel import gpt as L2
from .gpt import GPT, GPTConfig, gelu_tanh

D64 = torch.float64


def numpy_gelu_tanh(x: np.ndarray) -> np.ndarray:
    """½ x (1 + tanh(√(2/π) (x + 0.044715 x³))) (Hendrycks & Gimpel 2016, Section 2)."""
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def test_gelu_is_the_tanh_approximation_at_both_levels():
    x = torch.linspace(-6, 6, 241, dtype=D64)
    expected = numpy_gelu_tanh(x.numpy())
    np.testing.assert_allclose(gelu_tanh(x).numpy(), expected, rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(L2.gelu_tanh(x).numpy(), expected, rtol=F64_RTOL, atol=F64_ATOL)


def test_attention_weights_for_figures_are_causal_softmax_scaled_by_sqrt_head_size():
    """n_embd 64, head 4 → d_k = 16 (√d_k = 4, √n_embd = 8과 구별된다). 대각선 > 0, 위쪽 삼각형 = 0."""
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=8, vocab_size=11, n_layer=1, n_head=4, n_embd=64)).double().eval()
    attn = model.transformer.h[0].attn
    with torch.no_grad():
        attn.c_attn.weight.normal_(0, 0.3)
    T = 6
    x = torch.randn(1, T, 64, dtype=D64, generator=torch.Generator().manual_seed(1))
    w = attn.attention_weights(x)[0].numpy()                              # (h, T, T)
    qkv = x[0].numpy() @ attn.c_attn.weight.detach().numpy().T + attn.c_attn.bias.detach().numpy()
    Q, K = qkv[:, :64], qkv[:, 64:128]
    upper = np.triu(np.ones((T, T), dtype=bool), k=1)
    for h in range(4):
        cols = slice(16 * h, 16 * (h + 1))
        s = np.where(upper, -np.inf, Q[:, cols] @ K[:, cols].T / math.sqrt(16))
        p = np.exp(s - s.max(1, keepdims=True))
        np.testing.assert_allclose(w[h], p / p.sum(1, keepdims=True), rtol=F64_RTOL, atol=F64_ATOL)
    assert np.all(w[:, upper] == 0) and np.all(np.diagonal(w, axis1=1, axis2=2) > 0)
