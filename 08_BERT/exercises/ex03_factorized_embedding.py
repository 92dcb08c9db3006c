"""연습문제 03 — ALBERT의 factorised embedding과 parameter 산수: 학습자가 채우는 stub.

문제 설명: `03_factorized_embedding.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 08_BERT/exercises --learner -k ex03   # 이 문제만 채점
    make grade CHAPTERS=08                                 # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import torch
from torch import nn


def embedding_parameters(vocab_size: int, hidden: int, embedding: int | None = None) -> int:
    """word embedding 부분의 parameter 수. embedding=None이면 BERT (token → H 표 하나),
    아니면 ALBERT (token → E 표, 그리고 E → H로 올리는 bias 있는 Linear)."""
    raise NotImplementedError("embedding_parameters: 03_factorized_embedding.md 1단계")


class FactorizedEmbedding(nn.Module):
    """token id → (V×E 표) → Linear(E, H). Lan et al. (2020) §3.1 "Factorized embedding parameterization"."""

    def __init__(self, vocab_size: int, embedding: int, hidden: int):
        """표 `self.table = nn.Embedding(vocab_size, embedding)`와 `self.project = nn.Linear(embedding, hidden)`."""
        raise NotImplementedError("FactorizedEmbedding.__init__: 03_factorized_embedding.md 2단계")

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        """(B, T) → (B, T, H)."""
        raise NotImplementedError("FactorizedEmbedding.forward: 03_factorized_embedding.md 2단계")

def albert_mlm_head_parameters(vocab_size: int, embedding: int, hidden: int) -> int:
    """ALBERT의 MLM 출력 head가 **새로** 가진 parameter 수 (입력 word embedding과 묶인 행렬은 세지 않는다).

    HF `AlbertMLMHead`의 구조: 03_factorized_embedding.md 생각해 볼 질문 2.
    """
    raise NotImplementedError("albert_mlm_head_parameters: 03_factorized_embedding.md 3단계 (AlbertMLMHead를 읽는다)")
