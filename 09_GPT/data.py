"""09장의 데이터: corpus 읽기, 앞 train / 뒤 validation 분할, 무작위 block batch, step마다 정해지는 global batch.

L2 `pytorch_lowlevel/gpt_lowlevel.py`, L3 `paper/gpt_paper.py`, 학습기 `train.py`, `claims.py`, `bpe.py`가 쓴다.

- `load_text(data)`: `korean` (이 저장소의 한국어 문서를 모아 고정한 파일), `english` (`pydoc_data.topics`) 또는 UTF-8
  파일 경로.
- `split_text(text, 0.1)`: 섞지 않는 연속 분할 — 앞 90% train, 뒤 10% validation (nanoGPT `prepare.py`와 같은 방식).
- `random_blocks(data, T, B, generator)`: nanoGPT `get_batch` — 길이 T인 연속 구간 B개와 한 칸 뒤의 정답.
- `global_batch(data, step, seed, T, G)`: step s의 batch를 (seed, s)만으로 정한다 (`train.py`의 sampler).
  process 수와 재개 여부에 상관없이 같은 batch가 나온다.

torch는 함수 안에서만 import한다: `split_text`는 NumPy 레벨에서도 쓸 수 있다.
"""
from __future__ import annotations

import numbers
from pathlib import Path

import numpy as np

from utils.core import DatasetUnavailable, check_positive_int
from utils.datasets import load_dataset

DATA_CHOICES = ("korean", "english")


def load_text(data: str) -> str:
    """이름이면 utils의 corpus (`load_dataset`), 아니면 UTF-8 텍스트 파일. 못 읽으면 `DatasetUnavailable` 한 문장."""
    if data in DATA_CHOICES:
        return load_dataset(data)
    path = Path(data)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetUnavailable(f"텍스트 파일 {path}를 UTF-8로 읽지 못했습니다 ({type(error).__name__}): "
                                 "경로와 인코딩을 확인하세요") from None


def split_text(text, val_fraction: float = 0.1):
    """corpus를 앞쪽 train, 뒤쪽 validation으로 나눈다 (섞지 않는 연속 분할).

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

    integer = (torch.is_tensor(data) and not data.dtype.is_floating_point and not data.dtype.is_complex
               and data.dtype != torch.bool)
    if not integer or data.ndim != 1:
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


def derived_seed(*keys: int) -> int:
    """정수 열 (예: seed, step, rank) → 63 bit seed 하나 (`np.random.SeedSequence`: 가까운 key도 먼 seed가 된다)."""
    return int(np.random.SeedSequence(list(keys)).generate_state(1, dtype=np.uint64)[0] >> 1)


def global_batch(data, step: int, seed: int, block_size: int, size: int):
    """step s의 global batch (x, y): 각 (size, block_size). (seed, s)만의 함수다 — process 수와 무관하다."""
    import torch

    generator = torch.Generator().manual_seed(derived_seed(seed, step))
    return random_blocks(data, block_size, size, generator)
