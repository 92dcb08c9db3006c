"""다층 퍼셉트론 (MLP) — NumPy로 손으로 쓴 forward / backward (backpropagation).

논문: D. E. Rumelhart, G. E. Hinton & R. J. Williams (1986), "Learning representations by back-propagating
errors", Nature 323, 533–536. 논문의 식 (unit j, 아래 층의 unit i, bias는 늘 1인 입력의 가중치로 본다):
    (1) x_j = Σ_i y_i w_ji                    층의 총 입력 (total input)
    (2) y_j = 1 / (1 + e^{−x_j})              sigmoid 출력
    (5) ∂E/∂x_j = ∂E/∂y_j · y_j (1 − y_j)     출력 쪽 오차를 총 입력 쪽으로
    (6) ∂E/∂w_ji = ∂E/∂x_j · y_i              가중치의 gradient
    (7) ∂E/∂y_i = Σ_j ∂E/∂x_j · w_ji          아래 층으로 오차를 되돌려 보낸다 (back-propagation)
    (9) Δw(t) = −ε ∂E/∂w(t) + α Δw(t−1)       momentum이 붙은 gradient descent
batch N개를 한꺼번에, 층 l마다 행렬로 쓰면 (이 파일의 `Dense`와 활성화 함수들이 하는 일):
    forward:   Z_l = H_{l−1} W_l + b_l,   H_l = f(Z_l)              W_l: (n_{l−1}, n_l), H_l: (N, n_l)
    backward:  dZ_l = dH_l ⊙ f′(Z_l),   dW_l = H_{l−1}ᵀ dZ_l,   db_l = Σ_n dZ_l,   dH_{l−1} = dZ_l W_lᵀ
논문과 다른 점: 출력은 sigmoid + 제곱 오차(식 3) 대신 softmax + cross-entropy를 쓴다 (10 class 분류의 표준).
그러면 출력 층에서 ∂L/∂Z = (softmax(Z) − onehot(y)) / N 로 식 (4)–(5)가 한 줄이 된다.

이 파일의 모듈은 모두 L1 규약을 따른다: `params`와 `grads`는 같은 key의 dict, `forward(x)`가 backward에
필요한 것을 캐시하고 `backward(dout) -> dx`가 `grads`를 **제자리에서** 채운다. dtype은 입력을 따른다(float64로
gradient check를 한다). 초기화는 Glorot & Bengio (2010)와 He et al. (2015), optimizer는 SGD, Momentum
(PyTorch 형태), Adam (Kingma & Ba 2015).

실행:  python -m 02_MLP.numpy.mlp_numpy [--data digits|mnist] [--quick]
"""
from __future__ import annotations

import math
import sys

import numpy as np

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, check_finite, limit_threads
from utils.datasets import load_features
from utils.training import History

DATA_CHOICES = ("digits", "mnist")


def check_input(x, n_features: int, name: str = "x") -> None:
    """입력이 (N, D) float 배열인지 확인한다. 틀리면 기대한 shape를 말하는 ValueError."""
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"{name}는 float NumPy 배열이어야 합니다: 받은 dtype {getattr(x, 'dtype', type(x).__name__)}")
    if x.ndim != 2 or x.shape[1] != n_features:
        hint = " (이미지는 먼저 (N, H·W)로 펴세요)" if x.ndim > 2 else ""
        raise ValueError(f"{name}의 shape는 (N, {n_features})이어야 합니다{hint}: 받은 shape {x.shape}")


# ---------------------------------------------------------------------------
# 초기화: 층을 지날 때 신호의 분산이 유지되도록 가중치의 scale을 고른다
# ---------------------------------------------------------------------------
def xavier_init(fan_in: int, fan_out: int, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward neural networks", 식 (16).

    W ~ U[−a, a],  a = √6 / √(fan_in + fan_out)  →  Var[W] = a²/3 = 2 / (fan_in + fan_out).
    forward의 분산 보존(fan_in·Var = 1)과 backward의 분산 보존(fan_out·Var = 1)의 절충. 선형 영역이 있는
    tanh / sigmoid 같은 대칭 활성화 함수를 가정한다. `torch.nn.init.xavier_uniform_`과 같은 분포.
    """
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out)).astype(dtype)


def he_init(fan_in: int, fan_out: int, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    """He, Zhang, Ren & Sun (2015), "Delving Deep into Rectifiers", §2.2 식 (10): ½ · fan_in · Var[W] = 1.

    W ~ N(0, 2 / fan_in). ReLU는 입력의 절반(음수)을 0으로 만들어 두 번째 moment를 반으로 줄이므로, Xavier보다
    분산을 두 배로 잡아야 깊이와 무관하게 신호가 유지된다.
    `torch.nn.init.kaiming_normal_(mode="fan_in", nonlinearity="relu")`와 같은 분포 (torch의 weight는 (out, in)).
    """
    return (rng.normal(size=(fan_in, fan_out)) * np.sqrt(2.0 / fan_in)).astype(dtype)


INITIALIZERS = {"xavier": xavier_init, "he": he_init}


# ---------------------------------------------------------------------------
# 층 (layers)
# ---------------------------------------------------------------------------
class Dense:
    """Affine 층 out = x W + b (논문 식 (1)을 batch로). W: (D, K), b: (K,)."""

    def __init__(self, in_features: int, out_features: int, rng: np.random.Generator, init: str = "he",
                 dtype=np.float64):
        if in_features < 1 or out_features < 1:
            raise ValueError(f"in_features, out_features는 1 이상이어야 합니다: {in_features}, {out_features}")
        if init not in INITIALIZERS:
            raise ValueError(f"init은 {', '.join(INITIALIZERS)} 중 하나여야 합니다: {init!r}")
        self.params = {"W": INITIALIZERS[init](in_features, out_features, rng, dtype),
                       "b": np.zeros(out_features, dtype=dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x: np.ndarray) -> np.ndarray:
        check_input(x, self.params["W"].shape[0])
        self.cache = x
        return x @ self.params["W"] + self.params["b"]           # (N, D) @ (D, K) + (K,) → (N, K)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x = self.cache
        self.grads["W"][...] = x.T @ dout                        # 식 (6): (D, N) @ (N, K) → (D, K)
        self.grads["b"][...] = dout.sum(axis=0)                  # bias의 입력은 늘 1 → batch 합, (K,)
        return dout @ self.params["W"].T                         # 식 (7): (N, K) @ (K, D) → (N, D)


class ReLU:
    """f(z) = max(z, 0),  f′(z) = 1[z > 0] (z = 0에서는 0을 쓴다 — torch와 같은 관례)."""

    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.cache = x > 0                                        # mask, x와 같은 shape
        return np.where(self.cache, x, 0).astype(x.dtype, copy=False)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * self.cache


class Sigmoid:
    """σ(z) = 1 / (1 + e^{−z}) (논문 식 (2)),  σ′(z) = σ(z)(1 − σ(z)) (식 (5)). 최댓값은 σ′(0) = 1/4."""

    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        e = np.exp(-np.abs(x))                                    # ∈ (0, 1]: z가 ±1e4여도 overflow가 없다
        out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        self.cache = out
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        out = self.cache
        return dout * out * (1.0 - out)


class Tanh:
    """tanh(z),  tanh′(z) = 1 − tanh(z)². 0을 중심으로 대칭인 sigmoid: tanh(z) = 2σ(2z) − 1."""

    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.cache = np.tanh(x)
        return self.cache

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (1.0 - self.cache**2)


# Python float 상수: NumPy 2의 promotion 규칙에서 np.float64 스칼라는 float32 배열을 float64로 올린다.
_SQRT_PI = math.sqrt(math.pi)
_ERF_SPLIT = 2.5        # |t| < 2.5는 급수, 그 위는 연분수
_ERF_SERIES_TERMS = 40
_ERF_CF_DEPTH = 30


def erf(x: np.ndarray) -> np.ndarray:
    """오차 함수 erf(t) = (2/√π) ∫_0^t e^{−s²} ds 를 NumPy만으로 (NumPy에는 erf가 없고 SciPy는 의존성이 아니다).

    |t| < 2.5:  erf(t) = (2/√π) e^{−t²} Σ_n 2ⁿ t^{2n+1} / (1·3·5···(2n+1))
                — 모든 항이 같은 부호라 상쇄(cancellation)가 없다. 항의 비는 2t²/(2n+1)이므로 40항이면 충분하다.
    |t| ≥ 2.5:  erfc(t) = (e^{−t²}/√π) · 1/(t + (1/2)/(t + 1/(t + (3/2)/(t + 2/(t + …)))))  (Laplace의 연분수)
                를 깊이 30에서 거꾸로 계산하고 erf = 1 − erfc.  erf(−t) = −erf(t).
    `math.erf`(C libm)와의 차이는 [−8, 8]에서 최대 약 1.3e-15로 측정했다 (test_numpy.py는 F64_RTOL / F64_ATOL로 확인).
    """
    x = np.asarray(x)
    a = np.abs(x)
    out = np.empty_like(a)
    small = a < _ERF_SPLIT
    t = a[small]
    term = t.copy()
    total = t.copy()
    for n in range(1, _ERF_SERIES_TERMS):
        term = term * (2.0 * t * t) / (2 * n + 1)                # 2ⁿ t^{2n+1} / (2n+1)!!
        total += term
    out[small] = 2.0 / _SQRT_PI * np.exp(-t * t) * total
    t = a[~small]
    fraction = t.copy()
    for k in range(_ERF_CF_DEPTH, 0, -1):                         # 안쪽부터: t + (k/2) / (…)
        fraction = t + (k / 2.0) / fraction
    out[~small] = 1.0 - np.exp(-t * t) / _SQRT_PI / fraction
    return np.sign(x) * out


class GELU:
    """GELU (Hendrycks & Gimpel 2016)의 **정확한 erf 형태** — torch의 기본 `F.gelu`(approximate="none")와 같다.

    GELU(z) = z Φ(z),  Φ(z) = ½ (1 + erf(z / √2))   (표준 정규분포의 누적분포함수)
    GELU′(z) = Φ(z) + z φ(z),  φ(z) = e^{−z²/2} / √(2π)
    tanh 근사(approximate="tanh")가 아니다. erf는 위의 `erf`가 float64 정밀도로 계산한다.
    """

    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        cdf = 0.5 * (1.0 + erf(x / math.sqrt(2.0)))              # Φ(x)
        self.cache = (x, cdf)
        return x * cdf

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x, cdf = self.cache
        pdf = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)    # φ(x)
        return dout * (cdf + x * pdf)


ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "gelu": GELU}
DEFAULT_INIT = {"relu": "he", "gelu": "he", "sigmoid": "xavier", "tanh": "xavier"}


class Dropout:
    """Dropout (Srivastava et al. 2014, JMLR 15)의 inverted 형태 (PyTorch와 같다).

    논문은 학습 때 남은 unit을 그대로 두고 평가 때 가중치에 (1 − p)를 곱한다. inverted 형태는 그 scaling을
    학습 쪽(1/(1−p)배)으로 옮겨 평가 때 할 일을 없앤 것이다: 기댓값은 같다.

    학습 모드: 각 원소를 확률 p로 0으로 만들고 남은 원소를 1/(1−p)배 한다 → E[out] = x 이므로
    평가 모드에서는 아무것도 하지 않는다 (identity). backward는 forward에서 캐시한 **같은 mask**를 곱한다.
    mask는 생성자에 준 seed의 `np.random.Generator`로 뽑는다 (같은 seed → 같은 mask 열).
    """

    def __init__(self, p: float, rng: np.random.Generator | None = None, seed: int = 0):
        if not 0.0 <= p < 1.0:
            raise ValueError(f"dropout 확률 p는 [0, 1) 범위여야 합니다: p={p}")
        self.p = p
        self.rng = rng if rng is not None else np.random.default_rng(seed)
        self.training = True
        self.params, self.grads = {}, {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        if not self.training or self.p == 0.0:
            self.cache = None                                     # identity
            return x
        keep = self.rng.random(x.shape) >= self.p                # (…) bool, 확률 1−p로 True
        self.cache = keep.astype(x.dtype) / (1.0 - self.p)       # 0 또는 1/(1−p)
        return x * self.cache

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout if self.cache is None else dout * self.cache


# ---------------------------------------------------------------------------
# loss
# ---------------------------------------------------------------------------
def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """평균 softmax cross-entropy와 그 gradient: (L, ∂L/∂logits).

    L = −(1/N) Σ_n log softmax(z_n)_{y_n},  log softmax(z) = z − m − log Σ_k e^{z_k − m}  (m = max_k z_k)
    ∂L/∂z_n = (softmax(z_n) − onehot(y_n)) / N.   logits (N, C), y (N,) 정수 0..C−1.
    """
    if logits.ndim != 2:
        raise ValueError(f"logits의 shape는 (N, C)이어야 합니다: 받은 shape {logits.shape}")
    n, c = logits.shape
    if not isinstance(y, np.ndarray) or y.shape != (n,) or not np.issubdtype(y.dtype, np.integer) \
            or y.min() < 0 or y.max() >= c:
        raise ValueError(f"y는 0..{c - 1} 범위의 정수 배열, shape ({n},)이어야 합니다: "
                         f"받은 shape {getattr(y, 'shape', None)}, dtype {getattr(y, 'dtype', None)}")
    shifted = logits - logits.max(axis=1, keepdims=True)        # (N, C), 행 최댓값이 0 → exp가 넘치지 않는다
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -float(log_probs[rows, y].mean())
    dlogits = np.exp(log_probs)                                  # softmax, (N, C)
    dlogits[rows, y] -= 1.0                                      # softmax − onehot
    return loss, dlogits / n


# ---------------------------------------------------------------------------
# 모델
# ---------------------------------------------------------------------------
class MLP:
    """Dense → 활성화 → (Dropout) 을 은닉 층마다 반복하고 마지막은 Dense (logits).

    sizes = [D, h_1, …, h_k, C]. `params` / `grads`는 모든 Dense의 배열을 "W1", "b1", "W2", … 로 모아 보여 주는
    dict이다 (배열 자체를 공유하므로 optimizer와 gradient check가 MLP 전체를 하나의 L1 모듈로 다룰 수 있다).
    은닉 층 초기화는 활성화에 맞춰(`DEFAULT_INIT`: ReLU/GELU → He, sigmoid/tanh → Xavier), 출력 층은 Xavier에
    `output_gain`(기본 0.1)을 곱한다: logits가 처음에 0 근처라 예측이 거의 균등 → 초기 loss ≈ ln C.
    """

    def __init__(self, sizes, activation: str = "relu", dropout: float = 0.0, init: str | None = None,
                 output_gain: float = 0.1, seed: int = 0, dtype=np.float64):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"sizes는 [입력, 은닉…, 출력] 형태의 양의 정수 2개 이상이어야 합니다: {sizes}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation은 {', '.join(ACTIVATIONS)} 중 하나여야 합니다: {activation!r}")
        rng = np.random.default_rng(seed)                       # 초기화 다음에 dropout mask도 이 난수열에서 뽑는다
        self.sizes, self.activation = sizes, activation
        self.layers = []
        self.dense = []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            last = i == len(sizes) - 2
            layer = Dense(fan_in, fan_out, rng, "xavier" if last else (init or DEFAULT_INIT[activation]), dtype)
            if last:
                layer.params["W"] *= output_gain
            self.layers.append(layer)
            self.dense.append(layer)
            if not last:
                self.layers.append(ACTIVATIONS[activation]())
                if dropout > 0:
                    self.layers.append(Dropout(dropout, rng=rng))

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {f"{kind}{i}": layer.params[kind] for i, layer in enumerate(self.dense, 1) for kind in ("W", "b")}

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return {f"{kind}{i}": layer.grads[kind] for i, layer in enumerate(self.dense, 1) for kind in ("W", "b")}

    @property
    def n_parameters(self) -> int:
        return sum(p.size for p in self.params.values())

    def forward(self, x: np.ndarray) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x)
        return x                                                 # logits, (N, C)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):                      # 식 (7)을 출력 층부터 입력 층까지
            dout = layer.backward(dout)
        return dout                                              # ∂L/∂x, (N, D)

    def train(self, mode: bool = True) -> MLP:
        for layer in self.layers:
            if isinstance(layer, Dropout):
                layer.training = mode
        return self

    def eval(self) -> MLP:
        return self.train(False)

    @property
    def training(self) -> bool:
        return all(layer.training for layer in self.layers if isinstance(layer, Dropout))


# ---------------------------------------------------------------------------
# optimizer: 모듈들의 params를 grads로 제자리에서 갱신한다
# ---------------------------------------------------------------------------
class _Optimizer:
    def __init__(self, modules, lr: float):
        if lr <= 0:
            raise ValueError(f"learning rate는 양수여야 합니다: lr={lr}")
        modules = [modules] if hasattr(modules, "params") else list(modules)
        # (파라미터 배열, 그 gradient 배열) 쌍. 둘 다 제자리에서만 바뀌므로 처음에 한 번 모아 두면 된다.
        self.pairs = [(module.params[k], module.grads[k]) for module in modules for k in module.params]
        self.lr = lr


class SGD(_Optimizer):
    """θ ← θ − lr · g  (논문 식 (8))."""

    def step(self) -> None:
        for param, grad in self.pairs:
            param -= self.lr * grad


class Momentum(_Optimizer):
    """PyTorch `torch.optim.SGD(momentum=μ)`의 형태:  v ← μ v + g,   θ ← θ − lr · v   (v의 초기값 0).

    논문 식 (9) Δw(t) = −ε g(t) + α Δw(t−1) 과 같은 식이다: Δw = −lr · v 로 두면 v(t) = g(t) + α v(t−1).
    (learning rate가 바뀌지 않는 한 두 형태는 정확히 같다.)
    """

    def __init__(self, modules, lr: float, momentum: float = 0.9):
        super().__init__(modules, lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum은 [0, 1) 범위여야 합니다: {momentum}")
        self.momentum = momentum
        self.velocity = [np.zeros_like(p) for p, _ in self.pairs]

    def step(self) -> None:
        for (param, grad), v in zip(self.pairs, self.velocity):
            v *= self.momentum
            v += grad                                            # v ← μ v + g
            param -= self.lr * v


class Adam(_Optimizer):
    """Kingma & Ba (2015), "Adam: A Method for Stochastic Optimization", Algorithm 1 (bias correction 포함).

    m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,   m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)
    θ ← θ − lr · m̂ / (√v̂ + ε)
    ε는 √v̂ **바깥**에 더한다 — `torch.optim.Adam`과 같은 위치 (test_numpy.py가 step마다 비교한다).
    """

    def __init__(self, modules, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        super().__init__(modules, lr)
        if not all(0.0 <= b < 1.0 for b in betas):
            raise ValueError(f"betas는 [0, 1) 범위의 두 값이어야 합니다: {betas}")
        self.betas, self.eps, self.t = betas, eps, 0
        self.m = [np.zeros_like(p) for p, _ in self.pairs]
        self.v = [np.zeros_like(p) for p, _ in self.pairs]

    def step(self) -> None:
        beta1, beta2 = self.betas
        self.t += 1
        correction1, correction2 = 1.0 - beta1**self.t, 1.0 - beta2**self.t
        for (param, grad), m, v in zip(self.pairs, self.m, self.v):
            m *= beta1
            m += (1.0 - beta1) * grad                            # 1차 moment (gradient의 이동 평균)
            v *= beta2
            v += (1.0 - beta2) * grad * grad                     # 2차 moment (gradient 제곱의 이동 평균)
            param -= self.lr * (m / correction1) / (np.sqrt(v / correction2) + self.eps)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


# ---------------------------------------------------------------------------
# 학습 루프
# ---------------------------------------------------------------------------
def train_step(model: MLP, optimizer, X: np.ndarray, y: np.ndarray) -> float:
    """mini-batch 하나: forward → loss → backward → optimizer step. step 전의 loss를 돌려준다."""
    loss, dlogits = softmax_cross_entropy(model.forward(X), y)
    model.backward(dlogits)
    optimizer.step()
    return loss


def evaluate(model: MLP, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """평가 모드(dropout 끔)에서 (평균 loss, 정확도). 끝나면 원래 모드로 돌려 놓는다."""
    was_training = model.training
    model.eval()
    logits = model.forward(X)
    model.train(was_training)
    return softmax_cross_entropy(logits, y)[0], float((logits.argmax(axis=1) == y).mean())


def minibatches(n: int, batch_size: int, rng: np.random.Generator):
    """한 epoch의 mini-batch 색인들: 매 epoch 새로 섞은 순서를 batch_size씩 자른다 (마지막은 작을 수 있다)."""
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def train_epochs(model: MLP, optimizer, X: np.ndarray, y: np.ndarray, *, epochs: int, batch_size: int,
                 rng: np.random.Generator, X_test=None, y_test=None, progress: bool = True) -> History:
    """epoch마다 train_loss(mini-batch 평균), train_acc, (test가 있으면) test_loss, test_acc를 기록한다."""
    from tqdm.auto import tqdm

    check_input(X, model.sizes[0], name="X")
    check_finite(X=X, y=y)                                       # NaN이 섞인 데이터로는 시작하지 않는다
    if batch_size < 1:
        raise ValueError(f"batch_size는 1 이상이어야 합니다: {batch_size}")
    history = History()
    bar = tqdm(range(epochs), desc="mlp/numpy", leave=False, disable=not progress, file=sys.stderr)
    for _ in bar:
        model.train()
        total = 0.0
        for index in minibatches(len(X), batch_size, rng):
            total += train_step(model, optimizer, X[index], y[index]) * len(index)
        record = {"train_loss": total / len(X), "train_acc": evaluate(model, X, y)[1]}
        if X_test is not None:
            record["test_loss"], record["test_acc"] = evaluate(model, X_test, y_test)
        history.log(**record)
        bar.set_postfix({k: f"{v:.4f}" for k, v in record.items()}, refresh=False)
    return history


# ---------------------------------------------------------------------------
# 깊이에 따른 gradient 흐름: sigmoid vs ReLU
# ---------------------------------------------------------------------------
def gradient_flow(X: np.ndarray, y: np.ndarray, activation: str, depth: int = 10, width: int = 64,
                  seed: int = 0) -> np.ndarray:
    """은닉 층 `depth`개짜리 MLP를 초기화한 그대로 한 번 backward 해서 층별 mean |∂L/∂W_l|을 잰다. (depth+1,).

    층 l의 gradient는 위쪽 층들의 f′와 W를 차례로 곱한 것이다 (식 (7)을 반복). sigmoid는 f′ ≤ 1/4이라
    (Xavier 초기화에서) 층을 하나 내려갈 때마다 gradient가 대략 몇 분의 일로 줄어 입력 쪽 층이 거의 배우지 못한다
    (vanishing gradient). ReLU는 살아 있는 unit에서 f′ = 1이고 He 초기화가 scale을 맞춰 주므로 거의 일정하다.
    """
    if activation not in ACTIVATIONS or depth < 1 or width < 1:
        raise ValueError(f"activation은 {', '.join(ACTIVATIONS)} 중 하나, depth·width는 1 이상이어야 합니다: "
                         f"{activation!r}, depth={depth}, width={width}")
    n_classes = int(y.max()) + 1
    model = MLP([X.shape[1]] + [width] * depth + [n_classes], activation=activation, seed=seed, dtype=X.dtype)
    _, dlogits = softmax_cross_entropy(model.forward(X), y)
    model.backward(dlogits)
    return np.array([np.abs(layer.grads["W"]).mean() for layer in model.dense])


# ---------------------------------------------------------------------------
# 실행
# ---------------------------------------------------------------------------
def load_data(args):
    """(X_train, y_train, X_test, y_test, 이미지 한 변): 이미지를 (N, H·W)로 펴고 train 통계로 표준화한다."""
    limit = (2000, 1000) if args.quick else (None, None)           # --quick: MNIST는 앞쪽 일부만
    data = load_features(args.data, seed=args.seed, root=args.root, download=args.download,
                         max_train=limit[0], max_test=limit[1])      # (N, H·W), 픽셀마다 train 통계로 표준화
    X_train, y_train, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
    return X_train, y_train, X_test, y_test, math.isqrt(X_train.shape[1])


def add_model_arguments(parser, default_lr: float) -> None:
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 256], help="은닉 층 폭들 (기본 256 256)")
    parser.add_argument("--activation", choices=sorted(ACTIVATIONS), default="relu", help="은닉 층 활성화 함수")
    parser.add_argument("--dropout", type=float, default=0.2, help="은닉 층 뒤 dropout 확률 p (기본 0.2)")
    parser.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="adam", help="optimizer (기본 adam)")
    parser.add_argument("--lr", type=float, default=default_lr, help=f"learning rate (기본 {default_lr})")
    parser.add_argument("--batch-size", type=int, default=64, help="mini-batch 크기 (기본 64)")


def main(argv=None) -> dict:
    parser = make_parser("02_MLP", "numpy", "MLP: NumPy로 손으로 쓴 backpropagation", DATA_CHOICES, "digits",
                         default_epochs=50)
    add_model_arguments(parser, default_lr=1e-3)
    parser.add_argument("--flow-depth", type=int, default=10, help="gradient 흐름 그림의 은닉 층 수 (기본 10)")
    args = parse_args(parser, argv)
    from utils.visualization import plot_curves, plot_weight_grid

    rng = seed_everything(args.seed)
    epochs = min(args.epochs, 3) if args.quick else args.epochs
    with Timer() as timer, limit_threads(args.threads):                # --threads N: BLAS thread 수
        X_train, y_train, X_test, y_test, side = load_data(args)
        n_classes = int(y_train.max()) + 1
        model = MLP([X_train.shape[1], *args.hidden, n_classes], activation=args.activation, dropout=args.dropout,
                    seed=args.seed)
        initial_loss = evaluate(model, X_train, y_train)[0]
        optimizer = OPTIMIZERS[args.optimizer](model, lr=args.lr)
        history = train_epochs(model, optimizer, X_train, y_train, epochs=epochs, batch_size=args.batch_size,
                               rng=rng, X_test=X_test, y_test=y_test)
        test_loss, test_accuracy = evaluate(model, X_test, y_test)
        flow_batch = slice(0, 256)
        flow = {name: gradient_flow(X_train[flow_batch], y_train[flow_batch], name, depth=args.flow_depth,
                                    seed=args.seed) for name in ("sigmoid", "relu")}

    out = args.out
    W1 = model.params["W1"]                                      # (H·W, h_1): 열 하나가 첫 층 unit 하나의 입력 가중치
    n_show = min(32, W1.shape[1])
    plots = [
        plot_curves({"train loss": history["train_loss"], "test loss": history["test_loss"]},
                    f"{out}/loss_curve.png", title="MLP 학습 곡선 (NumPy)", ylabel="cross-entropy"),
        plot_curves({"train accuracy": history["train_acc"], "test accuracy": history["test_acc"]},
                    f"{out}/accuracy_curve.png", title="정확도", ylabel="accuracy"),
        plot_weight_grid(W1.T[:n_show].reshape(n_show, side, side), f"{out}/first_layer_weights.png",
                         title=f"첫 층 가중치 (unit {n_show}개)"),
        # log10을 직접 그린다: 값이 10⁻⁹부터 10⁻²까지 퍼져 있어 선형 축에서는 sigmoid 쪽이 0에 붙어 보인다.
        plot_curves({name: np.log10(values) for name, values in flow.items()}, f"{out}/gradient_flow.png",
                    xlabel="층 l (1 = 입력 쪽, 마지막 = 출력 층)",
                    ylabel=r"$\log_{10}$ mean $|\partial L / \partial W_l|$",
                    title=f"초기화 직후 층별 gradient 크기 (은닉 층 {args.flow_depth}개)"),
    ]
    result = {
        "model": "MLP", "level": "numpy", "data": args.data, "metric": "test_accuracy", "value": test_accuracy,
        "test_loss": test_loss, "initial_loss": initial_loss, "train_loss_last": history.last("train_loss"),
        "n_parameters": model.n_parameters, "hidden": args.hidden, "activation": args.activation,
        "dropout": args.dropout, "optimizer": args.optimizer, "lr": args.lr, "batch_size": args.batch_size,
        "epochs": epochs, "threads": args.threads,
        "gradient_flow": {name: values.tolist() for name, values in flow.items()}, "seconds": timer.seconds,
        "plots": [str(p) for p in plots],
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
