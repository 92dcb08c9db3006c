"""수정 과제 01 — HF `CLIPModel`에 prompt ensemble로 만든 zero-shot 분류 head 달기: 학습자가 채우는 stub.

문제 설명: `mod01_zero_shot_head.md`. 각 메서드의 `raise NotImplementedError(...)`를 지우고 구현한다.
이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 12_CLIP/analysis/test_mod01_zero_shot_head.py --learner   # 이 과제만 채점
    python -m pytest 12_CLIP/analysis --learner -k mod                         # 이 장의 수정 과제 모두
    make grade CHAPTERS=12                                                     # 이 장의 채점표
"""
from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: F401 — 구현에 쓴다
from torch import nn


class ZeroShotHead(nn.Module):
    """HF `CLIPModel` + prompt ensemble로 만든 zero-shot head: forward(pixel_values) → logits (B, K).

    `self.clip`은 받은 CLIPModel (복사하지 않는다), `self.head`는 bias 없는 `nn.Linear(d, K)`이고 weight의 k번째 행이
    class k의 ensemble 벡터 w_k (길이 1)다. logits = exp(logit_scale) · normalize(image feature) · w_kᵀ.
    """

    def __init__(self, model: nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None):
        """input_ids (K, M, T): class K개 × template M개 문장의 token. attention_mask도 같은 shape (없으면 None).

        input_ids가 3차원이 아니면 ValueError.
        """
        raise NotImplementedError("ZeroShotHead.__init__: mod01_zero_shot_head.md의 할 일을 보세요")

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """pixel_values (B, C, H, W) → logits (B, K)."""
        raise NotImplementedError("ZeroShotHead.forward: mod01_zero_shot_head.md의 할 일을 보세요")
