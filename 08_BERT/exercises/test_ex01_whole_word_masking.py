"""연습문제 01 (whole-word masking) 채점: 단어 묶기 → 단어를 통째로 고르기 → 목표 개수 → 많은 draw의 통계.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_whole_word_masking.py`)을 검사한다.
"""
import numpy as np
import pytest

from utils.exercises import load_exercise

TOKENS = ["[CLS]", "un", "##aff", "##able", "cat", "##s", "sat", "on", "the", "mat", "[SEP]", "play", "##ing", "[SEP]"]
SPECIAL = [t in ("[CLS]", "[SEP]", "[PAD]") for t in TOKENS]


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_whole_word_masking")


def test_word_groups_attach_continuations_to_the_previous_word(ex):
    assert ex.word_groups(TOKENS, SPECIAL) == [[1, 2, 3], [4, 5], [6], [7], [8], [9], [11, 12]]
    # 특수 token 바로 뒤의 "##" 조각은 붙을 단어가 없으니 혼자 한 단어가 된다
    assert ex.word_groups(["[CLS]", "##x", "y"], [True, False, False]) == [[1], [2]]
    with pytest.raises(ValueError, match="길이"):
        ex.word_groups(["a"], [False, False])


def test_mask_never_splits_a_word_and_hits_the_target(ex):
    groups = ex.word_groups(TOKENS, SPECIAL)
    target = max(1, round(0.15 * sum(len(g) for g in groups)))           # 11 token → 2
    rng = np.random.default_rng(0)
    for _ in range(200):
        chosen = ex.whole_word_mask(TOKENS, SPECIAL, rng)
        assert len(chosen) == len(TOKENS) and not any(c and s for c, s in zip(chosen, SPECIAL))
        for g in groups:                                                  # 단어는 통째로 고르거나 안 고른다
            assert len({chosen[i] for i in g}) == 1, g
        assert 1 <= sum(chosen) <= target


def test_words_longer_than_the_target_are_never_chosen_and_the_rest_evenly(ex):
    groups = ex.word_groups(TOKENS, SPECIAL)
    rng = np.random.default_rng(1)
    n = 3000
    counts = np.zeros(len(groups))
    for _ in range(n):
        chosen = ex.whole_word_mask(TOKENS, SPECIAL, rng)
        counts += [chosen[g[0]] for g in groups]
    # 목표 2 token: 3조각 단어(unaffable)는 절대 못 들어가고, 나머지 단어는 모두 언젠가 골린다
    assert counts[0] == 0 and (counts[1:] > 0).all()
    single = counts[[2, 3, 4, 5]]
    assert single.std() < 5 * np.sqrt(single.mean())                      # 한 조각 단어끼리는 고르게


def test_nothing_to_choose(ex):
    assert ex.whole_word_mask(["[CLS]", "[SEP]"], [True, True], np.random.default_rng(0)) == [False, False]
