"""04장 claims.py 검증: quick 경로의 arm, 두 net의 구조·receptive field·parameter 수 (주장의 전제)."""
import math

import pytest
import torch
from torch import nn

from utils.claims import REQUIRED_KEYS, run_claim

from . import claims as C
from .paper.vgg import CONFIGS, n_parameters


def test_quick_run_returns_every_arm_finite():
    claim = C.CLAIMS[0]
    values = claim.run(0, True)
    assert set(values) == set(claim.arms)
    assert all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values.values())


def test_single_config_replaces_each_pair_by_one_conv():
    assert C.single_config(CONFIGS["B"]) == [64, "M", 128, "M", 256, "M", 512, "M", 512, "M"]
    kernels = {arm: [m.kernel_size for m in C.build(arm, 0).features if isinstance(m, nn.Conv2d)] for arm in C.ARMS}
    assert kernels["stack3x3"] == [(3, 3)] * 10 and kernels["single5x5"] == [(5, 5)] * 5


def conv_weight_count(c_in: int, c_out: int, k: int) -> int:
    return k * k * c_in * c_out + c_out + 2 * c_out                      # weight + bias + BN γ, β


def test_parameter_counts_follow_18c2_against_25c2():
    """손으로 센 수: stage마다 3×3 쌍 대 5×5 하나. 전체는 3×3 쪽이 적다 (마지막 stage의 18C² < 25C² 때문)."""
    channels = [16, 32, 64, 128, 128]                                    # width 0.25
    stack = single = 10 * 128 + 10                                       # CIFAR head Linear(128, 10)
    c_in = 3
    for c in channels:
        stack += conv_weight_count(c_in, c, 3) + conv_weight_count(c, c, 3)
        single += conv_weight_count(c_in, c, 5)
        c_in = c
    assert n_parameters(C.build("stack3x3", 0)) == stack == 591_450
    assert n_parameters(C.build("single5x5", 0)) == single == 681_994


@pytest.mark.parametrize("arm", C.ARMS)
def test_both_arms_see_the_same_receptive_field_per_stage(arm):
    """첫 pool 직전 출력 한 점의 gradient가 닿는 입력 영역: 두 arm 모두 5×5."""
    model = C.build(arm, 0).eval()
    first_pool = next(i for i, m in enumerate(model.features) if isinstance(m, nn.MaxPool2d))
    x = torch.randn(1, 3, 32, 32, requires_grad=True)
    model.features[:first_pool](x)[0, :, 16, 16].sum().backward()
    rows, cols = torch.nonzero(x.grad[0].abs().sum(0), as_tuple=True)
    assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (5, 5)


def test_unknown_arm_is_refused():
    with pytest.raises(ValueError, match="arm"):
        C.build("single7x7", 0)


@pytest.mark.slow
def test_one_seed_record_has_every_key():
    """seed 하나의 기본 설정 (CPU 약 40초): 기록의 key, 두 arm 모두 학습된다 (찍기 0.1보다 훨씬 높다)."""
    record = run_claim(C.CLAIMS[0], [0])
    assert set(REQUIRED_KEYS) <= set(record)
    assert all(record["arms"][arm][0] > 0.5 for arm in C.ARMS), record["arms"]
