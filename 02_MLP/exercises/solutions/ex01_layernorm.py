"""연습문제 01 — Layer Normalization을 L1 모듈로: reference solution.

문제: `../01_layernorm.md`. 학습자 stub: `../ex01_layernorm.py` (클래스·메서드 이름·signature·docstring이 같다).

논문: J. L. Ba, J. R. Kiros & G. E. Hinton (2016), "Layer Normalization", arXiv:1607.06450, §3 식 (4).
통계는 batch가 아니라 한 sample의 D개 feature 위에서 잰다 (torch `nn.LayerNorm(D)`와 같은 관례).
    μ_n = (1/D) Σ_d x_nd,   σ²_n = (1/D) Σ_d (x_nd − μ_n)²
    x̂ = (x − μ_n) / sqrt(σ²_n + ε),   y = γ ⊙ x̂ + β                (γ, β: feature마다, (D,))
"""
from __future__ import annotations

import numpy as np


class LayerNorm:
    """(N, D) 입력을 sample마다 feature 축으로 정규화하는 LayerNorm (torch `nn.LayerNorm(D)`와 같은 관례).

    L1 모듈 규약: `params` = {"gamma", "beta"}, `grads`는 같은 key·shape, `forward(x)`가 캐시하고
    `backward(dout) -> dx`가 `grads`를 제자리에서 채운다. 학습과 평가에서 같은 계산을 한다 (running 통계가 없다).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, dtype=np.float64):
        """params(gamma = 1, beta = 0)와 grads(0)를 만든다.

        Args:
            num_features: D ≥ 1.  eps: 분산에 더하는 ε > 0.  dtype: 파라미터의 dtype.
        Raises:
            ValueError: num_features < 1, eps ≤ 0.
        """
        if num_features < 1:
            raise ValueError(f"num_features는 1 이상이어야 합니다: {num_features}")
        if eps <= 0:
            raise ValueError(f"eps는 양수여야 합니다: {eps}")
        self.eps = eps
        self.params = {"gamma": np.ones(num_features, dtype=dtype), "beta": np.zeros(num_features, dtype=dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x: np.ndarray) -> np.ndarray:
        """sample마다 D개 feature의 평균과 (1/D로 나눈) 분산으로 정규화한다. N = 1 이어도 된다.

        Args:
            x: (N, D) float 배열.
        Returns:
            (N, D) = γ ⊙ x̂ + β.
        Raises:
            ValueError: x가 (N, D) float 배열이 아니면 (메시지에 기대 shape "(N, D)"를 D의 숫자로 적는다).
        """
        dim = self.params["gamma"].shape[0]
        if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating) or x.ndim != 2 \
                or x.shape[1] != dim:
            raise ValueError(f"x는 shape (N, {dim})의 float 배열이어야 합니다: 받은 shape {np.shape(x)}, "
                             f"dtype {getattr(x, 'dtype', type(x).__name__)}")
        mu = x.mean(axis=1, keepdims=True)                        # (N, 1)
        var = x.var(axis=1, keepdims=True)                        # (N, 1), 1/D로 나눈 분산
        inv_std = 1.0 / np.sqrt(var + self.eps)                   # (N, 1)
        x_hat = (x - mu) * inv_std                                # (N, D)
        self.cache = (x_hat, inv_std)
        return self.params["gamma"] * x_hat + self.params["beta"]

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """마지막 forward에 대한 backward: grads["gamma"], grads["beta"]를 채우고 dL/dx를 돌려준다 (식은 직접 유도한다).

        Args:
            dout: (N, D) = dL/dy.
        Returns:
            (N, D) = dL/dx.
        """
        x_hat, inv_std = self.cache
        self.grads["gamma"][...] = (dout * x_hat).sum(axis=0)     # (D,): γ는 모든 sample이 함께 쓴다
        self.grads["beta"][...] = dout.sum(axis=0)                # (D,)
        g = dout * self.params["gamma"]                           # dL/dx̂, (N, D)
        return inv_std * (g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True))


def one_feature_output(x: np.ndarray, gamma: float, beta: float, eps: float = 1e-5) -> np.ndarray:
    """D = 1인 LayerNorm(γ, β, ε)의 출력.

    Args:
        x: (N, 1) float 배열.  gamma, beta: 스칼라 (D = 1이므로 하나씩).  eps: ε > 0.
    Returns:
        (N, 1).
    """
    x = np.asarray(x, dtype=np.float64)
    return np.full_like(x, float(beta))                                   # x − μ = 0: x̂ = 0, 출력은 β뿐
