"""연습문제 01 (InfoNCE gradient in NumPy) 채점: 손으로 센 예 → torch autograd (float64) → 중앙 차분 → 잘못된 입력 →
3단계 (temperature를 한없이 키울 때의 극한).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_infonce_numpy.py`)을 검사한다.
"""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import assert_close, assert_equal, assert_rel_error, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, numeric_gradient


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_infonce_numpy")


def torch_loss(Z):
    labels = torch.arange(len(Z))
    return (F.cross_entropy(Z, labels) + F.cross_entropy(Z.T, labels)) / 2


def test_uniform_logits_give_ln_n_and_a_gradient_of_plus_minus(ex):
    loss, dZ = ex.info_nce_logits(np.zeros((4, 4)))
    assert_close(loss, math.log(4), "모든 logit이 0일 때의 loss (ln 4)", rtol=1e-12, atol=0)
    # softmax = 1/4 everywhere: 대각선 (1/4 − 1)/8 · 2, 나머지 (1/4)/8 · 2
    assert_close(np.diag(dZ), np.full(4, -0.75 / 4), "대각선 dZ", rtol=1e-12, atol=0)
    assert_close(dZ[0, 1], 0.25 / 4, "대각선 밖 dZ", rtol=1e-12, atol=0)


@pytest.mark.parametrize("N, scale", [(1, 1.0), (3, 2.0), (8, 20.0), (5, 800.0)])
def test_loss_and_gradient_equal_torch_autograd(ex, N, scale):
    Z = np.random.default_rng(N).normal(size=(N, N)) * scale
    Zt = torch.tensor(Z, requires_grad=True)
    expected = torch_loss(Zt)
    expected.backward()
    loss, dZ = ex.info_nce_logits(Z)
    assert math.isfinite(loss), f"loss가 유한하지 않습니다 (logit 크기 {scale}): {loss}"
    assert_close(loss, expected, f"loss (N={N}, 크기 {scale})", rtol=F64_RTOL, atol=F64_ATOL)
    assert_close(dZ, Zt.grad, f"dZ (N={N}, 크기 {scale})", rtol=F64_RTOL, atol=F64_ATOL)


def test_feature_gradients_equal_autograd_through_normalisation_and_temperature(ex):
    rng = np.random.default_rng(0)
    image, text, t = rng.normal(size=(6, 5)), rng.normal(size=(6, 5)), 1.7
    It, Tt = torch.tensor(image, requires_grad=True), torch.tensor(text, requires_grad=True)
    tt = torch.tensor(t, dtype=torch.float64, requires_grad=True)
    expected = torch_loss(tt.exp() * F.normalize(It, dim=-1) @ F.normalize(Tt, dim=-1).T)
    expected.backward()
    loss, d_image, d_text, d_scale = ex.info_nce_features(image, text, t)
    assert_close(loss, expected, "loss", rtol=F64_RTOL, atol=F64_ATOL)
    assert_close(d_image, It.grad, "gradient 'image'", rtol=F64_RTOL, atol=F64_ATOL)
    assert_close(d_text, Tt.grad, "gradient 'text'", rtol=F64_RTOL, atol=F64_ATOL)
    assert_close(d_scale, tt.grad, "gradient 'logit_scale' (t)", rtol=F64_RTOL, atol=F64_ATOL)


def test_feature_gradient_equals_central_differences(ex):
    rng = np.random.default_rng(1)
    image, text = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    _, d_image, d_text, _ = ex.info_nce_features(image, text, 0.5)
    assert_rel_error(d_image, numeric_gradient(lambda: ex.info_nce_features(image, text, 0.5)[0], image),
                     "gradient 'image' vs 중앙 차분", GRAD_REL_TOL)
    assert_rel_error(d_text, numeric_gradient(lambda: ex.info_nce_features(image, text, 0.5)[0], text),
                     "gradient 'text' vs 중앙 차분", GRAD_REL_TOL)


def test_feature_gradient_is_orthogonal_to_each_feature(ex):
    """loss는 길이에 무관하므로 (정규화), gradient는 feature 벡터와 직교한다."""
    rng = np.random.default_rng(2)
    image, text = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    _, d_image, d_text, _ = ex.info_nce_features(image, text, 2.0)
    assert_close((d_image * image).sum(axis=1), np.zeros(5), "⟨d_image, image⟩ (행마다 0)", rtol=0, atol=1e-12)
    assert_close((d_text * text).sum(axis=1), np.zeros(5), "⟨d_text, text⟩ (행마다 0)", rtol=0, atol=1e-12)


def test_bad_shapes(ex):
    with pytest.raises(ValueError):
        ex.info_nce_logits(np.zeros((3, 4)))
    with pytest.raises(ValueError):
        ex.info_nce_features(np.zeros((3, 4)), np.zeros((2, 4)), 0.0)


def torch_loss_at_scale(image, text, s):
    Z = s * F.normalize(torch.tensor(image), dim=-1) @ F.normalize(torch.tensor(text), dim=-1).T
    return torch_loss(Z).item()


def test_limit_is_zero_for_a_perfect_ranking_and_log_ties_for_duplicates(ex):
    """3단계: 짝이 모든 행·열에서 최댓값이면 극한은 유한하다. 같은 문장 (같은 text feature) c개는 행마다 c칸이 동점이고,
    그 문장들의 이미지가 같으면 열도 동점이다. 기대값은 채점 쪽에서 torch로 s = 10⁴에서 잰 loss."""
    rng = np.random.default_rng(3)
    base = rng.normal(size=(5, 8))
    cases = {"짝이 모두 최댓값 (동점 없음)": (base, base + 0.01 * rng.normal(size=(5, 8))),
             "같은 문장 둘 (text 0 = text 1, 이미지 0 = 이미지 1)": (base[[0, 0, 2, 3, 4]], base[[0, 0, 2, 3, 4]]),
             "같은 문장 셋과 같은 이미지 셋": (base[[1, 1, 1, 3, 4]], 2.0 * base[[1, 1, 1, 3, 4]])}
    for name, (image, text) in cases.items():
        expected = torch_loss_at_scale(image, text, 1e4)
        assert_close(ex.loss_as_scale_grows(image, text), expected, f"극한: {name}", rtol=1e-6, atol=1e-6)


def test_limit_is_infinite_when_a_pair_is_not_the_best_match(ex):
    rng = np.random.default_rng(4)
    image = rng.normal(size=(4, 6))
    text = image.copy()
    text[[0, 1]] = text[[1, 0]]                                                     # 짝 0, 1이 서로 바뀌었다
    assert torch_loss_at_scale(image, text, 1e3) > 50, "채점 쪽 준비: 큰 s에서 loss가 커야 한다"
    assert_equal(ex.loss_as_scale_grows(image, text), math.inf, "짝이 최댓값이 아닐 때의 극한")
