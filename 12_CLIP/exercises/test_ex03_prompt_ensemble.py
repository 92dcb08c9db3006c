"""연습문제 03 (prompt ensembling) 채점: 손으로 센 예 → 정규화의 순서 → template 하나 = 그 feature →
template 순서 무관 → 확률 → template 수에 따른 정확도 → 잘못된 입력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_prompt_ensemble.py`)을 검사한다.
"""
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import load_exercise
from utils.gradcheck import F32_ATOL


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_prompt_ensemble")


def test_hand_example(ex):
    """class 하나, template 둘: (1, 0)과 길이가 10인 (0, 10) → 정규화 후 평균 (0.5, 0.5) → (1/√2, 1/√2)."""
    features = torch.tensor([[[1.0, 0.0], [0.0, 10.0]]])
    torch.testing.assert_close(ex.ensemble_weights(features), torch.tensor([[2 ** -0.5, 2 ** -0.5]]))


def test_templates_are_normalised_before_averaging(ex):
    """길이가 큰 template 하나가 평균을 지배하지 않는다: 정규화 전 평균과 결과가 다르다."""
    features = torch.tensor([[[1.0, 0.0], [0.0, 10.0]]])
    raw_mean = F.normalize(features.mean(dim=1), dim=-1)
    assert (ex.ensemble_weights(features) - raw_mean).abs().max() > 0.1


def test_one_template_is_the_normalised_feature_and_order_does_not_matter(ex):
    features = torch.randn(5, 7, 16, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(ex.ensemble_weights(features[:, :1]), F.normalize(features[:, 0], dim=-1),
                               rtol=0, atol=F32_ATOL)
    perm = torch.randperm(7, generator=torch.Generator().manual_seed(1))
    torch.testing.assert_close(ex.ensemble_weights(features[:, perm]), ex.ensemble_weights(features),
                               rtol=0, atol=F32_ATOL)
    assert torch.allclose(ex.ensemble_weights(features).norm(dim=-1), torch.ones(5), atol=1e-6)


def test_probabilities_are_a_softmax_over_classes(ex):
    g = torch.Generator().manual_seed(2)
    image, weights = torch.randn(4, 8, generator=g), F.normalize(torch.randn(3, 8, generator=g), dim=-1)
    p = ex.zero_shot_probabilities(image, weights, logit_scale=50.0)
    assert p.shape == (4, 3)
    torch.testing.assert_close(p.sum(dim=-1), torch.ones(4))
    expected = (50.0 * F.normalize(image, dim=-1) @ weights.T).softmax(-1)
    torch.testing.assert_close(p, expected, rtol=0, atol=F32_ATOL)
    assert torch.equal(p.argmax(-1), (image @ weights.T).argmax(-1))          # 이미지 길이는 순위를 바꾸지 않는다


def test_ensembling_averages_out_template_noise(ex):
    """class 방향 + template마다 큰 noise: template이 많을수록 정확도가 오른다 (Figure 4의 경향)."""
    g = torch.Generator().manual_seed(3)
    K, M, d = 10, 32, 64
    directions = F.normalize(torch.randn(K, d, generator=g), dim=-1)
    text = directions[:, None, :] + 1.5 * torch.randn(K, M, d, generator=g) / d ** 0.5
    labels = torch.arange(K).repeat(20)
    image = directions[labels] + 1.0 * torch.randn(len(labels), d, generator=g) / d ** 0.5
    acc = ex.accuracy_by_template_count(image, labels, text, [1, 4, 32])
    assert len(acc) == 3 and acc[0] < acc[1] <= acc[2]
    assert acc[2] > 0.9


def test_bad_rank(ex):
    with pytest.raises(ValueError):
        ex.ensemble_weights(torch.zeros(3, 4))
