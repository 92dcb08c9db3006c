"""연습문제 02 — feature scaling과 조건수(condition number): 학습자가 채우는 stub.

문제 설명과 유도: `02_feature_scaling.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 01_Linear_Logistic/exercises --learner -k ex02   # 이 문제만 채점
    make grade CHAPTERS=01                                            # 이 장의 채점표 (문제마다 한 줄)

선형 회귀 목적 함수 L(θ) = (1/N)||X̃θ − y||² (X̃ = [X, 1], θ = [w; b])의 Hessian은 H = (2/N) X̃ᵀX̃.
"""
from __future__ import annotations

import numpy as np


def standardize_fit(X: np.ndarray, eps: float = 1e-12) -> tuple[np.ndarray, np.ndarray]:
    """feature별 평균과 표준편차를 구한다 (train 데이터에만 호출한다).

    표준편차는 1/N로 나눈 것(ddof=0)이다. std < eps 인 상수 열은 std를 1로 바꿔 0으로 나누지 않게 한다.

    Args:
        X: (N, D) train feature.  eps: 상수 열 판정 기준.
    Returns:
        (mean, std): 둘 다 (D,).
    """
    raise NotImplementedError("standardize_fit: 열마다 mean / std를 구하세요 (02_feature_scaling.md 1단계)")


def standardize_apply(X: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """주어진 (train의) 통계량으로 표준화한다: (X − mean) / std.

    Args:
        X: (M, D) — train이든 test든 같은 mean / std를 쓴다.  mean, std: (D,) (`standardize_fit`의 결과).
    Returns:
        (M, D) 표준화된 feature.
    """
    raise NotImplementedError("standardize_apply: (X − mean) / std (02_feature_scaling.md 1단계)")


def hessian_condition_number(X: np.ndarray) -> float:
    """선형 회귀 MSE의 Hessian H = (2/N) X̃ᵀX̃ (X̃ = [X, 1])의 조건수 κ = λ_max / λ_min.

    X̃ᵀX̃ 를 만들지 않고 X̃의 singular value로 계산하면 작은 고윳값을 더 정확하게 얻는다.

    Args:
        X: (N, D), N ≥ D + 1 이고 X̃의 열이 선형 독립이어야 κ가 유한하다.
    Returns:
        κ (float, ≥ 1).
    """
    raise NotImplementedError("hessian_condition_number: X̃의 singular value로 (02_feature_scaling.md 2단계)")


def steps_to_tolerance(X: np.ndarray, y: np.ndarray, tol: float, max_steps: int) -> int:
    """θ = 0 에서 출발한 full-batch GD (η = 1/λ_max(H))가 목적 함수 gap L(θ_k) − L* ≤ tol 에 닿는 step 수 k.

    L(θ) = (1/N)||X̃θ − y||², L*는 least squares의 최솟값 (np.linalg.lstsq로 구한다).
    k = 0 (출발점)부터 검사한다: 출발점에서 이미 gap ≤ tol 이면 0.
    max_steps 번 갱신한 뒤에도 닿지 못하면 "도달하지 못함" 표시로 max_steps + 1 을 돌려준다.

    Args:
        X: (N, D).  y: (N,).  tol: 목적 함수 gap의 절대 기준 (> 0).  max_steps: 최대 갱신 횟수.
    Returns:
        0 ≤ k ≤ max_steps, 또는 max_steps + 1.
    """
    raise NotImplementedError("steps_to_tolerance: GD step 수를 세세요 (02_feature_scaling.md 3단계)")


def step_upper_bound(kappa: float, gap0: float, tol: float) -> int:
    """η = 1/λ_max 인 GD가 목적 함수 gap을 gap0에서 tol 이하로 줄이는 데 필요한 step 수의 상한 (κ로 유도한 것, 올림).

    Args:
        kappa: κ > 1.  gap0: 출발점의 gap > 0.  tol: 기준 > 0.
    Returns:
        step 수의 상한 (int, gap0 ≤ tol 이면 0).
    """
    raise NotImplementedError("step_upper_bound: 02_feature_scaling.md 4단계")
