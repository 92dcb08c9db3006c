"""ViT를 raw tensor로 — 함수와 parameter dict만, `nn.Module` 층 없이.

논문: A. Dosovitskiy et al. (2021), "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
ICLR, Section 3.1 식 (1)–(4), Appendix A 식 (5)–(8).

이 레벨이 손으로 쓰는 것 (그리고 테스트가 라이브러리 쌍둥이와 같음을 보이는 것):
- `patchify`: 이미지 (B, C, H, W)를 reshape·permute만으로 patch 벡터 (B, N, C·P·P)로. 여기에 E를 곱한
  `patch_embed`는 kernel P×P, stride P인 convolution(`F.conv2d`)과 같은 값이다.
- `attention`: softmax(q kᵀ / √D_h) v를 행렬곱으로 (`F.scaled_dot_product_attention`과 같은 값).
- `layer_norm`: 평균·분산으로 (`F.layer_norm`과 같은 값).
나머지(GELU, 행렬곱, cat)는 torch 연산을 그대로 쓴다. dropout은 이 레벨에 없다 (평가 모드의 함수).

parameter 이름은 L3 `paper/vit.py`의 `state_dict` key와 같다. 그래서 L3 모델의 가중치를 그대로 넣어
두 레벨이 같은 함수임을 확인할 수 있다 (`params_from_state_dict`).
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F


# ---------------------------------------------------------------------------
# 식 (1): patch → token
# ---------------------------------------------------------------------------
def patchify(x: torch.Tensor, P: int) -> torch.Tensor:
    """(B, C, H, W) → (B, N, C·P·P), N = (H/P)(W/P). patch는 행 우선, patch 안은 (채널, 행, 열) 순서."""
    if x.ndim != 4:
        raise ValueError(f"이미지는 (B, C, H, W)여야 합니다: 받은 shape {tuple(x.shape)}")
    B, C, H, W = x.shape
    if H % P or W % P:
        raise ValueError(f"이미지 크기 {H}×{W}가 patch 크기 {P}로 나누어떨어지지 않습니다")
    x = x.reshape(B, C, H // P, P, W // P, P)              # (B, C, h, P, w, P)
    x = x.permute(0, 2, 4, 1, 3, 5)                        # (B, h, w, C, P, P)
    return x.reshape(B, (H // P) * (W // P), C * P * P)    # (B, N, C·P·P)


def patch_embed(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor, P: int) -> torch.Tensor:
    """x_p E + b: (B, C, H, W) → (B, N, D). W: (D, C·P·P)."""
    return patchify(x, P) @ W.T + b                        # (B, N, D)


# ---------------------------------------------------------------------------
# 부품: LayerNorm, attention, MLP
# ---------------------------------------------------------------------------
def layer_norm(x: torch.Tensor, g: torch.Tensor, b: torch.Tensor, eps: float) -> torch.Tensor:
    """Ba et al. (2016): 마지막 축을 평균 0, 분산 1로 (1/D로 나눈 분산) 만든 뒤 γ, β."""
    mu = x.mean(dim=-1, keepdim=True)                              # (..., 1)
    var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)               # (..., 1)
    return (x - mu) / torch.sqrt(var + eps) * g + b


def scaled_dot_product(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor):
    """식 (6)–(7): A = softmax(q kᵀ / √D_h), 출력 A v. q, k, v: (B, nh, T, hs) → ((B, nh, T, hs), A (B, nh, T, T))."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])      # (B, nh, T, T)
    scores = scores - scores.amax(dim=-1, keepdim=True)            # softmax의 overflow 방지 (값은 같다)
    A = scores.exp()
    A = A / A.sum(dim=-1, keepdim=True)                            # 행마다 합 1
    return A @ v, A


def attention(x: torch.Tensor, W_qkv, b_qkv, W_o, b_o, heads: int):
    """식 (5)–(8), multi-head self-attention. x (B, T, D) → ((B, T, D), A (B, nh, T, T))."""
    B, T, D = x.shape
    qkv = x @ W_qkv.T                                              # (B, T, 3D)
    if b_qkv is not None:
        qkv = qkv + b_qkv
    qkv = qkv.reshape(B, T, 3, heads, D // heads)                  # (B, T, 3, nh, hs)
    q, k, v = qkv.permute(2, 0, 3, 1, 4)                           # 각각 (B, nh, T, hs)
    y, A = scaled_dot_product(q, k, v)                             # (B, nh, T, hs)
    y = y.transpose(1, 2).reshape(B, T, D)                         # (B, T, D): head를 이어 붙인다
    return y @ W_o.T + b_o, A


def mlp(x: torch.Tensor, W1, b1, W2, b2) -> torch.Tensor:
    """두 층 MLP, 사이에 GELU (erf로 정확히)."""
    return F.gelu(x @ W1.T + b1) @ W2.T + b2


# ---------------------------------------------------------------------------
# 모델 전체: 식 (1)–(4)
# ---------------------------------------------------------------------------
def init_params(image_size: int, patch_size: int, num_classes: int, dim: int, depth: int, mlp_dim: int,
                in_channels: int = 3, seed: int = 0) -> dict[str, torch.Tensor]:
    """L3와 같은 이름·shape·초기화 식의 parameter dict (requires_grad=True).

    Linear N(0, 0.02²) (±2에서 자름), bias 0, E_pos N(0, 0.02²), [CLS] N(0, 10⁻¹²),
    patch embedding U(±1/√(C·P²)), LayerNorm γ = 1, β = 0.
    """
    if image_size % patch_size:
        raise ValueError(f"image_size={image_size}가 patch_size={patch_size}로 나누어떨어지지 않습니다")
    g = torch.Generator().manual_seed(seed)
    N = (image_size // patch_size) ** 2
    fan_in = in_channels * patch_size * patch_size

    def normal(*shape, std=0.02):
        return torch.nn.init.trunc_normal_(torch.empty(shape), std=std, a=-2.0, b=2.0, generator=g)

    def uniform(*shape):
        return (torch.rand(shape, generator=g) * 2 - 1) / math.sqrt(fan_in)

    p = {"cls_token": torch.randn(1, 1, dim, generator=g) * 1e-6, "pos_embed": normal(1, N + 1, dim),
         "patch_embed.proj.weight": uniform(dim, fan_in), "patch_embed.proj.bias": uniform(dim)}
    for i in range(depth):
        pre = f"blocks.{i}."
        for ln in ("norm1", "norm2"):
            p[pre + ln + ".weight"], p[pre + ln + ".bias"] = torch.ones(dim), torch.zeros(dim)
        for name, (n_out, n_in) in (("attn.qkv", (3 * dim, dim)), ("attn.proj", (dim, dim)),
                                    ("mlp.fc1", (mlp_dim, dim)), ("mlp.fc2", (dim, mlp_dim))):
            p[pre + name + ".weight"], p[pre + name + ".bias"] = normal(n_out, n_in), torch.zeros(n_out)
    p["norm.weight"], p["norm.bias"] = torch.ones(dim), torch.zeros(dim)
    p["head.weight"], p["head.bias"] = normal(num_classes, dim), torch.zeros(num_classes)
    return {k: v.requires_grad_() for k, v in p.items()}


def params_from_state_dict(state: dict) -> dict[str, torch.Tensor]:
    """L3 `ViT.state_dict()`(pool="cls", representation_size 없음) → 이 레벨의 parameter dict (복사본)."""
    return {k: v.detach().clone().requires_grad_() for k, v in state.items()}


def depth_of(params: dict) -> int:
    return len({k.split(".")[1] for k in params if k.startswith("blocks.")})


def vit_forward(params: dict, x: torch.Tensor, patch_size: int, heads: int, eps: float = 1e-6,
                return_attention: bool = False):
    """pixel (B, C, H, W) → logits (B, K). return_attention이면 (logits, 층마다 A (B, nh, T, T))."""
    p = params
    B = x.shape[0]
    z = patch_embed(x, p["patch_embed.proj.weight"], p["patch_embed.proj.bias"], patch_size)   # (B, N, D)
    if z.shape[1] + 1 != p["pos_embed"].shape[1]:
        raise ValueError(f"patch {z.shape[1]}개 + [CLS]인데 position table은 {p['pos_embed'].shape[1]}개입니다")
    z = torch.cat([p["cls_token"].expand(B, -1, -1), z], dim=1) + p["pos_embed"]              # (B, N+1, D) 식 (1)
    attentions = []
    for i in range(depth_of(p)):
        pre = f"blocks.{i}."
        h = layer_norm(z, p[pre + "norm1.weight"], p[pre + "norm1.bias"], eps)
        y, A = attention(h, p[pre + "attn.qkv.weight"], p.get(pre + "attn.qkv.bias"),
                         p[pre + "attn.proj.weight"], p[pre + "attn.proj.bias"], heads)
        z = z + y                                                                             # 식 (2)
        h = layer_norm(z, p[pre + "norm2.weight"], p[pre + "norm2.bias"], eps)
        z = z + mlp(h, p[pre + "mlp.fc1.weight"], p[pre + "mlp.fc1.bias"],
                    p[pre + "mlp.fc2.weight"], p[pre + "mlp.fc2.bias"])                        # 식 (3)
        attentions.append(A)
    y = layer_norm(z[:, 0], p["norm.weight"], p["norm.bias"], eps)                            # (B, D) 식 (4)
    logits = y @ p["head.weight"].T + p["head.bias"]                                          # (B, K)
    return (logits, attentions) if return_attention else logits
