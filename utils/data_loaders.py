"""데이터 로더 — 모든 장이 같은 함수로 데이터를 받는다.

원칙: **기본은 내장(embedded), 실제(real) 데이터는 요청할 때만.**

- 내장 데이터셋(`EMBEDDED_DATASETS`)은 인터넷 없이 항상 된다. 코드로 생성하거나(synthetic regression,
  shapes, adding problem, copy task, 부정이 있는 감성 문장) 이미 설치된 패키지 안에 들어 있는 것을 읽는다
  (scikit-learn의 diabetes / breast_cancer / digits, Python 표준 라이브러리 소스 텍스트).
  모든 스크립트의 `--data` 기본값과 모든 테스트는 이쪽만 쓴다.
- 실제 데이터셋(`REAL_DATASETS`: MNIST, CIFAR-10, IMDB)은 `root` 폴더(CLI의 `--root`, 기본 `data/`)에서
  찾는다. 아무것도 import나 테스트 중에 내려받지 않는다: `download=True`(CLI의 `--download`)를 명시했을 때만
  torchvision이 받는다. 파일이 없고 받을 수도 없으면 `DatasetUnavailable`을 던지고, 그 메시지는
  무엇을 하면 되는지 한 문장으로 말한다 (`utils/training_utils.py`의 `cli`가 traceback 없이 출력).
- torch / torchvision / scikit-learn은 쓰는 함수 안에서 import한다. 이 모듈을 import해도 torch는 올라오지 않는다.

반환값은 `Dataset`(train/test split과 `info` dict) 하나로 통일한다. 예외는 `load_text_corpus`로, 문자열을 돌려준다.
split은 seed로 결정되며(같은 seed → 같은 split), 분류 데이터는 class 비율을 유지하는 stratified split이다.
test 크기는 scikit-learn `train_test_split`의 규칙대로 ceil(test_fraction · N)이다.

    from utils.data_loaders import load_dataset, standardize
    ds = load_dataset("digits", size=28)          # X_train (N, 1, 28, 28) float32
    Xtr, Xte, mean, std = standardize(ds.X_train.reshape(len(ds.X_train), -1), ds.X_test.reshape(len(ds.X_test), -1))
"""
from __future__ import annotations

import os
import pickle
import sysconfig
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


class DatasetUnavailable(RuntimeError):
    """실제 데이터셋이 없고 받을 수도 없을 때. 메시지는 무엇을 하면 되는지 한 문장으로 (경로, --download 등)."""


@dataclass(repr=False)
class Dataset:
    """train/test split 한 벌. X는 `np.ndarray`(텍스트 데이터셋이면 `list[str]`), y는 `np.ndarray`.

    `info`에는 데이터셋마다 필요한 것이 들어간다: `feature_names`, `class_names`, `true_w`, `true_b`,
    `captions_train` / `captions_test`, `attributes_train` / `attributes_test` 등.
    """

    name: str
    X_train: np.ndarray | list
    y_train: np.ndarray
    X_test: np.ndarray | list
    y_test: np.ndarray
    info: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        # 기본 dataclass repr은 배열·문장 목록 전체를 찍으므로 shape / dtype / 길이만 요약한다.
        def brief(a):
            if isinstance(a, np.ndarray):
                return f"array{a.shape} {a.dtype}"
            return f"list[{len(a)}]"

        return (f"Dataset(name={self.name!r}, X_train={brief(self.X_train)}, y_train={brief(self.y_train)}, "
                f"X_test={brief(self.X_test)}, y_test={brief(self.y_test)}, info_keys={sorted(self.info)})")


# ---------------------------------------------------------------------------------------------------------
# 공통 도우미
# ---------------------------------------------------------------------------------------------------------

def _check_fraction(test_fraction: float) -> None:
    if not 0.0 < float(test_fraction) < 1.0:
        raise ValueError(f"test_fraction은 0과 1 사이(양 끝 제외)여야 합니다: test_fraction={test_fraction}")


def _check_positive_int(name: str, value, minimum: int = 1) -> None:
    if int(value) != value or value < minimum:
        raise ValueError(f"{name}은(는) {minimum} 이상의 정수여야 합니다: {name}={value}")


def _split(X, y, test_fraction: float, seed: int, stratify: bool):
    """scikit-learn `train_test_split`으로 결정적인 split (분류면 stratify=y)."""
    from sklearn.model_selection import train_test_split

    _check_fraction(test_fraction)
    return train_test_split(X, y, test_size=test_fraction, random_state=seed, stratify=y if stratify else None)


def standardize(X_train, X_test, eps: float = 1e-12):
    """feature별 표준화 (x − mean) / std. 통계량은 **train에서만** 구해 test에도 그대로 쓴다 (data leakage 방지).

    첫 축이 sample 축이다. 분산이 0인(상수) 열은 std를 1로 두어 0으로 나누지 않는다 (그 열은 0이 된다).
    반환: (X_train_std, X_test_std, mean, std). mean / std의 shape은 X_train.shape[1:].
    """
    X_train = np.asarray(X_train)
    X_test = np.asarray(X_test)
    if X_train.ndim < 1 or X_train.shape[0] < 1:
        raise ValueError(f"X_train은 sample이 1개 이상인 배열이어야 합니다: shape {X_train.shape}")
    if X_test.shape[1:] != X_train.shape[1:]:
        raise ValueError(f"X_test의 feature shape은 X_train과 같아야 합니다: "
                         f"{X_train.shape[1:]} vs {X_test.shape[1:]}")
    if not np.issubdtype(X_train.dtype, np.floating):
        X_train = X_train.astype(np.float64)
        X_test = X_test.astype(np.float64)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std < eps, 1.0, std).astype(mean.dtype)
    return (X_train - mean) / std, (X_test - mean) / std, mean, std


# ---------------------------------------------------------------------------------------------------------
# 내장 데이터셋: 표 데이터 (회귀 / 분류)
# ---------------------------------------------------------------------------------------------------------

def load_synthetic_regression(n_samples: int = 1000, n_features: int = 5, noise: float = 0.1,
                              test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """선형 회귀용 합성 데이터: y = X @ true_w + true_b + noise · ε,  X, ε ~ N(0, 1).

    정답 파라미터가 `info["true_w"]` (D,), `info["true_b"]` (float)에 있으므로 학습한 w, b와 바로 비교할 수 있다.
    noise가 σ이면 도달 가능한 최저 test MSE는 약 σ²이다. X, y 모두 float64.
    """
    _check_positive_int("n_features", n_features)
    _check_positive_int("n_samples", n_samples, minimum=2)
    if noise < 0:
        raise ValueError(f"noise는 0 이상이어야 합니다: noise={noise}")
    _check_fraction(test_fraction)
    rng = np.random.default_rng(seed)
    true_w = rng.normal(size=n_features)                                  # (D,)
    true_b = float(rng.normal())
    X = rng.normal(size=(n_samples, n_features))                          # (N, D)
    y = X @ true_w + true_b + noise * rng.normal(size=n_samples)          # (N,)
    X_train, X_test, y_train, y_test = _split(X, y, test_fraction, seed, stratify=False)
    info = {"true_w": true_w, "true_b": true_b, "noise": float(noise),
            "feature_names": [f"x{i}" for i in range(n_features)]}
    return Dataset("synthetic", X_train, y_train, X_test, y_test, info)


def load_diabetes(test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """scikit-learn에 들어 있는 diabetes 회귀 데이터 (442 × 10, 1년 뒤 질병 진행 정도). float64, y (N,).

    feature는 scikit-learn이 이미 평균 0, 제곱합 1로 맞춰 둔 값(scaled=True)이다.
    """
    from sklearn import datasets

    raw = datasets.load_diabetes()
    X = raw.data.astype(np.float64)                                       # (442, 10)
    y = raw.target.astype(np.float64)                                     # (442,)
    X_train, X_test, y_train, y_test = _split(X, y, test_fraction, seed, stratify=False)
    info = {"feature_names": list(raw.feature_names), "target_name": "disease progression after one year"}
    return Dataset("diabetes", X_train, y_train, X_test, y_test, info)


def load_breast_cancer(test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """scikit-learn에 들어 있는 Wisconsin breast cancer 이진 분류 (569 × 30). X float64, y int64.

    label은 scikit-learn 그대로 0 = malignant, 1 = benign (`info["class_names"]`). stratified split.
    """
    from sklearn import datasets

    raw = datasets.load_breast_cancer()
    X = raw.data.astype(np.float64)                                       # (569, 30)
    y = raw.target.astype(np.int64)                                       # (569,)
    X_train, X_test, y_train, y_test = _split(X, y, test_fraction, seed, stratify=True)
    info = {"feature_names": list(raw.feature_names), "class_names": [str(c) for c in raw.target_names]}
    return Dataset("breast_cancer", X_train, y_train, X_test, y_test, info)


# ---------------------------------------------------------------------------------------------------------
# 내장 데이터셋: digits (8×8 → 28×28 / 32×32)
# ---------------------------------------------------------------------------------------------------------

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
    _check_fraction(test_fraction)
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
    X_train, X_test, y_train, y_test = _split(X, y, test_fraction, seed, stratify=True)
    info = {"class_names": [str(d) for d in range(10)], "size": size}
    return Dataset("digits", X_train, y_train, X_test, y_test, info)


# ---------------------------------------------------------------------------------------------------------
# 내장 데이터셋: shapes (합성 RGB 도형 + 영어 caption — CNN 분류와 CLIP 장에서 쓴다)
# ---------------------------------------------------------------------------------------------------------

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
    _check_positive_int("n_train", n_train)
    _check_positive_int("n_test", n_test)
    _check_positive_int("size", size, minimum=16)
    train_rng, test_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    X_train, y_train, cap_train, att_train = _render_shapes(n_train, size, train_rng)
    X_test, y_test, cap_test, att_test = _render_shapes(n_test, size, test_rng)
    info = {"class_names": list(SHAPE_NAMES), "colour_names": list(COLOUR_NAMES), "size_names": list(SIZE_NAMES),
            "position_names": list(POSITION_NAMES),
            "captions_train": cap_train, "captions_test": cap_test,
            "attributes_train": att_train, "attributes_test": att_test}
    return Dataset("shapes", X_train, y_train, X_test, y_test, info)


# ---------------------------------------------------------------------------------------------------------
# 내장 데이터셋: 순차 과제 (RNN / LSTM / Transformer 장)
# ---------------------------------------------------------------------------------------------------------

def _adding_split(n: int, T: int, rng: np.random.Generator):
    values = rng.uniform(0.0, 1.0, (n, T)).astype(np.float32)             # (N, T) channel 0
    first = rng.integers(0, T // 2, n)                                    # 앞쪽 절반 [0, T//2)
    second = rng.integers(T // 2, T, n)                                   # 뒤쪽 절반 [T//2, T)
    marker = np.zeros((n, T), dtype=np.float32)                           # (N, T) channel 1
    rows = np.arange(n)
    marker[rows, first] = 1.0
    marker[rows, second] = 1.0
    X = np.stack([values, marker], axis=-1)                               # (N, T, 2)
    y = values[rows, first] + values[rows, second]                        # (N,)
    return X, y.astype(np.float32)


def load_adding_problem(n_train: int = 10000, n_test: int = 1000, seq_len: int = 100, seed: int = 0) -> Dataset:
    """Adding problem (Hochreiter & Schmidhuber 1997, 실험 4; Le, Jaitly & Hinton 2015의 형태).

    X float32 (N, T, 2): channel 0은 uniform[0, 1) 값, channel 1은 marker로 정확히 두 곳만 1이다
    (하나는 앞쪽 절반 [0, T//2), 하나는 뒤쪽 절반 [T//2, T)). 정답 y float32 (N,) = 표시된 두 값의 합.
    먼 과거의 값을 기억해야 하므로 T가 길수록 vanilla RNN이 어려워진다.

    기준선: 항상 1.0을 예측하면 MSE = Var(U1 + U2) = 2 · (1/12) = 1/6 ≈ 0.167.
    모델이 이 값보다 확실히 낮아야 "배웠다"고 말할 수 있다.
    """
    _check_positive_int("n_train", n_train)
    _check_positive_int("n_test", n_test)
    _check_positive_int("seq_len", seq_len, minimum=2)
    train_rng, test_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    X_train, y_train = _adding_split(n_train, seq_len, train_rng)
    X_test, y_test = _adding_split(n_test, seq_len, test_rng)
    info = {"seq_len": seq_len, "baseline_mse": 1.0 / 6.0}
    return Dataset("adding", X_train, y_train, X_test, y_test, info)


def load_copy_task(n_train: int = 5000, n_test: int = 500, seq_len: int = 10, vocab_size: int = 8,
                   reverse: bool = False, seed: int = 0) -> Dataset:
    """Copy task: 입력 token 열을 그대로(`reverse=True`면 뒤집어) 출력한다. X, y int64 (N, T).

    token은 1..vocab_size−1에서 고르게 뽑는다. **0은 padding / blank용으로 비워 둔다** — 지연 copy나
    seq2seq 형태로 바꿀 때 "아직 출력할 때가 아님" 표시나 padding으로 쓸 수 있다. 따라서 vocab_size ≥ 2.
    무작위로 맞히면 token 정확도는 1 / (vocab_size − 1).
    """
    _check_positive_int("n_train", n_train)
    _check_positive_int("n_test", n_test)
    _check_positive_int("seq_len", seq_len)
    _check_positive_int("vocab_size", vocab_size, minimum=2)
    train_rng, test_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))

    def make(n, rng):
        X = rng.integers(1, vocab_size, (n, seq_len)).astype(np.int64)  # (N, T), 0은 안 나온다
        y = X[:, ::-1].copy() if reverse else X.copy()                    # (N, T)
        return X, y

    X_train, y_train = make(n_train, train_rng)
    X_test, y_test = make(n_test, test_rng)
    info = {"vocab_size": vocab_size, "pad_id": 0, "reverse": bool(reverse), "seq_len": seq_len}
    return Dataset("copy", X_train, y_train, X_test, y_test, info)


# ---------------------------------------------------------------------------------------------------------
# 내장 데이터셋: 텍스트 (문자 단위 language model)
# ---------------------------------------------------------------------------------------------------------

# 영어 docstring과 주석이 많은 순수 Python 표준 라이브러리 모듈. 이 순서대로 이어 붙인다.
# (this.py는 rot13이라, shlex.py는 라틴 문자 표가 있어 뺐다.)
TEXT_CORPUS_MODULES = ("textwrap", "argparse", "difflib", "heapq", "statistics", "fractions",
                       "contextlib", "functools", "pprint", "queue")


def load_text_corpus(max_chars: int | None = None) -> str:
    """설치된 Python 표준 라이브러리의 소스 텍스트 (`TEXT_CORPUS_MODULES`를 순서대로, 빈 줄 두 개로 이어 붙임).

    `sysconfig.get_paths()["stdlib"]` 아래의 `<module>.py`를 읽는다. 같은 Python 설치에서는 항상 같은 문자열이다
    (Python 버전이 다르면 내용도 다르다). 대략 40만 자. 없는 모듈은 건너뛰고, 하나도 없으면 DatasetUnavailable.
    `max_chars`를 주면 앞에서부터 그만큼만 돌려준다.
    """
    if max_chars is not None:
        _check_positive_int("max_chars", max_chars)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    parts = []
    for module in TEXT_CORPUS_MODULES:
        path = stdlib / f"{module}.py"
        if path.is_file():
            parts.append(path.read_text(encoding="utf-8"))
    if not parts:
        raise DatasetUnavailable(f"표준 라이브러리 소스({', '.join(m + '.py' for m in TEXT_CORPUS_MODULES[:3])} 등)가 "
                                 f"{stdlib}에 없으니 .py 소스가 포함된 일반 Python 설치에서 실행하세요.")
    text = "\n\n".join(parts)
    return text if max_chars is None else text[:max_chars]


def char_vocab(text: str) -> tuple[list[str], dict[str, int]]:
    """문자 단위 vocabulary: (정렬된 고유 문자 목록 itos, 문자 → index dict stoi)."""
    if len(text) == 0:
        raise ValueError("text가 비어 있어 vocabulary를 만들 수 없습니다")
    itos = sorted(set(text))
    return itos, {c: i for i, c in enumerate(itos)}


# ---------------------------------------------------------------------------------------------------------
# 내장 데이터셋: 부정(negation)과 역접(but)이 있는 짧은 감성 문장 (LSTM / GRU 장)
# ---------------------------------------------------------------------------------------------------------

SENTIMENT_POSITIVE = ("good", "great", "excellent", "wonderful", "fun", "brilliant", "charming", "moving")
SENTIMENT_NEGATIVE = ("bad", "awful", "boring", "terrible", "dull", "weak", "painful", "bland")
_SENTIMENT_SUBJECTS = ("the movie", "the film", "the plot", "the acting", "the story", "the music", "the ending",
                       "the cast", "this show", "the script")
_SENTIMENT_VERBS = ("was", "is", "felt", "seemed")
_SENTIMENT_NEGATIONS = ("not", "never", "hardly")
_SENTIMENT_INTENSIFIERS = ("", "", "very", "really", "quite")


def _sentiment_clause(polarity: int, rng: np.random.Generator) -> str:
    """극성 polarity(+1 / −1)를 갖는 절 하나: 형용사의 극성 × (부정이면 −1)."""
    negated = bool(rng.integers(2))
    adjective_sign = -polarity if negated else polarity
    adjectives = SENTIMENT_POSITIVE if adjective_sign > 0 else SENTIMENT_NEGATIVE
    words = [_SENTIMENT_SUBJECTS[rng.integers(len(_SENTIMENT_SUBJECTS))],
             _SENTIMENT_VERBS[rng.integers(len(_SENTIMENT_VERBS))]]
    if negated:
        words.append(_SENTIMENT_NEGATIONS[rng.integers(len(_SENTIMENT_NEGATIONS))])
    words.append(_SENTIMENT_INTENSIFIERS[rng.integers(len(_SENTIMENT_INTENSIFIERS))])
    words.append(adjectives[rng.integers(len(adjectives))])
    return " ".join(w for w in words if w)


def _sentiment_split(n: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    labels = rng.permutation(np.arange(n) % 2).astype(np.int64)          # pos / neg를 반씩
    texts = []
    for label in labels:
        polarity = 1 if label == 1 else -1
        if rng.integers(2):                                               # 절 하나
            texts.append(_sentiment_clause(polarity, rng))
        else:                                                             # "A but B": 뒤 절 B가 문장의 극성
            texts.append(f"{_sentiment_clause(-polarity, rng)} but {_sentiment_clause(polarity, rng)}")
    return texts, labels


def load_negation_sentiment(n_train: int = 4000, n_test: int = 1000, seed: int = 0) -> Dataset:
    """부정과 역접 때문에 **단어 순서가 중요한** 짧은 영어 감성 문장 (생성). X list[str], y int64 (1 = pos).

    문장은 절 하나("the plot was not very good" → neg)이거나 "A but B"(극성이 반대인 두 절, 문장의 극성은 뒤 절 B)다.
    절의 극성 = 형용사의 극성 × (not / never / hardly가 있으면 −1). 형용사 극성과 부정 여부를 반반씩 고르므로
    **어떤 단어도 혼자서는 label과 무관하다**: "good"도 "not"도 pos와 neg에 같은 확률로 나온다. 그래서 단어의
    유무만 보는 bag-of-words 선형 모델은 우연(50%) 근처에 머물고, 순서를 읽는 모델(RNN / LSTM)은 거의 100%까지 간다.
    label은 pos / neg 반반. train과 test는 seed에서 갈라진 서로 다른 난수열로 만든다 (`load_imdb`와 같은 형식).
    """
    _check_positive_int("n_train", n_train)
    _check_positive_int("n_test", n_test)
    train_rng, test_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    X_train, y_train = _sentiment_split(n_train, train_rng)
    X_test, y_test = _sentiment_split(n_test, test_rng)
    info = {"class_names": ["neg", "pos"], "positive_words": list(SENTIMENT_POSITIVE),
            "negative_words": list(SENTIMENT_NEGATIVE), "negations": list(_SENTIMENT_NEGATIONS)}
    return Dataset("sentiment", X_train, y_train, X_test, y_test, info)


# ---------------------------------------------------------------------------------------------------------
# 실제 데이터셋 (root 폴더에서 읽기, download=True일 때만 torchvision이 받는다)
# ---------------------------------------------------------------------------------------------------------

_MNIST_RAW_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def _short(error: BaseException) -> str:
    """예외 메시지의 첫 줄 (한 문장 메시지에 넣기 위해)."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _torchvision_datasets(dataset: str):
    """torchvision.datasets를 필요할 때만 import한다 (없으면 한 문장으로 안내)."""
    try:
        from torchvision import datasets
    except ImportError as error:
        raise DatasetUnavailable(f"{dataset}를 읽거나 받으려면 torchvision이 필요하니 "
                                 f"`pip install torchvision` 후 다시 실행하세요.") from error
    return datasets


def load_mnist(root: str | os.PathLike = "data", download: bool = False) -> Dataset:
    """MNIST (LeCun et al. 1998): 60000 / 10000장, X float32 (N, 1, 28, 28) [0, 1], y int64.

    `torchvision.datasets.MNIST`로 읽는다. torchvision은 `<root>/MNIST/raw/` 아래에 압축을 푼 idx 파일 4개
    (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte)가
    **있는지만** 확인하고(MD5는 내려받을 때의 .gz에만 검사) 그대로 읽는다.
    """
    raw = Path(root) / "MNIST" / "raw"
    legacy = Path(root) / "MNIST" / "processed"
    have_raw = all((raw / name).is_file() for name in _MNIST_RAW_FILES)
    have_legacy = all((legacy / name).is_file() for name in ("training.pt", "test.pt"))
    if not download and not (have_raw or have_legacy):
        raise DatasetUnavailable(f"MNIST가 {raw}에 없습니다. 인터넷이 되면 --download를 붙여 다시 실행하세요.")
    datasets = _torchvision_datasets("MNIST")
    try:
        train = datasets.MNIST(os.fspath(root), train=True, download=download)
        test = datasets.MNIST(os.fspath(root), train=False, download=download)
    except (RuntimeError, OSError) as error:                # 오프라인이면 URLError(OSError) / RuntimeError
        raise DatasetUnavailable(f"MNIST를 {raw}에 받지 못했습니다({_short(error)}): 인터넷 연결을 확인하거나 "
                                 f"idx 파일 4개를 직접 그 폴더에 넣으세요.") from error
    except (AssertionError, ValueError, TypeError) as error:              # idx 파일 형식이 깨졌을 때
        raise DatasetUnavailable(f"{raw}의 MNIST 파일이 손상되었으니 지우고 --download로 다시 받으세요 "
                                 f"({_short(error)}).") from error

    def arrays(split):
        X = split.data.numpy().astype(np.float32)[:, None, :, :] / np.float32(255)  # (N, 1, 28, 28)
        return X, split.targets.numpy().astype(np.int64)

    X_train, y_train = arrays(train)
    X_test, y_test = arrays(test)
    info = {"class_names": [str(d) for d in range(10)], "root": os.fspath(root)}
    return Dataset("mnist", X_train, y_train, X_test, y_test, info)


CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
_CIFAR10_FOLDER = "cifar-10-batches-py"
_CIFAR10_TRAIN = tuple(f"data_batch_{i}" for i in range(1, 6))
_CIFAR10_FILES = _CIFAR10_TRAIN + ("test_batch", "batches.meta")


def _unpickle(path: Path) -> dict:
    """CIFAR-10 python 배치 하나. 원본은 Python 2 pickle이라 latin1로 읽고, key가 bytes면 str로 바꾼다."""
    with open(path, "rb") as f:
        entry = pickle.load(f, encoding="latin1")
    return {(k.decode("latin1") if isinstance(k, bytes) else k): v for k, v in entry.items()}


def _read_cifar_batches(folder: Path, names) -> tuple[np.ndarray, np.ndarray]:
    X, y = [], []
    for name in names:
        entry = _unpickle(folder / name)
        data = np.asarray(entry["data"], dtype=np.uint8)                  # (n, 3072): R 1024, G 1024, B 1024 (행 우선)
        X.append(data.reshape(len(data), 3, 32, 32))                      # (n, 3, 32, 32)
        y.append(np.asarray(entry["labels"], dtype=np.int64))
    return np.concatenate(X).astype(np.float32) / np.float32(255), np.concatenate(y)


def load_cifar10(root: str | os.PathLike = "data", download: bool = False) -> Dataset:
    """CIFAR-10 (Krizhevsky 2009): 50000 / 10000장, X float32 (N, 3, 32, 32) [0, 1], y int64.

    `<root>/cifar-10-batches-py/`의 표준 python pickle 배치(data_batch_1..5, test_batch, batches.meta)를 직접 읽는다.
    `download=True`면 먼저 `torchvision.datasets.CIFAR10(download=True)`가 받아 MD5까지 확인한다.
    (torchvision으로 바로 읽지 않는 이유: 그쪽은 읽을 때마다 모든 파일의 MD5를 검사해 작은 test 파일을 거부한다.)
    """
    folder = Path(root) / _CIFAR10_FOLDER
    if download:
        datasets = _torchvision_datasets("CIFAR-10")
        try:
            datasets.CIFAR10(os.fspath(root), train=False, download=True)   # 받고 MD5 확인 (test 배치만 읽는다)
        except (RuntimeError, OSError) as error:
            raise DatasetUnavailable(f"CIFAR-10을 {folder}에 받지 못했습니다({_short(error)}): 인터넷 연결을 "
                                     f"확인하거나 cifar-10-python.tar.gz를 {root}에 직접 풀어 넣으세요.") from error
    missing = [name for name in _CIFAR10_FILES if not (folder / name).is_file()]
    if missing:
        raise DatasetUnavailable(f"CIFAR-10이 {folder}에 없습니다({', '.join(missing)} 없음). "
                                 f"인터넷이 되면 --download를 붙여 다시 실행하세요.")
    X_train, y_train = _read_cifar_batches(folder, _CIFAR10_TRAIN)
    X_test, y_test = _read_cifar_batches(folder, ("test_batch",))
    meta = _unpickle(folder / "batches.meta")
    names = meta.get("label_names", CIFAR10_CLASSES)
    class_names = [n.decode("latin1") if isinstance(n, bytes) else str(n) for n in names]
    info = {"class_names": class_names, "root": os.fspath(root)}
    return Dataset("cifar10", X_train, y_train, X_test, y_test, info)


def _read_imdb_split(folder: Path) -> tuple[list[str], np.ndarray]:
    texts, labels = [], []
    for label, sub in ((0, "neg"), (1, "pos")):
        for path in sorted((folder / sub).glob("*.txt")):                # 이름 순서 → 결정적
            texts.append(path.read_text(encoding="utf-8"))
            labels.append(label)
    return texts, np.asarray(labels, dtype=np.int64)


def load_imdb(root: str | os.PathLike = "data") -> Dataset:
    """IMDB 영화평 감성 분류 (Maas et al. 2011, aclImdb v1): 25000 / 25000개 리뷰. X list[str], y int64 (1 = pos).

    표준 폴더 구조 `<root>/aclImdb/{train,test}/{pos,neg}/*.txt`를 읽는다: split마다 neg 다음 pos, 각 폴더 안은
    파일 이름 순서. 텍스트는 그대로 돌려준다(`<br />` 같은 HTML 태그 정리는 쓰는 쪽에서). 내려받기는 지원하지 않는다.
    """
    base = Path(root) / "aclImdb"
    folders = [base / split / sub for split in ("train", "test") for sub in ("pos", "neg")]
    empty = [f for f in folders if not f.is_dir() or next(f.glob("*.txt"), None) is None]
    if empty:
        raise DatasetUnavailable(f"IMDB가 {base}에 없습니다({empty[0]}에 .txt가 없음): "
                                 f"https://ai.stanford.edu/~amaas/data/sentiment/ 의 aclImdb_v1.tar.gz를 "
                                 f"{Path(root)}에 풀어 {base}/train/pos 등이 생기게 하세요.")
    X_train, y_train = _read_imdb_split(base / "train")
    X_test, y_test = _read_imdb_split(base / "test")
    info = {"class_names": ["neg", "pos"], "root": os.fspath(root)}
    return Dataset("imdb", X_train, y_train, X_test, y_test, info)



def load_features(name: str, seed: int = 0, root: str | os.PathLike = "data", download: bool = False,
                  standardized: bool = True, max_train: int | None = None, max_test: int | None = None) -> Dataset:
    """표(벡터) 입력을 쓰는 장(01, 02)의 데이터: X를 float64 (N, D)로 펴고, train 통계로 표준화한다.

    실제 데이터셋(mnist 등)은 `root`/`download`로, 내장 데이터는 `seed`로 읽는다. 이미지는 (N, H·W)로 펴진다.
    `max_train`/`max_test`는 표준화 전에 앞쪽 일부만 남긴다 (--quick에서 큰 데이터셋을 줄일 때).
    synthetic 회귀처럼 참 가중치와 비교하려면 `standardized=False`.
    """
    from utils.training_utils import check_finite

    data = load_dataset(name, root=root, download=download) if name in REAL_DATASETS else load_dataset(name, seed=seed)
    X_train = np.asarray(data.X_train, dtype=np.float64).reshape(len(data.X_train), -1)   # (N, D)
    X_test = np.asarray(data.X_test, dtype=np.float64).reshape(len(data.X_test), -1)      # (M, D)
    y_train, y_test = data.y_train[:max_train], data.y_test[:max_test]
    X_train, X_test = X_train[:max_train], X_test[:max_test]
    check_finite(X_train=X_train, X_test=X_test)
    if standardized:
        X_train, X_test, _, _ = standardize(X_train, X_test)                               # 통계는 train에서만
    return Dataset(data.name, X_train, y_train, X_test, y_test, dict(data.info))


# ---------------------------------------------------------------------------------------------------------
# CNN 장이 함께 쓰는 이미지 도구: 32×32 숫자 이미지와 이동(shift) augmentation
# ---------------------------------------------------------------------------------------------------------

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

# ---------------------------------------------------------------------------------------------------------
# VAE 장이 쓰는 이진 이미지: (N, D)로 펴고 고정 threshold로 0/1
# ---------------------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------------------
# 이름으로 고르기
# ---------------------------------------------------------------------------------------------------------

EMBEDDED_DATASETS: dict[str, Callable] = {
    "synthetic": load_synthetic_regression,
    "diabetes": load_diabetes,
    "breast_cancer": load_breast_cancer,
    "digits": load_digits,
    "shapes": load_shapes,
    "adding": load_adding_problem,
    "copy": load_copy_task,
    "text": load_text_corpus,
    "sentiment": load_negation_sentiment,
}
REAL_DATASETS: dict[str, Callable] = {
    "mnist": load_mnist,
    "cifar10": load_cifar10,
    "imdb": load_imdb,
}


def load_dataset(name: str, **kwargs) -> Dataset | str:
    """이름으로 로더를 골라 kwargs를 넘긴다. "text"만 str을 돌려주고 나머지는 `Dataset`."""
    loaders = {**EMBEDDED_DATASETS, **REAL_DATASETS}
    if name not in loaders:
        raise ValueError(f"알 수 없는 데이터셋 {name!r}: {', '.join(sorted(loaders))} 중 하나를 고르세요")
    return loaders[name](**kwargs)
