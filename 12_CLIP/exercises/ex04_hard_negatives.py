"""연습문제 04 — hard-negative batch: 학습자가 채우는 stub.

문제 설명: `04_hard_negatives.md`.
각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다. 이름·인자·docstring은 바꾸지 않는다.

    python -m pytest 12_CLIP/exercises --learner -k ex04   # 이 문제만 채점
    make grade CHAPTERS=12                                 # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import numpy as np


def hard_negative_batches(keys: list[str], batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """key (예: 색)가 같은 예끼리 batch를 채운다: batch 안의 negative가 짝과 속성을 나누는 "어려운" negative가 된다.

    key로 정렬하되 같은 key 안의 순서는 섞고 (rng), 앞에서부터 batch_size씩 자른 뒤, batch의 순서를 섞는다.
    모든 번호가 정확히 한 번 나온다. 마지막 batch는 batch_size보다 작을 수 있다.

    Args:
        keys: 예마다의 key (길이 N).  batch_size: 2 이상.  rng: NumPy Generator.
    Returns:
        번호 배열 (int64)의 목록. batch_size < 2이면 ValueError.
    """
    raise NotImplementedError("hard_negative_batches: 04_hard_negatives.md 1단계")


def random_batches(n: int, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """비교용: 번호를 섞어 batch_size씩 자른다 (보통의 contrastive 학습)."""
    raise NotImplementedError("random_batches: 04_hard_negatives.md 2단계")


def batch_info_nce(image: np.ndarray, text: np.ndarray, batch: np.ndarray, scale: float) -> float:
    """한 batch의 대칭 InfoNCE: 정규화한 feature의 cosine × scale, 행·열 cross-entropy의 평균."""
    raise NotImplementedError("batch_info_nce: 04_hard_negatives.md 3단계")

def expected_distinct_keys(n_keys: int, batch_size: int) -> float:
    """무작위 batch 하나에 들어 있는 서로 다른 key 수의 기댓값.

    예마다 key가 n_keys가지 중 하나로 서로 독립이고 균등하게 정해진다고 본다.

    04_hard_negatives.md 생각해 볼 질문 3.
    """
    raise NotImplementedError("expected_distinct_keys: 04_hard_negatives.md 4단계 (key마다 batch에 없을 확률)")
