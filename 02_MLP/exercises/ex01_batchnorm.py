"""연습문제 01 — Batch Normalization을 L1 모듈로: 학습자가 채우는 stub.

문제 설명과 유도: `01_batchnorm.md`. 각 메서드의 `raise NotImplementedError(...)`를 지우고 구현한다.
클래스·메서드 이름·인자·docstring은 바꾸지 않는다 (`test_exercises.py`가 solution과 같은지 검사한다).

    pytest 02_MLP/exercises/test_ex01_batchnorm.py --learner   # 내 구현 검사

논문: S. Ioffe & C. Szegedy (2015), "Batch Normalization", ICML. Algorithm 1, Algorithm 2, 3절.
    학습:  μ_B = (1/N) Σ_n x_n,   σ²_B = (1/N) Σ_n (x_n − μ_B)²,   x̂ = (x − μ_B) / sqrt(σ²_B + ε),   y = γ ⊙ x̂ + β
    평가:  y = γ ⊙ (x − running_mean) / sqrt(running_var + ε) + β
NumPy만 쓴다 (torch는 채점에서 기준으로만 쓰인다).
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
        # 1) 인자 검사 → ValueError
        # 2) self.eps, self.momentum
        # 3) self.params = {"gamma": (D,) 1, "beta": (D,) 0},  self.grads = 같은 key의 0 배열 (np.zeros_like)
        # 4) self.running_mean = (D,) 0,  self.running_var = (D,) 1,  self.training = True
        raise NotImplementedError("BatchNorm.__init__: params·grads·running 통계를 만드세요 (01_batchnorm.md 1단계)")

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
        # 학습: mu = x.mean(0), var = x.var(0) (biased), inv_std = 1/sqrt(var + eps)          (D,)
        #       running_mean ← (1 − m)·running_mean + m·mu
        #       running_var  ← (1 − m)·running_var  + m·var·N/(N − 1)                          (unbiased!)
        # 평가: mu, var 대신 running_mean, running_var (갱신하지 않는다)
        # 공통: x_hat = (x − mu)·inv_std (N, D), backward에 필요한 것을 self.cache에, γ·x_hat + β 반환
        raise NotImplementedError("BatchNorm.forward: 학습·평가 모드의 정규화를 구현하세요 (01_batchnorm.md 2·3단계)")

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """마지막 forward에 대한 backward: grads["gamma"], grads["beta"]를 채우고 dL/dx를 돌려준다.

        학습 모드: dx = (1/N) s (N g − Σ_n g − x̂ Σ_n g x̂),  g = γ ⊙ dout,  s = 1/sqrt(σ²_B + ε)  (compact formula).
        평가 모드: μ, σ²이 상수이므로 dx = g · s_running.

        Args:
            dout: (N, D) = dL/dy.
        Returns:
            (N, D) = dL/dx.
        """
        # grads["gamma"][...] = Σ_n dout ⊙ x_hat,  grads["beta"][...] = Σ_n dout   (제자리에서 채운다)
        # g = dout·γ;  학습 모드면 compact formula, 평가 모드면 g·inv_std
        raise NotImplementedError("BatchNorm.backward: compact formula로 dx를 구하세요 (01_batchnorm.md 4단계)")
