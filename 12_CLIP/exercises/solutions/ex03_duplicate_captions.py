"""연습문제 03 — 같은 caption을 positive로 보는 contrastive loss: reference solution.

문제 설명: `../03_duplicate_captions.md`.

    python -m pytest 12_CLIP/exercises -k ex03   # 이 solution 검사
"""
from __future__ import annotations

import math
from collections import Counter

import torch


def positive_mask(caption_ids: torch.Tensor) -> torch.Tensor:
    """caption 번호 (N,) → (N, N) bool, [i, j] = 이미지 i와 문장 j가 짝으로 인정되는가 (caption이 같은가)."""
    if caption_ids.ndim != 1:
        raise ValueError(f"caption_ids는 (N,)이어야 합니다: 받은 shape {tuple(caption_ids.shape)}")
    return caption_ids[:, None] == caption_ids[None, :]


def multi_positive_clip_loss(logits: torch.Tensor, caption_ids: torch.Tensor) -> torch.Tensor:
    """대칭 contrastive loss에서 정답을 "짝 하나"가 아니라 "caption이 같은 모든 칸"으로 본다.

    행 i: −log Σ_{j: caption_j = caption_i} softmax_행(Z)_ij, 열 j도 같은 방식. 두 방향의 평균을 다시 평균한다.
    caption이 모두 다르면 CLIP의 loss와 같다. logits (N, N), caption_ids (N,).
    """
    if logits.ndim != 2 or logits.shape[0] != logits.shape[1] or logits.shape[0] != caption_ids.shape[0]:
        raise ValueError(f"logits는 (N, N), caption_ids는 (N,)이어야 합니다: 받은 {tuple(logits.shape)}, "
                         f"{tuple(caption_ids.shape)}")
    positive = positive_mask(caption_ids)
    blocked = torch.tensor(float("-inf"), dtype=logits.dtype, device=logits.device)
    rows = logits.log_softmax(dim=1).where(positive, blocked).logsumexp(dim=1)      # log Σ_positive p_ij
    cols = logits.log_softmax(dim=0).where(positive, blocked).logsumexp(dim=0)
    return -(rows.mean() + cols.mean()) / 2


def clip_loss_floor(caption_ids: torch.Tensor) -> float:
    """보통의 CLIP loss (짝만 정답)가 이 batch에서 가질 수 있는 가장 작은 값 (하한, feature를 어떻게 골라도).

    03_duplicate_captions.md 생각해 볼 질문 1.
    """
    counts = Counter(caption_ids.tolist())
    return sum(k * math.log(k) for k in counts.values()) / len(caption_ids)
