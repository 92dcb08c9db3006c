"""연습문제 02 — [CLS] token vs global average pooling (GAP): 학습자가 채우는 stub.

문제 설명과 유도: `02_gap_vs_cls.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (`test_exercises.py`가 solution과 같은지 검사한다).

    pytest 10_ViT/exercises/test_ex02_gap_vs_cls.py --learner   # 내 구현 검사
"""
from __future__ import annotations

import torch

MODES = ("cls", "avg")


def pool_tokens(tokens: torch.Tensor, mode: str) -> torch.Tensor:
    """encoder 출력 token (B, 1+N, D) → (B, D). "cls": [CLS] 자리 (index 0), "avg": patch token N개의 평균.

    mode가 MODES에 없으면 ValueError.
    """
    raise NotImplementedError("pool_tokens: 02_gap_vs_cls.md 1단계")


def classify(tokens: torch.Tensor, norm_weight: torch.Tensor, norm_bias: torch.Tensor, eps: float,
             head_weight: torch.Tensor, head_bias: torch.Tensor, mode: str) -> torch.Tensor:
    """마지막 LayerNorm이 아직 걸리지 않은 token (B, 1+N, D) → logits (B, K).

    "cls": 식 (4) y = LN(z_L^0) 뒤 head. "avg": patch 평균을 낸 **뒤** LN, 그리고 head (timm의 fc_norm).
    """
    raise NotImplementedError("classify: 02_gap_vs_cls.md 2단계 (pooling 뒤 LayerNorm, 그리고 head)")
