"""순차 과제 데이터 (생성): adding problem. RNN / LSTM 장.

train과 test는 seed에서 갈라진 서로 다른 난수열로 만든다 (`np.random.SeedSequence(seed).spawn(2)`).
"""
from __future__ import annotations

import numpy as np

from utils.core import check_positive_int
from utils.datasets.base import Dataset


def _adding_split(n: int, T: int, rng: np.random.Generator):
    values = rng.uniform(0.0, 1.0, (n, T)).astype(np.float32)             # (N, T) channel 0
    first = rng.integers(0, T // 2, n)                                    # 앞쪽 절반 [0, T//2)
    second = rng.integers(T // 2, T, n)                                   # 뒤쪽 절반 [T//2, T)
    marker = np.zeros((n, T), dtype=np.float32)                           # (N, T) channel 1
    rows = np.arange(n)
    marker[rows, first] = 1.0
    marker[rows, second] = 1.0
    X = np.stack([values, marker], axis=-1)                               # (N, T, 2)
    y = values[rows, first] + values[rows, second]                        # (N,)
    return X, y.astype(np.float32)


def load_adding_problem(n_train: int = 10000, n_test: int = 1000, seq_len: int = 100, seed: int = 0) -> Dataset:
    """Adding problem (Hochreiter & Schmidhuber 1997, 실험 4; Le, Jaitly & Hinton 2015의 형태).

    X float32 (N, T, 2): channel 0은 uniform[0, 1) 값, channel 1은 marker로 정확히 두 곳만 1이다
    (하나는 앞쪽 절반 [0, T//2), 하나는 뒤쪽 절반 [T//2, T)). 정답 y float32 (N,) = 표시된 두 값의 합.
    먼 과거의 값을 기억해야 하므로 T가 길수록 vanilla RNN이 어려워진다.

    기준선: 항상 1.0을 예측하면 MSE = Var(U1 + U2) = 2 · (1/12) = 1/6 ≈ 0.167.
    모델이 이 값보다 확실히 낮아야 "배웠다"고 말할 수 있다.
    """
    check_positive_int("n_train", n_train)
    check_positive_int("n_test", n_test)
    check_positive_int("seq_len", seq_len, minimum=2)
    train_rng, test_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    X_train, y_train = _adding_split(n_train, seq_len, train_rng)
    X_test, y_test = _adding_split(n_test, seq_len, test_rng)
    info = {"seq_len": seq_len, "baseline_mse": 1.0 / 6.0}
    return Dataset("adding", X_train, y_train, X_test, y_test, info)

