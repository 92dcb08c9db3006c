"""연습문제 03 — 사라지는 gradient 진단하고 고치기: reference solution.

문제: `../03_vanishing_gradients.md`. 학습자 stub: `../ex03_vanishing_gradients.py`
(함수 이름·signature·docstring이 같다).

L개의 Dense 층 (은닉 층 L − 1개 + 출력 층), W_l: (n_{l−1}, n_l), b_l: (n_l,), H_0 = X:
    Z_l = H_{l−1} W_l + b_l,   H_l = f(Z_l)   (l < L),   logits = Z_L,   δ_l = ∂L/∂Z_l
‖δ_l‖_F ≤ (max f′) ‖W_{l+1}‖₂ ‖δ_{l+1}‖_F 이므로  ‖δ_1‖ / ‖δ_L‖ ≤ (max f′)^{L−1} Π_{l=2}^{L} ‖W_l‖₂,
sigmoid는 max σ′ = σ′(0) = 1/4 라 이 상한이 층마다 1/4씩 작아진다.
"""
from __future__ import annotations

import numpy as np

ACTIVATIONS = ("sigmoid", "tanh", "relu")
INITS = ("xavier", "he")


def _check_activation(activation: str) -> None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation은 {', '.join(ACTIVATIONS)} 중 하나여야 합니다: {activation!r}")


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
    sizes = [int(s) for s in sizes]
    if init not in INITS:
        raise ValueError(f"init은 {', '.join(INITS)} 중 하나여야 합니다: {init!r}")
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes는 양의 정수 2개 이상이어야 합니다: {sizes}")
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        variance = 2.0 / (fan_in + fan_out) if init == "xavier" else 2.0 / fan_in
        weights.append(rng.normal(size=(fan_in, fan_out)) * np.sqrt(variance))   # (fan_in, fan_out)
        biases.append(np.zeros(fan_out))
    return weights, biases


def forward(X: np.ndarray, weights: list, biases: list, activation: str) -> tuple[np.ndarray, list]:
    """Z_l = H_{l−1} W_l + b_l,  H_l = f(Z_l) (l < L), 마지막 층은 활성화 없이 logits.

    Args:
        X: (N, n_0).  weights, biases: `init_weights`의 출력 모양.  activation: "sigmoid", "tanh", "relu".
    Returns:
        (logits, cache): logits (N, n_L). cache는 `backward`가 쓰는 것 (층마다 H_{l−1}과 f′(Z_l) 등; 모양은 자유).
    Raises:
        ValueError: activation이 위의 셋이 아닐 때.
    """
    _check_activation(activation)
    h, cache = X, []
    for index, (W, b) in enumerate(zip(weights, biases)):
        z = h @ W + b                                             # (N, n_{l−1}) @ (n_{l−1}, n_l) → (N, n_l)
        if index == len(weights) - 1:
            cache.append((h, None))                               # 출력 층: 활성화 없음
            return z, cache
        if activation == "sigmoid":
            e = np.exp(-np.abs(z))                                # overflow 없는 sigmoid
            out = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
            derivative = out * (1.0 - out)                        # σ′ = σ(1 − σ) ≤ 1/4
        elif activation == "tanh":
            out = np.tanh(z)
            derivative = 1.0 - out**2                             # tanh′ = 1 − tanh² ≤ 1
        else:
            out = np.maximum(z, 0.0)
            derivative = (z > 0).astype(z.dtype)                  # ReLU′ ∈ {0, 1} (z = 0에서는 0, torch와 같음)
        cache.append((h, derivative))
        h = out
    raise ValueError("weights가 비어 있습니다")


def backward(dlogits: np.ndarray, weights: list, cache: list, activation: str) -> tuple[list, list, list]:
    """logits의 gradient δ_L에서 출발해 층마다 δ_l = ∂L/∂Z_l, ∂L/∂W_l, ∂L/∂b_l 을 구한다 (식은 직접 유도한다).

    Args:
        dlogits: (N, n_L) = ∂L/∂logits.  weights: forward에 쓴 가중치.  cache: forward가 돌려준 것.
        activation: forward와 같은 활성화 이름.
    Returns:
        (dW, db, deltas): 모두 길이 L의 list, 입력 쪽 층이 0번. dW[l−1]은 W_l과 같은 shape,
        db[l−1]은 (n_l,), deltas[l−1]은 (N, n_l) = ∂L/∂Z_l.
    """
    _check_activation(activation)
    dW, db, deltas = [], [], []
    delta = dlogits                                               # δ_L, (N, n_L)
    for index in reversed(range(len(weights))):
        h_prev, derivative = cache[index]
        if derivative is not None:
            delta = delta * derivative                            # ⊙ f′(Z_l)
        deltas.append(delta)
        dW.append(h_prev.T @ delta)                               # (n_{l−1}, N) @ (N, n_l)
        db.append(delta.sum(axis=0))                              # (n_l,)
        delta = delta @ weights[index].T                          # ∂L/∂H_{l−1}, (N, n_{l−1})
    return dW[::-1], db[::-1], deltas[::-1]


def gradient_profile(X: np.ndarray, y: np.ndarray, weights: list, biases: list, activation: str) -> dict:
    """평균 softmax cross-entropy에 대한 한 번의 forward / backward로 층별 gradient 크기를 잰다.

    Args:
        X: (N, n_0).  y: (N,) 정수 클래스 0 … n_L − 1.  weights, biases, activation: `forward`와 같다.
    Returns:
        {"mean_abs_grad": (L,) 층별 mean |∂L/∂W_l|,  "delta_norm": (L,) 층별 ‖∂L/∂Z_l‖_F}, 입력 쪽 층이 0번.
    """
    logits, cache = forward(X, weights, biases, activation)
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)         # (N, C), exp가 넘치지 않게
    probs = np.exp(shifted)
    probs /= probs.sum(axis=1, keepdims=True)
    probs[np.arange(n), y] -= 1.0                                 # softmax − onehot
    dW, _, deltas = backward(probs / n, weights, cache, activation)
    return {"mean_abs_grad": np.array([np.abs(g).mean() for g in dW]),
            "delta_norm": np.array([np.linalg.norm(d) for d in deltas])}


def delta_ratio_bound(weights: list, activation: str) -> float:
    """‖δ_1‖_F / ‖δ_L‖_F 의 상한: f′의 최댓값과 가중치의 spectral norm ‖·‖₂(최대 singular value)로 유도한 것.

    Args:
        weights: 길이 L의 가중치 list.  activation: "sigmoid" (max f′ = 1/4), "tanh" (1), "relu" (1).
    Returns:
        상한 (float).
    """
    _check_activation(activation)
    spectral = [np.linalg.norm(W, 2) for W in weights[1:]]      # W_2 … W_L
    max_derivative = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}[activation]   # sup_z f′(z): σ′(0) = 1/4
    return float(max_derivative ** (len(weights) - 1) * np.prod(spectral))


def ratio_table(X: np.ndarray, y: np.ndarray, weights: dict) -> dict:
    """생각해 볼 질문 4의 2 × 2 표: 초기화 두 벌에 sigmoid와 ReLU를 각각 써서 잰 r = ‖δ_1‖_F / ‖δ_L‖_F.

    Args:
        X: (N, n_0).  y: (N,) 정수 클래스.
        weights: {"xavier": (weights, biases), "he": (weights, biases)} — `init_weights`의 출력 모양.
    Returns:
        {(activation, init): r} — activation ∈ ("sigmoid", "relu"), init ∈ ("xavier", "he"), 네 칸.
    """
    table = {}
    for activation in ("sigmoid", "relu"):
        for init, (Ws, bs) in weights.items():
            norms = gradient_profile(X, y, Ws, bs, activation)["delta_norm"]
            table[(activation, init)] = float(norms[0] / norms[-1])
    return table
