"""연습문제 02 — pre-LN encoder 층과 stack (Xiong et al. 2020): 학습자가 채우는 stub.

문제 설명: `02_pre_ln.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다. 밑줄로 시작하는
`_self_attention`, `_feed_forward`는 주어진 것이다. 함수 이름·인자·docstring은 바꾸지 않는다
(채점이 이 이름으로 부른다).

    python -m pytest 07_Transformer/exercises --learner -k ex02   # 이 문제만 채점
    make grade CHAPTERS=07                                        # 이 장의 채점표 (문제마다 한 줄)
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
    raise NotImplementedError("pre_ln_encoder_layer: 02_pre_ln.md 1단계 (그림 1 (b)의 LayerNorm 자리)")


def pre_ln_encoder(x: torch.Tensor, layers: list[dict], final_norm: dict, n_head: int, key_padding_mask=None,
                   eps: float = 1e-5) -> torch.Tensor:
    """pre-LN 층을 차례로 쌓고 마지막에 LayerNorm 하나 (residual 합이 정규화되지 않은 채 끝나므로).

    layers: 층마다 params dict, final_norm: {"weight", "bias"}.
    `nn.TransformerEncoder(norm_first 층, norm=LayerNorm)`과 같다.
    """
    raise NotImplementedError("pre_ln_encoder: 02_pre_ln.md 2단계 (층을 쌓고 stack 끝에서 한 번 더)")

def residual_rms(x: torch.Tensor, layers: list[dict], n_head: int, eps: float = 1e-5) -> list[float]:
    """residual stream의 크기: 입력 x_0과 pre-LN 층 l개를 지난 x_l (stack 끝 LayerNorm **전**)의 RMS √(mean x²).

    Returns:
        길이 len(layers) + 1의 float list [rms(x_0), rms(x_1), …, rms(x_L)]. 02_pre_ln.md 생각해 볼 질문 1.
    """
    raise NotImplementedError("residual_rms: 02_pre_ln.md 3단계 (층마다 x를 재고 다음 층으로)")
