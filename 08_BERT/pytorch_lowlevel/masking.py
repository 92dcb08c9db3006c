"""BERT pre-training 데이터 만들기: Masked LM의 masking과 Next Sentence Prediction의 문장 쌍.

논문: Devlin et al. (2018), §3.1 Task #1, Task #2, 부록 A.1.
- Masked LM: 각 sequence에서 token의 15%를 예측 대상으로 고른다. 고른 위치 중
  80%는 [MASK]로, 10%는 무작위 token으로 바꾸고, 10%는 그대로 둔다. [CLS]·[SEP]·[PAD] 같은 특수 token은
  고르지 않는다. 고르는 개수는 확률이 아니라 **정확히** max(1, round(0.15 · 후보 수))개다 (HF의 DataCollator는
  위치마다 Bernoulli(0.15)). 공개 코드(`create_pretraining_data.py`의 `create_masked_lm_predictions`)도 개수를
  정해 두지만 세 가지가 다르다: 그 코드는 [CLS]·[SEP]까지 센 길이로 round(len · 0.15)를 계산하고,
  `max_predictions_per_seq`(기본 20)에서 자르며, 무작위 token을 특수 token까지 포함한 vocabulary 전체에서 고른다.
  여기서는 후보(특수 token이 아닌 위치) 수로 세고, 상한이 없고, 무작위 token은 id 범위 [first_normal_id, V)에서 고른다.
- NSP: 문장 쌍 (A, B)의 50%는 B가 같은 문서에서 A 바로 다음 문장 (IsNext = 1),
  50%는 B가 다른 문서의 무작위 문장 (NotNext = 0). 입력은 [CLS] A [SEP] B [SEP], token type은 A 쪽 0, B 쪽 1.
"""
from __future__ import annotations

import torch

IGNORE_INDEX = -100


def mask_tokens(input_ids: torch.Tensor, special: torch.Tensor, mask_id: int, vocab_size: int,
                first_normal_id: int, generator: torch.Generator, mlm_probability: float = 0.15,
                mask_fraction: float = 0.8, random_fraction: float = 0.1):
    """(B, T) id → (가린 id (B, T), label (B, T)). label은 고른 위치에서 원래 id, 나머지는 IGNORE_INDEX.

    special (B, T) bool: True인 위치(특수 token, padding)는 절대 고르지 않는다.
    """
    if input_ids.shape != special.shape or input_ids.dim() != 2:
        raise ValueError(f"input_ids와 special은 같은 (B, T) shape여야 합니다: {tuple(input_ids.shape)}, "
                         f"{tuple(special.shape)}")
    if not 0.0 < mlm_probability < 1.0 or mask_fraction + random_fraction > 1.0:
        raise ValueError("mlm_probability는 (0, 1), mask_fraction + random_fraction ≤ 1이어야 합니다")
    if not 0 <= first_normal_id < vocab_size:
        raise ValueError(f"first_normal_id는 [0, vocab_size={vocab_size}) 안이어야 합니다: {first_normal_id}")
    masked = input_ids.clone()
    labels = torch.full_like(input_ids, IGNORE_INDEX)
    for row in range(input_ids.shape[0]):
        candidates = torch.nonzero(~special[row]).flatten()                     # 고를 수 있는 위치
        if len(candidates) == 0:
            continue
        n_predict = max(1, round(mlm_probability * len(candidates)))
        chosen = candidates[torch.randperm(len(candidates), generator=generator)[:n_predict]]
        labels[row, chosen] = input_ids[row, chosen]
        u = torch.rand(n_predict, generator=generator)                          # 80 / 10 / 10 나누기
        to_mask = chosen[u < mask_fraction]
        to_random = chosen[(u >= mask_fraction) & (u < mask_fraction + random_fraction)]
        masked[row, to_mask] = mask_id
        masked[row, to_random] = torch.randint(first_normal_id, vocab_size, (len(to_random),), generator=generator)
        # 나머지(u ≥ 0.9)는 그대로: 모델이 "[MASK]가 아닌 token도 틀릴 수 있다"는 것을 배우게 한다
    return masked, labels


def make_nsp_pairs(documents: list[list[list[int]]], n_pairs: int, generator: torch.Generator,
                   is_next_probability: float = 0.5) -> list[tuple[list[int], list[int], int]]:
    """문서들(문서 = 문장의 list, 문장 = token id의 list)에서 (A, B, is_next) n_pairs개.

    A는 다음 문장이 있는 문장 중에서 고르고, is_next면 B = 바로 다음 문장, 아니면 B = **다른** 문서의 문장.
    """
    if len(documents) < 2:
        raise ValueError("NotNext 쌍을 만들려면 문서가 2개 이상 필요합니다")
    starts = [(d, s) for d, doc in enumerate(documents) for s in range(len(doc) - 1)]
    if not starts:
        raise ValueError("문장이 2개 이상인 문서가 없습니다")
    pairs = []
    for _ in range(n_pairs):
        d, s = starts[int(torch.randint(len(starts), (1,), generator=generator))]
        a = documents[d][s]
        if float(torch.rand(1, generator=generator)) < is_next_probability:
            pairs.append((a, documents[d][s + 1], 1))
        else:
            other = int(torch.randint(len(documents) - 1, (1,), generator=generator))
            other += other >= d                                                 # d를 건너뛴다: 반드시 다른 문서
            doc = documents[other]
            pairs.append((a, doc[int(torch.randint(len(doc), (1,), generator=generator))], 0))
    return pairs


def pair_input(a: list[int], b: list[int], cls_id: int, sep_id: int, max_len: int):
    """[CLS] A [SEP] B [SEP] → (ids, token_type_ids). 너무 길면 더 긴 쪽의 끝에서 한 token씩 자른다.

    공개 코드의 `truncate_seq_pair`는 더 긴 쪽에서 한 token씩 떼되, 앞과 뒤 중 하나를 무작위로 고른다 (끝에만
    생기는 치우침을 피하려고). 여기서는 난수 없이 끝에서만 자른다.
    """
    if max_len < 5:
        raise ValueError(f"max_len은 특수 token 3개 + 문장마다 1 token = 5 이상이어야 합니다: {max_len}")
    a, b = list(a), list(b)
    while len(a) + len(b) + 3 > max_len:
        (a if len(a) >= len(b) else b).pop()
    ids = [cls_id] + a + [sep_id] + b + [sep_id]
    types = [0] * (len(a) + 2) + [1] * (len(b) + 1)
    return ids, types
