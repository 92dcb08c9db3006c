"""utils/image_training.py: 표준화, crop+flip, lr schedule, SGD 학습 루프."""
import numpy as np
import pytest
import torch
from torch import nn

from utils.image_training import (
    channel_standardize,
    cosine_schedule,
    evaluate_classifier,
    random_crop_flip,
    step_schedule,
    train_classifier,
)


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


# ---- schedules ----
def test_step_schedule_divides_at_each_milestone():
    lr = step_schedule(0.1, (3, 5), gamma=0.1)
    assert [lr(e) for e in (0, 2)] == [0.1, 0.1]
    assert lr(3) == pytest.approx(0.01) and lr(4) == pytest.approx(0.01)
    assert lr(5) == pytest.approx(0.001) and lr(100) == pytest.approx(0.001)
    with pytest.raises(ValueError, match="오름차순"):
        step_schedule(0.1, (5, 3))
    with pytest.raises(ValueError, match="양수"):
        step_schedule(0.0, (1,))


def test_cosine_schedule_runs_from_base_to_final_monotonically():
    lr = cosine_schedule(0.2, 11, final=0.002)
    values = [lr(e) for e in range(11)]
    assert values[0] == pytest.approx(0.2) and values[-1] == pytest.approx(0.002)
    assert values[5] == pytest.approx((0.2 + 0.002) / 2)
    assert all(a > b for a, b in zip(values, values[1:]))
    assert cosine_schedule(0.3, 1)(0) == 0.3


# ---- train_classifier ----
def _separable(n=64, seed=0):
    """채널 0의 평균 밝기로 class가 정해지는 쉬운 문제."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n).astype(np.int64)
    X = rng.normal(0, 0.3, (n, 1, 6, 6)).astype(np.float32) + np.where(y == 1, 1.0, -1.0)[:, None, None, None]
    return X.astype(np.float32), y


def _tiny_model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(4, 2))


def test_training_learns_an_easy_problem_and_logs_every_key():
    X, y = _separable()
    Xt, yt = _separable(seed=1)
    model = _tiny_model()
    loss0, _ = evaluate_classifier(model, Xt, yt)
    history = train_classifier(model, (X, y), (Xt, yt), epochs=8, batch_size=16, lr_schedule=0.1,
                               weight_decay=0.0, progress=False)
    assert set(history.values) == {"lr", "train_loss", "train_error", "test_loss", "test_acc", "seconds"}
    assert all(len(v) == 8 for v in history.values.values())
    assert history.last("test_loss") < 0.5 * loss0
    assert history.last("test_acc") >= 0.95
    assert history["train_error"][-1] <= history["train_error"][0]
    assert history["seconds"] == sorted(history["seconds"])


def test_training_follows_the_schedule_and_repeats_with_the_same_seed():
    X, y = _separable()
    runs = []
    for _ in range(2):
        model = _tiny_model(seed=5)
        runs.append(train_classifier(model, (X, y), None, epochs=4, batch_size=16,
                                     lr_schedule=step_schedule(0.1, (2,)), seed=7, progress=False))
    assert runs[0]["lr"] == pytest.approx([0.1, 0.1, 0.01, 0.01])
    assert runs[0]["train_loss"] == runs[1]["train_loss"]          # 같은 seed → 같은 숫자
    assert "test_acc" not in runs[0]


def test_training_rejects_bad_labels_and_stops_on_a_non_finite_loss():
    X, y = _separable()
    with pytest.raises(ValueError, match="정수 label"):
        train_classifier(_tiny_model(), (X, y.astype(np.float32)), epochs=1, progress=False)
    with pytest.raises(ValueError, match="길이"):
        train_classifier(_tiny_model(), (X, y[:-1]), epochs=1, progress=False)
    with pytest.raises(FloatingPointError, match="learning rate"):
        train_classifier(_tiny_model(), (X * 1e30, y), epochs=2, lr_schedule=1e10, progress=False)
