"""11장의 핵심 주장: importance-weighted bound는 sample 수 k가 커질수록 조여진다 (log p(x)에 다가간다).

Burda, Grosse & Salakhutdinov (2016), "Importance Weighted Autoencoders", 식 (8)과 Theorem 1:
    L_k = E[log (1/k) Σ_{i=1}^{k} p(x, z_i) / q(z_i|x)],  z_i ~ q(z|x)
는 log p(x) ≥ L_{k+1} ≥ L_k ≥ L_1 = ELBO이고, p(x, z)/q(z|x)가 유계면 k → ∞에서 log p(x)로 수렴한다.

재는 것: 장의 L3 VAE를 장의 기본 처방 그대로 (`paper/vae_paper.train_model`: 내장 digits 8×8 이진화, 은닉 200, z 10,
Adagrad 0.05, M = 100, L = 1, 300 epoch) seed마다 학습하고, `paper/vae_paper.iw_bound_by_k`로 test 이미지 평균
L_k (k = 1, 10, 100, 1000)를, `evaluate_elbo`로 ELBO (estimator B, L = 10)를 잰다. 데이터 split, 초기화, 학습 중 ε,
importance sample이 seed를 따른다.

기준 (실행 전에 적음): seed마다 이웃한 k 사이의 증가량 중 가장 작은 것 min(L_10 − L_1, L_100 − L_10, L_1000 − L_100);
그 평균의 95% t 구간 하한이 0보다 크면 holds (k가 10배씩 커질 때마다 bound가 올라간다).

실행: python -m utils.claims 11
"""
from __future__ import annotations

import torch

from utils.claims import Claim, Criterion

from .data import load_binary_images
from .paper.vae_paper import IW_K_GRID, evaluate_elbo, iw_bound_by_k, train_model

SETTINGS = dict(hidden=200, z_dim=10, lr=0.05, batch_size=100, n_samples=1, epochs=300)
QUICK_LIMIT = dict(epochs=2, max_train=300, max_test=100)        # 파이프라인 확인용 (판정에 의미 없음)
ARMS = ("elbo",) + tuple(f"iw_k{k}" for k in IW_K_GRID)


def run_iw_bound(seed: int, quick: bool) -> dict[str, float]:
    settings = dict(SETTINGS, epochs=QUICK_LIMIT["epochs"] if quick else SETTINGS["epochs"])
    limit = (QUICK_LIMIT["max_train"], QUICK_LIMIT["max_test"]) if quick else (None, None)
    data = load_binary_images("digits", seed=seed, max_train=limit[0], max_test=limit[1])
    X_train = torch.tensor(data.X_train, dtype=torch.float32)           # (N, 64) 0/1
    X_test = torch.tensor(data.X_test, dtype=torch.float32)
    model, _ = train_model(X_train, X_test, seed=seed, desc="vae/claim", progress=False, **settings)
    model.eval()
    elbo = evaluate_elbo(model, X_test, torch.Generator().manual_seed(seed + 1), n_samples=10)["elbo"]
    iw = iw_bound_by_k(model, X_test, max(IW_K_GRID), seed)
    return {"elbo": elbo, **{f"iw_k{k}": iw[k] for k in IW_K_GRID}}


def smallest_step(values: dict[str, float]) -> float:
    """k가 10배 될 때마다의 증가량 L_{10k} − L_k 중 가장 작은 것 (nats / 이미지)."""
    bounds = [values[f"iw_k{k}"] for k in IW_K_GRID]
    return min(b - a for a, b in zip(bounds[:-1], bounds[1:]))


CLAIMS = [Claim(
    chapter="11_VAE", name="iw_bound_tightens",
    claim="학습한 VAE에서 importance-weighted bound L_k는 k = 1, 10, 100, 1000으로 커질 때마다 올라간다 "
          "(log p(x)에 다가간다).",
    source="Burda, Grosse & Salakhutdinov 2016, 식 (8) / Theorem 1 / Table 1",
    metric="test 이미지 평균 L_k (nats / 이미지, 높을수록 log p(x)에 가깝다); elbo는 estimator B (L = 10)",
    arms=ARMS,
    run=run_iw_bound,
    criterion=Criterion(
        description="seed마다 min(L_10 − L_1, L_100 − L_10, L_1000 − L_100); "
                    "그 평균의 95% t 구간 하한이 0보다 크면 holds",
        per_seed=smallest_step, rule="greater", threshold=0.0,
        statistic="가장 작은 증가량 min_k (L_{10k} − L_k) (nats)"),
    default_seeds=5,
    notes="VAE 학습 목표(ELBO)는 그대로 두고 평가만 k를 늘린 것이다. 논문의 다른 주장 — IWAE 목표(L_k)로 학습하면 "
          "모델 자체의 log p(x)가 좋아지고 활성 잠재 차원이 늘어난다 — 은 재지 않았다.",
)]
