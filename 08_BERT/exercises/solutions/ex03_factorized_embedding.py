"""연습문제 03 — ALBERT의 factorised embedding과 parameter 산수: reference solution.

문제 설명: `../03_factorized_embedding.md`.

    python -m pytest 08_BERT/exercises -k ex03   # 이 solution 검사
"""
from __future__ import annotations

import torch
from torch import nn


def embedding_parameters(vocab_size: int, hidden: int, embedding: int | None = None) -> int:
    """word embedding 부분의 parameter 수. embedding=None이면 BERT (token → H 표 하나),
    아니면 ALBERT (token → E 표, 그리고 E → H로 올리는 bias 있는 Linear)."""
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

def albert_mlm_head_parameters(vocab_size: int, embedding: int, hidden: int) -> int:
    """ALBERT의 MLM 출력 head가 **새로** 가진 parameter 수 (입력 word embedding과 묶인 행렬은 세지 않는다).

    HF `AlbertMLMHead`의 구조: 03_factorized_embedding.md 생각해 볼 질문 2.
    """
    H, E, V = hidden, embedding, vocab_size
    return (H * E + E) + 2 * E + V             # dense H→E (+bias), LayerNorm(E), 출력 bias (V × E 행렬은 묶임)
