"""연습문제 01 — scaled dot-product attention의 forward와 backward (NumPy, float64): 학습자가 채우는 stub.

문제 설명: `01_attention_backward.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다). NumPy만 쓴다.

    python -m pytest 07_Transformer/exercises --learner -k ex01   # 이 문제만 채점
    make grade CHAPTERS=07                                        # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import numpy as np


def softmax(scores: np.ndarray) -> np.ndarray:
    """마지막 축의 softmax. 행마다 max를 빼서 exp가 넘치지 않게 한다 (모든 행에 가려지지 않은 원소가 있다고 가정)."""
    raise NotImplementedError("softmax: 01_attention_backward.md 1단계 (큰 점수에서도 유한하게)")


def attention_forward(Q: np.ndarray, K: np.ndarray, V: np.ndarray, mask: np.ndarray | None = None):
    """out = softmax(Q Kᵀ / √d + mask) V.

    Args:
        Q: (..., T, d), K: (..., S, d), V: (..., S, d_v). 앞쪽 축(batch, head)은 broadcast된다.
        mask: (T, S) additive mask (가릴 곳 −inf, 나머지 0) 또는 None.
    Returns:
        (out (..., T, d_v), cache) — cache는 `attention_backward`가 쓰는 값들 (형식은 자유).
    """
    raise NotImplementedError("attention_forward: 01_attention_backward.md 2단계 (backward에 필요한 것을 cache에)")


def attention_backward(dout: np.ndarray, cache) -> dict:
    """`attention_forward`의 backward. dout = ∂L/∂out (..., T, d_v).

    Returns:
        {"Q": ∂L/∂Q, "K": ∂L/∂K, "V": ∂L/∂V} — 각 입력과 같은 shape.
    """
    raise NotImplementedError("attention_backward: 01_attention_backward.md 3단계 (O → P → S → Q, K 순서로 유도)")


def row_logsumexp(Q: np.ndarray, K: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """행마다 L_i = log Σ_j exp(S_ij), S = Q Kᵀ / √d + mask. (..., T).

    FlashAttention이 P 대신 저장하는 값. 점수가 수백이어도 유한해야 한다.
    """
    raise NotImplementedError("row_logsumexp: 01_attention_backward.md 4단계 (1단계와 같은 overflow 문제)")


def probabilities_from_logsumexp(Q: np.ndarray, K: np.ndarray, lse: np.ndarray,
                                 mask: np.ndarray | None = None) -> np.ndarray:
    """저장해 둔 L (`row_logsumexp`, (..., T))만으로 attention 확률 P (..., T, S)를 다시 만든다.

    행의 합을 다시 구하지 않는다: L이 그 합을 이미 담고 있다.
    """
    raise NotImplementedError("probabilities_from_logsumexp: 01_attention_backward.md 4단계 (softmax(s)_j를 L로 쓰면?)")
