"""수정 과제 02 — HF CLIP vision tower의 attention을 forward hook으로 꺼내 rollout하기 (reference solution).

문제: `../mod02_attention_rollout.md`. 학습자 stub: `../mod02_attention_rollout.py` (이름·signature·docstring이 같다).

`output_attentions=True`는 eager attention 구현에서만 확률을 돌려준다. 대신 층마다 `q_proj`, `k_proj`의 출력을
forward hook으로 잡아 A = softmax(q kᵀ · d_h^(−1/2))를 직접 계산하면 attention 구현(eager, sdpa, …)과 상관이 없다.
rollout은 S. Abnar & W. Zuidema (2020), "Quantifying Attention Flow in Transformers", ACL, Section 3:
Â_ℓ = ½ mean_heads(A_ℓ) + ½ I (행을 다시 합 1로), R = Â_L · Â_(L−1) ··· Â_1.
"""
from __future__ import annotations

import torch
from torch import nn


def vision_attentions(model: nn.Module, pixel_values: torch.Tensor) -> list[torch.Tensor]:
    """HF `CLIPModel`의 vision tower에서 층마다 attention 확률 (B, heads, T, T)의 list (T = 1 + patch 수).

    forward hook만 쓴다 (`output_attentions`를 쓰지 않고, attention 구현에 기대지 않는다). 끝나면 건 hook을 모두
    지운다 (오류가 나도). gradient는 필요 없다.
    """
    layers = model.vision_model.encoder.layers
    captured: dict[tuple[str, int], torch.Tensor] = {}
    handles = []

    def keep(kind: str, index: int):
        def hook(module, inputs, output):
            captured[kind, index] = output.detach()
        return hook

    for i, layer in enumerate(layers):
        handles.append(layer.self_attn.q_proj.register_forward_hook(keep("q", i)))
        handles.append(layer.self_attn.k_proj.register_forward_hook(keep("k", i)))
    try:
        with torch.no_grad():
            model.vision_model(pixel_values=pixel_values)
    finally:
        for handle in handles:
            handle.remove()
    attentions = []
    for i, layer in enumerate(layers):
        attn = layer.self_attn
        B, T, _ = captured["q", i].shape
        q = captured["q", i].reshape(B, T, attn.num_heads, attn.head_dim).transpose(1, 2)   # (B, nh, T, hs)
        k = captured["k", i].reshape(B, T, attn.num_heads, attn.head_dim).transpose(1, 2)   # (B, nh, T, hs)
        attentions.append((q @ k.transpose(-1, -2) * attn.scale).softmax(dim=-1))          # (B, nh, T, T)
    return attentions


def attention_rollout(attentions: list[torch.Tensor]) -> torch.Tensor:
    """층마다의 attention (B, heads, T, T) list → rollout R (B, T, T). R[:, 0, 1:]이 [CLS]가 각 patch에서 받은 몫.

    head를 평균하고, residual을 반영해 ½ A + ½ I로 둔 뒤 행을 다시 합 1로 맞추고, 아래층부터 곱해 올라간다:
    R = Â_L ··· Â_1. 빈 list이거나 (B, heads, T, T)가 아니면 ValueError.
    """
    if not attentions:
        raise ValueError("attention이 비어 있습니다: 층마다 (B, heads, T, T)의 list가 필요합니다")
    rollout = None
    for attn in attentions:
        if attn.ndim != 4 or attn.shape[-1] != attn.shape[-2]:
            raise ValueError(f"attention은 (B, heads, T, T)여야 합니다: 받은 shape {tuple(attn.shape)}")
        a = 0.5 * attn.mean(dim=1) + 0.5 * torch.eye(attn.shape[-1], dtype=attn.dtype, device=attn.device)
        a = a / a.sum(dim=-1, keepdim=True)                                                 # (B, T, T)
        rollout = a if rollout is None else a @ rollout
    return rollout
