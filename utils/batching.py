"""길이가 다른 token id sequence를 (B, T) batch 하나로: 오른쪽 padding.

쓰는 곳: 07 Transformer (L2 `transformer_lowlevel.py`, `number_reading.py`), 08 BERT (L3 `bert_paper.py`).
attention mask는 각 장이 자기 규약으로 만든다 (07: `pytorch_lowlevel/attention.py`의 `attention_bias`,
`paper/transformer.py`의 `attention_mask`).

torch는 함수 안에서만 import한다 (utils의 다른 모듈과 같은 규칙).
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from utils.core import check_positive_int


def _is_int_tensor(x) -> bool:
    import torch

    return torch.is_tensor(x) and not x.dtype.is_floating_point and not x.dtype.is_complex and x.dtype != torch.bool


def pad_batch(sequences: Sequence, pad_id: int = 0, max_len: int | None = None):
    """길이가 다른 token id sequence들을 오른쪽에 pad_id를 채워 (B, T) LongTensor 하나로 만든다.

    sequences: 정수 list/tuple 또는 1-D 정수 tensor·ndarray의 list. T = max_len (주면) 또는 가장 긴 길이.
    max_len보다 긴 sequence는 자르지 않고 ValueError (자르기는 호출하는 쪽이 명시적으로 한다).
    짝이 되는 padding mask (True = padding)는 `ids == pad_id` 또는 길이에서 `arange(T) >= length`.
    """
    import torch

    if isinstance(sequences, (str, bytes)) or not isinstance(sequences, Sequence) or len(sequences) == 0:
        raise ValueError(f"sequences는 sequence 하나 이상을 담은 list여야 합니다: {type(sequences).__name__}")
    if isinstance(pad_id, bool) or not isinstance(pad_id, numbers.Integral):
        raise ValueError(f"pad_id는 정수여야 합니다: {pad_id!r}")
    rows = []
    for i, seq in enumerate(sequences):
        if torch.is_tensor(seq) or isinstance(seq, np.ndarray):
            integer = _is_int_tensor(seq) if torch.is_tensor(seq) else np.issubdtype(seq.dtype, np.integer)
            if seq.ndim != 1 or not integer:
                raise ValueError(f"sequences[{i}]는 1-D 정수 배열이어야 합니다: shape={tuple(seq.shape)}, "
                                 f"dtype={seq.dtype}")
            rows.append(torch.as_tensor(seq).to(torch.long))
        elif isinstance(seq, (list, tuple)) and all(
                isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in seq):
            rows.append(torch.tensor([int(v) for v in seq], dtype=torch.long))
        else:
            raise ValueError(f"sequences[{i}]는 정수 token id의 list 또는 1-D 정수 tensor여야 합니다: {seq!r}")
    longest = max(len(r) for r in rows)
    if max_len is None:
        T = longest
    else:
        T = check_positive_int("max_len", max_len, 1)
        if longest > T:
            raise ValueError(f"가장 긴 sequence(길이 {longest})가 max_len({T})보다 깁니다: 먼저 잘라 주세요")
    out = torch.full((len(rows), T), int(pad_id), dtype=torch.long)           # (B, T)
    for i, row in enumerate(rows):
        out[i, :len(row)] = row.cpu()
    return out
