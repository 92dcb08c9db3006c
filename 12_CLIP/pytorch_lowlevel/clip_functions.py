"""CLIP을 raw tensor로 — 함수와 parameter dict만, `nn.Module` 층 없이.

논문: A. Radford et al. (2021), "Learning Transferable Visual Models From Natural Language Supervision", ICML,
Figure 3 (의사 코드), Section 2.3 (대칭 contrastive 목표), 2.5 (temperature와 그 상한).

이 레벨이 손으로 쓰는 것 (그리고 테스트가 라이브러리 쌍둥이와 같음을 보이는 것):
- `l2_normalize`: x / max(‖x‖, ε) (`F.normalize`와 같은 값).
- `info_nce`: 대칭 InfoNCE. logits = exp(t)·Î T̂ᵀ의 행마다 log-softmax의 대각선 (이미지 → 문장)과 열마다
  log-softmax의 대각선 (문장 → 이미지)의 평균. `F.cross_entropy`를 행과 열에 한 번씩 부른 값과 같다.
- `info_nce_logit_grad`: 그 loss의 logits에 대한 gradient를 식으로: (softmax_행 − I)/(2N) + (softmax_열 − I)/(2N).
- `clamp_logit_scale_`: Section 2.5의 상한 exp(t) ≤ 100 (t ∈ [0, ln 100]).
- `attention`: causal·padding mask가 있는 softmax(q kᵀ/√d + mask) v, `layer_norm`, quick-GELU.
나머지(행렬곱, cat, embedding 조회)는 torch 연산을 그대로 쓴다. dropout은 이 레벨에 없다 (평가 모드의 함수).

parameter 이름과 config key는 L3 `paper/clip.py`의 `state_dict` key, `CLIPConfig` field와 같다. 그래서 L3 모델의
가중치를 그대로 넣어 두 레벨이 같은 함수임을 확인할 수 있다 (`params_from_state_dict`).
"""
from __future__ import annotations

import math

import torch

LOGIT_SCALE_MAX = math.log(100.0)


# ---------------------------------------------------------------------------
# 이 장의 핵심: 정규화, 대칭 InfoNCE, temperature
# ---------------------------------------------------------------------------
def l2_normalize(x: torch.Tensor, eps: float = 1e-12) -> torch.Tensor:
    """마지막 축을 길이 1로: x / max(‖x‖₂, ε)."""
    norm = torch.sqrt((x * x).sum(dim=-1, keepdim=True))              # (..., 1)
    return x / norm.clamp_min(eps)


def log_softmax_rows(z: torch.Tensor) -> torch.Tensor:
    """행마다 log softmax: z − max − log Σ exp(z − max) (max를 빼서 overflow를 막는다, 값은 같다)."""
    m = z.amax(dim=1, keepdim=True)                                    # (N, 1)
    return z - m - torch.log(torch.exp(z - m).sum(dim=1, keepdim=True))


def similarity_logits(image: torch.Tensor, text: torch.Tensor, logit_scale: torch.Tensor) -> torch.Tensor:
    """logits_per_image (N_img, N_txt) = exp(t) · Î T̂ᵀ (Figure 3: np.dot(I_e, T_e.T) * np.exp(t))."""
    return torch.exp(logit_scale) * l2_normalize(image) @ l2_normalize(text).T


def info_nce_from_logits(logits: torch.Tensor) -> torch.Tensor:
    """대칭 InfoNCE: (−mean 대각선 log softmax_행 − mean 대각선 log softmax_열) / 2. logits (N, N)."""
    if logits.ndim != 2 or logits.shape[0] != logits.shape[1]:
        raise ValueError(f"contrastive loss는 이미지와 문장의 batch 크기가 같아야 합니다 (N, N): "
                         f"받은 logits shape {tuple(logits.shape)}")
    loss_image = -log_softmax_rows(logits).diagonal().mean()          # 이미지 i → 문장 i (행 방향)
    loss_text = -log_softmax_rows(logits.T).diagonal().mean()         # 문장 j → 이미지 j (열 방향)
    return (loss_image + loss_text) / 2


def info_nce(image: torch.Tensor, text: torch.Tensor, logit_scale: torch.Tensor) -> torch.Tensor:
    """projection된 feature (N, d) 두 개와 log-temperature t에서 대칭 InfoNCE."""
    if image.ndim != 2 or text.ndim != 2 or image.shape != text.shape:
        raise ValueError(f"image와 text feature는 같은 shape (N, d)여야 합니다 (짝의 수가 같아야 contrastive loss): "
                         f"받은 {tuple(image.shape)}, {tuple(text.shape)}")
    return info_nce_from_logits(similarity_logits(image, text, logit_scale))


def info_nce_logit_grad(logits: torch.Tensor) -> torch.Tensor:
    """∂loss/∂logits를 식으로 (theory.md 2절): (softmax_행(Z) − I)/(2N) + (softmax_열(Z) − I)/(2N)."""
    N = logits.shape[0]
    eye = torch.eye(N, dtype=logits.dtype, device=logits.device)
    rows = torch.exp(log_softmax_rows(logits))                          # 행마다 합 1
    cols = torch.exp(log_softmax_rows(logits.T)).T                      # 열마다 합 1
    return (rows - eye) / (2 * N) + (cols - eye) / (2 * N)


@torch.no_grad()
def clamp_logit_scale_(logit_scale: torch.Tensor) -> torch.Tensor:
    """Section 2.5: t를 [0, ln 100]으로 (exp(t) = 1/τ ≤ 100). optimizer step 뒤에 제자리에서."""
    return logit_scale.clamp_(0.0, LOGIT_SCALE_MAX)


# ---------------------------------------------------------------------------
# Transformer 부품
# ---------------------------------------------------------------------------
def layer_norm(x: torch.Tensor, g: torch.Tensor, b: torch.Tensor, eps: float) -> torch.Tensor:
    mu = x.mean(dim=-1, keepdim=True)                                   # (..., 1)
    var = ((x - mu) ** 2).mean(dim=-1, keepdim=True)                    # (..., 1), 1/D로 나눈 분산
    return (x - mu) / torch.sqrt(var + eps) * g + b


def quick_gelu(x: torch.Tensor) -> torch.Tensor:
    return x * torch.sigmoid(1.702 * x)


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, allowed: torch.Tensor | None = None):
    """softmax(q kᵀ/√d, 허용되지 않은 key는 dtype의 최솟값) v. q, k, v: (B, nh, T, hs), allowed: (B, 1, T, T) bool.

    −∞ 대신 가장 작은 유한한 값을 쓰는 이유: 왼쪽 padding 문장의 앞쪽 padding query는 볼 수 있는 key가 하나도 없다.
    −∞면 그 행이 0/0 = NaN이 되고, 다음 층에서 0 × NaN = NaN으로 번진다. 유한한 최솟값이면 그 행은 균등한 평균이 되고
    (HF와 L3가 하는 일), 다른 행에서는 exp(최솟값 − max) = 0이라 결과가 같다.
    """
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])           # (B, nh, T, T)
    if allowed is not None:
        scores = scores.masked_fill(~allowed, torch.finfo(scores.dtype).min)
    scores = scores - scores.amax(dim=-1, keepdim=True)
    A = torch.exp(scores)
    return (A / A.sum(dim=-1, keepdim=True)) @ v                        # (B, nh, T, hs)


def block(p: dict, prefix: str, x: torch.Tensor, heads: int, eps: float, act: str, allowed=None) -> torch.Tensor:
    """pre-LN block: x + Attn(LN(x)), x + MLP(LN(x)). p의 key는 L3의 `…resblocks.{i}.…`."""
    B, T, D = x.shape
    h = layer_norm(x, p[prefix + "ln_1.weight"], p[prefix + "ln_1.bias"], eps)
    qkv = h @ p[prefix + "attn.in_proj.weight"].T + p[prefix + "attn.in_proj.bias"]   # (B, T, 3D)
    q, k, v = qkv.reshape(B, T, 3, heads, D // heads).permute(2, 0, 3, 1, 4)          # 각각 (B, nh, T, hs)
    y = attention(q, k, v, allowed).transpose(1, 2).reshape(B, T, D)                  # (B, T, D)
    x = x + y @ p[prefix + "attn.out_proj.weight"].T + p[prefix + "attn.out_proj.bias"]
    h = layer_norm(x, p[prefix + "ln_2.weight"], p[prefix + "ln_2.bias"], eps)
    h = h @ p[prefix + "mlp.c_fc.weight"].T + p[prefix + "mlp.c_fc.bias"]             # (B, T, hidden)
    h = quick_gelu(h) if act == "quick_gelu" else torch.nn.functional.gelu(h)
    return x + h @ p[prefix + "mlp.c_proj.weight"].T + p[prefix + "mlp.c_proj.bias"]


# ---------------------------------------------------------------------------
# 두 encoder
# ---------------------------------------------------------------------------
def image_encoder(p: dict, pixels: torch.Tensor, c: dict) -> torch.Tensor:
    """(B, C, H, W) → projection 앞의 feature (B, W_v): patch → [CLS] + E_pos → ln_pre → blocks → ln_post."""
    B, C, H, W = pixels.shape
    P = c["patch_size"]
    x = pixels.reshape(B, C, H // P, P, W // P, P).permute(0, 2, 4, 1, 3, 5)          # (B, h, w, C, P, P)
    x = x.reshape(B, (H // P) * (W // P), C * P * P) @ p["visual.patch_embed.weight"].T   # (B, N, W_v)
    cls = p["visual.class_embedding"].expand(B, 1, -1)                                # (B, 1, W_v)
    x = torch.cat([cls, x], dim=1) + p["visual.positional_embedding"]                 # (B, N+1, W_v)
    eps = c["vision_eps"]
    x = layer_norm(x, p["visual.ln_pre.weight"], p["visual.ln_pre.bias"], eps)
    for i in range(c["vision_layers"]):
        x = block(p, f"visual.transformer.resblocks.{i}.", x, c["vision_heads"], eps, c["vision_act"])
    return layer_norm(x[:, 0], p["visual.ln_post.weight"], p["visual.ln_post.bias"], eps)   # (B, W_v)


def text_encoder(p: dict, ids: torch.Tensor, c: dict, mask: torch.Tensor | None = None) -> torch.Tensor:
    """(B, T) token id → projection 앞의 feature (B, W_t): causal (+ padding) mask, ln_final, 첫 EOS 자리."""
    B, T = ids.shape
    x = p["text.token_embedding.weight"][ids] + p["text.positional_embedding"][:T]   # (B, T, W_t)
    allowed = torch.ones(T, T, dtype=torch.bool).tril()[None, None]                    # (1, 1, T, T): j ≤ i
    if mask is not None:
        allowed = allowed & mask.bool()[:, None, None, :]                              # (B, 1, T, T)
    eps = c["text_eps"]
    for i in range(c["text_layers"]):
        x = block(p, f"text.transformer.resblocks.{i}.", x, c["text_heads"], eps, c["text_act"], allowed)
    x = layer_norm(x, p["text.ln_final.weight"], p["text.ln_final.bias"], eps)
    eos = (ids == c["eos_token_id"]).int().argmax(dim=1)                               # 첫 EOS의 자리 (B,)
    return x[torch.arange(B), eos]                                                     # (B, W_t)


def encode_image(p: dict, pixels: torch.Tensor, c: dict) -> torch.Tensor:
    return image_encoder(p, pixels, c) @ p["visual_projection.weight"].T              # (B, d)


def encode_text(p: dict, ids: torch.Tensor, c: dict, mask: torch.Tensor | None = None) -> torch.Tensor:
    return text_encoder(p, ids, c, mask) @ p["text_projection.weight"].T              # (B, d)


def clip_forward(p: dict, ids: torch.Tensor, pixels: torch.Tensor, c: dict, mask: torch.Tensor | None = None):
    """(logits_per_image, logits_per_text) — L3 `CLIP.forward`와 같은 약속."""
    logits_per_image = similarity_logits(encode_image(p, pixels, c), encode_text(p, ids, c, mask), p["logit_scale"])
    return logits_per_image, logits_per_image.T


# ---------------------------------------------------------------------------
# parameter 만들기
# ---------------------------------------------------------------------------
def params_from_state_dict(state: dict) -> dict:
    """L3 `CLIP.state_dict()` → 복사한 leaf tensor dict (requires_grad=True)."""
    return {k: v.detach().clone().requires_grad_() for k, v in state.items()}


def init_params(c: dict, seed: int = 0) -> dict:
    """L3 `CLIP.reset_parameters`와 같은 분포 (HF CLIP의 초기화 식)로 새 parameter dict를 만든다."""
    g = torch.Generator().manual_seed(seed)

    def normal(*shape, std):
        return torch.randn(*shape, generator=g) * std

    P, Wv, Wt, d = c["patch_size"], c["vision_width"], c["text_width"], c["embed_dim"]
    n_tokens = (c["image_size"] // P) ** 2 + 1
    p = {"visual.patch_embed.weight": normal(Wv, c["in_channels"] * P * P, std=0.02),
         "visual.class_embedding": normal(Wv, std=Wv ** -0.5),
         "visual.positional_embedding": normal(n_tokens, Wv, std=0.02),
         "text.token_embedding.weight": normal(c["vocab_size"], Wt, std=0.02),
         "text.positional_embedding": normal(c["context_length"], Wt, std=0.02),
         "visual_projection.weight": normal(d, Wv, std=Wv ** -0.5),
         "text_projection.weight": normal(d, Wt, std=Wt ** -0.5),
         "logit_scale": torch.tensor(float(c["logit_scale_init"]))}
    for name in ("visual.ln_pre", "visual.ln_post", "text.ln_final"):
        width = Wt if name.startswith("text") else Wv
        p[name + ".weight"], p[name + ".bias"] = torch.ones(width), torch.zeros(width)
    for tower, W, L, hidden in (("visual", Wv, c["vision_layers"], c["vision_mlp"]),
                                ("text", Wt, c["text_layers"], c["text_mlp"])):
        for i in range(L):
            pre = f"{tower}.transformer.resblocks.{i}."
            p[pre + "attn.in_proj.weight"] = normal(3 * W, W, std=W ** -0.5 * (2 * L) ** -0.5)
            p[pre + "attn.out_proj.weight"] = normal(W, W, std=W ** -0.5)
            p[pre + "mlp.c_fc.weight"] = normal(hidden, W, std=(2 * W) ** -0.5)
            p[pre + "mlp.c_proj.weight"] = normal(W, hidden, std=W ** -0.5 * (2 * L) ** -0.5)
            for name, size in (("attn.in_proj", 3 * W), ("attn.out_proj", W), ("mlp.c_fc", hidden),
                               ("mlp.c_proj", W)):
                p[pre + name + ".bias"] = torch.zeros(size)
            for name in ("ln_1", "ln_2"):
                p[pre + name + ".weight"], p[pre + name + ".bias"] = torch.ones(W), torch.zeros(W)
    return {k: v.requires_grad_() for k, v in p.items()}
