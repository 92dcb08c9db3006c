"""연습문제 01 (top-p) 채점: 손으로 센 예 → HF `TopPLogitsWarper` (reference 구현)와 같은 집합 → 경계 → sampling.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_top_p.py`)을 검사한다.
"""
import pytest
import torch
from transformers.generation.logits_process import TopPLogitsWarper

from utils.exercises import load_exercise


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_top_p")


def test_hand_example(ex):
    probs = torch.tensor([[0.5, 0.2, 0.15, 0.1, 0.05]])
    kept = torch.isfinite(ex.top_p_filter(probs.log(), 0.8))
    assert kept.tolist() == [[True, True, True, False, False]]               # 0.5 + 0.2 = 0.7 < 0.8 → 셋째까지
    kept = torch.isfinite(ex.top_p_filter(probs.log(), 0.7))
    assert kept.tolist() == [[True, True, False, False, False]]              # 0.7에 닿으면 거기서 멈춘다


@pytest.mark.parametrize("top_p", [0.05, 0.3, 0.5, 0.9, 0.99, 1.0])
def test_same_set_as_hf_top_p_warper(ex, top_p):
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(6, 50, generator=g) * 2.0
    ours = torch.isfinite(ex.top_p_filter(logits, top_p))
    theirs = torch.isfinite(TopPLogitsWarper(top_p=top_p)(None, logits.clone()))
    assert torch.equal(ours, theirs)
    assert torch.equal(ex.top_p_filter(logits, top_p)[ours], logits[ours])   # 남은 값은 그대로


def test_order_of_vocabulary_does_not_matter(ex):
    logits = torch.randn(2, 30, generator=torch.Generator().manual_seed(1))
    perm = torch.randperm(30, generator=torch.Generator().manual_seed(2))
    assert torch.equal(ex.top_p_filter(logits[:, perm], 0.6), ex.top_p_filter(logits, 0.6)[:, perm])


def test_the_best_token_always_survives(ex):
    logits = torch.tensor([[10.0, 0.0, 0.0]])
    assert torch.isfinite(ex.top_p_filter(logits, 1e-9)).tolist() == [[True, False, False]]


def test_sampling_only_draws_from_the_nucleus(ex):
    probs = torch.tensor([[0.6, 0.3, 0.06, 0.04]])
    draws = torch.cat([ex.nucleus_sample(probs.log(), 0.85, generator=torch.Generator().manual_seed(s))
                       for s in range(200)])
    assert set(draws.flatten().tolist()) == {0, 1}
    share = (draws == 0).float().mean().item()
    assert abs(share - 0.6 / 0.9) < 0.1                                       # 남은 확률을 다시 정규화


def test_bad_arguments(ex):
    with pytest.raises(ValueError):
        ex.top_p_filter(torch.zeros(1, 3), 0.0)
    with pytest.raises(ValueError):
        ex.top_p_filter(torch.zeros(1, 3), 1.5)
    with pytest.raises(ValueError):
        ex.nucleus_sample(torch.zeros(1, 3), 0.5, temperature=0.0)
