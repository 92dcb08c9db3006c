"""BERT encoder를 raw tensor로 — nn.Module 없이 parameter dict와 함수만.

논문: Devlin et al. (2018), "BERT", §3 (입력 표현 Figure 2, 모델 구조), §3.1 Task #1 Masked LM.
Encoder 층은 Vaswani et al. (2017) §3.1의 post-LN 층이다:
    h = LN(x + MHA(x)),   y = LN(h + W₂ GELU(h W₁ + b₁) + b₂)
이 레벨에서 손으로 쓰는 연산 (각각 library 쌍둥이와 test_lowlevel.py에서 비교한다):
    attention(q, k, v, mask) = softmax(q kᵀ / √d + mask) v          ↔ F.scaled_dot_product_attention
    layer_norm(x) = γ (x − μ) / √(σ² + ε) + β                        ↔ F.layer_norm
    gelu(x) = ½ x (1 + erf(x / √2))                                  ↔ F.gelu (approximate='none')
가중치는 **행 벡터 관례** x W + b (W: (in, out))로 저장한다 — 논문의 식과 같은 방향. nn.Linear의 (out, in)
가중치에서 옮길 때는 전치한다 (test_lowlevel.py의 `params_from_paper`).
Dropout은 이 레벨에 없다 (학습 스크립트도 dropout 없이 돈다): 수식의 뼈대만 남긴다.
"""
from __future__ import annotations

import math

import torch

IGNORE_INDEX = -100            # MLM label에서 "예측하지 않는 위치" (HF·PyTorch cross_entropy 관례)


def init_params(vocab_size: int, hidden: int, num_layers: int, num_heads: int, intermediate: int,
                max_position: int, type_vocab_size: int = 2, std: float = 0.02, seed: int = 0,
                dtype=torch.float32) -> dict[str, torch.Tensor]:
    """N(0, std²) 가중치, 0 bias, LayerNorm (1, 0). 모든 tensor는 requires_grad=True인 leaf."""
    if hidden % num_heads:
        raise ValueError(f"hidden({hidden})은 num_heads({num_heads})로 나누어떨어져야 합니다")
    g = torch.Generator().manual_seed(seed)

    def normal(*shape):
        return torch.randn(*shape, generator=g, dtype=dtype) * std

    p = {"word": normal(vocab_size, hidden), "position": normal(max_position, hidden),
         "token_type": normal(type_vocab_size, hidden),
         "emb_ln_g": torch.ones(hidden, dtype=dtype), "emb_ln_b": torch.zeros(hidden, dtype=dtype)}
    for i in range(num_layers):
        for name, shape in (("Wq", (hidden, hidden)), ("Wk", (hidden, hidden)), ("Wv", (hidden, hidden)),
                            ("Wo", (hidden, hidden)), ("W1", (hidden, intermediate)), ("W2", (intermediate, hidden))):
            p[f"{i}.{name}"] = normal(*shape)
            p[f"{i}.b{name[1:]}"] = torch.zeros(shape[1], dtype=dtype)
        for ln in ("ln1", "ln2"):
            p[f"{i}.{ln}_g"], p[f"{i}.{ln}_b"] = torch.ones(hidden, dtype=dtype), torch.zeros(hidden, dtype=dtype)
    p.update({"pool_W": normal(hidden, hidden), "pool_b": torch.zeros(hidden, dtype=dtype),
              "mlm_W": normal(hidden, hidden), "mlm_b": torch.zeros(hidden, dtype=dtype),
              "mlm_ln_g": torch.ones(hidden, dtype=dtype), "mlm_ln_b": torch.zeros(hidden, dtype=dtype),
              "mlm_bias": torch.zeros(vocab_size, dtype=dtype),
              "nsp_W": normal(hidden, 2), "nsp_b": torch.zeros(2, dtype=dtype)})
    for t in p.values():
        t.requires_grad_(True)
    return p


def num_layers_of(params: dict) -> int:
    return sum(1 for k in params if k.endswith(".Wq"))


# ---- 손으로 쓰는 연산 ----
def layer_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    mu = x.mean(dim=-1, keepdim=True)                                           # (..., 1)
    var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)                            # (..., 1): 1/H로 나눈 분산
    return gamma * (x - mu) / torch.sqrt(var + eps) + beta


def gelu(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None):
    """softmax(q kᵀ / √d + mask) v. q, k, v: (B, nh, T, hs), mask: (B, 1, 1, T) 더하기 mask → ((B, nh, T, hs), 확률)."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])                  # (B, nh, T, T)
    if mask is not None:
        scores = scores + mask
    scores = scores - scores.amax(dim=-1, keepdim=True)                         # 수치 안정: 행 최댓값을 뺀다
    weights = scores.exp()
    probs = weights / weights.sum(dim=-1, keepdim=True)                         # (B, nh, T, T), 행 합 1
    return probs @ v, probs


def additive_mask(attention_mask: torch.Tensor | None, dtype=torch.float32):
    """(B, T) 1 = 읽음 / 0 = padding → (B, 1, 1, T): 0 또는 dtype의 최솟값 (−∞ 대신: 빈 행도 NaN이 없다)."""
    if attention_mask is None:
        return None
    keep = attention_mask.to(torch.bool)[:, None, None, :]                     # (B, 1, 1, T)
    return torch.where(keep, torch.zeros((), dtype=dtype), torch.tensor(torch.finfo(dtype).min, dtype=dtype))


# ---- 모델 ----
def embed(params: dict, input_ids: torch.Tensor, token_type_ids: torch.Tensor, eps: float) -> torch.Tensor:
    T = input_ids.shape[1]
    if T > params["position"].shape[0]:
        raise ValueError(f"sequence 길이 {T}가 position table 크기 {params['position'].shape[0]}보다 깁니다")
    x = params["word"][input_ids] + params["token_type"][token_type_ids] + params["position"][:T]   # (B, T, H)
    return layer_norm(x, params["emb_ln_g"], params["emb_ln_b"], eps)


def encoder_layer(params: dict, i: int, x: torch.Tensor, mask, num_heads: int, eps: float):
    """post-LN encoder 층 하나. x (B, T, H) → ((B, T, H), attention 확률 (B, nh, T, T))."""
    B, T, H = x.shape
    hs = H // num_heads

    def heads(t):                                                               # (B, T, H) → (B, nh, T, hs)
        return t.view(B, T, num_heads, hs).transpose(1, 2)

    q = heads(x @ params[f"{i}.Wq"] + params[f"{i}.bq"])
    k = heads(x @ params[f"{i}.Wk"] + params[f"{i}.bk"])
    v = heads(x @ params[f"{i}.Wv"] + params[f"{i}.bv"])
    context, probs = attention(q, k, v, mask)                                   # (B, nh, T, hs)
    context = context.transpose(1, 2).reshape(B, T, H)                          # (B, T, H)
    h = layer_norm(x + context @ params[f"{i}.Wo"] + params[f"{i}.bo"], params[f"{i}.ln1_g"], params[f"{i}.ln1_b"], eps)
    f = gelu(h @ params[f"{i}.W1"] + params[f"{i}.b1"]) @ params[f"{i}.W2"] + params[f"{i}.b2"]   # (B, T, H)
    return layer_norm(h + f, params[f"{i}.ln2_g"], params[f"{i}.ln2_b"], eps), probs


def bert_forward(params: dict, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None,
                 attention_mask: torch.Tensor | None = None, num_heads: int = 2, eps: float = 1e-12):
    """→ (sequence_output (B, T, H), pooled_output (B, H), 층별 attention 확률 list)."""
    if input_ids.dim() != 2:
        raise ValueError(f"input_ids는 (B, T)여야 합니다: {tuple(input_ids.shape)}")
    if token_type_ids is None:
        token_type_ids = torch.zeros_like(input_ids)
    x = embed(params, input_ids, token_type_ids, eps)
    mask = additive_mask(attention_mask, x.dtype)
    maps = []
    for i in range(num_layers_of(params)):
        x, probs = encoder_layer(params, i, x, mask, num_heads, eps)
        maps.append(probs)
    pooled = torch.tanh(x[:, 0] @ params["pool_W"] + params["pool_b"])          # (B, H): [CLS]
    return x, pooled, maps


def mlm_logits(params: dict, sequence_output: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """LN(GELU(h W + b)) Eᵀ + b_vocab — 출력 층은 입력 word embedding E 그 자체 (tied)."""
    h = layer_norm(gelu(sequence_output @ params["mlm_W"] + params["mlm_b"]), params["mlm_ln_g"],
                   params["mlm_ln_b"], eps)                                      # (B, T, H)
    return h @ params["word"].T + params["mlm_bias"]                            # (B, T, V)


def nsp_logits(params: dict, pooled: torch.Tensor) -> torch.Tensor:
    return pooled @ params["nsp_W"] + params["nsp_b"]                           # (B, 2)


def mlm_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """가려진 위치(label ≠ IGNORE_INDEX)에서만 평균한 cross-entropy: −(1/|M|) Σ_{t∈M} log p(x_t | x̃).

    나머지 85% 위치의 예측은 loss에 들어가지 않는다 (§3.1: "we only predict the masked words").
    """
    V = logits.shape[-1]
    flat_logits, flat_labels = logits.reshape(-1, V), labels.reshape(-1)        # (B·T, V), (B·T,)
    chosen = flat_labels != IGNORE_INDEX
    if not chosen.any():
        raise ValueError("가려진 위치가 하나도 없습니다 (모든 label이 IGNORE_INDEX)")
    log_probs = flat_logits[chosen].log_softmax(dim=-1)                         # (|M|, V)
    return -log_probs.gather(1, flat_labels[chosen][:, None]).mean()
