"""CLIP의 식을 코드 밖에서 쓴 식과 비교한다: quick-GELU x·σ(1.702x) (두 레벨), temperature의 시작값 ln(1/0.07)과
상한 ln 100 (Section 2.5)."""
import math

import numpy as np
import torch

from utils.gradcheck import F64_ATOL, F64_RTOL

from ..pytorch_lowlevel import clip_functions as L2
from .clip import LOGIT_SCALE_INIT, LOGIT_SCALE_MAX, quick_gelu


def test_quick_gelu_is_x_times_sigmoid_of_1_702_x_at_both_levels():
    x = np.linspace(-8, 8, 321)
    expected = x / (1 + np.exp(-1.702 * x))
    t = torch.from_numpy(x)
    np.testing.assert_allclose(quick_gelu(t).numpy(), expected, rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(L2.quick_gelu(t).numpy(), expected, rtol=F64_RTOL, atol=F64_ATOL)


def test_temperature_starts_at_0_07_and_is_capped_at_100():
    assert LOGIT_SCALE_INIT == math.log(1 / 0.07)
    assert LOGIT_SCALE_MAX == math.log(100) == L2.LOGIT_SCALE_MAX
    t = torch.tensor([-1.0, 2.0, 4.6, 4.7, 9.0], dtype=torch.float64)
    np.testing.assert_allclose(L2.clamp_logit_scale_(t.clone()).numpy(), [0.0, 2.0, 4.6, math.log(100), math.log(100)])
