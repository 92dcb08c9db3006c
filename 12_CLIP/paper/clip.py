"""CLIP — 논문을 그대로 옮긴 `nn.Module`.

논문: A. Radford, J. W. Kim, C. Hallacy, A. Ramesh, G. Goh, S. Agarwal, G. Sastry, A. Askell, P. Mishkin,
J. Clark, G. Krueger & I. Sutskever (2021), "Learning Transferable Visual Models From Natural Language
Supervision", ICML. Section 2.3 (contrastive 목표), 2.4 (encoder 선택), 2.5 (temperature), 3.1.4 (prompt
engineering·ensembling), Figure 3 (numpy 의사 코드), Table 20 (설정).

N쌍의 (이미지, 문장)에서 두 encoder를 같은 공간 R^d로 보낸다 (Figure 3):

    I_e = L2norm(f_image(I) W_i),   T_e = L2norm(f_text(T) W_t)       W_i, W_t: bias 없는 projection
    logits = (I_e T_eᵀ) · exp(t)                                     t: 학습하는 log-temperature
    loss   = (CE(logits, arange N) + CE(logitsᵀ, arange N)) / 2      대칭 InfoNCE

- image encoder (Section 2.4): ViT (Dosovitskiy et al. 2021), 단 "patch·position embedding을 더한 뒤 Transformer
  앞에 LayerNorm을 하나 더" 둔다 (`ln_pre`). 출력은 [CLS] 자리 → `ln_post` → W_i.
- text encoder (Section 2.4): GPT-2 모양의 Transformer. causal mask (masked self-attention), 마지막 LayerNorm
  (`ln_final`), 그리고 "[EOS] token 자리의 최고층 활성화"를 문장 표현으로 쓴다 → W_t.
- 두 encoder 모두 pre-LN block, MLP의 활성화는 quick-GELU x·σ(1.702x) (OpenAI 구현과 HF의 "quick_gelu").
- temperature (Section 2.5): t는 log(1/0.07)로 시작하고 "logit을 100보다 크게 키우지 못하도록 자른다".
  자르는 일은 학습 중 optimizer step 뒤에 parameter를 `clamp_logit_scale_()`로 한다 (OpenAI는 학습 코드를
  공개하지 않았다; 공개 재현 open_clip의 학습 코드와 같은 자리). forward는 HF `CLIPModel`처럼 exp(t)를 그대로
  쓴다: 공개된 ViT-B/32 가중치의 t = 4.6052는 ln 100 = 4.60517보다 조금 크므로, forward에서 자르면 pretrained
  가중치의 logit이 HF와 달라진다.

HF `transformers.CLIPModel`과 같은 함수다 (`from_reference`, `from_pretrained`가 그 가중치를 옮긴다). 기본 설정은
ViT-B/32 (Table 20 / HF `CLIPConfig()`): image 224, patch 32, 폭 768 · 12층 · 12 head, text 폭 512 · 12층 · 8 head,
문맥 77, vocab 49,408, 공동 공간 512차원 — parameter 151,277,313개.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from utils.hub import hf_pretrained

ACTIVATIONS = ("quick_gelu", "gelu")
LOGIT_SCALE_INIT = math.log(1 / 0.07)      # Section 2.5: τ = 0.07에서 시작 (= 2.6593, HF 2.6592)
LOGIT_SCALE_MAX = math.log(100.0)          # Section 2.5: exp(t) ≤ 100
LEGACY_EOS_TOKEN_ID = 2                    # HF의 옛 설정: EOS를 "가장 큰 token id의 자리"로 찾는다
PRETRAINED_NAMES = ("openai/clip-vit-base-patch32",)


@dataclass
class CLIPConfig:
    """CLIP 설정. 기본값은 ViT-B/32 (HF `CLIPConfig()`와 같은 값)."""

    embed_dim: int = 512                   # 공동 공간의 차원 d (W_i, W_t의 출력)
    # image encoder (ViT)
    image_size: int = 224
    patch_size: int = 32
    in_channels: int = 3
    vision_width: int = 768
    vision_layers: int = 12
    vision_heads: int = 12
    vision_mlp: int = 3072
    vision_eps: float = 1e-5
    vision_act: str = "quick_gelu"
    vision_attention_dropout: float = 0.0
    # text encoder (Transformer)
    vocab_size: int = 49408
    context_length: int = 77
    text_width: int = 512
    text_layers: int = 12
    text_heads: int = 8
    text_mlp: int = 2048
    text_eps: float = 1e-5
    text_act: str = "quick_gelu"
    text_attention_dropout: float = 0.0
    eos_token_id: int = 49407              # 문장 표현을 읽을 자리. 2이면 옛 규칙 (가장 큰 id의 자리)
    logit_scale_init: float = LOGIT_SCALE_INIT

    def __post_init__(self):
        ints = ("embed_dim", "image_size", "patch_size", "in_channels", "vision_width", "vision_layers",
                "vision_heads", "vision_mlp", "vocab_size", "context_length", "text_width", "text_layers",
                "text_heads", "text_mlp")
        for name in ints:
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}는 1 이상의 정수여야 합니다: {name}={value!r}")
        if self.image_size % self.patch_size:
            raise ValueError(f"image_size={self.image_size}가 patch_size={self.patch_size}로 나누어떨어지지 않습니다")
        for tower in ("vision", "text"):
            width, heads = getattr(self, f"{tower}_width"), getattr(self, f"{tower}_heads")
            if width % heads:
                raise ValueError(f"{tower}_width={width}는 {tower}_heads={heads}로 나누어떨어져야 합니다")
            act = getattr(self, f"{tower}_act")
            if act not in ACTIVATIONS:
                raise ValueError(f"{tower}_act는 {ACTIVATIONS} 중 하나여야 합니다: {act!r}")
        if not 0 <= self.eos_token_id < self.vocab_size:
            raise ValueError(f"eos_token_id={self.eos_token_id}는 0 이상 vocab_size={self.vocab_size} "
                             "미만이어야 합니다")


# ---------------------------------------------------------------------------
# Transformer 부품 (두 encoder가 함께 쓴다)
# ---------------------------------------------------------------------------
def quick_gelu(x: torch.Tensor) -> torch.Tensor:
    """x·σ(1.702x): OpenAI CLIP의 GELU 근사 (Hendrycks & Gimpel 2016, Section 2)."""
    return x * torch.sigmoid(1.702 * x)


class Attention(nn.Module):
    """Multi-head self-attention. q, k, v는 하나로 묶인 `in_proj` (OpenAI 구현의 `in_proj_weight`와 같은 배치)."""

    def __init__(self, width: int, heads: int, attention_dropout: float = 0.0):
        super().__init__()
        self.heads, self.head_dim = heads, width // heads
        self.in_proj = nn.Linear(width, 3 * width)
        self.out_proj = nn.Linear(width, width)
        self.attention_dropout = attention_dropout

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, causal: bool = False) -> torch.Tensor:
        B, T, D = x.shape
        qkv = self.in_proj(x).reshape(B, T, 3, self.heads, self.head_dim)      # (B, T, 3, nh, hs)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)                                    # 각각 (B, nh, T, hs)
        p = self.attention_dropout if self.training else 0.0
        # softmax(q kᵀ/√hs + mask) v. mask는 더하는 float mask (B, 1, T, T): 0 또는 dtype의 최솟값
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p, is_causal=causal and mask is None)
        y = y.transpose(1, 2).reshape(B, T, D)                                  # (B, T, D): head를 이어 붙인다
        return self.out_proj(y)


class MLP(nn.Module):
    def __init__(self, width: int, hidden: int, activation: str):
        super().__init__()
        self.c_fc = nn.Linear(width, hidden)
        self.c_proj = nn.Linear(hidden, width)
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.c_fc(x)                                                        # (B, T, hidden)
        h = quick_gelu(h) if self.activation == "quick_gelu" else F.gelu(h)
        return self.c_proj(h)                                                   # (B, T, width)


class ResidualBlock(nn.Module):
    """pre-LN block: x + Attn(LN(x)), 그다음 x + MLP(LN(x))."""

    def __init__(self, width: int, heads: int, hidden: int, eps: float, activation: str, attention_dropout: float):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width, eps=eps)
        self.attn = Attention(width, heads, attention_dropout)
        self.ln_2 = nn.LayerNorm(width, eps=eps)
        self.mlp = MLP(width, hidden, activation)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, causal: bool = False) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x), mask, causal)
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width: int, layers: int, heads: int, hidden: int, eps: float, activation: str,
                 attention_dropout: float):
        super().__init__()
        self.resblocks = nn.ModuleList(ResidualBlock(width, heads, hidden, eps, activation, attention_dropout)
                                       for _ in range(layers))

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None, causal: bool = False) -> torch.Tensor:
        for block in self.resblocks:
            x = block(x, mask, causal)
        return x


# ---------------------------------------------------------------------------
# 두 encoder
# ---------------------------------------------------------------------------
class VisionTransformer(nn.Module):
    """Section 2.4의 image encoder: ViT + Transformer 앞의 LayerNorm `ln_pre`. 출력은 [CLS] 자리의 `ln_post`."""

    def __init__(self, c: CLIPConfig):
        super().__init__()
        self.image_size, self.patch_size, self.in_channels = c.image_size, c.patch_size, c.in_channels
        P, W = c.patch_size, c.vision_width
        # patch embedding: 펼친 P×P patch에 곱하는 bias 없는 Linear (stride P인 Conv2d와 같은 계산)
        self.patch_embed = nn.Linear(c.in_channels * P * P, W, bias=False)
        self.class_embedding = nn.Parameter(torch.zeros(W))
        self.positional_embedding = nn.Parameter(torch.zeros((c.image_size // P) ** 2 + 1, W))
        self.ln_pre = nn.LayerNorm(W, eps=c.vision_eps)
        self.transformer = Transformer(W, c.vision_layers, c.vision_heads, c.vision_mlp, c.vision_eps, c.vision_act,
                                       c.vision_attention_dropout)
        self.ln_post = nn.LayerNorm(W, eps=c.vision_eps)

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        B, C, H, Wd = pixel_values.shape
        P = self.patch_size
        x = pixel_values.reshape(B, C, H // P, P, Wd // P, P)                    # (B, C, h, P, w, P)
        x = x.permute(0, 2, 4, 1, 3, 5).reshape(B, (H // P) * (Wd // P), C * P * P)   # (B, N, C·P·P)
        x = self.patch_embed(x)                                                 # (B, N, W)
        cls = self.class_embedding.expand(B, 1, -1)                             # (B, 1, W)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding              # (B, N+1, W)
        x = self.ln_pre(x)                                                      # CLIP이 ViT에 더한 LayerNorm
        x = self.transformer(x)                                                 # (B, N+1, W)
        return self.ln_post(x[:, 0])                                            # (B, W): [CLS] 자리


class TextTransformer(nn.Module):
    """Section 2.4의 text encoder: causal Transformer, `ln_final`, 그리고 EOS 자리의 활성화."""

    def __init__(self, c: CLIPConfig):
        super().__init__()
        self.vocab_size, self.context_length, self.eos_token_id = c.vocab_size, c.context_length, c.eos_token_id
        self.token_embedding = nn.Embedding(c.vocab_size, c.text_width)
        self.positional_embedding = nn.Parameter(torch.zeros(c.context_length, c.text_width))
        self.transformer = Transformer(c.text_width, c.text_layers, c.text_heads, c.text_mlp, c.text_eps, c.text_act,
                                       c.text_attention_dropout)
        self.ln_final = nn.LayerNorm(c.text_width, eps=c.text_eps)

    def eos_positions(self, input_ids: torch.Tensor) -> torch.Tensor:
        """문장마다 표현을 읽을 자리 (B,): 처음 나오는 EOS token. eos_token_id가 2이면 가장 큰 id의 자리 (옛 규칙)."""
        if self.eos_token_id == LEGACY_EOS_TOKEN_ID:
            return input_ids.argmax(dim=-1)
        is_eos = input_ids == self.eos_token_id                                 # (B, T)
        if not bool(is_eos.any(dim=-1).all()):
            rows = (~is_eos.any(dim=-1)).nonzero().flatten().tolist()
            raise ValueError(f"문장마다 EOS token (id {self.eos_token_id})이 있어야 합니다: 없는 행 {rows[:8]}")
        return is_eos.int().argmax(dim=-1)                                      # argmax는 첫 최댓값의 자리

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        B, T = input_ids.shape
        x = self.token_embedding(input_ids) + self.positional_embedding[:T]     # (B, T, W)
        mask = None
        if attention_mask is not None:
            # causal mask와 padding mask를 합친 더하는 mask (B, 1, T, T): query i는 key j ≤ i 중 padding이 아닌 것만
            causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()           # (T, T)
            allowed = causal[None, None] & attention_mask.bool()[:, None, None, :]         # (B, 1, T, T)
            mask = torch.zeros(allowed.shape, dtype=x.dtype, device=x.device)
            mask = mask.masked_fill(~allowed, torch.finfo(x.dtype).min)
        x = self.transformer(x, mask, causal=True)                              # (B, T, W)
        x = self.ln_final(x)
        return x[torch.arange(B, device=x.device), self.eos_positions(input_ids)]   # (B, W): EOS 자리


# ---------------------------------------------------------------------------
# CLIP
# ---------------------------------------------------------------------------
class CLIP(nn.Module):
    """두 encoder + bias 없는 projection + 학습하는 temperature (Figure 3)."""

    def __init__(self, config: CLIPConfig | None = None):
        super().__init__()
        self.config = c = config or CLIPConfig()
        self.visual = VisionTransformer(c)
        self.text = TextTransformer(c)
        self.visual_projection = nn.Linear(c.vision_width, c.embed_dim, bias=False)     # W_i
        self.text_projection = nn.Linear(c.text_width, c.embed_dim, bias=False)         # W_t
        self.logit_scale = nn.Parameter(torch.tensor(float(c.logit_scale_init)))        # t, exp(t) = 1/τ
        self.reset_parameters()

    # ---- 초기화 ----
    def reset_parameters(self) -> None:
        """HF `CLIPPreTrainedModel._init_weights` (initializer_factor 1, initializer_range 0.02)와 같은 식.

        token·position embedding N(0, 0.02²); [CLS] N(0, 1/W); patch embedding N(0, 0.02²);
        attention의 q,k,v N(0, 1/(W·2L)), out_proj N(0, 1/W); MLP c_fc N(0, 1/(2W)), c_proj N(0, 1/(W·2L));
        projection N(0, 1/W); bias 0; LayerNorm γ=1, β=0; t = logit_scale_init.
        """
        c = self.config
        for tower, width, layers in ((self.visual, c.vision_width, c.vision_layers),
                                     (self.text, c.text_width, c.text_layers)):
            for block in tower.transformer.resblocks:
                nn.init.normal_(block.attn.in_proj.weight, std=width ** -0.5 * (2 * layers) ** -0.5)
                nn.init.normal_(block.attn.out_proj.weight, std=width ** -0.5)
                nn.init.normal_(block.mlp.c_fc.weight, std=(2 * width) ** -0.5)
                nn.init.normal_(block.mlp.c_proj.weight, std=width ** -0.5 * (2 * layers) ** -0.5)
                for linear in (block.attn.in_proj, block.attn.out_proj, block.mlp.c_fc, block.mlp.c_proj):
                    nn.init.zeros_(linear.bias)
                block.ln_1.reset_parameters()
                block.ln_2.reset_parameters()
        nn.init.normal_(self.text.token_embedding.weight, std=0.02)
        nn.init.normal_(self.text.positional_embedding, std=0.02)
        nn.init.normal_(self.visual.class_embedding, std=c.vision_width ** -0.5)
        nn.init.normal_(self.visual.patch_embed.weight, std=0.02)
        nn.init.normal_(self.visual.positional_embedding, std=0.02)
        for norm in (self.visual.ln_pre, self.visual.ln_post, self.text.ln_final):
            norm.reset_parameters()
        nn.init.normal_(self.visual_projection.weight, std=c.vision_width ** -0.5)
        nn.init.normal_(self.text_projection.weight, std=c.text_width ** -0.5)
        with torch.no_grad():
            self.logit_scale.fill_(c.logit_scale_init)

    # ---- 입력 확인 ----
    def check_pixel_values(self, pixel_values) -> None:
        c = self.config
        expected = f"(B, {c.in_channels}, {c.image_size}, {c.image_size})"
        if not isinstance(pixel_values, torch.Tensor) or pixel_values.ndim != 4:
            shape = tuple(pixel_values.shape) if isinstance(pixel_values, torch.Tensor) else type(pixel_values).__name__
            raise ValueError(f"pixel_values는 {expected} rank-4 tensor여야 합니다: 받은 {shape}")
        if not pixel_values.is_floating_point():
            raise ValueError(f"pixel_values는 float tensor여야 합니다: 받은 dtype {pixel_values.dtype}")
        if pixel_values.shape[1] != c.in_channels:
            raise ValueError(f"pixel_values의 채널 수는 {c.in_channels}이어야 합니다 ({expected}): "
                             f"받은 shape {tuple(pixel_values.shape)}")
        if tuple(pixel_values.shape[2:]) != (c.image_size, c.image_size):
            raise ValueError(f"이미지 크기는 {c.image_size}×{c.image_size}이어야 합니다 ({expected}): "
                             f"받은 shape {tuple(pixel_values.shape)}")

    def check_text(self, input_ids, attention_mask=None) -> None:
        c = self.config
        if not isinstance(input_ids, torch.Tensor) or input_ids.ndim != 2:
            shape = tuple(input_ids.shape) if isinstance(input_ids, torch.Tensor) else type(input_ids).__name__
            raise ValueError(f"input_ids는 (B, T) rank-2 정수 tensor여야 합니다: 받은 {shape}")
        if input_ids.is_floating_point() or input_ids.is_complex() or input_ids.dtype == torch.bool:
            raise ValueError(f"input_ids는 정수 tensor여야 합니다: 받은 dtype {input_ids.dtype}")
        if input_ids.shape[1] > c.context_length:
            raise ValueError(f"문장 길이 T={input_ids.shape[1]}가 context_length={c.context_length}보다 깁니다")
        if input_ids.shape[1] == 0:
            raise ValueError("input_ids의 길이가 0입니다 (T ≥ 1, EOS token이 있어야 합니다)")
        if input_ids.numel() and (int(input_ids.min()) < 0 or int(input_ids.max()) >= c.vocab_size):
            raise ValueError(f"token id는 0 이상 vocab_size={c.vocab_size} 미만이어야 합니다: "
                             f"받은 범위 [{int(input_ids.min())}, {int(input_ids.max())}]")
        if attention_mask is not None:
            if not isinstance(attention_mask, torch.Tensor) or attention_mask.shape != input_ids.shape:
                shape = tuple(attention_mask.shape) if isinstance(attention_mask, torch.Tensor) else None
                raise ValueError(f"attention_mask는 input_ids와 같은 shape {tuple(input_ids.shape)}여야 합니다: "
                                 f"받은 {shape}")

    # ---- forward ----
    def encode_image(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """f_image(I) W_i: projection까지 한 image feature (B, d). 정규화는 하지 않는다 (HF `get_image_features`)."""
        self.check_pixel_values(pixel_values)
        return self.visual_projection(self.visual(pixel_values))

    def encode_text(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        """f_text(T) W_t: projection까지 한 text feature (B, d). 정규화는 하지 않는다 (HF `get_text_features`)."""
        self.check_text(input_ids, attention_mask)
        return self.text_projection(self.text(input_ids, attention_mask))

    def forward(self, input_ids: torch.Tensor, pixel_values: torch.Tensor,
                attention_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(logits_per_image (B_img, B_txt), logits_per_text (B_txt, B_img)): exp(t) × cosine 유사도."""
        image = F.normalize(self.encode_image(pixel_values), dim=-1)           # (B_img, d), ‖·‖ = 1
        text = F.normalize(self.encode_text(input_ids, attention_mask), dim=-1)   # (B_txt, d)
        logits_per_text = self.logit_scale.exp() * text @ image.t()             # (B_txt, B_img)
        return logits_per_text.t(), logits_per_text

    @torch.no_grad()
    def clamp_logit_scale_(self) -> None:
        """Section 2.5: exp(t) ≤ 100이 되도록 t를 [0, ln 100]으로 자른다. optimizer step 뒤에 부른다."""
        self.logit_scale.clamp_(0.0, LOGIT_SCALE_MAX)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    # ---- HF CLIPModel에서 가져오기 ----
    @classmethod
    def from_reference(cls, ref) -> CLIP:
        """HF `CLIPModel`과 같은 설정의 CLIP을 만들고 모든 가중치를 복사한다 (ref와 tensor를 나누지 않는다).

        - HF의 따로 있는 q_proj, k_proj, v_proj는 `in_proj`로 이어 붙인다 (행 방향, q → k → v 순서).
        - HF의 patch embedding은 bias 없는 Conv2d (W, C, P, P): `reshape(W, C·P·P)`가 펼친 patch용 Linear다
          (patch 벡터 안의 순서가 (채널, 행, 열)로 같다).
        - HF의 position embedding은 `nn.Embedding`, 우리는 Parameter (같은 (N, W) 행렬).
        - 옮길 수 없는 설정(다른 활성화, 정사각형이 아닌 이미지 등)은 이름을 대며 ValueError.
        """
        from transformers import CLIPModel

        if not isinstance(ref, CLIPModel):
            raise ValueError(f"from_reference는 HF transformers.CLIPModel을 받습니다: 받은 {type(ref).__name__}")
        config = _config_from_hf(ref.config)
        model = cls(config)
        _load_exactly(model, _state_from_hf(ref.state_dict(), config))
        return model.train(ref.training)

    @classmethod
    def from_pretrained(cls, name: str = "openai/clip-vit-base-patch32", local_files_only: bool = False,
                        cache_dir=None) -> CLIP:
        """HF hub의 CLIP 가중치 (또는 `save_pretrained`로 저장한 폴더)로 만든다.

        `utils.hub.hf_pretrained`의 순서를 따른다: 저장한 폴더 → 로컬 HF cache → (local_files_only=False면)
        내려받기. 모두 안 되면 `DatasetUnavailable` (CLI에서 한 문장 + exit code 2).
        """
        from pathlib import Path

        from transformers import CLIPModel

        if name not in PRETRAINED_NAMES and not Path(name).is_dir():
            raise ValueError(f"name은 {', '.join(PRETRAINED_NAMES)} 이거나 저장된 폴더여야 합니다: {name!r}")
        ref = hf_pretrained(CLIPModel, name, download=not local_files_only, cache_dir=cache_dir)
        return cls.from_reference(ref.eval())


# ---------------------------------------------------------------------------
# 학습 목표와 zero-shot 분류
# ---------------------------------------------------------------------------
def clip_loss(logits_per_image: torch.Tensor) -> torch.Tensor:
    """Figure 3의 대칭 cross-entropy: i번째 이미지의 짝은 i번째 문장. logits는 정사각 (N, N)이어야 한다."""
    if logits_per_image.ndim != 2 or logits_per_image.shape[0] != logits_per_image.shape[1]:
        raise ValueError(f"contrastive loss는 이미지와 문장의 batch 크기가 같아야 합니다 (N, N): "
                         f"받은 logits shape {tuple(logits_per_image.shape)}")
    labels = torch.arange(logits_per_image.shape[0], device=logits_per_image.device)
    return (F.cross_entropy(logits_per_image, labels) + F.cross_entropy(logits_per_image.t(), labels)) / 2


@torch.no_grad()
def zero_shot_weights(model: CLIP, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
    """Section 3.1.4의 prompt ensembling: class마다 여러 template 문장의 정규화한 feature를 평균하고 다시 정규화.

    input_ids: (K, M, T) — class K개 × template M개. 돌려주는 값 (K, d), 행마다 ‖·‖ = 1.
    """
    if input_ids.ndim != 3:
        raise ValueError(f"input_ids는 (class 수 K, template 수 M, T)여야 합니다: 받은 shape {tuple(input_ids.shape)}")
    K, M, T = input_ids.shape
    mask = None if attention_mask is None else attention_mask.reshape(K * M, T)
    features = F.normalize(model.encode_text(input_ids.reshape(K * M, T), mask), dim=-1)   # (K·M, d)
    return F.normalize(features.reshape(K, M, -1).mean(dim=1), dim=-1)                     # (K, d)


@torch.no_grad()
def zero_shot_predict(model: CLIP, pixel_values: torch.Tensor, class_weights: torch.Tensor) -> torch.Tensor:
    """이미지마다 cosine 유사도가 가장 큰 class의 번호 (B,)."""
    image = F.normalize(model.encode_image(pixel_values), dim=-1)          # (B, d)
    return (image @ class_weights.t()).argmax(dim=-1)


def count_parameters(c: CLIPConfig) -> int:
    """모델을 만들지 않고 식으로 센 parameter 수."""
    def block(width: int, hidden: int) -> int:
        return 2 * 2 * width + (width * 3 * width + 3 * width) + (width * width + width) \
            + (width * hidden + hidden) + (hidden * width + width)

    Wv, Wt = c.vision_width, c.text_width
    n_patches = (c.image_size // c.patch_size) ** 2
    vision = c.in_channels * c.patch_size ** 2 * Wv + Wv + (n_patches + 1) * Wv + 2 * Wv \
        + c.vision_layers * block(Wv, c.vision_mlp) + 2 * Wv
    text = c.vocab_size * Wt + c.context_length * Wt + c.text_layers * block(Wt, c.text_mlp) + 2 * Wt
    return vision + text + (Wv + Wt) * c.embed_dim + 1


# ---------------------------------------------------------------------------
# from_reference의 도우미
# ---------------------------------------------------------------------------
def _config_from_hf(hf) -> CLIPConfig:
    """HF CLIPConfig → 우리 CLIPConfig. 옮길 수 없는 설정이면 이름을 대며 ValueError."""
    v, t = hf.vision_config, hf.text_config
    problems = []
    for tower, sub in (("vision", v), ("text", t)):
        if sub.hidden_act not in ACTIVATIONS:
            problems.append(f"{tower}_config.hidden_act={sub.hidden_act!r} ({ACTIVATIONS}만)")
        if sub.hidden_size % sub.num_attention_heads:
            problems.append(f"{tower}_config.hidden_size가 num_attention_heads로 나누어떨어지지 않음")
    if not isinstance(v.image_size, int) or not isinstance(v.patch_size, int):
        problems.append(f"정사각형이 아닌 이미지/patch (image_size {v.image_size}, patch_size {v.patch_size})")
    eos = t.eos_token_id
    if not isinstance(eos, int):
        problems.append(f"text_config.eos_token_id={eos!r} (정수 하나만)")
    if problems:
        raise ValueError("HF CLIPModel을 이 CLIP으로 옮길 수 없습니다 — " + "; ".join(problems))
    return CLIPConfig(
        embed_dim=hf.projection_dim, image_size=v.image_size, patch_size=v.patch_size, in_channels=v.num_channels,
        vision_width=v.hidden_size, vision_layers=v.num_hidden_layers, vision_heads=v.num_attention_heads,
        vision_mlp=v.intermediate_size, vision_eps=float(v.layer_norm_eps), vision_act=v.hidden_act,
        vision_attention_dropout=float(v.attention_dropout),
        vocab_size=t.vocab_size, context_length=t.max_position_embeddings, text_width=t.hidden_size,
        text_layers=t.num_hidden_layers, text_heads=t.num_attention_heads, text_mlp=t.intermediate_size,
        text_eps=float(t.layer_norm_eps), text_act=t.hidden_act, text_attention_dropout=float(t.attention_dropout),
        eos_token_id=eos, logit_scale_init=float(hf.logit_scale_init_value))


def _state_from_hf(source: dict, c: CLIPConfig) -> dict:
    """HF CLIPModel state_dict → 우리 key 이름의 state_dict. 쓰지 않은 HF key가 남으면 ValueError."""
    source = {k: v for k, v in source.items() if not k.endswith("position_ids")}   # buffer (arange), 가중치가 아님
    state = {
        "logit_scale": source.pop("logit_scale"),
        "visual_projection.weight": source.pop("visual_projection.weight"),
        "text_projection.weight": source.pop("text_projection.weight"),
        # Conv2d kernel (W, C, P, P) → Linear weight (W, C·P·P)
        "visual.patch_embed.weight": source.pop("vision_model.embeddings.patch_embedding.weight")
        .reshape(c.vision_width, -1),
        "visual.class_embedding": source.pop("vision_model.embeddings.class_embedding"),
        "visual.positional_embedding": source.pop("vision_model.embeddings.position_embedding.weight"),
        "text.token_embedding.weight": source.pop("text_model.embeddings.token_embedding.weight"),
        "text.positional_embedding": source.pop("text_model.embeddings.position_embedding.weight"),
    }
    for ours, theirs in (("visual.ln_pre", "vision_model.pre_layrnorm"),
                         ("visual.ln_post", "vision_model.post_layernorm"),
                         ("text.ln_final", "text_model.final_layer_norm")):
        for part in ("weight", "bias"):
            state[f"{ours}.{part}"] = source.pop(f"{theirs}.{part}")
    for ours, theirs, layers in (("visual", "vision_model", c.vision_layers), ("text", "text_model", c.text_layers)):
        for i in range(layers):
            pre, hf = f"{ours}.transformer.resblocks.{i}.", f"{theirs}.encoder.layers.{i}."
            for part in ("weight", "bias"):
                # (3W, W) / (3W,): q, k, v 행렬을 위에서 아래로 쌓는다 — Attention.forward가 q, k, v 순서로 나눈다
                state[f"{pre}attn.in_proj.{part}"] = torch.cat(
                    [source.pop(f"{hf}self_attn.{n}_proj.{part}") for n in ("q", "k", "v")], dim=0)
                for mine, hf_name in (("attn.out_proj", "self_attn.out_proj"), ("mlp.c_fc", "mlp.fc1"),
                                      ("mlp.c_proj", "mlp.fc2"), ("ln_1", "layer_norm1"), ("ln_2", "layer_norm2")):
                    state[f"{pre}{mine}.{part}"] = source.pop(f"{hf}{hf_name}.{part}")
    if source:
        raise ValueError(f"옮기지 못한 HF key가 있습니다: {sorted(source)[:6]}")
    return state


def _load_exactly(model: nn.Module, state: dict) -> None:
    """state의 모든 key가 model에 있고, model의 모든 tensor가 state에 있으며 shape가 같을 때만 복사한다."""
    own = model.state_dict()
    missing, unexpected = sorted(set(own) - set(state)), sorted(set(state) - set(own))
    if missing or unexpected:
        raise ValueError(f"key가 맞지 않습니다 — 모델에만 {missing[:6]}, 옮긴 쪽에만 {unexpected[:6]}")
    with torch.no_grad():
        for name, tensor in state.items():
            if tuple(own[name].shape) != tuple(tensor.shape):
                raise ValueError(f"{name}: shape가 다릅니다 — 모델 {tuple(own[name].shape)}, "
                                 f"옮긴 값 {tuple(tensor.shape)}")
            own[name].copy_(tensor)                         # copy_: 상대 모델과 메모리를 나누지 않는다
