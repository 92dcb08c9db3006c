"""07장 claims: label smoothing 주장의 quick 경로, 평가가 smoothing 없는 NLL인지, 줄인 실행의 기록."""
import math

import pytest
import torch
import torch.nn.functional as F

from utils.claims import REQUIRED_KEYS, run_claim

from . import claims
from .number_reading import PAD, VOCAB, make_batch
from .paper.transformer import label_smoothed_cross_entropy


def test_quick_path_returns_every_arm_finite():
    for claim in claims.CLAIMS:
        values = claim.run(0, True)
        assert set(values) == set(claim.arms)
        assert all(math.isfinite(v) for v in values.values())
    nll = claims.run_perplexity(0, True)
    accuracy = claims.run_accuracy(0, True)
    assert all(v > 0 for v in nll.values())
    assert all(0.0 <= v <= 1.0 for v in accuracy.values())


def test_smoothing_has_a_perplexity_floor_that_plain_cross_entropy_does_not():
    # 주장의 기제: ε로 학습한 loss의 최적 분포는 정답에 1 − ε + ε/V만 둔다 → NLL ≥ −log(1 − ε + ε/V) ≈ 0.10.
    V, eps = len(VOCAB), claims.EPSILON
    target = torch.tensor([5])
    nll = {}
    for epsilon in (eps, 0.0):
        logits = torch.zeros(1, V, requires_grad=True)
        optimizer = torch.optim.Adam([logits], lr=0.2)
        for _ in range(200):
            optimizer.zero_grad()
            label_smoothed_cross_entropy(logits, target, epsilon, ignore_index=PAD).backward()
            optimizer.step()
        nll[epsilon] = F.cross_entropy(logits.detach(), target).item()
    assert nll[eps] == pytest.approx(-math.log(1 - eps + eps / V), abs=1e-3)
    assert nll[0.0] < 0.01                                                # smoothing이 없으면 바닥이 0


def test_held_out_nll_is_unsmoothed_cross_entropy_over_real_tokens():
    torch.manual_seed(0)
    model = claims.Transformer(len(VOCAB), 16, 2, 1, 1, 32, 0.0, max_len=32, pad_id=PAD)
    src, tgt = make_batch([7, 3052, 10001, 99999999])
    scores = claims.held_out_scores(model, (src, tgt))
    model.eval()
    with torch.no_grad():
        logits = model(src, tgt[:, :-1])                                  # (B, T−1, V)
    gold = tgt[:, 1:]
    keep = gold != PAD
    log_p = logits.log_softmax(-1).gather(-1, gold[..., None])[..., 0]   # (B, T−1)
    assert scores["nll"] == pytest.approx(-log_p[keep].mean().item(), rel=1e-5)
    assert 0.0 <= scores["exact_match"] <= 1.0


def test_the_arms_differ_only_in_epsilon(monkeypatch):
    seen = []

    def record(model, data, **kwargs):                                    # train 대신: 시작 가중치와 인자만 남긴다
        seen.append(({k: v.clone() for k, v in model.state_dict().items()}, kwargs))

    monkeypatch.setattr(claims, "train", record)
    monkeypatch.setattr(claims, "held_out_scores", lambda model, test: {"nll": 1.0, "exact_match": 0.0})
    claims._train_pair.cache_clear()
    try:
        claims._train_pair(3, True)
    finally:
        claims._train_pair.cache_clear()
    (state_a, args_a), (state_b, args_b) = seen
    assert all(torch.equal(state_a[k], state_b[k]) for k in state_a)     # 같은 초기 가중치
    assert args_a.pop("epsilon") == claims.EPSILON and args_b.pop("epsilon") == 0.0
    assert args_a == args_b                                               # 같은 step·batch·seed (batch 순서)


@pytest.mark.slow
def test_reduced_run_records_every_key(monkeypatch):
    monkeypatch.setattr(claims, "FULL", dict(claims.FULL, steps=120, n_test=300))
    claims._train_pair.cache_clear()
    try:
        records = [run_claim(claim, [0, 1]) for claim in claims.CLAIMS]
    finally:
        claims._train_pair.cache_clear()
    for record in records:
        assert all(key in record for key in REQUIRED_KEYS)
        assert record["verdict"] in ("holds", "does not hold", "inconclusive")
        assert record["seeds"] == [0, 1]
    nll, exact = records[0]["arms"], records[1]["arms"]
    assert all(0 < v < math.log(len(VOCAB)) for arm in nll.values() for v in arm)   # 균등 분포보다는 배웠다
    assert all(0.0 <= v <= 1.0 for arm in exact.values() for v in arm)
