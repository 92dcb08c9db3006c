"""연습문제 01 — BN을 앞의 conv에 접어 넣기 (folding): 학습자가 채우는 stub.

문제 설명과 유도: `01_fold_bn.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (`test_exercises.py`가 solution과 같은지 검사한다).

    pytest 04_VGG/exercises/test_ex01_fold_bn.py --learner   # 내 구현 검사

NumPy만 쓴다. 채점은 torch의 `nn.Conv2d` → `nn.BatchNorm2d`(eval 모드)와 출력을 비교한다.
"""
from __future__ import annotations

import numpy as np  # noqa: F401 — 구현에 쓴다


def bn_eval_affine(gamma, beta, running_mean, running_var, eps: float = 1e-5):
    """eval 모드 BN을 channel마다의 y = scale·z + shift로 쓴다.

    Args:
        gamma, beta, running_mean, running_var: (C,) 배열.  eps: 분산에 더하는 작은 수 (PyTorch 기본 1e-5).
    Returns:
        (scale, shift): 둘 다 (C,). scale = γ / sqrt(σ²_run + ε), shift = β − scale·μ_run.
    Raises:
        ValueError: 네 배열의 shape가 (C,)로 같지 않거나 running_var에 음수가 있을 때.
    """
    raise NotImplementedError("bn_eval_affine: scale과 shift (01_fold_bn.md 1단계)")


def fold_bn_into_conv(weight, bias, gamma, beta, running_mean, running_var, eps: float = 1e-5):
    """conv (weight, bias) 뒤의 eval 모드 BN을 conv 하나로 합친다.

    Args:
        weight: (C_out, C_in, KH, KW).  bias: (C_out,) 또는 None (bias 없는 conv = 0).
        gamma, beta, running_mean, running_var: (C_out,).  eps: BN의 ε.
    Returns:
        (folded_weight, folded_bias): (C_out, C_in, KH, KW), (C_out,).
        conv2d(x, folded_weight, folded_bias) == BN_eval(conv2d(x, weight, bias)) (같은 stride·padding).
    Raises:
        ValueError: weight가 4차원이 아니거나 C_out이 BN의 channel 수와 다를 때.
    """
    raise NotImplementedError("fold_bn_into_conv: W' = scale·W, b' = scale·b + shift (01_fold_bn.md 2단계)")
