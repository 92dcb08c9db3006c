"""연습문제 02 — Batch Normalization의 forward와 backward를 NumPy로: reference solution.

문제: `../02_batchnorm_backward.md`. 학습자 stub: `../ex02_batchnorm_backward.py` (이름·signature·docstring이 같다).

학습 모드, channel마다 M = N·H·W개 값 (Ioffe & Szegedy 2015, Algorithm 1과 Section 3의 chain rule):
    μ = mean(x),  σ² = mean((x − μ)²),  x̂ = (x − μ)/sqrt(σ² + ε),  y = γ·x̂ + β
"""
from __future__ import annotations

import numpy as np


def batchnorm_forward(x, gamma, beta, eps: float = 1e-5):
    """학습 모드 BN의 forward (batch 통계, biased 분산).

    Args:
        x: (N, C, H, W).  gamma, beta: (C,).  eps: 분산에 더하는 작은 수.
    Returns:
        (y, cache): y는 x와 같은 shape. cache는 batchnorm_backward가 쓰는 값 (형식은 자유).
    Raises:
        ValueError: x가 4차원이 아니거나 gamma/beta가 (C,)가 아닐 때.
    """
    x = np.asarray(x)
    if x.ndim != 4:
        raise ValueError(f"x는 (N, C, H, W) 4차원이어야 합니다: 받은 shape {x.shape}")
    c = x.shape[1]
    if np.shape(gamma) != (c,) or np.shape(beta) != (c,):
        raise ValueError(f"gamma, beta는 ({c},)이어야 합니다: 받은 {np.shape(gamma)}, {np.shape(beta)}")
    axes = (0, 2, 3)
    mean = x.mean(axis=axes, keepdims=True)                     # (1, C, 1, 1)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)      # (1, C, 1, 1), 1/M
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std                                # (N, C, H, W)
    y = gamma[None, :, None, None] * x_hat + beta[None, :, None, None]
    return y, (x_hat, inv_std, gamma)


def batchnorm_backward(dout, cache):
    """batchnorm_forward의 backward.

    Args:
        dout: ∂L/∂y, (N, C, H, W).  cache: batchnorm_forward가 돌려준 것.
    Returns:
        (dx, dgamma, dbeta): (N, C, H, W), (C,), (C,).
    """
    x_hat, inv_std, gamma = cache
    axes = (0, 2, 3)
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * x_hat).sum(axis=axes)
    mean_g = dout.mean(axis=axes, keepdims=True)
    mean_gx = (dout * x_hat).mean(axis=axes, keepdims=True)
    dx = gamma[None, :, None, None] * inv_std * (dout - mean_g - x_hat * mean_gx)
    return dx, dgamma, dbeta


def running_update(x, running_mean, running_var, momentum: float = 0.1):
    """학습 모드 BN forward 한 번 뒤의 running 통계 (PyTorch `BatchNorm2d` 관례).

    Args:
        x: (N, C, H, W).  running_mean, running_var: (C,) 옛 값.  momentum: 새 batch 통계의 비중.
    Returns:
        (new_running_mean, new_running_var), 각 (C,).
    """
    m = x.shape[0] * x.shape[2] * x.shape[3]                            # channel마다 값의 수
    mean = x.mean(axis=(0, 2, 3))
    unbiased = x.var(axis=(0, 2, 3)) * m / (m - 1)                      # running 통계에는 1/(M − 1)
    return ((1 - momentum) * running_mean + momentum * mean,
            (1 - momentum) * running_var + momentum * unbiased)
