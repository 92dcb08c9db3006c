"""수정 과제 02 — HF `BertModel`에 token classification head를 얹고 짧게 학습하기: 학습자가 채우는 stub.

문제 설명: `mod02_token_classification.md`. 각 함수·메서드의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수·클래스 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 08_BERT/analysis/test_mod02_token_classification.py --learner   # 이 과제만 채점
    python -m pytest 08_BERT/analysis --learner -k mod                               # 이 장의 수정 과제 모두
    make grade CHAPTERS=08                                                           # 이 장의 채점표
"""
from __future__ import annotations

import torch
from torch import nn

IGNORE_INDEX = -100


def align_labels(tokenizer, words: list[str], word_labels: list[int]) -> tuple[list[int], list[int]]:
    """단어 list와 단어마다의 label → ([CLS] 조각들 [SEP]의 id, 같은 길이의 label).

    각 단어의 **첫** WordPiece 조각에 그 단어의 label, 이어지는 조각(`##…`)과 [CLS], [SEP]에는 `IGNORE_INDEX`.
    `tokenizer`는 이 장의 `WordPieceTokenizer` (`tokenize`, `token_to_id`, `cls_id`, `sep_id`).
    words와 word_labels의 길이가 다르거나 조각이 하나도 없는 단어가 있으면 ValueError.
    """
    raise NotImplementedError("align_labels: mod02_token_classification.md의 할 일 1을 보세요")


def collate(examples: list[tuple[list[int], list[int]]], pad_id: int):
    """`align_labels`의 결과 여러 개 → (input_ids, attention_mask, labels), 모두 (B, T) long.

    가장 긴 예까지 오른쪽으로 채운다: input_ids는 pad_id, attention_mask는 0, labels는 `IGNORE_INDEX`.
    예가 없거나 한 예의 ids와 labels 길이가 다르면 ValueError.
    """
    raise NotImplementedError("collate: mod02_token_classification.md의 할 일 2를 보세요")


class BertTokenTagger(nn.Module):
    """HF `BertModel` + token마다의 분류 head: logits = classifier(dropout(last_hidden_state)) (B, T, num_labels).

    속성: `bert` (받은 BertModel 그대로), `dropout` (p = config.hidden_dropout_prob), `classifier`
    (Linear(H, num_labels), weight N(0, config.initializer_range²), bias 0 — HF의 초기화 규칙).
    num_labels < 2이거나 bert가 transformers의 BertModel이 아니면 ValueError.
    """

    def __init__(self, bert: nn.Module, num_labels: int):
        """bert 위에 dropout과 Linear(H, num_labels) head를 만든다."""
        raise NotImplementedError("BertTokenTagger.__init__: mod02_token_classification.md의 할 일 3을 보세요")

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                labels: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """→ (logits (B, T, num_labels), loss). loss는 labels가 `IGNORE_INDEX`가 아닌 자리의 cross-entropy 평균
        (labels가 없으면 None). labels의 shape가 input_ids와 다르면 ValueError."""
        raise NotImplementedError("BertTokenTagger.forward: mod02_token_classification.md의 할 일 3을 보세요")


def finetune(model: nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor,
             steps: int, lr: float, batch_size: int, seed: int) -> list[float]:
    """model(`BertTokenTagger`)의 모든 parameter를 Adam(lr)으로 `steps`번 갱신한다 (train 모드).

    step마다 `torch.randint(N, (batch_size,), generator=torch.Generator().manual_seed(seed))`로 뽑은 예의
    mini-batch를 쓰고, 갱신 **전**의 loss를 float list로 돌려준다 (길이 steps). 끝나면 model을 eval 모드로 둔다.
    steps < 1, batch_size < 1, 세 tensor의 shape가 (N, T)로 같지 않으면 ValueError.
    """
    raise NotImplementedError("finetune: mod02_token_classification.md의 할 일 4를 보세요")
