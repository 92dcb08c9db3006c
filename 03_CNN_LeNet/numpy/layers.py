"""LeNet의 나머지 부품 — NumPy로 손으로 쓴 Dense, ReLU, Tanh, Flatten, softmax cross-entropy, Adam.

convolution과 pooling은 `conv.py`에 있다. 이 장의 모델은 다른 장과 코드를 공유하지 않으므로(docs/00_Design.md)
02장 MLP에서 만든 부품과 같은 일을 하는 층도 여기서 다시 쓴다.

    Dense:    y = x W + b                  dW = xᵀ dy,  db = Σ_n dy,  dx = dy Wᵀ
    ReLU:     y = max(x, 0)                dx = dy · [x > 0]
    Tanh:     y = tanh(x)                  dx = dy · (1 − y²)
    Flatten:  (N, C, H, W) → (N, C·H·W)    dx = dy를 원래 shape로
    softmax cross-entropy:  L = −(1/N) Σ_n log softmax(z_n)_{y_n},   dL/dz = (softmax(z) − onehot(y)) / N
    Adam (Kingma & Ba 2015, Algorithm 1):
        m ← β1 m + (1 − β1) g,   v ← β2 v + (1 − β2) g²,   θ ← θ − lr · m̂ / (√v̂ + ε),
        m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)
"""
from __future__ import annotations

import numpy as np


class Dense:
    """Affine 층 y = x W + b. W: (D, K), b: (K,). 초기값 W ~ N(0, 2/D) (He), b = 0."""

    def __init__(self, in_features: int, out_features: int, rng: np.random.Generator | None = None,
                 dtype=np.float64):
        if in_features < 1 or out_features < 1:
            raise ValueError(f"in_features, out_features는 1 이상이어야 합니다: {in_features}, {out_features}")
        rng = rng if rng is not None else np.random.default_rng(0)
        self.params = {
            "W": (rng.normal(size=(in_features, out_features)) * np.sqrt(2.0 / in_features)).astype(dtype),
            "b": np.zeros(out_features, dtype=dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x: np.ndarray) -> np.ndarray:
        d = self.params["W"].shape[0]
        if x.ndim != 2 or x.shape[1] != d:
            raise ValueError(f"Dense 입력은 shape (N, {d})이어야 합니다: 받은 shape {x.shape}")
        self.cache = x
        return x @ self.params["W"] + self.params["b"]                # (N, D) @ (D, K) + (K,) → (N, K)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x = self.cache
        self.grads["W"][...] = x.T @ dout                             # (D, N) @ (N, K) → (D, K)
        self.grads["b"][...] = dout.sum(axis=0)                       # (K,)
        return dout @ self.params["W"].T                              # (N, K) @ (K, D) → (N, D)


class ReLU:
    def __init__(self):
        self.params, self.grads = {}, {}               # 학습할 파라미터가 없다 (인스턴스마다 따로)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.mask = x > 0
        return np.where(self.mask, x, 0.0).astype(x.dtype, copy=False)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.mask                                       # x = 0에서는 subgradient 0을 고른다


class Tanh:
    def __init__(self):
        self.params, self.grads = {}, {}               # 학습할 파라미터가 없다 (인스턴스마다 따로)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (1.0 - self.out**2)


class Flatten:
    """(N, C, H, W) → (N, C·H·W). 행 우선(C, H, W 순)으로 펼치므로 `torch.flatten(x, 1)`과 같은 순서다."""

    def __init__(self):
        self.params, self.grads = {}, {}               # 학습할 파라미터가 없다 (인스턴스마다 따로)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout.reshape(self.shape)


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """행마다 log softmax. 행의 최댓값을 빼서(log-sum-exp trick) exp가 넘치지 않게 한다."""
    shifted = logits - logits.max(axis=1, keepdims=True)              # (N, K)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """(loss, dL/dlogits). logits (N, K), y는 0..K−1 정수 (N,)."""
    n, k = logits.shape
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= k:
        raise ValueError(f"y는 0..{k - 1} 범위의 정수 배열, shape ({n},)이어야 합니다: "
                         f"받은 shape {y.shape}, dtype {y.dtype}")
    log_probs = log_softmax(logits)                                   # (N, K)
    loss = -float(log_probs[np.arange(n), y].mean())
    dlogits = np.exp(log_probs)                                       # softmax
    dlogits[np.arange(n), y] -= 1.0                                   # softmax − onehot
    return loss, dlogits / n


class Adam:
    """Adam (Kingma & Ba 2015). 기본값은 논문·`torch.optim.Adam`과 같다: β = (0.9, 0.999), ε = 1e-8."""

    def __init__(self, modules, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        if lr <= 0:
            raise ValueError(f"learning rate는 양수여야 합니다: lr={lr}")
        self.modules, self.lr, self.betas, self.eps = [m for m in modules if m.params], lr, betas, eps
        self.m = [{k: np.zeros_like(v) for k, v in mod.params.items()} for mod in self.modules]
        self.v = [{k: np.zeros_like(v) for k, v in mod.params.items()} for mod in self.modules]
        self.t = 0

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t                       # bias correction
        for module, m, v in zip(self.modules, self.m, self.v):
            for name, param in module.params.items():
                g = module.grads[name]
                m[name] = b1 * m[name] + (1 - b1) * g
                v[name] = b2 * v[name] + (1 - b2) * g * g
                param -= self.lr * (m[name] / c1) / (np.sqrt(v[name] / c2) + self.eps)
