"""연습문제 01 — top-p (nucleus) sampling: 학습자가 채우는 stub.

문제 설명: `01_top_p.md`.
각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다. 이름·인자·docstring은 바꾸지 않는다.

    pytest 09_GPT/exercises/test_ex01_top_p.py --learner   # 내 구현 검사
"""
from __future__ import annotations

import torch


def top_p_filter(logits: torch.Tensor, top_p: float) -> torch.Tensor:
    """확률이 큰 token부터 더해 누적 확률이 처음으로 top_p 이상이 되는 곳까지만 남기고, 나머지 logit을 −∞로.

    Holtzman et al. (2020), "The Curious Case of Neural Text Degeneration", Section 3.1, 식 (2):
        V^(p) = 가장 작은 집합 V' ⊂ V,  Σ_{x ∈ V'} P(x) ≥ p.
    가장 큰 token 하나는 언제나 남는다. 동점은 아무 순서나 괜찮다.

    Args:
        logits: (B, V) float tensor.  top_p: (0, 1] 안의 수.
    Returns:
        (B, V) — 남긴 token은 원래 logit, 버린 token은 −∞.
    """
    raise NotImplementedError("top_p_filter: 01_top_p.md 1단계 (정렬 → 누적 확률 → 앞의 합이 top_p 이상이면 버림)")


def nucleus_sample(logits: torch.Tensor, top_p: float, temperature: float = 1.0,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """logits (B, V) → temperature로 나누고 → top_p_filter → softmax → torch.multinomial로 (B, 1) token."""
    raise NotImplementedError("nucleus_sample: 01_top_p.md 2단계 (temperature → top_p_filter → softmax → multinomial)")
