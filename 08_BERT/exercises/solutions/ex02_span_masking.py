"""연습문제 02 — SpanBERT의 span masking: reference solution.

문제 설명: `../02_span_masking.md`. 단어 묶기는 연습문제 01의 `word_groups`를 쓴다.

    python -m pytest 08_BERT/exercises -k ex02   # 이 solution 검사
"""
from __future__ import annotations

import numpy as np

from .ex01_whole_word_masking import word_groups


def span_length_pmf(p: float = 0.2, max_span: int = 10) -> np.ndarray:
    """ℓ ~ Geo(p)를 max_span에서 자른 분포: P(ℓ) ∝ p (1 − p)^(ℓ−1), ℓ = 1 … max_span. (max_span,) float64, 합 1."""
    if not 0.0 < p <= 1.0 or max_span < 1:
        raise ValueError(f"p는 (0, 1], max_span은 1 이상이어야 합니다: p={p}, max_span={max_span}")
    lengths = np.arange(1, max_span + 1)
    weights = p * (1.0 - p) ** (lengths - 1)
    return weights / weights.sum()


def mean_span_length(p: float = 0.2, max_span: int = 10) -> float:
    """`span_length_pmf`의 평균 E[ℓ] (단어 단위). Joshi et al. (2020) §3.1: p = 0.2, max_span = 10이면 약 3.8."""
    return float((np.arange(1, max_span + 1) * span_length_pmf(p, max_span)).sum())


def span_mask(tokens: list[str], special: list[bool], rng: np.random.Generator, mask_ratio: float = 0.15,
              p: float = 0.2, max_span: int = 10) -> list[bool]:
    """SpanBERT의 masking: 완전한 단어로 된 연속 span을 예산이 찰 때까지 고른다.

    target = max(1, round(mask_ratio × 특수가 아닌 token 수)). 한 번의 시도: ℓ = rng.choice(1 … max_span,
    p=span_length_pmf), 시작 단어 s = rng.integers(단어 수), span = 단어 s … s+ℓ−1 (문장 끝에서 잘린다).
    이미 고른 단어와 겹치거나 고른 token 수가 target을 넘게 되면 그 시도는 버린다. target에 닿거나 시도가
    100 × 단어 수 번이 되면 멈춘다. Returns: 길이 len(tokens)의 bool list.
    """
    groups = word_groups(tokens, special)
    chosen = [False] * len(tokens)
    n_candidates = sum(len(g) for g in groups)
    if n_candidates == 0:
        return chosen
    target = max(1, round(mask_ratio * n_candidates))
    pmf = span_length_pmf(p, max_span)
    taken = [False] * len(groups)
    count = 0
    for _ in range(100 * len(groups)):
        length = int(rng.choice(np.arange(1, max_span + 1), p=pmf))
        start = int(rng.integers(len(groups)))
        words = range(start, min(start + length, len(groups)))
        size = sum(len(groups[w]) for w in words)
        if any(taken[w] for w in words) or count + size > target:
            continue
        for w in words:
            taken[w] = True
            for position in groups[w]:
                chosen[position] = True
        count += size
        if count == target:
            break
    return chosen
