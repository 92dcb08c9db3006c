"""수정 과제 02 — HF CLIP vision tower의 attention을 forward hook으로 꺼내 rollout하기: 학습자가 채우는 stub.

문제 설명: `mod02_attention_rollout.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 12_CLIP/analysis/test_mod02_attention_rollout.py --learner   # 이 과제만 채점
    python -m pytest 12_CLIP/analysis --learner -k mod                            # 이 장의 수정 과제 모두
    make grade CHAPTERS=12                                                        # 이 장의 채점표
"""
from __future__ import annotations

import torch
from torch import nn


def vision_attentions(model: nn.Module, pixel_values: torch.Tensor) -> list[torch.Tensor]:
    """HF `CLIPModel`의 vision tower에서 층마다 attention 확률 (B, heads, T, T)의 list (T = 1 + patch 수).

    forward hook만 쓴다 (`output_attentions`를 쓰지 않고, attention 구현에 기대지 않는다). 끝나면 건 hook을 모두
    지운다 (오류가 나도). gradient는 필요 없다.
    """
    raise NotImplementedError("vision_attentions: mod02_attention_rollout.md의 할 일을 보세요")


def attention_rollout(attentions: list[torch.Tensor]) -> torch.Tensor:
    """층마다의 attention (B, heads, T, T) list → rollout R (B, T, T). R[:, 0, 1:]이 [CLS]가 각 patch에서 받은 몫.

    head를 평균하고, residual을 반영해 ½ A + ½ I로 둔 뒤 행을 다시 합 1로 맞추고, 아래층부터 곱해 올라간다:
    R = Â_L ··· Â_1. 빈 list이거나 (B, heads, T, T)가 아니면 ValueError.
    """
    raise NotImplementedError("attention_rollout: mod02_attention_rollout.md의 할 일을 보세요")
