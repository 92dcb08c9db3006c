"""연습문제 02 (SigLIP sigmoid loss) 채점: 손으로 센 예 → 쌍마다 따로 센 binary cross-entropy → 초기값 →
softmax loss와 다른 성질 (batch 안의 다른 쌍에 무관한 확률) → 잘못된 입력 → 4단계 (cosine 0에서의 loss).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_siglip.py`)을 검사한다.
"""
import math

import pytest
import torch
import torch.nn.functional as F

from utils.exercises import assert_close, load_exercise
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
    assert_close(ex.siglip_loss(x, 2 * x, t, b), math.log1p(math.exp(-1.0)), "한 쌍의 loss", rtol=1e-12, atol=0)


def test_equals_pairwise_binary_cross_entropy(ex):
    """정의 그대로: N² 쌍마다 BCE (label 1은 대각선), 합을 N으로 나눈다."""
    image, text = rand(6, 5, seed=1), rand(6, 5, seed=2)
    t, b = torch.tensor(1.2, dtype=torch.float64), torch.tensor(-3.0, dtype=torch.float64)
    total = 0.0
    for i in range(6):
        for j in range(6):
            z = t.exp() * F.cosine_similarity(image[i], text[j], dim=0) + b
            total += F.binary_cross_entropy_with_logits(z, torch.tensor(float(i == j), dtype=torch.float64))
    assert_close(ex.siglip_loss(image, text, t, b), total / 6, "쌍마다 BCE의 합 / N", rtol=F64_RTOL, atol=F64_ATOL)


def test_gradients_flow_to_scale_and_bias(ex):
    image, text = rand(4, 3, seed=3).requires_grad_(), rand(4, 3, seed=4).requires_grad_()
    t = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(-2.0, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(ex.siglip_loss, (image, text, t, b))


def test_initial_values_follow_the_paper(ex):
    t, b = ex.siglip_init()
    assert_close([math.exp(t), b], [10.0, -10.0], "초기값 (exp(t'), b)", rtol=1e-12, atol=0)


def test_pair_probability_does_not_depend_on_the_rest_of_the_batch(ex):
    """softmax와 다른 점: 한 쌍의 확률은 같은 batch의 다른 문장과 무관하다."""
    image, text = rand(3, 4, seed=5), rand(3, 4, seed=6)
    t, b = torch.tensor(2.0, dtype=torch.float64), torch.tensor(-1.0, dtype=torch.float64)
    full = ex.pair_probability(image, text, t, b)
    alone = ex.pair_probability(image[:1], text[:1], t, b)
    assert_close(full[0, 0], alone[0, 0], "batch 3에서와 혼자일 때 쌍 (0, 0)의 확률", rtol=1e-12, atol=0)
    assert abs(full.sum(dim=1) - 1).max() > 1e-3                             # 행의 합이 1일 필요 없음
    softmax = (t.exp() * F.normalize(image, dim=-1) @ F.normalize(text, dim=-1).T).softmax(dim=1)
    softmax_alone = torch.ones(1, 1, dtype=torch.float64)                     # 문장 하나면 softmax는 늘 1
    assert abs(softmax[0, 0] - softmax_alone[0, 0]) > 1e-3


def test_bad_shapes(ex):
    with pytest.raises(ValueError):
        ex.siglip_loss(torch.zeros(3, 4), torch.zeros(2, 4), torch.tensor(0.0), torch.tensor(0.0))


@pytest.mark.parametrize("n, b", [(1, 0.0), (4, 0.0), (8, -10.0), (16, -3.0), (5, 2.0)])
def test_loss_at_zero_similarity(ex, n, b):
    """4단계: image는 e_0 … e_{n−1}, text는 e_n … e_{2n−1} (서로 직교, cosine 0). 채점 쪽에서 쌍마다 BCE를 더한다."""
    eye = torch.eye(2 * n, dtype=torch.float64)
    image, text = eye[:n], eye[n:]
    z = b                                                                       # cosine 0: Z = exp(t')·0 + b
    total = sum(F.binary_cross_entropy_with_logits(torch.tensor(z, dtype=torch.float64),
                                                   torch.tensor(float(i == j), dtype=torch.float64)).item()
                for i in range(n) for j in range(n)) / n
    assert_close(F.cosine_similarity(image[:, None], text[None], dim=-1), torch.zeros(n, n), "준비: cosine 0",
                 rtol=0, atol=0)
    assert_close(ex.loss_at_zero_similarity(n, b), total, f"cosine 0에서의 loss (N={n}, b={b})",
                 rtol=F64_RTOL, atol=F64_ATOL)
