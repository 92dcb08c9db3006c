"""연습문제 04 (hard-negative batch) 채점: 모든 번호가 한 번씩 → batch 안의 key가 같다 → 같은 feature에서 hard batch의
loss가 무작위 batch보다 크다 → InfoNCE 값 → 잘못된 입력 → 4단계 (무작위 batch의 서로 다른 key 수 기댓값).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex04_hard_negatives.py`)을 검사한다.
"""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import assert_close, assert_equal, load_exercise

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
    assert_equal(sorted(flat.tolist()), list(range(103)), f"{make} batch의 번호들 (0 … 102가 한 번씩)")
    assert_equal(sorted(len(b) for b in batches), [7] + [16] * 6, f"{make} batch의 크기들")


def test_hard_batches_share_their_key(ex):
    keys, _, _ = toy(400)
    batches = ex.hard_negative_batches(keys, 20, np.random.default_rng(2))
    distinct = [len({keys[i] for i in b}) for b in batches]
    assert max(distinct) <= 2, f"hard batch 안의 서로 다른 색 수가 2를 넘습니다: {distinct}"   # 경계의 batch만 둘
    assert sum(d == 1 for d in distinct) >= len(batches) - 4, f"색이 하나뿐인 hard batch가 너무 적습니다: {distinct}"
    random = ex.random_batches(400, 20, np.random.default_rng(2))
    mean_random = np.mean([len({keys[i] for i in b}) for b in random])
    assert mean_random > 3.5, f"무작위 batch의 평균 색 수 {mean_random:.2f}, 기대 3.5 초과"


def test_hard_batches_give_a_larger_loss_on_the_same_features(ex):
    keys, image, text = toy(400)
    hard_batches = ex.hard_negative_batches(keys, 20, np.random.default_rng(3))
    hard = [ex.batch_info_nce(image, text, b, 10.0) for b in hard_batches]
    easy = [ex.batch_info_nce(image, text, b, 10.0) for b in ex.random_batches(400, 20, np.random.default_rng(3))]
    assert np.mean(hard) > np.mean(easy) + 0.2, f"hard batch 평균 loss {np.mean(hard):.3f}, 무작위 {np.mean(easy):.3f}"


def test_batch_info_nce_equals_cross_entropy(ex):
    rng = np.random.default_rng(4)
    image, text = rng.normal(size=(12, 6)), rng.normal(size=(12, 6))
    batch = np.array([3, 7, 1, 10, 0])
    Z = 5.0 * F.normalize(torch.tensor(image[batch]), dim=-1) @ F.normalize(torch.tensor(text[batch]), dim=-1).T
    labels = torch.arange(5)
    expected = (F.cross_entropy(Z, labels) + F.cross_entropy(Z.T, labels)).item() / 2
    assert_close(ex.batch_info_nce(image, text, batch, 5.0), expected, "batch 하나의 InfoNCE", rtol=1e-10, atol=0)
    assert_close(ex.batch_info_nce(np.ones((3, 2)), np.ones((3, 2)), np.arange(3), 1.0), math.log(3),
                 "모든 feature가 같을 때 (ln 3)", rtol=1e-10, atol=0)


def test_batch_size_below_two_is_refused(ex):
    with pytest.raises(ValueError):
        ex.hard_negative_batches(["a", "b"], 1, np.random.default_rng(0))
    with pytest.raises(ValueError):
        ex.random_batches(4, 1, np.random.default_rng(0))


@pytest.mark.parametrize("n_keys, batch_size", [(4, 20), (4, 3), (10, 10), (1, 5), (50, 8)])
def test_expected_distinct_keys_matches_simulation(ex, n_keys, batch_size):
    """4단계: 채점 쪽에서 key를 독립·균등하게 뽑아 센 평균 (20,000 batch)과 ±5σ."""
    rng = np.random.default_rng(n_keys * 100 + batch_size)
    keys = rng.integers(0, n_keys, size=(20_000, batch_size))
    distinct = np.array([len(set(row)) for row in keys.tolist()], dtype=float)
    sigma = max(distinct.std(), 1e-12) / np.sqrt(len(distinct))
    assert_close(ex.expected_distinct_keys(n_keys, batch_size), distinct.mean(),
                 f"서로 다른 key 수의 기댓값 (key {n_keys}가지, batch {batch_size})", rtol=0, atol=5 * sigma + 1e-9)
