"""수정 과제 01 — HF GPT-2의 층마다 attention 확률을 forward hook으로 꺼내 그리기 (reference solution).

문제: `../mod01_attention_hooks.md`. 학습자 stub: `../mod01_attention_hooks.py` (이름·signature·docstring이 같다).

`output_attentions=True`는 eager 구현에서만 확률을 돌려준다 (sdpa는 확률 행렬을 밖으로 내놓지 않는다). 대신 층마다
`attn.c_attn` (Conv1D, C → 3C)의 출력을 forward hook으로 잡아 q, k를 나누고, GPT-2의 causal self-attention
(Radford et al. 2019, Section 2.3; Vaswani et al. 2017, 식 (1))
A = softmax(q kᵀ · scaling + M), M_ij = −∞ (j > i)를 직접 계산하면 attention 구현과 상관이 없다.
`scaling`은 `GPT2Attention.scaling` (1/√d_h, 설정에 따라 층 번호로 한 번 더 나눈 값)을 그대로 쓴다.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import torch
from torch import nn

from utils.visualization import save_figure


def attention_probabilities(model: nn.Module, input_ids: torch.Tensor) -> list[torch.Tensor]:
    """HF `GPT2LMHeadModel`의 층마다 causal attention 확률 (B, heads, T, T)의 list.

    forward hook만 쓴다 (`output_attentions`를 쓰지 않고, eager·sdpa 어느 구현이든). 끝나면 건 hook을 모두
    지운다 (오류가 나도). input_ids가 (B, T) 정수 tensor가 아니면 ValueError. gradient는 필요 없다.
    """
    if not isinstance(input_ids, torch.Tensor) or input_ids.ndim != 2 or input_ids.is_floating_point():
        shape = tuple(input_ids.shape) if isinstance(input_ids, torch.Tensor) else type(input_ids).__name__
        raise ValueError(f"input_ids는 (B, T) 정수 tensor여야 합니다: 받은 {shape}")
    blocks = model.transformer.h
    captured: dict[int, torch.Tensor] = {}

    def keep(index: int):                                   # 층 번호를 인자로 묶는다 (closure가 마지막 i를 잡지 않게)
        def hook(module, inputs, output):
            captured[index] = output.detach()
        return hook

    handles = [block.attn.c_attn.register_forward_hook(keep(i)) for i, block in enumerate(blocks)]
    try:
        with torch.no_grad():
            model(input_ids)
    finally:
        for handle in handles:
            handle.remove()
    attentions = []
    for i, block in enumerate(blocks):
        attn = block.attn
        B, T, _ = captured[i].shape
        q, k, _ = captured[i].split(attn.split_size, dim=2)                           # 각각 (B, T, C)
        q = q.reshape(B, T, attn.num_heads, attn.head_dim).transpose(1, 2)           # (B, nh, T, hs)
        k = k.reshape(B, T, attn.num_heads, attn.head_dim).transpose(1, 2)           # (B, nh, T, hs)
        scores = q @ k.transpose(-1, -2) * attn.scaling                              # (B, nh, T, T)
        future = torch.ones(T, T, dtype=torch.bool, device=scores.device).triu(diagonal=1)
        attentions.append(scores.masked_fill(future, float("-inf")).softmax(dim=-1))
    return attentions


def plot_attention_grid(attentions: list[torch.Tensor], path, sample: int = 0) -> Path:
    """층 × head 격자의 heatmap 한 장 (행 = 층, 열 = head; 각 칸은 query × key)을 PNG로 원자적으로 저장한다.

    attentions는 `attention_probabilities`의 결과, sample은 그릴 배치 index. 빈 list, (B, heads, T, T)가 아닌 원소,
    범위 밖의 sample이면 ValueError. 저장한 경로를 돌려준다.
    """
    if not attentions:
        raise ValueError("attention이 비어 있습니다: 층마다 (B, heads, T, T)의 list가 필요합니다")
    first = attentions[0]
    for a in attentions:
        if a.ndim != 4 or a.shape[-1] != a.shape[-2] or a.shape != first.shape:
            raise ValueError(f"attention은 모두 같은 (B, heads, T, T)여야 합니다: 받은 shape {tuple(a.shape)}")
    if not 0 <= sample < first.shape[0]:
        raise ValueError(f"sample은 0 이상 {first.shape[0]} 미만이어야 합니다: 받은 {sample}")
    layers, heads = len(attentions), first.shape[1]
    fig, axes = plt.subplots(layers, heads, figsize=(1.6 * heads + 1.0, 1.6 * layers), squeeze=False,
                             layout="constrained")
    for i, a in enumerate(attentions):
        for h in range(heads):
            ax = axes[i][h]
            image = ax.imshow(a[sample, h].detach().cpu().numpy(), cmap="viridis", vmin=0.0, vmax=1.0,
                              interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"layer {i} · head {h}", fontsize=7)
    fig.colorbar(image, ax=axes, shrink=0.8)
    fig.suptitle("causal attention (행 = query, 열 = key)")
    return save_figure(fig, path)
