"""01장의 핵심 주장: gradient descent가 필요한 step 수는 Hessian의 조건수 κ를 따른다.

선형 회귀 L(θ) = (1/N)‖X̃θ − y‖² (X̃ = [X, 1])의 Hessian은 H = (2/N) X̃ᵀX̃ 이고, η = 1/λ_max 인 GD의
목적 함수 gap은 step마다 많아야 (1 − 1/κ)² 배로 줄어든다 (theory.md §4.3). feature의 척도가 제각각인 raw 데이터는
κ가 크고, train 통계로 표준화한 데이터는 κ가 작다. 표준화는 bias가 있는 모델에서 가역 affine 변환이라 최솟값
L*는 그대로다 — 바뀌는 것은 L*까지 가는 step 수뿐이다.

재는 것 (seed마다: train/test split과 L1 `LinearRegression`의 초기값이 seed를 따른다):
    raw feature와 표준화한 feature에서 각각 장의 L1 `fit_gd` (full batch, lr = 0.5 × `step_size_bound` = 1/λ_max)를
    돌려, 목적 함수가 closed form의 최솟값 L*(L1 `fit_closed_form`, 표준화된 데이터에서 푼 normal equation)에서
    상대 ε = 1% 안으로 들어오는 첫 step k를 센다: L(θ_k) − L* ≤ 0.01·L*.
    STEP_CAP(50,000) step 안에 닿지 못하면 k = STEP_CAP + 1 (실제로는 그보다 많다는 하한)로 적는다.
    κ는 X̃의 singular value로 잰 (σ_max/σ_min)²이고 arm으로 함께 기록한다 (판정에는 쓰지 않는다).

데이터는 scikit-learn에 들어 있는 두 표: diabetes (442 × 10, scikit-learn이 미리 scale하기 전의 원래 단위 —
나이, 성별 1/2, BMI, 혈압, 혈청 수치 s1–s6)와 breast cancer (569 × 30, 0/1 label을 least squares로 회귀한다).
split은 `utils.datasets`의 loader와 같은 `split` (diabetes는 무작위, breast cancer는 stratified)이다.

기준 (실행 전에 적음): seed마다 log10(k_raw / k_std); 그 평균의 95% t 구간 하한이 1보다 크면 holds
(raw가 10배 넘게 더 많은 step을 쓴다). k_raw가 상한에 걸리면 이 통계량은 실제 값의 하한이다.

실행: python -m utils.claims 01
"""
from __future__ import annotations

import math

import numpy as np

from utils.claims import Claim, Criterion
from utils.datasets.base import split, standardize

from .numpy.linear_numpy import LinearRegression, step_size_bound

RELATIVE_TOL = 0.01          # L(θ_k) − L* ≤ RELATIVE_TOL · L*
STEP_CAP = 50_000            # 기본 실행에서 센 최대 step 수
QUICK_STEP_CAP = 1_000       # quick: 파이프라인 확인용
CHUNK = 1_000                # fit_gd를 이만큼씩 불러, 닿으면 멈춘다


def raw_table(name: str) -> tuple[np.ndarray, np.ndarray, bool]:
    """scikit-learn의 표를 원래 단위 그대로: (X (N, D) float64, y (N,) float64, stratify 여부)."""
    from sklearn import datasets

    if name == "diabetes":
        raw = datasets.load_diabetes(scaled=False)                       # 원래 단위 (scaled=True는 열마다 제곱합 1)
        return raw.data.astype(np.float64), raw.target.astype(np.float64), False
    if name == "breast_cancer":
        raw = datasets.load_breast_cancer()
        return raw.data.astype(np.float64), raw.target.astype(np.float64), True
    raise ValueError(f"data는 'diabetes' 또는 'breast_cancer'여야 한다: {name!r}")


def condition_number(X: np.ndarray) -> float:
    """H = (2/N) X̃ᵀX̃ 의 조건수 = (σ_max(X̃)/σ_min(X̃))² (X̃ᵀX̃를 만들지 않아 작은 고윳값이 정확하다)."""
    X_aug = np.hstack([X, np.ones((len(X), 1))])                         # (N, D + 1)
    singular = np.linalg.svd(X_aug, compute_uv=False)
    return float((singular[0] / singular[-1]) ** 2)


def closed_form_loss(X: np.ndarray, y: np.ndarray) -> float:
    """L1 `fit_closed_form` (normal equation)으로 푼 해의 목적 함수 값 L*."""
    model = LinearRegression(X.shape[1])
    model.fit_closed_form(X, y)
    return float(np.mean((model.predict(X) - y) ** 2))


def steps_to_reach(X: np.ndarray, y: np.ndarray, target: float, cap: int, seed: int) -> int:
    """L1 `fit_gd`를 lr = 1/λ_max로 cap step 돌려, 목적 함수가 target 이하가 되는 첫 step (못 닿으면 cap + 1)."""
    model = LinearRegression(X.shape[1], seed=seed)
    lr = 0.5 * step_size_bound(X)
    done = 0
    while done <= cap:                                                   # 조각마다 이어서 (SGD는 상태가 없다)
        chunk = min(CHUNK, cap + 1 - done)
        losses = np.asarray(model.fit_gd(X, y, lr=lr, epochs=chunk))     # losses[j] = L(θ_{done + j})
        reached = np.flatnonzero(losses <= target)
        if len(reached):
            return done + int(reached[0])
        done += chunk
    return cap + 1


def measure(data: str, seed: int, quick: bool) -> dict[str, float]:
    X, y, stratify = raw_table(data)
    X_train, X_test, y_train, _ = split(X, y, 0.2, seed, stratify)
    X_std, _, _, _ = standardize(X_train, X_test)                        # 통계는 train에서만
    best = closed_form_loss(X_std, y_train)                              # L*: 표준화는 L*를 바꾸지 않는다
    target = best * (1 + RELATIVE_TOL)
    cap = QUICK_STEP_CAP if quick else STEP_CAP
    return {
        "steps_standardized": steps_to_reach(X_std, y_train, target, cap, seed),
        "steps_raw": steps_to_reach(X_train, y_train, target, cap, seed),
        "kappa_standardized": condition_number(X_std),
        "kappa_raw": condition_number(X_train),
    }


def step_ratio(values: dict[str, float]) -> float:
    return math.log10(values["steps_raw"] / max(values["steps_standardized"], 1))


ARMS = ("steps_standardized", "steps_raw", "kappa_standardized", "kappa_raw")


def make_claim(data: str, title: str) -> Claim:
    return Claim(
        chapter="01_Linear_Logistic", name=f"conditioning_{data}",
        claim=f"{title}에서 표준화한 feature는 raw feature보다 gradient descent가 closed form의 최솟값에 "
              "훨씬 적은 step으로 닿는다 (step 수는 조건수 κ를 따른다).",
        source="Hessian 조건수와 GD 수렴률 (theory.md §4.3; Nocedal & Wright 2006, §3.3)",
        metric="L(θ_k) − L* ≤ 0.01·L*에 닿는 첫 step k (적을수록 좋다; lr = 1/λ_max, 상한 50,000 step에 걸리면 "
               "50,001); κ_std, κ_raw는 X̃의 조건수의 제곱",
        arms=ARMS,
        run=lambda seed, quick: measure(data, seed, quick),
        criterion=Criterion(
            description="seed마다 log10(k_raw / k_std); 그 평균의 95% t 구간 하한이 1보다 크면 holds "
                        "(raw가 10배 넘게 더 많은 step을 쓴다). k_raw가 상한에 걸리면 통계량은 하한이다",
            per_seed=step_ratio, rule="greater", threshold=1.0,
            statistic="log10(k_raw / k_std)"),
        default_seeds=5,
        notes="raw가 상한 50,000 step 안에 닿지 못하면 k_raw = 50,001로 적으므로 통계량은 실제 차이의 하한이다. "
              "볼록한 2차 목적 함수 하나의 이야기라, 비볼록한 신경망에서 정규화가 주는 효과(초기화, 층마다의 척도)는 "
              "이 측정이 보여 주지 않는다.",
    )


CLAIMS = [make_claim("diabetes", "diabetes 회귀"), make_claim("breast_cancer", "breast cancer (0/1 least squares)")]
