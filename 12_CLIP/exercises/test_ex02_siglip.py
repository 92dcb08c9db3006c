"""연습문제 02 (SigLIP sigmoid loss) 채점: 손으로 센 예 → 쌍마다 따로 센 binary cross-entropy → 초기값 →
softmax loss와 다른 성질 (batch 안의 다른 쌍에 무관한 확률) → 잘못된 입력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_siglip.py`)을 검사한다.
"""
import math

import pytest
import torch
import torch.nn.functional as F

from utils.exercises import load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_siglip")


def rand(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


def test_hand_example_one_pair(ex):
    """N = 1, 같은 방향의 두 벡터: Z = exp(t') + b, loss = −log σ(Z)."""
    x = torch.tensor([[3.0, 4.0]], dtype=torch.float64)
    t, b = torch.tensor(math.log(2.0), dtype=torch.float64), torch.tensor(-1.0, dtype=torch.float64)
    assert ex.siglip_loss(x, 2 * x, t, b).item() == pytest.approx(math.log1p(math.exp(-1.0)), rel=1e-12)


def test_equals_pairwise_binary_cross_entropy(ex):
    """정의 그대로: N² 쌍마다 BCE (label 1은 대각선), 합을 N으로 나눈다."""
    image, text = rand(6, 5, seed=1), rand(6, 5, seed=2)
    t, b = torch.tensor(1.2, dtype=torch.float64), torch.tensor(-3.0, dtype=torch.float64)
    total = 0.0
    for i in range(6):
        for j in range(6):
            z = t.exp() * F.cosine_similarity(image[i], text[j], dim=0) + b
            total += F.binary_cross_entropy_with_logits(z, torch.tensor(float(i == j), dtype=torch.float64))
    assert ex.siglip_loss(image, text, t, b).item() == pytest.approx(total.item() / 6, rel=F64_RTOL, abs=F64_ATOL)


def test_gradients_flow_to_scale_and_bias(ex):
    image, text = rand(4, 3, seed=3).requires_grad_(), rand(4, 3, seed=4).requires_grad_()
    t = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-2.0, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(ex.siglip_loss, (image, text, t, b))


def test_initial_values_follow_the_paper(ex):
    t, b = ex.siglip_init()
    assert math.exp(t) == pytest.approx(10.0) and b == -10.0


def test_pair_probability_does_not_depend_on_the_rest_of_the_batch(ex):
    """softmax와 다른 점: 한 쌍의 확률은 같은 batch의 다른 문장과 무관하다."""
    image, text = rand(3, 4, seed=5), rand(3, 4, seed=6)
    t, b = torch.tensor(2.0, dtype=torch.float64), torch.tensor(-1.0, dtype=torch.float64)
    full = ex.pair_probability(image, text, t, b)
    alone = ex.pair_probability(image[:1], text[:1], t, b)
    assert full[0, 0].item() == pytest.approx(alone[0, 0].item(), rel=1e-12)
    assert abs(full.sum(dim=1) - 1).max() > 1e-3                             # 행의 합이 1일 필요 없음
    softmax = (t.exp() * F.normalize(image, dim=-1) @ F.normalize(text, dim=-1).T).softmax(dim=1)
    softmax_alone = torch.ones(1, 1, dtype=torch.float64)                     # 문장 하나면 softmax는 늘 1
    assert abs(softmax[0, 0] - softmax_alone[0, 0]) > 1e-3


def test_bad_shapes(ex):
    with pytest.raises(ValueError):
        ex.siglip_loss(torch.zeros(3, 4), torch.zeros(2, 4), torch.tensor(0.0), torch.tensor(0.0))
