"""텍스트·sequence batching과 attention mask: padding, padding·causal mask, 두 mask 규약, 길이 bucketing, LM batch.

쓰는 곳: 07 Transformer(padding + causal mask, 길이 bucketing), 08 BERT(padding mask), 09 GPT(corpus split,
random block batch, causal mask), 12 CLIP(caption padding).

mask 규약은 torch.nn을 따른다 — **bool mask에서 True = 가린다(masked)**:
    - `nn.MultiheadAttention`/`nn.Transformer`의 bool `key_padding_mask` (B, S)와 bool `attn_mask` (T, S)가 이 뜻이다.
    - additive(float) mask는 가리는 자리에 −inf, 나머지 0을 attention score에 더한다 (`to_additive_mask`).
      `nn.Transformer.generate_square_subsequent_mask(T)`가 이 모양이다.
    - `F.scaled_dot_product_attention`의 bool `attn_mask`만 뜻이 **반대**다: True = attend해도 된다.
      그래서 SDPA에 bool mask를 줄 때는 `to_sdpa_mask`(= 논리 부정)로 바꾼다. additive mask는 그대로 준다.

모든 key가 가려진 query 줄(fully masked row)에서 무엇이 나오는가 (torch 2.14에서 확인, `test_batching.py`가 검사한다):
    - 손으로 쓴 attention `softmax(scores + additive_mask)`: 그 줄 전체가 NaN (−inf − (−inf) = NaN).
    - `F.scaled_dot_product_attention`: bool 규약이든 additive 규약이든 그 줄의 출력은 0 (safe softmax).
    - `nn.MultiheadAttention`: 계산 경로마다 다르다. autograd가 켜진 `need_weights=False`는 SDPA를 거쳐 attention
      출력 0 → 최종 출력은 `out_proj.bias`; `need_weights=True`(기본값)는 softmax를 직접 계산해 NaN;
      eval 모드 + `torch.no_grad()`의 fast path(`need_weights=False`)도 NaN.
      학습 때 멀쩡하던 줄이 평가 때 NaN이 될 수 있다.
    오른쪽 padding에서 길이 ≥ 1이면 padding + causal을 합쳐도 첫 key(위치 0)는 늘 열려 있어 이런 줄이 생기지 않는다.
    길이 0인 sequence나 왼쪽 padding + causal에서만 생긴다.

torch는 함수 안에서만 import한다 (utils의 다른 모듈과 같은 규칙): `bucket_by_length`, `split_text`는 NumPy 레벨도 쓴다.
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from utils.core import check_positive_int


def _is_int_tensor(x) -> bool:
    import torch

    return torch.is_tensor(x) and not x.dtype.is_floating_point and not x.dtype.is_complex and x.dtype != torch.bool


def _check_bool_mask(name: str, mask):
    import torch

    if not torch.is_tensor(mask) or mask.dtype != torch.bool:
        kind = mask.dtype if torch.is_tensor(mask) else type(mask).__name__
        raise ValueError(f"{name}는 bool tensor(True = 가림)여야 합니다: {kind}")
    return mask


# ---------------------------------------------------------------------------
# padding
# ---------------------------------------------------------------------------
def pad_batch(sequences: Sequence, pad_id: int = 0, max_len: int | None = None):
    """길이가 다른 token id sequence들을 오른쪽에 pad_id를 채워 (B, T) LongTensor 하나로 만든다.

    sequences: 정수 list/tuple 또는 1-D 정수 tensor·ndarray의 list. T = max_len (주면) 또는 가장 긴 길이.
    max_len보다 긴 sequence는 자르지 않고 ValueError (자르기는 호출하는 쪽이 명시적으로 한다).
    짝이 되는 mask는 `padding_mask([len(s) for s in sequences], T)`.
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


def padding_mask(lengths, max_len: int | None = None):
    """길이 → (B, T) BoolTensor, True = padding (`key_padding_mask`와 같은 뜻). mask[b, t] = (t ≥ lengths[b]).

    lengths: 0 이상의 정수 list·ndarray·1-D tensor. T = max_len (주면) 또는 max(lengths).
    """
    import torch

    if torch.is_tensor(lengths):
        if lengths.ndim != 1 or not _is_int_tensor(lengths):
            raise ValueError(f"lengths는 1-D 정수 tensor여야 합니다: shape={tuple(lengths.shape)}, "
                             f"dtype={lengths.dtype}")
        lengths = lengths.to(torch.long)
    else:
        array = np.asarray(lengths)
        if array.size == 0:
            raise ValueError("lengths가 비어 있습니다: sequence 길이를 하나 이상 주세요")
        if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"lengths는 1-D 정수 배열이어야 합니다: shape={array.shape}, dtype={array.dtype}")
        lengths = torch.as_tensor(array, dtype=torch.long)
    if len(lengths) == 0:
        raise ValueError("lengths가 비어 있습니다: sequence 길이를 하나 이상 주세요")
    if bool((lengths < 0).any()):
        raise ValueError(f"lengths는 0 이상이어야 합니다: {lengths.tolist()}")
    longest = int(lengths.max())
    if max_len is None:
        T = longest
    else:
        T = check_positive_int("max_len", max_len, 1)
        if longest > T:
            raise ValueError(f"lengths의 최댓값({longest})이 max_len({T})보다 큽니다")
    positions = torch.arange(T, device=lengths.device)                      # (T,)
    return positions[None, :] >= lengths[:, None]                           # (B, T)


def padding_mask_from_ids(ids, pad_id: int):
    """(B, T) 정수 token id → (B, T) BoolTensor, True = pad_id인 자리.

    pad_id와 같은 id는 모두 padding으로 본다: pad_id가 실제 token으로도 쓰이는 vocabulary라면
    `padding_mask(lengths)`를 쓴다.
    """
    if not _is_int_tensor(ids) or ids.ndim != 2:
        shape = tuple(ids.shape) if hasattr(ids, "shape") else type(ids).__name__
        raise ValueError(f"ids는 (B, T) 정수 tensor여야 합니다: {shape}, dtype={getattr(ids, 'dtype', None)}")
    if isinstance(pad_id, bool) or not isinstance(pad_id, numbers.Integral):
        raise ValueError(f"pad_id는 정수여야 합니다: {pad_id!r}")
    return ids == int(pad_id)                                               # (B, T)


# ---------------------------------------------------------------------------
# attention mask
# ---------------------------------------------------------------------------
def causal_mask(T: int, device=None):
    """(T, T) BoolTensor, True = 미래 위치(j > i)라 가린다. `nn.Transformer`의 bool `tgt_mask`와 같은 뜻.

    query i는 key 0..i만 본다 (Vaswani et al. 2017 §3.2.3: decoder의 "masking out (setting to −∞)").
    """
    import torch

    T = check_positive_int("T", T, 1)
    return torch.ones(T, T, dtype=torch.bool, device=device).triu(diagonal=1)   # (T, T) 대각선 위가 True


def to_additive_mask(bool_mask, dtype=None):
    """bool mask(True = 가림) → 같은 shape의 float mask: 가리는 자리 −inf, 나머지 0. dtype 기본값 float32.

    attention score에 더하는 규약 (`nn.Transformer.generate_square_subsequent_mask`와 같은 값).
    """
    import torch

    _check_bool_mask("bool_mask", bool_mask)
    dtype = torch.float32 if dtype is None else dtype
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise ValueError(f"dtype은 floating-point torch.dtype이어야 합니다: {dtype!r}")
    zeros = torch.zeros(bool_mask.shape, dtype=dtype, device=bool_mask.device)
    return zeros.masked_fill(bool_mask, float("-inf"))


def combine_masks(attn_mask=None, key_padding_mask=None):
    """bool attn_mask (T, S)와 bool key_padding_mask (B, S)를 하나의 bool mask (B, 1, T, S)로 합친다 (True = 가림).

    둘 중 하나라도 가리면 가린다 (논리합). head 축 1개는 (B, nh, T, S) score에 broadcast된다.
    하나만 주면 broadcast 가능한 shape을 그대로 돌려준다: attn_mask만 → (1, 1, T, S), key_padding_mask만 →
    (B, 1, 1, S). 둘 다 None이면 None (가릴 것이 없다: SDPA의 attn_mask=None과 같다).
    """
    if attn_mask is None and key_padding_mask is None:
        return None
    if attn_mask is not None:
        _check_bool_mask("attn_mask", attn_mask)
        if attn_mask.ndim != 2:
            raise ValueError(f"attn_mask는 (T, S) shape이어야 합니다: {tuple(attn_mask.shape)}")
    if key_padding_mask is not None:
        _check_bool_mask("key_padding_mask", key_padding_mask)
        if key_padding_mask.ndim != 2:
            raise ValueError(f"key_padding_mask는 (B, S) shape이어야 합니다: {tuple(key_padding_mask.shape)}")
    if key_padding_mask is None:
        return attn_mask[None, None]                                        # (1, 1, T, S)
    padding = key_padding_mask[:, None, None, :]                            # (B, 1, 1, S)
    if attn_mask is None:
        return padding
    if attn_mask.shape[1] != key_padding_mask.shape[1]:
        raise ValueError(f"attn_mask (T, S) = {tuple(attn_mask.shape)}와 key_padding_mask (B, S) = "
                         f"{tuple(key_padding_mask.shape)}의 key 길이 S가 다릅니다")
    return attn_mask[None, None] | padding                                  # (B, 1, T, S)


def to_sdpa_mask(bool_mask):
    """torch.nn 규약의 bool mask(True = 가림) → `F.scaled_dot_product_attention`의 bool mask(True = attend 가능).

    논리 부정이다. None은 None으로 (가릴 것이 없다).
    """
    if bool_mask is None:
        return None
    return ~_check_bool_mask("bool_mask", bool_mask)


# ---------------------------------------------------------------------------
# batch 구성
# ---------------------------------------------------------------------------
def bucket_by_length(lengths, batch_size: int, seed: int = 0) -> list[np.ndarray]:
    """길이가 비슷한 index끼리 batch로 묶는다: padding이 줄어 Transformer 학습이 빨라진다 (Vaswani et al. §5.1).

    index를 길이순으로 정렬해 (길이가 같으면 seed로 섞인 순서) batch_size개씩 자른 뒤, batch 순서를 섞는다.
    모든 index가 정확히 한 번 나온다. 마지막 batch는 더 작을 수 있다. 같은 seed → 같은 결과.
    """
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or len(lengths) == 0 or not np.issubdtype(lengths.dtype, np.integer):
        raise ValueError(f"lengths는 비어 있지 않은 1-D 정수 배열이어야 합니다: shape={lengths.shape}, "
                         f"dtype={lengths.dtype}")
    if (lengths < 0).any():
        raise ValueError(f"lengths는 0 이상이어야 합니다: 최솟값 {int(lengths.min())}")
    batch_size = check_positive_int("batch_size", batch_size, 1)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(lengths))                                   # 같은 길이 안의 순서를 섞는다
    order = order[np.argsort(lengths[order], kind="stable")]                # 길이순
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    return [batches[j] for j in rng.permutation(len(batches))]


def split_text(text, val_fraction: float = 0.1):
    """corpus를 앞쪽 train, 뒤쪽 validation으로 나눈다 (섞지 않는 연속 분할, nanoGPT `prepare.py`와 같은 방식).

    n_val = round(len(text) · val_fraction), train = text[:len−n_val], val = text[len−n_val:].
    str뿐 아니라 slicing되는 1-D sequence(list, ndarray, tensor)도 받는다. 두 쪽 모두 비어 있으면 안 된다.
    """
    if not hasattr(text, "__len__") or not hasattr(text, "__getitem__"):
        raise ValueError(f"text는 str 또는 slicing되는 sequence여야 합니다: {type(text).__name__}")
    if isinstance(val_fraction, bool) or not isinstance(val_fraction, numbers.Real) or not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction은 0과 1 사이(양끝 제외)여야 합니다: {val_fraction!r}")
    n = len(text)
    n_val = round(n * val_fraction)
    if n_val == 0 or n_val == n:
        raise ValueError(f"text 길이 {n}을(를) val_fraction={val_fraction}로 나누면 한쪽이 빕니다: "
                         "더 긴 text가 필요합니다")
    return text[:n - n_val], text[n - n_val:]


def random_blocks(data, block_size: int, batch_size: int, generator=None):
    """nanoGPT `get_batch`: 1-D token tensor에서 길이 block_size인 연속 구간을 batch_size개 뽑는다.

    시작 위치 i는 0..len(data)−block_size−1에서 균등하게 뽑고 (`torch.randint`, generator로 재현 가능),
        x[b] = data[i : i + block_size],   y[b] = data[i + 1 : i + 1 + block_size]  (다음 token이 정답)
    x, y는 (batch_size, block_size) int64, data와 같은 device. generator=None이면 torch 전역 RNG를 쓴다.
    """
    import torch

    if not _is_int_tensor(data) or data.ndim != 1:
        shape = tuple(data.shape) if hasattr(data, "shape") else type(data).__name__
        raise ValueError(f"data는 1-D 정수 tensor(token id)여야 합니다: {shape}, dtype={getattr(data, 'dtype', None)}")
    block_size = check_positive_int("block_size", block_size, 1)
    batch_size = check_positive_int("batch_size", batch_size, 1)
    if len(data) < block_size + 1:
        raise ValueError(f"data 길이({len(data)})는 block_size + 1({block_size + 1}) 이상이어야 합니다")
    if generator is not None and not isinstance(generator, torch.Generator):
        raise ValueError(f"generator는 torch.Generator 또는 None이어야 합니다: {type(generator).__name__}")
    starts = torch.randint(len(data) - block_size, (batch_size,), generator=generator)   # (B,) 0..len−block−1
    index = (starts[:, None] + torch.arange(block_size)).to(data.device)                # (B, block)
    x = data[index].to(torch.long)                                                       # (B, block)
    y = data[index + 1].to(torch.long)                                                   # (B, block) 한 칸 뒤
    return x, y
