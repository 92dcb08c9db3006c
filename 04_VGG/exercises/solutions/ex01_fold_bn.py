"""연습문제 01 — BN을 앞의 conv에 접어 넣기 (folding): reference solution.

문제: `../01_fold_bn.md`. 학습자 stub: `../ex01_fold_bn.py` (함수 이름·signature·docstring이 같다).

eval 모드의 BN은 channel마다 고정된 affine 변환이다:
    BN(z) = γ·(z − μ_run)/sqrt(σ²_run + ε) + β = a·z + c,   a = γ/sqrt(σ²_run + ε),   c = β − a·μ_run
z = W∗x + b 이므로 BN(z) = (a·W)∗x + (a·b + c): conv 하나로 합쳐진다.
"""
from __future__ import annotations

import numpy as np


def bn_eval_affine(gamma, beta, running_mean, running_var, eps: float = 1e-5):
    """eval 모드 BN을 channel마다의 y = scale·z + shift로 쓴다.

    Args:
        gamma, beta, running_mean, running_var: (C,) 배열.  eps: 분산에 더하는 작은 수 (PyTorch 기본 1e-5).
    Returns:
        (scale, shift): 둘 다 (C,). eval 모드 BN(z) = scale·z + shift.
    Raises:
        ValueError: 네 배열의 shape가 (C,)로 같지 않거나 running_var에 음수가 있을 때.
    """
    arrays = [np.asarray(a) for a in (gamma, beta, running_mean, running_var)]
    if any(a.ndim != 1 or a.shape != arrays[0].shape for a in arrays):
        raise ValueError(f"gamma, beta, running_mean, running_var는 모두 같은 (C,) shape여야 합니다: "
                         f"{[a.shape for a in arrays]}")
    gamma, beta, mean, var = arrays
    if np.any(var < 0):
        raise ValueError("running_var에 음수가 있습니다: 분산은 0 이상이어야 합니다")
    scale = gamma / np.sqrt(var + eps)
    return scale, beta - scale * mean


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
    weight = np.asarray(weight)
    if weight.ndim != 4:
        raise ValueError(f"weight는 (C_out, C_in, KH, KW) 4차원이어야 합니다: 받은 shape {weight.shape}")
    scale, shift = bn_eval_affine(gamma, beta, running_mean, running_var, eps)
    if scale.shape[0] != weight.shape[0]:
        raise ValueError(f"conv의 C_out={weight.shape[0]}과 BN의 channel 수 {scale.shape[0]}가 다릅니다")
    bias = np.zeros(weight.shape[0], dtype=weight.dtype) if bias is None else np.asarray(bias)
    folded_weight = weight * scale[:, None, None, None]          # 출력 channel마다 filter 전체에 scale
    folded_bias = scale * bias + shift
    return folded_weight, folded_bias


def values_removed_by_folding(config) -> int:
    """VGG 식 config의 conv(bias 있음) + BN을 모두 conv 하나로 접을 때 사라지는 저장 값의 수.

    Args:
        config: `[64, "M", 128, ...]` 같은 list (정수는 3×3 conv + BN + ReLU, "M"은 max-pool).
    Returns:
        γ, β, running_mean, running_var 가운데 접은 뒤 남지 않는 값의 개수 (num_batches_tracked 제외).
    """
    return sum(4 * c for c in config if c != "M")                      # BN마다 γ, β, μ_run, σ²_run (C개씩)
