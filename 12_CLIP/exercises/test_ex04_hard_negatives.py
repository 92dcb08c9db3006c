"""연습문제 04 (hard-negative batch) 채점: 모든 번호가 한 번씩 → batch 안의 key가 같다 → 같은 feature에서 hard batch의
loss가 무작위 batch보다 크다 → InfoNCE 값 → 잘못된 입력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex04_hard_negatives.py`)을 검사한다.
"""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import load_exercise

COLOURS = ["red", "green", "blue", "white"]
SHAPES = ["circle", "square", "ring", "plus", "cross"]


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex04_hard_negatives")


def toy(n=400, seed=0):
    """색 4 × 도형 5의 예와 feature: 이미지 = 색 one-hot + 도형 one-hot + noise, 문장 = 색 + 도형."""
    rng = np.random.default_rng(seed)
    colour, shape = rng.integers(0, 4, n), rng.integers(0, 5, n)
    onehot = np.concatenate([np.eye(4)[colour], np.eye(5)[shape]], axis=1)
    return [COLOURS[c] for c in colour], onehot + 0.3 * rng.normal(size=onehot.shape), onehot


@pytest.mark.parametrize("make", ["hard", "random"])
def test_every_index_exactly_once(ex, make):
    keys, _, _ = toy(103)
    rng = np.random.default_rng(1)
    batches = ex.hard_negative_batches(keys, 16, rng) if make == "hard" else ex.random_batches(103, 16, rng)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(103))
    assert all(len(b) <= 16 for b in batches) and sum(len(b) == 16 for b in batches) == 6


def test_hard_batches_share_their_key(ex):
    keys, _, _ = toy(400)
    batches = ex.hard_negative_batches(keys, 20, np.random.default_rng(2))
    distinct = [len({keys[i] for i in b}) for b in batches]
    assert max(distinct) <= 2                           # key 경계에 걸친 batch만 둘
    assert sum(d == 1 for d in distinct) >= len(batches) - 4
    random = ex.random_batches(400, 20, np.random.default_rng(2))
    assert np.mean([len({keys[i] for i in b}) for b in random]) > 3.5


def test_hard_batches_give_a_larger_loss_on_the_same_features(ex):
    keys, image, text = toy(400)
    hard_batches = ex.hard_negative_batches(keys, 20, np.random.default_rng(3))
    hard = [ex.batch_info_nce(image, text, b, 10.0) for b in hard_batches]
    easy = [ex.batch_info_nce(image, text, b, 10.0) for b in ex.random_batches(400, 20, np.random.default_rng(3))]
    assert np.mean(hard) > np.mean(easy) + 0.2


def test_batch_info_nce_equals_cross_entropy(ex):
    rng = np.random.default_rng(4)
    image, text = rng.normal(size=(12, 6)), rng.normal(size=(12, 6))
    batch = np.array([3, 7, 1, 10, 0])
    Z = 5.0 * F.normalize(torch.tensor(image[batch]), dim=-1) @ F.normalize(torch.tensor(text[batch]), dim=-1).T
    labels = torch.arange(5)
    expected = (F.cross_entropy(Z, labels) + F.cross_entropy(Z.T, labels)).item() / 2
    assert ex.batch_info_nce(image, text, batch, 5.0) == pytest.approx(expected, rel=1e-10)
    assert ex.batch_info_nce(np.ones((3, 2)), np.ones((3, 2)), np.arange(3), 1.0) == pytest.approx(math.log(3))


def test_batch_size_below_two_is_refused(ex):
    with pytest.raises(ValueError):
        ex.hard_negative_batches(["a", "b"], 1, np.random.default_rng(0))
    with pytest.raises(ValueError):
        ex.random_batches(4, 1, np.random.default_rng(0))
