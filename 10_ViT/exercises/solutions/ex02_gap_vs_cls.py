"""연습문제 02 — [CLS] token vs global average pooling (GAP): reference solution.

문제 설명과 유도: `02_gap_vs_cls.md`.

    pytest 10_ViT/exercises/test_ex02_gap_vs_cls.py            # 이 solution 검사
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

MODES = ("cls", "avg")


def pool_tokens(tokens: torch.Tensor, mode: str) -> torch.Tensor:
    """encoder 출력 token (B, 1+N, D) → (B, D). "cls": [CLS] 자리 (index 0), "avg": patch token N개의 평균.

    mode가 MODES에 없으면 ValueError.
    """
    if mode not in MODES:
        raise ValueError(f"mode는 {MODES} 중 하나여야 합니다: {mode!r}")
    return tokens[:, 0] if mode == "cls" else tokens[:, 1:].mean(dim=1)


def classify(tokens: torch.Tensor, norm_weight: torch.Tensor, norm_bias: torch.Tensor, eps: float,
             head_weight: torch.Tensor, head_bias: torch.Tensor, mode: str) -> torch.Tensor:
    """마지막 LayerNorm이 아직 걸리지 않은 token (B, 1+N, D) → logits (B, K).

    "cls": 식 (4) y = LN(z_L^0) 뒤 head. "avg": patch 평균을 낸 **뒤** LN, 그리고 head (timm의 fc_norm).
    """
    pooled = pool_tokens(tokens, mode)                                      # (B, D)
    y = F.layer_norm(pooled, (pooled.shape[-1],), norm_weight, norm_bias, eps)
    return y @ head_weight.T + head_bias                                    # (B, K)
