"""LeNet-5 장의 입력 데이터: 32×32 숫자 이미지와 이동(shift) augmentation.

세 레벨(numpy, pytorch_lowlevel, paper)이 함께 쓴다.

LeCun et al. (1998) Section II.B: 20×20 숫자를 32×32 틀의 가운데에 둔다 — 가장자리 feature detector의
receptive field 가운데까지 획이 닿도록.
"""
from __future__ import annotations

import os

import numpy as np

from utils.datasets import Dataset, load_digits, load_mnist


def load_digit_images(data: str = "digits", root: str | os.PathLike = "data", download: bool = False,
                      seed: int = 0) -> Dataset:
    """LeNet-5의 32×32 입력: 내장 digits(`load_digits(size=32)`) 또는 MNIST 28×28을 사방 2픽셀 0으로 padding.

    X float32 (N, 1, 32, 32) [0, 1], y int64. LeCun et al. (1998) Section II.B처럼 숫자가 큰 틀의 가운데에 놓인다.
    """
    if data == "mnist":
        ds = load_mnist(root=root, download=download)
        pad = ((0, 0), (0, 0), (2, 2), (2, 2))
        X_train, X_test = np.pad(ds.X_train, pad), np.pad(ds.X_test, pad)          # (N, 1, 28, 28) → (N, 1, 32, 32)
        return Dataset("mnist", X_train, ds.y_train, X_test, ds.y_test, dict(ds.info))
    if data != "digits":
        raise ValueError(f"알 수 없는 숫자 이미지 데이터 {data!r}: digits 또는 mnist 중 하나를 고르세요")
    return load_digits(size=32, seed=seed)


def random_shift(images: np.ndarray, max_shift: int, rng: np.random.Generator) -> np.ndarray:
    """이미지마다 상하좌우 −max_shift..max_shift 픽셀 무작위 이동 (augmentation). images (N, C, H, W).

    np.roll로 밀기 때문에 가장자리 여백이 max_shift 이상이어야 글씨가 반대편으로 넘어가지 않는다:
    32×32 digits는 20×20 숫자 둘레에 6픽셀, padding한 MNIST는 2픽셀 이상의 0 여백이 있다.
    """
    if max_shift == 0:
        return images
    shifts = rng.integers(-max_shift, max_shift + 1, size=(len(images), 2))          # (N, 2): (dy, dx)
    out = np.empty_like(images)
    for dy, dx in {tuple(s) for s in shifts.tolist()}:                                 # 이동 (dy, dx)마다 한꺼번에
        idx = np.flatnonzero((shifts[:, 0] == dy) & (shifts[:, 1] == dx))
        out[idx] = np.roll(images[idx], (dy, dx), axis=(2, 3))
    return out
