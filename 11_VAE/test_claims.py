"""11장 claims.py 검증: quick 경로의 arm, 기준이 고르는 값, 무작위 모델에서도 k와 함께 bound가 올라가는지."""
import math

import pytest
import torch

from utils.claims import REQUIRED_KEYS, run_claim

from . import claims as C
from .paper.vae_paper import IW_K_GRID, VAE, iw_bound_by_k


def test_quick_run_returns_every_arm_finite():
    claim = C.CLAIMS[0]
    values = claim.run(0, True)
    assert set(values) == set(claim.arms) == {"elbo", "iw_k1", "iw_k10", "iw_k100", "iw_k1000"}
    assert all(math.isfinite(v) and v < 0 for v in values.values())       # 이진 이미지의 log p(x) < 0


def test_criterion_takes_the_smallest_step_between_neighbouring_k():
    v = {"elbo": -30.0, "iw_k1": -30.0, "iw_k10": -29.0, "iw_k100": -28.9, "iw_k1000": -28.5}
    assert C.CLAIMS[0].criterion.per_seed(v) == pytest.approx(0.1)
    v["iw_k1000"] = -29.0                                                 # 마지막 k에서 내려가면 음수
    assert C.CLAIMS[0].criterion.per_seed(v) == pytest.approx(-0.1)


def test_iw_bound_by_k_covers_the_grid_and_rises_on_a_random_model():
    """Burda et al. Theorem 1은 학습과 무관하다: 무작위 가중치의 VAE에서도 평균 L_k는 k와 함께 올라간다."""
    torch.manual_seed(0)
    model = VAE(16, 8, 2).eval()
    with torch.no_grad():                                                 # 큰 무작위 가중치: decoder가 z에 기대고
        for p in model.parameters():                                      # q(z|x)는 참 posterior와 어긋난다
            p.normal_(0.0, 1.0)
    x = (torch.rand(64, 16, generator=torch.Generator().manual_seed(1)) > 0.5).float()
    bounds = iw_bound_by_k(model, x, max(IW_K_GRID), seed=0)
    assert list(bounds) == list(IW_K_GRID)
    values = [bounds[k] for k in IW_K_GRID]
    assert all(a < b for a, b in zip(values[:-1], values[1:])), values
    assert list(iw_bound_by_k(model, x, 50, seed=0)) == [1, 10, 50]      # k_max가 격자에 없으면 덧붙인다


@pytest.mark.slow
def test_full_claim_holds():
    """기본 seed 5개의 전체 실행 (CPU 약 1분). 첫 전체 실행 전에 적은 기대: holds. ELBO ≤ L_1000도 seed마다."""
    claim = C.CLAIMS[0]
    record = run_claim(claim, list(range(claim.default_seeds)))
    assert set(REQUIRED_KEYS) <= set(record)
    arms = record["arms"]
    assert all(e <= b for e, b in zip(arms["elbo"], arms["iw_k1000"])), arms
    assert record["verdict"] == "holds", record
