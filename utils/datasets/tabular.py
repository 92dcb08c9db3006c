"""표(벡터) 데이터: 합성 선형 회귀, scikit-learn에 들어 있는 diabetes(회귀)와 breast-cancer(이진 분류). 01·02장.

모두 내장 데이터: 인터넷 없이 항상 된다. scikit-learn은 쓰는 함수 안에서 import한다.
"""
from __future__ import annotations

import numpy as np

from utils.core import check_positive_int
from utils.datasets.base import Dataset, check_fraction, split


def load_synthetic_regression(n_samples: int = 1000, n_features: int = 5, noise: float = 0.1,
                              test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """선형 회귀용 합성 데이터: y = X @ true_w + true_b + noise · ε,  X, ε ~ N(0, 1).

    정답 파라미터가 `info["true_w"]` (D,), `info["true_b"]` (float)에 있으므로 학습한 w, b와 바로 비교할 수 있다.
    noise가 σ이면 도달 가능한 최저 test MSE는 약 σ²이다. X, y 모두 float64.
    """
    check_positive_int("n_features", n_features)
    check_positive_int("n_samples", n_samples, minimum=2)
    if noise < 0:
        raise ValueError(f"noise는 0 이상이어야 합니다: noise={noise}")
    check_fraction(test_fraction)
    rng = np.random.default_rng(seed)
    true_w = rng.normal(size=n_features)                                  # (D,)
    true_b = float(rng.normal())
    X = rng.normal(size=(n_samples, n_features))                          # (N, D)
    y = X @ true_w + true_b + noise * rng.normal(size=n_samples)          # (N,)
    X_train, X_test, y_train, y_test = split(X, y, test_fraction, seed, stratify=False)
    info = {"true_w": true_w, "true_b": true_b, "noise": float(noise),
            "feature_names": [f"x{i}" for i in range(n_features)]}
    return Dataset("synthetic", X_train, y_train, X_test, y_test, info)


def load_diabetes(test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """scikit-learn에 들어 있는 diabetes 회귀 데이터 (442 × 10, 1년 뒤 질병 진행 정도). float64, y (N,).

    feature는 scikit-learn이 이미 평균 0, 제곱합 1로 맞춰 둔 값(scaled=True)이다.
    """
    from sklearn import datasets

    raw = datasets.load_diabetes()
    X = raw.data.astype(np.float64)                                       # (442, 10)
    y = raw.target.astype(np.float64)                                     # (442,)
    X_train, X_test, y_train, y_test = split(X, y, test_fraction, seed, stratify=False)
    info = {"feature_names": list(raw.feature_names), "target_name": "disease progression after one year"}
    return Dataset("diabetes", X_train, y_train, X_test, y_test, info)


def load_breast_cancer(test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """scikit-learn에 들어 있는 Wisconsin breast cancer 이진 분류 (569 × 30). X float64, y int64.

    label은 scikit-learn 그대로 0 = malignant, 1 = benign (`info["class_names"]`). stratified split.
    """
    from sklearn import datasets

    raw = datasets.load_breast_cancer()
    X = raw.data.astype(np.float64)                                       # (569, 30)
    y = raw.target.astype(np.int64)                                       # (569,)
    X_train, X_test, y_train, y_test = split(X, y, test_fraction, seed, stratify=True)
    info = {"feature_names": list(raw.feature_names), "class_names": [str(c) for c in raw.target_names]}
    return Dataset("breast_cancer", X_train, y_train, X_test, y_test, info)


