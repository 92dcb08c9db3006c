"""연습문제 01 — 대칭 InfoNCE의 gradient를 NumPy로 손으로: 학습자가 채우는 stub.

문제 설명: `01_infonce_numpy.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다). NumPy만 쓴다.

    python -m pytest 12_CLIP/exercises --learner -k ex01   # 이 문제만 채점
    make grade CHAPTERS=12                                 # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import numpy as np


def info_nce_logits(logits: np.ndarray) -> tuple[float, np.ndarray]:
    """대칭 InfoNCE와 logits에 대한 gradient.

    loss = ( −(1/N) Σ_i log softmax_행(Z)_ii  −(1/N) Σ_j log softmax_열(Z)_jj ) / 2

    Args:
        logits: (N, N) float 배열 Z. Z[i, j] = 이미지 i와 문장 j의 점수, 짝은 대각선.
    Returns:
        (loss, dZ) — dZ는 Z와 같은 shape. Z가 정사각이 아니면 ValueError.
    """
    raise NotImplementedError("info_nce_logits: 01_infonce_numpy.md 1단계 (log-softmax를 두 방향으로)")


def info_nce_features(image: np.ndarray, text: np.ndarray, logit_scale: float
                      ) -> tuple[float, np.ndarray, np.ndarray, float]:
    """projection된 feature에서 loss와 gradient: 정규화 → Z = exp(t) Î T̂ᵀ → InfoNCE.

    Args:
        image, text: (N, d) 배열 (정규화 전). logit_scale: t (exp(t) = 1/τ).
    Returns:
        (loss, d_image (N, d), d_text (N, d), d_logit_scale).
        shape이 다르면 ValueError.
    """
    raise NotImplementedError("info_nce_features: 01_infonce_numpy.md 2단계 (Z에서 정규화 전 feature와 t까지)")

def loss_as_scale_grows(image: np.ndarray, text: np.ndarray) -> float:
    """lim_{t→∞} L(t): temperature exp(t)를 한없이 키울 때 대칭 InfoNCE가 다가가는 값 (math.inf일 수 있다).

    image, text: (N, d) (정규화 전). 01_infonce_numpy.md 생각해 볼 질문 2.
    """
    raise NotImplementedError("loss_as_scale_grows: 01_infonce_numpy.md 3단계 (s가 크면 행마다 무엇이 남는가)")
