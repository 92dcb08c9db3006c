"""Byte-level BPE — GPT-2의 tokenizer를 처음부터.

논문: A. Radford et al. (2019), "Language Models are Unsupervised Multitask Learners", Section 2.2 (Input
Representation); BPE 자체는 R. Sennrich, B. Haddow & A. Birch (2016), "Neural Machine Translation of Rare Words
with Subword Units", Section 3.2, Algorithm 1.

1. **byte**: 글자 대신 UTF-8 byte를 기본 기호로 삼는다. 기본 vocabulary가 256개뿐인데 어떤 문자열이든 (한국어,
   emoji, 깨진 문자 없이) 표현된다 — unknown token이 없다.
2. **byte ↔ unicode 표** (`bytes_to_unicode`): BPE 코드가 문자열을 다루도록 byte 256개를 각각 "보이는" unicode
   문자 하나에 대응시킨다. 인쇄 가능한 byte (`!`..`~`, `¡`..`¬`, `®`..`ÿ`)는 자기 자신, 나머지 (공백, 제어 문자 등)는
   256 이후의 code point로 옮긴다. 그래서 공백 ' ' (0x20)은 'Ġ' (U+0120)로 보인다.
3. **사전 분할 (pre-tokenisation)** (`PRETOKENIZE`): 정규식으로 먼저 "단어"를 자른다. merge는 단어 경계를 넘지
   않는다 — "dog."과 "dog!"이 "dog"을 따로 배우지 않도록 (논문: "we prevent BPE from merging across character
   categories"). 공백은 뒤 단어의 앞에 붙는다 (" world").
4. **학습** (`BPE.train`): 가장 자주 붙어 나오는 기호 쌍을 새 기호로 합치는 일을 merge 수만큼 되풀이한다.
5. **encode**: 단어마다 byte 기호에서 시작해, 배운 merge 중 **가장 먼저 배운 것(rank가 가장 작은 것)**부터 적용한다.
   **decode**: id → 기호 문자열 → byte (표의 역) → UTF-8.
"""
from __future__ import annotations

import heapq
import json
from collections import Counter, defaultdict
from pathlib import Path

import regex

from utils.core import atomic_write_text

# GPT-2 `encoder.py`의 정규식: 영어 축약형, (앞 공백 하나 +) 글자들, 숫자들, 기타 기호들, 공백.
# `\s+(?!\S)`는 공백 덩어리의 마지막 하나를 남겨 다음 단어에 붙게 한다 ("a   b" → "a", "  ", " b").
PRETOKENIZE = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")


def bytes_to_unicode() -> dict[int, str]:
    """byte 0..255 → 보이는 unicode 문자 하나 (GPT-2 `encoder.py`의 표와 같다)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    table = {b: chr(b) for b in printable}                   # 인쇄 가능한 188개는 자기 자신
    n = 0
    for b in range(256):
        if b not in table:                                   # 나머지 68개는 256, 257, ...로
            table[b] = chr(256 + n)
            n += 1
    return table


BYTE_TO_CHAR = bytes_to_unicode()
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}


def pretokenize(text: str) -> list[str]:
    """text → 단어 조각들 (각각 byte 기호 문자열, 예: " world" → "Ġworld")."""
    return ["".join(BYTE_TO_CHAR[b] for b in piece.encode("utf-8")) for piece in PRETOKENIZE.findall(text)]


class BPE:
    """vocab (기호 → id)와 merges (순서 있는 기호 쌍 list)로 정의되는 byte-level BPE tokenizer.

    id 0..255는 byte 0..255의 기호, 그 뒤는 merge가 만든 새 기호들이 만들어진 순서대로 받는다 (두 merge가 같은
    문자열을 만들면 id는 하나: 그래서 len(vocab) ≤ 256 + len(merges)).
    """

    def __init__(self, merges: list[tuple[str, str]] | None = None):
        merges = list(merges or [])
        self.vocab = {BYTE_TO_CHAR[b]: b for b in range(256)}
        for a, b in merges:
            if a not in self.vocab or b not in self.vocab:
                raise ValueError(f"merge ({a!r}, {b!r})의 기호가 그보다 앞에 정의되지 않았습니다")
            if a + b not in self.vocab:                          # ("a", "bc")와 ("ab", "c")는 같은 기호를 만든다
                self.vocab[a + b] = len(self.vocab)
        self.merges = merges
        self.ranks = {pair: i for i, pair in enumerate(merges)}
        self.inverse = {i: s for s, i in self.vocab.items()}
        self._cache: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return len(self.vocab)

    # ------------------------------------------------------------------ 학습
    @classmethod
    def train(cls, text: str, num_merges: int, return_history: bool = False):
        """Sennrich et al. 2016의 Algorithm 1을 byte 기호 위에서: 가장 잦은 쌍을 합치는 일을 num_merges번.

        같은 횟수의 쌍이 여럿이면 사전순으로 가장 작은 쌍을 고른다 (결과가 늘 같도록). 단어는 빈도와 함께 한 번만
        저장하고, 쌍의 빈도는 merge가 건드린 단어에서만 고친다 (전부 다시 세면 merge마다 corpus 전체를 돈다).
        return_history면 merge 수 k = 0..마다 corpus의 token 수도 돌려준다 (압축률 곡선용).
        """
        if not isinstance(num_merges, int) or num_merges < 0:
            raise ValueError(f"num_merges는 0 이상의 정수여야 합니다: {num_merges!r}")
        if not isinstance(text, str) or not text:
            raise ValueError("학습할 text가 비어 있습니다")
        word_counts = Counter(pretokenize(text))
        words = [list(w) for w in word_counts]                       # 단어 = 기호 list (merge로 줄어든다)
        freqs = list(word_counts.values())
        pair_counts: Counter = Counter()
        where = defaultdict(set)                                     # 쌍 → 그 쌍이 들어 있는 단어 번호들
        for i, (symbols, f) in enumerate(zip(words, freqs)):
            for pair in zip(symbols, symbols[1:]):
                pair_counts[pair] += f
                where[pair].add(i)
        total = sum(len(w) * f for w, f in zip(words, freqs))        # 지금 corpus의 token 수 (처음엔 byte 수)
        history = [total]
        merges = []
        # 가장 잦은 쌍 찾기: (−빈도, 쌍)의 heap. 빈도가 바뀌면 새 항목을 넣고, 꺼낸 항목이 지금 빈도와 다르면 버린다.
        heap = [(-c, pair) for pair, c in pair_counts.items()]
        heapq.heapify(heap)
        for _ in range(num_merges):
            best = None
            while heap:
                negative, pair = heapq.heappop(heap)
                if pair_counts.get(pair, 0) == -negative:
                    best = pair
                    break
            if best is None:
                break                                                # 더 합칠 쌍이 없다 (모든 단어가 한 기호)
            merges.append(best)
            a, b = best
            touched = set()
            for i in sorted(where[best]):
                symbols, f = words[i], freqs[i]
                for pair in zip(symbols, symbols[1:]):               # 이 단어의 옛 쌍을 빼고
                    pair_counts[pair] -= f
                    touched.add(pair)
                    if pair_counts[pair] <= 0:
                        del pair_counts[pair]
                merged, j = [], 0
                while j < len(symbols):
                    if j + 1 < len(symbols) and symbols[j] == a and symbols[j + 1] == b:
                        merged.append(a + b)
                        j += 2
                    else:
                        merged.append(symbols[j])
                        j += 1
                total -= (len(symbols) - len(merged)) * f
                words[i] = merged
                for pair in zip(merged, merged[1:]):                 # 새 쌍을 더한다
                    pair_counts[pair] += f
                    where[pair].add(i)
                    touched.add(pair)
            del where[best]
            for pair in touched:
                if pair in pair_counts:
                    heapq.heappush(heap, (-pair_counts[pair], pair))
            history.append(total)
        tokenizer = cls(merges)
        return (tokenizer, history) if return_history else tokenizer

    # ------------------------------------------------------------------ encode / decode
    def bpe(self, word: str) -> list[str]:
        """단어 하나 (byte 기호 문자열)에 merge를 rank 순서대로 적용한다 (GPT-2 `encoder.py`의 `bpe`)."""
        if word in self._cache:
            return self._cache[word]
        symbols = list(word)
        while len(symbols) > 1:
            pairs = set(zip(symbols, symbols[1:]))
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break                                                # 배운 merge가 더 없다
            a, b = best
            merged, j = [], 0
            while j < len(symbols):
                if j + 1 < len(symbols) and symbols[j] == a and symbols[j + 1] == b:
                    merged.append(a + b)
                    j += 2
                else:
                    merged.append(symbols[j])
                    j += 1
            symbols = merged
        self._cache[word] = symbols
        return symbols

    def encode(self, text: str) -> list[int]:
        if not isinstance(text, str):
            raise ValueError(f"encode는 str을 받습니다: {type(text).__name__}")
        return [self.vocab[s] for word in pretokenize(text) for s in self.bpe(word)]

    def decode(self, ids) -> str:
        """id list → 문자열. 잘린 UTF-8 (다중 byte 문자의 일부만 생성된 경우)은 U+FFFD로 바꾼다."""
        try:
            symbols = "".join(self.inverse[int(i)] for i in ids)
        except KeyError as error:
            raise ValueError(f"vocabulary에 없는 id {error.args[0]} (vocab 크기 {len(self)})") from None
        return bytes(CHAR_TO_BYTE[c] for c in symbols).decode("utf-8", errors="replace")

    # ------------------------------------------------------------------ 파일 (GPT-2 형식)
    def save(self, folder) -> tuple[Path, Path]:
        """`vocab.json` (기호 → id)과 `merges.txt` (한 줄에 "a b")를 GPT-2 / HF와 같은 형식으로 쓴다."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        vocab_path = atomic_write_text(folder / "vocab.json", json.dumps(self.vocab, ensure_ascii=False))
        merges_path = atomic_write_text(folder / "merges.txt",
                                        "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in self.merges))
        return vocab_path, merges_path

    @classmethod
    def load(cls, folder) -> BPE:
        folder = Path(folder)
        lines = (folder / "merges.txt").read_text(encoding="utf-8").splitlines()
        merges = [tuple(line.split(" ")) for line in lines if line and not line.startswith("#version")]
        tokenizer = cls(merges)
        saved = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        if saved != tokenizer.vocab:
            raise ValueError(f"{folder}의 vocab.json이 merges.txt로 만든 vocabulary와 다릅니다")
        return tokenizer


def compare_languages(merge_counts=(0, 1000, 4000)) -> list[dict]:
    """영어 / 한국어 corpus의 앞 90%로 BPE를 학습하고, 뒤 10% (validation)의 문자당 token 수를 잰다."""
    from utils.datasets import load_english_prose, load_korean_prose

    from .data import split_text

    en_train, en_val = split_text(load_english_prose(), 0.1)
    ko_train, ko_val = split_text(load_korean_prose(), 0.1)
    rows = []
    for merges in merge_counts:
        en_bpe, ko_bpe = BPE.train(en_train, merges), BPE.train(ko_train, merges)
        rows.append({"merges": merges,
                     "korean_val_en_bpe": len(en_bpe.encode(ko_val)) / len(ko_val),
                     "korean_val_ko_bpe": len(ko_bpe.encode(ko_val)) / len(ko_val),
                     "english_val_en_bpe": len(en_bpe.encode(en_val)) / len(en_val),
                     "english_val_ko_bpe": len(ko_bpe.encode(en_val)) / len(en_val)})
    return rows


if __name__ == "__main__":
    print("merge 수 | 한국어 val: 영어 BPE, 한국어 BPE | 영어 val: 영어 BPE, 한국어 BPE  (문자당 token 수)")
    for row in compare_languages():
        print(f"{row['merges']:5d} | {row['korean_val_en_bpe']:.3f}  {row['korean_val_ko_bpe']:.3f} | "
              f"{row['english_val_en_bpe']:.3f}  {row['english_val_ko_bpe']:.3f}")
