"""연습문제 02 — extended attention mask를 손으로: 학습자가 채우는 stub.

문제 설명: `02_extended_mask.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (`test_exercises.py`가 solution과 같은지 검사한다).

    pytest 08_BERT/exercises/test_ex02_extended_mask.py --learner   # 내 구현 검사
"""
from __future__ import annotations

import math  # noqa: F401 - masked_attention에서 √d에 쓴다

import torch


def extended_attention_mask(attention_mask: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """(B, T)의 1(읽음)/0(padding) → (B, 1, 1, T) 더하기 mask: 읽는 위치 0, padding은 `torch.finfo(dtype).min`.

    attention 점수 (B, nh, T, T)에 더하면 head와 query 축으로 broadcast된다.
    """
    raise NotImplementedError("extended_attention_mask: 02_extended_mask.md 1단계 (B,T) → (B,1,1,T)")


def masked_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, extended_mask: torch.Tensor):
    """softmax(q kᵀ / √d + extended_mask) v. q, k, v: (B, nh, T, d) → (출력 (B, nh, T, d), 확률 (B, nh, T, T))."""
    raise NotImplementedError("masked_attention: 02_extended_mask.md 2단계")
