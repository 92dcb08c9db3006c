"""GPT를 raw tensor로: `nn.Module` 없이 parameter dict와 함수만으로 쓴 decoder-only Transformer.

논문: A. Radford, J. Wu, R. Child, D. Luan, D. Amodei & I. Sutskever (2019), "Language Models are Unsupervised
Multitask Learners", Section 2.3 — GPT-1 (Radford et al. 2018, Section 3.1, 식 (2))의 block을 pre-LN으로 바꾸고
마지막 LayerNorm을 더한 모델:

    h_0 = U W_e + W_p
    a   = h + CausalSelfAttention(LN_1(h))                   (Vaswani et al. 2017, 식 (1), 미래를 가린다)
    h'  = a + MLP(LN_2(a)),   MLP(x) = GELU(x W_fc + b_fc) W_proj + b_proj
    P(u) = softmax(LN_f(h_n) W_eᵀ)                          (출력층 = token embedding의 transpose)

이 장의 핵심 연산인 causal self-attention은 `causal_self_attention`에 손으로 쓴다:

    Attention(Q, K, V) = softmax(Q Kᵀ / √d_k + M) V,   M_ij = −∞ (j > i)

`F.scaled_dot_product_attention(is_causal=True)`와 같은 값을 내는지 test_lowlevel.py가 확인한다. 가중치는 OpenAI의
원래 TensorFlow 코드처럼 (in, out) layout으로 두고 y = x W + b로 곱한다 (HF `Conv1D`와 같은 관례; L3의 nn.Linear는
(out, in)이라 L2 ↔ L3 복사에서 transpose한다). AdamW step (Loshchilov & Hutter 2019, Algorithm 2)도 손으로 쓴다.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch


@dataclass
class Config:
    block_size: int = 64
    vocab_size: int = 65
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0
    eps: float = 1e-5

    def __post_init__(self):
        if self.n_embd % self.n_head != 0:
            raise ValueError(f"n_embd({self.n_embd})는 n_head({self.n_head})로 나누어떨어져야 합니다")


def init_params(config: Config, generator: torch.Generator | None = None, dtype=torch.float32) -> dict:
    """GPT-2 초기화: 가중치 N(0, 0.02), residual projection (c_proj)은 N(0, 0.02/√(2·n_layer)), bias 0, LN (1, 0).

    key는 L3 (`paper/gpt.py`)의 state_dict 이름과 같다. lm_head는 따로 없다: wte를 다시 쓴다 (weight tying).
    """
    C, L = config.n_embd, config.n_layer

    def normal(*shape, std=0.02):
        return (torch.randn(*shape, generator=generator, dtype=dtype) * std).requires_grad_()

    def const(value, n):
        return torch.full((n,), value, dtype=dtype).requires_grad_()

    residual_std = 0.02 / math.sqrt(2 * L)
    p = {"transformer.wte.weight": normal(config.vocab_size, C),
         "transformer.wpe.weight": normal(config.block_size, C)}
    for i in range(L):
        h = f"transformer.h.{i}."
        p[h + "ln_1.weight"], p[h + "ln_1.bias"] = const(1.0, C), const(0.0, C)
        p[h + "attn.c_attn.weight"], p[h + "attn.c_attn.bias"] = normal(C, 3 * C), const(0.0, 3 * C)   # (in, out)
        p[h + "attn.c_proj.weight"], p[h + "attn.c_proj.bias"] = normal(C, C, std=residual_std), const(0.0, C)
        p[h + "ln_2.weight"], p[h + "ln_2.bias"] = const(1.0, C), const(0.0, C)
        p[h + "mlp.c_fc.weight"], p[h + "mlp.c_fc.bias"] = normal(C, 4 * C), const(0.0, 4 * C)
        p[h + "mlp.c_proj.weight"], p[h + "mlp.c_proj.bias"] = normal(4 * C, C, std=residual_std), const(0.0, C)
    p["transformer.ln_f.weight"], p["transformer.ln_f.bias"] = const(1.0, C), const(0.0, C)
    return p


def layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float) -> torch.Tensor:
    """Ba et al. 2016, 식 (4): 마지막 축으로 평균 0, 분산 1 (1/H로 나눈 분산) → γ, β."""
    mu = x.mean(dim=-1, keepdim=True)                                       # (B, T, 1)
    var = x.var(dim=-1, keepdim=True, unbiased=False)                       # (B, T, 1)
    return (x - mu) / torch.sqrt(var + eps) * weight + bias


def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    """GELU의 tanh 근사 (Hendrycks & Gimpel 2016, Section 2), GPT-2 원래 코드의 식."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def dropout(x: torch.Tensor, p: float, training: bool, generator: torch.Generator | None = None) -> torch.Tensor:
    """inverted dropout: 확률 p로 0, 남은 값은 1/(1−p)배 (기댓값 보존). eval이나 p = 0이면 그대로."""
    if not training or p == 0.0:
        return x
    keep = (torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device) >= p).to(x.dtype)
    return x * keep / (1.0 - p)


def causal_self_attention(x: torch.Tensor, w_attn: torch.Tensor, b_attn: torch.Tensor, w_proj: torch.Tensor,
                          b_proj: torch.Tensor, n_head: int, p_drop: float = 0.0, training: bool = False,
                          return_weights: bool = False, generator: torch.Generator | None = None):
    """Masked multi-head self-attention을 손으로. x (B, T, C) → (B, T, C) (return_weights면 (B, nh, T, T)도)."""
    B, T, C = x.shape
    hs = C // n_head
    q, k, v = (x @ w_attn + b_attn).split(C, dim=2)                         # 각각 (B, T, C)
    q = q.view(B, T, n_head, hs).transpose(1, 2)                            # (B, nh, T, hs)
    k = k.view(B, T, n_head, hs).transpose(1, 2)                            # (B, nh, T, hs)
    v = v.view(B, T, n_head, hs).transpose(1, 2)                            # (B, nh, T, hs)
    scores = q @ k.transpose(-2, -1) / math.sqrt(hs)                        # (B, nh, T, T): Q Kᵀ / √d_k
    future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(diagonal=1)   # (T, T): j > i
    scores = scores.masked_fill(future, float("-inf"))                      # + M
    weights = torch.softmax(scores, dim=-1)                                 # (B, nh, T, T), 행마다 합 1
    y = dropout(weights, p_drop, training, generator) @ v                   # (B, nh, T, hs)
    y = y.transpose(1, 2).contiguous().view(B, T, C)                        # (B, T, C): head를 이어 붙인다
    y = dropout(y @ w_proj + b_proj, p_drop, training, generator)
    return (y, weights) if return_weights else y


def forward(params: dict, idx: torch.Tensor, config: Config, training: bool = False,
            return_attention: bool = False, generator: torch.Generator | None = None):
    """token id (B, T) → logits (B, T, V). return_attention이면 층마다 attention 확률 (B, nh, T, T)의 list도."""
    if idx.ndim != 2 or idx.dtype not in (torch.int64, torch.int32):
        raise ValueError(f"idx는 (B, T) 정수 tensor여야 합니다: shape {tuple(idx.shape)}, dtype {idx.dtype}")
    B, T = idx.shape
    if not 1 <= T <= config.block_size:
        raise ValueError(f"길이 T={T}는 1 이상 block_size={config.block_size} 이하여야 합니다: "
                         f"마지막 {config.block_size} token만 남기고 자르세요")
    if idx.min() < 0 or idx.max() >= config.vocab_size:
        raise ValueError(f"token id는 [0, vocab_size={config.vocab_size}) 안이어야 합니다")
    p, eps, drop = params, config.eps, config.dropout
    wte = p["transformer.wte.weight"]                                       # (V, C)
    x = wte[idx] + p["transformer.wpe.weight"][:T]                          # (B, T, C): h_0 = U W_e + W_p
    x = dropout(x, drop, training, generator)
    maps = []
    for i in range(config.n_layer):
        h = f"transformer.h.{i}."
        a = layer_norm(x, p[h + "ln_1.weight"], p[h + "ln_1.bias"], eps)
        a, w = causal_self_attention(a, p[h + "attn.c_attn.weight"], p[h + "attn.c_attn.bias"],
                                     p[h + "attn.c_proj.weight"], p[h + "attn.c_proj.bias"], config.n_head,
                                     drop, training, return_weights=True, generator=generator)
        x = x + a                                                           # residual 1
        m = layer_norm(x, p[h + "ln_2.weight"], p[h + "ln_2.bias"], eps)
        m = gelu_tanh(m @ p[h + "mlp.c_fc.weight"] + p[h + "mlp.c_fc.bias"])          # (B, T, 4C)
        x = x + dropout(m @ p[h + "mlp.c_proj.weight"] + p[h + "mlp.c_proj.bias"], drop, training, generator)
        maps.append(w)
    x = layer_norm(x, p["transformer.ln_f.weight"], p["transformer.ln_f.bias"], eps)
    logits = x @ wte.t()                                                    # (B, T, V): 묶인 출력층
    return (logits, maps) if return_attention else logits


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """token 평균 −log P(정답): log-softmax를 logsumexp로 안정하게."""
    logits = logits.reshape(-1, logits.size(-1))                            # (B·T, V)
    targets = targets.reshape(-1)                                           # (B·T,)
    log_probs = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
    return -log_probs.gather(1, targets[:, None]).mean()


def decays(name: str, tensor: torch.Tensor) -> bool:
    """weight decay를 받는 parameter: 2차원 행렬 (Linear, embedding). bias와 LayerNorm은 받지 않는다 (nanoGPT)."""
    return tensor.ndim >= 2


def clip_grad_norm(params: dict, max_norm: float) -> float:
    """모든 gradient를 한 벡터로 보고 ‖g‖₂ > max_norm이면 max_norm으로 줄인다. 줄이기 전의 norm을 돌려준다."""
    total = torch.sqrt(sum((p.grad.detach() ** 2).sum() for p in params.values() if p.grad is not None))
    scale = min(1.0, max_norm / (total.item() + 1e-6))
    for p in params.values():
        if p.grad is not None:
            p.grad.mul_(scale)
    return total.item()


@torch.no_grad()
def adamw_step(params: dict, state: dict, lr: float, betas=(0.9, 0.99), eps: float = 1e-8,
               weight_decay: float = 0.1) -> None:
    """AdamW 한 step (Loshchilov & Hutter 2019, Algorithm 2; `torch.optim.AdamW`와 같은 순서).

        θ ← θ − lr·λ·θ                                   decoupled weight decay (행렬만)
        m ← β₁ m + (1−β₁) g,   v ← β₂ v + (1−β₂) g²
        θ ← θ − lr · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε)
    """
    b1, b2 = betas
    state["t"] = t = state.get("t", 0) + 1
    for name, p in params.items():
        if p.grad is None:
            continue
        m = state.setdefault("m." + name, torch.zeros_like(p))
        v = state.setdefault("v." + name, torch.zeros_like(p))
        if decays(name, p):
            p.mul_(1.0 - lr * weight_decay)
        m.mul_(b1).add_(p.grad, alpha=1 - b1)
        v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
        m_hat = m / (1 - b1 ** t)
        v_hat = v / (1 - b2 ** t)
        p.sub_(lr * m_hat / (v_hat.sqrt() + eps))


@torch.no_grad()
def generate(params: dict, idx: torch.Tensor, max_new_tokens: int, config: Config, temperature: float = 1.0,
             generator: torch.Generator | None = None) -> torch.Tensor:
    """cache 없이 매번 마지막 block_size token을 다시 계산해 한 token씩 뽑는다 (nanoGPT `generate`).

    분포는 softmax(logits / temperature) 그대로다 (top-k·top-p는 L3 `paper/gpt.py`의 `warp_logits`).
    """
    if not temperature > 0.0:
        raise ValueError(f"temperature는 0보다 커야 합니다: {temperature!r}")
    for _ in range(max_new_tokens):
        context = idx[:, -config.block_size:]                               # (B, ≤ block)
        logits = forward(params, context, config)[:, -1, :] / temperature   # (B, V)
        next_id = torch.multinomial(torch.softmax(logits, dim=-1), 1, generator=generator)   # (B, 1)
        idx = torch.cat([idx, next_id], dim=1)
    return idx


def parameter_count(params: dict) -> int:
    return sum(p.numel() for p in params.values())
