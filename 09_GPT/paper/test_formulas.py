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


def written_gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    """GPT-2 코드의 식을 torch 연산 다섯 개로: ½ x (1 + tanh(√(2/π) (x + 0.044715 x³)))."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def test_fused_gelu_equals_the_written_formula_in_value_and_gradient():
    """L3는 묶인 kernel `F.gelu(approximate="tanh")`을 쓴다: float64에서 식과 값·gradient가 1e-12 안에서 같다."""
    x = torch.linspace(-8, 8, 1601, dtype=D64)
    x_fused, x_written = x.clone().requires_grad_(), x.clone().requires_grad_()
    fused, written = gelu_tanh(x_fused), written_gelu_tanh(x_written)
    torch.testing.assert_close(fused, written, rtol=0, atol=F64_ATOL)
    upstream = torch.randn(x.shape, dtype=D64, generator=torch.Generator().manual_seed(0))
    fused.backward(upstream)
    written.backward(upstream)
    torch.testing.assert_close(x_fused.grad, x_written.grad, rtol=0, atol=F64_ATOL)


def test_mlp_applies_the_tanh_gelu_between_its_two_linears():
    """MLP(x) = c_proj(GELU_tanh(c_fc(x))): 정확한 erf GELU나 다른 활성화로 바뀌면 float64에서 잡힌다."""
    torch.manual_seed(0)
    mlp = GPT(GPTConfig(block_size=4, vocab_size=7, n_layer=1, n_head=2, n_embd=8)).double().eval().transformer.h[0].mlp
    x = 3 * torch.randn(2, 4, 8, dtype=D64, generator=torch.Generator().manual_seed(1))     # (B, T, C)
    expected = mlp.c_proj(written_gelu_tanh(mlp.c_fc(x)))
    torch.testing.assert_close(mlp(x), expected, rtol=0, atol=F64_ATOL)


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
