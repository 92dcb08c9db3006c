"""이 장의 데이터 도구: shapes caption의 단어 tokenizer, 학습에서 뺄 (색, 도형) 조합, zero-shot prompt, 한국어 caption.

`utils.datasets.load_shapes`의 caption은 "a large red circle at the top left"처럼 단어 30여 개로만 만들어진다.
그래서 BPE 대신 단어 하나 = token 하나인 작은 tokenizer를 쓴다. 모양은 OpenAI CLIP의 tokenizer와 같다:

    [SOS] w_1 … w_n [EOS] [PAD] …      [PAD] = 0, [SOS] = 1, 단어들, [EOS] = 가장 큰 id (vocab_size − 1)

[EOS]가 가장 큰 id이므로 "EOS의 첫 자리"와 "가장 큰 id의 자리"(HF의 옛 규칙, analysis/ 참고)가 같은 자리를 가리킨다.
"""
from __future__ import annotations

import itertools

import numpy as np

from utils.datasets.images import COLOUR_NAMES, POSITION_NAMES, SHAPE_NAMES, SIZE_NAMES

PAD, SOS = "[PAD]", "[SOS]"
EOS = "[EOS]"
# 학습에서 통째로 뺄 (색, 도형) 조합: 색마다 하나, 도형은 모두 다르게. 남은 72개 조합에서 색 8개와 도형 10개를
# 모두 본다 — 모델이 "red"와 "circle"은 알지만 "red circle"은 본 적이 없다.
HELD_OUT = (("red", "circle"), ("green", "square"), ("blue", "triangle"), ("yellow", "plus"), ("cyan", "ring"),
            ("magenta", "diamond"), ("white", "horizontal bar"), ("orange", "cross"))
COMBINATIONS = tuple(itertools.product(COLOUR_NAMES, SHAPE_NAMES))          # 80개 (색, 도형) class
LANGUAGES = ("en", "ko")

# 한국어 caption: "왼쪽 위에 있는 큰 빨간 원" (위치에 있는 크기 색 도형). 단어 = 띄어쓰기 단위.
KOREAN = {
    "small": "작은", "medium": "중간", "large": "큰",
    "red": "빨간", "green": "초록", "blue": "파란", "yellow": "노란", "cyan": "청록", "magenta": "자홍", "white": "흰",
    "orange": "주황",
    "circle": "원", "ring": "고리", "square": "사각형", "frame": "테두리", "triangle": "삼각형", "diamond": "마름모",
    "plus": "십자", "cross": "엑스", "horizontal bar": "가로 막대", "vertical bar": "세로 막대",
    "top left": "왼쪽 위", "top center": "가운데 위", "top right": "오른쪽 위", "middle left": "왼쪽 가운데",
    "center": "한가운데", "middle right": "오른쪽 가운데", "bottom left": "왼쪽 아래", "bottom center": "가운데 아래",
    "bottom right": "오른쪽 아래",
}


def check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language는 {LANGUAGES} 중 하나여야 합니다: {language!r}")
    return language


def caption(attributes: dict, language: str = "en") -> str:
    """속성 dict → caption. "en"은 `load_shapes`의 caption과 같은 문장, "ko"는 한국어."""
    a = attributes
    if check_language(language) == "en":
        return f"a {a['size']} {a['colour']} {a['shape']} at the {a['position']}"
    return f"{KOREAN[a['position']]}에 있는 {KOREAN[a['size']]} {KOREAN[a['colour']]} {KOREAN[a['shape']]}"


def caption_words(language: str = "en") -> list[str]:
    """caption과 prompt에 나올 수 있는 모든 단어 (정렬, 중복 없음)."""
    captions = [caption({"size": s, "colour": c, "shape": k, "position": p}, language)
                for s, c, k, p in itertools.product(SIZE_NAMES, COLOUR_NAMES, SHAPE_NAMES, POSITION_NAMES)]
    return sorted({word for text in captions for word in text.split()})


class WordTokenizer:
    """단어 = token. `encode(texts)` → (input_ids (B, T) int64, attention_mask (B, T) int64), 오른쪽 padding."""

    def __init__(self, words: list[str] | None = None, context_length: int = 16, language: str = "en"):
        words = caption_words(language) if words is None else list(words)
        if len(set(words)) != len(words) or any(w in (PAD, SOS, EOS) or not w or " " in w for w in words):
            raise ValueError("words는 공백 없는 서로 다른 단어여야 하고 특수 token을 포함하면 안 됩니다")
        self.vocab = [PAD, SOS, *words, EOS]
        self.index = {w: i for i, w in enumerate(self.vocab)}
        self.pad_id, self.sos_id, self.eos_id = 0, 1, len(self.vocab) - 1
        self.context_length = context_length

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def encode_one(self, text: str) -> list[int]:
        unknown = [w for w in text.split() if w not in self.index]
        if unknown:
            raise ValueError(f"vocabulary에 없는 단어 {unknown[:5]}: 이 tokenizer는 shapes caption의 단어만 압니다 "
                             "(한국어 caption이면 WordTokenizer(language='ko'))")
        ids = [self.sos_id, *(self.index[w] for w in text.split()), self.eos_id]
        if len(ids) > self.context_length:
            raise ValueError(f"{text!r}는 [SOS]·[EOS]를 더해 {len(ids)} token으로 "
                             f"context_length={self.context_length}보다 깁니다")
        return ids

    def encode(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(texts, str) or not len(texts):
            raise ValueError("texts는 문자열 하나가 아니라 비어 있지 않은 문자열 목록이어야 합니다")
        rows = [self.encode_one(t) for t in texts]
        T = max(len(r) for r in rows)
        ids = np.full((len(rows), T), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), T), dtype=np.int64)
        for i, row in enumerate(rows):
            ids[i, :len(row)] = row
            mask[i, :len(row)] = 1
        return ids, mask

    def decode(self, ids) -> str:
        return " ".join(self.vocab[i] for i in ids if i not in (self.pad_id, self.sos_id, self.eos_id))


def combination_labels(attributes: list[dict]) -> np.ndarray:
    """attribute dict 목록 → (색, 도형) 조합 번호 (N,), `COMBINATIONS`의 순서."""
    index = {combo: i for i, combo in enumerate(COMBINATIONS)}
    return np.array([index[(a["colour"], a["shape"])] for a in attributes], dtype=np.int64)


def held_out_mask(attributes: list[dict], held_out=HELD_OUT) -> np.ndarray:
    """(N,) bool: 그 이미지의 (색, 도형)이 학습에서 뺀 조합이면 True."""
    held = set(held_out)
    unknown = held - set(COMBINATIONS)
    if unknown:
        raise ValueError(f"모르는 (색, 도형) 조합 {sorted(unknown)}: 색은 {COLOUR_NAMES}, 도형은 {SHAPE_NAMES}")
    return np.array([(a["colour"], a["shape"]) in held for a in attributes], dtype=bool)


def prompts(colour: str, shape: str, ensemble: bool = True, language: str = "en") -> list[str]:
    """(색, 도형) class의 prompt. ensemble=True면 크기 3 × 위치 9 = 27개 template (Section 3.1.4의 prompt
    ensembling: 분류와 상관없는 속성을 모두 말해 보고 평균한다), False면 "a medium … at the center" 하나."""
    if not ensemble:
        return [caption({"size": "medium", "colour": colour, "shape": shape, "position": "center"}, language)]
    return [caption({"size": size, "colour": colour, "shape": shape, "position": position}, language)
            for size in SIZE_NAMES for position in POSITION_NAMES]


def duplicate_caption_pairs(captions: list[str], batch_size: int, epochs: int = 1, seed: int = 0) -> dict:
    """학습 batch 안에서 문장이 똑같은 caption 쌍의 수 (대칭 InfoNCE는 그 쌍도 negative로 센다).

    batch는 `utils.training.fit`과 같은 순서로 나눈다: epoch마다 `torch.randperm(n, generator)` (seed로 시작한
    generator 하나), 앞에서부터 batch_size개씩. 꽉 찬 batch만 센다. 돌려주는 값:
    - pairs_per_batch: batch마다 같은 문장 쌍 수의 평균 (k개가 같으면 k(k−1)/2쌍),
    - rows_per_batch: 자기 짝 말고도 같은 문장이 batch에 있는 caption 수의 평균,
    - loss_floor: 그 중복만으로 생기는 대칭 loss의 하한의 평균. 같은 문장 k개는 text feature가 같다. 이미지 → 문장
      방향: 그 k개 열의 logit이 같아 행이 짝에 1/k보다 큰 확률을 줄 수 없다 (k ln k). 문장 → 이미지 방향: 그 k개
      행이 통째로 같아 k개의 서로 다른 짝에 확률을 나눠야 한다 (역시 k ln k, 균등할 때 최소). 두 방향 모두
      Σ k ln k / N이므로 그 평균인 대칭 loss의 하한도 Σ k ln k / N이다.
    """
    import math

    import torch

    if batch_size < 2 or batch_size > len(captions):
        raise ValueError(f"batch_size는 2 이상, caption 수 {len(captions)} 이하여야 합니다: {batch_size}")
    generator = torch.Generator().manual_seed(seed)
    pairs, rows, floors = [], [], []
    for _ in range(epochs):
        order = torch.randperm(len(captions), generator=generator).tolist()
        for begin in range(0, len(order) - batch_size + 1, batch_size):
            counts = {}
            for i in order[begin:begin + batch_size]:
                counts[captions[i]] = counts.get(captions[i], 0) + 1
            repeated = [k for k in counts.values() if k > 1]
            pairs.append(sum(k * (k - 1) // 2 for k in repeated))
            rows.append(sum(repeated))
            floors.append(sum(k * math.log(k) for k in repeated) / batch_size)
    return {"batches": len(pairs), "pairs_per_batch": float(np.mean(pairs)), "max_pairs": int(max(pairs)),
            "rows_per_batch": float(np.mean(rows)), "loss_floor": float(np.mean(floors))}


def main() -> dict:
    """기본 학습 실행 (`paper/clip_paper.py`: 학습 6,000장, seed 0, 뺀 조합 제거, batch 128, 12 epoch)의 batch에서
    같은 문장 쌍을 센다: python -m 12_CLIP.captions"""
    from utils.datasets import load_shapes

    ds = load_shapes(n_train=6000, n_test=1000, seed=0)
    keep = ~held_out_mask(ds.info["attributes_train"])
    captions = [c for c, k in zip(ds.info["captions_train"], keep) if k]
    stats = duplicate_caption_pairs(captions, batch_size=128, epochs=12, seed=0)
    distinct = len(set(captions))
    print(f"학습 caption {len(captions)}개, 서로 다른 문장 {distinct}개; batch 128 × {stats['batches']}개 (12 epoch)")
    print(f"batch마다 같은 문장 쌍 {stats['pairs_per_batch']:.2f}개 (최대 {stats['max_pairs']}), 그 쌍에 든 caption "
          f"{stats['rows_per_batch']:.2f}개, 중복만으로 생기는 대칭 loss의 하한 {stats['loss_floor']:.4f}")
    return stats


if __name__ == "__main__":
    main()
