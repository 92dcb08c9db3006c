"""수정 과제 01 — HF GPT-2의 층마다 attention 확률을 forward hook으로 꺼내 그리기: 학습자가 채우는 stub.

문제 설명: `mod01_attention_hooks.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 09_GPT/analysis/test_mod01_attention_hooks.py --learner   # 이 과제만 채점
    python -m pytest 09_GPT/analysis --learner -k mod01                        # 같은 과제 (-k로 고르기)
    python -m pytest 09_GPT/analysis --learner -k mod                          # 이 장의 수정 과제 모두
    make grade CHAPTERS=09                                                     # 이 장의 채점표
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn


def attention_probabilities(model: nn.Module, input_ids: torch.Tensor) -> list[torch.Tensor]:
    """HF `GPT2LMHeadModel`의 층마다 causal attention 확률 (B, heads, T, T)의 list.

    forward hook만 쓴다 (`output_attentions`를 쓰지 않고, eager·sdpa 어느 구현이든). 끝나면 건 hook을 모두
    지운다 (오류가 나도). input_ids가 (B, T) 정수 tensor가 아니면 ValueError. gradient는 필요 없다.
    """
    raise NotImplementedError("attention_probabilities: mod01_attention_hooks.md의 할 일을 보세요")


def plot_attention_grid(attentions: list[torch.Tensor], path, sample: int = 0) -> Path:
    """층 × head 격자의 heatmap 한 장 (행 = 층, 열 = head; 각 칸은 query × key)을 PNG로 원자적으로 저장한다.

    attentions는 `attention_probabilities`의 결과, sample은 그릴 배치 index. 빈 list, (B, heads, T, T)가 아닌 원소,
    범위 밖의 sample이면 ValueError. 저장한 경로를 돌려준다.
    """
    raise NotImplementedError("plot_attention_grid: mod01_attention_hooks.md의 할 일을 보세요")
