"""연습문제 02 — SigLIP의 sigmoid loss: reference solution.

문제 설명: `../02_siglip.md`.

    python -m pytest 12_CLIP/exercises -k ex02   # 이 solution 검사
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def siglip_loss(image: torch.Tensor, text: torch.Tensor, logit_scale: torch.Tensor,
                logit_bias: torch.Tensor) -> torch.Tensor:
    """Zhai et al. (2023) 식 (1)의 sigmoid loss.

    Z_ij = exp(t') · Î_i · T̂_j + b,   y_ij = +1 (i = j), −1 (i ≠ j)
    loss = −(1/N) Σ_i Σ_j log σ(y_ij Z_ij)

    Args:
        image, text: (N, d) feature (정규화 전). logit_scale: t' (스칼라 tensor). logit_bias: b (스칼라 tensor).
    Returns:
        스칼라 loss. N으로 나누고 N²으로는 나누지 않는다 (논문 Algorithm 1). shape이 다르면 ValueError.
    """
    if image.ndim != 2 or image.shape != text.shape:
        raise ValueError(f"image와 text는 같은 shape (N, d)여야 합니다: {tuple(image.shape)}, {tuple(text.shape)}")
    N = image.shape[0]
    Z = logit_scale.exp() * F.normalize(image, dim=-1) @ F.normalize(text, dim=-1).T + logit_bias
    y = 2 * torch.eye(N, dtype=Z.dtype, device=Z.device) - 1                     # 대각선 +1, 나머지 −1
    return -F.logsigmoid(y * Z).sum() / N


def siglip_init() -> tuple[float, float]:
    """논문 Section 3의 초기값 (t', b) = (log 10, −10)."""
    return math.log(10.0), -10.0


def pair_probability(image: torch.Tensor, text: torch.Tensor, logit_scale: torch.Tensor,
                     logit_bias: torch.Tensor) -> torch.Tensor:
    """각 쌍이 짝일 확률 σ(Z_ij) (N_img, N_txt). softmax와 달리 행의 합이 1일 필요가 없다."""
    Z = logit_scale.exp() * F.normalize(image, dim=-1) @ F.normalize(text, dim=-1).T + logit_bias
    return torch.sigmoid(Z)

def loss_at_zero_similarity(n: int, logit_bias: float) -> float:
    """모든 쌍의 cosine이 0일 때 (예: 학습 시작의 무작위 feature를 근사) N쌍 batch의 sigmoid loss. scale은 상관없다.

    02_siglip.md 생각해 볼 질문 2.
    """
    b = logit_bias
    positive = math.log1p(math.exp(-b))                                  # −log σ(b): 대각선 N개
    negative = math.log1p(math.exp(b))                                   # −log σ(−b): 나머지 N² − N개
    return (n * positive + (n * n - n) * negative) / n
