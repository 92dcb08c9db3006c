"""텍스트 데이터 (모두 내장): 문자 단위 LM용 corpus 세 가지와 부정·역접이 있는 감성 문장. 06·07·08·09·12장.

- `text` — `load_text_corpus`: 표준 라이브러리 모듈 10개의 Python 소스 (영어 docstring·주석 + 코드).
  약 40만 자. PSF License (Python과 함께 배포된다).
- `english` — `load_english_prose`: Python 문서의 영어 산문 `pydoc_data.topics` (`help("if")`가 보여 주는
  언어 레퍼런스 항목들). 약 47만 자. PSF License (Python 문서).
- `korean` — `load_korean_prose`: 이 저장소의 한국어 Markdown (README, theory, docs, 연습문제 설명)에서 code block과
  표를 뺀 산문을 한 번 모아 둔 파일 `corpora/korean_prose.txt` (515,325자, `build_korean_corpus.py`가 만든다).
  문서를 고쳐도 바뀌지 않는다. 이 저장소의 문서와 같은 조건.
- `sentiment` — `load_negation_sentiment`: 부정과 "A but B"가 있는 짧은 영어 감성 문장. 코드로 생성한다.

크기는 Python 3.11.7에서 `len(load_english_prose())` 등으로 잰 값이다. `text`와 `english`는 설치된 Python에 따라
조금씩 다르다 (같은 설치면 언제나 같은 문자열). `korean`은 저장소의 파일이라 어디서나 같다.
"""
from __future__ import annotations

import sysconfig
from pathlib import Path

import numpy as np

from utils.core import DatasetUnavailable, check_positive_int
from utils.datasets.base import Dataset

# 영어 docstring과 주석이 많은 순수 Python 표준 라이브러리 모듈. 이 순서대로 이어 붙인다.
# (this.py는 rot13이라, shlex.py는 라틴 문자 표가 있어 뺐다.)
TEXT_CORPUS_MODULES = ("textwrap", "argparse", "difflib", "heapq", "statistics", "fractions",
                       "contextlib", "functools", "pprint", "queue")


def load_text_corpus(max_chars: int | None = None) -> str:
    """설치된 Python 표준 라이브러리의 소스 텍스트 (`TEXT_CORPUS_MODULES`를 순서대로, 빈 줄 두 개로 이어 붙임).

    `sysconfig.get_paths()["stdlib"]` 아래의 `<module>.py`를 읽는다. 같은 Python 설치에서는 항상 같은 문자열이다
    (Python 버전이 다르면 내용도 다르다). 대략 40만 자. 없는 모듈은 건너뛰고, 하나도 없으면 DatasetUnavailable.
    `max_chars`를 주면 앞에서부터 그만큼만 돌려준다.
    """
    if max_chars is not None:
        check_positive_int("max_chars", max_chars)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    parts = []
    for module in TEXT_CORPUS_MODULES:
        path = stdlib / f"{module}.py"
        if path.is_file():
            parts.append(path.read_text(encoding="utf-8"))
    if not parts:
        raise DatasetUnavailable(f"표준 라이브러리 소스({', '.join(m + '.py' for m in TEXT_CORPUS_MODULES[:3])} 등)가 "
                                 f"{stdlib}에 없으니 .py 소스가 포함된 일반 Python 설치에서 실행하세요.")
    text = "\n\n".join(parts)
    return text if max_chars is None else text[:max_chars]


def char_vocab(text: str) -> tuple[list[str], dict[str, int]]:
    """문자 단위 vocabulary: (정렬된 고유 문자 목록 itos, 문자 → index dict stoi)."""
    if len(text) == 0:
        raise ValueError("text가 비어 있어 vocabulary를 만들 수 없습니다")
    itos = sorted(set(text))
    return itos, {c: i for i, c in enumerate(itos)}


def load_english_prose(max_chars: int | None = None) -> str:
    """Python과 함께 설치되는 영어 산문: `pydoc_data.topics.topics`의 항목들을 key 순서대로 빈 줄 두 개로 잇는다.

    `help("if")`처럼 대화형 도움말이 보여 주는 Python 언어 레퍼런스의 본문이다 (reStructuredText에서 만든 평문).
    코드 예시가 조금 섞여 있지만 대부분 영어 문장이다. 같은 Python 설치에서는 항상 같은 문자열이다.
    """
    if max_chars is not None:
        check_positive_int("max_chars", max_chars)
    try:
        from pydoc_data.topics import topics
    except ImportError as error:
        raise DatasetUnavailable("pydoc_data.topics가 없는 Python 설치입니다: 표준 Python 배포판에서 실행하거나 "
                                 "--data에 UTF-8 텍스트 파일 경로를 주세요.") from error
    text = "\n\n".join(topics[key].strip() for key in sorted(topics))
    return text if max_chars is None else text[:max_chars]


KOREAN_CORPUS_FILE = Path(__file__).resolve().parent / "corpora" / "korean_prose.txt"


def load_korean_prose(max_chars: int | None = None) -> str:
    """이 저장소의 한국어 문서에서 한 번 만들어 둔 산문 corpus (`corpora/korean_prose.txt`, 515,325자).

    code block과 표를 뺀 Markdown 문장들이다. 문서가 바뀌어도 이 파일은 그대로이므로 같은 seed면 같은 숫자가 나온다.
    파일을 만든 방법(어떤 파일을, 어떤 순서로, 어떻게 다듬었는지)과 다시 만드는 명령은
    `utils/datasets/build_korean_corpus.py`에 있다. 파일은 corpus 뒤에 줄바꿈 하나를 붙여 저장되어 있다.
    """
    if max_chars is not None:
        check_positive_int("max_chars", max_chars)
    try:
        data = KOREAN_CORPUS_FILE.read_bytes()
    except OSError as error:
        raise DatasetUnavailable(f"한국어 corpus 파일 {KOREAN_CORPUS_FILE}을 읽지 못했습니다 ({type(error).__name__}): "
                                 "python -m utils.datasets.build_korean_corpus로 다시 만드세요") from None
    text = data.decode("utf-8").removesuffix("\n")
    return text if max_chars is None else text[:max_chars]


SENTIMENT_POSITIVE = ("good", "great", "excellent", "wonderful", "fun", "brilliant", "charming", "moving")
SENTIMENT_NEGATIVE = ("bad", "awful", "boring", "terrible", "dull", "weak", "painful", "bland")
_SENTIMENT_SUBJECTS = ("the movie", "the film", "the plot", "the acting", "the story", "the music", "the ending",
                       "the cast", "this show", "the script")
_SENTIMENT_VERBS = ("was", "is", "felt", "seemed")
_SENTIMENT_NEGATIONS = ("not", "never", "hardly")
_SENTIMENT_INTENSIFIERS = ("", "", "very", "really", "quite")


def _sentiment_clause(polarity: int, rng: np.random.Generator) -> str:
    """극성 polarity(+1 / −1)를 갖는 절 하나: 형용사의 극성 × (부정이면 −1)."""
    negated = bool(rng.integers(2))
    adjective_sign = -polarity if negated else polarity
    adjectives = SENTIMENT_POSITIVE if adjective_sign > 0 else SENTIMENT_NEGATIVE
    words = [_SENTIMENT_SUBJECTS[rng.integers(len(_SENTIMENT_SUBJECTS))],
             _SENTIMENT_VERBS[rng.integers(len(_SENTIMENT_VERBS))]]
    if negated:
        words.append(_SENTIMENT_NEGATIONS[rng.integers(len(_SENTIMENT_NEGATIONS))])
    words.append(_SENTIMENT_INTENSIFIERS[rng.integers(len(_SENTIMENT_INTENSIFIERS))])
    words.append(adjectives[rng.integers(len(adjectives))])
    return " ".join(w for w in words if w)


def _sentiment_split(n: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    labels = rng.permutation(np.arange(n) % 2).astype(np.int64)          # pos / neg를 반씩
    texts = []
    for label in labels:
        polarity = 1 if label == 1 else -1
        if rng.integers(2):                                               # 절 하나
            texts.append(_sentiment_clause(polarity, rng))
        else:                                                             # "A but B": 뒤 절 B가 문장의 극성
            texts.append(f"{_sentiment_clause(-polarity, rng)} but {_sentiment_clause(polarity, rng)}")
    return texts, labels


def load_negation_sentiment(n_train: int = 4000, n_test: int = 1000, seed: int = 0) -> Dataset:
    """부정과 역접 때문에 **단어 순서가 중요한** 짧은 영어 감성 문장 (생성). X list[str], y int64 (1 = pos).

    문장은 절 하나("the plot was not very good" → neg)이거나 "A but B"(극성이 반대인 두 절, 문장의 극성은 뒤 절 B)다.
    절의 극성 = 형용사의 극성 × (not / never / hardly가 있으면 −1). 형용사 극성과 부정 여부를 반반씩 고르므로
    **어떤 단어도 혼자서는 label과 무관하다**: "good"도 "not"도 pos와 neg에 같은 확률로 나온다. 그래서 단어의
    유무만 보는 bag-of-words 선형 모델은 우연(50%) 근처에 머물고, 순서를 읽는 모델(RNN / LSTM)은 거의 100%까지 간다.
    label은 pos / neg 반반. train과 test는 seed에서 갈라진 서로 다른 난수열로 만든다 (`load_imdb`와 같은 형식).
    """
    check_positive_int("n_train", n_train)
    check_positive_int("n_test", n_test)
    train_rng, test_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    X_train, y_train = _sentiment_split(n_train, train_rng)
    X_test, y_test = _sentiment_split(n_test, test_rng)
    info = {"class_names": ["neg", "pos"], "positive_words": list(SENTIMENT_POSITIVE),
            "negative_words": list(SENTIMENT_NEGATIVE), "negations": list(_SENTIMENT_NEGATIONS)}
    return Dataset("sentiment", X_train, y_train, X_test, y_test, info)
