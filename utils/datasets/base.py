"""모든 데이터 모듈이 함께 쓰는 바탕: `Dataset`, 결정적인 train/test split, train 통계로 하는 표준화.

반환값은 `Dataset`(train/test split과 `info` dict) 하나로 통일한다 (텍스트 corpus 로더만 문자열을 돌려준다).
split은 seed로 결정되며(같은 seed → 같은 split), 분류 데이터는 class 비율을 유지하는 stratified split이다.
test 크기는 scikit-learn `train_test_split`의 규칙대로 ceil(test_fraction · N)이다.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(repr=False)
class Dataset:
    """train/test split 한 벌. X는 `np.ndarray`(텍스트 데이터셋이면 `list[str]`), y는 `np.ndarray`.

    `info`에는 데이터셋마다 필요한 것이 들어간다: `feature_names`, `class_names`, `true_w`, `true_b`,
    `captions_train` / `captions_test`, `attributes_train` / `attributes_test` 등.
    """

    name: str
    X_train: np.ndarray | list
    y_train: np.ndarray
    X_test: np.ndarray | list
    y_test: np.ndarray
    info: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        # 기본 dataclass repr은 배열·문장 목록 전체를 찍으므로 shape / dtype / 길이만 요약한다.
        def brief(a):
            if isinstance(a, np.ndarray):
                return f"array{a.shape} {a.dtype}"
            return f"list[{len(a)}]"

        return (f"Dataset(name={self.name!r}, X_train={brief(self.X_train)}, y_train={brief(self.y_train)}, "
                f"X_test={brief(self.X_test)}, y_test={brief(self.y_test)}, info_keys={sorted(self.info)})")


def check_fraction(test_fraction: float) -> None:
    if not 0.0 < float(test_fraction) < 1.0:
        raise ValueError(f"test_fraction은 0과 1 사이(양 끝 제외)여야 합니다: test_fraction={test_fraction}")


def split(X, y, test_fraction: float, seed: int, stratify: bool):
    """scikit-learn `train_test_split`으로 결정적인 split (분류면 stratify=y)."""
    from sklearn.model_selection import train_test_split

    check_fraction(test_fraction)
    return train_test_split(X, y, test_size=test_fraction, random_state=seed, stratify=y if stratify else None)


def standardize(X_train, X_test, eps: float = 1e-12):
    """feature별 표준화 (x − mean) / std. 통계량은 **train에서만** 구해 test에도 그대로 쓴다 (data leakage 방지).

    첫 축이 sample 축이다. 분산이 0인(상수) 열은 std를 1로 두어 0으로 나누지 않는다 (그 열은 0이 된다).
    반환: (X_train_std, X_test_std, mean, std). mean / std의 shape은 X_train.shape[1:].
    """
    X_train = np.asarray(X_train)
    X_test = np.asarray(X_test)
    if X_train.ndim < 1 or X_train.shape[0] < 1:
        raise ValueError(f"X_train은 sample이 1개 이상인 배열이어야 합니다: shape {X_train.shape}")
    if X_test.shape[1:] != X_train.shape[1:]:
        raise ValueError(f"X_test의 feature shape은 X_train과 같아야 합니다: "
                         f"{X_train.shape[1:]} vs {X_test.shape[1:]}")
    if not np.issubdtype(X_train.dtype, np.floating):
        X_train = X_train.astype(np.float64)
        X_test = X_test.astype(np.float64)
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std < eps, 1.0, std).astype(mean.dtype)
    return (X_train - mean) / std, (X_test - mean) / std, mean, std

