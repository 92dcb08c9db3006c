"""수정 과제 02 — HF `BertModel`에 token classification head를 얹고 짧게 학습하기 (reference solution).

문제: `../mod02_token_classification.md`. 학습자 stub: `../mod02_token_classification.py`
(이름·signature·docstring이 같다).

BERT 논문 §4.3 (CoNLL-2003 NER)의 방식: 각 token의 마지막 hidden에 Linear 하나를 얹어 token마다 label을 예측하고,
WordPiece로 쪼개진 단어는 **첫 조각**에서만 예측한다. 나머지 조각, [CLS]·[SEP], padding의 label은
`IGNORE_INDEX` (-100): PyTorch `cross_entropy`의 기본 `ignore_index`라 loss와 gradient에서 빠진다.
HF `BertForTokenClassification`이 같은 head(dropout → Linear)와 같은 loss를 쓴다.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

IGNORE_INDEX = -100


def align_labels(tokenizer, words: list[str], word_labels: list[int]) -> tuple[list[int], list[int]]:
    """단어 list와 단어마다의 label → ([CLS] 조각들 [SEP]의 id, 같은 길이의 label).

    각 단어의 **첫** WordPiece 조각에 그 단어의 label, 이어지는 조각(`##…`)과 [CLS], [SEP]에는 `IGNORE_INDEX`.
    `tokenizer`는 이 장의 `WordPieceTokenizer` (`tokenize`, `token_to_id`, `cls_id`, `sep_id`).
    words와 word_labels의 길이가 다르거나 조각이 하나도 없는 단어가 있으면 ValueError.
    """
    if len(words) != len(word_labels):
        raise ValueError(f"words({len(words)}개)와 word_labels({len(word_labels)}개)의 길이가 같아야 합니다")
    ids, labels = [tokenizer.cls_id], [IGNORE_INDEX]
    for word, label in zip(words, word_labels):
        pieces = tokenizer.tokenize(word)
        if not pieces:
            raise ValueError(f"단어 {word!r}가 WordPiece 조각을 하나도 만들지 않습니다")
        ids += [tokenizer.token_to_id[p] for p in pieces]
        labels += [int(label)] + [IGNORE_INDEX] * (len(pieces) - 1)                 # 첫 조각만 채점
    return ids + [tokenizer.sep_id], labels + [IGNORE_INDEX]


def collate(examples: list[tuple[list[int], list[int]]], pad_id: int):
    """`align_labels`의 결과 여러 개 → (input_ids, attention_mask, labels), 모두 (B, T) long.

    가장 긴 예까지 오른쪽으로 채운다: input_ids는 pad_id, attention_mask는 0, labels는 `IGNORE_INDEX`.
    예가 없거나 한 예의 ids와 labels 길이가 다르면 ValueError.
    """
    if not examples:
        raise ValueError("collate: 예가 하나도 없습니다")
    if any(len(ids) != len(labels) for ids, labels in examples):
        raise ValueError("collate: 각 예의 ids와 labels는 길이가 같아야 합니다")
    T = max(len(ids) for ids, _ in examples)
    input_ids = torch.full((len(examples), T), pad_id, dtype=torch.long)                  # (B, T)
    attention_mask = torch.zeros(len(examples), T, dtype=torch.long)
    labels = torch.full((len(examples), T), IGNORE_INDEX, dtype=torch.long)
    for row, (ids, tags) in enumerate(examples):
        input_ids[row, :len(ids)] = torch.tensor(ids)
        attention_mask[row, :len(ids)] = 1
        labels[row, :len(tags)] = torch.tensor(tags)
    return input_ids, attention_mask, labels


class BertTokenTagger(nn.Module):
    """HF `BertModel` + token마다의 분류 head: logits = classifier(dropout(last_hidden_state)) (B, T, num_labels).

    속성: `bert` (받은 BertModel 그대로), `dropout` (p = config.hidden_dropout_prob), `classifier`
    (Linear(H, num_labels), weight N(0, config.initializer_range²), bias 0 — HF의 초기화 규칙).
    num_labels < 2이거나 bert가 transformers의 BertModel이 아니면 ValueError.
    """

    def __init__(self, bert: nn.Module, num_labels: int):
        """bert 위에 dropout과 Linear(H, num_labels) head를 만든다."""
        super().__init__()
        if type(bert).__name__ != "BertModel":
            raise ValueError(f"transformers의 BertModel이 필요합니다: 받은 {type(bert).__name__}")
        if num_labels < 2:
            raise ValueError(f"num_labels는 2 이상이어야 합니다: {num_labels}")
        config = bert.config
        self.bert = bert
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.classifier = nn.Linear(config.hidden_size, num_labels)
        nn.init.normal_(self.classifier.weight, mean=0.0, std=config.initializer_range)
        nn.init.zeros_(self.classifier.bias)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                labels: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """→ (logits (B, T, num_labels), loss). loss는 labels가 `IGNORE_INDEX`가 아닌 자리의 cross-entropy 평균
        (labels가 없으면 None). labels의 shape가 input_ids와 다르면 ValueError."""
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state   # (B, T, H)
        logits = self.classifier(self.dropout(hidden))                                          # (B, T, K)
        if labels is None:
            return logits, None
        if labels.shape != input_ids.shape:
            raise ValueError(f"labels의 shape는 input_ids와 같은 {tuple(input_ids.shape)}여야 합니다: "
                             f"{tuple(labels.shape)}")
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1),
                               ignore_index=IGNORE_INDEX)                                       # (B·T, K) vs (B·T,)
        return logits, loss


def finetune(model: nn.Module, input_ids: torch.Tensor, attention_mask: torch.Tensor, labels: torch.Tensor,
             steps: int, lr: float, batch_size: int, seed: int) -> list[float]:
    """model(`BertTokenTagger`)의 모든 parameter를 Adam(lr)으로 `steps`번 갱신한다 (train 모드).

    step마다 `torch.randint(N, (batch_size,), generator=torch.Generator().manual_seed(seed))`로 뽑은 예의
    mini-batch를 쓰고, 갱신 **전**의 loss를 float list로 돌려준다 (길이 steps). 끝나면 model을 eval 모드로 둔다.
    steps < 1, batch_size < 1, 세 tensor의 shape가 (N, T)로 같지 않으면 ValueError.
    """
    if steps < 1 or batch_size < 1:
        raise ValueError(f"steps와 batch_size는 1 이상이어야 합니다: steps={steps}, batch_size={batch_size}")
    if input_ids.dim() != 2 or attention_mask.shape != input_ids.shape or labels.shape != input_ids.shape:
        raise ValueError(f"input_ids, attention_mask, labels는 같은 (N, T) shape여야 합니다: "
                         f"{tuple(input_ids.shape)}, {tuple(attention_mask.shape)}, {tuple(labels.shape)}")
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(steps):
        index = torch.randint(len(input_ids), (batch_size,), generator=generator)            # (batch,)
        _, loss = model(input_ids[index], attention_mask[index], labels[index])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    return losses
