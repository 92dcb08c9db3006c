"""연습문제 01 — Layer Normalization을 L1 모듈로: 학습자가 채우는 stub.

문제 설명과 유도: `01_layernorm.md`. 각 메서드의 `raise NotImplementedError(...)`를 지우고 구현한다.
클래스·메서드 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 02_MLP/exercises --learner -k ex01   # 이 문제만 채점
    make grade CHAPTERS=02                                # 이 장의 채점표 (문제마다 한 줄)

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
        raise NotImplementedError("LayerNorm.__init__: 인자 검사, params·grads (01_layernorm.md 1단계)")

    def forward(self, x: np.ndarray) -> np.ndarray:
        """sample마다 D개 feature의 평균과 (1/D로 나눈) 분산으로 정규화한다. N = 1 이어도 된다.

        Args:
            x: (N, D) float 배열.
        Returns:
            (N, D) = γ ⊙ x̂ + β.
        Raises:
            ValueError: x가 (N, D) float 배열이 아니면 (메시지에 기대 shape "(N, D)"를 D의 숫자로 적는다).
        """
        # 평균과 분산은 axis=1 (feature 축), keepdims=True 로 (N, 1)
        raise NotImplementedError("LayerNorm.forward: sample마다 정규화 (01_layernorm.md 2단계)")

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """마지막 forward에 대한 backward: grads["gamma"], grads["beta"]를 채우고 dL/dx를 돌려준다 (식은 직접 유도한다).

        Args:
            dout: (N, D) = dL/dy.
        Returns:
            (N, D) = dL/dx.
        """
        raise NotImplementedError("LayerNorm.backward: compact formula (01_layernorm.md 3단계)")


def one_feature_output(x: np.ndarray, gamma: float, beta: float, eps: float = 1e-5) -> np.ndarray:
    """D = 1인 LayerNorm(γ, β, ε)의 출력.

    Args:
        x: (N, 1) float 배열.  gamma, beta: 스칼라 (D = 1이므로 하나씩).  eps: ε > 0.
    Returns:
        (N, 1).
    """
    raise NotImplementedError("one_feature_output: 01_layernorm.md 4단계 (D = 1이면 μ_n은?)")
