"""연습문제 01 (2-D sin-cos position embedding) 채점: 주파수 → timm `build_sincos2d_pos_embed`와 같은 표 →
위치마다 float64로 식을 그대로 계산한 표 → 내적이 위치 차이에만 달려 있음 → 잘못된 dim →
3단계 (가장 낮은 주파수가 격자 한 변에서 도는 바퀴 수).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_sincos_2d.py`)을 검사한다.
"""
import math

import pytest
import torch
from timm.layers.pos_embed_sincos import build_sincos2d_pos_embed

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F32_ATOL


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_sincos_2d")


def by_hand(h, w, dim, temperature=10000.0):
    """위치 (y, x)마다 배경 수식을 float64 Python 수로 그대로 계산한 표."""
    n = dim // 4
    rows = []
    for y in range(h):
        for x in range(w):
            omega = [temperature ** (-k / n) for k in range(n)]
            rows.append([math.sin(y * o) for o in omega] + [math.sin(x * o) for o in omega]
                        + [math.cos(y * o) for o in omega] + [math.cos(x * o) for o in omega])
    return torch.tensor(rows, dtype=torch.float64)


def test_frequencies_are_a_geometric_sequence_from_one(ex):
    omega = ex.frequencies(8)
    assert_equal((tuple(omega.shape), omega.dtype), ((8,), torch.float32), "ω의 (shape, dtype)")
    assert_equal(omega[0].item(), 1.0, "ω_0")
    ratio = 10000.0 ** (-1 / 8)
    assert_close(omega[1:] / omega[:-1], torch.full((7,), ratio), "ω_{k+1} / ω_k", rtol=1e-6, atol=0)
    assert_close(ex.frequencies(4, temperature=100.0), torch.tensor([1.0, 100 ** -0.25, 0.1, 100 ** -0.75]),
                 "ω (n = 4, T = 100)", rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("h, w, dim, temperature", [(14, 14, 768, 10000.0), (4, 6, 16, 10000.0),
                                                    (3, 1, 8, 100.0), (1, 1, 4, 10000.0)])
def test_same_table_as_timm(ex, h, w, dim, temperature):
    ours = ex.sincos_2d(h, w, dim, temperature)
    theirs = build_sincos2d_pos_embed([h, w], dim=dim, temperature=temperature)
    assert_equal((tuple(ours.shape), ours.dtype), ((h * w, dim), torch.float32), "표의 (shape, dtype)")
    assert_close(ours, theirs, f"sin-cos 표 vs timm ({h}×{w}, D={dim}, T={temperature})", rtol=0, atol=F32_ATOL)


@pytest.mark.parametrize("h, w, dim", [(3, 5, 12), (5, 3, 8), (2, 2, 4)])
def test_equals_the_formula_position_by_position(ex, h, w, dim):
    assert_close(ex.sincos_2d(h, w, dim).double(), by_hand(h, w, dim), f"sin-cos 표 vs 식 ({h}×{w}, D={dim})",
                 rtol=0, atol=F32_ATOL)


def test_row_i_is_position_i_div_w_i_mod_w(ex):
    h, w, dim = 3, 5, 8                                       # n = 2, ω_0 = 1: 첫 열 = sin(y), 셋째 열 = sin(x)
    table = ex.sincos_2d(h, w, dim)
    for i in range(h * w):
        y, x = divmod(i, w)
        assert_close(table[i, [0, 2]], [math.sin(y), math.sin(x)], f"{i}번째 줄의 sin(y), sin(x) (y, x = {y}, {x})",
                     rtol=0, atol=1e-6)


def test_dot_product_depends_only_on_the_offset_and_norm_is_half_dim(ex):
    h, w, dim = 6, 7, 32
    table = ex.sincos_2d(h, w, dim).double()
    omega = ex.frequencies(dim // 4).double()
    positions = [divmod(i, w) for i in range(h * w)]
    gram = table @ table.T
    for i in (0, 9, 41):
        for j in range(h * w):
            dy, dx = positions[i][0] - positions[j][0], positions[i][1] - positions[j][1]
            expected = torch.cos(omega * dy).sum() + torch.cos(omega * dx).sum()
            assert_close(gram[i, j], expected, f"위치 {positions[i]}와 {positions[j]}의 내적", rtol=0, atol=1e-4)
    assert_close(gram.diagonal(), torch.full((h * w,), dim / 2, dtype=torch.float64), "‖e‖² (= D/2)",
                 rtol=0, atol=1e-5)


def test_dim_not_divisible_by_four_is_refused(ex):
    with pytest.raises(ValueError, match="6"):
        ex.sincos_2d(2, 2, 6)


@pytest.mark.parametrize("h, dim, temperature", [(14, 768, 1e4), (14, 768, 100.0), (8, 64, 1e4), (32, 16, 10.0)])
def test_lowest_frequency_turns(ex, h, dim, temperature):
    n = dim // 4
    phase_change = (h - 1) * (1.0 / temperature ** ((n - 1) / n))                 # 위치 0 → h−1의 위상 변화
    assert_close(ex.lowest_frequency_turns(h, dim, temperature), phase_change / (2 * math.pi),
                 f"가장 낮은 주파수의 바퀴 수 (h={h}, D={dim}, T={temperature})", rtol=1e-9, atol=0)
