"""수정 과제 01 — HF `CLIPModel`에 prompt ensemble로 만든 zero-shot 분류 head 달기 (reference solution).

문제: `../mod01_zero_shot_head.md`. 학습자 stub: `../mod01_zero_shot_head.py` (이름·signature·docstring이 같다).

Radford et al. (2021) Section 3.1.4: class 이름을 여러 template 문장에 넣고, 정규화한 text feature를 template에 대해
평균한 뒤 다시 정규화하면 class마다 벡터 w_k 하나가 된다. 이 K개의 벡터가 곧 bias 없는 linear head의 weight이고,
logits = exp(t) · normalize(f_image(x) W_i) · w_k는 학습 때의 logits_per_image와 같은 scale이다.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class ZeroShotHead(nn.Module):
    """HF `CLIPModel` + prompt ensemble로 만든 zero-shot head: forward(pixel_values) → logits (B, K).

    `self.clip`은 받은 CLIPModel (복사하지 않는다), `self.head`는 bias 없는 `nn.Linear(d, K)`이고 weight의 k번째 행이
    class k의 ensemble 벡터 w_k (길이 1)다. logits = exp(logit_scale) · normalize(image feature) · w_kᵀ.
    """

    def __init__(self, model: nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None):
        """input_ids (K, M, T): class K개 × template M개 문장의 token. attention_mask도 같은 shape (없으면 None).

        input_ids가 3차원이 아니면 ValueError.
        """
        super().__init__()
        if input_ids.ndim != 3:
            raise ValueError(f"input_ids는 (class 수 K, template 수 M, T)여야 합니다: 받은 shape "
                             f"{tuple(input_ids.shape)}")
        K, M, T = input_ids.shape
        mask = None if attention_mask is None else attention_mask.reshape(K * M, T)
        self.clip = model
        with torch.no_grad():
            text = model.get_text_features(input_ids=input_ids.reshape(K * M, T), attention_mask=mask)
            text = F.normalize(text.pooler_output, dim=-1).reshape(K, M, -1)      # (K, M, d), 문장마다 길이 1
            weights = F.normalize(text.mean(dim=1), dim=-1)                        # (K, d)
        self.head = nn.Linear(weights.shape[1], K, bias=False)
        with torch.no_grad():
            self.head.weight.copy_(weights)

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """pixel_values (B, C, H, W) → logits (B, K)."""
        image = self.clip.get_image_features(pixel_values=pixel_values).pooler_output   # (B, d), 정규화 전
        return self.clip.logit_scale.exp() * self.head(F.normalize(image, dim=-1))      # (B, K)
