"""연습문제 01 — scaled dot-product attention의 forward와 backward (NumPy, float64): 학습자가 채우는 stub.

문제 설명과 유도: `01_attention_backward.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (`test_exercises.py`가 solution과 같은지 검사한다). NumPy만 쓴다.

    pytest 07_Transformer/exercises/test_ex01_attention_backward.py --learner   # 내 구현 검사
"""
from __future__ import annotations

import numpy as np


def softmax(scores: np.ndarray) -> np.ndarray:
    """마지막 축의 softmax. 행마다 max를 빼서 exp가 넘치지 않게 한다 (모든 행에 가려지지 않은 원소가 있다고 가정)."""
    raise NotImplementedError("softmax: 01_attention_backward.md 1단계 (행마다 max를 빼고 exp)")


def attention_forward(Q: np.ndarray, K: np.ndarray, V: np.ndarray, mask: np.ndarray | None = None):
    """out = softmax(Q Kᵀ / √d + mask) V.

    Args:
        Q: (..., T, d), K: (..., S, d), V: (..., S, d_v). 앞쪽 축(batch, head)은 broadcast된다.
        mask: (T, S) additive mask (가릴 곳 −inf, 나머지 0) 또는 None.
    Returns:
        (out (..., T, d_v), cache) — cache는 `attention_backward`가 쓰는 값들 (형식은 자유).
    """
    raise NotImplementedError("attention_forward: 01_attention_backward.md 1단계 (cache에 P를 남긴다)")


def attention_backward(dout: np.ndarray, cache) -> dict:
    """`attention_forward`의 backward. dout = ∂L/∂out (..., T, d_v).

    Returns:
        {"Q": ∂L/∂Q, "K": ∂L/∂K, "V": ∂L/∂V} — 각 입력과 같은 shape.
    """
    raise NotImplementedError("attention_backward: 01_attention_backward.md 2단계 (dV → dP → dS → dQ, dK)")
