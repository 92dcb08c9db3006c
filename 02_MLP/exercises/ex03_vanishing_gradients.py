"""연습문제 03 — 사라지는 gradient 진단하고 고치기: 학습자가 채우는 stub.

문제 설명과 유도: `03_vanishing_gradients.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 02_MLP/exercises --learner -k ex03   # 이 문제만 채점
    make grade CHAPTERS=02                                # 이 장의 채점표 (문제마다 한 줄)

L개의 Dense 층 (은닉 층 L − 1개 + 출력 층), W_l: (n_{l−1}, n_l), b_l: (n_l,), H_0 = X:
    Z_l = H_{l−1} W_l + b_l,   H_l = f(Z_l)   (l < L),   logits = Z_L,   δ_l = ∂L/∂Z_l
NumPy만 쓴다 (torch는 채점에서 기준으로만 쓰인다).
"""
from __future__ import annotations

import numpy as np

ACTIVATIONS = ("sigmoid", "tanh", "relu")
INITS = ("xavier", "he")


def init_weights(sizes, init: str, rng: np.random.Generator) -> tuple[list, list]:
    """층 크기 sizes = [n_0, n_1, …, n_L] 의 MLP 가중치를 정규분포로 만든다. bias는 모두 0.

    xavier: W ~ N(0, 2 / (fan_in + fan_out))   (Glorot & Bengio 2010, 식 (12)의 분산, 정규분포 판)
    he:     W ~ N(0, 2 / fan_in)               (He et al. 2015, 식 (10))

    Args:
        sizes: 양의 정수 L + 1개.  init: "xavier" 또는 "he".  rng: 난수 생성기.
    Returns:
        (weights, biases): weights[l−1]는 (n_{l−1}, n_l), biases[l−1]는 (n_l,) 0 배열 (l = 1 … L), float64.
    Raises:
        ValueError: init이 위의 둘이 아니거나 sizes가 2개 미만이거나 1보다 작은 원소가 있을 때.
    """
    # 표준편차 = sqrt(분산):  rng.normal(size=(fan_in, fan_out)) * std
    raise NotImplementedError("init_weights: Xavier / He 정규분포 초기화 (03_vanishing_gradients.md 1단계)")


def forward(X: np.ndarray, weights: list, biases: list, activation: str) -> tuple[np.ndarray, list]:
    """Z_l = H_{l−1} W_l + b_l,  H_l = f(Z_l) (l < L), 마지막 층은 활성화 없이 logits.

    Args:
        X: (N, n_0).  weights, biases: `init_weights`의 출력 모양.  activation: "sigmoid", "tanh", "relu".
    Returns:
        (logits, cache): logits (N, n_L). cache는 `backward`가 쓰는 것 (층마다 H_{l−1}과 f′(Z_l) 등; 모양은 자유).
    Raises:
        ValueError: activation이 위의 셋이 아닐 때.
    """
    raise NotImplementedError("forward: 활성화별 forward와 cache (03_vanishing_gradients.md 2단계)")


def backward(dlogits: np.ndarray, weights: list, cache: list, activation: str) -> tuple[list, list, list]:
    """logits의 gradient δ_L에서 출발해 층마다 δ_l = ∂L/∂Z_l, ∂L/∂W_l, ∂L/∂b_l 을 구한다 (식은 직접 유도한다).

    Args:
        dlogits: (N, n_L) = ∂L/∂logits.  weights: forward에 쓴 가중치.  cache: forward가 돌려준 것.
        activation: forward와 같은 활성화 이름.
    Returns:
        (dW, db, deltas): 모두 길이 L의 list, 입력 쪽 층이 0번. dW[l−1]은 W_l과 같은 shape,
        db[l−1]은 (n_l,), deltas[l−1]은 (N, n_l) = ∂L/∂Z_l.
    """
    raise NotImplementedError("backward: 층별 δ, dW, db (03_vanishing_gradients.md 3단계)")


def gradient_profile(X: np.ndarray, y: np.ndarray, weights: list, biases: list, activation: str) -> dict:
    """평균 softmax cross-entropy에 대한 한 번의 forward / backward로 층별 gradient 크기를 잰다.

    Args:
        X: (N, n_0).  y: (N,) 정수 클래스 0 … n_L − 1.  weights, biases, activation: `forward`와 같다.
    Returns:
        {"mean_abs_grad": (L,) 층별 mean |∂L/∂W_l|,  "delta_norm": (L,) 층별 ‖∂L/∂Z_l‖_F}, 입력 쪽 층이 0번.
    """
    # δ_L = (softmax(logits) − onehot(y)) / N  (행 최댓값을 빼서 exp가 넘치지 않게)
    raise NotImplementedError("gradient_profile: 층별 mean |dW|와 ‖δ‖ (03_vanishing_gradients.md 4단계)")


def delta_ratio_bound(weights: list, activation: str) -> float:
    """‖δ_1‖_F / ‖δ_L‖_F 의 상한: f′의 최댓값과 가중치의 spectral norm ‖·‖₂(최대 singular value)로 유도한 것.

    Args:
        weights: 길이 L의 가중치 list.  activation: "sigmoid" (max f′ = 1/4), "tanh" (1), "relu" (1).
    Returns:
        상한 (float).
    """
    raise NotImplementedError("delta_ratio_bound: 유도한 상한 (03_vanishing_gradients.md 5단계)")


def ratio_table(X: np.ndarray, y: np.ndarray, weights: dict) -> dict:
    """생각해 볼 질문 4의 2 × 2 표: 초기화 두 벌에 sigmoid와 ReLU를 각각 써서 잰 r = ‖δ_1‖_F / ‖δ_L‖_F.

    Args:
        X: (N, n_0).  y: (N,) 정수 클래스.
        weights: {"xavier": (weights, biases), "he": (weights, biases)} — `init_weights`의 출력 모양.
    Returns:
        {(activation, init): r} — activation ∈ ("sigmoid", "relu"), init ∈ ("xavier", "he"), 네 칸.
    """
    raise NotImplementedError("ratio_table: 4단계 함수로 네 칸을 채운다 (03_vanishing_gradients.md 6단계)")
