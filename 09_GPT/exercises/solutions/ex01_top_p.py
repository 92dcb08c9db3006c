"""연습문제 01 — top-p (nucleus) sampling: reference solution.

문제 설명: `../01_top_p.md`.
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
    if not 0.0 < top_p <= 1.0:
        raise ValueError(f"top_p는 (0, 1] 안이어야 합니다: {top_p}")
    sorted_logits, order = torch.sort(logits, descending=True, dim=-1)      # (B, V)
    probs = sorted_logits.softmax(dim=-1)
    before = probs.cumsum(dim=-1) - probs                                   # 자기보다 앞 token들의 누적 확률
    remove_sorted = before >= top_p                                         # 앞에서 이미 top_p에 닿았다
    remove = remove_sorted.scatter(-1, order, remove_sorted)                # 원래 자리로
    return logits.masked_fill(remove, float("-inf"))


def nucleus_sample(logits: torch.Tensor, top_p: float, temperature: float = 1.0,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """logits (B, V) → temperature로 나누고 → top_p_filter → softmax → torch.multinomial로 (B, 1) token."""
    if not temperature > 0:
        raise ValueError(f"temperature는 0보다 커야 합니다: {temperature}")
    probs = top_p_filter(logits / temperature, top_p).softmax(dim=-1)
    return torch.multinomial(probs, num_samples=1, generator=generator)
