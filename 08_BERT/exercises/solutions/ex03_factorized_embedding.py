"""연습문제 03 — ALBERT의 factorised embedding과 parameter 산수: reference solution.

문제 설명: `../03_factorized_embedding.md`.
"""
from __future__ import annotations

import torch
from torch import nn


def embedding_parameters(vocab_size: int, hidden: int, embedding: int | None = None) -> int:
    """word embedding 부분의 parameter 수. embedding=None이면 BERT(V×H),
    아니면 ALBERT(V×E 표 + E→H Linear의 가중치 E×H와 bias H)."""
    if embedding is None:
        return vocab_size * hidden
    return vocab_size * embedding + embedding * hidden + hidden


class FactorizedEmbedding(nn.Module):
    """token id → (V×E 표) → Linear(E, H). Lan et al. (2020) §3.1 "Factorized embedding parameterization"."""

    def __init__(self, vocab_size: int, embedding: int, hidden: int):
        """표 `self.table = nn.Embedding(vocab_size, embedding)`와 `self.project = nn.Linear(embedding, hidden)`."""
        super().__init__()
        self.table = nn.Embedding(vocab_size, embedding)
        self.project = nn.Linear(embedding, hidden)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        """(B, T) → (B, T, H)."""
        return self.project(self.table(input_ids))
