"""연습문제 02 — Batch Normalization의 forward와 backward를 NumPy로: 학습자가 채우는 stub.

문제 설명과 유도: `02_batchnorm_backward.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 04_VGG/exercises --learner -k ex02   # 이 문제만 채점
    make grade CHAPTERS=04                                # 이 장의 채점표 (문제마다 한 줄)

NumPy만 쓴다. 채점은 수치 미분(central difference)과 torch의 `F.batch_norm` autograd로 한다.
"""
from __future__ import annotations

import numpy as np  # noqa: F401 — 구현에 쓴다


def batchnorm_forward(x, gamma, beta, eps: float = 1e-5):
    """학습 모드 BN의 forward (batch 통계, biased 분산).

    Args:
        x: (N, C, H, W).  gamma, beta: (C,).  eps: 분산에 더하는 작은 수.
    Returns:
        (y, cache): y는 x와 같은 shape. cache는 batchnorm_backward가 쓰는 값 (형식은 자유).
    Raises:
        ValueError: x가 4차원이 아니거나 gamma/beta가 (C,)가 아닐 때.
    """
    raise NotImplementedError("batchnorm_forward: μ, σ², x̂, y와 cache (02_batchnorm_backward.md 1단계)")


def batchnorm_backward(dout, cache):
    """batchnorm_forward의 backward.

    Args:
        dout: ∂L/∂y, (N, C, H, W).  cache: batchnorm_forward가 돌려준 것.
    Returns:
        (dx, dgamma, dbeta): (N, C, H, W), (C,), (C,).
    """
    raise NotImplementedError("batchnorm_backward: dβ, dγ, dx (02_batchnorm_backward.md 2–3단계)")


def running_update(x, running_mean, running_var, momentum: float = 0.1):
    """학습 모드 BN forward 한 번 뒤의 running 통계 (PyTorch `BatchNorm2d` 관례).

    Args:
        x: (N, C, H, W).  running_mean, running_var: (C,) 옛 값.  momentum: 새 batch 통계의 비중.
    Returns:
        (new_running_mean, new_running_var), 각 (C,).
    """
    raise NotImplementedError("running_update: 02_batchnorm_backward.md 4단계")
