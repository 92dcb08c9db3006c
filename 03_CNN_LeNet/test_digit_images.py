"""digit_images.py 검증: LeNet-5의 32×32 입력과 이동 augmentation."""
import numpy as np
import pytest

from .digit_images import load_digit_images, random_shift


def test_random_shift_moves_each_whole_image_by_one_offset():
    images = np.zeros((3, 1, 32, 32), dtype=np.float32)
    images[:, 0, 10:20, 12:18] = 1.0
    moved = random_shift(images, 2, np.random.default_rng(0))
    assert moved.sum() == images.sum()                                  # 여백 안에서 움직이므로 잘리지 않는다
    for a, b in zip(images, moved):
        offsets = {(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                   if np.array_equal(np.roll(a, (dy, dx), axis=(1, 2)), b)}
        assert len(offsets) == 1
    assert random_shift(images, 0, np.random.default_rng(0)) is images


def test_random_shift_draws_every_offset_including_the_edges():
    """이동은 −max_shift..max_shift 모두 (양 끝 포함) 나와야 한다: 끝 값을 빼먹는 off-by-one을 잡는다."""
    image = np.zeros((1, 1, 32, 32), dtype=np.float32)
    image[0, 0, 16, 16] = 1.0
    seen = set()
    rng = np.random.default_rng(0)
    for _ in range(300):
        row, col = np.argwhere(random_shift(image, 2, rng)[0, 0] == 1.0)[0]
        seen.add((int(row) - 16, int(col) - 16))
    assert seen == {(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)}


def test_digit_images_are_32x32_for_lenet():
    data = load_digit_images("digits", seed=0)
    assert data.X_train.shape[1:] == (1, 32, 32) and data.X_train.dtype == np.float32
    with pytest.raises(ValueError, match="digits 또는 mnist"):
        load_digit_images("cifar10")


def test_mnist_is_padded_to_32x32(tmp_path):
    from utils.fake_datasets import write_fake_mnist

    write_fake_mnist(tmp_path, n_train=4, n_test=2)
    data = load_digit_images("mnist", root=tmp_path)
    assert data.X_train.shape == (4, 1, 32, 32)
    assert np.all(data.X_train[:, :, :2, :] == 0) and np.all(data.X_train[:, :, :, -2:] == 0)
