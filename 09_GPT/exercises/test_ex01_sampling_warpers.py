"""연습문제 01 (sampling warpers) 채점: 손으로 센 예 → V = 50,257에서 HF warper (temperature → top-k → top-p)와
같은 집합·확률 (float64, 그리고 float32의 경계 반올림) → 순서 무관 → sampling → 잘못된 인자 →
3단계 (temperature와 top-p의 순서).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex01_sampling_warpers.py`)을 검사한다.
"""
import pytest
import torch
from transformers.generation.logits_process import (
    LogitsProcessorList,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
)

from utils.exercises import assert_all_true, assert_close, assert_equal, assert_same_mask, load_exercise
from utils.gradcheck import F32_ATOL, F64_ATOL, F64_RTOL

V = 50_257                                                                       # GPT-2의 vocabulary


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_sampling_warpers")


def hf_warp(logits, temperature=1.0, top_k=0, top_p=1.0):
    """HF `generate`가 만드는 warper 목록과 같은 규칙: 켜진 것만, temperature → top-k → top-p 순서."""
    warpers = LogitsProcessorList()
    if temperature != 1.0:
        warpers.append(TemperatureLogitsWarper(temperature))
    if top_k:
        warpers.append(TopKLogitsWarper(top_k))
    if top_p < 1.0:
        warpers.append(TopPLogitsWarper(top_p))
    return warpers(None, logits.clone())


def random_logits(dtype, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.cat([torch.randn(8, V, generator=g) * scale for scale in (0.5, 2.0, 5.0)]).to(dtype)   # (24, V)


def test_hand_example(ex):
    probs = torch.tensor([[0.5, 0.25, 0.125, 0.0625, 0.0625]], dtype=torch.float64)
    assert_same_mask(torch.isfinite(ex.warp_logits(probs.log(), top_p=0.74)),
                     torch.tensor([[True, True, False, False, False]]), "p = 0.74에서 남는 token (0.5 + 0.25 ≥ 0.74)")
    assert_same_mask(torch.isfinite(ex.warp_logits(probs.log(), top_p=0.76)),
                     torch.tensor([[True, True, True, False, False]]), "p = 0.76에서 남는 token")
    assert_same_mask(torch.isfinite(ex.warp_logits(probs.log(), top_k=2)),
                     torch.tensor([[True, True, False, False, False]]), "top_k = 2에서 남는 token")


CONFIGS = [(1.0, 0, 0.1), (1.0, 0, 0.9), (1.0, 0, 0.99), (1.0, 50, 1.0), (1.0, 1000, 0.9), (0.7, 0, 0.9),
           (1.3, 40, 0.95), (1.0, 0, 1.0)]


@pytest.mark.parametrize("temperature, top_k, top_p", CONFIGS)
def test_same_set_and_probabilities_as_hf_at_gpt2_vocabulary(ex, temperature, top_k, top_p):
    logits = random_logits(torch.float64)
    ours = ex.warp_logits(logits, temperature, top_k, top_p)
    theirs = hf_warp(logits, temperature, top_k, top_p)
    name = f"T={temperature}, top_k={top_k}, top_p={top_p}"
    assert_same_mask(torch.isfinite(ours), torch.isfinite(theirs), f"남는 token ({name}, float64)")
    assert_close(ours.softmax(-1), theirs.softmax(-1), f"자른 뒤의 확률 ({name})", rtol=F64_RTOL, atol=F64_ATOL)


def mass_before(logits):
    """float64로 센 "자기보다 큰 token들의 확률 합" (원래 token 순서)."""
    ordered, order = torch.sort(logits.double(), dim=-1, descending=True)
    p = ordered.softmax(-1)
    before = p.cumsum(-1) - p
    return before.scatter(-1, order, before)


def test_float32_sets_differ_only_at_the_rounding_boundary(ex):
    logits = random_logits(torch.float32, seed=1)
    before = mass_before(logits)                                                   # float64로 센 앞의 합
    for top_p in (0.5, 0.9, 0.95, 0.99):
        warped = ex.warp_logits(logits, top_p=top_p)
        ours = torch.isfinite(warped)
        near = (before - top_p).abs() < 1e-4
        assert_all_true(~(ours != (before < top_p)) | near,
                        f"float32 top_p={top_p}: 경계(앞의 합이 p와 1e-4 안)가 아닌데 집합이 다른 token")
        reference = hf_warp(logits, top_p=top_p)
        both = ours & torch.isfinite(reference)
        assert_close(torch.where(both, warped.softmax(-1), 0), torch.where(both, reference.softmax(-1), 0),
                     f"float32 top_p={top_p}: 둘 다 남긴 token의 확률", rtol=0, atol=F32_ATOL)


def test_top_p_one_keeps_every_token_even_in_float32(ex):
    logits = random_logits(torch.float32, seed=2)
    kept = torch.isfinite(ex.warp_logits(logits, top_p=1.0)).sum(-1)
    assert_equal(kept, torch.full((len(logits),), V), "top_p = 1.0에서 남는 token 수 (모두)")
    kept = torch.isfinite(ex.warp_logits(logits, top_k=0)).sum(-1)
    assert_equal(kept, torch.full((len(logits),), V), "top_k = 0에서 남는 token 수 (모두)")


def test_order_of_vocabulary_does_not_matter(ex):
    logits = torch.randn(2, 30, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    perm = torch.randperm(30, generator=torch.Generator().manual_seed(2))
    assert_close(ex.warp_logits(logits[:, perm], 0.8, 7, 0.6), ex.warp_logits(logits, 0.8, 7, 0.6)[:, perm],
                 "vocabulary를 섞은 뒤의 결과", rtol=0, atol=0)


def test_the_best_token_always_survives(ex):
    logits = torch.tensor([[10.0, 0.0, 0.0]])
    assert_same_mask(torch.isfinite(ex.warp_logits(logits, top_p=1e-9)), torch.tensor([[True, False, False]]),
                     "top_p = 1e-9에서 남는 token")


def test_sampling_only_draws_from_the_kept_set(ex):
    probs = torch.tensor([[0.6, 0.3, 0.06, 0.04]])
    draws = torch.cat([ex.sample_next(probs.log(), top_p=0.85, generator=torch.Generator().manual_seed(s))
                       for s in range(300)])
    assert_equal(tuple(draws.shape), (300, 1), "sample_next의 shape (행마다 (1,))")
    drawn = set(draws.flatten().tolist())
    assert drawn <= {0, 1}, f"자른 집합 밖의 token을 뽑았습니다: {drawn}"
    share = (draws == 0).float().mean().item()
    assert abs(share - 0.6 / 0.9) < 0.1, f"token 0의 비율 {share:.3f}, 기대 {0.6 / 0.9:.3f} (남은 확률을 다시 정규화)"


@pytest.mark.parametrize("kwargs, name", [(dict(top_p=0.0), "top_p"), (dict(top_p=1.5), "top_p"),
                                          (dict(temperature=0.0), "temperature"), (dict(top_k=-1), "top_k")])
def test_bad_arguments(ex, kwargs, name):
    with pytest.raises(ValueError, match=name):
        ex.warp_logits(torch.zeros(1, 3), **kwargs)


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_order_of_temperature_and_top_p(ex, temperature):
    """3단계: HF warper를 두 순서로 걸어 채점 쪽에서 구한 답. 행의 절반은 한 token이 압도하고 (두 순서 모두 그 token
    하나), 1/4은 한 token이 조금 앞선다 (T에 따라 집합이 바뀌기도 안 바뀌기도 한다)."""
    logits = torch.randn(64, 200, generator=torch.Generator().manual_seed(3), dtype=torch.float64) * 2
    logits[::2, 0] += 30.0
    logits[1::4, 0] += 10.0
    after = torch.isfinite(TopPLogitsWarper(0.9)(None, TemperatureLogitsWarper(temperature)(None, logits.clone())))
    before = torch.isfinite(TemperatureLogitsWarper(temperature)(None, TopPLogitsWarper(0.9)(None, logits.clone())))
    expected = (after != before).any(-1)
    assert_same_mask(ex.order_changes_kept_set(logits, temperature, 0.9), expected,
                     f"행마다 두 순서의 집합이 다른가 (T={temperature}, p=0.9)")
    if temperature != 1.0:
        assert expected.any() and not expected.all(), "채점 쪽 준비: 집합이 바뀌는 행과 안 바뀌는 행이 모두 있어야 한다"
