"""숫자 읽기 데이터 검증: 손으로 적은 읽기 표 → 규칙의 경계 → 분할이 겹치지 않음 → batch 모양 → 잘못된 입력."""
import numpy as np
import pytest
import torch

from .number_reading import (
    BOS,
    EOS,
    MAX_NUMBER,
    PAD,
    VOCAB,
    decode,
    encode,
    make_batch,
    read_korean,
    split_numbers,
)

# 코드와 따로, 사람이 읽는 대로 적은 표
READINGS = {
    0: "영", 1: "일", 7: "칠", 10: "십", 11: "십일", 20: "이십", 21: "이십일", 100: "백", 101: "백일",
    110: "백십", 111: "백십일", 999: "구백구십구", 1000: "천", 1001: "천일", 1010: "천십", 1100: "천백",
    3052: "삼천오십이", 2026: "이천이십육", 10000: "만", 10001: "만일", 11000: "만천", 20000: "이만",
    100000: "십만", 110000: "십일만", 1000000: "백만", 10000000: "천만", 12345678: "천이백삼십사만오천육백칠십팔",
    50000300: "오천만삼백", 99999999: "구천구백구십구만구천구백구십구", 21000001: "이천백만일",
}


@pytest.mark.parametrize("number,reading", sorted(READINGS.items()))
def test_reading_matches_the_hand_written_table(number, reading):
    assert read_korean(number) == reading


def test_zeros_vanish_leading_one_is_dropped_and_readings_round_trip():
    rng = np.random.default_rng(0)
    for n in rng.integers(0, MAX_NUMBER + 1, size=2000):
        text = read_korean(int(n))
        assert "영" not in text or n == 0
        assert decode(encode(text) + [EOS, 5]) == text                          # EOS 뒤는 읽지 않는다
        assert text.startswith("일") == (n == 1)                                # 맨 앞의 1은 "일"을 떼고 읽는다


def test_splits_are_disjoint_and_train_holds_all_two_digit_numbers():
    train, val, test = split_numbers(3000, 300, 500, seed=0)
    assert len(train) == 3000 and len(val) == 300 and len(test) == 500
    assert len(set(train) | set(val) | set(test)) == 3800
    assert set(range(100)) <= set(train.tolist())
    digits = np.array([len(str(n)) for n in test])
    assert digits.min() == 3 and digits.max() == 8
    again = split_numbers(3000, 300, 500, seed=0)
    assert all(np.array_equal(a, b) for a, b in zip((train, val, test), again))     # seed → 같은 분할


def test_batch_has_bos_reading_eos_and_right_padding():
    src, tgt = make_batch([3052, 7])
    assert src.shape == (2, 4) and src.dtype == torch.long
    assert decode(src[0]) == "3052" and src[1].tolist() == [VOCAB.index("7"), PAD, PAD, PAD]
    assert tgt[0].tolist()[0] == BOS and decode(tgt[0]) == "삼천오십이"
    assert tgt[1].tolist() == [BOS, VOCAB.index("칠"), EOS] + [PAD] * (tgt.shape[1] - 3)


def test_bad_numbers_and_characters_are_refused():
    for bad in (-1, MAX_NUMBER + 1, 2.5):
        with pytest.raises(ValueError, match="99,999,999"):
            read_korean(bad)
    with pytest.raises(ValueError, match="vocabulary에 없는 글자"):
        encode("12a")
    with pytest.raises(ValueError, match="모자랍니다"):
        split_numbers(50, 10, 10)
