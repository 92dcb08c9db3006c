"""11장이 세 레벨에서 함께 쓰는 데이터 준비: 숫자 이미지를 (N, D)로 펴고 고정 threshold로 이진화한다.

모델 코드는 레벨마다 따로 쓰지만(DESIGN.md), 데이터 준비는 모델이 아니라서 한 곳에 둔다.
(utils/data_loaders.py에 `binarize`가 생기면 그쪽으로 옮길 수 있다.)

- digits (기본, 내장): scikit-learn 8×8 숫자, 픽셀 0..16을 16으로 나눈 [0, 1] 값 → D = 64.
- mnist (`--data mnist`): 28×28, [0, 1] → D = 784.
- 이진화: x_bin = 1[x ≥ 0.5] (고정 threshold, 난수 없음 — 같은 입력은 늘 같은 이진 이미지).
  Bernoulli decoder의 log p(x|z)가 진짜 이산 확률의 log가 되므로, 보고하는 ELBO와 log p(x)가 nats 단위의
  정식 log-likelihood다. [0, 1]의 연속 값에 BCE를 쓰면 학습은 되지만 그 값은 정규화된 확률이 아니다.
"""
from __future__ import annotations

import numpy as np

from utils.data_loaders import Dataset, load_digits, load_mnist

THRESHOLD = 0.5
DATA_CHOICES = ("digits", "mnist")


def binarize(images: np.ndarray, threshold: float = THRESHOLD) -> np.ndarray:
    """[0, 1] 이미지를 0/1로: 1[x ≥ threshold]. dtype은 입력을 따른다. 범위 밖 값은 ValueError."""
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(f"images는 [0, 1] 범위의 float 배열이어야 합니다: dtype={images.dtype}")
    if images.size and (images.min() < 0.0 or images.max() > 1.0):
        raise ValueError(f"images는 [0, 1] 범위여야 합니다: 받은 범위 [{images.min()}, {images.max()}]")
    return (images >= threshold).astype(images.dtype)


def load_binary_images(data: str = "digits", seed: int = 0, root="data", download: bool = False,
                       max_train: int | None = None, max_test: int | None = None) -> Dataset:
    """(N, D) float64 0/1 이미지와 label. `info["side"]`는 이미지 한 변(8 또는 28)."""
    if data == "digits":
        ds = load_digits(size=8, flatten=True, seed=seed)                      # (N, 64), [0, 1]
    elif data == "mnist":
        ds = load_mnist(root=root, download=download)                          # (N, 1, 28, 28), [0, 1]
    else:
        raise ValueError(f"알 수 없는 데이터 {data!r}: {', '.join(DATA_CHOICES)} 중 하나를 고르세요")
    X_train = np.asarray(ds.X_train, dtype=np.float64).reshape(len(ds.X_train), -1)[:max_train]   # (N, D)
    X_test = np.asarray(ds.X_test, dtype=np.float64).reshape(len(ds.X_test), -1)[:max_test]       # (M, D)
    side = int(round(np.sqrt(X_train.shape[1])))
    info = {**ds.info, "side": side, "threshold": THRESHOLD}
    return Dataset(ds.name, binarize(X_train), ds.y_train[:max_train], binarize(X_test), ds.y_test[:max_test], info)
