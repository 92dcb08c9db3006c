"""식 (3)의 warm-up 학습률 `inverse_sqrt_warmup_lr`: 손으로 계산한 값, 논문 값 (512, 4000), 잘못된 인자."""
import math

import numpy as np
import pytest

from utils.gradcheck import F64_ATOL, F64_RTOL

from .transformer_paper import inverse_sqrt_warmup_lr


def assert_close(actual, expected):
    assert actual == pytest.approx(expected, rel=F64_RTOL, abs=F64_ATOL)


def test_inverse_sqrt_by_hand():
    # d_model=4 → d^−0.5 = 1/2; warmup=4 → warmup^−1.5 = 1/8; s = t+1
    s = inverse_sqrt_warmup_lr(d_model=4, warmup=4)
    assert_close(s(0), 0.5 * 1 / 8)                                           # s=1: min(1, 1/8)
    assert_close(s(1), 0.5 * 2 / 8)                                           # s=2: min(1/√2, 2/8)
    assert_close(s(3), 0.5 * 0.5)                                             # s=4=warmup: 두 항이 같다 (꼭짓점)
    assert_close(s(8), 0.5 / 3)                                               # s=9: min(1/3, 9/8)
    assert_close(s(15), 0.5 / 4)                                              # s=16: min(1/4, 2)
    assert_close(inverse_sqrt_warmup_lr(4, 4, factor=2.0)(8), 1 / 3)


def test_inverse_sqrt_paper_values():
    # 논문: d_model=512, warmup_steps=4000. 꼭짓점 (512·4000)^−0.5는 step 4000 (t = 3999)
    s = inverse_sqrt_warmup_lr(512, 4000)
    lr = [s(t) for t in range(12_000)]
    assert int(np.argmax(lr)) == 3999
    assert_close(lr[3999], 1 / math.sqrt(2_048_000))
    assert np.all(np.diff(lr[:4000]) > 0) and np.all(np.diff(lr[3999:]) < 0)
    assert_close(lr[0], 512 ** -0.5 * 4000 ** -1.5)                           # step 1


@pytest.mark.parametrize("make,name", [
    (lambda: inverse_sqrt_warmup_lr(0, 4000), "d_model"),
    (lambda: inverse_sqrt_warmup_lr(512, 0), "warmup"),
    (lambda: inverse_sqrt_warmup_lr(512, 4000, factor=-1.0), "factor"),
    (lambda: inverse_sqrt_warmup_lr(512, 4000, factor=float("inf")), "factor"),
])
def test_bad_arguments_name_the_argument(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_step_must_be_a_non_negative_integer():
    schedule = inverse_sqrt_warmup_lr(8, 2)
    for bad in (-1, 1.5):
        with pytest.raises(ValueError, match="t="):
            schedule(bad)
    assert schedule(np.int64(1)) == schedule(1)                             # NumPy 정수도 받는다
