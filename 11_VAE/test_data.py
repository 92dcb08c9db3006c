"""data.py 검증: VAE 장의 이진 이미지."""
import numpy as np
import pytest

from .data import BINARIZE_THRESHOLD, binarize, load_binary_images


def test_binarize_uses_a_fixed_threshold_and_keeps_dtype():
    x = np.array([[0.0, BINARIZE_THRESHOLD - 1e-6, BINARIZE_THRESHOLD, 1.0]], dtype=np.float32)
    out = binarize(x)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[0.0, 0.0, 1.0, 1.0]])


def test_binarize_refuses_values_outside_the_unit_range_and_integers():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        binarize(np.array([0.0, 16.0]))
    with pytest.raises(ValueError, match="float"):
        binarize(np.array([0, 1]))


def test_digits_are_flat_binary_and_deterministic():
    a, b = load_binary_images("digits", seed=0), load_binary_images("digits", seed=0)
    assert a.X_train.shape == (1437, 64) and a.X_test.shape == (360, 64) and a.info["side"] == 8
    assert set(np.unique(a.X_train)) == {0.0, 1.0}
    np.testing.assert_array_equal(a.X_test, b.X_test)
    with pytest.raises(ValueError, match="digits, mnist"):
        load_binary_images("cifar10")
