"""utils.datasets 검증: 내장 데이터셋(shape / dtype / 값 범위 / 결정성 / split / 과제의 정의)과
실제 데이터셋 로더(테스트가 tmp_path에 진짜 형식으로 쓴 작은 파일을 읽는다 — 아무것도 내려받지 않는다)."""
import inspect
import math
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import sklearn.datasets

from utils.datasets import (
    DATASETS,
    EMBEDDED_DATASETS,
    REAL_DATASETS,
    Dataset,
    DatasetUnavailable,
    channel_standardize,
    char_vocab,
    describe,
    load_adding_problem,
    load_breast_cancer,
    load_cifar10,
    load_dataset,
    load_diabetes,
    load_digits,
    load_english_prose,
    load_features,
    load_imagenette,
    load_imdb,
    load_korean_prose,
    load_mnist,
    load_negation_sentiment,
    load_shapes,
    load_synthetic_regression,
    load_text_corpus,
    random_crop_flip,
    standardize,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def sort_rows(a):
    """행들을 사전식으로 정렬 (중복 행이 있어도 multiset 비교가 되도록)."""
    a = np.asarray(a).reshape(len(a), -1)
    return a[np.lexsort(a.T[::-1])]


def assert_partition(ds, full_X):
    """train ∪ test가 원본 전체와 multiset으로 같다 = 겹치지도 빠지지도 않은 split."""
    joined = np.concatenate([np.asarray(ds.X_train).reshape(len(ds.X_train), -1),
                             np.asarray(ds.X_test).reshape(len(ds.X_test), -1)])
    np.testing.assert_array_equal(sort_rows(joined), sort_rows(full_X))


def assert_stratified(ds, test_fraction):
    """class마다 test 개수가 test_fraction · (그 class 전체)에서 1개 넘게 벗어나지 않는다."""
    total = np.bincount(np.concatenate([ds.y_train, ds.y_test]))
    in_test = np.bincount(ds.y_test, minlength=len(total))
    assert np.all(np.abs(in_test - test_fraction * total) <= 1.0), (in_test, total)


# ---------------------------------------------------------------------------------------------------------
# import 정책
# ---------------------------------------------------------------------------------------------------------

def test_import_does_not_load_torch_or_sklearn():
    code = ("import sys, utils.datasets; "
            "print(sorted(m for m in ('torch', 'torchvision', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------------------------
# standardize
# ---------------------------------------------------------------------------------------------------------

def test_standardize_uses_train_statistics_only():
    rng = np.random.default_rng(1)
    X_train = rng.normal(3.0, 2.0, size=(50, 4))
    X_test = rng.normal(-1.0, 5.0, size=(20, 4))
    Xtr, Xte, mean, std = standardize(X_train, X_test)
    np.testing.assert_allclose(Xtr.mean(0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Xtr.std(0), 1.0, rtol=1e-12)
    # test는 train의 평균 / 표준편차로 변환된다 (test 자신의 통계량이면 평균이 0이 될 것)
    manual = (X_test - X_train.mean(axis=0)) / X_train.std(axis=0)
    np.testing.assert_allclose(Xte, manual, rtol=1e-12)
    assert np.all(np.abs(Xte.mean(0)) > 0.5)
    np.testing.assert_allclose(mean, X_train.mean(0))
    np.testing.assert_allclose(std, X_train.std(0))


def test_standardize_constant_column_gets_std_one():
    X_train = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    X_test = np.array([[4.0, 7.0]])
    Xtr, Xte, _, std = standardize(X_train, X_test)
    assert std[1] == 1.0
    assert np.all(np.isfinite(Xtr)) and np.all(Xtr[:, 1] == 0.0)
    assert Xte[0, 1] == 2.0                                               # (7 − 5) / 1


def test_standardize_refuses_mismatched_features():
    with pytest.raises(ValueError, match="feature shape"):
        standardize(np.zeros((3, 2)), np.zeros((3, 5)))


# ---------------------------------------------------------------------------------------------------------
# 표 데이터
# ---------------------------------------------------------------------------------------------------------

def test_synthetic_regression_shapes_and_split():
    ds = load_synthetic_regression(n_samples=200, n_features=3, test_fraction=0.25, seed=4)
    assert isinstance(ds, Dataset)
    assert ds.X_train.shape == (150, 3) and ds.X_test.shape == (50, 3)
    assert ds.y_train.shape == (150,) and ds.y_test.shape == (50,)
    assert ds.X_train.dtype == ds.y_train.dtype == np.float64
    assert ds.info["true_w"].shape == (3,) and isinstance(ds.info["true_b"], float)
    # 연속값 표본이라 같은 행이 두 번 나올 수 없다: train과 test가 한 행도 공유하지 않아야 한다
    train_rows = {tuple(r) for r in ds.X_train}
    assert len(train_rows) == 150 and not train_rows & {tuple(r) for r in ds.X_test}


def test_synthetic_regression_follows_its_formula():
    exact = load_synthetic_regression(n_samples=100, n_features=4, noise=0.0, seed=2)
    w, b = exact.info["true_w"], exact.info["true_b"]
    np.testing.assert_allclose(exact.y_train, exact.X_train @ w + b, rtol=1e-12)
    np.testing.assert_allclose(exact.y_test, exact.X_test @ w + b, rtol=1e-12)

    noisy = load_synthetic_regression(n_samples=5000, n_features=4, noise=0.3, seed=2)
    resid = noisy.y_train - noisy.X_train @ noisy.info["true_w"] - noisy.info["true_b"]
    # 표본 표준편차의 표준오차 ≈ σ / sqrt(2N) = 0.3 / sqrt(8000) ≈ 0.0034 → 5σ 허용
    assert abs(resid.std() - 0.3) < 5 * 0.3 / math.sqrt(2 * len(resid))
    # least squares가 정답 w, b를 되찾는다 (오차의 표준편차 ≈ σ / sqrt(N) ≈ 0.005)
    A = np.hstack([noisy.X_train, np.ones((len(noisy.X_train), 1))])
    coef = np.linalg.lstsq(A, noisy.y_train, rcond=None)[0]
    np.testing.assert_allclose(coef[:-1], noisy.info["true_w"], atol=0.03)
    assert abs(coef[-1] - noisy.info["true_b"]) < 0.03


def test_synthetic_regression_is_deterministic():
    a, b = load_synthetic_regression(seed=7), load_synthetic_regression(seed=7)
    c = load_synthetic_regression(seed=8)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train)


def test_diabetes_is_a_partition_of_sklearn_data():
    raw = sklearn.datasets.load_diabetes()
    ds = load_diabetes(test_fraction=0.2, seed=0)
    assert ds.X_train.dtype == ds.y_train.dtype == np.float64
    assert ds.X_train.shape[1] == 10 and ds.y_train.ndim == 1
    assert len(ds.X_test) == math.ceil(0.2 * 442) and len(ds.X_train) + len(ds.X_test) == 442
    assert_partition(ds, raw.data)
    # split 뒤에도 X와 y가 같은 행끼리 짝지어져 있다
    target_of = {tuple(r): t for r, t in zip(raw.data, raw.target)}
    assert all(target_of[tuple(r)] == t for r, t in zip(ds.X_test, ds.y_test))
    assert ds.info["feature_names"][:3] == ["age", "sex", "bmi"]


def test_breast_cancer_split_is_stratified_and_typed():
    raw = sklearn.datasets.load_breast_cancer()
    ds = load_breast_cancer(test_fraction=0.3, seed=1)
    assert ds.X_train.dtype == np.float64 and ds.y_train.dtype == np.int64
    assert set(np.unique(ds.y_train)) == {0, 1} and set(np.unique(ds.y_test)) == {0, 1}
    assert ds.X_train.shape[1] == 30 and len(ds.info["feature_names"]) == 30
    assert ds.info["class_names"] == ["malignant", "benign"]
    assert_partition(ds, raw.data)
    assert_stratified(ds, 0.3)
    other = load_breast_cancer(test_fraction=0.3, seed=2)
    assert not np.array_equal(ds.y_test, other.y_test) or not np.array_equal(ds.X_test, other.X_test)


# ---------------------------------------------------------------------------------------------------------
# digits
# ---------------------------------------------------------------------------------------------------------

def test_digits_8x8_values_and_split():
    raw = sklearn.datasets.load_digits()
    ds = load_digits(seed=3)
    assert ds.X_train.shape[1:] == (1, 8, 8) and ds.X_train.dtype == np.float32
    assert ds.y_train.dtype == np.int64 and ds.info["class_names"] == [str(d) for d in range(10)]
    assert ds.X_train.min() == 0.0 and ds.X_train.max() == 1.0
    assert len(ds.X_test) == math.ceil(0.2 * 1797)
    assert_partition(ds, (raw.images / 16.0).astype(np.float32))
    assert_stratified(ds, 0.2)
    flat = load_digits(seed=3, flatten=True)
    assert flat.X_train.shape == (len(ds.X_train), 64)
    np.testing.assert_array_equal(flat.X_train, ds.X_train.reshape(len(ds.X_train), 64))


def test_digits_split_is_deterministic():
    a, b, c = load_digits(seed=5), load_digits(seed=5), load_digits(seed=6)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.y_test, c.y_test)


def test_digits_28_and_32_are_padded_resized_digits():
    import torch
    import torch.nn.functional as F

    d8, d28, d32 = load_digits(size=8, seed=0), load_digits(size=28, seed=0), load_digits(size=32, seed=0)
    assert d28.X_train.shape[1:] == (1, 28, 28) and d32.X_train.shape[1:] == (1, 32, 32)
    assert d28.X_train.dtype == d32.X_train.dtype == np.float32
    np.testing.assert_array_equal(d8.y_train, d28.y_train)               # 같은 seed → 같은 split
    # 28: 바깥 4픽셀은 0, 가운데 20×20에 숫자가 있다 (MNIST 배치)
    border = np.ones((28, 28), dtype=bool)
    border[4:24, 4:24] = False
    assert np.all(d28.X_train[:, 0, border] == 0.0)
    assert np.all(d28.X_train[:, 0, 4:24, 4:24].max(axis=(1, 2)) > 0.3)
    assert 0.0 <= d28.X_train.min() and d28.X_train.max() <= 1.0
    # 32: 그 28×28에 2픽셀씩 더 붙인 것
    np.testing.assert_array_equal(d32.X_train[:, :, 2:30, 2:30], d28.X_train)
    assert np.all(d32.X_train[:, :, :6] == 0) and np.all(d32.X_train[:, :, :, -6:] == 0)
    # 가운데 20×20은 torch의 bilinear(align_corners=False)와 같은 보간이다
    ref = F.interpolate(torch.from_numpy(d8.X_train), size=(20, 20), mode="bilinear", align_corners=False)
    np.testing.assert_allclose(d28.X_train[:, :, 4:24, 4:24], ref.numpy(), atol=1e-6)
    # 그리고 다시 8×8로 줄이면 원래 숫자와 닮았다
    back = F.adaptive_avg_pool2d(torch.from_numpy(d28.X_train[:, :, 4:24, 4:24]), 8).numpy()
    a = back.reshape(len(back), -1) - back.reshape(len(back), -1).mean(1, keepdims=True)
    o = d8.X_train.reshape(len(back), -1) - d8.X_train.reshape(len(back), -1).mean(1, keepdims=True)
    corr = (a * o).sum(1) / np.sqrt((a * a).sum(1) * (o * o).sum(1))
    assert corr.mean() > 0.9 and corr.min() > 0.7


def test_digits_refuses_other_sizes():
    with pytest.raises(ValueError, match="8, 28, 32"):
        load_digits(size=16)


# ---------------------------------------------------------------------------------------------------------
# shapes
# ---------------------------------------------------------------------------------------------------------

# 색 이름 → 대략의 RGB (테스트가 따로 적은 기대값; 로더의 palette를 복사하지 않았다)
EXPECTED_RGB = {"red": (1, 0, 0), "green": (0, 1, 0), "blue": (0, 0, 1), "yellow": (1, 1, 0),
                "cyan": (0, 1, 1), "magenta": (1, 0, 1), "white": (1, 1, 1), "orange": (1, 0.5, 0)}
EXPECTED_SHAPES = {"circle", "ring", "square", "frame", "triangle", "diamond", "plus", "cross",
                   "horizontal bar", "vertical bar"}


@pytest.fixture(scope="module")
def shapes():
    return load_shapes(n_train=600, n_test=200, seed=0)


def foreground(X):
    """어두운 배경과 구별되는 도형 픽셀: 가장 밝은 channel이 0.45를 넘는 곳. (N, S, S) bool."""
    return X.max(axis=1) > 0.45


def test_shapes_arrays(shapes):
    assert shapes.X_train.shape == (600, 3, 32, 32) and shapes.X_test.shape == (200, 3, 32, 32)
    assert shapes.X_train.dtype == np.float32 and shapes.y_train.dtype == np.int64
    assert 0.0 <= shapes.X_train.min() and shapes.X_train.max() <= 1.0
    assert set(shapes.info["class_names"]) == EXPECTED_SHAPES and len(shapes.info["class_names"]) == 10
    for y in (shapes.y_train, shapes.y_test):
        counts = np.bincount(y, minlength=10)
        assert len(counts) == 10 and counts.min() > 0 and counts.max() - counts.min() <= 1
    assert len(shapes.info["captions_train"]) == 600 and len(shapes.info["attributes_test"]) == 200
    assert foreground(shapes.X_train).sum(axis=(1, 2)).min() >= 10   # 모든 이미지에 도형이 보인다


def test_shapes_captions_match_labels_and_attributes(shapes):
    names = shapes.info["class_names"]
    for split in ("train", "test"):
        y = getattr(shapes, f"y_{split}")
        for label, caption, att in zip(y, shapes.info[f"captions_{split}"], shapes.info[f"attributes_{split}"]):
            assert att["shape"] == names[label]
            assert caption == f"a {att['size']} {att['colour']} {att['shape']} at the {att['position']}"
            assert att["colour"] in EXPECTED_RGB and att["size"] in ("small", "medium", "large")


def test_shapes_pixels_match_caption_colour_position_and_size(shapes):
    X, atts = shapes.X_train, shapes.info["attributes_train"]
    fg = foreground(X)                                                    # (N, S, S)
    palette = {k: np.array(v, dtype=float) for k, v in EXPECTED_RGB.items()}
    ys, xs = np.mgrid[0:32, 0:32] + 0.5
    area = fg.sum(axis=(1, 2))
    for i, att in enumerate(atts):
        # 색: 도형 픽셀의 평균 색을 밝기로 정규화하면 caption의 색에 가장 가깝다
        mean_rgb = X[i][:, fg[i]].mean(axis=1)
        mean_rgb = mean_rgb / mean_rgb.max()
        nearest = min(palette, key=lambda k: np.abs(palette[k] - mean_rgb).sum())
        assert nearest == att["colour"], (i, att, mean_rgb)
        # 위치: 도형 픽셀의 무게중심이 caption이 말하는 쪽에 있다
        cx, cy = xs[fg[i]].mean(), ys[fg[i]].mean()
        pos = att["position"]
        horizontal = "left" if "left" in pos else "right" if "right" in pos else "center"
        vertical = "top" if "top" in pos else "bottom" if "bottom" in pos else "middle"
        assert {"left": cx < 14, "right": cx > 18, "center": abs(cx - 16) < 3.5}[horizontal], (i, att, cx)
        assert {"top": cy < 14, "bottom": cy > 18, "middle": abs(cy - 16) < 3.5}[vertical], (i, att, cy)
    # 크기: 같은 도형끼리 보면 small < medium < large의 평균 면적
    y = shapes.y_train
    sizes = np.array([a["size"] for a in atts])
    for k in range(10):
        means = [area[(y == k) & (sizes == s)].mean() for s in ("small", "medium", "large")]
        assert means[0] < means[1] < means[2], (shapes.info["class_names"][k], means)


def describe_shape(mask):
    """도형 mask (S, S)를 손으로 적은 기하 규칙으로 이름 붙인다 (로더의 그리기 코드와 독립).

    bounding box로 자른 뒤: 가로/세로 비율 → 막대, 위가 좁고 밑변이 넓음 → 삼각형, 가운데가 빔 → ring / frame
    (frame은 네 모서리가 참), 네 모서리가 참 → square(꽉 참) / cross, 나머지는 채움 비율과 행 너비로
    circle / diamond / plus.
    """
    rows, cols = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
    crop = mask[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = crop.shape
    width = crop.sum(1)                                                   # 행마다 칠해진 픽셀 수
    corners = [crop[0, 0], crop[0, -1], crop[-1, 0], crop[-1, -1]]
    centre = crop[(h - 1) // 2:h // 2 + 1, (w - 1) // 2:w // 2 + 1].any()
    if w > 2 * h:
        return "horizontal bar"
    if h > 2 * w:
        return "vertical bar"
    if width[-1] >= 0.8 * w and 1.5 * width[: h // 2].sum() < width[h - h // 2:].sum():
        return "triangle"
    if not centre:
        return "frame" if all(corners) else "ring"
    if all(corners):
        return "square" if crop.mean() > 0.9 else "cross"
    if crop.mean() > 0.68:                                                # 원의 채움 비율 ≈ π/4
        return "circle"
    return "diamond" if width[h // 4] > width[0] + 1 else "plus"         # diamond은 아래로 갈수록 넓어진다


def test_shapes_pixels_match_caption_shape(shapes):
    for X, atts in ((shapes.X_train, shapes.info["attributes_train"]), (shapes.X_test, shapes.info["attributes_test"])):
        described = [describe_shape(m) for m in foreground(X)]
        wrong = [(i, d, a) for i, (d, a) in enumerate(zip(described, atts)) if d != a["shape"]]
        assert not wrong, wrong[:5]


def test_shapes_are_deterministic():
    a = load_shapes(n_train=50, n_test=20, seed=3)
    b = load_shapes(n_train=50, n_test=20, seed=3)
    c = load_shapes(n_train=50, n_test=20, seed=4)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.X_test, b.X_test)
    assert a.info["captions_test"] == b.info["captions_test"]
    assert not np.array_equal(a.X_train, c.X_train)
    # train은 n_test와 무관하다
    d = load_shapes(n_train=50, n_test=7, seed=3)
    np.testing.assert_array_equal(a.X_train, d.X_train)


def test_shapes_5000_images_split_as_asked():
    ds = load_shapes(n_train=4000, n_test=1000, seed=1)
    assert (len(ds.X_train), len(ds.X_test)) == (4000, 1000)
    assert len(ds.y_train) == 4000 and len(ds.y_test) == 1000


def test_shapes_other_size():
    ds = load_shapes(n_train=20, n_test=10, size=64, seed=0)
    assert ds.X_train.shape == (20, 3, 64, 64)


# ---------------------------------------------------------------------------------------------------------
# 순차 과제
# ---------------------------------------------------------------------------------------------------------

def test_adding_problem_definition():
    T = 30
    ds = load_adding_problem(n_train=2000, n_test=100, seq_len=T, seed=1)
    assert ds.X_train.shape == (2000, T, 2) and ds.X_test.shape == (100, T, 2)
    assert ds.X_train.dtype == ds.y_train.dtype == np.float32 and ds.y_train.shape == (2000,)
    for X, y in ((ds.X_train, ds.y_train), (ds.X_test, ds.y_test)):
        values, marker = X[..., 0], X[..., 1]
        assert 0.0 <= values.min() and values.max() < 1.0
        assert set(np.unique(marker)) == {0.0, 1.0}
        assert np.all(marker.sum(axis=1) == 2)
        assert np.all(marker[:, : T // 2].sum(axis=1) == 1) and np.all(marker[:, T // 2:].sum(axis=1) == 1)
        np.testing.assert_allclose(y, (values * marker).sum(axis=1), rtol=1e-6)


def test_adding_problem_constant_baseline_mse():
    ds = load_adding_problem(n_train=10000, n_test=10, seq_len=20, seed=0)
    mse = float(np.mean((ds.y_train.astype(np.float64) - 1.0) ** 2))
    # Z = U1 + U2 − 1의 밀도는 1 − |z|:  E[Z²] = 1/6,  E[Z⁴] = 1/15 → Var(Z²) = 1/15 − 1/36 = 7/180.
    # N = 10000 표본 평균의 표준오차 = sqrt(7/180 / N) ≈ 0.002 → 5 표준오차 허용.
    assert abs(mse - 1.0 / 6.0) < 5 * math.sqrt(7 / 180 / len(ds.y_train)), mse


def test_adding_problem_is_deterministic():
    a, b = load_adding_problem(100, 10, 12, seed=2), load_adding_problem(100, 10, 12, seed=2)
    c = load_adding_problem(100, 10, 12, seed=3)
    np.testing.assert_array_equal(a.X_train, b.X_train)
    np.testing.assert_array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.X_train, c.X_train)


# ---------------------------------------------------------------------------------------------------------
# 텍스트
# ---------------------------------------------------------------------------------------------------------

def test_text_corpus_is_stdlib_source_and_deterministic():
    text = load_text_corpus()
    assert isinstance(text, str) and len(text) > 100_000
    assert text == load_text_corpus()
    assert inspect.getsource(textwrap) in text                             # textwrap.py 전체가 들어 있다
    assert text.count(" the ") > 1000                                     # 영어 문장이 많다
    assert load_text_corpus(max_chars=500) == text[:500]


def test_text_corpus_missing_stdlib_is_unavailable(tmp_path, monkeypatch):
    import sysconfig

    monkeypatch.setattr(sysconfig, "get_paths", lambda: {"stdlib": str(tmp_path)})
    with pytest.raises(DatasetUnavailable, match=str(tmp_path)):
        load_text_corpus()


def test_char_vocab_round_trip():
    text = "hello, world\nhi"
    itos, stoi = char_vocab(text)
    assert itos == ["\n", " ", ",", "d", "e", "h", "i", "l", "o", "r", "w"]
    assert "".join(itos[stoi[c]] for c in text) == text
    assert sorted(stoi.values()) == list(range(len(itos)))
    with pytest.raises(ValueError):
        char_vocab("")


# ---------------------------------------------------------------------------------------------------------
# 실제 데이터셋: 테스트가 쓴 진짜 형식의 작은 파일
# ---------------------------------------------------------------------------------------------------------

def write_idx_images(path, images):
    n, h, w = images.shape
    path.write_bytes(np.array([2051, n, h, w], dtype=">i4").tobytes() + images.astype(np.uint8).tobytes())


def write_idx_labels(path, labels):
    path.write_bytes(np.array([2049, len(labels)], dtype=">i4").tobytes() + labels.astype(np.uint8).tobytes())


@pytest.fixture
def mnist_root(tmp_path):
    rng = np.random.default_rng(0)
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    data = {"train": (rng.integers(0, 256, (5, 28, 28)), np.array([3, 1, 4, 1, 5])),
            "t10k": (rng.integers(0, 256, (3, 28, 28)), np.array([9, 2, 6]))}
    for prefix, (images, labels) in data.items():
        write_idx_images(raw / f"{prefix}-images-idx3-ubyte", images)
        write_idx_labels(raw / f"{prefix}-labels-idx1-ubyte", labels)
    return tmp_path, data


def test_mnist_reads_idx_files(mnist_root):
    root, data = mnist_root
    ds = load_mnist(root)
    assert ds.name == "mnist"
    assert ds.X_train.shape == (5, 1, 28, 28) and ds.X_test.shape == (3, 1, 28, 28)
    assert ds.X_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    np.testing.assert_allclose(ds.X_train[:, 0], data["train"][0] / 255.0, atol=1e-7)
    np.testing.assert_allclose(ds.X_test[:, 0], data["t10k"][0] / 255.0, atol=1e-7)
    assert ds.y_train.tolist() == [3, 1, 4, 1, 5] and ds.y_test.tolist() == [9, 2, 6]


def test_mnist_missing_is_unavailable(tmp_path):
    with pytest.raises(DatasetUnavailable, match="--download") as info:
        load_mnist(tmp_path)
    assert str(tmp_path / "MNIST" / "raw") in str(info.value)


def test_mnist_missing_one_file_is_unavailable(mnist_root):
    root, _ = mnist_root
    (root / "MNIST" / "raw" / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DatasetUnavailable):
        load_mnist(root)


def test_mnist_corrupt_file_is_unavailable(mnist_root):
    root, _ = mnist_root
    (root / "MNIST" / "raw" / "train-images-idx3-ubyte").write_bytes(b"\x00" * 16)
    with pytest.raises(DatasetUnavailable, match="손상"):
        load_mnist(root)


def test_mnist_download_failure_is_unavailable(tmp_path, monkeypatch):
    import torchvision.datasets

    def offline(self):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz: offline")

    monkeypatch.setattr(torchvision.datasets.MNIST, "download", offline)  # 네트워크에 닿지 않게
    with pytest.raises(DatasetUnavailable, match="받지 못했습니다"):
        load_mnist(tmp_path, download=True)


@pytest.fixture(params=[bytes, str], ids=["bytes_keys", "str_keys"])
def cifar_root(tmp_path, request):
    key = (lambda k: k.encode()) if request.param is bytes else (lambda k: k)
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    batches = {}
    for i, name in enumerate([f"data_batch_{j}" for j in range(1, 6)] + ["test_batch"]):
        data = rng.integers(0, 256, (2, 3072), dtype=np.uint8)
        labels = [i % 10, (i + 3) % 10]
        batches[name] = (data, labels)
        with open(folder / name, "wb") as f:
            pickle.dump({key("batch_label"): key(name), key("labels"): labels, key("data"): data}, f)
    names = ["plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({key("label_names"): [key(n) for n in names], key("num_vis"): 3072}, f)
    # 첫 train 이미지: 빨강 channel만 255 → (3, 32, 32)에서 channel 0만 1이어야 한다
    batches["data_batch_1"][0][0] = np.r_[np.full(1024, 255), np.zeros(2048)].astype(np.uint8)
    with open(folder / "data_batch_1", "wb") as f:
        data, labels = batches["data_batch_1"]
        pickle.dump({key("labels"): labels, key("data"): data}, f)
    return tmp_path, batches, names


def test_cifar10_reads_pickle_batches(cifar_root):
    root, batches, names = cifar_root
    ds = load_cifar10(root)
    assert ds.X_train.shape == (10, 3, 32, 32) and ds.X_test.shape == (2, 3, 32, 32)
    assert ds.X_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    train = np.concatenate([batches[f"data_batch_{j}"][0] for j in range(1, 6)])
    np.testing.assert_allclose(ds.X_train.reshape(10, -1), train / 255.0, atol=1e-7)
    np.testing.assert_allclose(ds.X_test.reshape(2, -1), batches["test_batch"][0] / 255.0, atol=1e-7)
    assert ds.y_train.tolist() == [label for j in range(1, 6) for label in batches[f"data_batch_{j}"][1]]
    assert ds.y_test.tolist() == batches["test_batch"][1]
    assert np.all(ds.X_train[0, 0] == 1.0) and np.all(ds.X_train[0, 1:] == 0.0)   # channel-first 배치
    assert ds.info["class_names"] == names


def test_cifar10_missing_is_unavailable(tmp_path):
    with pytest.raises(DatasetUnavailable, match="--download") as info:
        load_cifar10(tmp_path)
    assert str(tmp_path / "cifar-10-batches-py") in str(info.value)


def test_cifar10_download_failure_is_unavailable(tmp_path, monkeypatch):
    from urllib.error import URLError

    import torchvision.datasets

    def offline(self):
        raise URLError("offline")

    monkeypatch.setattr(torchvision.datasets.CIFAR10, "download", offline)
    with pytest.raises(DatasetUnavailable, match="받지 못했습니다"):
        load_cifar10(tmp_path, download=True)


@pytest.fixture
def imdb_root(tmp_path):
    reviews = {
        ("train", "pos"): {"10_9.txt": "Great film.", "2_8.txt": "Loved it <br /> truly."},
        ("train", "neg"): {"0_1.txt": "Awful.", "1_3.txt": "Boring, 지루함."},
        ("test", "pos"): {"5_10.txt": "A masterpiece."},
        ("test", "neg"): {"7_2.txt": "Meh.", "3_4.txt": "Too long."},
    }
    for (split, sub), files in reviews.items():
        folder = tmp_path / "aclImdb" / split / sub
        folder.mkdir(parents=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_imdb_reads_folder_tree_in_sorted_order(imdb_root):
    ds = load_imdb(imdb_root)
    # neg 다음 pos, 각 폴더 안은 파일 이름(문자열) 순서: "10_9" < "2_8", "3_4" < "7_2"
    assert ds.X_train == ["Awful.", "Boring, 지루함.", "Great film.", "Loved it <br /> truly."]
    assert ds.y_train.tolist() == [0, 0, 1, 1] and ds.y_train.dtype == np.int64
    assert ds.X_test == ["Too long.", "Meh.", "A masterpiece."]
    assert ds.y_test.tolist() == [0, 0, 1]
    assert load_imdb(imdb_root).X_test == ds.X_test


def test_imdb_missing_is_unavailable(tmp_path):
    with pytest.raises(DatasetUnavailable, match="aclImdb") as info:
        load_imdb(tmp_path)
    assert str(tmp_path / "aclImdb") in str(info.value)


def test_dataset_repr_is_a_summary(imdb_root):
    text = repr(load_imdb(imdb_root))
    assert "list[4]" in text and "masterpiece" not in text


@pytest.fixture
def imagenette_root(tmp_path):
    from utils.fake_datasets import write_fake_imagenette

    return write_fake_imagenette(tmp_path, n_train=2, n_val=1)


def test_imagenette_reads_the_torchvision_folder_tree(imagenette_root):
    """wnid 정렬 순서의 class, 짧은 변을 맞춘 뒤 가운데 crop (좌우의 빨간 띠가 남지 않는다), train / val split."""
    from utils.fake_datasets import IMAGENETTE_FAKE_COLOURS

    ds = load_imagenette(imagenette_root, image_size=16)
    assert ds.name == "imagenette" and ds.info["size"] == "160px"
    assert ds.X_train.shape == (20, 3, 16, 16) and ds.X_test.shape == (10, 3, 16, 16)
    assert ds.X_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert ds.y_train.tolist() == [k for k in range(10) for _ in range(2)] and ds.y_test.tolist() == list(range(10))
    assert ds.info["class_names"][0] == "tench" and ds.info["class_names"][9] == "parachute"
    for X, y in ((ds.X_train, ds.y_train), (ds.X_test, ds.y_test)):
        expected = np.asarray(IMAGENETTE_FAKE_COLOURS, dtype=np.float64)[y][:, :, None, None] / 255
        # 가장자리 한 줄은 resize의 antialias가 이웃 (잘려 나간 빨강)과 섞으므로 안쪽 열만 본다
        np.testing.assert_allclose(X[:, :, :, 1:-1], np.broadcast_to(expected, X[:, :, :, 1:-1].shape), atol=3 / 255)


def test_imagenette_keeps_the_first_files_of_each_class_and_picks_the_archive(imagenette_root):
    ds = load_imagenette(imagenette_root, image_size=8, max_per_class=1)
    assert ds.X_train.shape == (10, 3, 8, 8) and ds.y_train.tolist() == list(range(10))
    with pytest.raises(DatasetUnavailable, match="imagenette2-320"):       # 160보다 크면 320px archive를 찾는다
        load_imagenette(imagenette_root, image_size=224)


def test_imagenette_missing_is_unavailable(tmp_path):
    with pytest.raises(DatasetUnavailable, match="--download") as info:
        load_imagenette(tmp_path)
    assert str(tmp_path / "imagenette2-160") in str(info.value)
    assert len(str(info.value).splitlines()) == 1


def test_imagenette_missing_split_and_corrupt_file_are_unavailable(imagenette_root):
    corrupt = next((imagenette_root / "imagenette2-160" / "val" / "n01440764").glob("*.JPEG"))
    corrupt.write_bytes(b"not a jpeg")
    with pytest.raises(DatasetUnavailable, match="이미지로 읽을 수 없으니"):
        load_imagenette(imagenette_root, image_size=8)
    import shutil

    shutil.rmtree(imagenette_root / "imagenette2-160" / "val")
    with pytest.raises(DatasetUnavailable, match="읽지도 받지도 못했습니다"):
        load_imagenette(imagenette_root, image_size=8)


def test_imagenette_download_failure_is_unavailable(tmp_path, monkeypatch):
    from urllib.error import URLError

    import torchvision.datasets

    def offline(self):
        raise URLError("offline")

    monkeypatch.setattr(torchvision.datasets.Imagenette, "_download", offline)   # 네트워크에 닿지 않게
    with pytest.raises(DatasetUnavailable, match="읽지도 받지도 못했습니다"):
        load_imagenette(tmp_path, download=True)


@pytest.mark.parametrize("kwargs, match", [({"image_size": 0}, "image_size"), ({"max_per_class": 0}, "max_per_class"),
                                           ({"size": "80px"}, "size")])
def test_imagenette_bad_arguments_are_refused(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_imagenette(tmp_path, **kwargs)


# ---------------------------------------------------------------------------------------------------------
# load_dataset과 잘못된 인자
# ---------------------------------------------------------------------------------------------------------

def test_registries_have_the_documented_names():
    assert set(EMBEDDED_DATASETS) == {"synthetic", "diabetes", "breast_cancer", "digits", "shapes",
                                      "adding", "text", "english", "korean", "sentiment"}
    assert set(REAL_DATASETS) == {"mnist", "cifar10", "imdb", "imagenette"}
    assert set(DATASETS) == set(EMBEDDED_DATASETS) | set(REAL_DATASETS)
    assert all(entry.description and callable(entry.loader) for entry in DATASETS.values())
    assert describe("digits").startswith("digits: ") and describe("no_such_name") == "no_such_name"


def test_load_dataset_dispatches_and_forwards_kwargs(imdb_root):
    ds = load_dataset("digits", size=28, flatten=True)
    assert isinstance(ds, Dataset) and ds.X_train.shape[1] == 784
    assert load_dataset("adding", n_train=4, n_test=2, seq_len=3).X_train.shape == (4, 3, 2)
    assert load_dataset("text", max_chars=50) == load_text_corpus()[:50]
    assert load_dataset("imdb", root=imdb_root).y_test.tolist() == [0, 0, 1]


def test_load_dataset_unknown_name_lists_choices():
    with pytest.raises(ValueError) as info:
        load_dataset("imagenet21k")
    message = str(info.value)
    assert "imagenet21k" in message
    for name, entry in DATASETS.items():                                  # 선택지마다 이름과 registry의 설명
        assert f"{name}: {entry.description}" in message


@pytest.mark.parametrize("call, match", [
    (lambda: load_synthetic_regression(test_fraction=0.0), "test_fraction"),
    (lambda: load_synthetic_regression(test_fraction=1.0), "test_fraction"),
    (lambda: load_synthetic_regression(n_features=0), "n_features"),
    (lambda: load_synthetic_regression(noise=-1.0), "noise"),
    (lambda: load_diabetes(test_fraction=1.5), "test_fraction"),
    (lambda: load_breast_cancer(test_fraction=-0.1), "test_fraction"),
    (lambda: load_digits(test_fraction=0), "test_fraction"),
    (lambda: load_digits(size=64), "size"),
    (lambda: load_shapes(n_train=0), "n_train"),
    (lambda: load_shapes(size=8), "size"),
    (lambda: load_adding_problem(seq_len=1), "seq_len"),
    (lambda: load_adding_problem(n_test=0), "n_test"),
    (lambda: load_text_corpus(max_chars=0), "max_chars"),
    (lambda: load_negation_sentiment(n_train=0), "n_train"),
])
def test_bad_arguments_are_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_load_features_flattens_and_standardizes_with_train_statistics():
    data = load_features("digits", seed=0)
    raw = load_digits(seed=0, flatten=True)
    assert data.X_train.shape == (len(raw.X_train), 64) and data.X_train.dtype == np.float64
    np.testing.assert_array_equal(data.y_train, raw.y_train)
    train = raw.X_train.astype(np.float64)
    mean, std = train.mean(axis=0), train.std(axis=0)
    std = np.where(std > 1e-12, std, 1.0)                             # 상수 픽셀(가장자리)은 1로 나눈다
    np.testing.assert_allclose(data.X_test, (raw.X_test - mean) / std, rtol=1e-6, atol=1e-6)
    kept = load_features("synthetic", seed=0, standardized=False, max_train=10, max_test=5)
    assert kept.X_train.shape == (10, 5) and len(kept.y_test) == 5
    np.testing.assert_array_equal(kept.X_train, load_synthetic_regression(seed=0).X_train[:10])


def test_load_features_refuses_nan(monkeypatch):
    from utils.datasets.registry import DatasetEntry

    bad = load_diabetes(seed=0)
    bad.X_train[0, 0] = np.nan
    monkeypatch.setitem(DATASETS, "diabetes", DatasetEntry(lambda seed=0: bad, "NaN이 든 diabetes"))
    with pytest.raises(ValueError, match="X_train.*NaN"):
        load_features("diabetes")


# ---------------------------------------------------------------------------------------------------------
# 부정이 있는 감성 문장 (06장)
# ---------------------------------------------------------------------------------------------------------

def _clause_polarity(clause: str) -> int:
    """문장 생성 규칙을 테스트에서 따로 적은 것: 형용사 극성 × (부정어가 있으면 −1)."""
    words = clause.split()
    sign = 1 if words[-1] in ("good", "great", "excellent", "wonderful", "fun", "brilliant", "charming", "moving") \
        else -1
    assert words[-1] in ("bad", "awful", "boring", "terrible", "dull", "weak", "painful", "bland") or sign == 1
    return -sign if any(w in ("not", "never", "hardly") for w in words) else sign


def test_negation_sentiment_labels_follow_the_grammar():
    ds = load_negation_sentiment(n_train=600, n_test=200, seed=1)
    assert len(ds.X_train) == 600 and len(ds.X_test) == 200 and ds.y_train.dtype == np.int64
    assert ds.y_train.sum() == 300                                          # pos / neg 반반
    kinds = set()
    for text, label in zip(ds.X_train + ds.X_test, np.concatenate([ds.y_train, ds.y_test])):
        clauses = text.split(" but ")
        kinds.add(len(clauses))
        if len(clauses) == 2:
            assert _clause_polarity(clauses[0]) == -_clause_polarity(clauses[1]), text
        assert _clause_polarity(clauses[-1]) == (1 if label == 1 else -1), text
    assert kinds == {1, 2}


def test_negation_sentiment_single_words_carry_no_label_information():
    """설계의 핵심: 단어 하나의 유무로는 label을 알 수 없다 → bag-of-words 선형 모델은 우연 근처."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    ds = load_negation_sentiment(seed=0)
    vectorizer = CountVectorizer(binary=True)
    model = LogisticRegression(max_iter=2000).fit(vectorizer.fit_transform(ds.X_train), ds.y_train)
    accuracy = model.score(vectorizer.transform(ds.X_test), ds.y_test)
    assert 0.4 < accuracy < 0.6, accuracy
    for word in ("good", "not", "but", "bad"):
        has = np.array([word in t.split() for t in ds.X_train])
        assert abs(ds.y_train[has].mean() - 0.5) < 0.06, word


def test_negation_sentiment_is_deterministic():
    a, b, c = (load_negation_sentiment(50, 10, seed=s) for s in (2, 2, 3))
    assert a.X_train == b.X_train and a.X_test == b.X_test and a.X_train != c.X_train
    assert load_dataset("sentiment", n_train=5, n_test=5).name == "sentiment"


# ---------------------------------------------------------------------------------------------------------
# 언어 모델용 산문 corpus (07–12장)
# ---------------------------------------------------------------------------------------------------------

def test_english_prose_is_pydoc_topics_in_key_order():
    from pydoc_data.topics import topics

    text = load_english_prose()
    first = sorted(topics)[0]
    assert text.startswith(topics[first].strip()[:200])
    assert text == load_english_prose() and load_english_prose(max_chars=100) == text[:100]
    assert len(text) > 100_000
    words = text.split()
    assert sum(w.isalpha() for w in words) / len(words) > 0.5           # 대부분 낱말 (코드가 아니라 산문)
    assert load_dataset("english", max_chars=10) == text[:10]


def test_korean_prose_of_this_repository_is_mostly_hangul():
    text = load_korean_prose()
    hangul = sum("가" <= c <= "힣" for c in text)
    assert len(text) > 50_000 and hangul / len(text) > 0.2
    assert "```" not in text and not text.endswith("\n") and load_korean_prose() == text
    assert load_dataset("korean", max_chars=100) == text[:100]


# ---------------------------------------------------------------------------------------------------------
# CIFAR-10: 안전한 unpickler와 MD5
# ---------------------------------------------------------------------------------------------------------

class _RunsCode:
    """unpickle될 때 파일을 만드는 객체: 조작된 pickle이 코드를 실행할 수 있음을 보이는 데 쓴다."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_cifar10_malicious_pickle_is_refused_without_running_code(cifar_root):
    root = cifar_root[0] if isinstance(cifar_root, tuple) else cifar_root
    marker = root / "ran.txt"
    batch = root / "cifar-10-batches-py" / "data_batch_3"
    batch.write_bytes(pickle.dumps({b"data": np.zeros((1, 3072), np.uint8), b"labels": [0],
                                    b"payload": _RunsCode(marker)}, protocol=2))
    assert pickle.loads(batch.read_bytes()) and marker.exists()           # 보통 pickle.load라면 코드가 돈다
    marker.unlink()
    with pytest.raises(DatasetUnavailable, match="data_batch_3") as info:
        load_cifar10(root)
    assert not marker.exists()                                            # 우리 loader는 실행하지 않는다
    assert "허용하지 않는 객체" in str(info.value) and "\n" not in str(info.value)


def test_cifar10_batch_without_data_is_one_sentence(cifar_root):
    root = cifar_root[0] if isinstance(cifar_root, tuple) else cifar_root
    (root / "cifar-10-batches-py" / "test_batch").write_bytes(pickle.dumps({b"labels": [1]}, protocol=2))
    with pytest.raises(DatasetUnavailable, match="test_batch"):
        load_cifar10(root)


def test_cifar10_md5_table_matches_torchvision():
    from torchvision.datasets import CIFAR10

    from utils.datasets.real import CIFAR10_MD5

    published = dict(CIFAR10.train_list + CIFAR10.test_list)
    published[CIFAR10.meta["filename"]] = CIFAR10.meta["md5"]
    assert CIFAR10_MD5 == published


def test_cifar10_original_sized_file_with_wrong_md5_is_named(cifar_root, monkeypatch):
    import utils.datasets.real as real

    root = cifar_root[0] if isinstance(cifar_root, tuple) else cifar_root
    folder = root / "cifar-10-batches-py"
    monkeypatch.setattr(real, "CIFAR10_ORIGINAL_MIN_BYTES", 1)            # 작은 테스트 파일도 "원본 크기"로 본다
    expected = {name: real._md5(folder / name) for name in real.CIFAR10_MD5}
    monkeypatch.setattr(real, "CIFAR10_MD5", expected)
    assert load_cifar10(root).X_train.shape[1:] == (3, 32, 32)           # MD5가 모두 맞으면 읽는다
    with open(folder / "data_batch_4", "ab") as f:
        f.write(b"\0")
    with pytest.raises(DatasetUnavailable, match="data_batch_4.*MD5"):
        load_cifar10(root)


# ---------------------------------------------------------------------------------------------------------
# 이미지 전처리와 augmentation
# ---------------------------------------------------------------------------------------------------------

def _images(n=6, c=3, h=8, w=8, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, (n, c, h, w)).astype(np.float32)


# ---- channel_standardize ----
def test_standardize_uses_train_statistics_per_channel():
    rng = np.random.default_rng(1)
    X_train = (rng.normal(size=(50, 3, 4, 4)) * [[[[2.0]], [[0.5]], [[1.0]]]] + [[[[1.0]], [[-3.0]], [[0.0]]]])
    X_test = rng.normal(size=(10, 3, 4, 4))
    A, B, mean, std = channel_standardize(X_train.astype(np.float32), X_test.astype(np.float32))
    assert A.dtype == np.float32 and B.dtype == np.float32
    np.testing.assert_allclose(A.mean(axis=(0, 2, 3)), 0.0, atol=1e-5)
    np.testing.assert_allclose(A.std(axis=(0, 2, 3)), 1.0, atol=1e-5)
    for c in range(3):                                   # test는 train의 통계로 (따로 계산해 비교)
        m, s = X_train[:, c].mean(), X_train[:, c].std()
        np.testing.assert_allclose(B[:, c], (X_test[:, c] - m) / s, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(mean, X_train.mean(axis=(0, 2, 3)), rtol=1e-5)
    np.testing.assert_allclose(std, X_train.std(axis=(0, 2, 3)), rtol=1e-5)


def test_standardize_rejects_mismatched_or_wrong_rank_inputs():
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        channel_standardize(_images(c=3), _images(c=1))
    with pytest.raises(ValueError, match="4차원"):
        channel_standardize(np.zeros((5, 8, 8), np.float32), _images())


# ---- random_crop_flip ----
def test_crop_flip_returns_a_window_of_the_padded_image_or_its_mirror():
    X = _images(n=40)
    out = random_crop_flip(X, np.random.default_rng(0), pad=2, flip=True)
    assert out.shape == X.shape and out.dtype == X.dtype
    padded = np.pad(X, ((0, 0), (0, 0), (2, 2), (2, 2)))
    n_flipped, n_moved = 0, 0
    for i in range(len(X)):
        matches = []                                         # 이 출력과 같은 (top, left, 뒤집힘) 후보들
        for top in range(5):
            for left in range(5):
                window = padded[i, :, top:top + 8, left:left + 8]
                for flipped in (False, True):
                    if np.array_equal(out[i], window[..., ::-1] if flipped else window):
                        matches.append((top, left, flipped))
        assert matches, f"이미지 {i}: 어떤 crop(+flip)과도 같지 않습니다"
        top, left, flipped = matches[0]
        n_flipped += flipped
        n_moved += (top, left) != (2, 2)
    assert 0 < n_flipped < len(X) and n_moved > 0         # 40장이면 뒤집힌 것도, 안 뒤집힌 것도, 움직인 것도 있다


def test_crop_flip_is_identity_without_pad_and_flip_and_repeatable_with_a_seed():
    X = _images()
    assert random_crop_flip(X, np.random.default_rng(0), pad=0, flip=False) is X
    a = random_crop_flip(X, np.random.default_rng(3))
    b = random_crop_flip(X, np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)


def test_crop_flip_rejects_bad_input():
    with pytest.raises(ValueError, match="4차원"):
        random_crop_flip(np.zeros((3, 8, 8), np.float32), np.random.default_rng(0))
    with pytest.raises(ValueError, match="pad"):
        random_crop_flip(_images(), np.random.default_rng(0), pad=-1)


def test_crop_flip_can_draw_every_offset_including_the_edges():
    """crop 위치 (top, left)는 0..2·pad 모두 (양 끝 포함) 나와야 한다: 마지막 offset을 빼먹는 off-by-one을 잡는다."""
    X = (np.arange(16, dtype=np.float32) + 1).reshape(1, 1, 4, 4)         # 값이 모두 달라 위치가 하나로 정해진다
    padded = np.pad(X, ((0, 0), (0, 0), (2, 2), (2, 2)))
    seen = set()
    rng = np.random.default_rng(0)
    for _ in range(300):
        out = random_crop_flip(X, rng, pad=2, flip=False)
        seen |= {(top, left) for top in range(5) for left in range(5)
                 if np.array_equal(out, padded[:, :, top:top + 4, left:left + 4])}
    assert seen == {(top, left) for top in range(5) for left in range(5)}


def _whole_set_crop_flip(images, rng, pad=4, flip=True):
    """예전 학습 루프가 epoch마다 부르던 방식 그대로: 전체를 padding하고 N장 전체를 잘라 새 배열로 (기준)."""
    n, _, H, W = images.shape
    padded = np.pad(images, ((0, 0), (0, 0), (pad, pad), (pad, pad)))       # (N, C, H+2p, W+2p)
    offsets = rng.integers(0, 2 * pad + 1, size=(n, 2))
    out = np.empty_like(images)
    for i, (top, left) in enumerate(offsets.tolist()):
        out[i] = padded[i, :, top:top + H, left:left + W]
    if flip:
        flipped = rng.random(n) < 0.5
        out[flipped] = out[flipped][..., ::-1]
    return out


@pytest.mark.parametrize("pad, flip", [(4, True), (2, False), (0, True)])
def test_crop_flip_batches_equal_the_whole_set_path_bit_for_bit(pad, flip):
    from utils.datasets.images import random_crop_flip_batches

    X = _images(n=50, seed=4)
    for seed in (0, 1):
        rng_view, rng_whole = np.random.default_rng(seed), np.random.default_rng(seed)
        view = random_crop_flip_batches(X, rng_view, pad=pad, flip=flip)
        whole = _whole_set_crop_flip(X, rng_whole, pad=pad, flip=flip)
        order = np.random.default_rng(seed + 10).permutation(len(X))
        for begin in range(0, len(X), 16):                                  # mini-batch 순서대로 (마지막은 2장)
            index = order[begin:begin + 16]
            np.testing.assert_array_equal(view[index], whole[index])
        np.testing.assert_array_equal(view[:], whole)
        assert rng_view.random() == rng_whole.random()                      # 같은 만큼 뽑았다: 다음 epoch도 같다
        np.testing.assert_array_equal(random_crop_flip(X, np.random.default_rng(seed), pad, flip), whole)


def test_crop_flip_batches_never_copy_the_whole_set():
    """epoch마다 새로 드는 NumPy 메모리: 전체 경로는 N장의 2배 (padding + 출력), batch 경로는 batch 몇 개 크기뿐
    (batch 복사, padding한 batch, 출력, 뒤집을 부분: 64장짜리 배열 약 5개)."""
    import tracemalloc

    from utils.datasets.images import random_crop_flip_batches

    X = _images(n=4000, c=3, h=16, w=16)                                    # 12.3 MB, batch 64장은 0.2 MB

    def peak_bytes(epoch):
        tracemalloc.start()
        try:
            epoch()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    def batches():
        view = random_crop_flip_batches(X, np.random.default_rng(0))
        assert view.images is X                                             # 원본의 참조만 든다
        for begin in range(0, len(X), 64):
            assert view[np.arange(begin, min(begin + 64, len(X)))].shape[0] <= 64

    whole = peak_bytes(lambda: _whole_set_crop_flip(X, np.random.default_rng(0)))
    per_batch = peak_bytes(batches)
    assert whole > 1.5 * X.nbytes                                           # 측정이 전체 복사를 본다
    assert per_batch < 8 * X[:64].nbytes, f"batch 경로가 {per_batch} bytes를 잡았습니다 (전체 {X.nbytes})"
