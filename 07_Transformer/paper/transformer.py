"""Transformer — 논문을 그대로 옮긴 encoder–decoder `nn.Module`.

A. Vaswani, N. Shazeer, N. Parmar, J. Uszkoreit, L. Jones, A. N. Gomez, Ł. Kaiser & I. Polosukhin (2017),
"Attention Is All You Need", NeurIPS.

    §3.1   encoder: N개 층, 층마다 [multi-head self-attention, position-wise FFN]
           decoder: N개 층, 층마다 [masked self-attention, encoder 출력에 대한 multi-head attention, FFN]
           sub-layer마다 LayerNorm(x + Sublayer(x))  — post-LN (LayerNorm이 residual 합 **뒤**)
           (norm_first=True는 pre-LN: x + Sublayer(LayerNorm(x)), stack 끝에 LayerNorm — Xiong et al. 2020,
            `nn.Transformer(norm_first=True)`와 같다. 논문의 층이 아니라 비교용 설정이다: theory.md 6절)
    §3.2   Attention(Q, K, V) = softmax(Q Kᵀ / √d_k) V                                         식 (1)
           MultiHead(Q, K, V) = Concat(head_1, …, head_h) W^O,  head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)
    §3.3   FFN(x) = max(0, x W_1 + b_1) W_2 + b_2                                               식 (2)
    §3.4   source·target embedding과 softmax 앞 linear가 **한 행렬**을 나눠 쓰고, embedding에 √d_model을 곱한다
    §3.5   sinusoidal positional encoding을 embedding에 더한다
    §5.4   sub-layer 출력과 (embedding + PE)의 합에 dropout P_drop = 0.1, label smoothing ε_ls = 0.1
           (attention weight 위의 dropout과 FFN 안쪽 dropout은 §5.4에 없다: 논문 저자들의 tensor2tensor
            코드가 더한 것이고 `nn.Transformer`도 같은 자리에 둔다. 여기서도 두 자리 모두 P_drop을 쓴다)
    §6.1   beam search (beam 4, length penalty α = 0.6)
    Table 3 base: N = 6, d_model = 512, d_ff = 2048, h = 8, d_k = d_v = 64, P_drop = 0.1

`encode` / `decode`는 `nn.Transformer.encoder` / `.decoder`와 같은 계약이다: 입력은 이미 embedding된 float tensor
(B, T, d_model) (batch_first), padding mask는 bool (B, T)로 True = padding, `tgt_mask`는 bool (T, T) True = 가림
또는 `nn.Transformer.generate_square_subsequent_mask`의 additive float mask.

attention은 `F.scaled_dot_product_attention`으로 계산한다 (L2 `pytorch_lowlevel/attention.py`가 손으로 쓴 식과
값·gradient가 같음을 보인다). 그림을 그릴 때만 `keep_attention=True`로 softmax를 직접 계산해 weight를 남긴다.

`nn.Transformer`와 다른 점 (모두 논문 쪽을 따른다):
- 마지막 LayerNorm: 논문의 post-LN 층은 이미 LayerNorm으로 끝나므로 stack 뒤에 LayerNorm이 없다.
  `nn.Transformer`는 encoder·decoder stack 뒤에 하나씩 더 둔다 → `final_norm=True` (from_reference가 켠다).
- Q, K, V projection은 논문처럼 W^Q, W^K, W^V 세 개의 `nn.Linear`다. `nn.MultiheadAttention`은 이것을
  `in_proj_weight` (3·d_model, d_model) 하나로 세로로 쌓아 둔다 → from_reference가 세 덩어리로 자른다.
- 초기화: 논문은 말하지 않는다. 행렬은 `nn.Transformer`처럼 Xavier uniform (단, W^Q·W^K·W^V 각각의
  (d, d)에 대해: packed (3d, d)보다 bound가 √2배 크다), bias는 0, embedding은 평균 0, **표준편차**
  d_model^−1/2인 정규분포 (분산 1/d_model; × √d_model 뒤 분산 1; tensor2tensor의 관례).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

ACTIVATIONS = {"relu": F.relu, "gelu": F.gelu}


# ---------------------------------------------------------------------------
# mask: nn.Transformer 규약 → attention score에 더할 bias (B, 1, T, S)
# ---------------------------------------------------------------------------
def attention_mask(B: int, T: int, S: int, attn_mask=None, key_padding_mask=None,
                   dtype=torch.float32, device=None) -> torch.Tensor | None:
    """attn_mask (T, S) (bool True = 가림, 또는 additive float)와 key_padding_mask (B, S) (bool True = padding)을
    하나의 additive float mask (B, 1, T, S)로 (가릴 곳 −inf). 둘 다 없으면 None. shape·dtype이 틀리면 ValueError."""
    if attn_mask is None and key_padding_mask is None:
        return None
    mask = torch.zeros(B, 1, T, S, dtype=dtype, device=device)                 # (B, 1, T, S)
    if attn_mask is not None:
        if not isinstance(attn_mask, torch.Tensor) or tuple(attn_mask.shape) != (T, S):
            shape = tuple(attn_mask.shape) if isinstance(attn_mask, torch.Tensor) else type(attn_mask).__name__
            raise ValueError(f"attention mask는 (T, S) = ({T}, {S}) shape이어야 합니다: 받은 {shape}")
        if attn_mask.dtype == torch.bool:
            mask = mask.masked_fill(attn_mask, float("-inf"))
        elif attn_mask.is_floating_point():
            mask = mask + attn_mask.to(dtype)
        else:
            raise ValueError(f"attention mask의 dtype은 bool(True = 가림) 또는 float(additive)여야 합니다: "
                             f"받은 dtype {attn_mask.dtype}")
    if key_padding_mask is not None:
        if not isinstance(key_padding_mask, torch.Tensor) or tuple(key_padding_mask.shape) != (B, S):
            shape = (tuple(key_padding_mask.shape) if isinstance(key_padding_mask, torch.Tensor)
                     else type(key_padding_mask).__name__)
            raise ValueError(f"padding mask는 (B, S) = ({B}, {S}) shape이어야 합니다: 받은 {shape}")
        if key_padding_mask.dtype != torch.bool:
            raise ValueError(f"padding mask의 dtype은 bool(True = padding)이어야 합니다: "
                             f"받은 dtype {key_padding_mask.dtype}")
        mask = mask.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))   # (B, 1, 1, S) broadcast
    return mask


def subsequent_mask(T: int, device=None) -> torch.Tensor:
    """§3.2.3: decoder self-attention이 미래를 보지 못하게 하는 bool (T, T), True = 가림 (j > i)."""
    return torch.ones(T, T, dtype=torch.bool, device=device).triu(diagonal=1)


# ---------------------------------------------------------------------------
# §3.2 multi-head attention, §3.3 FFN
# ---------------------------------------------------------------------------
class MultiHeadAttention(nn.Module):
    """MultiHead(Q, K, V) = Concat(head_1, …, head_h) W^O. head마다 d_k = d_v = d_model / h."""

    def __init__(self, d_model: int, n_head: int, dropout: float = 0.1):
        super().__init__()
        if d_model % n_head != 0:
            raise ValueError(f"d_model={d_model}은 head 수 n_head={n_head}로 나누어떨어져야 합니다 "
                             f"(d_k = d_model / h)")
        self.d_model, self.n_head, self.dropout = d_model, n_head, dropout
        self.w_q = nn.Linear(d_model, d_model)          # h개의 W_i^Q (d_model, d_k)를 옆으로 이어 붙인 것
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)          # W^O (h·d_v, d_model)
        self.keep_attention = False                     # True면 softmax weight를 self.attention에 남긴다 (그림용)
        self.attention: torch.Tensor | None = None

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                mask: torch.Tensor | None = None) -> torch.Tensor:
        """query (B, T, C), key·value (B, S, C), mask: additive (B, 1, T, S) 또는 None → (B, T, C)."""
        B, T, C = query.shape
        S = key.shape[1]
        nh, hs = self.n_head, C // self.n_head
        q = self.w_q(query).view(B, T, nh, hs).transpose(1, 2)         # (B, nh, T, hs)
        k = self.w_k(key).view(B, S, nh, hs).transpose(1, 2)           # (B, nh, S, hs)
        v = self.w_v(value).view(B, S, nh, hs).transpose(1, 2)         # (B, nh, S, hs)
        p = self.dropout if self.training else 0.0
        if self.keep_attention:
            scores = q @ k.transpose(-2, -1) / math.sqrt(hs)            # (B, nh, T, S)
            if mask is not None:
                scores = scores + mask
            weights = torch.softmax(scores, dim=-1).nan_to_num(0.0)     # 모두 가려진 행은 0 (SDPA와 같다)
            self.attention = weights.detach()
            y = F.dropout(weights, p, self.training) @ v                # (B, nh, T, hs)
        else:
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)   # (B, nh, T, hs)
        y = y.transpose(1, 2).reshape(B, T, C)                          # Concat(head_1..h): (B, T, nh·hs)
        return self.w_o(y)


class FeedForward(nn.Module):
    """식 (2): 위치마다 같은 두 층 d_model → d_ff → d_model. 안쪽 dropout은 tensor2tensor의 relu_dropout 자리
    (§5.4에는 없다)."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.1, activation: str = "relu"):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation은 {', '.join(ACTIVATIONS)} 중 하나여야 합니다: {activation!r}")
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.dropout(ACTIVATIONS[self.activation](self.linear1(x))))


# ---------------------------------------------------------------------------
# §3.1 encoder 층, decoder 층 (post-LN; norm_first=True면 pre-LN)
# ---------------------------------------------------------------------------
class EncoderLayer(nn.Module):
    """post-LN (논문): x = LN(x + Dropout(Sublayer(x))).   pre-LN (norm_first): x = x + Dropout(Sublayer(LN(x)))."""

    def __init__(self, d_model: int, n_head: int, d_ff: int, dropout: float, activation: str, eps: float,
                 norm_first: bool = False):
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = MultiHeadAttention(d_model, n_head, dropout)
        self.ffn = FeedForward(d_model, d_ff, dropout, activation)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        if self.norm_first:                                                      # pre-LN: residual 경로에 LN이 없다
            h = self.norm1(x)
            x = x + self.dropout1(self.self_attn(h, h, h, mask))
            return x + self.dropout2(self.ffn(self.norm2(x)))
        x = self.norm1(x + self.dropout1(self.self_attn(x, x, x, mask)))        # LayerNorm(x + Sublayer(x))
        return self.norm2(x + self.dropout2(self.ffn(x)))


class DecoderLayer(nn.Module):
    def __init__(self, d_model: int, n_head: int, d_ff: int, dropout: float, activation: str, eps: float,
                 norm_first: bool = False):
        super().__init__()
        self.norm_first = norm_first
        self.self_attn = MultiHeadAttention(d_model, n_head, dropout)
        self.cross_attn = MultiHeadAttention(d_model, n_head, dropout)
        self.ffn = FeedForward(d_model, d_ff, dropout, activation)
        self.norm1 = nn.LayerNorm(d_model, eps=eps)
        self.norm2 = nn.LayerNorm(d_model, eps=eps)
        self.norm3 = nn.LayerNorm(d_model, eps=eps)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.dropout3 = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, memory: torch.Tensor, self_mask: torch.Tensor | None,
                memory_mask: torch.Tensor | None) -> torch.Tensor:
        if self.norm_first:                                                      # pre-LN
            h = self.norm1(x)
            x = x + self.dropout1(self.self_attn(h, h, h, self_mask))
            h = self.norm2(x)
            x = x + self.dropout2(self.cross_attn(h, memory, memory, memory_mask))  # memory는 encoder의 마지막 LN 뒤
            return x + self.dropout3(self.ffn(self.norm3(x)))
        x = self.norm1(x + self.dropout1(self.self_attn(x, x, x, self_mask)))            # masked self-attention
        x = self.norm2(x + self.dropout2(self.cross_attn(x, memory, memory, memory_mask)))  # encoder–decoder attention
        return self.norm3(x + self.dropout3(self.ffn(x)))


class PositionalEncoding(nn.Module):
    """§3.5: PE(pos, 2i) = sin(pos / 10000^{2i/d}), PE(pos, 2i+1) = cos(pos / 10000^{2i/d}). 표는 max_len까지."""

    def __init__(self, d_model: int, max_len: int):
        super().__init__()
        pos = torch.arange(max_len, dtype=torch.float64)[:, None]                 # (max_len, 1)
        div = 10000.0 ** (torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)   # (⌈d/2⌉,)
        pe = torch.zeros(max_len, d_model, dtype=torch.float64)
        pe[:, 0::2] = torch.sin(pos / div)
        pe[:, 1::2] = torch.cos(pos / div)[:, : d_model // 2]
        self.register_buffer("pe", pe.float(), persistent=False)                  # (max_len, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        T = x.shape[1]
        if T > self.pe.shape[0]:
            raise ValueError(f"길이 T={T}인 시퀀스가 positional encoding 표의 max_len={self.pe.shape[0]}보다 깁니다: "
                             f"max_len을 늘려 모델을 만드세요")
        return x + self.pe[:T]


def _activation_name(activation) -> str | None:
    """nn.Transformer 층의 activation (문자열이면 F.relu / F.gelu로 바뀌어 있다) → "relu", "gelu", 또는 None."""
    if activation is F.relu or isinstance(activation, nn.ReLU):
        return "relu"
    if activation is F.gelu or (isinstance(activation, nn.GELU) and activation.approximate == "none"):
        return "gelu"
    return None


# ---------------------------------------------------------------------------
# 전체 모델
# ---------------------------------------------------------------------------
class Transformer(nn.Module):
    """Vaswani et al. (2017)의 encoder–decoder. 기본값은 Table 3의 base 모델.

    vocab_size=None이면 embedding·출력층이 없는 stack만 (`nn.Transformer`와 같은 범위). vocab_size를 주면
    source·target이 한 vocabulary를 쓰고 (§3.4: "shared source-target vocabulary"), share_embeddings=True면
    src embedding = tgt embedding = 출력 projection의 전치 (weight 하나).

    norm_first=True면 pre-LN 층 (theory.md 6절). pre-LN은 마지막 층의 출력이 정규화되지 않으므로 stack 끝의
    LayerNorm이 필요하다: final_norm을 주지 않으면 (None) norm_first를 따른다.
    """

    def __init__(self, vocab_size: int | None = None, d_model: int = 512, n_head: int = 8,
                 num_encoder_layers: int = 6, num_decoder_layers: int = 6, d_ff: int = 2048, dropout: float = 0.1,
                 activation: str = "relu", layer_norm_eps: float = 1e-5, final_norm: bool | None = None,
                 share_embeddings: bool = True, max_len: int = 256, pad_id: int = 0, norm_first: bool = False):
        super().__init__()
        for name, value in (("d_model", d_model), ("n_head", n_head), ("num_encoder_layers", num_encoder_layers),
                            ("num_decoder_layers", num_decoder_layers), ("d_ff", d_ff), ("max_len", max_len)):
            if int(value) != value or value < 1:
                raise ValueError(f"{name}는 1 이상의 정수여야 합니다: {name}={value}")
        if d_model % n_head != 0:
            raise ValueError(f"d_model={d_model}은 head 수 n_head={n_head}로 나누어떨어져야 합니다 "
                             f"(d_k = d_model / h)")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout은 [0, 1) 안이어야 합니다: dropout={dropout}")
        final_norm = bool(norm_first) if final_norm is None else bool(final_norm)
        self.config = dict(vocab_size=vocab_size, d_model=d_model, n_head=n_head,
                           num_encoder_layers=num_encoder_layers, num_decoder_layers=num_decoder_layers, d_ff=d_ff,
                           dropout=dropout, activation=activation, layer_norm_eps=layer_norm_eps,
                           final_norm=final_norm, share_embeddings=share_embeddings, max_len=max_len, pad_id=pad_id,
                           norm_first=norm_first)
        self.d_model, self.vocab_size, self.pad_id = d_model, vocab_size, pad_id
        layer = (d_model, n_head, d_ff, dropout, activation, layer_norm_eps, norm_first)
        self.encoder_layers = nn.ModuleList(EncoderLayer(*layer) for _ in range(num_encoder_layers))
        self.decoder_layers = nn.ModuleList(DecoderLayer(*layer) for _ in range(num_decoder_layers))
        self.encoder_norm = nn.LayerNorm(d_model, eps=layer_norm_eps) if final_norm else None
        self.decoder_norm = nn.LayerNorm(d_model, eps=layer_norm_eps) if final_norm else None
        if vocab_size is not None:
            self.positional = PositionalEncoding(d_model, max_len)
            self.embed_dropout = nn.Dropout(dropout)
            self.src_embedding = nn.Embedding(vocab_size, d_model)
            if share_embeddings:                                         # §3.4: 세 곳이 한 행렬
                self.tgt_embedding = self.src_embedding
                self.output = None
            else:
                self.tgt_embedding = nn.Embedding(vocab_size, d_model)
                self.output = nn.Linear(d_model, vocab_size, bias=False)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """행렬 Xavier uniform, bias 0, LayerNorm γ = 1, β = 0, embedding 평균 0·표준편차 d_model^−1/2의 정규분포."""
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.Embedding):
                nn.init.normal_(module.weight, mean=0.0, std=self.d_model ** -0.5)

    # ---- 이미 embedding된 tensor에 대한 stack (nn.Transformer.encoder / .decoder와 같은 계약) ----
    def _check_embedded(self, x: torch.Tensor, name: str) -> None:
        if not isinstance(x, torch.Tensor) or x.ndim != 3 or x.shape[-1] != self.d_model or not x.is_floating_point():
            shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
            raise ValueError(f"{name}는 embedding된 float tensor (B, T, d_model={self.d_model})여야 합니다: "
                             f"받은 shape {shape}")

    def encode(self, src: torch.Tensor, src_key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        """src (B, S, d_model) → memory (B, S, d_model). src_key_padding_mask: bool (B, S), True = padding."""
        self._check_embedded(src, "src")
        B, S, _ = src.shape
        mask = attention_mask(B, S, S, None, src_key_padding_mask, src.dtype, src.device)    # (B, 1, S, S)
        x = src
        for layer in self.encoder_layers:
            x = layer(x, mask)
        return x if self.encoder_norm is None else self.encoder_norm(x)

    def decode(self, tgt: torch.Tensor, memory: torch.Tensor, tgt_mask: torch.Tensor | None = None,
               tgt_key_padding_mask: torch.Tensor | None = None,
               memory_key_padding_mask: torch.Tensor | None = None) -> torch.Tensor:
        """tgt (B, T, d_model), memory (B, S, d_model) → (B, T, d_model).

        tgt_mask: bool (T, T) True = 가림, 또는 additive float (T, T). padding mask는 bool, True = padding.
        """
        self._check_embedded(tgt, "tgt")
        self._check_embedded(memory, "memory")
        B, T, _ = tgt.shape
        S = memory.shape[1]
        if memory.shape[0] != B:
            raise ValueError(f"memory의 batch 크기는 tgt와 같은 B={B}여야 합니다: 받은 shape {tuple(memory.shape)}")
        self_mask = attention_mask(B, T, T, tgt_mask, tgt_key_padding_mask, tgt.dtype, tgt.device)   # (B, 1, T, T)
        memory_mask = attention_mask(B, T, S, None, memory_key_padding_mask, tgt.dtype, tgt.device)  # (B, 1, 1→T, S)
        x = tgt
        for layer in self.decoder_layers:
            x = layer(x, memory, self_mask, memory_mask)
        return x if self.decoder_norm is None else self.decoder_norm(x)

    # ---- token id 쪽: §3.4 embedding × √d_model + §3.5 PE, §5.4 dropout, 공유된 출력층 ----
    def _check_ids(self, ids: torch.Tensor, name: str) -> None:
        if self.vocab_size is None:
            raise ValueError("vocab_size 없이 만든 모델(stack만)은 token id를 받지 않습니다: encode/decode를 쓰세요")
        if not isinstance(ids, torch.Tensor) or ids.ndim != 2 or ids.dtype not in (torch.int64, torch.int32):
            shape = tuple(ids.shape) if isinstance(ids, torch.Tensor) else type(ids).__name__
            raise ValueError(f"{name}는 정수 token id (B, T) tensor여야 합니다: 받은 {shape}")
        if ids.numel() and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError(f"{name}의 token id는 [0, vocab_size={self.vocab_size}) 안이어야 합니다: "
                             f"받은 범위 [{ids.min().item()}, {ids.max().item()}]")

    def embed(self, ids: torch.Tensor, side: str = "src") -> torch.Tensor:
        """ids (B, T) → Dropout(Embedding(ids) · √d_model + PE) (B, T, d_model)."""
        self._check_ids(ids, f"{side} ids")
        table = self.src_embedding if side == "src" else self.tgt_embedding
        return self.embed_dropout(self.positional(table(ids) * math.sqrt(self.d_model)))

    def project(self, h: torch.Tensor) -> torch.Tensor:
        """decoder 출력 (B, T, d_model) → logits (B, T, V). 공유면 embedding 행렬의 전치를 곱한다 (§3.4)."""
        if self.output is None:
            return h @ self.src_embedding.weight.T                                   # (B, T, V)
        return self.output(h)

    def forward(self, src_ids: torch.Tensor, tgt_ids: torch.Tensor) -> torch.Tensor:
        """teacher forcing: src_ids (B, S), tgt_ids (B, T) (BOS로 시작) → 다음 token의 logits (B, T, V)."""
        src_pad, tgt_pad = src_ids == self.pad_id, tgt_ids == self.pad_id        # bool (B, S), (B, T)
        memory = self.encode(self.embed(src_ids, "src"), src_pad)
        T = tgt_ids.shape[1]
        h = self.decode(self.embed(tgt_ids, "tgt"), memory, subsequent_mask(T, tgt_ids.device), tgt_pad, src_pad)
        return self.project(h)

    def attention_modules(self) -> dict[str, list[MultiHeadAttention]]:
        """그림용: {"encoder_self": [층마다], "decoder_self": [...], "cross": [...]}."""
        return {"encoder_self": [layer.self_attn for layer in self.encoder_layers],
                "decoder_self": [layer.self_attn for layer in self.decoder_layers],
                "cross": [layer.cross_attn for layer in self.decoder_layers]}

    # ---- torch.nn.Transformer에서 가중치 옮기기 ----
    @classmethod
    def from_reference(cls, ref: nn.Transformer) -> Transformer:
        """`nn.Transformer(batch_first=True)`의 encoder·decoder stack을 복사한 모델 (vocab 없음).
        norm_first (post-LN / pre-LN)도 옮긴다.

        key 대응 (transpose 없음: 둘 다 nn.Linear의 (out, in) layout):
            encoder.layers.{i}.self_attn.in_proj_weight (3C, C) → encoder_layers.{i}.self_attn.w_q/w_k/w_v.weight
                                                                  (세로로 [0, C), [C, 2C), [2C, 3C))
            …self_attn.in_proj_bias (3C,)                       → w_q/w_k/w_v.bias
            …self_attn.out_proj.{weight,bias}                   → …self_attn.w_o.{weight,bias}
            decoder.layers.{i}.multihead_attn.*                 → decoder_layers.{i}.cross_attn.*
            …linear1 / linear2                                  → …ffn.linear1 / ffn.linear2
            …norm1/2/3                                          → …norm1/2/3
            encoder.norm / decoder.norm                         → encoder_norm / decoder_norm (final_norm=True)
        옮길 수 없는 설정(batch_first=False, relu·gelu 밖의 activation, bias=False, 층마다 다른 설정 — norm_first가
        층마다 다른 것 포함)은 그 설정의 이름을 담은 ValueError로 거부한다.
        """
        if not isinstance(ref, nn.Transformer):
            raise ValueError(f"from_reference는 torch.nn.Transformer를 받습니다: 받은 {type(ref).__name__}")
        enc_layers, dec_layers = list(ref.encoder.layers), list(ref.decoder.layers)
        first = enc_layers[0]
        settings = []
        for where, layer in [("encoder", lyr) for lyr in enc_layers] + [("decoder", lyr) for lyr in dec_layers]:
            if not layer.self_attn.batch_first:
                raise ValueError(f"{where} 층이 batch_first=False입니다: batch_first=True인 nn.Transformer만 "
                                 f"옮깁니다")
            kind = _activation_name(layer.activation)
            if kind is None:
                raise ValueError(f"{where} 층의 activation={layer.activation!r}은 옮길 수 없습니다: "
                                 f"'relu' 또는 'gelu'만 지원합니다")
            if layer.linear1.bias is None or layer.self_attn.in_proj_bias is None or layer.norm1.bias is None:
                raise ValueError(f"{where} 층이 bias=False입니다: bias가 있는 nn.Transformer만 옮깁니다")
            attn_dropouts = {layer.self_attn.dropout}
            if where == "decoder":
                attn_dropouts.add(layer.multihead_attn.dropout)
            settings.append((kind, layer.linear1.out_features, layer.norm1.eps, layer.dropout.p,
                             frozenset(attn_dropouts), bool(layer.norm_first)))
        if len(set(settings)) != 1:
            raise ValueError(f"층마다 설정(activation, dim_feedforward, layer_norm_eps, dropout, norm_first)이 "
                             f"다릅니다: {sorted(set(settings), key=str)}")
        kind, d_ff, eps, p, attn_p, norm_first = settings[0]
        if attn_p != {p}:
            raise ValueError(f"attention dropout {set(attn_p)}이 층의 dropout {p}과 다릅니다: 한 값만 옮깁니다")
        has_norm = (ref.encoder.norm is not None, ref.decoder.norm is not None)
        if has_norm[0] != has_norm[1]:
            raise ValueError(f"encoder.norm과 decoder.norm 중 하나만 있습니다 ({has_norm}): 둘 다 있거나 없어야 합니다")
        final_eps = {m.eps for m in (ref.encoder.norm, ref.decoder.norm) if m is not None}
        if final_eps and final_eps != {eps}:
            raise ValueError(f"마지막 LayerNorm의 eps {final_eps}가 층의 layer_norm_eps={eps}와 다릅니다")
        model = cls(None, d_model=first.self_attn.embed_dim, n_head=first.self_attn.num_heads,
                    num_encoder_layers=len(enc_layers), num_decoder_layers=len(dec_layers), d_ff=d_ff, dropout=p,
                    activation=kind, layer_norm_eps=eps, final_norm=has_norm[0], norm_first=norm_first)
        model.load_reference_state(ref.state_dict())
        return model

    def load_reference_state(self, ref_state: dict) -> None:
        """`nn.Transformer.state_dict()`를 위 대응으로 옮긴다. 모든 key를 한 번씩 쓰고, shape을 하나하나 확인한다."""
        ours = self.state_dict()
        C = self.d_model
        filled: dict[str, torch.Tensor] = {}
        for key, value in ref_state.items():
            parts = key.split(".")
            if parts[0] in ("encoder", "decoder") and parts[1] == "norm":               # encoder.norm.weight
                targets = {f"{parts[0]}_norm.{parts[2]}": value}
            elif parts[0] in ("encoder", "decoder") and parts[1] == "layers":
                prefix = f"{parts[0]}_layers.{parts[2]}."
                rest = ".".join(parts[3:])
                module, _, leaf = rest.partition(".")
                if module in ("self_attn", "multihead_attn"):
                    name = prefix + ("self_attn" if module == "self_attn" else "cross_attn")
                    if leaf in ("in_proj_weight", "in_proj_bias"):
                        kind = "weight" if leaf == "in_proj_weight" else "bias"
                        q, k, v = value.split(C, dim=0)                          # 세로로 [W^Q; W^K; W^V]
                        targets = {f"{name}.w_q.{kind}": q, f"{name}.w_k.{kind}": k, f"{name}.w_v.{kind}": v}
                    elif leaf.startswith("out_proj."):
                        targets = {f"{name}.w_o.{leaf.split('.')[1]}": value}
                    else:
                        raise ValueError(f"옮길 곳이 없는 attention key: {key}")
                elif module in ("linear1", "linear2"):
                    targets = {f"{prefix}ffn.{rest}": value}
                elif module in ("norm1", "norm2", "norm3"):
                    targets = {prefix + rest: value}
                else:
                    raise ValueError(f"옮길 곳이 없는 key: {key}")
            else:
                raise ValueError(f"옮길 곳이 없는 key: {key}")
            for target, tensor in targets.items():
                if target not in ours or target in filled:
                    raise ValueError(f"{key} → {target}: 이 모델에 없거나 두 번 채워지는 key입니다")
                if ours[target].shape != tensor.shape:
                    raise ValueError(f"{key} → {target}: shape {tuple(tensor.shape)} ≠ {tuple(ours[target].shape)}")
                filled[target] = tensor.detach().clone()
        stack_keys = {k for k in ours if k.startswith(("encoder_", "decoder_"))}
        missing = stack_keys - set(filled)
        if missing:
            raise ValueError(f"reference에 없는 key: {sorted(missing)}")
        self.load_state_dict(filled, strict=False)


# ---------------------------------------------------------------------------
# §5.4 label smoothing, §6.1 decoding
# ---------------------------------------------------------------------------
def label_smoothed_cross_entropy(logits: torch.Tensor, target: torch.Tensor, epsilon: float = 0.1,
                                 ignore_index: int = 0) -> torch.Tensor:
    """정답에 1 − ε, 나머지 V개 class 모두에 ε/V를 둔 분포 q에 대한 cross-entropy −Σ q log p (token 평균).

    `F.cross_entropy(label_smoothing=ε, ignore_index=...)`와 같은 정의 (test_paper.py가 비교한다). ignore_index
    위치(padding)는 평균에서 빠진다. logits (N, V), target (N,).
    """
    log_p = F.log_softmax(logits, dim=-1)                                     # (N, V)
    nll = -log_p.gather(1, target[:, None]).squeeze(1)                       # (N,) 정답 token의 −log p
    uniform = -log_p.mean(dim=-1)                                            # (N,) −(1/V) Σ_v log p_v
    loss = (1.0 - epsilon) * nll + epsilon * uniform
    keep = target != ignore_index
    return loss[keep].mean()


@torch.no_grad()
def greedy_decode(model: Transformer, src_ids: torch.Tensor, bos_id: int, eos_id: int, max_len: int) -> torch.Tensor:
    """매 step 가장 확률이 큰 token을 고른다. src_ids (B, S) → (B, ≤ max_len) (BOS 뺌, EOS 뒤는 pad)."""
    model.eval()
    src_pad = src_ids == model.pad_id
    memory = model.encode(model.embed(src_ids, "src"), src_pad)               # (B, S, d)
    B = src_ids.shape[0]
    ys = torch.full((B, 1), bos_id, dtype=torch.long, device=src_ids.device)  # (B, 1)
    done = torch.zeros(B, dtype=torch.bool, device=src_ids.device)
    for _ in range(max_len):
        T = ys.shape[1]
        h = model.decode(model.embed(ys, "tgt"), memory, subsequent_mask(T, ys.device), None, src_pad)
        next_id = model.project(h[:, -1]).argmax(dim=-1)                      # (B,)
        next_id = torch.where(done, torch.full_like(next_id, model.pad_id), next_id)
        ys = torch.cat([ys, next_id[:, None]], dim=1)
        done = done | (next_id == eos_id)
        if done.all():
            break
    return ys[:, 1:]


def length_penalty(length: torch.Tensor, alpha: float) -> torch.Tensor:
    """Wu et al. (2016, GNMT) 식 (14): lp(Y) = ((5 + |Y|) / 6)^α. §6.1이 α = 0.6으로 쓴다."""
    return ((5.0 + length) / 6.0) ** alpha


@torch.no_grad()
def beam_search(model: Transformer, src_ids: torch.Tensor, bos_id: int, eos_id: int, max_len: int,
                beam_size: int = 4, alpha: float = 0.6) -> torch.Tensor:
    """§6.1 beam search (batch 전체를 한 번에). 가설마다 log p의 합을 유지하며 매 step beam_size개를 남기고,
    끝난 가설(EOS를 낸 것)은 그대로 둔다. 마지막에 log p / lp(길이)가 가장 큰 가설을 고른다.

    src_ids (B, S) → (B, ≤ max_len) (BOS 뺌, EOS 뒤 pad). beam_size = 1, α = 0이면 greedy와 같다.
    """
    model.eval()
    B, K, pad = src_ids.shape[0], beam_size, model.pad_id
    device = src_ids.device
    src_pad = src_ids == pad
    memory = model.encode(model.embed(src_ids, "src"), src_pad)               # (B, S, d)
    memory = memory.repeat_interleave(K, dim=0)                               # (B·K, S, d)
    src_pad = src_pad.repeat_interleave(K, dim=0)                             # (B·K, S)
    ys = torch.full((B * K, 1), bos_id, dtype=torch.long, device=device)      # (B·K, 1)
    scores = torch.full((B, K), float("-inf"), device=device)
    scores[:, 0] = 0.0                                                        # 처음에는 가설 하나만 살아 있다
    done = torch.zeros(B, K, dtype=torch.bool, device=device)
    lengths = torch.zeros(B, K, device=device)                                # EOS까지 포함한 token 수
    for _ in range(max_len):
        T = ys.shape[1]
        h = model.decode(model.embed(ys, "tgt"), memory, subsequent_mask(T, device), None, src_pad)
        log_p = F.log_softmax(model.project(h[:, -1]), dim=-1).view(B, K, -1)    # (B, K, V)
        V = log_p.shape[-1]
        finished_row = torch.full((V,), float("-inf"), device=device)
        finished_row[pad] = 0.0                                               # 끝난 가설은 pad만, 점수 그대로
        log_p = torch.where(done[:, :, None], finished_row, log_p)
        candidates = (scores[:, :, None] + log_p).view(B, K * V)              # (B, K·V)
        scores, flat = candidates.topk(K, dim=-1)                             # (B, K)
        parent, token = flat // V, flat % V                                   # 어느 가설에서, 어떤 token으로
        rows = (torch.arange(B, device=device)[:, None] * K + parent).view(-1)    # (B·K,)
        ys = torch.cat([ys[rows], token.view(-1, 1)], dim=1)                  # (B·K, T+1)
        was_done = done.gather(1, parent)
        lengths = lengths.gather(1, parent) + (~was_done).float()
        done = was_done | (token == eos_id)
        if done.all():
            break
    normalized = scores / length_penalty(lengths, alpha)                      # (B, K)
    best = normalized.argmax(dim=-1)                                          # (B,)
    ys = ys.view(B, K, -1)[torch.arange(B, device=device), best]              # (B, T+1)
    return ys[:, 1:]


__all__ = ["Transformer", "MultiHeadAttention", "FeedForward", "EncoderLayer", "DecoderLayer", "PositionalEncoding",
           "attention_mask", "subsequent_mask", "label_smoothed_cross_entropy", "greedy_decode", "beam_search",
           "length_penalty"]
