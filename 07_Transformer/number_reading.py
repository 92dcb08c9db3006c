"""숫자 읽기 과제: 아라비아 숫자로 쓴 수를 한국어(한자어 수사)로 읽는다. `3052` → `삼천오십이`.

규칙 (표준 읽기):
- 네 자리씩 끊는다: 일의 자리부터 네 자리가 한 묶음, 그 위 네 자리는 "만" 묶음 (이 과제는 1 … 99,999,999).
- 묶음 안에서 자리마다 숫자 + 자리 이름 (천, 백, 십, 일의 자리는 이름 없음). 0인 자리는 읽지 않는다.
- 천·백·십 자리의 1은 "일"을 떼고 자리 이름만 읽는다: 1111 → 천백십일, 10 → 십.
- "만" 묶음이 0이 아니면 그 묶음을 읽고 "만"을 붙인다. 묶음이 1이면 "일"을 떼고 "만"만: 10000 → 만, 10001 → 만일.
  (일상에서 "일만"이라고도 하지만 여기서는 "만"으로 통일한다.)

왜 attention이 필요한가: 출력의 길이와 순서가 입력과 다르다 (0은 사라지고, 자리 이름이 끼어들고, 같은 숫자가
자리에 따라 "일"이 되기도 사라지기도 한다). 출력 token 하나를 쓰려면 입력의 어느 자리를 읽고 있는지, 그 자리가
끝에서 몇 번째인지 알아야 한다 — cross-attention map이 바로 이 정렬(alignment)을 보여 준다. 학습과 test의 수는
겹치지 않으므로 외워서는 풀 수 없다.
"""
from __future__ import annotations

import numpy as np
import torch

DIGIT_NAMES = "영일이삼사오육칠팔구"
PLACE_NAMES = ("", "십", "백", "천")          # 묶음 안의 자리: 일, 십, 백, 천
MAX_NUMBER = 99_999_999
SPECIALS = ("<pad>", "<bos>", "<eos>")
PAD, BOS, EOS = 0, 1, 2
# source와 target이 한 vocabulary를 쓴다 (Vaswani et al. 2017 §3.4의 공유 embedding)
VOCAB = SPECIALS + tuple("0123456789") + tuple(DIGIT_NAMES) + ("십", "백", "천", "만")
STOI = {token: i for i, token in enumerate(VOCAB)}


def read_group(n: int) -> str:
    """0 ≤ n < 10000인 네 자리 묶음을 읽는다 (0이면 빈 문자열)."""
    text = ""
    for place in (3, 2, 1, 0):
        digit = n // 10 ** place % 10
        if digit == 0:
            continue
        if digit == 1 and place > 0:
            text += PLACE_NAMES[place]                          # 천·백·십 앞의 일은 읽지 않는다
        else:
            text += DIGIT_NAMES[digit] + PLACE_NAMES[place]
    return text


def read_korean(n: int) -> str:
    """0 ≤ n ≤ 99,999,999를 한국어로 읽는다. 0은 "영"."""
    if int(n) != n or not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"0 이상 {MAX_NUMBER:,} 이하의 정수만 읽습니다: 받은 {n!r}")
    n = int(n)
    if n == 0:
        return DIGIT_NAMES[0]
    high, low = divmod(n, 10_000)
    text = ""
    if high:
        text += ("" if high == 1 else read_group(high)) + "만"   # 10000 → 만 (일만이 아니라)
    return text + read_group(low)


def encode(text: str) -> list[int]:
    """문자열 → token id 목록 (한 글자가 token 하나). vocabulary 밖의 글자는 ValueError."""
    unknown = sorted({ch for ch in text if ch not in STOI})
    if unknown:
        raise ValueError(f"vocabulary에 없는 글자 {unknown}: 숫자 0–9와 {''.join(VOCAB[13:])}만 씁니다")
    return [STOI[ch] for ch in text]


def decode(ids) -> str:
    """token id → 문자열. EOS에서 멈추고 PAD·BOS는 건너뛴다."""
    out = []
    for i in (ids.tolist() if isinstance(ids, torch.Tensor) else ids):
        if i == EOS:
            break
        if i not in (PAD, BOS):
            out.append(VOCAB[i])
    return "".join(out)


def sample_numbers(n: int, rng: np.random.Generator, max_digits: int = 8) -> np.ndarray:
    """자릿수를 1 … max_digits에서 고르게 뽑고, 그 자릿수의 수를 고르게 뽑는다 (짧은 수도 충분히 나오도록).

    자릿수 d에 d자리 수가 9·10^{d−1}개뿐이므로 1, 2자리 수는 중복이 많다 (split_numbers가 중복을 없앤다).
    """
    digits = rng.integers(1, max_digits + 1, size=n)
    low = 10 ** (digits - 1)
    low[digits == 1] = 0                                        # 한 자리 수에는 0도 넣는다
    return rng.integers(low, 10 ** digits)


def split_numbers(n_train: int, n_val: int, n_test: int, seed: int = 0, max_digits: int = 8):
    """겹치지 않는 train / validation / test 수. 1–2자리 수 전부(0–99)는 train에 넣는다 (외울 수밖에 없는 부분)."""
    rng = np.random.default_rng(seed)
    base = list(range(100)) if max_digits >= 2 else list(range(10))
    pool = np.unique(sample_numbers(3 * (n_train + n_val + n_test), rng, max_digits))
    pool = pool[pool >= len(base)]
    rng.shuffle(pool)
    need = n_train - len(base) + n_val + n_test
    if len(pool) < need or n_train < len(base):
        raise ValueError(f"서로 다른 수가 모자랍니다: n_train ≥ {len(base)}이고 전체가 {len(pool) + len(base)}개 "
                         f"이하여야 합니다 (받은 {n_train}, {n_val}, {n_test})")
    train = np.concatenate([np.array(base), pool[: n_train - len(base)]])
    rng.shuffle(train)
    rest = pool[n_train - len(base):]
    return train, rest[:n_val], rest[n_val:n_val + n_test]


def make_batch(numbers) -> tuple[torch.Tensor, torch.Tensor]:
    """수 목록 → (src (B, S), tgt (B, T)). src는 숫자 글자, tgt는 BOS + 읽기 + EOS. 오른쪽을 PAD로 채운다."""
    from utils.batching import pad_batch

    src = [encode(str(int(n))) for n in numbers]
    tgt = [[BOS] + encode(read_korean(int(n))) + [EOS] for n in numbers]
    return pad_batch(src, pad_id=PAD), pad_batch(tgt, pad_id=PAD)


__all__ = ["VOCAB", "STOI", "PAD", "BOS", "EOS", "MAX_NUMBER", "read_korean", "read_group", "encode", "decode",
           "sample_numbers", "split_numbers", "make_batch"]
