"""연습문제 01 — Batch Normalization을 L1 모듈로: reference solution.

문제: `../01_batchnorm.md`. 학습자 stub: `../ex01_batchnorm.py` (클래스·메서드 이름·signature·docstring이 같다).

논문: S. Ioffe & C. Szegedy (2015), "Batch Normalization: Accelerating Deep Network Training by Reducing Internal
Covariate Shift", ICML. Algorithm 1 (BN transform), Algorithm 2 (추론용 통계량), 3절 (backprop의 연쇄 법칙).
    학습:  μ_B = (1/N) Σ_n x_n,   σ²_B = (1/N) Σ_n (x_n − μ_B)²        (정규화에는 1/N로 나눈 biased 분산)
           x̂ = (x − μ_B) / sqrt(σ²_B + ε),   y = γ ⊙ x̂ + β
           running_mean ← (1 − m) running_mean + m μ_B
           running_var  ← (1 − m) running_var  + m σ²_B · N/(N − 1)   (unbiased 분산, Algorithm 2 step 10 · torch)
    평가:  y = γ ⊙ (x − running_mean) / sqrt(running_var + ε) + β
    backward (학습, g = γ ⊙ dout):  dx = (1/N) · s · (N g − Σ_n g − x̂ ⊙ Σ_n g ⊙ x̂),   s = 1/sqrt(σ²_B + ε)
"""
from __future__ import annotations

import numpy as np


class BatchNorm:
    """(N, D) 입력의 feature마다 batch 통계로 정규화하는 BatchNorm (torch `nn.BatchNorm1d`와 같은 관례).

    L1 모듈 규약: `params` = {"gamma", "beta"}, `grads`는 같은 key·shape, `forward(x)`가 캐시하고
    `backward(dout) -> dx`가 `grads`를 제자리에서 채운다. 학습(`training = True`)과 평가 모드는 `training`
    속성으로 고른다. momentum은 torch의 관례: running ← (1 − momentum)·running + momentum·batch 통계.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, dtype=np.float64):
        """params(gamma = 1, beta = 0), grads(0), running_mean = 0, running_var = 1, training = True 를 만든다.

        Args:
            num_features: D ≥ 1.  eps: 분산에 더하는 ε > 0.  momentum: running 통계의 갱신 비율, [0, 1].
            dtype: 파라미터와 running 통계의 dtype.
        Raises:
            ValueError: num_features < 1, eps ≤ 0, momentum이 [0, 1] 밖.
        """
        if num_features < 1:
            raise ValueError(f"num_features는 1 이상이어야 합니다: {num_features}")
        if eps <= 0:
            raise ValueError(f"eps는 양수여야 합니다: {eps}")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"momentum은 [0, 1] 범위여야 합니다: {momentum}")
        self.eps, self.momentum = eps, momentum
        self.params = {"gamma": np.ones(num_features, dtype=dtype), "beta": np.zeros(num_features, dtype=dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.running_mean = np.zeros(num_features, dtype=dtype)
        self.running_var = np.ones(num_features, dtype=dtype)
        self.training = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        """학습 모드는 batch 통계로 정규화하고 running 통계를 갱신한다. 평가 모드는 running 통계만 쓴다.

        Args:
            x: (N, D) float 배열. 학습 모드에서는 N ≥ 2 (샘플 하나로는 분산을 정할 수 없다).
        Returns:
            (N, D) = γ ⊙ x̂ + β.
        Raises:
            ValueError: x가 (N, D) float 배열이 아니면 (메시지에 기대 shape "(N, D)"를 D의 숫자로 적는다),
                또는 학습 모드에서 N < 2.
        """
        dim = self.params["gamma"].shape[0]
        if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating) or x.ndim != 2 \
                or x.shape[1] != dim:
            raise ValueError(f"x는 shape (N, {dim})의 float 배열이어야 합니다: 받은 shape {np.shape(x)}, "
                             f"dtype {getattr(x, 'dtype', type(x).__name__)}")
        n = x.shape[0]
        if self.training:
            if n < 2:
                raise ValueError(f"학습 모드의 BatchNorm은 batch에 샘플이 2개 이상 필요합니다: N = {n}")
            mu = x.mean(axis=0)                                   # (D,)
            var = x.var(axis=0)                                   # (D,), 1/N로 나눈 biased 분산 (정규화용)
            inv_std = 1.0 / np.sqrt(var + self.eps)               # (D,)
            m = self.momentum
            self.running_mean *= 1.0 - m
            self.running_mean += m * mu
            self.running_var *= 1.0 - m
            self.running_var += m * var * (n / (n - 1))           # unbiased 분산 = biased · N/(N−1)
        else:
            mu, inv_std = self.running_mean, 1.0 / np.sqrt(self.running_var + self.eps)   # (D,), (D,)
        x_hat = (x - mu) * inv_std                                # (N, D)
        self.cache = (x_hat, inv_std, self.training)
        return self.params["gamma"] * x_hat + self.params["beta"]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """마지막 forward에 대한 backward: grads["gamma"], grads["beta"]를 채우고 dL/dx를 돌려준다.

        학습 모드: dx = (1/N) s (N g − Σ_n g − x̂ Σ_n g x̂),  g = γ ⊙ dout,  s = 1/sqrt(σ²_B + ε)  (compact formula).
        평가 모드: μ, σ²이 상수이므로 dx = g · s_running.

        Args:
            dout: (N, D) = dL/dy.
        Returns:
            (N, D) = dL/dx.
        """
        x_hat, inv_std, training = self.cache
        self.grads["gamma"][...] = (dout * x_hat).sum(axis=0)     # (D,)
        self.grads["beta"][...] = dout.sum(axis=0)                # (D,)
        g = dout * self.params["gamma"]                           # dL/dx̂, (N, D)
        if not training:
            return g * inv_std
        return inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))   # (1/N)(N g − Σg − x̂ Σ g x̂)·s
