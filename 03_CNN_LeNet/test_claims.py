"""03장 claims.py 검증: quick 경로의 arm, 비교하는 두 net의 parameter 수, test 이미지 이동 (주장의 전제)."""
import math

import numpy as np
import pytest

from utils.claims import REQUIRED_KEYS, run_claim

from . import claims as C
from .digit_images import load_digit_images, random_shift
from .paper.lenet_paper import LeNet5Modern, n_trainable


def test_quick_run_returns_every_arm_finite():
    claim = C.CLAIMS[0]
    values = claim.run(0, True)
    assert set(values) == set(claim.arms)
    assert all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values.values())


def test_the_two_nets_have_about_the_same_parameter_count():
    cnn, mlp = n_trainable(LeNet5Modern()), n_trainable(C.fully_connected())
    assert cnn == 61_706 and mlp == 1025 * C.MLP_HIDDEN + (C.MLP_HIDDEN + 1) * 10 == 62_110
    assert abs(mlp - cnn) / cnn < 0.01


def test_shifted_test_digits_keep_their_ink_and_really_move():
    """여백이 6픽셀이라 ±4 이동은 글씨를 자르지 않고, 대부분의 이미지가 실제로 움직인다."""
    images = load_digit_images("digits", seed=0).X_test                  # (360, 1, 32, 32)
    moved = random_shift(images, C.MAX_SHIFT, np.random.default_rng(0))
    np.testing.assert_allclose(moved.sum(axis=(1, 2, 3)), images.sum(axis=(1, 2, 3)), rtol=1e-5)
    changed = np.mean([not np.array_equal(a, b) for a, b in zip(images, moved)])
    assert changed > 0.9, changed
    for axis in ((0, 1, 3), (0, 1, 2)):                                 # 모든 이미지의 글씨가 닿는 행, 열
        ink = np.flatnonzero(images.sum(axis=axis) > 0)
        assert ink.min() >= C.MAX_SHIFT and ink.max() < 32 - C.MAX_SHIFT


@pytest.mark.slow
def test_reduced_claim_record_has_every_key():
    """seed 2개의 축소 실행 (CPU 약 25초): 기록의 key와 값의 범위. 두 net 모두 가운데 놓인 test는 잘 맞힌다."""
    record = run_claim(C.CLAIMS[0], [0, 1])
    assert set(REQUIRED_KEYS) <= set(record) and record["verdict"] in ("holds", "does not hold", "inconclusive")
    assert all(v > 0.8 for arm in ("cnn_centered", "mlp_centered") for v in record["arms"][arm]), record["arms"]
