"""연습문제 03 — ALBERT의 factorised embedding과 parameter 산수: 학습자가 채우는 stub.

문제 설명: `03_factorized_embedding.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (`test_exercises.py`가 solution과 같은지 검사한다).

    pytest 08_BERT/exercises/test_ex03_factorized_embedding.py --learner   # 내 구현 검사
"""
from __future__ import annotations

import torch
from torch import nn


def embedding_parameters(vocab_size: int, hidden: int, embedding: int | None = None) -> int:
    """word embedding 부분의 parameter 수. embedding=None이면 BERT(V×H),
    아니면 ALBERT(V×E 표 + E→H Linear의 가중치 E×H와 bias H)."""
    raise NotImplementedError("embedding_parameters: 03_factorized_embedding.md 1단계")


class FactorizedEmbedding(nn.Module):
    """token id → (V×E 표) → Linear(E, H). Lan et al. (2020) §3.1 "Factorized embedding parameterization"."""

    def __init__(self, vocab_size: int, embedding: int, hidden: int):
        """표 `self.table = nn.Embedding(vocab_size, embedding)`와 `self.project = nn.Linear(embedding, hidden)`."""
        raise NotImplementedError("FactorizedEmbedding.__init__: 03_factorized_embedding.md 2단계")

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        """(B, T) → (B, T, H)."""
        raise NotImplementedError("FactorizedEmbedding.forward: 03_factorized_embedding.md 2단계")
