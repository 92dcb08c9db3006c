"""GPT-2 (그리고 flag 하나로 GPT-1) — 논문을 따라 읽히는 decoder-only Transformer.

GPT-1: A. Radford, K. Narasimhan, T. Salimans & I. Sutskever (2018), "Improving Language Understanding by
Generative Pre-Training", Section 3.1, 식 (2):

    h_0 = U W_e + W_p                          token embedding + 학습되는 position embedding
    h_l = transformer_block(h_{l−1})            l = 1..n, masked (causal) self-attention
    P(u) = softmax(h_n W_eᵀ)                   출력층은 token embedding 행렬을 다시 쓴다 (weight tying)

  GPT-1의 block은 원래 Transformer (Vaswani et al. 2017)와 같은 **post-LN**이다:
      x = LN(x + Attn(x)),   x = LN(x + MLP(x))          마지막 LayerNorm 없음.

GPT-2: A. Radford, J. Wu, R. Child, D. Luan, D. Amodei & I. Sutskever (2019), "Language Models are
Unsupervised Multitask Learners", Section 2.3 (Model):

  * "Layer normalization was moved to the input of each sub-block" → **pre-LN**:
        x = x + Attn(LN_1(x)),   x = x + MLP(LN_2(x))
  * "an additional layer normalization was added after the final self-attention block" → `ln_f`
  * "We scale the weights of residual layers at initialization by a factor of 1/√N where N is the number of
    residual layers" → 두 residual projection (`attn.c_proj`, `mlp.c_proj`)의 std = 0.02/√(2·n_layer)
    (GPT-1 모양 `pre_ln=False`는 이 축소 없이 모든 행렬이 N(0, 0.02): GPT-1 Section 4.1)
  * vocabulary 50,257 = 256 byte + 50,000 merge + `<|endoftext|>` (byte-level BPE, `09_GPT/bpe.py`),
    context 1,024 token (position table `wpe`의 행 수 = 한 번에 볼 수 있는 최대 길이).

Attention (Vaswani et al. 2017, 식 (1)), causal mask로 미래를 가린다:

    Attention(Q, K, V) = softmax(Q Kᵀ / √d_k + M) V,     M_ij = −∞ (j > i), 0 (j ≤ i)

MLP의 activation은 GELU (Hendrycks & Gimpel 2016)의 tanh 근사다 (OpenAI의 원래 TensorFlow 코드, HF의
`gelu_new`):  GELU(x) ≈ ½ x (1 + tanh(√(2/π) (x + 0.044715 x³))).

layout은 nanoGPT의 `model.py`, 그리고 Hugging Face `GPT2LMHeadModel`의 이름을 그대로 따른다
(transformer.wte / wpe / h[i].ln_1 / attn.c_attn / attn.c_proj / ln_2 / mlp.c_fc / mlp.c_proj / ln_f, lm_head).
그래서 `from_reference`는 이름을 1:1로 옮기고, HF의 `Conv1D` 네 종류만 transpose한다 (그 이유는
`CONV1D_WEIGHTS` 위의 주석).

생성 (`generate`)은 KV cache를 쓴다: 한 번 계산한 각 층의 key/value를 `KVCache`에 두고, 새 token 하나의
query만 계산한다. cache를 쓴 생성은 매번 전체를 다시 계산한 결과와 같아야 한다 (test_paper.py가 확인).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from utils.hub import hf_pretrained


@dataclass
class GPTConfig:
    """모델의 모양. 기본값은 GPT-2 small (124M, HF의 `gpt2`)."""

    block_size: int = 1024          # position table의 길이 = 한 번에 볼 수 있는 최대 token 수
    vocab_size: int = 50257         # 256 byte + 50,000 merge + <|endoftext|>
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    n_inner: int | None = None      # MLP 은닉 폭, None이면 4·n_embd
    embd_pdrop: float = 0.1         # embedding 합 뒤의 dropout
    attn_pdrop: float = 0.1         # attention 확률 위의 dropout
    resid_pdrop: float = 0.1        # 두 residual branch 끝의 dropout
    layer_norm_eps: float = 1e-5
    activation: str = "gelu_tanh"   # "gelu_tanh" (GPT-2, HF gelu_new) | "gelu" (erf, 정확한 GELU)
    pre_ln: bool = True             # True: GPT-2 (pre-LN + ln_f), False: GPT-1 (post-LN, ln_f 없음)
    tie_weights: bool = True        # lm_head.weight is transformer.wte.weight
    bias: bool = True               # Linear와 LayerNorm의 bias (GPT-2는 있다)
    scale_residual_init: bool | None = None   # c_proj를 0.02/√(2·n_layer)로 (GPT-2). None이면 pre_ln을 따른다

    def __post_init__(self):
        if self.scale_residual_init is None:          # GPT-2 (pre-LN)는 줄이고, GPT-1 (post-LN)은 모두 N(0, 0.02)
            self.scale_residual_init = self.pre_ln
        for name in ("block_size", "vocab_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}은 1 이상의 정수여야 합니다: {value!r}")
        if self.n_embd % self.n_head != 0:
            raise ValueError(f"n_embd({self.n_embd})는 n_head({self.n_head})로 나누어떨어져야 합니다")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation은 {', '.join(ACTIVATIONS)} 중 하나여야 합니다: {self.activation!r}")
        for name in ("embd_pdrop", "attn_pdrop", "resid_pdrop"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"{name}은 [0, 1) 안이어야 합니다: {getattr(self, name)}")

    @property
    def inner(self) -> int:
        return self.n_inner if self.n_inner is not None else 4 * self.n_embd

    @classmethod
    def gpt2(cls, **overrides) -> GPTConfig:
        """GPT-2 small: 12층, 12 head, 768 폭, 1024 context (논문 Table 2의 117M 행; 실제로는 124M)."""
        return cls(**overrides)

    @classmethod
    def gpt1(cls, **overrides) -> GPTConfig:
        """GPT-1 (2018, Section 4.1): 12층, 12 head, 768 폭, 512 context, 40,478 BPE vocab, post-LN.

        초기화는 모든 행렬이 N(0, 0.02)다 (Section 4.1; GPT-2의 residual 축소 없음 → scale_residual_init=False).
        activation은 GPT-2와 같은 tanh 근사 GELU다 (OpenAI의 원래 코드, HF `OpenAIGPTModel`의 "gelu").
        """
        base = dict(block_size=512, vocab_size=40478, pre_ln=False)
        base.update(overrides)
        return cls(**base)


# GPT-2 크기별 (n_layer, n_head, n_embd): 논문 Table 2, HF hub의 이름.
PRETRAINED_SIZES = {
    "gpt2": (12, 12, 768),
    "gpt2-medium": (24, 16, 1024),
    "gpt2-large": (36, 20, 1280),
    "gpt2-xl": (48, 25, 1600),
}


def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    """GELU의 tanh 근사 (Hendrycks & Gimpel 2016, Section 2): OpenAI GPT-2 코드와 HF `gelu_new`의 식

        GELU(x) ≈ ½ x (1 + tanh(√(2/π) (x + 0.044715 x³)))

    를 PyTorch의 묶인(fused) kernel `F.gelu(x, approximate="tanh")` 하나로 계산한다. 식을 연산 그대로
    (x³, 곱, 합, tanh, 곱) 쓰면 연산마다 (B, T, 4C) 임시 tensor가 생기고 backward가 그것들을 모두 저장한다 —
    nanoGPT 크기의 학습 step에서 눈에 띄는 비용이다. 값은 float 반올림만큼만 다르다 (`test_formulas.py`가
    float64에서 식과 값·gradient를 비교한다). 식을 연산 그대로 쓴 것은 L2 `pytorch_lowlevel/gpt.py`에 있다.
    """
    return F.gelu(x, approximate="tanh")


ACTIVATIONS = {"gelu_tanh": gelu_tanh, "gelu": F.gelu}


class KVCache:
    """층마다 key / value를 미리 잡아 둔 buffer (B, nh, max_len, hs)에 쌓는다.

    `length`는 지금까지 들어간 token 수다. 새 token t개가 들어오면 각 층은 buffer의 [length, length+t)에
    자기 k, v를 쓰고 [0, length+t)를 읽는다; 모든 층이 끝나면 `advance(t)`로 length를 옮긴다.
    `torch.cat`으로 매번 늘리는 것보다 복사가 적다 (HF의 `DynamicCache`는 cat으로 늘린다).
    """

    def __init__(self, n_layer: int, batch: int, n_head: int, max_len: int, head_size: int,
                 dtype=torch.float32, device=None):
        shape = (batch, n_head, max_len, head_size)                        # (B, nh, T_max, hs)
        self.keys = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(n_layer)]
        self.values = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(n_layer)]
        self.max_len = max_len
        self.length = 0

    def update(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """k, v (B, nh, t, hs)를 layer의 buffer에 쓰고, 지금까지의 전체 (B, nh, length+t, hs)를 돌려준다."""
        t = k.size(2)
        end = self.length + t
        if end > self.max_len:
            raise ValueError(f"KV cache가 가득 찼습니다: {self.max_len} token까지 담는데 {end}번째가 들어왔습니다")
        self.keys[layer][:, :, self.length:end] = k
        self.values[layer][:, :, self.length:end] = v
        return self.keys[layer][:, :, :end], self.values[layer][:, :, :end]

    def advance(self, t: int) -> None:
        self.length += t


class CausalSelfAttention(nn.Module):
    """Masked multi-head self-attention (Vaswani et al. 2017, Section 3.2.2; GPT-1 Section 3.1).

    Q, K, V를 한 번의 Linear `c_attn` (C → 3C)으로 만들고 head로 나눈다. 확률 계산은
    `F.scaled_dot_product_attention`에 맡긴다: 같은 식을 손으로 쓴 것은 `pytorch_lowlevel/gpt.py`의
    `causal_self_attention`이고, test_lowlevel.py가 두 값이 같음을 확인한다.
    """

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)   # Q, K, V를 한 번에
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)       # head들을 다시 섞는다
        self.attn_pdrop = config.attn_pdrop
        self.resid_dropout = nn.Dropout(config.resid_pdrop)

    def qkv(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)                 # 각각 (B, T, C)
        hs = C // self.n_head
        q = q.view(B, T, self.n_head, hs).transpose(1, 2)                  # (B, nh, T, hs)
        k = k.view(B, T, self.n_head, hs).transpose(1, 2)                  # (B, nh, T, hs)
        v = v.view(B, T, self.n_head, hs).transpose(1, 2)                  # (B, nh, T, hs)
        return q, k, v

    def forward(self, x: torch.Tensor, cache: KVCache | None = None, layer: int = 0) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = self.qkv(x)
        dropout_p = self.attn_pdrop if self.training else 0.0
        if cache is None or cache.length == 0:
            if cache is not None:
                cache.update(layer, k, v)                                   # prompt 전체를 한 번에 채운다
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout_p, is_causal=True)  # (B, nh, T, hs)
        else:
            past = cache.length
            k, v = cache.update(layer, k, v)                                # (B, nh, past+T, hs)
            # 새 query i (절대 위치 past+i)는 key j ≤ past+i만 본다. T = 1 (한 token씩 생성하는 decode step)이면
            # 새 query가 가장 뒤 위치라 key 0..past를 모두 보므로 mask가 전부 True: 가리는 것이 없어 만들지 않는다.
            allowed = None
            if T > 1:
                allowed = torch.ones(T, past + T, dtype=torch.bool, device=x.device).tril(diagonal=past)  # (T, past+T)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed, dropout_p=dropout_p)   # (B, nh, T, hs)
        y = y.transpose(1, 2).contiguous().view(B, T, C)                    # (B, T, C): head를 다시 이어 붙인다
        return self.resid_dropout(self.c_proj(y))

    @torch.no_grad()
    def attention_weights(self, x: torch.Tensor) -> torch.Tensor:
        """그림용: softmax(QKᵀ/√d_k + M)을 직접 계산해 (B, nh, T, T)로 돌려준다 (dropout 없음)."""
        T = x.size(1)
        q, k, _ = self.qkv(x)
        scores = q @ k.transpose(-2, -1) / math.sqrt(k.size(-1))            # (B, nh, T, T)
        future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(diagonal=1)
        return scores.masked_fill(future, float("-inf")).softmax(dim=-1)


class MLP(nn.Module):
    """Position-wise feed-forward: Linear(C → 4C) → GELU → Linear(4C → C) → dropout."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, config.inner, bias=config.bias)
        self.act = ACTIVATIONS[config.activation]
        self.c_proj = nn.Linear(config.inner, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.resid_pdrop)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.c_proj(self.act(self.c_fc(x))))


class Block(nn.Module):
    """Transformer decoder block. GPT-2: pre-LN (LN이 branch 입력에), GPT-1: post-LN (LN이 합 뒤에)."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.pre_ln = config.pre_ln
        self.ln_1 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_eps, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_eps, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor, cache: KVCache | None = None, layer: int = 0) -> torch.Tensor:
        if self.pre_ln:                                                     # GPT-2 Section 2.3
            x = x + self.attn(self.ln_1(x), cache, layer)
            x = x + self.mlp(self.ln_2(x))
        else:                                                               # GPT-1 = Vaswani et al. 2017
            x = self.ln_1(x + self.attn(x, cache, layer))
            x = self.ln_2(x + self.mlp(x))
        return x


# ---------------------------------------------------------------------------
# sampling: logits를 바꾸는 세 가지 (theory.md 7절). 순서와 경계는 HF `generate`의 logits processor와 같다:
# TemperatureLogitsWarper → TopKLogitsWarper → TopPLogitsWarper (test_sampling.py가 V = 50,257에서 확인한다)
# ---------------------------------------------------------------------------
def check_sampling_arguments(temperature: float, top_k: int | None, top_p: float | None) -> None:
    """temperature > 0, top_k는 None 또는 0 이상의 정수, top_p는 None 또는 [0, 1]. 아니면 이름을 말하는 ValueError."""
    if not (isinstance(temperature, (int, float)) and temperature > 0.0):
        raise ValueError(f"temperature는 0보다 커야 합니다: {temperature!r} (greedy는 do_sample=False)")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 0):
        raise ValueError(f"top_k는 0 이상의 정수(0이면 끔) 또는 None이어야 합니다: {top_k!r}")
    if top_p is not None and not (isinstance(top_p, (int, float)) and 0.0 <= top_p <= 1.0):
        raise ValueError(f"top_p는 [0, 1] 안의 수(1.0이면 끔) 또는 None이어야 합니다: {top_p!r}")


def warp_logits(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                top_p: float | None = None) -> torch.Tensor:
    """logits (B, V) → 뽑을 분포의 logits (B, V): 버린 token은 −∞. softmax를 걸면 sampling 분포다.

    1. temperature:  z / T. T < 1이면 분포가 뾰족해지고 T > 1이면 평평해진다 (T = 1이면 그대로).
    2. top_k:        k번째로 큰 값보다 작은 logit을 버린다 (k번째와 같은 값은 남는다). None·0이면 끔, k ≥ V면 전부.
    3. top_p:        Holtzman et al. (2020) 식 (2)의 nucleus: 확률이 큰 token부터 더해 처음으로 top_p에 닿는
                     가장 작은 집합만 남긴다. None·1.0이면 끔. 가장 큰 token 하나는 언제나 남는다.

    top_p의 경계는 **작은 확률부터** 더해 찾는다: 오름차순으로 정렬한 확률의 누적합 c_j가 1 − top_p 이하인
    token을 버린다 (= 자기보다 큰 token들의 합이 이미 top_p 이상). 큰 것부터 float32로 더하면 V = 50,257에서
    누적합이 끝에 닿기 전에 1.0으로 굳어 (큰 합에 아주 작은 수를 더해도 값이 변하지 않는다) top_p = 1.0에서도
    꼬리 token이 잘리고, top_p가 1에 가까우면 경계가 흔들린다. 작은 것부터 더하면 꼬리의 질량이 정확히 쌓인다.
    """
    check_sampling_arguments(temperature, top_k, top_p)
    if logits.ndim != 2 or not logits.is_floating_point():
        raise ValueError(f"logits는 (B, V) float tensor여야 합니다: 받은 shape {tuple(logits.shape)}, "
                         f"dtype {logits.dtype}")
    if temperature != 1.0:
        logits = logits / temperature
    if top_k:                                                               # None과 0은 끔
        kth = torch.topk(logits, min(top_k, logits.size(-1))).values[:, -1:]   # (B, 1): k번째로 큰 값
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if top_p is not None and top_p < 1.0:
        ascending, order = torch.sort(logits, descending=False)              # (B, V): 작은 것부터
        mass_up_to = ascending.softmax(dim=-1).cumsum(dim=-1)                # (B, V): 자기까지의 작은 쪽 질량
        drop_sorted = mass_up_to <= 1.0 - top_p                              # 나머지(큰 쪽)만으로 top_p 이상
        drop_sorted[:, -1] = False                                           # 가장 큰 token은 남긴다
        drop = drop_sorted.scatter(1, order, drop_sorted)                    # 원래 vocabulary 순서로
        logits = logits.masked_fill(drop, float("-inf"))
    return logits


class GPT(nn.Module):
    """GPT-2 language model: token id (B, T) → 다음 token의 logits (B, T, V)."""

    def __init__(self, config: GPTConfig | None = None):
        super().__init__()
        self.config = config = config if config is not None else GPTConfig()
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),            # token embedding W_e
            wpe=nn.Embedding(config.block_size, config.n_embd),            # 학습되는 position embedding W_p
            drop=nn.Dropout(config.embd_pdrop),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=(nn.LayerNorm(config.n_embd, eps=config.layer_norm_eps, bias=config.bias)
                  if config.pre_ln else nn.Identity()),                    # GPT-2에서 더해진 마지막 LN
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        if config.tie_weights:
            self.lm_head.weight = self.transformer.wte.weight              # P(u) = softmax(h W_eᵀ): 같은 tensor
        self.apply(self._init_weights)
        if config.scale_residual_init:
            # GPT-2 Section 2.3: residual 경로로 들어가는 projection은 1/√N (N = 2·n_layer개의 residual 층).
            # GPT-1 (Section 4.1)에는 없다: pre_ln=False면 c_proj도 N(0, 0.02) 그대로.
            for name, p in self.named_parameters():
                if name.endswith("c_proj.weight"):
                    nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        """GPT-1 Section 4.1: "weights initialized from N(0, 0.02)"; bias 0, LayerNorm (1, 0)."""
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if getattr(module, "bias", None) is not None:
                nn.init.zeros_(module.bias)

    def num_parameters(self) -> int:
        """서로 다른 parameter tensor의 원소 수 (묶인 lm_head / wte는 한 번만; HF `num_parameters()`와 같다)."""
        return sum(p.numel() for p in self.parameters())

    def check_input_ids(self, input_ids, past: int = 0) -> None:
        """(B, T) 정수 tensor, 1 ≤ past + T ≤ block_size, 0 ≤ id < vocab_size. 아니면 ValueError."""
        if not isinstance(input_ids, torch.Tensor) or input_ids.ndim != 2:
            got = tuple(input_ids.shape) if isinstance(input_ids, torch.Tensor) else type(input_ids).__name__
            raise ValueError(f"input_ids는 (B, T) 모양의 token id tensor여야 합니다: 받은 것 {got}")
        if input_ids.dtype not in (torch.int64, torch.int32):
            raise ValueError(f"input_ids의 dtype은 torch.long이어야 합니다: {input_ids.dtype}")
        T = input_ids.size(1)
        if T == 0:
            raise ValueError("input_ids가 비어 있습니다 (T = 0): token을 하나 이상 주세요")
        if past + T > self.config.block_size:
            limit = self.config.block_size
            raise ValueError(f"길이 {past + T}가 position table의 길이 block_size={limit}를 넘습니다: "
                             f"마지막 {limit} token만 남기고 잘라(input_ids[:, -{limit}:]) 넣으세요")
        if input_ids.numel() and (input_ids.min() < 0 or input_ids.max() >= self.config.vocab_size):
            raise ValueError(f"token id는 [0, vocab_size={self.config.vocab_size}) 안이어야 합니다: "
                             f"받은 범위 [{int(input_ids.min())}, {int(input_ids.max())}]")

    def forward(self, input_ids: torch.Tensor, cache: KVCache | None = None, last_only: bool = False) -> torch.Tensor:
        """input_ids (B, T) → logits (B, T, V). last_only=True면 마지막 위치만 (B, 1, V): 생성은 다음 token 하나만
        필요하므로 (nanoGPT처럼) vocabulary 크기의 lm_head를 prompt 전체가 아니라 한 위치에서만 계산한다."""
        past = cache.length if cache is not None else 0
        self.check_input_ids(input_ids, past)
        B, T = input_ids.shape
        pos = torch.arange(past, past + T, device=input_ids.device)        # (T,) 절대 위치
        x = self.transformer.wte(input_ids) + self.transformer.wpe(pos)    # (B, T, C): h_0 = U W_e + W_p
        x = self.transformer.drop(x)
        for layer, block in enumerate(self.transformer.h):
            x = block(x, cache, layer)
        if cache is not None:
            cache.advance(T)
        x = self.transformer.ln_f(x)
        if last_only:
            x = x[:, -1:, :]                                                # (B, 1, C)
        return self.lm_head(x)                                              # (B, T, V) 또는 (B, 1, V)

    def new_cache(self, batch: int, max_len: int) -> KVCache:
        c = self.config
        p = self.lm_head.weight
        return KVCache(c.n_layer, batch, c.n_head, max_len, c.n_embd // c.n_head, dtype=p.dtype, device=p.device)

    @torch.no_grad()
    def generate(self, input_ids: torch.Tensor, max_new_tokens: int, do_sample: bool = False,
                 temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None,
                 use_cache: bool = True, generator: torch.Generator | None = None) -> torch.Tensor:
        """input_ids (B, T) 뒤에 token `max_new_tokens`개를 이어 붙인 (B, T + max_new_tokens)를 돌려준다.

        do_sample=False면 greedy (argmax), True면 `warp_logits`로 바꾼 분포에서 뽑는다 (theory.md 7절):
        temperature로 나누고, top_k (None 또는 0이면 끔, V 이상이면 전부)개만, top_p (None 또는 1.0이면 전부)의
        누적 확률 집합만 남긴다. HF `generate`와 다른 점 하나: HF는 top_k를 주지 않으면 50을 쓰지만
        (`GenerationConfig._get_default_generation_params`), 여기서는 주지 않으면 끈다 (nanoGPT처럼).
        use_cache=False면 매 step 전체 문맥을 다시 계산한다 (KV cache와 같은 답을 내는지 보는 기준).
        """
        self.check_input_ids(input_ids)
        if not isinstance(max_new_tokens, int) or max_new_tokens < 0:
            raise ValueError(f"max_new_tokens는 0 이상의 정수여야 합니다: {max_new_tokens!r}")
        check_sampling_arguments(temperature if do_sample else 1.0, top_k, top_p)
        B, T = input_ids.shape
        total = T + max_new_tokens
        if total > self.config.block_size:
            raise ValueError(f"prompt {T} + 새 token {max_new_tokens} = {total}가 "
                             f"block_size={self.config.block_size}를 넘습니다: "
                             "prompt를 잘라 넣거나 max_new_tokens를 줄이세요")
        was_training = self.training
        self.eval()
        out = input_ids
        cache = self.new_cache(B, total) if use_cache else None
        step_input = input_ids
        for _ in range(max_new_tokens):
            logits = self(step_input if use_cache else out, cache, last_only=True)[:, -1, :]  # (B, V)
            next_token = self.choose_next(logits, do_sample, temperature, top_k, top_p, generator)  # (B, 1)
            out = torch.cat([out, next_token], dim=1)
            step_input = next_token                                         # cache가 있으면 새 token 하나만 넣는다
        self.train(was_training)
        return out

    @staticmethod
    def choose_next(logits: torch.Tensor, do_sample: bool, temperature: float, top_k: int | None,
                    top_p: float | None, generator: torch.Generator | None = None) -> torch.Tensor:
        """logits (B, V) → 다음 token (B, 1). greedy는 argmax, sampling은 warp_logits → softmax → multinomial
        (HF `_sample`과 같은 `torch.multinomial(probs, 1)`이라 같은 전역 seed면 같은 token)."""
        if not do_sample:
            return logits.argmax(dim=-1, keepdim=True)
        probs = warp_logits(logits, temperature, top_k, top_p).softmax(dim=-1)
        return torch.multinomial(probs, num_samples=1, generator=generator)

    # ------------------------------------------------------------------
    # Hugging Face GPT2LMHeadModel에서 가중치 옮기기
    # ------------------------------------------------------------------
    # HF GPT-2는 OpenAI의 TensorFlow checkpoint를 그대로 싣기 위해 `Conv1D`를 쓴다. 이름과 달리 convolution이
    # 아니라 y = x W + b 인 Linear인데, weight를 (in, out)으로 저장한다 (TF의 matmul 관례). nn.Linear는
    # y = x Wᵀ + b, weight (out, in)이므로 이 네 종류는 transpose해야 한다. wte / wpe (embedding),
    # LayerNorm, lm_head (nn.Linear)는 layout이 같아 그대로 복사한다.
    CONV1D_WEIGHTS = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")

    @classmethod
    def config_from_reference(cls, hf_config) -> GPTConfig:
        """HF `GPT2Config` → GPTConfig. 이 모델이 재현하지 못하는 설정이면 이유를 말하는 ValueError."""
        refuse = []
        if hf_config.add_cross_attention:
            refuse.append("add_cross_attention=True (cross-attention은 encoder-decoder용)")
        if not hf_config.scale_attn_weights:
            refuse.append("scale_attn_weights=False (1/√d_k로 나누지 않는 attention)")
        if hf_config.scale_attn_by_inverse_layer_idx:
            refuse.append("scale_attn_by_inverse_layer_idx=True (층 번호로 한 번 더 나누는 attention)")
        activation = {"gelu_new": "gelu_tanh", "gelu_pytorch_tanh": "gelu_tanh", "gelu": "gelu"}
        if hf_config.activation_function not in activation:
            refuse.append(f"activation_function={hf_config.activation_function!r} (gelu_new, gelu_pytorch_tanh, "
                          "gelu만 옮깁니다)")
        if refuse:
            raise ValueError("이 GPT로 옮길 수 없는 GPT2Config입니다: " + "; ".join(refuse))
        return GPTConfig(
            block_size=hf_config.n_positions, vocab_size=hf_config.vocab_size, n_layer=hf_config.n_layer,
            n_head=hf_config.n_head, n_embd=hf_config.n_embd, n_inner=hf_config.n_inner,
            embd_pdrop=hf_config.embd_pdrop, attn_pdrop=hf_config.attn_pdrop, resid_pdrop=hf_config.resid_pdrop,
            layer_norm_eps=hf_config.layer_norm_epsilon, activation=activation[hf_config.activation_function],
            pre_ln=True, tie_weights=bool(hf_config.tie_word_embeddings), bias=True)

    @classmethod
    def from_reference(cls, ref) -> GPT:
        """HF `GPT2LMHeadModel`과 같은 모양의 GPT를 만들고 모든 가중치를 복사한다 (tensor는 공유하지 않는다).

        key마다 shape을 확인하고, HF 쪽 key가 하나도 남지 않았는지 확인한다. train/eval 모드도 따라간다.
        """
        model = cls(cls.config_from_reference(ref.config))
        ours = model.state_dict()
        theirs = ref.state_dict()
        used = set()
        for key, target in ours.items():
            if model.config.tie_weights and key == "lm_head.weight":
                continue                                                    # wte.weight와 같은 tensor
            source = theirs[key]
            used.add(key)
            if any(key.endswith(w) for w in cls.CONV1D_WEIGHTS):
                source = source.t()                                         # Conv1D (in, out) → Linear (out, in)
            if source.shape != target.shape:
                raise ValueError(f"{key}: HF shape {tuple(source.shape)}을 {tuple(target.shape)}에 넣을 수 없습니다")
            with torch.no_grad():
                target.copy_(source)
        # 남은 HF key: 묶여 있는 lm_head.weight, (예전 버전의) attn.bias / attn.masked_bias 버퍼만 허용
        ignorable = ("lm_head.weight", ".attn.bias", ".attn.masked_bias")
        left = [k for k in theirs if k not in used and not k.endswith(ignorable)]
        if left:
            raise ValueError(f"옮기지 못한 HF 가중치가 있습니다: {left}")
        if model.config.tie_weights and not torch.equal(theirs["lm_head.weight"], theirs["transformer.wte.weight"]):
            raise ValueError("tie_word_embeddings=True인데 HF의 lm_head.weight와 wte.weight가 다릅니다")
        model.train(ref.training)
        return model

    @classmethod
    def from_pretrained(cls, name: str = "gpt2", local_files_only: bool = False, cache_dir=None) -> GPT:
        """HF hub의 GPT-2 가중치 (`gpt2`, `gpt2-medium`, `gpt2-large`, `gpt2-xl`, 또는 저장된 폴더)로 만든다.

        `utils.hub.hf_pretrained`의 순서를 따른다: `save_pretrained` 폴더 → 로컬 HF cache → (local_files_only=False면)
        내려받기. 모두 안 되면 `DatasetUnavailable` (CLI에서 한 문장 + exit code 2).
        """
        from pathlib import Path

        from transformers import GPT2LMHeadModel

        if name not in PRETRAINED_SIZES and not Path(name).is_dir():
            raise ValueError(f"name은 {', '.join(PRETRAINED_SIZES)} 중 하나이거나 저장된 폴더여야 합니다: {name!r}")
        ref = hf_pretrained(GPT2LMHeadModel, name, download=not local_files_only, cache_dir=cache_dir)
        return cls.from_reference(ref.eval())
