"""테스트용: 실제 데이터셋과 **같은 형식**의 작은 파일을 쓴다. 실제 loader를 인터넷 없이 끝까지 검사하려고.

- `write_fake_mnist(root)`: torchvision이 읽는 `MNIST/raw/*-idx?-ubyte` 4개 (big-endian 헤더 + uint8).
- `write_fake_cifar10(root)`: `cifar-10-batches-py/` 아래 python pickle batch 6개와 `batches.meta`.
- `write_fake_imagenette(root)`: `imagenette2-160/{train,val}/<wnid>/*.JPEG` (torchvision `Imagenette`의 폴더 구조,
  진짜 JPEG 파일). class마다 다른 단색 가운데와, 가운데 정사각형 crop이 잘라 내야 하는 빨간 좌우 띠.
여러 장의 테스트가 함께 쓴다 (03·11장의 MNIST 경로, 05장의 CIFAR-10 경로, 10·12장의 Imagenette 경로).
"""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np


def write_fake_mnist(root, n_train: int = 64, n_test: int = 32, seed: int = 0) -> Path:
    """torchvision이 읽는 MNIST raw idx 파일 4개를 작게 쓴다. class마다 다른 높이에 밝은 막대 + 약한 noise."""
    root = Path(root)
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for split, n in (("train", n_train), ("t10k", n_test)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        images = np.zeros((n, 28, 28), dtype=np.uint8)
        for i, label in enumerate(labels):                              # class마다 다른 위치의 밝은 막대
            images[i, 4 + 2 * label:6 + 2 * label, 6:22] = 255
        images = np.maximum(images, rng.integers(0, 30, size=images.shape)).astype(np.uint8)
        header = np.array([2051, n, 28, 28], dtype=">i4").tobytes()
        (raw / f"{split}-images-idx3-ubyte").write_bytes(header + images.tobytes())
        (raw / f"{split}-labels-idx1-ubyte").write_bytes(np.array([2049, n], dtype=">i4").tobytes() + labels.tobytes())
    return root


def write_fake_cifar10(root, n_per_batch: int = 8, seed: int = 0) -> Path:
    """진짜 CIFAR-10 python pickle 형식의 작은 파일들 (batch마다 n장, uint8 (n, 3072), label 0..9)."""
    root = Path(root)
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        data = rng.integers(0, 256, (n_per_batch, 3072), dtype=np.uint8)
        labels = [int(v) for v in rng.integers(0, 10, n_per_batch)]
        with open(folder / name, "wb") as f:
            pickle.dump({b"data": data, b"labels": labels}, f)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({b"label_names": [f"c{i}".encode() for i in range(10)]}, f)
    return root


IMAGENETTE_FAKE_COLOURS = [(20 + 23 * k, 200 - 15 * k, 60 + 17 * k) for k in range(10)]   # class k의 가운데 색 (RGB)


def write_fake_imagenette(root, n_train: int = 2, n_val: int = 1, width: int = 48, height: int = 32,
                          archive: str = "imagenette2-160") -> Path:
    """torchvision `Imagenette`가 읽는 폴더에 class마다 JPEG 몇 장을 쓴다 (가로가 긴 width × height 이미지).

    class k의 이미지는 가운데 height × height가 `IMAGENETTE_FAKE_COLOURS[k]`이고 좌우 나머지는 빨강 (255, 0, 0):
    짧은 변을 맞춘 뒤 가운데를 자르면 빨강이 남지 않아야 한다. 파일 이름은 `<wnid>_<번호>.JPEG`.
    """
    from PIL import Image

    from utils.datasets.real import IMAGENETTE_WNIDS

    root = Path(root)
    side = (width - height) // 2
    for split, n in (("train", n_train), ("val", n_val)):
        for k, wnid in enumerate(IMAGENETTE_WNIDS):
            folder = root / archive / split / wnid
            folder.mkdir(parents=True)
            pixels = np.zeros((height, width, 3), dtype=np.uint8)
            pixels[:, :] = (255, 0, 0)
            pixels[:, side:side + height] = IMAGENETTE_FAKE_COLOURS[k]
            for i in range(n):
                Image.fromarray(pixels).save(folder / f"{wnid}_{i:05d}.JPEG", format="JPEG", quality=100, subsampling=0)
    return root
