"""Vision Transformer (ViT) — 논문을 그대로 옮긴 `nn.Module`.

논문: A. Dosovitskiy, L. Beyer, A. Kolesnikov, D. Weissenborn, X. Zhai, T. Unterthiner, M. Dehghani,
M. Minderer, G. Heigold, S. Gelly, J. Uszkoreit & N. Houlsby (2021), "An Image is Worth 16x16 Words:
Transformers for Image Recognition at Scale", ICLR. Section 3.1, 식 (1)–(4), Table 1, Appendix D.4 (position).

이미지 x ∈ R^{H×W×C}를 P×P patch N = HW/P²개로 자르고, 각 patch를 펼친 벡터 x_p^i ∈ R^{P²·C}를 단어처럼 다룬다.

    z_0  = [x_class; x_p^1 E; x_p^2 E; …; x_p^N E] + E_pos,   E ∈ R^{(P²·C)×D}, E_pos ∈ R^{(N+1)×D}   식 (1)
    z'_ℓ = MSA(LN(z_{ℓ−1})) + z_{ℓ−1},        ℓ = 1 … L                                        식 (2)
    z_ℓ  = MLP(LN(z'_ℓ)) + z'_ℓ,              ℓ = 1 … L                                        식 (3)
    y    = LN(z_L^0)                          ([CLS] 자리의 마지막 출력)                         식 (4)

MSA는 Appendix A의 식 (5)–(8): [q, k, v] = z U_qkv (U_qkv ∈ R^{D×3D_h}, 하나로 묶인 행렬),
A = softmax(q kᵀ / √D_h), SA(z) = A v, 그리고 head k개의 출력을 이어 붙여 U_msa로 투영한다.
MLP는 GELU가 있는 두 층 (Section 3.1). "Hybrid"가 아닌 기본 ViT만 다룬다.

구현 선택 (production twin인 timm `VisionTransformer`와 같은 선택):
- patch embedding E는 식 (1) 그대로 펼친 patch에 곱하는 `nn.Linear(C·P·P, D)`다. patch 벡터 안의 순서는
  (채널, 행, 열)이라, stride P인 P×P conv(timm·HF의 `Conv2d`)의 kernel을 `reshape(D, C·P·P)`만 하면 같은 E가 된다
  (`pytorch_lowlevel/`이 두 계산이 같음을 보인다).
- q, k, v는 논문 식 (5)처럼 하나로 묶인 `qkv` Linear(D, 3D)다. HF의 따로 있는 q/k/v는 이어 붙여서 옮긴다.
- dropout은 논문 Appendix B.1처럼 "qkv를 뺀 모든 dense 층 뒤와, position embedding을 더한 직후"에 둔다
  (attention 확률의 dropout과 stochastic depth는 선택지).
- LayerNorm의 ε는 인자다: timm 1e-6, HF 1e-12. `from_reference`가 상대 모델의 ε를 그대로 가져온다.
- `pool="avg"`(global average pooling, Appendix D.3)는 timm처럼 patch token을 평균한 **뒤** 마지막 LayerNorm을 건다.
- 초기화는 timm의 기본(`weight_init=''`)과 같다: Linear N(0, 0.02²) (±2에서 자른 truncated normal), bias 0,
  E_pos N(0, 0.02²), x_class N(0, 10⁻¹²), patch embedding은 PyTorch 기본 U(±1/√(C·P²)), LayerNorm γ=1, β=0.

Table 1 (D = Hidden size D, L = Layers, MLP size, Heads): Base 768/12/3072/12, Large 1024/24/4096/16,
Huge 1280/32/5120/16. Ti·S는 DeiT(Touvron et al. 2021)의 192/12/768/3, 384/12/1536/6. "ViT-B/16" = Base, P = 16.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from utils.core import DatasetUnavailable
from utils.hub import hf_pretrained

# 이름 → (D, L, MLP size, heads). Base/Large/Huge는 논문 Table 1, Ti/S는 DeiT Table 1.
CONFIGS = {
    "Ti": {"dim": 192, "depth": 12, "mlp_dim": 768, "heads": 3},
    "S": {"dim": 384, "depth": 12, "mlp_dim": 1536, "heads": 6},
    "B": {"dim": 768, "depth": 12, "mlp_dim": 3072, "heads": 12},
    "L": {"dim": 1024, "depth": 24, "mlp_dim": 4096, "heads": 16},
    "H": {"dim": 1280, "depth": 32, "mlp_dim": 5120, "heads": 16},
}
POOLS = ("cls", "avg")
INIT_STD = 0.02            # Linear weight와 E_pos의 표준편차 (timm `init_weights_vit_timm`, `trunc_normal_(std=.02)`)
CLS_INIT_STD = 1e-6        # x_class의 표준편차 (timm `nn.init.normal_(self.cls_token, std=1e-6)`)


def check_pixel_values(x: torch.Tensor, in_channels: int, patch_size: int) -> None:
    """x는 (B, C, H, W) float tensor, C = in_channels, H와 W는 patch_size의 배수. 아니면 ValueError."""
    if not isinstance(x, torch.Tensor) or x.ndim != 4:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"pixel_values는 (B, C, H, W) rank-4 tensor여야 합니다: 받은 shape {shape}")
    if not x.is_floating_point():
        raise ValueError(f"pixel_values는 float tensor여야 합니다: 받은 dtype {x.dtype}")
    if x.shape[1] != in_channels:
        raise ValueError(f"pixel_values의 채널 수는 {in_channels}이어야 합니다: 받은 shape {tuple(x.shape)}")
    H, W = x.shape[2], x.shape[3]
    if H % patch_size or W % patch_size:
        raise ValueError(f"이미지 크기 {H}×{W}가 patch 크기 {patch_size}로 나누어떨어지지 않습니다 "
                         f"(H, W 모두 {patch_size}의 배수여야 합니다)")


class PatchEmbedding(nn.Module):
    """식 (1)의 x_p^i E: 이미지를 P×P patch로 자르고 펼친 뒤 Linear(C·P·P → D)."""

    def __init__(self, patch_size: int, in_channels: int, dim: int):
        super().__init__()
        self.patch_size = patch_size
        self.proj = nn.Linear(in_channels * patch_size * patch_size, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, C, H, W = x.shape
        P = self.patch_size
        x = x.reshape(B, C, H // P, P, W // P, P)             # (B, C, h, P, w, P)
        x = x.permute(0, 2, 4, 1, 3, 5)                       # (B, h, w, C, P, P)
        x = x.reshape(B, (H // P) * (W // P), C * P * P)      # (B, N, C·P·P): patch는 행 우선 순서
        return self.proj(x)                                   # (B, N, D)


class Attention(nn.Module):
    """Multi-head self-attention (Appendix A, 식 (5)–(8)). q, k, v는 하나의 Linear `qkv`."""

    def __init__(self, dim: int, heads: int, qkv_bias: bool = True, attention_dropout: float = 0.0,
                 dropout: float = 0.0):
        super().__init__()
        if dim % heads:
            raise ValueError(f"dim={dim}은 heads={heads}로 나누어떨어져야 합니다 (D_h = D / heads)")
        self.heads, self.head_dim = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)
        self.attention_dropout = attention_dropout
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, return_attention: bool = False):
        B, T, D = x.shape
        qkv = self.qkv(x).reshape(B, T, 3, self.heads, self.head_dim)     # (B, T, 3, nh, hs)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)                               # 각각 (B, nh, T, hs)
        p = self.attention_dropout if self.training else 0.0
        if return_attention:                                               # rollout용: A를 직접 계산해 돌려준다
            attn = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)    # (B, nh, T, T)
            attn = attn.softmax(dim=-1)
            y = F.dropout(attn, p, self.training) @ v                      # (B, nh, T, hs)
        else:
            attn = None
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=p)      # (B, nh, T, hs)
        y = y.transpose(1, 2).reshape(B, T, D)                             # (B, T, D): head를 이어 붙인다
        y = self.proj_drop(self.proj(y))
        return (y, attn) if return_attention else y


class MLP(nn.Module):
    """Section 3.1: 두 층 MLP, 사이에 GELU. dropout은 두 dense 층 뒤에 (Appendix B.1)."""

    def __init__(self, dim: int, mlp_dim: int, dropout: float = 0.0, hidden_dropout: float = 0.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, mlp_dim)
        self.drop1 = nn.Dropout(hidden_dropout)
        self.fc2 = nn.Linear(mlp_dim, dim)
        self.drop2 = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.drop1(F.gelu(self.fc1(x)))                   # (B, T, mlp_dim), GELU는 erf로 정확히
        return self.drop2(self.fc2(x))                        # (B, T, D)


class DropPath(nn.Module):
    """Stochastic depth (Huang et al. 2016): 학습 때 sample마다 residual branch를 확률 p로 통째로 버린다.

    남긴 branch는 1/(1−p)로 키워 기댓값을 유지한다 (평가 때는 항등 함수).
    """

    def __init__(self, p: float = 0.0):
        super().__init__()
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.p == 0.0 or not self.training:
            return x
        keep = x.new_empty((x.shape[0],) + (1,) * (x.ndim - 1)).bernoulli_(1 - self.p)   # (B, 1, 1)
        return x * keep / (1 - self.p)

    def extra_repr(self) -> str:
        return f"p={self.p:.3f}"


class Block(nn.Module):
    """Transformer encoder 층 하나, pre-LN: 식 (2)와 (3)."""

    def __init__(self, dim: int, heads: int, mlp_dim: int, eps: float, qkv_bias: bool, dropout: float,
                 attention_dropout: float, mlp_hidden_dropout: float, drop_path: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=eps)
        self.attn = Attention(dim, heads, qkv_bias, attention_dropout, dropout)
        self.norm2 = nn.LayerNorm(dim, eps=eps)
        self.mlp = MLP(dim, mlp_dim, dropout, mlp_hidden_dropout)
        self.drop_path = DropPath(drop_path)

    def forward(self, x: torch.Tensor, return_attention: bool = False):
        if return_attention:
            y, attn = self.attn(self.norm1(x), return_attention=True)
            x = x + self.drop_path(y)                                       # 식 (2)
        else:
            attn = None
            x = x + self.drop_path(self.attn(self.norm1(x)))                # 식 (2)
        x = x + self.drop_path(self.mlp(self.norm2(x)))                     # 식 (3)
        return (x, attn) if return_attention else x


class ViT(nn.Module):
    """Vision Transformer. 기본값은 ViT-B/16, 224×224, 1000 class (86,567,656 parameters).

    Args:
        image_size: 정사각형 입력의 한 변. position table E_pos는 이 크기의 patch 격자에 맞춰 만든다.
        patch_size: P. image_size는 P의 배수여야 한다.
        num_classes: head의 출력 수. 0이면 head 없이 pooled feature (B, D)를 돌려준다.
        dim, depth, heads, mlp_dim: D, L, head 수, MLP hidden 크기 (Table 1).
        pool: "cls" (식 (4), [CLS] 자리의 출력) 또는 "avg" (patch token의 평균, Appendix D.3).
        dropout: qkv를 뺀 모든 dense 층 뒤와 E_pos를 더한 직후의 dropout 확률 (Appendix B.1).
        attention_dropout: attention 확률 A의 dropout.
        drop_path: stochastic depth의 마지막 층 확률. 층 ℓ의 확률은 0부터 이 값까지 선형으로 늘어난다.
        embedding_dropout, mlp_hidden_dropout: E_pos 직후 / MLP 활성화 직후의 dropout. None이면 `dropout`
            (HF ViT는 MLP 활성화 뒤에 dropout이 없다: from_reference가 0을 넣는다).
        head_dropout: head 바로 앞의 dropout (timm `drop_rate`).
        eps: 모든 LayerNorm의 ε (timm 1e-6, HF 1e-12).
        qkv_bias: qkv Linear의 bias.
        representation_size: 주면 head 앞에 Linear(D → 이 크기) + tanh (논문 Section 3.1의 pre-training head
            "MLP with one hidden layer"; HF `ViTModel`의 pooler와 같은 계산).
        pos_embed_antialias: E_pos를 다른 해상도로 보간할 때 antialias를 쓸지 (timm True, HF False).
    """

    def __init__(self, image_size: int = 224, patch_size: int = 16, num_classes: int = 1000, dim: int = 768,
                 depth: int = 12, heads: int = 12, mlp_dim: int = 3072, in_channels: int = 3, pool: str = "cls",
                 dropout: float = 0.0, attention_dropout: float = 0.0, drop_path: float = 0.0,
                 embedding_dropout: float | None = None, mlp_hidden_dropout: float | None = None,
                 head_dropout: float = 0.0, eps: float = 1e-6, qkv_bias: bool = True,
                 representation_size: int | None = None, pos_embed_antialias: bool = True):
        super().__init__()
        for name, value in (("image_size", image_size), ("patch_size", patch_size), ("dim", dim),
                            ("depth", depth), ("heads", heads), ("mlp_dim", mlp_dim), ("in_channels", in_channels)):
            if int(value) != value or value < 1:
                raise ValueError(f"{name}는 1 이상의 정수여야 합니다: {name}={value}")
        if image_size % patch_size:
            raise ValueError(f"image_size={image_size}가 patch_size={patch_size}로 나누어떨어지지 않습니다")
        if pool not in POOLS:
            raise ValueError(f"pool은 {POOLS} 중 하나여야 합니다: pool={pool!r}")
        if num_classes < 0:
            raise ValueError(f"num_classes는 0 이상이어야 합니다: num_classes={num_classes}")
        self.image_size, self.patch_size, self.in_channels = image_size, patch_size, in_channels
        self.num_classes, self.dim, self.pool, self.eps = num_classes, dim, pool, eps
        self.pos_embed_antialias = pos_embed_antialias
        grid = image_size // patch_size
        embedding_dropout = dropout if embedding_dropout is None else embedding_dropout
        mlp_hidden_dropout = dropout if mlp_hidden_dropout is None else mlp_hidden_dropout

        # 식 (1): patch embedding E, [CLS] token x_class, position embedding E_pos
        self.patch_embed = PatchEmbedding(patch_size, in_channels, dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, grid * grid + 1, dim))
        self.pos_drop = nn.Dropout(embedding_dropout)
        # 식 (2)–(3)을 L번: stochastic depth 확률은 층마다 0 → drop_path로 선형 (timm과 같은 규칙)
        rates = _linear_rates(drop_path, depth)
        self.blocks = nn.ModuleList(
            Block(dim, heads, mlp_dim, eps, qkv_bias, dropout, attention_dropout, mlp_hidden_dropout, rates[i])
            for i in range(depth))
        # 식 (4): 마지막 LayerNorm, 그리고 head
        self.norm = nn.LayerNorm(dim, eps=eps)
        self.pre_logits = nn.Linear(dim, representation_size) if representation_size else None
        self.head_drop = nn.Dropout(head_dropout)
        head_in = representation_size or dim
        self.head = nn.Linear(head_in, num_classes) if num_classes > 0 else nn.Identity()
        self.reset_parameters()

    # ---- 초기화 ----
    def reset_parameters(self) -> None:
        """timm 기본 초기화와 같은 식 (module docstring)."""
        nn.init.trunc_normal_(self.pos_embed, std=INIT_STD, a=-2.0, b=2.0)
        nn.init.normal_(self.cls_token, std=CLS_INIT_STD)
        for name, module in self.named_modules():
            if isinstance(module, nn.Linear):
                if name == "patch_embed.proj":
                    module.reset_parameters()              # PyTorch 기본 U(±1/√fan_in): timm의 Conv2d 기본값과 같다
                    continue
                nn.init.trunc_normal_(module.weight, std=INIT_STD, a=-2.0, b=2.0)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
            elif isinstance(module, nn.LayerNorm):
                module.reset_parameters()

    # ---- forward ----
    @property
    def grid_size(self) -> int:
        """E_pos가 덮는 patch 격자의 한 변 (image_size / P)."""
        return self.image_size // self.patch_size

    def position_embedding(self, H: int, W: int, interpolate: bool = False) -> torch.Tensor:
        """입력 H×W에 맞는 E_pos (1, N+1, D). 크기가 다르면 interpolate=True일 때만 bicubic 보간."""
        h, w = H // self.patch_size, W // self.patch_size
        if (h, w) == (self.grid_size, self.grid_size):
            return self.pos_embed
        if not interpolate:
            raise ValueError(
                f"입력 {H}×{W}는 patch 격자 {h}×{w}인데 position table은 {self.image_size}×{self.image_size} "
                f"(격자 {self.grid_size}×{self.grid_size})용입니다: model.set_image_size({H}) 또는 "
                f"forward(..., interpolate_pos_encoding=True)로 E_pos를 보간하세요")
        return resample_pos_embed(self.pos_embed, (h, w), antialias=self.pos_embed_antialias)

    def forward_features(self, pixel_values: torch.Tensor, interpolate_pos_encoding: bool = False,
                         return_attention: bool = False):
        """식 (1)–(3)과, pool="cls"이면 마지막 LayerNorm까지: token 전체 (B, N+1, D).

        return_attention=True면 (tokens, 층마다 attention 확률 (B, heads, N+1, N+1)의 list).
        """
        check_pixel_values(pixel_values, self.in_channels, self.patch_size)
        B, _, H, W = pixel_values.shape
        x = self.patch_embed(pixel_values)                                   # (B, N, D)
        cls = self.cls_token.expand(B, -1, -1)                               # (B, 1, D)
        x = torch.cat([cls, x], dim=1)                                       # (B, N+1, D)
        x = self.pos_drop(x + self.position_embedding(H, W, interpolate_pos_encoding))   # 식 (1)
        attentions = []
        for block in self.blocks:
            if return_attention:
                x, attn = block(x, return_attention=True)
                attentions.append(attn)
            else:
                x = block(x)
        if self.pool == "cls":
            x = self.norm(x)                                                 # 식 (4)의 LN (token마다 같은 LN)
        return (x, attentions) if return_attention else x

    def forward_head(self, tokens: torch.Tensor, pre_logits: bool = False) -> torch.Tensor:
        """token (B, N+1, D) → pooled (B, D) → [pre_logits] → head."""
        if self.pool == "cls":
            x = tokens[:, 0]                                                 # (B, D): z_L^0
        else:
            x = self.norm(tokens[:, 1:].mean(dim=1))                         # (B, D): patch 평균 뒤 LN
        if self.pre_logits is not None:
            x = torch.tanh(self.pre_logits(x))                               # (B, representation_size)
        x = self.head_drop(x)
        return x if pre_logits else self.head(x)

    def forward(self, pixel_values: torch.Tensor, interpolate_pos_encoding: bool = False) -> torch.Tensor:
        """pixel_values (B, C, H, W) → class logits (B, num_classes) (num_classes=0이면 pooled feature)."""
        return self.forward_head(self.forward_features(pixel_values, interpolate_pos_encoding))

    @torch.no_grad()
    def attention_maps(self, pixel_values: torch.Tensor) -> list[torch.Tensor]:
        """층마다 attention 확률 (B, heads, N+1, N+1). attention rollout의 입력."""
        return self.forward_features(pixel_values, interpolate_pos_encoding=True, return_attention=True)[1]

    def set_image_size(self, image_size: int) -> ViT:
        """E_pos를 새 해상도의 격자로 보간해 바꾼다 (제자리; timm `set_input_size`와 같은 일). self를 돌려준다."""
        if int(image_size) != image_size or image_size < 1 or image_size % self.patch_size:
            raise ValueError(f"image_size={image_size}는 patch_size={self.patch_size}의 양의 배수여야 합니다")
        grid = image_size // self.patch_size
        with torch.no_grad():
            new = resample_pos_embed(self.pos_embed, (grid, grid), antialias=self.pos_embed_antialias)
        self.pos_embed = nn.Parameter(new, requires_grad=self.pos_embed.requires_grad)
        self.image_size = image_size
        return self

    # ---- production twin에서 ----
    @classmethod
    def from_reference(cls, ref: nn.Module) -> ViT:
        """timm `VisionTransformer` 또는 HF `ViTForImageClassification` / `ViTModel`과 같은 설정·가중치의 ViT.

        설정(크기, ε, dropout 확률, pooling, qkv bias)은 상대 모델에서 읽고, 이 class가 표현할 수 없는 변형
        (register token, LayerScale, qk-norm, 다른 활성화 …)은 이름을 밝힌 ValueError로 거부한다. 모든 가중치
        key를 정확히 한 번씩 쓴다 (HF의 mask_token만 예외: 분류 forward에서 쓰이지 않는다). 복사한 tensor는
        상대와 메모리를 나누지 않는다.
        """
        kind = _reference_kind(ref)
        if kind == "timm":
            config, state = _timm_config_and_state(ref)
        else:
            config, state = _hf_config_and_state(ref.config, ref.state_dict(), kind,
                                                 has_pooler=getattr(_hf_base(ref, kind), "pooler", None) is not None)
        model = cls(**config)
        dtype = next(ref.parameters()).dtype
        model = model.to(dtype=dtype)
        _load_exactly(model, state)
        return model.train(ref.training)

    @classmethod
    def from_pretrained(cls, name: str = "vit_base_patch16_224", checkpoint_path=None, **timm_kwargs) -> ViT:
        """pretrained 가중치에서 만든다. name은 셋 중 하나로 읽는다.

        - 존재하는 폴더: HF `save_pretrained`가 쓴 폴더 (config.json + 가중치). 인터넷을 쓰지 않는다.
          config의 architectures가 `ViTModel`이면 `ViTModel`로, 아니면 `ViTForImageClassification`으로 읽는다.
        - "/"가 있는 이름: HF Hub (예: "google/vit-base-patch16-224"). cache에 없으면 내려받는다.
        - 그 밖: timm 이름 (예: "vit_base_patch16_224"). checkpoint_path (로컬 `.safetensors` 또는
          `torch.save`한 state_dict 파일)를 주면 내려받지 않고 그 파일을 `weights_only=True`로 읽어 그 구조
          (`timm_kwargs`로 크기를 바꿀 수 있다: 예 depth=1, num_classes=5)에 strict하게 넣는다.

        가중치를 얻을 수 없으면 (인터넷 없음, cache 없음, 없는 파일·폴더) DatasetUnavailable 한 문장.
        """
        from pathlib import Path

        folder = Path(name).is_dir()
        if (folder or "/" in name) and (checkpoint_path is not None or timm_kwargs):
            raise ValueError("checkpoint_path와 timm 인자는 timm 이름에만 쓸 수 있습니다: "
                             f"받은 name={name!r}")
        if checkpoint_path is not None:
            ref = timm_from_checkpoint(name, Path(checkpoint_path), timm_kwargs)
            return cls.from_reference(ref.eval()).eval()
        if folder:
            ref = _hf_from_folder(Path(name))
        elif "/" in name:                                   # HF Hub: cache → 내려받기 (utils.hub)
            from transformers import ViTForImageClassification

            ref = hf_pretrained(ViTForImageClassification, name, download=True)
        else:                                               # timm: timm이 HF cache를 보고 없으면 받는다
            import timm

            try:
                ref = timm.create_model(name, pretrained=True, **timm_kwargs)
            except (OSError, RuntimeError, ValueError) as error:
                raise DatasetUnavailable(
                    f"{name}의 pretrained 가중치를 받을 수 없습니다 (인터넷 연결이나 cache를 확인하세요: "
                    f"{type(error).__name__})") from error
        return cls.from_reference(ref.eval()).eval()

    # ---- fine-tuning (Section 3.2) ----
    def reset_head(self, num_classes: int) -> ViT:
        """fine-tuning용 새 head: pre-training head를 떼고 0으로 초기화한 D × K Linear를 단다 (제자리, self를 돌려준다).

        논문 Section 3.2: "we remove the pre-trained prediction head and attach a zero-initialized D × K
        feedforward layer". pre-training head가 hidden 층 하나의 MLP (`representation_size`, tanh)였어도
        fine-tuning에서는 Linear 하나만 남는다. weight와 bias가 0이라 처음 logits는 모두 0 (loss = ln K)이다.
        num_classes=0이면 head 없이 pooled feature를 돌려주는 모델이 된다.
        """
        if int(num_classes) != num_classes or num_classes < 0:
            raise ValueError(f"num_classes는 0 이상의 정수여야 합니다: num_classes={num_classes}")
        reference = self.norm.weight
        self.pre_logits = None
        self.num_classes = int(num_classes)
        if num_classes == 0:
            self.head = nn.Identity()
            return self
        self.head = nn.Linear(self.dim, num_classes, device=reference.device, dtype=reference.dtype)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)
        return self


def _hf_from_folder(folder):
    """HF `save_pretrained` 폴더 → ViTForImageClassification 또는 ViTModel (로컬 파일만, `utils.hub.hf_pretrained`).

    가중치 파일이 없으면 DatasetUnavailable 한 문장."""
    from transformers import ViTConfig, ViTForImageClassification, ViTModel

    config = hf_pretrained(ViTConfig, str(folder))
    kind = ViTModel if (config.architectures or [None])[0] == "ViTModel" else ViTForImageClassification
    return hf_pretrained(kind, str(folder))


def timm_from_checkpoint(name: str, path, timm_kwargs: dict):
    """timm 이름의 구조를 만들고 로컬 checkpoint 파일 (safetensors 또는 torch state_dict)을 strict하게 넣는다.

    파일이 없으면 DatasetUnavailable, 파일의 key·shape가 구조와 다르면 ValueError.
    """
    import timm
    from timm.models import load_checkpoint

    if not path.is_file():
        raise DatasetUnavailable(f"timm checkpoint 파일 {path}이 없습니다: 경로를 확인하세요")
    model = timm.create_model(name, pretrained=False, **timm_kwargs)
    try:
        load_checkpoint(model, str(path), strict=True)      # safetensors 또는 torch.load(weights_only=True)
    except RuntimeError as error:
        first = str(error).strip().splitlines()[0]
        raise ValueError(f"{path}의 가중치가 timm {name} 구조와 맞지 않습니다 (timm_kwargs로 크기·class 수를 "
                         f"맞추세요): {first}") from error
    return model


# ---------------------------------------------------------------------------
# E_pos 보간 (Section 3.2 "Fine-tuning and higher resolution")
# ---------------------------------------------------------------------------
def resample_pos_embed(pos_embed: torch.Tensor, new_grid: tuple[int, int], old_grid: tuple[int, int] | None = None,
                       num_prefix_tokens: int = 1, antialias: bool = True) -> torch.Tensor:
    """(1, prefix + h·w, D)의 E_pos를 격자 new_grid로 bicubic 보간한다. [CLS] 같은 prefix token은 그대로 둔다.

    논문 Section 3.2: "we perform 2D interpolation of the pre-trained position embeddings, according to their
    location in the original image". timm `resample_abs_pos_embed`의 기본값(bicubic, antialias=True,
    align_corners=False)과 같은 계산이다. old_grid를 주지 않으면 정사각형 격자로 본다.
    """
    if pos_embed.ndim != 3 or pos_embed.shape[0] != 1:
        raise ValueError(f"pos_embed는 (1, T, D)여야 합니다: 받은 shape {tuple(pos_embed.shape)}")
    n_grid = pos_embed.shape[1] - num_prefix_tokens
    if old_grid is None:
        side = math.isqrt(n_grid)
        if side * side != n_grid:
            raise ValueError(f"pos_embed의 patch 위치 {n_grid}개는 정사각형 격자가 아닙니다: old_grid를 주세요")
        old_grid = (side, side)
    if old_grid[0] * old_grid[1] != n_grid:
        raise ValueError(f"old_grid {tuple(old_grid)}는 위치 {n_grid}개와 맞지 않습니다")
    new_grid = (int(new_grid[0]), int(new_grid[1]))
    if tuple(old_grid) == new_grid:
        return pos_embed
    D = pos_embed.shape[-1]
    prefix, grid = pos_embed[:, :num_prefix_tokens], pos_embed[:, num_prefix_tokens:]
    grid = grid.float().reshape(1, old_grid[0], old_grid[1], D).permute(0, 3, 1, 2)        # (1, D, h, w)
    grid = F.interpolate(grid, size=new_grid, mode="bicubic", align_corners=False, antialias=antialias)
    grid = grid.permute(0, 2, 3, 1).reshape(1, new_grid[0] * new_grid[1], D).to(pos_embed.dtype)  # (1, h'·w', D)
    return torch.cat([prefix, grid], dim=1)


# ---------------------------------------------------------------------------
# Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers", ACL, Section 3)
# ---------------------------------------------------------------------------
def attention_rollout(attentions: list[torch.Tensor], residual: bool = True) -> torch.Tensor:
    """층마다의 attention (B, heads, T, T)을 입력 token까지 곱해 올라간 "정보 흐름" (B, T, T).

    head는 평균하고, residual 연결을 반영해 Â_ℓ = ½ A_ℓ + ½ I로 두고 행을 다시 1로 맞춘 뒤
    R = Â_L · Â_{L−1} ··· Â_1 (논문 Section 3의 식 그대로). R[:, 0, 1:]이 [CLS]가 각 patch에서 받은 몫이다.
    논문 Figure 6의 ViT attention map도 이 방법으로 그렸다 (ViT 논문 Appendix D.8).
    """
    if not attentions:
        raise ValueError("attention이 비어 있습니다: 층마다 (B, heads, T, T)의 list가 필요합니다")
    rollout = None
    for attn in attentions:
        if attn.ndim != 4 or attn.shape[-1] != attn.shape[-2]:
            raise ValueError(f"attention은 (B, heads, T, T)여야 합니다: 받은 shape {tuple(attn.shape)}")
        a = attn.mean(dim=1)                                               # (B, T, T): head 평균
        if residual:
            a = 0.5 * a + 0.5 * torch.eye(a.shape[-1], dtype=a.dtype, device=a.device)
            a = a / a.sum(dim=-1, keepdim=True)
        rollout = a if rollout is None else a @ rollout                    # (B, T, T)
    return rollout


# ---------------------------------------------------------------------------
# 설정표 (Table 1)와 parameter 수
# ---------------------------------------------------------------------------
def vit(name: str = "B/16", image_size: int = 224, num_classes: int = 1000, **kwargs) -> ViT:
    """"B/16"처럼 (크기)/(patch) 이름으로 만든다. 크기는 CONFIGS의 Ti, S, B, L, H."""
    size, _, patch = name.partition("/")
    if size not in CONFIGS or not patch.isdigit():
        raise ValueError(f"이름은 '<{'|'.join(CONFIGS)}>/<patch>' 꼴이어야 합니다 (예: 'B/16'): 받은 {name!r}")
    return ViT(image_size=image_size, patch_size=int(patch), num_classes=num_classes, **CONFIGS[size], **kwargs)


def count_parameters(name: str = "B/16", image_size: int = 224, num_classes: int = 1000, in_channels: int = 3) -> int:
    """모델을 만들지 않고 식으로 센 parameter 수 (pool="cls", qkv bias 있음)."""
    size, _, patch = name.partition("/")
    c = CONFIGS[size]
    D, L, M, P = c["dim"], c["depth"], c["mlp_dim"], int(patch)
    N = (image_size // P) ** 2
    embedding = (in_channels * P * P + 1) * D + D + (N + 1) * D          # E (+bias), x_class, E_pos
    block = 2 * 2 * D + (D * 3 * D + 3 * D) + (D * D + D) + (D * M + M) + (M * D + D)
    head = 2 * D + (D * num_classes + num_classes if num_classes else 0)
    return embedding + L * block + head


def _linear_rates(last: float, depth: int) -> list[float]:
    """층 0 … depth−1의 stochastic depth 확률: 0에서 last까지 선형 (1층이면 0).

    timm `calculate_drop_path_rates`와 같은 규칙.
    """
    return [last * i / (depth - 1) for i in range(depth)] if depth > 1 else [0.0]


def n_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# ---------------------------------------------------------------------------
# from_reference의 도우미: 설정 읽기, 거부할 변형, key 옮기기
# ---------------------------------------------------------------------------
def _reference_kind(ref) -> str:
    """"timm", "hf_classifier", "hf_model" 중 하나. 모르는 모델이면 ValueError."""
    import timm.models.vision_transformer as timm_vit

    if isinstance(ref, timm_vit.VisionTransformer):
        return "timm"
    try:
        from transformers import ViTForImageClassification, ViTModel
    except ImportError:                                                  # transformers 없이도 timm은 된다
        ViTForImageClassification = ViTModel = ()                        # noqa: N806
    if ViTForImageClassification and isinstance(ref, ViTForImageClassification):
        return "hf_classifier"
    if ViTModel and isinstance(ref, ViTModel):
        return "hf_model"
    raise ValueError(f"from_reference는 timm VisionTransformer, HF ViTForImageClassification / ViTModel을 "
                     f"받습니다: 받은 {type(ref).__name__}")


def _hf_base(ref, kind: str):
    return ref.vit if kind == "hf_classifier" else ref


def _refuse(problems: list[str], source: str) -> None:
    if problems:
        raise ValueError(f"{source}를 이 ViT로 옮길 수 없습니다 — " + "; ".join(problems))


def _timm_config_and_state(ref) -> tuple[dict, dict]:
    """timm VisionTransformer → (ViT 생성 인자, 우리 key 이름의 state_dict)."""
    import timm.layers as timm_layers
    import timm.models.vision_transformer as timm_vit

    pe = ref.patch_embed
    blocks = list(ref.blocks)
    problems = []
    img, patch = tuple(pe.img_size), tuple(pe.patch_size)
    if img[0] != img[1] or patch[0] != patch[1]:
        problems.append(f"정사각형이 아닌 이미지/patch (img_size {img}, patch_size {patch})")
    if ref.cls_token is None or ref.pos_embed is None:
        problems.append("class token 또는 position embedding이 없음 (class_token=False / pos_embed='none')")
    if ref.reg_token is not None:
        problems.append(f"register token {ref.num_reg_tokens}개 (reg_tokens)")
    if ref.no_embed_class:
        problems.append("E_pos가 [CLS]를 덮지 않음 (no_embed_class=True)")
    if ref.dynamic_img_size or not isinstance(ref.patch_drop, nn.Identity):
        problems.append("dynamic_img_size / patch_drop_rate")
    if not isinstance(ref.norm_pre, nn.Identity) or not isinstance(pe.norm, nn.Identity):
        problems.append("embedding 뒤 LayerNorm (pre_norm=True / embed_norm_layer)")
    if ref.attn_pool is not None or ref.global_pool not in ("token", "avg") or ref.pool_include_prefix:
        problems.append(f"head pooling global_pool={ref.global_pool!r} (token과 avg만)")
    expected_final = {"token": ("norm", "fc_norm"), "avg": ("fc_norm", "norm")}.get(ref.global_pool)
    if expected_final and (not isinstance(getattr(ref, expected_final[0]), nn.LayerNorm)
                           or not isinstance(getattr(ref, expected_final[1]), nn.Identity)):
        problems.append(f"마지막 LayerNorm의 자리 (global_pool={ref.global_pool!r}인데 fc_norm 설정이 다름)")
    for i, blk in enumerate(blocks):
        if type(blk) is not timm_vit.Block:
            problems.append(f"blocks.{i}가 pre-LN Block이 아님 ({type(blk).__name__})")
            break
        attn, mlp = blk.attn, blk.mlp
        if type(attn) is not timm_layers.Attention or type(mlp) is not timm_layers.Mlp:
            problems.append(f"blocks.{i}의 attention/MLP 종류 ({type(attn).__name__}, {type(mlp).__name__})")
            break
        if not all(isinstance(m, nn.Identity) for m in (attn.q_norm, attn.k_norm, attn.norm, mlp.norm)) \
                or attn.gate is not None:
            problems.append(f"blocks.{i}: qk_norm / scale_norm / gated attention")
        if not (isinstance(blk.ls1, nn.Identity) and isinstance(blk.ls2, nn.Identity)):
            problems.append(f"blocks.{i}: LayerScale (init_values)")
        act = mlp.act
        if type(act) is not nn.GELU or act.approximate != "none":
            problems.append(f"blocks.{i}.mlp.act가 정확한 GELU가 아님 ({act!r})")
        if attn.proj.bias is None or mlp.fc1.bias is None or mlp.fc2.bias is None:
            problems.append(f"blocks.{i}: bias 없는 proj/MLP (proj_bias=False)")
        if attn.head_dim * attn.num_heads != ref.embed_dim:
            problems.append(f"blocks.{i}: attn_head_dim × heads ≠ embed_dim")
    final_norm = ref.norm if ref.global_pool == "token" else ref.fc_norm
    norms = {f"blocks.{i}.{n}": getattr(b, n) for i, b in enumerate(blocks) for n in ("norm1", "norm2")}
    norms["norm" if ref.global_pool == "token" else "fc_norm"] = final_norm
    for name, norm in norms.items():
        if not isinstance(norm, nn.LayerNorm) or not norm.elementwise_affine or norm.bias is None:
            problems.append(f"{name}가 affine LayerNorm이 아님 ({type(norm).__name__})")
    eps_values = {float(n.eps) for n in norms.values() if isinstance(n, nn.LayerNorm)}
    if len(eps_values) > 1:
        problems.append(f"LayerNorm ε가 층마다 다름 {sorted(eps_values)}")
    rates = [float(b.drop_path1.drop_prob) if hasattr(b.drop_path1, "drop_prob") else 0.0
             for b in blocks if type(b) is timm_vit.Block]
    _refuse(problems, "timm VisionTransformer")

    depth = len(blocks)
    drop_path = rates[-1] if rates else 0.0
    if any(abs(a - b) > 1e-6 for a, b in zip(rates, _linear_rates(drop_path, depth))):
        _refuse([f"stochastic depth 확률이 0 → {drop_path} 선형이 아님 ({rates})"], "timm VisionTransformer")
    b0 = blocks[0]
    config = {
        "image_size": img[0], "patch_size": patch[0], "in_channels": pe.proj.in_channels,
        "num_classes": ref.num_classes, "dim": ref.embed_dim, "depth": depth, "heads": b0.attn.num_heads,
        "mlp_dim": b0.mlp.fc1.out_features, "pool": "cls" if ref.global_pool == "token" else "avg",
        "dropout": float(b0.attn.proj_drop.p), "attention_dropout": float(b0.attn.attn_drop.p),
        "drop_path": drop_path, "embedding_dropout": float(ref.pos_drop.p),
        "mlp_hidden_dropout": float(b0.mlp.drop1.p), "head_dropout": float(ref.head_drop.p),
        "eps": eps_values.pop(), "qkv_bias": b0.attn.qkv.bias is not None,
    }
    if float(b0.mlp.drop2.p) != config["dropout"]:
        _refuse([f"attn.proj_drop {config['dropout']} ≠ mlp.drop2 {b0.mlp.drop2.p}"], "timm VisionTransformer")

    source = ref.state_dict()
    D = ref.embed_dim
    state = {
        "cls_token": source.pop("cls_token"), "pos_embed": source.pop("pos_embed"),
        # Conv2d kernel (D, C, P, P) → Linear weight (D, C·P·P): patch 벡터 순서 (채널, 행, 열)와 같다
        "patch_embed.proj.weight": source.pop("patch_embed.proj.weight").reshape(D, -1),
        "patch_embed.proj.bias": source.pop("patch_embed.proj.bias"),
    }
    final = "norm" if ref.global_pool == "token" else "fc_norm"
    for part in ("weight", "bias"):
        state[f"norm.{part}"] = source.pop(f"{final}.{part}")
        if f"head.{part}" in source:
            state[f"head.{part}"] = source.pop(f"head.{part}")
    for i in range(depth):
        for ours, theirs in (("norm1", "norm1"), ("attn.qkv", "attn.qkv"), ("attn.proj", "attn.proj"),
                             ("norm2", "norm2"), ("mlp.fc1", "mlp.fc1"), ("mlp.fc2", "mlp.fc2")):
            for part in ("weight", "bias"):
                key = f"blocks.{i}.{theirs}.{part}"
                if key in source:
                    state[f"blocks.{i}.{ours}.{part}"] = source.pop(key)
    if source:
        _refuse([f"옮기지 못한 key {sorted(source)[:6]}"], "timm VisionTransformer")
    return config, state


# HF ViT의 두 layout: transformers 5 (`layers.{i}.attention.q_proj`)와
# 4.x (`encoder.layer.{i}.attention.attention.query`)
HF_LAYER_KEYS = {
    "v5": {"prefix": "layers.{i}.", "q": "attention.q_proj", "k": "attention.k_proj", "v": "attention.v_proj",
           "o": "attention.o_proj", "fc1": "mlp.fc1", "fc2": "mlp.fc2",
           "norm1": "layernorm_before", "norm2": "layernorm_after"},
    "v4": {"prefix": "encoder.layer.{i}.", "q": "attention.attention.query", "k": "attention.attention.key",
           "v": "attention.attention.value", "o": "attention.output.dense", "fc1": "intermediate.dense",
           "fc2": "output.dense", "norm1": "layernorm_before", "norm2": "layernorm_after"},
}


def _hf_config_and_state(config, state_dict: dict, kind: str, has_pooler: bool) -> tuple[dict, dict]:
    """HF ViTConfig + state_dict → (ViT 생성 인자, 우리 key 이름의 state_dict). 두 layout(v5, v4)을 모두 읽는다."""
    problems = []
    image, patch = config.image_size, config.patch_size
    if not isinstance(image, int) or not isinstance(patch, int):
        problems.append(f"정사각형이 아닌 이미지/patch (image_size {image}, patch_size {patch})")
    if config.hidden_act != "gelu":
        problems.append(f"hidden_act={config.hidden_act!r} (정확한 GELU 'gelu'만)")
    head_dim = getattr(config, "head_dim", None)
    if head_dim is not None and head_dim * config.num_attention_heads != config.hidden_size:
        problems.append(f"head_dim {head_dim} × heads ≠ hidden_size")
    if has_pooler and getattr(config, "pooler_act", "tanh") != "tanh":
        problems.append(f"pooler_act={config.pooler_act!r} (tanh만)")
    _refuse(problems, f"HF {kind}")

    prefix = "vit." if kind == "hf_classifier" else ""
    source = {k[len(prefix):] if k.startswith(prefix) else k: v for k, v in state_dict.items()}
    layout = "v5" if "layers.0.attention.q_proj.weight" in source else "v4"
    names = HF_LAYER_KEYS[layout]
    D, L = config.hidden_size, config.num_hidden_layers
    p = float(config.hidden_dropout_prob)
    representation = config.pooler_output_size if (kind == "hf_model" and has_pooler) else None
    num_classes = config.num_labels if kind == "hf_classifier" else 0
    ours = {
        "image_size": image, "patch_size": patch, "in_channels": config.num_channels, "num_classes": num_classes,
        "dim": D, "depth": L, "heads": config.num_attention_heads, "mlp_dim": config.intermediate_size,
        "pool": "cls", "dropout": p, "embedding_dropout": p, "mlp_hidden_dropout": 0.0,
        "attention_dropout": float(config.attention_probs_dropout_prob), "drop_path": 0.0, "head_dropout": 0.0,
        "eps": float(config.layer_norm_eps), "qkv_bias": bool(config.qkv_bias),
        "representation_size": representation, "pos_embed_antialias": False,
    }
    source.pop("embeddings.mask_token", None)          # masked image modeling 전용: 분류 forward에서 쓰이지 않는다
    state = {
        "cls_token": source.pop("embeddings.cls_token"), "pos_embed": source.pop("embeddings.position_embeddings"),
        "patch_embed.proj.weight": source.pop("embeddings.patch_embeddings.projection.weight").reshape(D, -1),
        "patch_embed.proj.bias": source.pop("embeddings.patch_embeddings.projection.bias"),
        "norm.weight": source.pop("layernorm.weight"), "norm.bias": source.pop("layernorm.bias"),
    }
    for i in range(L):
        pre = names["prefix"].format(i=i)
        q, k, v = (source.pop(f"{pre}{names[n]}.weight") for n in ("q", "k", "v"))
        state[f"blocks.{i}.attn.qkv.weight"] = torch.cat([q, k, v], dim=0)      # (3D, D): 식 (5)의 U_qkv
        if config.qkv_bias:
            qb, kb, vb = (source.pop(f"{pre}{names[n]}.bias") for n in ("q", "k", "v"))
            state[f"blocks.{i}.attn.qkv.bias"] = torch.cat([qb, kb, vb], dim=0)
        for ours_name, theirs in (("attn.proj", "o"), ("mlp.fc1", "fc1"), ("mlp.fc2", "fc2"),
                                  ("norm1", "norm1"), ("norm2", "norm2")):
            for part in ("weight", "bias"):
                state[f"blocks.{i}.{ours_name}.{part}"] = source.pop(f"{pre}{names[theirs]}.{part}")
    if representation:
        state["pre_logits.weight"] = source.pop("pooler.dense.weight")
        state["pre_logits.bias"] = source.pop("pooler.dense.bias")
    if num_classes:
        state["head.weight"] = source.pop("classifier.weight")
        state["head.bias"] = source.pop("classifier.bias")
    if source:
        _refuse([f"옮기지 못한 key {sorted(source)[:6]}"], f"HF {kind}")
    return ours, state


def _load_exactly(model: nn.Module, state: dict) -> None:
    """state의 모든 key가 model에 있고, model의 모든 parameter가 state에 있으며 shape가 같을 때만 복사한다."""
    own = model.state_dict()
    missing, unexpected = sorted(set(own) - set(state)), sorted(set(state) - set(own))
    if missing or unexpected:
        raise ValueError(f"key가 맞지 않습니다 — 모델에만 {missing[:6]}, 옮긴 쪽에만 {unexpected[:6]}")
    with torch.no_grad():
        for name, tensor in state.items():
            if tuple(own[name].shape) != tuple(tensor.shape):
                raise ValueError(f"{name}: shape가 다릅니다 — 모델 {tuple(own[name].shape)}, "
                                 f"옮긴 값 {tuple(tensor.shape)}")
            own[name].copy_(tensor)                      # copy_: 상대 모델과 메모리를 나누지 않는다
