"""연습문제 03 — 같은 caption을 positive로 보는 contrastive loss: 학습자가 채우는 stub.

문제 설명: `03_duplicate_captions.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다). torch만 쓴다.

    python -m pytest 12_CLIP/exercises --learner -k ex03   # 이 문제만 채점
    make grade CHAPTERS=12                                 # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import torch


def positive_mask(caption_ids: torch.Tensor) -> torch.Tensor:
    """caption 번호 (N,) → (N, N) bool, [i, j] = 이미지 i와 문장 j가 짝으로 인정되는가 (caption이 같은가)."""
    raise NotImplementedError("positive_mask: 03_duplicate_captions.md 1단계")


def multi_positive_clip_loss(logits: torch.Tensor, caption_ids: torch.Tensor) -> torch.Tensor:
    """대칭 contrastive loss에서 정답을 "짝 하나"가 아니라 "caption이 같은 모든 칸"으로 본다.

    행 i: −log Σ_{j: caption_j = caption_i} softmax_행(Z)_ij, 열 j도 같은 방식. 두 방향의 평균을 다시 평균한다.
    caption이 모두 다르면 CLIP의 loss와 같다. logits (N, N), caption_ids (N,).
    """
    raise NotImplementedError("multi_positive_clip_loss: 03_duplicate_captions.md 2단계 (확률을 더한 뒤 log)")


def clip_loss_floor(caption_ids: torch.Tensor) -> float:
    """보통의 CLIP loss (짝만 정답)가 이 batch에서 가질 수 있는 가장 작은 값 (하한, feature를 어떻게 골라도).

    03_duplicate_captions.md 생각해 볼 질문 1.
    """
    raise NotImplementedError("clip_loss_floor: 03_duplicate_captions.md 3단계 (동점인 칸이 몇 개인가)")
