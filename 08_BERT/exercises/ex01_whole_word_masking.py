"""연습문제 01 — whole-word masking: 학습자가 채우는 stub.

문제 설명: `01_whole_word_masking.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (`test_exercises.py`가 solution과 같은지 검사한다).

    pytest 08_BERT/exercises/test_ex01_whole_word_masking.py --learner   # 내 구현 검사
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
