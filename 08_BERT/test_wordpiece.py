"""WordPiece 검증: basic tokenizer의 각 규칙 → greedy longest-match → 학습 규칙(손으로 푼 예) →
같은 vocabulary에서 `tokenizers`의 BertWordPieceTokenizer, transformers의 BertTokenizer와 같은 출력."""
import unicodedata

import pytest
from tokenizers import BertWordPieceTokenizer

from .wordpiece import SPECIAL_TOKENS, WordPieceTokenizer, basic_tokenize, train_wordpiece, wordpiece

VARIED = [
    "Hello, World! BERT's tokenizer splits punctuation: (a+b)*c = 42... ok?",
    "Café résumé naïve Ångström — “quotes” and ‘single’ … done",
    "tabs\tand\nnewlines\r\nand  double  spaces",
    "control\x00chars\x07 and \ufffd replacement and zero\u200bwidth",
    "中文字符 mixed with English 日本語のかな",
    "한국어 문장도 넣는다: 안녕하세요, 버트! 띄어쓰기없는긴문장",
    "ＦＵＬＬＷＩＤＴＨ letters and emoji 🙂 and $100 ^caret `tick` ~tilde",
    "supercalifragilisticexpialidocious " + "x" * 101 + " short",
    "unaffable unbelievable the [MASK] sat on the [SEP] mat",
]


def test_basic_tokenizer_rules():
    assert basic_tokenize("Hello, World!") == ["hello", ",", "world", "!"]
    assert basic_tokenize("Café NAÏVE") == ["cafe", "naive"]                   # 소문자 + 악센트 제거
    assert basic_tokenize("中文abc") == ["中", "文", "abc"]                    # 한자는 한 글자씩
    assert basic_tokenize("a\x00b\tc") == ["ab", "c"]                          # 제어 문자 삭제, tab은 공백
    assert basic_tokenize("$5^2") == ["$", "5", "^", "2"]                       # ASCII 기호도 구두점
    assert basic_tokenize("Hello", lowercase=False) == ["Hello"]


def test_uncased_normalisation_turns_hangul_syllables_into_jamo():
    word = basic_tokenize("한국어")[0]
    assert word != "한국어" and len(word) == 8                                   # ㅎㅏㄴ ㄱㅜㄱ ㅇㅓ: 3음절 → 8자모
    assert word == unicodedata.normalize("NFD", "한국어")
    assert all(0x1100 <= ord(ch) <= 0x11FF for ch in word)                     # 조합용 자모 블록
    assert basic_tokenize("한국어", lowercase=False) == ["한국어"]                # cased는 음절 그대로


def test_greedy_longest_match_first():
    vocab = {"un", "##aff", "##able", "##a", "##ff", "a", "##b"}
    assert wordpiece("unaffable", vocab) == ["un", "##aff", "##able"]         # ##a + ##ff가 아니라 가장 긴 ##aff
    assert wordpiece("unaffablez", vocab) == ["[UNK]"]                         # 한 곳에서 막히면 단어 전체가 UNK
    assert wordpiece("ab", vocab) == ["a", "##b"]
    assert wordpiece("a" * 101, {"a", "##a"}) == ["[UNK]"]                     # 100자를 넘는 단어
    assert wordpiece("a" * 100, {"a", "##" + "a" * 99}) == ["a", "##" + "a" * 99]


def test_training_uses_the_likelihood_score_not_pair_frequency():
    # 손으로 푼 예: 단어 xy×10, x×90, pq×8 → 조각 x=100, ##y=10, p=8, ##q=8, N = 126
    #   score(x,##y) = 10·log(10·126/(100·10)) = 10·log 1.26  ≈ 2.31
    #   score(p,##q) =  8·log( 8·126/(8·8))    =  8·log 15.75 ≈ 22.06
    #   → BPE(빈도만)는 xy(10번)를 먼저 합치지만 WordPiece는 pq(8번, 늘 붙어 나온다)를 먼저 합친다.
    vocab = train_wordpiece(["xy " * 10 + "x " * 90 + "pq " * 8], vocab_size=len(SPECIAL_TOKENS) + 4 + 2)
    assert vocab == list(SPECIAL_TOKENS) + ["##q", "##y", "p", "x", "pq", "xy"]


def test_training_breaks_ties_in_dictionary_order():
    # ab×5, cb×5, cd×5: a=5, c=10, ##b=10, ##d=5, N=30
    #   score(a,##b) = 5·log(5·30/(5·10)) = 5·log 3,  score(c,##b) = 5·log(5·30/(10·10)) = 5·log 1.5,
    #   score(c,##d) = 5·log(5·30/(10·5)) = 5·log 3 → ab와 cd가 동점: 사전순으로 ab 먼저.
    #   그 뒤 ##b=5: score(c,##b) = 5·log(5·30/(10·5)) = 5·log 3 = score(c,##d) → 다시 동점: ("c","##b")가 앞선다
    vocab = train_wordpiece(["ab " * 5 + "cb " * 5 + "cd " * 5], vocab_size=len(SPECIAL_TOKENS) + 4 + 2)
    assert vocab[-2:] == ["ab", "cb"]


def test_training_stops_when_nothing_is_left_to_merge_and_refuses_a_tiny_vocab():
    vocab = train_wordpiece(["aa aa"], vocab_size=100)
    assert vocab == list(SPECIAL_TOKENS) + ["##a", "a", "aa"]
    with pytest.raises(ValueError, match="vocab_size=3"):
        train_wordpiece(["abc"], vocab_size=3)


@pytest.fixture(scope="module")
def vocab():
    corpus = VARIED[:-1] + ["the cat sat on the mat. unaffable unbelievable tokenizers are fun to build."] * 3
    return train_wordpiece(corpus, vocab_size=220)


def test_same_output_as_tokenizers_bert_wordpiece(vocab):
    ours = WordPieceTokenizer(vocab)
    ref = BertWordPieceTokenizer({t: i for i, t in enumerate(vocab)}, lowercase=True)
    seen_unk = seen_jamo = False
    for text in VARIED:
        expected = ref.encode(text, add_special_tokens=False)
        assert ours.tokenize(text) == expected.tokens, text
        ids, _ = ours.encode(text)
        assert ids == ref.encode(text).ids, text                              # [CLS] … [SEP]까지 같은 id
        seen_unk |= "[UNK]" in expected.tokens
        seen_jamo |= any("\u1100" <= ch <= "\u11ff" for t in expected.tokens for ch in t)
    assert seen_unk and seen_jamo                                              # 검사가 그 경우들을 실제로 지났다


def test_pair_encoding_equals_tokenizers(vocab):
    ours = WordPieceTokenizer(vocab)
    ref = BertWordPieceTokenizer({t: i for i, t in enumerate(vocab)})
    expected = ref.encode(VARIED[0], VARIED[5])
    ids, types = ours.encode(VARIED[0], VARIED[5])
    assert ids == expected.ids and types == expected.type_ids


def test_same_output_as_transformers_bert_tokenizer(vocab):
    from transformers import BertTokenizer

    ref = BertTokenizer(vocab={t: i for i, t in enumerate(vocab)}, do_lower_case=True)
    ours = WordPieceTokenizer(vocab)
    for text in VARIED:
        assert ours.tokenize(text) == ref.tokenize(text), text


def test_truncation_decoding_and_bad_vocab(vocab):
    tok = WordPieceTokenizer(vocab)
    ids, types = tok.encode("the cat sat on the mat", "unaffable tokenizers are fun", max_len=9)
    assert len(ids) == 9 and ids[0] == tok.cls_id and ids.count(tok.sep_id) == 2 and types[-1] == 1
    assert tok.decode(tok.encode("the cat sat")[0]) == "the cat sat"
    with pytest.raises(ValueError, match="특수 token"):
        WordPieceTokenizer(["a", "b"])
    with pytest.raises(ValueError, match="중복"):
        WordPieceTokenizer(list(SPECIAL_TOKENS) + ["a", "a"])
    with pytest.raises(ValueError, match="max_len"):
        tok.encode("a b", "c", max_len=4)
