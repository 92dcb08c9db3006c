"""연습문제 01 (whole-word masking) 채점: 단어 묶기 → 단어를 통째로 고르기 → 목표 개수 → 많은 draw의 통계 →
3단계 (단어마다 골릴 정확한 확률).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_whole_word_masking.py`)을 검사한다.
"""
import numpy as np
import pytest

from utils.exercises import assert_all_true, assert_close, assert_equal, load_exercise

TOKENS = ["[CLS]", "un", "##aff", "##able", "cat", "##s", "sat", "on", "the", "mat", "[SEP]", "play", "##ing", "[SEP]"]
SPECIAL = [t in ("[CLS]", "[SEP]", "[PAD]") for t in TOKENS]


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_whole_word_masking")


def test_word_groups_attach_continuations_to_the_previous_word(ex):
    assert_equal(ex.word_groups(TOKENS, SPECIAL), [[1, 2, 3], [4, 5], [6], [7], [8], [9], [11, 12]], "단어 묶음")
    # 특수 token 바로 뒤의 "##" 조각은 붙을 단어가 없으니 혼자 한 단어가 된다
    assert_equal(ex.word_groups(["[CLS]", "##x", "y"], [True, False, False]), [[1], [2]],
                 "[CLS] 바로 뒤 ## 조각의 묶음")
    with pytest.raises(ValueError, match="길이"):
        ex.word_groups(["a"], [False, False])


def test_mask_never_splits_a_word_and_hits_the_target(ex):
    groups = ex.word_groups(TOKENS, SPECIAL)
    target = max(1, round(0.15 * sum(len(g) for g in groups)))           # 11 token → 2
    rng = np.random.default_rng(0)
    for _ in range(200):
        chosen = ex.whole_word_mask(TOKENS, SPECIAL, rng)
        assert_equal(len(chosen), len(TOKENS), "mask 길이")
        assert not any(c and s for c, s in zip(chosen, SPECIAL)), f"특수 token을 골랐습니다: {chosen}"
        for g in groups:                                                  # 단어는 통째로 고르거나 안 고른다
            assert len({chosen[i] for i in g}) == 1, f"단어 {[TOKENS[i] for i in g]}를 쪼개 골랐습니다: {chosen}"
        assert 1 <= sum(chosen) <= target, f"고른 token 수 {sum(chosen)}, 기대 1 … {target}"


def test_words_longer_than_the_target_are_never_chosen_and_the_rest_evenly(ex):
    groups = ex.word_groups(TOKENS, SPECIAL)
    rng = np.random.default_rng(1)
    n = 3000
    counts = np.zeros(len(groups))
    for _ in range(n):
        chosen = ex.whole_word_mask(TOKENS, SPECIAL, rng)
        counts += [chosen[g[0]] for g in groups]
    # 목표 2 token: 3조각 단어(unaffable)는 절대 못 들어가고, 나머지 단어는 모두 언젠가 골린다
    assert_equal(counts[0], 0.0, "3조각 단어 unaffable이 골린 횟수 (target 2)")
    assert_all_true(counts[1:] > 0, "나머지 단어가 한 번이라도 골렸는가")
    single = counts[[2, 3, 4, 5]]
    assert single.std() < 5 * np.sqrt(single.mean()), f"한 조각 단어의 횟수가 고르지 않습니다: {single}"


def test_nothing_to_choose(ex):
    assert_equal(ex.whole_word_mask(["[CLS]", "[SEP]"], [True, True], np.random.default_rng(0)), [False, False],
                 "고를 것이 없을 때의 mask")


def test_selection_probability_small_cases_by_hand(ex):
    assert_close(ex.word_selection_probability([1, 1], 1), [0.5, 0.5], "조각 (1, 1), target 1", rtol=1e-12, atol=0)
    assert_close(ex.word_selection_probability([3, 1, 1], 2), [0.0, 1.0, 1.0], "조각 (3, 1, 1), target 2",
                 rtol=1e-12, atol=1e-12)
    # (2, 1), target 2: 2조각이 먼저 오면 그것 하나, 1조각이 먼저면 1조각만 (2조각은 넘친다) → 각 1/2
    assert_close(ex.word_selection_probability([2, 1], 2), [0.5, 0.5], "조각 (2, 1), target 2", rtol=1e-12, atol=0)


def simulate(lengths, target, n, rng):
    """채점 쪽에서 규칙을 따로 흉내 낸 빈도."""
    counts = np.zeros(len(lengths))
    for _ in range(n):
        total = 0
        for word in rng.permutation(len(lengths)):
            if total + lengths[word] > target:
                continue
            counts[word] += 1
            total += lengths[word]
            if total == target:
                break
    return counts / n


@pytest.mark.parametrize("lengths, target", [([1, 2, 3, 1, 2, 1], 3), ([2, 2, 1, 4, 1], 4), ([3, 1, 2, 1, 1, 2, 1], 2)])
def test_selection_probability_matches_many_simulated_draws(ex, lengths, target):
    n = 20_000
    freq = simulate(lengths, target, n, np.random.default_rng(sum(lengths)))
    exact = np.asarray(ex.word_selection_probability(lengths, target), dtype=float)
    sigma = np.sqrt(np.maximum(exact * (1 - exact), 1e-12) / n)
    shown = f"확률 {np.round(exact, 4).tolist()} vs 빈도 {np.round(freq, 4).tolist()}"
    assert_all_true(np.abs(freq - exact) <= 5 * sigma + 1e-12, f"조각 {lengths}, target {target}: {shown}")
