"""WordPiece tokenizer를 처음부터: BERT의 basic tokenizer, greedy longest-match-first, 그리고 vocabulary 학습.

논문: Devlin et al. (2018), §3 "Input/Output Representations" — 30,000 token의 WordPiece embedding
(Wu et al. 2016, "Google's Neural Machine Translation System", §4.1; Schuster & Nakajima 2012).
원 코드: google-research/bert `tokenization.py` (BasicTokenizer, WordpieceTokenizer).

1) Basic tokenizer (정규화와 단어 나누기):
   - 제어 문자를 지우고 공백 문자를 ' '로 (clean_text)
   - CJK 한자(漢字) 하나하나의 앞뒤에 공백 (handle_chinese_chars). **한글은 CJK 한자 범위가 아니다.**
   - lower-casing, 그리고 NFD로 분해한 뒤 결합 부호(category Mn)를 지운다 (strip accents: é → e).
     NFD는 한글 음절도 자모로 분해한다: "한" → "ᄒ" + "ᅡ" + "ᆫ" (조합용 자모, U+1100대). 자모는 Mn이
     아니라 Lo라 지워지지는 않지만, 결과는 음절이 아니라 **자모열**이다 (README의 한국어 절).
   - 공백으로 나누고, 구두점(ASCII 기호와 Unicode category P*)마다 따로 떼어낸다.
2) WordPiece: 단어마다 왼쪽부터 vocabulary에 있는 **가장 긴** 조각을 떼어 낸다. 단어 안쪽 조각은 "##"를
   붙여 찾는다. 어느 지점에서든 맞는 조각이 없으면 **단어 전체**가 [UNK] 하나가 된다. 100자를 넘는 단어도 [UNK].
3) 학습 (vocabulary 만들기): 글자에서 시작해, 붙어 나오는 조각 쌍 (a, b)를 하나의 조각 ab로 합치기를
   vocabulary가 원하는 크기가 될 때까지 반복한다. 어느 쌍을 합칠지는 Schuster & Nakajima (2012)와 Wu et al.
   (2016)의 기준 — "unigram 언어 모델의 학습 데이터 likelihood를 가장 많이 늘리는 조각" — 을 근사한 점수로 정한다:
       score(a, b) = f(ab) · log( f(ab) · N / (f(a) · f(b)) )
   (f = 현재 조각 빈도, N = 전체 조각 수). log 안은 "따로 나올 때보다 붙어 나오는 것이 얼마나 더 흔한가"(PMI),
   앞의 f(ab)는 그 일이 몇 번 일어나는가. BPE는 f(ab)만 보고, f(ab)/(f(a)·f(b))만 보면 드문 글자 쌍이
   먼저 합쳐져 작은 vocabulary에서 "the"조차 th ##e로 남는다 — 둘을 곱한 것이 likelihood 증가량의 근사다.
"""
from __future__ import annotations

import math
import unicodedata
from collections import Counter, defaultdict

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
PREFIX = "##"


# --------------------------------------------------------------------------------------------------
# 1) Basic tokenizer
# --------------------------------------------------------------------------------------------------
def _is_whitespace(ch: str) -> bool:
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def _is_control(ch: str) -> bool:
    if ch in "\t\n\r":                                                         # 공백으로 취급한다
        return False
    return unicodedata.category(ch) in ("Cc", "Cf")


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:   # $, ^, ` 같은 ASCII 기호 포함
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk_ideograph(cp: int) -> bool:
    """CJK Unified Ideographs 블록들 (한자). 한글·가나는 여기 들지 않는다."""
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def clean_text(text: str) -> str:
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        out.append(" " if _is_whitespace(ch) else ch)
    return "".join(out)


def normalize(text: str, lowercase: bool = True) -> str:
    """clean → 한자 띄우기 → (소문자 → NFD → 결합 부호 제거). uncased BERT의 정규화."""
    text = clean_text(text)
    text = "".join(f" {ch} " if _is_cjk_ideograph(ord(ch)) else ch for ch in text)
    if lowercase:
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text


def basic_tokenize(text: str, lowercase: bool = True) -> list[str]:
    """정규화한 뒤 공백으로 나누고 구두점을 한 글자씩 떼어 낸다: "Hello, world!" → hello , world !"""
    words = []
    for chunk in normalize(text, lowercase).split():
        current = ""
        for ch in chunk:
            if _is_punctuation(ch):
                if current:
                    words.append(current)
                words.append(ch)
                current = ""
            else:
                current += ch
        if current:
            words.append(current)
    return words


# --------------------------------------------------------------------------------------------------
# 2) Greedy longest-match-first
# --------------------------------------------------------------------------------------------------
def wordpiece(word: str, vocab: dict[str, int] | set[str], unk: str = "[UNK]", max_chars: int = 100) -> list[str]:
    """단어 하나 → 조각들. "unaffable" → un ##aff ##able (vocabulary에 있다면)."""
    if len(word) > max_chars:
        return [unk]
    pieces, start = [], 0
    while start < len(word):
        end = len(word)
        piece = None
        while start < end:                                                      # 가장 긴 것부터 줄여 가며
            candidate = word[start:end] if start == 0 else PREFIX + word[start:end]
            if candidate in vocab:
                piece = candidate
                break
            end -= 1
        if piece is None:                                                       # 이 지점에서 막혔다 → 단어 전체가 UNK
            return [unk]
        pieces.append(piece)
        start = end
    return pieces


class WordPieceTokenizer:
    """vocabulary(token list, 순서 = id)로 text ↔ id. `tokenizers.BertWordPieceTokenizer`와 같은 결과를 낸다."""

    def __init__(self, vocab: list[str], lowercase: bool = True, max_chars: int = 100):
        if len(set(vocab)) != len(vocab):
            raise ValueError("vocabulary에 중복된 token이 있습니다")
        missing = [t for t in SPECIAL_TOKENS if t not in vocab]
        if missing:
            raise ValueError(f"vocabulary에 특수 token {missing}이 없습니다")
        self.vocab = list(vocab)
        self.token_to_id = {t: i for i, t in enumerate(vocab)}
        self.lowercase = lowercase
        self.max_chars = max_chars
        self.pad_id, self.unk_id, self.cls_id, self.sep_id, self.mask_id = (self.token_to_id[t] for t in SPECIAL_TOKENS)

    def __len__(self) -> int:
        return len(self.vocab)

    def tokenize(self, text: str) -> list[str]:
        specials = set(SPECIAL_TOKENS)
        tokens = []
        for word in _split_specials(text, specials):
            if word in specials:                                                # "[MASK]" 같은 특수 token은 그대로
                tokens.append(word)
            else:
                for w in basic_tokenize(word, self.lowercase):
                    tokens.extend(wordpiece(w, self.token_to_id, "[UNK]", self.max_chars))
        return tokens

    def encode(self, text: str, pair: str | None = None, max_len: int | None = None):
        """[CLS] A [SEP] (B [SEP]) → (ids, token_type_ids). max_len이면 더 긴 쪽의 끝에서 잘라 맞춘다."""
        a = [self.token_to_id[t] for t in self.tokenize(text)]
        b = [self.token_to_id[t] for t in self.tokenize(pair)] if pair is not None else None
        n_special = 3 if b is not None else 2
        if max_len is not None:
            if max_len < n_special + (2 if b is not None else 1):
                raise ValueError(f"max_len={max_len}은 특수 token과 문장마다 1 token이 들어갈 만큼 커야 합니다")
            while len(a) + (len(b) if b else 0) + n_special > max_len:
                (a if b is None or len(a) >= len(b) else b).pop()
        ids = [self.cls_id] + a + [self.sep_id]
        types = [0] * len(ids)
        if b is not None:
            ids += b + [self.sep_id]
            types += [1] * (len(b) + 1)
        return ids, types

    def decode(self, ids: list[int]) -> str:
        """조각을 이어 붙인다 ("##"는 앞 조각에 붙는다). 정규화(소문자·악센트)는 되돌릴 수 없다."""
        text = ""
        for i in ids:
            token = self.vocab[i]
            if token in ("[PAD]", "[CLS]", "[SEP]"):
                continue
            text += token[len(PREFIX):] if token.startswith(PREFIX) else (" " + token if text else token)
        return text


def _split_specials(text: str, specials: set[str]) -> list[str]:
    """"[CLS] a [MASK] b" → ["[CLS]", " a ", "[MASK]", " b"] (특수 token 문자열은 나누지 않는다)."""
    parts, i, start = [], 0, 0
    while i < len(text):
        hit = next((s for s in specials if text.startswith(s, i)), None)
        if hit:
            parts += [text[start:i], hit]
            i += len(hit)
            start = i
        else:
            i += 1
    parts.append(text[start:])
    return [p for p in parts if p]


# --------------------------------------------------------------------------------------------------
# 3) Vocabulary 학습
# --------------------------------------------------------------------------------------------------
def train_wordpiece(texts, vocab_size: int, lowercase: bool = True, min_frequency: int = 1,
                    max_chars: int = 100) -> list[str]:
    """말뭉치 → vocabulary (특수 token, 글자, 그리고 score가 큰 순서로 합친 조각).

    N은 처음의 글자 수로 고정한다 (합칠 때마다 조금 줄지만, 고정하면 빈도가 바뀐 쌍의 score만 다시 계산하면 된다).
    합칠 때마다 그 쌍이 든 단어만 다시 센다. 동점이면 쌍의 사전순으로 앞선 것 (결정적).
    """
    words = Counter(w for text in texts for w in basic_tokenize(text, lowercase) if len(w) <= max_chars)
    words = {w: c for w, c in words.items() if c >= min_frequency}
    splits = {w: [w[0]] + [PREFIX + ch for ch in w[1:]] for w in words}        # 단어 → 현재 조각들
    alphabet = sorted({p for pieces in splits.values() for p in pieces})
    vocab = list(SPECIAL_TOKENS) + alphabet
    if vocab_size < len(vocab):
        raise ValueError(f"vocab_size={vocab_size}는 특수 token + 글자 수 {len(vocab)} 이상이어야 합니다")

    counts = _PairCounts()
    for w, pieces in splits.items():
        counts.add(pieces, words[w], w, +1)
    total = sum(counts.piece_freq.values())                                     # N (고정)
    scores = {pair: counts.score(pair, total) for pair in counts.pair_freq}

    while len(vocab) < vocab_size and scores:
        best = max(scores.values())
        a, b = min(pair for pair, value in scores.items() if value == best)
        merged = a + b[len(PREFIX):]
        touched = set()
        for w in list(counts.where[(a, b)]):
            pieces = splits[w]
            touched |= counts.add(pieces, words[w], w, -1)
            new, i = [], 0
            while i < len(pieces):
                if i + 1 < len(pieces) and pieces[i] == a and pieces[i + 1] == b:
                    new.append(merged)
                    i += 2
                else:
                    new.append(pieces[i])
                    i += 1
            splits[w] = new
            touched |= counts.add(new, words[w], w, +1)
        for piece in (a, b, merged):                                            # f(a), f(b)가 바뀐 쌍도 다시
            touched |= counts.pairs_of[piece]
        for pair in touched:
            if pair in counts.pair_freq:
                scores[pair] = counts.score(pair, total)
            else:
                scores.pop(pair, None)
        if merged not in vocab:
            vocab.append(merged)
    return vocab


def _score(f_ab: int, f_a: int, f_b: int, total: int) -> float:
    """f(ab) · log(f(ab) · N / (f(a) · f(b))): 합쳤을 때 unigram likelihood가 느는 양의 근사."""
    return f_ab * math.log(f_ab * total / (f_a * f_b))


class _PairCounts:
    """조각 빈도, 이웃한 조각 쌍의 빈도, 쌍 → 그 쌍이 든 단어, 조각 → 그 조각이 든 쌍."""

    def __init__(self):
        self.piece_freq: Counter = Counter()
        self.pair_freq: Counter = Counter()
        self.where: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
        self.pairs_of: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)

    def add(self, pieces: list[str], freq: int, word: str, sign: int) -> set[tuple[str, str]]:
        """단어 하나의 조각들을 freq번 더하거나(+1) 뺀다(−1). 빈도가 바뀐 쌍들을 돌려준다."""
        for p in pieces:
            self.piece_freq[p] += sign * freq
        pairs = set(zip(pieces, pieces[1:]))
        for pair in zip(pieces, pieces[1:]):
            self.pair_freq[pair] += sign * freq
        for pair in pairs:
            if sign > 0:
                self.where[pair].add(word)
                self.pairs_of[pair[0]].add(pair)
                self.pairs_of[pair[1]].add(pair)
            else:
                self.where[pair].discard(word)
                if self.pair_freq[pair] <= 0:
                    del self.pair_freq[pair]
                    self.pairs_of[pair[0]].discard(pair)
                    self.pairs_of[pair[1]].discard(pair)
        return pairs

    def score(self, pair: tuple[str, str], total: int) -> float:
        return _score(self.pair_freq[pair], self.piece_freq[pair[0]], self.piece_freq[pair[1]], total)
