"""연습문제 01 — whole-word masking: 학습자가 채우는 stub.

문제 설명: `01_whole_word_masking.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 08_BERT/exercises --learner -k ex01   # 이 문제만 채점
    make grade CHAPTERS=08                                 # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import numpy as np


def word_groups(tokens: list[str], special: list[bool]) -> list[list[int]]:
    """WordPiece token 열을 단어 단위 위치 묶음으로. "##"로 시작하는 조각은 바로 앞 단어에 붙는다.

    Args:
        tokens: WordPiece token 문자열들 (예: ["[CLS]", "un", "##aff", "##able", "cat", "[SEP]"]).
        special: 같은 길이의 bool list, True인 위치(특수 token, padding)는 어느 묶음에도 넣지 않는다.
    Returns:
        위치 번호 list들의 list (예: [[1, 2, 3], [4]]), 왼쪽에서 오른쪽 순서.
    """
    raise NotImplementedError("word_groups: 01_whole_word_masking.md 1단계 (## 조각은 앞 단어에 붙는다)")


def whole_word_mask(tokens: list[str], special: list[bool], rng: np.random.Generator,
                    mlm_probability: float = 0.15) -> list[bool]:
    """가릴 위치를 단어 단위로 고른다: 단어를 무작위 순서로 보며, 고른 token 수가 목표를 넘지 않는 단어만 통째로 고른다.

    목표 = max(1, round(mlm_probability × 특수가 아닌 token 수)) (원 BERT 코드의 whole-word 옵션과 같은 규칙).
    Returns:
        길이 len(tokens)의 bool list, True = 예측 대상으로 고른 위치.
    """
    raise NotImplementedError("whole_word_mask: 01_whole_word_masking.md 2단계 (단어를 통째로, 목표를 넘지 않게)")

def word_selection_probability(lengths: list[int], target: int) -> list[float]:
    """`whole_word_mask`의 규칙에서 단어마다 골릴 **정확한** 확률 (단어의 순서가 무작위인 모든 경우의 평균).

    Args:
        lengths: 단어마다의 조각 수 (왼쪽부터).  target: 고를 token 수 (1 이상).
    Returns:
        단어마다의 확률 list (lengths와 같은 길이). 01_whole_word_masking.md 생각해 볼 질문 2.
    """
    raise NotImplementedError("word_selection_probability: 01_whole_word_masking.md 3단계 (순서를 모두 세어 본다)")
