"""연습문제 02 — SigLIP의 sigmoid loss: 학습자가 채우는 stub.

문제 설명: `02_siglip.md`.
각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다. 이름·인자·docstring은 바꾸지 않는다.

    python -m pytest 12_CLIP/exercises --learner -k ex02   # 이 문제만 채점
    make grade CHAPTERS=12                                 # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import torch


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
    raise NotImplementedError("siglip_loss: 02_siglip.md 1단계")


def siglip_init() -> tuple[float, float]:
    """논문 Section 3의 초기값 (t', b) = (log 10, −10)."""
    raise NotImplementedError("siglip_init: 02_siglip.md 2단계")


def pair_probability(image: torch.Tensor, text: torch.Tensor, logit_scale: torch.Tensor,
                     logit_bias: torch.Tensor) -> torch.Tensor:
    """각 쌍이 짝일 확률 σ(Z_ij) (N_img, N_txt). softmax와 달리 행의 합이 1일 필요가 없다."""
    raise NotImplementedError("pair_probability: 02_siglip.md 3단계")

def loss_at_zero_similarity(n: int, logit_bias: float) -> float:
    """모든 쌍의 cosine이 0일 때 (예: 학습 시작의 무작위 feature를 근사) N쌍 batch의 sigmoid loss. scale은 상관없다.

    02_siglip.md 생각해 볼 질문 2.
    """
    raise NotImplementedError("loss_at_zero_similarity: 02_siglip.md 4단계 (Z = b인 쌍이 N²개)")
