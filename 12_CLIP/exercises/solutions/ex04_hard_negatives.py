"""연습문제 04 — hard-negative batch: reference solution.

문제 설명: `../04_hard_negatives.md`.

    python -m pytest 12_CLIP/exercises -k ex04   # 이 solution 검사
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
    if batch_size < 2:
        raise ValueError(f"batch_size는 2 이상이어야 합니다 (negative가 있어야 한다): {batch_size}")
    keys = np.asarray(keys)
    order = np.lexsort((rng.random(len(keys)), keys))                  # key 우선, 같은 key 안은 무작위
    batches = [order[i:i + batch_size].astype(np.int64) for i in range(0, len(order), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def random_batches(n: int, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """비교용: 번호를 섞어 batch_size씩 자른다 (보통의 contrastive 학습)."""
    if batch_size < 2:
        raise ValueError(f"batch_size는 2 이상이어야 합니다: {batch_size}")
    order = rng.permutation(n).astype(np.int64)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def batch_info_nce(image: np.ndarray, text: np.ndarray, batch: np.ndarray, scale: float) -> float:
    """한 batch의 대칭 InfoNCE: 정규화한 feature의 cosine × scale, 행·열 cross-entropy의 평균."""
    a = image[batch] / np.linalg.norm(image[batch], axis=1, keepdims=True)
    b = text[batch] / np.linalg.norm(text[batch], axis=1, keepdims=True)
    Z = scale * a @ b.T

    def ce_rows(z):
        z = z - z.max(axis=1, keepdims=True)
        return float(-(np.diag(z) - np.log(np.exp(z).sum(axis=1))).mean())

    return (ce_rows(Z) + ce_rows(Z.T)) / 2

def expected_distinct_keys(n_keys: int, batch_size: int) -> float:
    """무작위 batch 하나에 들어 있는 서로 다른 key 수의 기댓값.

    예마다 key가 n_keys가지 중 하나로 서로 독립이고 균등하게 정해진다고 본다.

    04_hard_negatives.md 생각해 볼 질문 3.
    """
    K, B = n_keys, batch_size
    return K * (1.0 - (1.0 - 1.0 / K) ** B)                            # key마다 "batch에 한 번이라도 있을" 확률의 합
