"""Attention과 Transformer 층 — PyTorch raw tensor + autograd.
`nn.MultiheadAttention`도 `F.scaled_dot_product_attention`도 부르지 않고 식에서 바로 쓴다.

A. Vaswani, N. Shazeer, N. Parmar, J. Uszkoreit, L. Jones, A. N. Gomez, Ł. Kaiser & I. Polosukhin (2017),
"Attention Is All You Need", NeurIPS:

    §3.2.1 식 (1)   Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V
    §3.2.2          MultiHead(Q, K, V) = Concat(head_1, …, head_h) W^O,  head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)
    §3.3   식 (2)   FFN(x) = max(0, x W_1 + b_1) W_2 + b_2
    §3.5            PE(pos, 2i) = sin(pos / 10000^{2i/d_model}),  PE(pos, 2i+1) = cos(pos / 10000^{2i/d_model})
    §3.1, §5.4      sub-layer 출력마다 LayerNorm(x + Dropout(Sublayer(x)))  (post-LN)
    LayerNorm: J. L. Ba, J. R. Kiros & G. E. Hinton (2016), "Layer Normalization", 식 (4)

mask 규약은 `torch.nn`과 같다: bool mask는 **True = 가려진 자리** (padding, 미래 위치), float mask는 score에 더하는
additive mask (가릴 곳 −inf). 주의: `F.scaled_dot_product_attention`의 bool mask는 반대로 True = 볼 수 있는 자리다.

한 query의 key가 **모두** 가려진 행(fully-masked row)은 softmax의 분모가 0이라 식이 정의되지 않는다. 여기서는
그 행의 attention weight를 0으로, 출력을 0으로 둔다 (`masked_softmax`). 이것은 `F.scaled_dot_product_attention`이
돌려주는 값과 같고, `nn.MultiheadAttention`은 같은 행에서 NaN을 돌려준다 (test_lowlevel.py가 둘 다 확인한다).

파라미터는 plain tensor dict이고 key는 `nn.TransformerEncoderLayer` / `nn.TransformerDecoderLayer`의 `state_dict()`와
같다 ("self_attn.in_proj_weight", "linear1.weight", "norm1.weight", …). 그래서 twin의 가중치를 그대로 넣어 값과
gradient를 비교한다. `in_proj_weight` (3C, C)는 [W^Q; W^K; W^V]를 세로로 쌓은 것이고, 모든 행렬은 nn.Linear처럼
(out, in) layout이라 `x @ W.T`로 곱한다.
"""
from __future__ import annotations

import math

import torch

NEG_INF = float("-inf")
ACTIVATIONS = {"relu": torch.relu, "gelu": lambda x: 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))}


# ---------------------------------------------------------------------------
# mask → additive bias
# ---------------------------------------------------------------------------
def _check_mask(mask: torch.Tensor, name: str, allowed_shapes: list[tuple[int, ...]], allow_float: bool) -> None:
    kinds = "bool 또는 float" if allow_float else "bool"
    if not isinstance(mask, torch.Tensor):
        raise ValueError(f"{name}는 {kinds} tensor여야 합니다: 받은 {type(mask).__name__}")
    if mask.dtype != torch.bool and not (allow_float and mask.is_floating_point()):
        raise ValueError(f"{name}의 dtype은 {kinds}여야 합니다 (bool은 True = 가림): 받은 dtype {mask.dtype}")
    if tuple(mask.shape) not in allowed_shapes:
        raise ValueError(f"{name}의 shape은 {' 또는 '.join(str(s) for s in allowed_shapes)}이어야 합니다: "
                         f"받은 shape {tuple(mask.shape)}")


def attention_bias(B: int, n_head: int, T: int, S: int, attn_mask=None, key_padding_mask=None,
                   dtype=torch.float32) -> torch.Tensor | None:
    """두 mask를 score에 더할 하나의 additive bias (B, nh 또는 1, T, S)로 합친다. 가릴 곳은 −inf, 나머지 0.

    attn_mask: bool (T, S) True = 가림, 또는 float (T, S) additive,
        또는 head마다 다른 (B·nh, T, S) (`nn.MultiheadAttention`과 같은 규약).
    key_padding_mask: bool (B, S), True = padding인 key.
    """
    if attn_mask is None and key_padding_mask is None:
        return None
    bias = torch.zeros(B, 1, T, S, dtype=dtype)                              # (B, 1, T, S)
    if attn_mask is not None:
        _check_mask(attn_mask, "attn_mask", [(T, S), (B * n_head, T, S)], allow_float=True)
        if attn_mask.ndim == 3:
            attn_mask = attn_mask.reshape(B, n_head, T, S)                   # (B, nh, T, S)
        if attn_mask.dtype == torch.bool:
            bias = torch.where(attn_mask, NEG_INF, bias)                     # (B, 1 또는 nh, T, S)
        else:
            bias = bias + attn_mask.to(dtype)
    if key_padding_mask is not None:
        _check_mask(key_padding_mask, "key_padding_mask", [(B, S)], allow_float=False)
        bias = torch.where(key_padding_mask[:, None, None, :], NEG_INF, bias)  # (B, 1, 1, S)로 broadcast
    return bias


def causal_mask(T: int) -> torch.Tensor:
    """decoder self-attention의 미래 가리기 (§3.2.3): bool (T, T), 위치 i는 j > i를 볼 수 없다 (True = 가림)."""
    return torch.ones(T, T, dtype=torch.bool).triu(diagonal=1)


# ---------------------------------------------------------------------------
# §3.2.1 scaled dot-product attention
# ---------------------------------------------------------------------------
def masked_softmax(scores: torch.Tensor) -> torch.Tensor:
    """마지막 축의 softmax. 모든 원소가 −inf인 행(모두 가려진 query)은 NaN 대신 0을 돌려준다.

    max를 빼서 exp가 넘치지 않게 한다 (softmax는 행마다 상수를 빼도 같다). 모두 −inf인 행은 max도 −inf라
    (−inf) − (−inf) = NaN이 되므로 그 행에서는 0을 뺀다: exp(−inf) = 0, 분모 0 → 0으로 나누지 않고 0을 둔다.
    """
    row_max = scores.amax(dim=-1, keepdim=True)
    row_max = torch.where(torch.isfinite(row_max), row_max, torch.zeros_like(row_max))
    e = torch.exp(scores - row_max)
    total = e.sum(dim=-1, keepdim=True)
    return e / torch.where(total > 0, total, torch.ones_like(total))


def dropout(x: torch.Tensor, p: float, generator: torch.Generator | None = None) -> torch.Tensor:
    """inverted dropout (Srivastava et al. 2014): 확률 p로 0, 남은 원소는 1/(1−p)배 → 기댓값이 그대로다. p = 0이면 x."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout 확률 p는 [0, 1) 안이어야 합니다: p={p}")
    if p == 0.0:
        return x
    keep = torch.rand(x.shape, generator=generator, dtype=x.dtype) >= p
    return x * keep / (1.0 - p)


def scaled_dot_product_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: torch.Tensor | None = None,
                                 dropout_p: float = 0.0, generator: torch.Generator | None = None):
    """식 (1): softmax(Q Kᵀ / √d_k + bias) V.

    Args:
        q: (B, nh, T, hs), k: (B, nh, S, hs), v: (B, nh, S, hv).
        bias: (B, nh 또는 1, T, S)로 broadcast되는 additive mask (`attention_bias`), 가릴 곳 −inf.
        dropout_p: attention weight에 거는 dropout 확률 (학습 때만 0보다 크게 준다).
    Returns:
        (out (B, nh, T, hv), weights (B, nh, T, S)) — weights는 dropout 전의 softmax 확률.
    """
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4:
        raise ValueError(f"q, k, v는 rank 4 (B, nh, T, hs) tensor여야 합니다: 받은 shape {tuple(q.shape)}, "
                         f"{tuple(k.shape)}, {tuple(v.shape)}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2] or not q.shape[:2] == k.shape[:2] == v.shape[:2]:
        raise ValueError(f"q (B, nh, T, d_k), k (B, nh, S, d_k), v (B, nh, S, d_v)가 맞물려야 합니다: "
                         f"받은 shape {tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}")
    d_k = q.shape[-1]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)                  # (B, nh, T, S)
    if bias is not None:
        scores = scores + bias
    weights = masked_softmax(scores)                                    # (B, nh, T, S), 행의 합 1 (또는 0)
    out = dropout(weights, dropout_p, generator) @ v                    # (B, nh, T, hv)
    return out, weights


# ---------------------------------------------------------------------------
# §3.2.2 multi-head attention
# ---------------------------------------------------------------------------
def split_heads(x: torch.Tensor, n_head: int) -> torch.Tensor:
    """(B, T, C) → (B, nh, T, hs), hs = C / nh. head i는 채널 [i·hs, (i+1)·hs)를 맡는다."""
    B, T, C = x.shape
    return x.reshape(B, T, n_head, C // n_head).transpose(1, 2)         # (B, T, nh, hs) → (B, nh, T, hs)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(B, nh, T, hs) → (B, T, nh·hs): Concat(head_1, …, head_h)."""
    B, nh, T, hs = x.shape
    return x.transpose(1, 2).reshape(B, T, nh * hs)                     # (B, T, nh, hs) → (B, T, C)


def multi_head_attention(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, params: dict, n_head: int,
                         key_padding_mask=None, attn_mask=None, need_weights: bool = True,
                         average_attn_weights: bool = True, dropout_p: float = 0.0,
                         generator: torch.Generator | None = None):
    """MultiHead(Q, K, V) (batch_first). `nn.MultiheadAttention(C, nh, batch_first=True)`과 같은 값을 낸다.

    Args:
        query: (B, T, C), key / value: (B, S, C).
        params: "in_proj_weight" (3C, C) = [W^Q; W^K; W^V], "in_proj_bias" (3C,), "out_proj.weight" (C, C),
            "out_proj.bias" (C,) — `nn.MultiheadAttention.state_dict()`의 key와 layout.
        key_padding_mask: bool (B, S), True = padding. attn_mask: bool/float (T, S) 또는 (B·nh, T, S).
    Returns:
        (out (B, T, C), weights) — weights는 need_weights면 (B, T, S) (head 평균) 또는 (B, nh, T, S), 아니면 None.
    """
    for name, x in (("query", query), ("key", key), ("value", value)):
        if x.ndim != 3:
            raise ValueError(f"{name}는 rank 3 (B, T, C) tensor여야 합니다: 받은 shape {tuple(x.shape)}")
    B, T, C = query.shape
    S = key.shape[1]
    if key.shape != value.shape or key.shape[0] != B or key.shape[2] != C:
        raise ValueError(f"key와 value는 (B, S, C) = ({B}, S, {C})로 같아야 합니다: 받은 shape "
                         f"{tuple(key.shape)}, {tuple(value.shape)}")
    if C % n_head != 0:
        raise ValueError(f"d_model={C}은 head 수 n_head={n_head}로 나누어떨어져야 합니다 (hs = d_model / n_head)")
    W_q, W_k, W_v = params["in_proj_weight"].chunk(3, dim=0)            # 각각 (C, C)
    b_q, b_k, b_v = params["in_proj_bias"].chunk(3, dim=0)              # 각각 (C,)
    q = split_heads(query @ W_q.T + b_q, n_head)                        # (B, nh, T, hs)
    k = split_heads(key @ W_k.T + b_k, n_head)                          # (B, nh, S, hs)
    v = split_heads(value @ W_v.T + b_v, n_head)                        # (B, nh, S, hs)
    bias = attention_bias(B, n_head, T, S, attn_mask, key_padding_mask, dtype=query.dtype)
    y, weights = scaled_dot_product_attention(q, k, v, bias, dropout_p, generator)   # (B, nh, T, hs)
    out = merge_heads(y) @ params["out_proj.weight"].T + params["out_proj.bias"]    # (B, T, C)
    if not need_weights:
        return out, None
    return out, (weights.mean(dim=1) if average_attn_weights else weights)


# ---------------------------------------------------------------------------
# LayerNorm, FFN, positional encoding
# ---------------------------------------------------------------------------
def layer_norm(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """마지막 축 C로 정규화: (x − μ) / √(σ² + eps) · γ + β. σ²는 1/C로 나눈 (biased) 분산 (`F.layer_norm`과 같다)."""
    mean = x.mean(dim=-1, keepdim=True)                                 # (…, 1)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)                  # (…, 1)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def feed_forward(x: torch.Tensor, params: dict, activation: str = "relu", dropout_p: float = 0.0,
                 generator: torch.Generator | None = None) -> torch.Tensor:
    """식 (2): max(0, x W_1 + b_1) W_2 + b_2, 위치마다 같은 두 층. (B, T, C) → (d_ff) → (B, T, C).

    안쪽 dropout은 `nn.TransformerEncoderLayer`의 `dropout`과 같은 자리 (활성화 뒤)다.
    """
    h = ACTIVATIONS[activation](x @ params["linear1.weight"].T + params["linear1.bias"])   # (B, T, d_ff)
    return dropout(h, dropout_p, generator) @ params["linear2.weight"].T + params["linear2.bias"]


def positional_encoding(max_len: int, d_model: int, dtype=torch.float32) -> torch.Tensor:
    """§3.5의 sinusoid 표 (max_len, d_model): 짝수 채널 2i는 sin, 홀수 채널 2i+1은 cos, 파장 2π·10000^{2i/d}."""
    if max_len < 1 or d_model < 1:
        raise ValueError(f"max_len과 d_model은 1 이상이어야 합니다: max_len={max_len}, d_model={d_model}")
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]           # (max_len, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)            # (⌈d/2⌉,) = 0, 2, 4, …
    angle = pos / 10000.0 ** (two_i / d_model)                          # (max_len, ⌈d/2⌉)
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle[:, : d_model // 2])                   # d_model이 홀수면 cos 채널이 하나 적다
    return pe.to(dtype)


def add_positional_encoding(x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """x (B, T, C) + PE[:T]. T가 표의 길이를 넘으면 ValueError (표는 max_len까지만 만들어 둔다)."""
    T, C = x.shape[1], x.shape[2]
    if T > table.shape[0] or C != table.shape[1]:
        raise ValueError(f"positional encoding 표는 (max_len, d_model) = {tuple(table.shape)}입니다: "
                         f"길이 T={T} ≤ max_len, d_model={C}인 입력이 필요합니다")
    return x + table[:T]


# ---------------------------------------------------------------------------
# encoder 층, decoder 층 (§3.1, post-LN)
# ---------------------------------------------------------------------------
def _sub(params: dict, prefix: str) -> dict:
    """"self_attn.in_proj_weight" → sub-dict {"in_proj_weight": …}."""
    return {name[len(prefix):]: p for name, p in params.items() if name.startswith(prefix)}


def encoder_layer(x: torch.Tensor, params: dict, n_head: int, src_key_padding_mask=None, eps: float = 1e-5,
                  activation: str = "relu", dropout_p: float = 0.0, generator=None) -> torch.Tensor:
    """encoder 층 하나 (`nn.TransformerEncoderLayer(batch_first=True, norm_first=False)`와 같은 식):

        x = LayerNorm(x + Dropout(SelfAttention(x)))
        x = LayerNorm(x + Dropout(FFN(x)))
    """
    a, _ = multi_head_attention(x, x, x, _sub(params, "self_attn."), n_head, key_padding_mask=src_key_padding_mask,
                                need_weights=False, dropout_p=dropout_p, generator=generator)
    x = layer_norm(x + dropout(a, dropout_p, generator), params["norm1.weight"], params["norm1.bias"], eps)
    f = feed_forward(x, params, activation, dropout_p, generator)
    return layer_norm(x + dropout(f, dropout_p, generator), params["norm2.weight"], params["norm2.bias"], eps)


def decoder_layer(x: torch.Tensor, memory: torch.Tensor, params: dict, n_head: int, tgt_mask=None,
                  tgt_key_padding_mask=None, memory_key_padding_mask=None, eps: float = 1e-5,
                  activation: str = "relu", dropout_p: float = 0.0, generator=None) -> torch.Tensor:
    """decoder 층 하나 (`nn.TransformerDecoderLayer(batch_first=True, norm_first=False)`와 같은 식):

        x = LayerNorm(x + Dropout(MaskedSelfAttention(x)))         tgt_mask: 미래 위치를 가린다 (§3.2.3)
        x = LayerNorm(x + Dropout(CrossAttention(x, memory)))      query = decoder, key·value = encoder 출력
        x = LayerNorm(x + Dropout(FFN(x)))
    """
    a, _ = multi_head_attention(x, x, x, _sub(params, "self_attn."), n_head, key_padding_mask=tgt_key_padding_mask,
                                attn_mask=tgt_mask, need_weights=False, dropout_p=dropout_p, generator=generator)
    x = layer_norm(x + dropout(a, dropout_p, generator), params["norm1.weight"], params["norm1.bias"], eps)
    c, _ = multi_head_attention(x, memory, memory, _sub(params, "multihead_attn."), n_head,
                                key_padding_mask=memory_key_padding_mask, need_weights=False,
                                dropout_p=dropout_p, generator=generator)
    x = layer_norm(x + dropout(c, dropout_p, generator), params["norm2.weight"], params["norm2.bias"], eps)
    f = feed_forward(x, params, activation, dropout_p, generator)
    return layer_norm(x + dropout(f, dropout_p, generator), params["norm3.weight"], params["norm3.bias"], eps)


# ---------------------------------------------------------------------------
# 초기화: nn.Transformer._reset_parameters와 같은 분포 (행렬은 Xavier uniform, bias 0, LayerNorm γ=1, β=0)
# ---------------------------------------------------------------------------
def _xavier(shape: tuple[int, int], generator, dtype) -> torch.Tensor:
    """U(−a, a), a = √(6 / (fan_in + fan_out)) (Glorot & Bengio 2010). shape (out, in)."""
    bound = math.sqrt(6.0 / (shape[0] + shape[1]))
    return (torch.rand(shape, generator=generator, dtype=dtype) * 2 - 1) * bound


def layer_param_shapes(d_model: int, d_ff: int, decoder: bool) -> dict[str, tuple[int, ...]]:
    """층 하나의 파라미터 이름 → shape (`nn.Transformer{Encoder,Decoder}Layer.state_dict()`의 순서)."""
    C = d_model
    attn = {"in_proj_weight": (3 * C, C), "in_proj_bias": (3 * C,), "out_proj.weight": (C, C), "out_proj.bias": (C,)}
    shapes = {f"self_attn.{k}": s for k, s in attn.items()}
    if decoder:
        shapes.update({f"multihead_attn.{k}": s for k, s in attn.items()})
    shapes.update({"linear1.weight": (d_ff, C), "linear1.bias": (d_ff,), "linear2.weight": (C, d_ff),
                   "linear2.bias": (C,)})
    for i in range(1, 4 if decoder else 3):
        shapes.update({f"norm{i}.weight": (C,), f"norm{i}.bias": (C,)})
    return shapes


def init_layer_params(d_model: int, d_ff: int, decoder: bool = False, seed: int = 0,
                      dtype=torch.float32) -> dict[str, torch.Tensor]:
    """requires_grad leaf tensor dict. 행렬 Xavier uniform (packed in_proj (3C, C) 전체에 한 번), bias 0, γ 1, β 0."""
    generator = torch.Generator().manual_seed(seed)
    params = {}
    for name, shape in layer_param_shapes(d_model, d_ff, decoder).items():
        if len(shape) == 2:
            value = _xavier(shape, generator, dtype)
        elif name.startswith("norm") and name.endswith("weight"):
            value = torch.ones(shape, dtype=dtype)
        else:
            value = torch.zeros(shape, dtype=dtype)
        params[name] = value.requires_grad_(True)
    return params


__all__ = ["attention_bias", "causal_mask", "masked_softmax", "dropout", "scaled_dot_product_attention",
           "split_heads", "merge_heads", "multi_head_attention", "layer_norm", "feed_forward",
           "positional_encoding", "add_positional_encoding", "encoder_layer", "decoder_layer",
           "layer_param_shapes", "init_layer_params"]
