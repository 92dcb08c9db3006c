"""이미지 데이터와 이미지 augmentation: scikit-learn digits(8×8 → 28×28 / 32×32), 합성 shapes(RGB 도형 + caption),
채널 표준화와 crop+flip augmentation. 03·04·05·10·11·12장.

- digits: scikit-learn에 들어 있는 손글씨 숫자 1797장을 MNIST와 같은 배치(20×20 숫자 + 여백)로 키울 수 있다.
- shapes: 코드로 그리는 도형 10 class. 영어 caption과 속성(색, 크기, 위치)이 함께 나온다 (CLIP 장의 text 쪽).
- `channel_standardize`, `random_crop_flip`: CIFAR-10 실험의 표준 처방 (He et al. 2015, Section 4.2).
  `random_crop_flip_batches`는 같은 augmentation을 mini-batch마다 적용한다 (학습 루프용: 전체를 복사하지 않는다).
"""
from __future__ import annotations

import numpy as np

from utils.core import check_positive_int
from utils.datasets.base import Dataset, check_fraction, split

DIGIT_SIZES = (8, 28, 32)


def _bilinear_matrix(n_in: int, n_out: int) -> np.ndarray:
    """1차원 bilinear 보간을 행렬 R (n_out, n_in)로: out = R @ in. 2차원은 R @ img @ R.T (separable).

    half-pixel 규약 (align_corners=False, torch `F.interpolate`·PIL과 같음):
    출력 픽셀 o의 중심은 입력 좌표 src = (o + 0.5) · n_in / n_out − 0.5, 경계에서는 [0, n_in − 1]로 자른다.
    """
    src = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
    src = np.clip(src, 0, n_in - 1)
    i0 = np.floor(src).astype(np.int64)
    i1 = np.minimum(i0 + 1, n_in - 1)
    w1 = src - i0                                                         # 오른쪽 이웃의 가중치
    R = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    R[rows, i0] += 1.0 - w1
    R[rows, i1] += w1                                                     # 각 행의 합은 1 (볼록 결합)
    return R


def _resize_bilinear(images: np.ndarray, n_out: int) -> np.ndarray:
    """(N, H, H) 정사각 이미지를 (N, n_out, n_out)로 bilinear resize (순수 NumPy)."""
    R = _bilinear_matrix(images.shape[-1], n_out).astype(images.dtype)  # (n_out, H)
    return R @ images @ R.T                                               # (n_out, H) @ (N, H, H) @ (H, n_out)


def load_digits(size: int = 8, test_fraction: float = 0.2, seed: int = 0, flatten: bool = False) -> Dataset:
    """scikit-learn에 들어 있는 손글씨 숫자 (1797장, 8×8, 10 class). X float32 [0, 1], y int64.

    픽셀 값 0..16을 16으로 나눈다. 반환 shape은 (N, 1, size, size), `flatten=True`면 (N, size·size).
    - size=8:  원본 그대로.
    - size=28: 8×8 숫자를 20×20으로 bilinear resize한 뒤 사방에 0을 4픽셀씩 붙인다.
               MNIST가 20×20 숫자를 28×28 틀 가운데에 둔 것과 같은 배치 (MNIST용 모델을 그대로 쓸 수 있다).
    - size=32: 그 28×28에 다시 2픽셀씩 붙인다 (LeNet-5의 32×32 입력, LeCun et al. 1998).
    stratified split, `info["class_names"]` = ["0", ..., "9"].
    """
    if size not in DIGIT_SIZES:
        raise ValueError(f"size는 {', '.join(map(str, DIGIT_SIZES))} 중 하나여야 합니다: size={size}")
    check_fraction(test_fraction)
    from sklearn import datasets

    raw = datasets.load_digits()
    images = (raw.images / 16.0).astype(np.float32)                       # (N, 8, 8), [0, 1]
    if size >= 28:
        images = _resize_bilinear(images, 20)                             # (N, 20, 20)
        images = np.pad(images, ((0, 0), (4, 4), (4, 4)))                 # (N, 28, 28), 바깥 4픽셀은 0
        if size == 32:
            images = np.pad(images, ((0, 0), (2, 2), (2, 2)))             # (N, 32, 32)
    X = images[:, None, :, :]                                             # (N, 1, size, size)
    if flatten:
        X = X.reshape(len(X), size * size)                                # (N, size·size)
    y = raw.target.astype(np.int64)
    X_train, X_test, y_train, y_test = split(X, y, test_fraction, seed, stratify=True)
    info = {"class_names": [str(d) for d in range(10)], "size": size}
    return Dataset("digits", X_train, y_train, X_test, y_test, info)





SHAPE_NAMES = ["circle", "ring", "square", "frame", "triangle", "diamond", "plus", "cross",
               "horizontal bar", "vertical bar"]
COLOUR_NAMES = ["red", "green", "blue", "yellow", "cyan", "magenta", "white", "orange"]
_PALETTE = np.array([
    [0.95, 0.10, 0.10],   # red
    [0.10, 0.85, 0.15],   # green
    [0.15, 0.35, 1.00],   # blue (순수 파랑은 어두운 배경에서 잘 안 보여 조금 밝게)
    [0.95, 0.90, 0.10],   # yellow
    [0.10, 0.90, 0.90],   # cyan
    [0.90, 0.10, 0.90],   # magenta
    [0.95, 0.95, 0.95],   # white
    [1.00, 0.55, 0.00],   # orange
], dtype=np.float32)
SIZE_NAMES = ["small", "medium", "large"]
_SIZE_RADIUS = np.array([0.14, 0.20, 0.27])      # 도형 bounding box의 반지름 / 이미지 한 변
POSITION_NAMES = ["top left", "top center", "top right",
                  "middle left", "center", "middle right",
                  "bottom left", "bottom center", "bottom right"]
_JITTER = 0.04                                    # 위치 흔들림 (이미지 한 변에 대한 비율, ±)


def _shape_mask(kind: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """도형 kind의 mask. u (m, 1, S), v (m, S, 1)는 도형 중심 기준, 반지름으로 나눈 좌표 (v는 아래로 증가).

    모든 도형은 [-1, 1]² 상자 안에 들어간다. 반환 (m, S, S) bool.
    """
    name = SHAPE_NAMES[kind]
    au, av = np.abs(u), np.abs(v)
    if name == "circle":                                                  # 0.95: 경계에 한 픽셀만 튀어나오지 않게
        return u**2 + v**2 <= 0.95
    if name == "ring":
        r2 = u**2 + v**2
        return (r2 <= 0.95) & (r2 >= 0.55**2)
    if name == "square":
        return np.maximum(au, av) <= 0.8
    if name == "frame":
        m = np.maximum(au, av)
        return (m <= 0.8) & (m >= 0.42)
    if name == "triangle":                                  # 위를 향한 삼각형: 꼭짓점 (0, −1), 밑변 v = 0.8
        return (v <= 0.8) & (au <= (v + 1.0) / 1.8)
    if name == "diamond":
        return au + av <= 1.0
    if name == "plus":
        return ((au <= 0.3) & (av <= 1.0)) | ((av <= 0.3) & (au <= 1.0))
    if name == "cross":                                                   # 45° 돌린 plus (x 모양)
        p, q = np.abs(u + v) / np.sqrt(2), np.abs(u - v) / np.sqrt(2)
        return ((p <= 0.24) | (q <= 0.24)) & (au <= 0.9) & (av <= 0.9)
    if name == "horizontal bar":
        return (av <= 0.3) & (au <= 1.0)
    if name == "vertical bar":
        return (au <= 0.3) & (av <= 1.0)
    raise AssertionError(name)


def _render_shapes(n: int, size: int, rng: np.random.Generator):
    """n장의 도형 이미지를 한꺼번에 그린다 (좌표 grid 위의 NumPy mask, class별로 벡터화)."""
    S = size
    labels = rng.permutation(np.arange(n) % len(SHAPE_NAMES)).astype(np.int64)   # class 수를 고르게
    colour = rng.integers(0, len(COLOUR_NAMES), n)
    size_idx = rng.integers(0, len(SIZE_NAMES), n)
    pos = rng.integers(0, len(POSITION_NAMES), n)

    radius = _SIZE_RADIUS[size_idx] * S                                   # (n,) 픽셀 단위
    jitter = _JITTER * S
    margin = radius + jitter + 0.5                                        # 흔들려도 도형이 틀 안에 남도록
    col, row = pos % 3, pos // 3                                          # 0 = left/top, 1 = 가운데, 2 = right/bottom
    cx = margin + (S - 2 * margin) * col / 2 + rng.uniform(-jitter, jitter, n)
    cy = margin + (S - 2 * margin) * row / 2 + rng.uniform(-jitter, jitter, n)

    grid = np.arange(S, dtype=np.float32) + 0.5                           # 픽셀 중심 좌표
    u = (grid[None, None, :] - cx[:, None, None]) / radius[:, None, None]  # (n, 1, S)
    v = (grid[None, :, None] - cy[:, None, None]) / radius[:, None, None]  # (n, S, 1)
    mask = np.zeros((n, S, S), dtype=bool)
    for k in range(len(SHAPE_NAMES)):
        idx = np.flatnonzero(labels == k)
        mask[idx] = _shape_mask(k, u[idx], v[idx])

    brightness = rng.uniform(0.8, 1.0, (n, 1, 1, 1)).astype(np.float32)
    fg = _PALETTE[colour][:, :, None, None] * brightness                  # (n, 3, 1, 1)
    bg = rng.uniform(0.0, 0.12, (n, 1, 1, 1)).astype(np.float32)          # 어두운 배경
    noise = 0.04 * rng.standard_normal((n, 3, S, S), dtype=np.float32)
    X = np.where(mask[:, None, :, :], fg, bg) + noise                     # (n, 3, S, S)
    np.clip(X, 0.0, 1.0, out=X)

    attributes = [{"shape": SHAPE_NAMES[k], "colour": COLOUR_NAMES[c], "size": SIZE_NAMES[s],
                   "position": POSITION_NAMES[p]} for k, c, s, p in zip(labels, colour, size_idx, pos)]
    captions = [f"a {a['size']} {a['colour']} {a['shape']} at the {a['position']}" for a in attributes]
    return X.astype(np.float32, copy=False), labels, captions, attributes


def load_shapes(n_train: int = 4000, n_test: int = 1000, size: int = 32, seed: int = 0) -> Dataset:
    """합성 RGB 도형 10 class. X float32 (N, 3, size, size) [0, 1], y int64 0..9 (`SHAPE_NAMES` 순서).

    이미지마다 무작위로: 색 8가지(`COLOUR_NAMES`), 크기 3가지(`SIZE_NAMES`), 위치 3×3 격자 9곳(`POSITION_NAMES`,
    약간의 jitter), 어둡고 noise가 있는 배경. 도형이 회전하지 않으므로 plus / cross, square / diamond,
    가로 / 세로 막대가 서로 구별된다. class는 고르게(개수 차이 ≤ 1) 나뉜다.

    `info["captions_train"/"captions_test"]`: 영어 caption ("a large red circle at the top left"),
    `info["attributes_train"/"attributes_test"]`: {shape, colour, size, position} dict 목록 (CLIP 장의 text 쪽 입력).
    train과 test는 seed에서 갈라진 서로 다른 난수열로 만들므로 n_test를 바꿔도 train은 그대로다.
    """
    check_positive_int("n_train", n_train)
    check_positive_int("n_test", n_test)
    check_positive_int("size", size, minimum=16)
    train_rng, test_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    X_train, y_train, cap_train, att_train = _render_shapes(n_train, size, train_rng)
    X_test, y_test, cap_test, att_test = _render_shapes(n_test, size, test_rng)
    info = {"class_names": list(SHAPE_NAMES), "colour_names": list(COLOUR_NAMES), "size_names": list(SIZE_NAMES),
            "position_names": list(POSITION_NAMES),
            "captions_train": cap_train, "captions_test": cap_test,
            "attributes_train": att_train, "attributes_test": att_test}
    return Dataset("shapes", X_train, y_train, X_test, y_test, info)


# ---------------------------------------------------------------------------------------------------------
# 이미지 전처리와 augmentation (NumPy): 채널 표준화, 무작위 crop + 좌우 뒤집기
# ---------------------------------------------------------------------------------------------------------

def _check_images(X, name: str) -> None:
    if not isinstance(X, np.ndarray) or X.ndim != 4:
        raise ValueError(f"{name}는 (N, C, H, W) 4차원 NumPy 배열이어야 합니다: "
                         f"받은 {type(X).__name__} shape {getattr(X, 'shape', None)}")
    if not np.issubdtype(X.dtype, np.floating):
        raise ValueError(f"{name}는 실수(float) 배열이어야 합니다: dtype={X.dtype}")


def channel_standardize(X_train: np.ndarray, X_test: np.ndarray, eps: float = 1e-8):
    """채널마다 train의 평균·표준편차로 두 배열을 표준화한다. (X_train, X_test, mean, std), 모두 float32.

    mean, std: (C,). test 통계는 쓰지 않는다 (test 정보가 학습에 새지 않도록).
    """
    _check_images(X_train, "X_train")
    _check_images(X_test, "X_test")
    if X_train.shape[1:] != X_test.shape[1:]:
        raise ValueError(f"X_train과 X_test의 (C, H, W)가 다릅니다: {X_train.shape[1:]} vs {X_test.shape[1:]}")
    mean = X_train.mean(axis=(0, 2, 3), dtype=np.float64)                 # (C,)
    std = X_train.std(axis=(0, 2, 3), dtype=np.float64)                   # (C,)
    shift = mean[None, :, None, None]                                     # (1, C, 1, 1)
    scale = np.maximum(std, eps)[None, :, None, None]                     # (1, C, 1, 1)
    X_train = ((X_train - shift) / scale).astype(np.float32)
    X_test = ((X_test - shift) / scale).astype(np.float32)
    return X_train, X_test, mean.astype(np.float32), std.astype(np.float32)


def random_crop_flip_batches(images: np.ndarray, rng: np.random.Generator, pad: int = 4,
                             flip: bool = True) -> CropFlipBatches | np.ndarray:
    """한 epoch의 crop 위치와 뒤집기를 N장 모두 뽑고, 이미지는 mini-batch를 꺼낼 때 그 batch에만 자르고 뒤집는다.

    `utils.training.fit(augment=random_crop_flip_batches)`의 형태: 매 epoch 한 번 불리고, 돌려준 값을
    `batch = view[index]`로 indexing한다. 난수는 `random_crop_flip`과 똑같이 뽑는다 — offsets (N, 2), 그다음
    flip이면 (N,) — 그래서 같은 rng에서 `view[index]`는 `random_crop_flip(images, rng)[index]`와 bit 단위로 같다.
    pad=0, flip=False면 아무것도 뽑지 않고 입력을 그대로 돌려준다.
    """
    _check_images(images, "images")
    if pad < 0:
        raise ValueError(f"pad는 0 이상이어야 합니다: {pad}")
    if pad == 0 and not flip:
        return images
    n = len(images)
    offsets = rng.integers(0, 2 * pad + 1, size=(n, 2))                    # (N, 2): (top, left)
    flipped = rng.random(n) < 0.5 if flip else None                        # (N,) 뒤집을 이미지
    return CropFlipBatches(images, offsets, flipped, pad)


class CropFlipBatches:
    """미리 뽑은 crop 위치·뒤집기와 원본 이미지의 참조. `view[index]`가 그 이미지들만 잘라 (B, C, H, W)를 만든다.

    원본을 복사하지 않는다: epoch마다 새로 드는 메모리는 offsets (N, 2)와 flipped (N,), 그리고 꺼낸 batch뿐이다.
    """

    def __init__(self, images: np.ndarray, offsets: np.ndarray, flipped: np.ndarray | None, pad: int):
        self.images, self.offsets, self.flipped, self.pad = images, offsets, flipped, pad

    def __len__(self) -> int:
        return len(self.images)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.images.shape

    def __getitem__(self, index) -> np.ndarray:
        positions = np.arange(len(self.images))[index]                     # slice·정수 배열·bool mask → (B,)
        if positions.ndim != 1:
            raise ValueError(f"index는 slice나 1차원 정수 배열이어야 합니다: 받은 {type(index).__name__}")
        p = self.pad
        batch = self.images[positions]                                      # (B, C, H, W): 이 batch만 복사
        H, W = batch.shape[2:]
        padded = np.pad(batch, ((0, 0), (0, 0), (p, p), (p, p)))           # (B, C, H+2p, W+2p)
        offsets = self.offsets[positions]                                   # (B, 2)
        out = np.empty_like(batch)
        for top, left in {tuple(o) for o in offsets.tolist()}:             # crop 위치마다 한꺼번에
            idx = np.flatnonzero((offsets[:, 0] == top) & (offsets[:, 1] == left))
            out[idx] = padded[idx, :, top:top + H, left:left + W]
        if self.flipped is not None:
            flipped = self.flipped[positions]                               # (B,)
            out[flipped] = out[flipped][..., ::-1]                          # W 축을 거꾸로
        return out


def random_crop_flip(images: np.ndarray, rng: np.random.Generator, pad: int = 4, flip: bool = True) -> np.ndarray:
    """사방 `pad`픽셀 0 padding → 이미지마다 무작위 H×W crop → 확률 0.5로 좌우 뒤집기. (N, C, H, W) → 같은 shape.

    crop 위치는 (pad+1)² 가지이므로 위치가 같은 이미지끼리 한 번에 자른다. pad=0, flip=False면 입력을 그대로 돌려준다.
    0은 표준화된 입력에서 "평균 색"이다 (He et al.도 padding 뒤 crop). 전체를 한 번에 만든다: 학습 루프에서는
    N장을 복사하지 않는 `random_crop_flip_batches`를 쓴다 (같은 난수, 같은 결과).
    """
    view = random_crop_flip_batches(images, rng, pad, flip)
    return view if view is images else view[:]
