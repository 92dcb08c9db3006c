"""데이터셋 registry: `--data` 이름 하나 → 로더 함수 하나 + 한 줄 설명.

레벨 스크립트의 `--data` 선택지 설명과 "알 수 없는 데이터셋" 오류 메시지는 모두 여기서 나온다
(`utils.cli.make_parser`가 `DATASETS`를 읽는다). 새 데이터셋을 더하려면 로더를 modality 모듈
(`tabular`, `images`, `sequences`, `text`, `real`) 중 하나에 쓰고 여기에 한 줄을 더한다.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from utils.core import check_finite
from utils.datasets import images, real, sequences, tabular, text
from utils.datasets.base import Dataset, standardize


@dataclass(frozen=True)
class DatasetEntry:
    loader: Callable
    description: str                 # 한 줄, 한국어
    real: bool = False               # True면 `root`/`download`로 읽는 실제 데이터셋 (없으면 DatasetUnavailable)


DATASETS: dict[str, DatasetEntry] = {
    "synthetic": DatasetEntry(tabular.load_synthetic_regression, "합성 선형 회귀 (참 가중치를 알고 있다)"),
    "diabetes": DatasetEntry(tabular.load_diabetes, "scikit-learn diabetes 회귀, 442 × 10"),
    "breast_cancer": DatasetEntry(tabular.load_breast_cancer, "scikit-learn breast cancer 이진 분류, 569 × 30"),
    "digits": DatasetEntry(images.load_digits, "scikit-learn 손글씨 숫자 1797장 (8×8, 28×28, 32×32)"),
    "shapes": DatasetEntry(images.load_shapes, "합성 RGB 도형 10 class + 영어 caption"),
    "adding": DatasetEntry(sequences.load_adding_problem, "adding problem (표시된 두 값의 합, 긴 의존성)"),
    "text": DatasetEntry(text.load_text_corpus, "Python 표준 라이브러리 소스 텍스트 (약 40만 자)"),
    "english": DatasetEntry(text.load_english_prose, "Python 문서의 영어 산문 pydoc_data.topics (약 47만 자)"),
    "korean": DatasetEntry(text.load_korean_prose, "이 저장소의 한국어 문서 산문 (고정 파일, 약 52만 자)"),
    "sentiment": DatasetEntry(text.load_negation_sentiment, "부정과 'A but B'가 있는 영어 감성 문장 (생성)"),
    "mnist": DatasetEntry(real.load_mnist, "MNIST 손글씨 숫자 60000 / 10000장 (--root, --download)", real=True),
    "cifar10": DatasetEntry(real.load_cifar10, "CIFAR-10 50000 / 10000장 (--root, --download)", real=True),
    "imagenette": DatasetEntry(real.load_imagenette, "Imagenette: ImageNet 10 class 부분집합 9469 / 3925장 "
                                                     "(--root, --download)", real=True),
    "imdb": DatasetEntry(real.load_imdb, "IMDB 영화평 25000 / 25000개 (--root에 aclImdb를 풀어 둔다)", real=True),
}
EMBEDDED_DATASETS = tuple(name for name, entry in DATASETS.items() if not entry.real)
REAL_DATASETS = tuple(name for name, entry in DATASETS.items() if entry.real)


def describe(name: str) -> str:
    """`"digits: scikit-learn 손글씨 숫자 …"` (registry에 없는 이름이면 이름만)."""
    entry = DATASETS.get(name)
    return f"{name}: {entry.description}" if entry is not None else name


def load_dataset(name: str, **kwargs) -> Dataset | str:
    """이름으로 로더를 골라 kwargs를 넘긴다. 텍스트 corpus("text", "english", "korean")는 str, 나머지는 `Dataset`."""
    if name not in DATASETS:
        choices = "; ".join(describe(n) for n in DATASETS)
        raise ValueError(f"알 수 없는 데이터셋 {name!r}: 다음 중 하나를 고르세요 — {choices}")
    return DATASETS[name].loader(**kwargs)


def load_features(name: str, seed: int = 0, root: str | os.PathLike = "data", download: bool = False,
                  standardized: bool = True, max_train: int | None = None, max_test: int | None = None) -> Dataset:
    """표(벡터) 입력을 쓰는 장(01, 02)의 데이터: X를 float64 (N, D)로 펴고, train 통계로 표준화한다.

    실제 데이터셋(mnist 등)은 `root`/`download`로, 내장 데이터는 `seed`로 읽는다. 이미지는 (N, H·W)로 펴진다.
    `max_train`/`max_test`는 표준화 전에 앞쪽 일부만 남긴다 (--quick에서 큰 데이터셋을 줄일 때).
    synthetic 회귀처럼 참 가중치와 비교하려면 `standardized=False`.
    """
    data = load_dataset(name, root=root, download=download) if name in REAL_DATASETS else load_dataset(name, seed=seed)
    X_train = np.asarray(data.X_train, dtype=np.float64).reshape(len(data.X_train), -1)   # (N, D)
    X_test = np.asarray(data.X_test, dtype=np.float64).reshape(len(data.X_test), -1)      # (M, D)
    y_train, y_test = data.y_train[:max_train], data.y_test[:max_test]
    X_train, X_test = X_train[:max_train], X_test[:max_test]
    check_finite(X_train=X_train, X_test=X_test)
    if standardized:
        X_train, X_test, _, _ = standardize(X_train, X_test)                               # 통계는 train에서만
    return Dataset(data.name, X_train, y_train, X_test, y_test, dict(data.info))
