"""데이터 — 모든 장이 같은 함수로 데이터를 받는다. 원칙: **기본은 내장(embedded), 실제(real) 데이터는 요청할 때만.**

modality마다 한 모듈 (각각 한 번에 읽을 수 있는 길이):

| 모듈 | 내용 |
|---|---|
| `base` | `Dataset`, 결정적 split, train 통계 표준화 `standardize` |
| `tabular` | 합성 선형 회귀, diabetes, breast cancer |
| `images` | digits (8 / 28 / 32), shapes (+ caption), `channel_standardize`, `random_crop_flip` |
| `sequences` | adding problem |
| `text` | 표준 라이브러리 소스, 영어 산문(`pydoc_data`), 이 저장소의 한국어 산문, 감성 문장 |
| `build_korean_corpus` | 한국어 산문 파일 `corpora/korean_prose.txt`를 저장소의 Markdown에서 만드는 script |
| `real` | MNIST, CIFAR-10(안전한 unpickler + MD5), IMDB, Imagenette(ImageNet 10 class 부분집합) |
| `registry` | `DATASETS` (이름 → 로더 + 설명), `load_dataset`, `load_features` |

내장 데이터셋은 인터넷 없이 항상 된다 (코드로 생성하거나 설치된 패키지 안에 들어 있다). 모든 스크립트의 `--data`
기본값과 모든 테스트는 이쪽만 쓴다. 실제 데이터셋은 `root` 폴더에서 찾고 `download=True`일 때만 내려받는다.
torch / torchvision / scikit-learn은 쓰는 함수 안에서 import한다: 이 package를 import해도 torch는 올라오지 않는다.

    from utils.datasets import load_dataset, standardize
    ds = load_dataset("digits", size=28)          # X_train (N, 1, 28, 28) float32
"""
from utils.core import DatasetUnavailable
from utils.datasets.base import Dataset, standardize
from utils.datasets.images import (
    COLOUR_NAMES,
    DIGIT_SIZES,
    POSITION_NAMES,
    SHAPE_NAMES,
    SIZE_NAMES,
    channel_standardize,
    load_digits,
    load_shapes,
    random_crop_flip,
)
from utils.datasets.real import (
    CIFAR10_CLASSES,
    IMAGENETTE_CLASSES,
    load_cifar10,
    load_imagenette,
    load_imdb,
    load_mnist,
)
from utils.datasets.registry import (
    DATASETS,
    EMBEDDED_DATASETS,
    REAL_DATASETS,
    describe,
    load_dataset,
    load_features,
)
from utils.datasets.sequences import load_adding_problem
from utils.datasets.tabular import load_breast_cancer, load_diabetes, load_synthetic_regression
from utils.datasets.text import (
    SENTIMENT_NEGATIVE,
    SENTIMENT_POSITIVE,
    TEXT_CORPUS_MODULES,
    char_vocab,
    load_english_prose,
    load_korean_prose,
    load_negation_sentiment,
    load_text_corpus,
)

__all__ = [
    "CIFAR10_CLASSES", "COLOUR_NAMES", "DATASETS", "DIGIT_SIZES", "EMBEDDED_DATASETS", "IMAGENETTE_CLASSES",
    "POSITION_NAMES",
    "REAL_DATASETS", "SENTIMENT_NEGATIVE", "SENTIMENT_POSITIVE", "SHAPE_NAMES", "SIZE_NAMES", "TEXT_CORPUS_MODULES",
    "Dataset", "DatasetUnavailable", "channel_standardize", "char_vocab", "describe", "load_adding_problem",
    "load_breast_cancer", "load_cifar10", "load_dataset", "load_diabetes", "load_digits",
    "load_english_prose", "load_features", "load_imagenette", "load_imdb", "load_korean_prose", "load_mnist",
    "load_negation_sentiment",
    "load_shapes", "load_synthetic_regression", "load_text_corpus", "random_crop_flip", "standardize",
]
