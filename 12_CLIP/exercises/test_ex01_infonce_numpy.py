"""연습문제 01 (InfoNCE gradient in NumPy) 채점: 손으로 센 예 → torch autograd (float64) → 중앙 차분 → 잘못된 입력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_infonce_numpy.py`)을 검사한다.
"""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, numeric_gradient, rel_error


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_infonce_numpy")


def torch_loss(Z):
    labels = torch.arange(len(Z))
    return (F.cross_entropy(Z, labels) + F.cross_entropy(Z.T, labels)) / 2


def test_uniform_logits_give_ln_n_and_a_gradient_of_plus_minus(ex):
    loss, dZ = ex.info_nce_logits(np.zeros((4, 4)))
    assert loss == pytest.approx(math.log(4))
    # softmax = 1/4 everywhere: 대각선 (1/4 − 1)/8 · 2, 나머지 (1/4)/8 · 2
    np.testing.assert_allclose(np.diag(dZ), np.full(4, -0.75 / 4), rtol=1e-12)
    np.testing.assert_allclose(dZ[0, 1], 0.25 / 4, rtol=1e-12)


@pytest.mark.parametrize("N, scale", [(1, 1.0), (3, 2.0), (8, 20.0), (5, 800.0)])
def test_loss_and_gradient_equal_torch_autograd(ex, N, scale):
    Z = np.random.default_rng(N).normal(size=(N, N)) * scale
    Zt = torch.tensor(Z, requires_grad=True)
    expected = torch_loss(Zt)
    expected.backward()
    loss, dZ = ex.info_nce_logits(Z)
    assert math.isfinite(loss)
    assert loss == pytest.approx(expected.item(), rel=F64_RTOL, abs=F64_ATOL)
    np.testing.assert_allclose(dZ, Zt.grad.numpy(), rtol=F64_RTOL, atol=F64_ATOL)


def test_feature_gradients_equal_autograd_through_normalisation_and_temperature(ex):
    rng = np.random.default_rng(0)
    image, text, t = rng.normal(size=(6, 5)), rng.normal(size=(6, 5)), 1.7
    It, Tt = torch.tensor(image, requires_grad=True), torch.tensor(text, requires_grad=True)
    tt = torch.tensor(t, dtype=torch.float64, requires_grad=True)
    expected = torch_loss(tt.exp() * F.normalize(It, dim=-1) @ F.normalize(Tt, dim=-1).T)
    expected.backward()
    loss, d_image, d_text, d_scale = ex.info_nce_features(image, text, t)
    assert loss == pytest.approx(expected.item(), rel=F64_RTOL)
    np.testing.assert_allclose(d_image, It.grad.numpy(), rtol=F64_RTOL, atol=F64_ATOL)
    np.testing.assert_allclose(d_text, Tt.grad.numpy(), rtol=F64_RTOL, atol=F64_ATOL)
    assert d_scale == pytest.approx(tt.grad.item(), rel=F64_RTOL, abs=F64_ATOL)


def test_feature_gradient_equals_central_differences(ex):
    rng = np.random.default_rng(1)
    image, text = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    _, d_image, d_text, _ = ex.info_nce_features(image, text, 0.5)
    assert rel_error(d_image, numeric_gradient(lambda: ex.info_nce_features(image, text, 0.5)[0], image)) < GRAD_REL_TOL
    assert rel_error(d_text, numeric_gradient(lambda: ex.info_nce_features(image, text, 0.5)[0], text)) < GRAD_REL_TOL


def test_feature_gradient_is_orthogonal_to_each_feature(ex):
    """loss는 길이에 무관하므로 (정규화), gradient는 feature 벡터와 직교한다."""
    rng = np.random.default_rng(2)
    image, text = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    _, d_image, d_text, _ = ex.info_nce_features(image, text, 2.0)
    np.testing.assert_allclose((d_image * image).sum(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose((d_text * text).sum(axis=1), 0.0, atol=1e-12)


def test_bad_shapes(ex):
    with pytest.raises(ValueError):
        ex.info_nce_logits(np.zeros((3, 4)))
    with pytest.raises(ValueError):
        ex.info_nce_features(np.zeros((3, 4)), np.zeros((2, 4)), 0.0)
