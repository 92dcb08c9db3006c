"""연습문제 02 — SpanBERT의 span masking: 학습자가 채우는 stub.

문제 설명: `02_span_masking.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다). 단어 묶기는 연습문제 01에서 **내가 쓴**
`word_groups`를 가져다 쓴다 (01을 먼저 푼다).

    python -m pytest 08_BERT/exercises --learner -k ex02   # 이 문제만 채점
    make grade CHAPTERS=08                                 # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import numpy as np

from .ex01_whole_word_masking import word_groups  # noqa: F401  (연습문제 01에서 내가 쓴 것)


def span_length_pmf(p: float = 0.2, max_span: int = 10) -> np.ndarray:
    """ℓ ~ Geo(p)를 max_span에서 자른 분포: P(ℓ) ∝ p (1 − p)^(ℓ−1), ℓ = 1 … max_span. (max_span,) float64, 합 1."""
    raise NotImplementedError("span_length_pmf: 02_span_masking.md 1단계 (기하분포를 max_span에서 자르고 다시 정규화)")


def mean_span_length(p: float = 0.2, max_span: int = 10) -> float:
    """`span_length_pmf`의 평균 E[ℓ] (단어 단위). Joshi et al. (2020) §3.1: p = 0.2, max_span = 10이면 약 3.8."""
    raise NotImplementedError("mean_span_length: 02_span_masking.md 2단계 (평균을 유도한다)")


def span_mask(tokens: list[str], special: list[bool], rng: np.random.Generator, mask_ratio: float = 0.15,
              p: float = 0.2, max_span: int = 10) -> list[bool]:
    """SpanBERT의 masking: 완전한 단어로 된 연속 span을 예산이 찰 때까지 고른다.

    target = max(1, round(mask_ratio × 특수가 아닌 token 수)). 한 번의 시도: ℓ = rng.choice(1 … max_span,
    p=span_length_pmf), 시작 단어 s = rng.integers(단어 수), span = 단어 s … s+ℓ−1 (문장 끝에서 잘린다).
    이미 고른 단어와 겹치거나 고른 token 수가 target을 넘게 되면 그 시도는 버린다. target에 닿거나 시도가
    100 × 단어 수 번이 되면 멈춘다. Returns: 길이 len(tokens)의 bool list.
    """
    raise NotImplementedError("span_mask: 02_span_masking.md 3단계 (예산이 찰 때까지 span을 고른다)")
