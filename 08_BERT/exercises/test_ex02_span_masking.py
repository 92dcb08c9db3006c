"""연습문제 02 (SpanBERT span masking) 채점: 자른 기하분포 → 그 평균 (약 3.8) → span이 완전한 단어로 되어 있고
예산을 넘지 않음 → 긴 문장에서 연속으로 가려진 길이의 평균 (p = 1이면 whole-word masking처럼 짧다).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_span_masking.py`, 안에서 내가 쓴
`ex01_whole_word_masking.word_groups`)을 검사한다.
"""
import math

import numpy as np
import pytest

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_span_masking")


def pmf_by_hand(p, max_span):
    weights = [p * (1 - p) ** (k - 1) for k in range(1, max_span + 1)]
    return [w / sum(weights) for w in weights]


@pytest.mark.parametrize("p, max_span", [(0.2, 10), (0.5, 3), (1.0, 4), (0.05, 1)])
def test_span_length_pmf(ex, p, max_span):
    assert_close(ex.span_length_pmf(p, max_span), pmf_by_hand(p, max_span), f"pmf (p={p}, max_span={max_span})",
                 rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("p, max_span", [(0.2, 10), (0.5, 3), (0.1, 25), (1.0, 4)])
def test_mean_span_length(ex, p, max_span):
    expected = sum(k * w for k, w in zip(range(1, max_span + 1), pmf_by_hand(p, max_span)))
    assert_close(ex.mean_span_length(p, max_span), expected, f"E[ℓ] (p={p}, max_span={max_span})",
                 rtol=F64_RTOL, atol=F64_ATOL)


def test_mean_span_length_is_the_papers_3_8(ex):
    assert_equal(round(ex.mean_span_length(0.2, 10), 1), 3.8, "E[ℓ] (p = 0.2, max_span = 10), 소수 첫째 자리")


def test_bad_pmf_arguments(ex):
    for kwargs in (dict(p=0.0), dict(p=1.5), dict(max_span=0)):
        with pytest.raises(ValueError):
            ex.span_length_pmf(**kwargs)


TOKENS = (["[CLS]"] + "the un ##believ ##able cat ##s sat on a mat ##ress and play ##ed with foot ##ball ##s".split()
          + ["[SEP]"] + "then it slept for hours and hours near the warm fire ##place".split() + ["[SEP]"])
SPECIAL = [t.startswith("[") for t in TOKENS]


def test_spans_are_whole_words_within_the_budget(ex):
    from .solutions.ex01_whole_word_masking import word_groups  # 채점 쪽 단어 묶음

    groups = word_groups(TOKENS, SPECIAL)
    target = max(1, round(0.15 * sum(len(g) for g in groups)))
    rng = np.random.default_rng(0)
    for _ in range(200):
        chosen = ex.span_mask(TOKENS, SPECIAL, rng)
        assert_equal(len(chosen), len(TOKENS), "mask 길이")
        assert not any(c and s for c, s in zip(chosen, SPECIAL)), "특수 token을 골랐습니다"
        for g in groups:
            assert len({chosen[i] for i in g}) == 1, f"단어 {[TOKENS[i] for i in g]}를 쪼개 골랐습니다"
        assert 1 <= sum(chosen) <= target, f"고른 token 수 {sum(chosen)}, 기대 1 … {target}"


def runs(chosen):
    """연속으로 가려진 구간들의 길이."""
    lengths, current = [], 0
    for c in list(chosen) + [False]:
        if c:
            current += 1
        elif current:
            lengths.append(current)
            current = 0
    return lengths


LONG = ["[CLS]"] + [f"w{i}" for i in range(300)] + ["[SEP]"]                  # 한 조각 단어 300개: target 45
LONG_SPECIAL = [t.startswith("[") for t in LONG]


@pytest.mark.parametrize("p, low, high", [(0.2, 2.8, 5.0), (1.0, 1.0, 1.5)])
def test_masked_runs_are_long_spans_and_fill_the_budget(ex, p, low, high):
    """p = 0.2: 연속으로 가려진 구간이 평균 3단어 안팎 (E[ℓ] ≈ 3.8, 예산 끝에서 짧은 span이 남는다).
    p = 1.0이면 span은 늘 한 단어: whole-word masking처럼 구간이 짧다."""
    rng = np.random.default_rng(1)
    lengths, counts = [], []
    for _ in range(200):
        chosen = ex.span_mask(LONG, LONG_SPECIAL, rng, p=p)
        lengths += runs(chosen)
        counts.append(sum(chosen))
    assert_equal(min(counts), 45, f"p={p}: 긴 문장에서 고른 token 수의 최솟값 (예산 45를 채워야 한다)")
    mean = float(np.mean(lengths))
    assert low <= mean <= high, f"p={p}: 연속으로 가려진 구간의 평균 길이 {mean:.2f}, 기대 [{low}, {high}]"


def test_nothing_to_choose(ex):
    assert_equal(ex.span_mask(["[CLS]", "[SEP]"], [True, True], np.random.default_rng(0)), [False, False],
                 "고를 것이 없을 때의 mask")
    assert math.isclose(sum(ex.span_length_pmf()), 1.0), "pmf의 합이 1이 아닙니다"
