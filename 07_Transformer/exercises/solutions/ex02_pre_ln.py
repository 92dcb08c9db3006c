"""연습문제 02 — pre-LN encoder 층과 stack (Xiong et al. 2020): reference solution.

문제 설명: `../02_pre_ln.md`.

    python -m pytest 07_Transformer/exercises -k ex02   # 이 solution 검사
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def _self_attention(x: torch.Tensor, params: dict, n_head: int, key_padding_mask=None) -> torch.Tensor:
    """주어진 것: multi-head self-attention (B, T, C) → (B, T, C). params는 "self_attn.in_proj_weight" 등
    `nn.TransformerEncoderLayer.state_dict()`의 key. key_padding_mask: bool (B, T), True = padding."""
    B, T, C = x.shape
    q, k, v = (x @ params["self_attn.in_proj_weight"].T + params["self_attn.in_proj_bias"]).split(C, dim=-1)
    q, k, v = (t.view(B, T, n_head, C // n_head).transpose(1, 2) for t in (q, k, v))     # (B, nh, T, hs)
    mask = None if key_padding_mask is None else ~key_padding_mask[:, None, None, :]    # SDPA: True = 볼 수 있음
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)                          # (B, nh, T, hs)
    y = y.transpose(1, 2).reshape(B, T, C)                                               # (B, T, C)
    return y @ params["self_attn.out_proj.weight"].T + params["self_attn.out_proj.bias"]


def _feed_forward(x: torch.Tensor, params: dict) -> torch.Tensor:
    """주어진 것: FFN(x) = max(0, x W_1ᵀ + b_1) W_2ᵀ + b_2."""
    h = F.relu(x @ params["linear1.weight"].T + params["linear1.bias"])
    return h @ params["linear2.weight"].T + params["linear2.bias"]


def pre_ln_encoder_layer(x: torch.Tensor, params: dict, n_head: int, key_padding_mask=None,
                         eps: float = 1e-5) -> torch.Tensor:
    """pre-LN encoder 층 (Xiong et al. 2020 그림 1 (b)): self-attention, FFN 순서. dropout 없음 (eval 모드).

    `nn.TransformerEncoderLayer(..., norm_first=True, batch_first=True)`와 같은 값. x: (B, T, C).
    """
    h = F.layer_norm(x, (x.shape[-1],), params["norm1.weight"], params["norm1.bias"], eps)
    x = x + _self_attention(h, params, n_head, key_padding_mask)
    h = F.layer_norm(x, (x.shape[-1],), params["norm2.weight"], params["norm2.bias"], eps)
    return x + _feed_forward(h, params)


def pre_ln_encoder(x: torch.Tensor, layers: list[dict], final_norm: dict, n_head: int, key_padding_mask=None,
                   eps: float = 1e-5) -> torch.Tensor:
    """pre-LN 층을 차례로 쌓고 마지막에 LayerNorm 하나 (residual 합이 정규화되지 않은 채 끝나므로).

    layers: 층마다 params dict, final_norm: {"weight", "bias"}.
    `nn.TransformerEncoder(norm_first 층, norm=LayerNorm)`과 같다.
    """
    for params in layers:
        x = pre_ln_encoder_layer(x, params, n_head, key_padding_mask, eps)
    return F.layer_norm(x, (x.shape[-1],), final_norm["weight"], final_norm["bias"], eps)

def residual_rms(x: torch.Tensor, layers: list[dict], n_head: int, eps: float = 1e-5) -> list[float]:
    """residual stream의 크기: 입력 x_0과 pre-LN 층 l개를 지난 x_l (stack 끝 LayerNorm **전**)의 RMS √(mean x²).

    Returns:
        길이 len(layers) + 1의 float list [rms(x_0), rms(x_1), …, rms(x_L)]. 02_pre_ln.md 생각해 볼 질문 1.
    """
    sizes = [x.pow(2).mean().sqrt().item()]
    for params in layers:
        x = pre_ln_encoder_layer(x, params, n_head, eps=eps)
        sizes.append(x.pow(2).mean().sqrt().item())
    return sizes
