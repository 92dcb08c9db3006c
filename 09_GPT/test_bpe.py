"""byte-level BPE의 증명: byte ↔ unicode 표 → 사전 분할 = tokenizers ByteLevel → 손으로 센 merge →
round trip (한국어, emoji, 제어 문자) → 같은 vocab/merges면 tokenizers BPE와 같은 id → 파일 → 잘못된 입력."""
from __future__ import annotations

import pytest
from tokenizers import Tokenizer, decoders, models, pre_tokenizers

from utils.datasets import load_english_prose, load_korean_prose

from .bpe import BPE, BYTE_TO_CHAR, bytes_to_unicode, pretokenize

VARIED = [
    "Hello, world! It's the model's 2nd try: isn't it?",
    "한국어 문장도 byte 단위로 나뉩니다. 띄어쓰기   여러 칸과\t탭,\n\n줄바꿈까지.",
    "def f(x):\n    return x ** 2  # 제곱\n\tif x != 0: print(f'{x=}')\n",
    "emoji 🙂🚀 and ZWJ 👩‍👩‍👧 and flags 🇰🇷, combining é vs é, CJK 漢字 かな",
    "   leading and trailing spaces   ",
    "\x00\x01 control \x7f bytes \u200b zero-width, \r\n CRLF, non-breaking\u00a0space",
    "numbers 3.14159 1,000,000 and 12345678901234567890 and ١٢٣",
    "'s 't 're 've 'm 'll 'd — contractions, \"quotes\", «guillemets»",
    "",
]


@pytest.fixture(scope="module")
def trained() -> BPE:
    text = load_english_prose(max_chars=40_000) + "\n" + load_korean_prose(max_chars=20_000)
    return BPE.train(text, 300)


def hf_tokenizer(bpe: BPE) -> Tokenizer:
    """같은 vocab과 merges를 `tokenizers`의 BPE에 넣고 GPT-2와 같은 ByteLevel 사전 분할 / decoder를 단다."""
    tok = Tokenizer(models.BPE(vocab=dict(bpe.vocab), merges=list(bpe.merges)))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    return tok


def test_byte_table_is_gpt2s():
    table = bytes_to_unicode()
    assert len(set(table.values())) == 256                                   # 1:1
    assert table[ord("A")] == "A" and table[ord("~")] == "~" and table[0xE9] == "é"   # 인쇄 가능 → 자기 자신
    assert table[ord(" ")] == "Ġ" and table[ord("\n")] == "Ċ" and table[0] == "Ā"   # GPT-2 vocab에 보이는 기호들
    assert set(table.values()) == set(pre_tokenizers.ByteLevel.alphabet())


@pytest.mark.parametrize("text", VARIED)
def test_pretokenize_equals_tokenizers_bytelevel(text):
    theirs = [piece for piece, _ in pre_tokenizers.ByteLevel(add_prefix_space=False).pre_tokenize_str(text)]
    assert pretokenize(text) == theirs


def test_pretokenize_attaches_space_to_the_next_word():
    assert pretokenize("a   b") == ["a", "ĠĠ", "Ġb"]
    assert pretokenize("don't") == ["don", "'t"]


def test_first_merges_by_hand():
    """Sennrich et al. 2016의 예와 같은 말뭉치. 쌍 빈도를 손으로 세면 ('e','s')=9와 ('s','t')=9가 가장 많고 (사전순
    ('e','s') 먼저), 그다음 ('es','t')=9, 그다음 ('l','o')=7과 ('o','w')=7 중 ('l','o')."""
    text = "low" + " low" * 4 + " lower" * 2 + " newest" * 6 + " widest" * 3
    bpe, history = BPE.train(text, 3, return_history=True)
    assert bpe.merges == [("e", "s"), ("es", "t"), ("l", "o")]
    assert history == [len(text.encode()), len(text.encode()) - 9, len(text.encode()) - 18, len(text.encode()) - 25]
    assert bpe.encode(" lowest") == [bpe.vocab["Ġ"], bpe.vocab["lo"], bpe.vocab["w"], bpe.vocab["est"]]


@pytest.mark.parametrize("text", VARIED)
def test_round_trip_is_exact(trained, text):
    assert trained.decode(trained.encode(text)) == text
    assert BPE().decode(BPE().encode(text)) == text                          # merge 없음: byte 그대로
    assert len(BPE().encode(text)) == len(text.encode("utf-8"))


@pytest.mark.parametrize("text", VARIED)
def test_ids_equal_tokenizers_bpe_with_same_vocab_and_merges(trained, text):
    tok = hf_tokenizer(trained)
    assert trained.encode(text) == tok.encode(text).ids
    assert tok.decode(trained.encode(text)) == text


def test_ids_equal_tokenizers_on_a_long_korean_and_english_text(trained):
    text = load_korean_prose(max_chars=80_000)[40_000:] + load_english_prose(max_chars=120_000)[60_000:]
    assert trained.encode(text) == hf_tokenizer(trained).encode(text).ids


def test_history_counts_the_tokens_encode_produces():
    text = load_english_prose(max_chars=20_000)
    full, history = BPE.train(text, 150, return_history=True)
    for k in (0, 10, 75, 150):
        assert len(BPE(full.merges[:k]).encode(text)) == history[k]
    assert all(a >= b for a, b in zip(history, history[1:]))                 # merge는 token 수를 늘리지 않는다


def test_korean_needs_fewer_tokens_with_korean_merges():
    korean = load_korean_prose(max_chars=40_000)
    english_bpe = BPE.train(load_english_prose(max_chars=40_000), 200)
    korean_bpe = BPE.train(korean[:30_000], 200)
    held_out = korean[30_000:]
    assert len(korean_bpe.encode(held_out)) < 0.8 * len(english_bpe.encode(held_out))


def test_save_and_load(tmp_path, trained):
    vocab_path, merges_path = trained.save(tmp_path)
    loaded = BPE.load(tmp_path)
    assert loaded.merges == trained.merges and loaded.vocab == trained.vocab
    tok = Tokenizer(models.BPE.from_file(str(vocab_path), str(merges_path)))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    assert tok.encode(VARIED[1]).ids == trained.encode(VARIED[1])


def test_vocab_ids_are_bytes_then_merges(trained):
    assert all(trained.vocab[BYTE_TO_CHAR[b]] == b for b in range(256))
    assert len(trained) == 256 + len(trained.merges)


def test_bad_input():
    with pytest.raises(ValueError, match="num_merges"):
        BPE.train("abc", -1)
    with pytest.raises(ValueError, match="비어"):
        BPE.train("", 3)
    with pytest.raises(ValueError, match="id 999"):
        BPE().decode([1, 999])
    with pytest.raises(ValueError, match="str"):
        BPE().encode(b"bytes")
    with pytest.raises(ValueError, match="앞에 정의"):
        BPE([("ab", "c")])


def test_load_refuses_mismatched_files(tmp_path):
    BPE([("a", "b")]).save(tmp_path)
    (tmp_path / "merges.txt").write_text("#version: 0.2\nb c\n", encoding="utf-8")
    with pytest.raises(ValueError, match="다릅니다"):
        BPE.load(tmp_path)
