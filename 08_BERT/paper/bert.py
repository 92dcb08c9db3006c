"""BERT — 양방향 Transformer encoder와 pre-training head (nn.Module).

논문: Devlin, Chang, Lee & Toutanova (2018), "BERT: Pre-training of Deep Bidirectional Transformers for
Language Understanding".
- §3, Figure 2: 입력 표현 = token embedding + segment(token type) embedding + position embedding.
  코드(google-research/bert `modeling.py`)에서는 그 합에 LayerNorm(ε = 1e-12)과 dropout을 건다.
- §3 "Model Architecture": Vaswani et al. (2017)의 encoder 그대로 (post-LN):
      h = LayerNorm(x + Dropout(MultiHeadSelfAttention(x)))
      y = LayerNorm(h + Dropout(W₂ · GELU(W₁ h + b₁) + b₂))
  Attention(Q, K, V) = softmax(Q Kᵀ / √d_k + M) V  (M: padding 위치는 아주 작은 수, Vaswani et al. 식 1)
  GELU는 erf 형태: GELU(x) = x · Φ(x) = ½ x (1 + erf(x / √2))  (Hendrycks & Gimpel 2016).
- §3 "Pre-training BERT", Task #1 Masked LM: 가려진 위치의 hidden에 dense + GELU + LayerNorm을 거친 뒤,
  **입력 word embedding 행렬을 그대로 (tied) 출력 층으로** 쓰고 token마다 따로 bias를 더한다 (코드의
  `get_masked_lm_output`).
- Task #2 Next Sentence Prediction과 문장 분류(§4.1): 논문은 [CLS]의 마지막 hidden C ∈ R^H(Figure 1의 C)에 바로
  분류 층을 얹는다. C에 dense + tanh를 한 번 더 거는 pooler p = tanh(W · C + b)는 논문이 아니라 공개 코드
  (`modeling.py`의 `get_pooled_output`)의 것이고, HF와 우리 모델도 그것을 따른다: NSP와 분류 head는 p를 읽는다.
- §3 "Model Architecture": BERT_BASE = (L=12, H=768, A=12, 총 110M), feed-forward 4H = 3072 (부록 A.2의 최대 길이
  512). §3 "Input/Output Representations"는 30,000개 token의 WordPiece vocabulary라고 적고, 공개된 uncased vocabulary
  파일은 30,522개다 (우리 기본값). 그 vocabulary로 센 parameter는 HF `BertModel`(pooler 포함) 기준 109,482,240개
  ≈ 109.5M이고, 논문의 110M은 이것을 반올림한 값이다.

`BERT.forward(input_ids, token_type_ids=None, attention_mask=None)` → `(sequence_output, pooled_output)`;
`BERTForPreTraining.forward(...)` → `(mlm_logits, nsp_logits)`. attention_mask는 HF와 같은 뜻
(1 = 읽는다, 0 = padding). 가중치 초기화는 HF `BertPreTrainedModel._init_weights`와 같다: Linear와
Embedding 가중치 N(0, 0.02²) (원 TF 코드는 2σ에서 자른 truncated normal), bias 0, LayerNorm (1, 0),
padding token의 embedding 행 0.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class BERTConfig:
    """모델 크기. 기본값은 BERT_BASE (uncased)."""

    vocab_size: int = 30522
    hidden_size: int = 768               # H
    num_layers: int = 12                 # L
    num_heads: int = 12                  # A
    intermediate_size: int = 3072        # 4H
    max_position: int = 512
    type_vocab_size: int = 2             # 문장 A / 문장 B
    hidden_dropout: float = 0.1
    attention_dropout: float = 0.1
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0
    initializer_range: float = 0.02

    def __post_init__(self):
        for name in ("vocab_size", "hidden_size", "num_layers", "num_heads", "intermediate_size",
                     "max_position", "type_vocab_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}은 1 이상의 정수여야 합니다: {value!r}")
        if self.hidden_size % self.num_heads:
            raise ValueError(f"hidden_size({self.hidden_size})는 num_heads({self.num_heads})로 나누어떨어져야 합니다")
        for name in ("hidden_dropout", "attention_dropout"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"{name}은 [0, 1) 범위여야 합니다: {getattr(self, name)}")
        if not 0 <= self.pad_token_id < self.vocab_size:
            raise ValueError(f"pad_token_id는 [0, vocab_size) 안이어야 합니다: {self.pad_token_id}")

    @classmethod
    def base(cls) -> BERTConfig:
        return cls()

    @classmethod
    def from_hf(cls, config) -> BERTConfig:
        """transformers.BertConfig → BERTConfig. 우리 모델이 표현하지 못하는 설정은 이유를 말하며 거부한다."""
        act = config.hidden_act
        if act != "gelu":
            raise ValueError(f"hidden_act={act!r}: 이 모델은 논문의 erf-GELU('gelu')만 씁니다")
        if getattr(config, "is_decoder", False) or getattr(config, "add_cross_attention", False):
            raise ValueError("is_decoder/add_cross_attention 설정(causal decoder)은 BERT encoder가 아닙니다")
        position = getattr(config, "position_embedding_type", "absolute") or "absolute"
        if position != "absolute":
            raise ValueError(f"position_embedding_type={position!r}: 절대 위치 embedding만 지원합니다")
        return cls(vocab_size=config.vocab_size, hidden_size=config.hidden_size,
                   num_layers=config.num_hidden_layers, num_heads=config.num_attention_heads,
                   intermediate_size=config.intermediate_size, max_position=config.max_position_embeddings,
                   type_vocab_size=config.type_vocab_size, hidden_dropout=config.hidden_dropout_prob,
                   attention_dropout=config.attention_probs_dropout_prob, layer_norm_eps=config.layer_norm_eps,
                   pad_token_id=config.pad_token_id if config.pad_token_id is not None else 0,
                   initializer_range=config.initializer_range)


def gelu(x: torch.Tensor) -> torch.Tensor:
    """GELU(x) = ½ x (1 + erf(x/√2)) — tanh 근사가 아닌 정확한 형태 (BERT 코드와 HF의 'gelu').

    식을 그대로 쓰면 (B, T, 4H) 크기의 임시 tensor가 네 개 생긴다: 하나의 kernel로 계산하는 `F.gelu`
    (approximate="none")를 쓴다. 손으로 쓴 식과 같다는 것은 L2(`pytorch_lowlevel/encoder.py`)의 테스트가 보인다.
    """
    return F.gelu(x)


# --------------------------------------------------------------------------------------------------
# §3 입력 표현: token + segment + position embedding
# --------------------------------------------------------------------------------------------------
class Embeddings(nn.Module):
    def __init__(self, config: BERTConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(config.vocab_size, config.hidden_size, padding_idx=config.pad_token_id)
        self.position_embeddings = nn.Embedding(config.max_position, config.hidden_size)
        self.token_type_embeddings = nn.Embedding(config.type_vocab_size, config.hidden_size)
        self.norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.dropout = nn.Dropout(config.hidden_dropout)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        T = input_ids.shape[1]
        positions = torch.arange(T, device=input_ids.device)                    # (T,) 0, 1, …, T−1
        x = (self.word_embeddings(input_ids)                                    # (B, T, H)
             + self.token_type_embeddings(token_type_ids)                       # (B, T, H)
             + self.position_embeddings(positions))                             # (T, H) → batch로 broadcast
        return self.dropout(self.norm(x))


# --------------------------------------------------------------------------------------------------
# Encoder 층 하나 (post-LN): self-attention 부층, feed-forward 부층
# --------------------------------------------------------------------------------------------------
class SelfAttention(nn.Module):
    """Multi-head self-attention + 잔차 + LayerNorm. Q, K, V는 HF·원 코드처럼 Linear 세 개."""

    def __init__(self, config: BERTConfig):
        super().__init__()
        self.num_heads = config.num_heads
        self.head_size = config.hidden_size // config.num_heads
        self.query = nn.Linear(config.hidden_size, config.hidden_size)
        self.key = nn.Linear(config.hidden_size, config.hidden_size)
        self.value = nn.Linear(config.hidden_size, config.hidden_size)
        self.output = nn.Linear(config.hidden_size, config.hidden_size)
        self.attention_dropout = config.attention_dropout
        self.dropout = nn.Dropout(config.hidden_dropout)
        self.norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        B, T, H = x.shape
        return x.view(B, T, self.num_heads, self.head_size).transpose(1, 2)    # (B, nh, T, hs)

    def forward(self, x: torch.Tensor, additive_mask: torch.Tensor, return_probs: bool = False):
        """x (B, T, H), additive_mask (B, 1, 1, T): 읽을 위치 0, padding은 dtype의 최솟값 (None = 모두 읽는다)."""
        B, T, H = x.shape
        q, k, v = self.split_heads(self.query(x)), self.split_heads(self.key(x)), self.split_heads(self.value(x))
        p = self.attention_dropout if self.training else 0.0
        probs = None
        if return_probs:                                                        # 그림용: 확률을 직접 계산
            scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_size)         # (B, nh, T, T)
            if additive_mask is not None:
                scores = scores + additive_mask
            probs = scores.softmax(dim=-1)
            context = F.dropout(probs, p, self.training) @ v                   # (B, nh, T, hs)
        else:                                                                   # 같은 식, fused kernel
            context = F.scaled_dot_product_attention(q, k, v, attn_mask=additive_mask, dropout_p=p)
        context = context.transpose(1, 2).reshape(B, T, H)                      # (B, T, H): head 이어 붙이기
        out = self.norm(x + self.dropout(self.output(context)))
        return out, probs


class FeedForward(nn.Module):
    """FFN(h) = W₂ GELU(W₁ h + b₁) + b₂, 그리고 잔차 + LayerNorm."""

    def __init__(self, config: BERTConfig):
        super().__init__()
        self.up = nn.Linear(config.hidden_size, config.intermediate_size)
        self.down = nn.Linear(config.intermediate_size, config.hidden_size)
        self.dropout = nn.Dropout(config.hidden_dropout)
        self.norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.norm(h + self.dropout(self.down(gelu(self.up(h)))))        # (B, T, H)


class EncoderLayer(nn.Module):
    def __init__(self, config: BERTConfig):
        super().__init__()
        self.attention = SelfAttention(config)
        self.ffn = FeedForward(config)

    def forward(self, x: torch.Tensor, additive_mask: torch.Tensor, return_probs: bool = False):
        h, probs = self.attention(x, additive_mask, return_probs)
        return self.ffn(h), probs


class Pooler(nn.Module):
    """p = tanh(W · C + b), C = 첫 token [CLS]의 마지막 hidden (Figure 1의 C). tanh 층은 공개 코드의 것이다."""

    def __init__(self, config: BERTConfig):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)

    def forward(self, sequence_output: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.dense(sequence_output[:, 0]))                   # (B, H)


# --------------------------------------------------------------------------------------------------
# BERT 본체
# --------------------------------------------------------------------------------------------------
class BERT(nn.Module):
    def __init__(self, config: BERTConfig | None = None, add_pooling_layer: bool = True):
        super().__init__()
        self.config = config = config or BERTConfig()
        self.embeddings = Embeddings(config)
        self.layers = nn.ModuleList([EncoderLayer(config) for _ in range(config.num_layers)])
        self.pooler = Pooler(config) if add_pooling_layer else None
        self.apply(lambda module: init_bert_weights(module, config))

    def check_inputs(self, input_ids, token_type_ids, attention_mask):
        """잘못된 입력을 embedding lookup의 IndexError나 broadcasting 오류 대신 알아볼 수 있는 ValueError로."""
        c = self.config
        if not isinstance(input_ids, torch.Tensor) or input_ids.dim() != 2:
            raise ValueError(f"input_ids는 (B, T) 2차원 tensor여야 합니다: 받은 "
                             f"{getattr(input_ids, 'shape', type(input_ids).__name__)}")
        if input_ids.dtype not in (torch.int64, torch.int32):
            raise ValueError(f"input_ids의 dtype은 정수(torch.long)여야 합니다: {input_ids.dtype}")
        B, T = input_ids.shape
        if T < 1 or T > c.max_position:
            raise ValueError(f"sequence 길이 T={T}: 1 이상, position table 크기 max_position={c.max_position} "
                             f"이하여야 합니다")
        if input_ids.numel() and (input_ids.min() < 0 or input_ids.max() >= c.vocab_size):
            raise ValueError(f"token id는 [0, vocab_size={c.vocab_size}) 안이어야 합니다: "
                             f"min {int(input_ids.min())}, max {int(input_ids.max())}")
        if token_type_ids is not None:
            if token_type_ids.shape != input_ids.shape:
                raise ValueError(f"token_type_ids의 shape는 input_ids와 같은 {tuple(input_ids.shape)}여야 합니다: "
                                 f"{tuple(token_type_ids.shape)}")
            if token_type_ids.min() < 0 or token_type_ids.max() >= c.type_vocab_size:
                raise ValueError(f"token_type_ids는 [0, type_vocab_size={c.type_vocab_size}) 안이어야 합니다: "
                                 f"max {int(token_type_ids.max())}")
        if attention_mask is not None:
            if attention_mask.shape != input_ids.shape:
                raise ValueError(f"attention_mask의 shape는 (B, T) = {tuple(input_ids.shape)}여야 합니다: "
                                 f"{tuple(attention_mask.shape)}")
            if not ((attention_mask == 0) | (attention_mask == 1)).all():
                raise ValueError("attention_mask의 값은 0(padding) 또는 1(읽는 token)이어야 합니다")

    def additive_mask(self, attention_mask: torch.Tensor | None, input_ids: torch.Tensor, dtype):
        """(B, T)의 1/0 mask → (B, 1, 1, T) 더하기 mask: 읽을 key는 0, padding key는 dtype의 최솟값.

        −∞ 대신 유한한 최솟값을 쓰는 이유: 한 문장 전체가 padding이어도 softmax가 NaN 대신 균등 분포가 된다.
        mask가 없으면 None (더할 것이 없다).
        """
        if attention_mask is None:
            return None
        keep = attention_mask.to(torch.bool)[:, None, None, :]                 # (B, 1, 1, T): head·query로 broadcast
        zero = torch.zeros((), dtype=dtype, device=input_ids.device)
        return torch.where(keep, zero, torch.finfo(dtype).min)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None,
                attention_mask: torch.Tensor | None = None):
        """input_ids (B, T) → (sequence_output (B, T, H), pooled_output (B, H) 또는 pooler가 없으면 None)."""
        self.check_inputs(input_ids, token_type_ids, attention_mask)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)                        # 문장 하나: 모두 segment A
        x = self.embeddings(input_ids, token_type_ids)                          # (B, T, H)
        mask = self.additive_mask(attention_mask, input_ids, x.dtype)           # (B, 1, 1, T)
        for layer in self.layers:
            x, _ = layer(x, mask)
        pooled = self.pooler(x) if self.pooler is not None else None
        return x, pooled

    @torch.no_grad()
    def attention_maps(self, input_ids, token_type_ids=None, attention_mask=None) -> list[torch.Tensor]:
        """층마다 attention 확률 (B, nh, T, T)의 list — 그림과 분석용 (forward와 같은 계산)."""
        self.check_inputs(input_ids, token_type_ids, attention_mask)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        x = self.embeddings(input_ids, token_type_ids)
        mask = self.additive_mask(attention_mask, input_ids, x.dtype)
        maps = []
        for layer in self.layers:
            x, probs = layer(x, mask, return_probs=True)
            maps.append(probs)
        return maps

    # ---- production twin에서 가중치 받기 ----
    @classmethod
    def from_reference(cls, ref: nn.Module) -> BERT:
        """HF `BertModel` / `BertForMaskedLM` / `BertForPreTraining`의 encoder 가중치를 복사한 BERT.

        BertForMaskedLM은 pooler가 없으므로(HF가 add_pooling_layer=False로 만든다) 우리 모델도 pooler 없이
        만들고 pooled_output은 None이다. head(`cls.*`)는 `BERTForPreTraining.from_reference`가 옮긴다.
        """
        bert = _hf_encoder(ref)
        model = cls(BERTConfig.from_hf(bert.config), add_pooling_layer=bert.pooler is not None)
        _copy(model, _encoder_key_map(bert, prefix=""), bert.state_dict(), type(ref).__name__)
        return model

    @classmethod
    def from_pretrained(cls, name: str = "bert-base-uncased") -> BERT:
        """사전학습 가중치를 읽어 옮긴다: HF hub 이름(cache에 있을 때) 또는 `save_pretrained`로 저장한 폴더.
        없으면 한 문장(DatasetUnavailable)으로 알린다.

        이 함수는 내려받지 않는다 (`local_files_only=True`): 온라인이면 먼저
        `python -c "import transformers; transformers.BertModel.from_pretrained('bert-base-uncased')"`로 받아 둔다.
        pooler가 없는 checkpoint(`BertForMaskedLM`을 저장한 폴더)는 pooler 없이 읽는다 (pooled_output은 None):
        무작위 pooler를 만들어 사전학습 가중치인 것처럼 돌려주지 않는다.
        """
        ref, missing = _load_hf("BertModel", name)
        if missing and missing <= {"pooler.dense.weight", "pooler.dense.bias"}:
            ref, missing = _load_hf("BertModel", name, add_pooling_layer=False)
        _refuse_missing(name, missing)
        return cls.from_reference(ref)


def init_bert_weights(module: nn.Module, config: BERTConfig) -> None:
    """HF `_init_weights`와 같은 초기화: Linear·Embedding N(0, 0.02²), bias 0, LayerNorm (1, 0), padding 행 0."""
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, mean=0.0, std=config.initializer_range)
        nn.init.zeros_(module.bias)
    elif isinstance(module, nn.Embedding):
        nn.init.normal_(module.weight, mean=0.0, std=config.initializer_range)
        if module.padding_idx is not None:
            with torch.no_grad():
                module.weight[module.padding_idx].zero_()
    elif isinstance(module, nn.LayerNorm):
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)


# --------------------------------------------------------------------------------------------------
# §3 Pre-training head: Masked LM (tied decoder) + Next Sentence Prediction
# --------------------------------------------------------------------------------------------------
class MaskedLMHead(nn.Module):
    """logits = LayerNorm(GELU(W h + b)) · Eᵀ + b_vocab — E는 입력 word embedding (가중치 공유)."""

    def __init__(self, config: BERTConfig):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)
        self.bias = nn.Parameter(torch.zeros(config.vocab_size))              # token마다 따로, 출력 전용

    def forward(self, sequence_output: torch.Tensor, word_embeddings: torch.Tensor) -> torch.Tensor:
        h = self.norm(gelu(self.dense(sequence_output)))                        # (B, T, H)
        return F.linear(h, word_embeddings, self.bias)                          # (B, T, V)


class BERTForPreTraining(nn.Module):
    """BERT + MLM head (+ NSP head). forward → (mlm_logits (B, T, V), nsp_logits (B, 2) 또는 None).

    `next_sentence=False`는 HF `BertForMaskedLM`의 모양: pooler도 NSP head도 없다.
    """

    def __init__(self, config: BERTConfig | None = None, next_sentence: bool = True):
        super().__init__()
        self.config = config = config or BERTConfig()
        self.bert = BERT(config, add_pooling_layer=next_sentence)
        self.mlm = MaskedLMHead(config)
        self.nsp = nn.Linear(config.hidden_size, 2) if next_sentence else None
        for module in (self.mlm, self.nsp):
            if module is not None:
                module.apply(lambda m: init_bert_weights(m, config))

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None,
                attention_mask: torch.Tensor | None = None):
        sequence_output, pooled = self.bert(input_ids, token_type_ids, attention_mask)
        mlm_logits = self.mlm(sequence_output, self.bert.embeddings.word_embeddings.weight)   # (B, T, V)
        nsp_logits = self.nsp(pooled) if self.nsp is not None else None                        # (B, 2)
        return mlm_logits, nsp_logits

    @classmethod
    def from_reference(cls, ref: nn.Module) -> BERTForPreTraining:
        """HF `BertForPreTraining`(MLM + NSP) 또는 `BertForMaskedLM`(MLM만)의 모든 가중치를 복사한다.

        HF의 `cls.predictions.decoder.weight`는 word embedding과 **같은 Parameter**이고
        `cls.predictions.decoder.bias`는 `cls.predictions.bias`와 같은 Parameter다 (`_tied_weights_keys`).
        우리 모델은 decoder를 따로 두지 않고 forward에서 word embedding을 직접 쓰므로, 이 두 key는 복사하지
        않고 정말 묶여 있는지(같은 값인지)만 확인한다.
        """
        kind = type(ref).__name__
        if kind not in ("BertForPreTraining", "BertForMaskedLM"):
            raise ValueError(f"BERTForPreTraining.from_reference는 transformers의 BertForPreTraining 또는 "
                             f"BertForMaskedLM을 받습니다: 받은 {type(ref).__module__}.{kind}")
        model = cls(BERTConfig.from_hf(ref.config), next_sentence=kind == "BertForPreTraining")
        theirs = ref.state_dict()
        for tied, source in (("cls.predictions.decoder.weight", "bert.embeddings.word_embeddings.weight"),
                             ("cls.predictions.decoder.bias", "cls.predictions.bias")):
            if not torch.equal(theirs.pop(tied), theirs[source]):
                raise ValueError(f"{kind}의 {tied}가 {source}와 묶여 있지 않습니다 (tie_word_embeddings=False?); "
                                 f"우리 MLM head는 word embedding을 출력 층으로 공유합니다")
        key_map = _encoder_key_map(ref.bert, prefix="bert.")
        key_map.update({"cls.predictions.transform.dense.weight": "mlm.dense.weight",
                        "cls.predictions.transform.dense.bias": "mlm.dense.bias",
                        "cls.predictions.transform.LayerNorm.weight": "mlm.norm.weight",
                        "cls.predictions.transform.LayerNorm.bias": "mlm.norm.bias",
                        "cls.predictions.bias": "mlm.bias"})
        if model.nsp is not None:
            key_map.update({"cls.seq_relationship.weight": "nsp.weight", "cls.seq_relationship.bias": "nsp.bias"})
        _copy(model, key_map, theirs, kind)
        return model

    @classmethod
    def from_pretrained(cls, name: str = "bert-base-uncased") -> BERTForPreTraining:
        """사전학습된 MLM + NSP head까지 (HF `BertForPreTraining`): hub 이름(cache) 또는 `save_pretrained` 폴더.
        NSP head와 pooler가 없는 checkpoint(`BertForMaskedLM`)는 MLM head만 읽는다 (next_sentence=False 모양).
        cache·폴더에 없으면 DatasetUnavailable."""
        ref, missing = _load_hf("BertForPreTraining", name)
        nsp_keys = {"cls.seq_relationship.weight", "cls.seq_relationship.bias", "bert.pooler.dense.weight",
                    "bert.pooler.dense.bias"}
        if missing and missing <= nsp_keys:
            ref, missing = _load_hf("BertForMaskedLM", name)
        _refuse_missing(name, missing)
        return cls.from_reference(ref)


class BERTClassifier(nn.Module):
    """§4.1 문장 분류 fine-tuning: logits = W · Dropout(pooled_output) + b (HF BertForSequenceClassification)."""

    def __init__(self, bert: BERT, num_labels: int = 2):
        super().__init__()
        if bert.pooler is None:
            raise ValueError("분류 head는 pooler가 있는 BERT가 필요합니다 (add_pooling_layer=True)")
        self.bert = bert
        self.dropout = nn.Dropout(bert.config.hidden_dropout)
        self.classifier = nn.Linear(bert.config.hidden_size, num_labels)
        init_bert_weights(self.classifier, bert.config)

    def forward(self, input_ids, token_type_ids=None, attention_mask=None) -> torch.Tensor:
        _, pooled = self.bert(input_ids, token_type_ids, attention_mask)
        return self.classifier(self.dropout(pooled))                            # (B, num_labels)


# --------------------------------------------------------------------------------------------------
# HF 가중치 이름 ↔ 우리 이름
# --------------------------------------------------------------------------------------------------
def _hf_encoder(ref: nn.Module) -> nn.Module:
    kind = type(ref).__name__
    if kind == "BertModel":
        return ref
    if kind in ("BertForMaskedLM", "BertForPreTraining") and hasattr(ref, "bert"):
        return ref.bert
    raise ValueError(f"from_reference는 transformers의 BertModel, BertForMaskedLM, BertForPreTraining을 받습니다: "
                     f"받은 {type(ref).__module__}.{kind}")


def _encoder_key_map(bert: nn.Module, prefix: str) -> dict[str, str]:
    """HF key → 우리 key. 모든 Linear는 둘 다 (out, in) 가중치라 전치가 없다.

    HF의 `embeddings.position_ids`와 `embeddings.token_type_ids`는 persistent=False buffer(arange와 0)라
    state_dict에 없다: 우리는 forward에서 `torch.arange(T)`와 `zeros_like`로 같은 값을 만든다.
    """
    pairs = {"embeddings.word_embeddings.weight": "embeddings.word_embeddings.weight",
             "embeddings.position_embeddings.weight": "embeddings.position_embeddings.weight",
             "embeddings.token_type_embeddings.weight": "embeddings.token_type_embeddings.weight",
             "embeddings.LayerNorm.weight": "embeddings.norm.weight",
             "embeddings.LayerNorm.bias": "embeddings.norm.bias"}
    per_layer = {"attention.self.query": "attention.query", "attention.self.key": "attention.key",
                 "attention.self.value": "attention.value", "attention.output.dense": "attention.output",
                 "attention.output.LayerNorm": "attention.norm", "intermediate.dense": "ffn.up",
                 "output.dense": "ffn.down", "output.LayerNorm": "ffn.norm"}
    for i in range(len(bert.encoder.layer)):
        for theirs, ours in per_layer.items():
            for p in ("weight", "bias"):
                pairs[f"encoder.layer.{i}.{theirs}.{p}"] = f"layers.{i}.{ours}.{p}"
    if bert.pooler is not None:
        pairs.update({"pooler.dense.weight": "pooler.dense.weight", "pooler.dense.bias": "pooler.dense.bias"})
    return {prefix + k: ("bert." if prefix else "") + v for k, v in pairs.items()}


def _copy(model: nn.Module, key_map: dict[str, str], theirs: dict[str, torch.Tensor], kind: str) -> None:
    """key_map대로 복사한다. 모자라거나 남는 key, 다른 shape는 ValueError (조용히 넘어가지 않는다)."""
    ours = model.state_dict()
    extra = sorted(set(theirs) - set(key_map))
    missing_theirs = sorted(set(key_map) - set(theirs))
    unfilled = sorted(set(ours) - set(key_map.values()))
    if extra or missing_theirs or unfilled:
        raise ValueError(f"{kind}의 가중치가 BERT와 맞지 않습니다: 남는 key {extra[:5]}, "
                         f"없는 key {missing_theirs[:5]}, 채우지 못한 우리 key {unfilled[:5]}")
    with torch.no_grad():
        for their_key, our_key in key_map.items():
            value = theirs[their_key]
            if ours[our_key].shape != value.shape:
                raise ValueError(f"{their_key} → {our_key}: shape가 다릅니다 ({tuple(value.shape)} vs "
                                 f"{tuple(ours[our_key].shape)})")
            ours[our_key].copy_(value)                                          # 복사: 참조와 tensor를 공유하지 않는다


def _load_hf(class_name: str, name: str, **kwargs) -> tuple[nn.Module, set[str]]:
    """transformers.<class_name>을 `save_pretrained` 폴더나 HF cache에서 읽는다 → (eval 모드 모델, 비어 있던 key 집합).

    내려받지 않는다 (`utils.hub.hf_pretrained(download=False)`). 둘 다 없으면 DatasetUnavailable 한 문장.
    """
    import transformers

    from utils.hub import hf_pretrained

    ref, info = hf_pretrained(getattr(transformers, class_name), name, download=False, output_loading_info=True,
                              **kwargs)
    return ref.eval(), set(info["missing_keys"])


def _refuse_missing(name: str, missing: set[str]) -> None:
    """checkpoint에 없어 HF가 무작위로 채운 가중치가 있으면 거부한다 (사전학습 가중치인 척하지 않는다)."""
    if missing:
        raise ValueError(f"{name}의 checkpoint에 BERT 가중치 {sorted(missing)[:4]}가 없습니다 "
                         f"(모두 {len(missing)}개): BertModel·BertForMaskedLM·BertForPreTraining을 저장한 "
                         "폴더를 주세요")
