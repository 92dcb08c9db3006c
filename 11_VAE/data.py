"""VAE 장의 입력 데이터: (N, D)로 편 이진 이미지. 세 레벨(numpy, pytorch_lowlevel, paper)이 함께 쓴다.

Kingma & Welling (2014) Section 5는 MNIST의 Bernoulli decoder를 쓴다: 픽셀을 고정 threshold로 0/1로 만들어
log p(x|z)가 진짜 이산 확률의 log가 되게 한다.
"""
from __future__ import annotations

import os

import numpy as np

from utils.datasets import Dataset, load_digits, load_mnist

BINARIZE_THRESHOLD = 0.5
BINARY_IMAGE_DATA = ("digits", "mnist")


def binarize(images: np.ndarray, threshold: float = BINARIZE_THRESHOLD) -> np.ndarray:
    """[0, 1] 이미지를 0/1로: 1[x ≥ threshold] (고정 threshold, 난수 없음). dtype은 입력을 따른다.

    Bernoulli decoder의 log p(x|z)가 진짜 이산 확률의 log가 되도록 쓴다 (11장). 범위 밖 값이나 정수 배열은 ValueError.
    """
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(f"images는 [0, 1] 범위의 float 배열이어야 합니다: dtype={images.dtype}")
    if images.size and (images.min() < 0.0 or images.max() > 1.0):
        raise ValueError(f"images는 [0, 1] 범위여야 합니다: 받은 범위 [{images.min()}, {images.max()}]")
    return (images >= threshold).astype(images.dtype)


def load_binary_images(data: str = "digits", seed: int = 0, root: str | os.PathLike = "data", download: bool = False,
                       max_train: int | None = None, max_test: int | None = None) -> Dataset:
    """(N, D) float64 0/1 이미지와 label: digits(내장, 8×8 → D = 64) 또는 MNIST(28×28 → D = 784).

    픽셀은 [0, 1] 값을 `binarize`로 이진화한다. `info["side"]`는 이미지 한 변(8 또는 28), `info["threshold"]`는 0.5.
    """
    if data == "digits":
        ds = load_digits(size=8, flatten=True, seed=seed)                      # (N, 64), [0, 1]
    elif data == "mnist":
        ds = load_mnist(root=root, download=download)                          # (N, 1, 28, 28), [0, 1]
    else:
        raise ValueError(f"알 수 없는 데이터 {data!r}: {', '.join(BINARY_IMAGE_DATA)} 중 하나를 고르세요")
    X_train = np.asarray(ds.X_train, dtype=np.float64).reshape(len(ds.X_train), -1)[:max_train]   # (N, D)
    X_test = np.asarray(ds.X_test, dtype=np.float64).reshape(len(ds.X_test), -1)[:max_test]       # (M, D)
    side = int(round(np.sqrt(X_train.shape[1])))
    info = {**ds.info, "side": side, "threshold": BINARIZE_THRESHOLD}
    return Dataset(ds.name, binarize(X_train), ds.y_train[:max_train], binarize(X_test), ds.y_test[:max_test], info)
