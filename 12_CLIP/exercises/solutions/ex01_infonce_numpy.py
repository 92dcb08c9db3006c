"""연습문제 01 — 대칭 InfoNCE의 gradient를 NumPy로 손으로: reference solution.

문제 설명: `../01_infonce_numpy.md`.

    python -m pytest 12_CLIP/exercises -k ex01   # 이 solution 검사
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
    Z = np.asarray(logits)
    if Z.ndim != 2 or Z.shape[0] != Z.shape[1]:
        raise ValueError(f"logits는 정사각 (N, N)이어야 합니다: 받은 shape {Z.shape}")
    N = Z.shape[0]
    shifted_r = Z - Z.max(axis=1, keepdims=True)                         # overflow 방지 (값은 같다)
    log_rows = shifted_r - np.log(np.exp(shifted_r).sum(axis=1, keepdims=True))   # log softmax_행
    shifted_c = Z - Z.max(axis=0, keepdims=True)
    log_cols = shifted_c - np.log(np.exp(shifted_c).sum(axis=0, keepdims=True))   # log softmax_열
    loss = -(np.diag(log_rows).mean() + np.diag(log_cols).mean()) / 2    # log softmax: log(0)이 없다
    rows, cols = np.exp(log_rows), np.exp(log_cols)
    eye = np.eye(N, dtype=Z.dtype)
    return float(loss), (rows - eye) / (2 * N) + (cols - eye) / (2 * N)


def info_nce_features(image: np.ndarray, text: np.ndarray, logit_scale: float
                      ) -> tuple[float, np.ndarray, np.ndarray, float]:
    """projection된 feature에서 loss와 gradient: 정규화 → Z = exp(t) Î T̂ᵀ → InfoNCE.

    Args:
        image, text: (N, d) 배열 (정규화 전). logit_scale: t (exp(t) = 1/τ).
    Returns:
        (loss, d_image (N, d), d_text (N, d), d_logit_scale).
        shape이 다르면 ValueError.
    """
    image, text = np.asarray(image), np.asarray(text)
    if image.ndim != 2 or image.shape != text.shape:
        raise ValueError(f"image와 text는 같은 shape (N, d)여야 합니다: {image.shape}, {text.shape}")
    s = np.exp(logit_scale)
    ni = np.linalg.norm(image, axis=1, keepdims=True)                    # (N, 1)
    nt = np.linalg.norm(text, axis=1, keepdims=True)
    Ih, Th = image / ni, text / nt                                       # Î, T̂
    S = Ih @ Th.T                                                         # cosine (N, N)
    loss, dZ = info_nce_logits(s * S)
    dS = s * dZ
    d_scale = float((dZ * S).sum() * s)                                  # ∂Z/∂t = exp(t) S
    dI, dT = dS @ Th, dS.T @ Ih                                          # ∂L/∂Î, ∂L/∂T̂
    # 정규화 x̂ = x/‖x‖의 backward: dx = (dx̂ − x̂ (x̂·dx̂)) / ‖x‖
    d_image = (dI - Ih * (Ih * dI).sum(axis=1, keepdims=True)) / ni
    d_text = (dT - Th * (Th * dT).sum(axis=1, keepdims=True)) / nt
    return loss, d_image, d_text, d_scale

def loss_as_scale_grows(image: np.ndarray, text: np.ndarray) -> float:
    """lim_{t→∞} L(t): temperature exp(t)를 한없이 키울 때 대칭 InfoNCE가 다가가는 값 (math.inf일 수 있다).

    image, text: (N, d) (정규화 전). 01_infonce_numpy.md 생각해 볼 질문 2.
    """
    import math

    S = (image / np.linalg.norm(image, axis=1, keepdims=True)) @ (text / np.linalg.norm(text, axis=1, keepdims=True)).T
    N = S.shape[0]
    total = 0.0
    for scores in (S, S.T):                                              # 행 방향, 열 방향
        for i in range(N):
            top = scores[i].max()
            if scores[i, i] < top - 1e-12:                               # 짝이 최댓값이 아니면 s (max − S_ii) → ∞
                return math.inf
            total += math.log(int(np.sum(scores[i] >= top - 1e-12)))     # 최댓값과 같은 칸이 c개면 log c
    return total / (2 * N)
