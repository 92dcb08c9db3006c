"""연습문제 01 — BN을 앞의 conv에 접어 넣기 (folding): 학습자가 채우는 stub.

문제 설명과 유도: `01_fold_bn.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 04_VGG/exercises --learner -k ex01   # 이 문제만 채점
    make grade CHAPTERS=04                                # 이 장의 채점표 (문제마다 한 줄)

NumPy만 쓴다. 채점은 torch의 `nn.Conv2d` → `nn.BatchNorm2d`(eval 모드)와 출력을 비교한다.
"""
from __future__ import annotations

import numpy as np  # noqa: F401 — 구현에 쓴다


def bn_eval_affine(gamma, beta, running_mean, running_var, eps: float = 1e-5):
    """eval 모드 BN을 channel마다의 y = scale·z + shift로 쓴다.

    Args:
        gamma, beta, running_mean, running_var: (C,) 배열.  eps: 분산에 더하는 작은 수 (PyTorch 기본 1e-5).
    Returns:
        (scale, shift): 둘 다 (C,). eval 모드 BN(z) = scale·z + shift.
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
    raise NotImplementedError("fold_bn_into_conv: 1단계의 scale, shift를 conv에 넣는다 (01_fold_bn.md 2단계)")


def values_removed_by_folding(config) -> int:
    """VGG 식 config의 conv(bias 있음) + BN을 모두 conv 하나로 접을 때 사라지는 저장 값의 수.

    Args:
        config: `[64, "M", 128, ...]` 같은 list (정수는 3×3 conv + BN + ReLU, "M"은 max-pool).
    Returns:
        γ, β, running_mean, running_var 가운데 접은 뒤 남지 않는 값의 개수 (num_batches_tracked 제외).
    """
    raise NotImplementedError("values_removed_by_folding: 01_fold_bn.md 3단계")
