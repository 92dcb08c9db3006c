"""Variational Auto-Encoder (VAE) — NumPy로 손으로 쓴 forward / backward와 ELBO의 gradient.

논문: D. P. Kingma & M. Welling (2013), "Auto-Encoding Variational Bayes", arXiv:1312.6114 (ICLR 2014).
    Section 2.2 식 (3)   ELBO  L(θ, φ; x) = −D_KL(q_φ(z|x) ‖ p(z)) + E_{q_φ(z|x)}[log p_θ(x|z)]
    Section 2.4          reparameterization  z = μ + σ ⊙ ε,  ε ~ N(0, I)
    Section 2.3 식 (7)   SGVB estimator B:  L̃ = −D_KL + (1/L) Σ_l log p_θ(x | z^{(l)})
    Appendix B           D_KL(N(μ, σ²I) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²)
    Appendix C           MLP encoder / decoder: h = tanh(W x + b),  μ = W_μ h + b_μ,  log σ² = W_σ h + b_σ
                         Bernoulli decoder: log p(x|z) = Σ_i x_i log y_i + (1 − x_i) log(1 − y_i),  y = sigmoid(logits)
                         Gaussian decoder:  log p(x|z) = log N(x; μ_x, diag(σ_x²))  (μ_x, log σ_x²도 MLP의 두 head)

loss는 minibatch 평균의 **음의 ELBO** (nats / 이미지):  loss = (1/B) Σ_n [ (1/L) Σ_l −log p(x_n | z_n^{(l)}) + KL_n ].

이 파일이 손으로 쓰는 것 (backward는 모두 위 식을 미분한 것, theory.md §3–§4):
    reparameterize:  z = μ + exp(½ log σ²) ⊙ ε          ∂z/∂μ = 1,  ∂z/∂log σ² = ½ σ ⊙ ε   (ε는 고정된 상수)
    kl_to_standard_normal:  ∂KL/∂μ = μ,  ∂KL/∂log σ² = ½ (σ² − 1)
    bernoulli_nll (logits ℓ):  −log p = softplus(ℓ) − x ℓ  (overflow 없는 형태),  ∂/∂ℓ = sigmoid(ℓ) − x
    gaussian_nll:  ½ [log 2π + log σ² + (x − μ)²/σ²],  ∂/∂μ = (μ − x)/σ²,  ∂/∂log σ² = ½ (1 − (x − μ)²/σ²)
노이즈 ε는 `loss(x, eps)`에 **밖에서** 넘긴다: 같은 ε로 다시 부르면 같은 값이 나오므로 수치 미분(gradient check)과
torch autograd parity를 같은 ε에서 할 수 있다.

L1 규약 (02장과 같다): 층은 `params` / `grads`(같은 key), `forward`가 캐시하고 `backward(dout) -> dx`가 grads를 채운다.
dtype은 입력을 따른다 (float64로 gradient check). 초기화는 논문 Section 5의 N(0, 0.01)(0.01을 표준편차로 읽는다: 해석),
optimizer는 논문 Section 5의 Adagrad.

실행:  python -m 11_VAE.numpy.vae_numpy [--data digits|mnist] [--quick]
"""
from __future__ import annotations

import math
import sys

import numpy as np

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.training import History

from ..data import BINARY_IMAGE_DATA, load_binary_images

DECODERS = ("bernoulli", "gaussian")
LOG_2PI = math.log(2.0 * math.pi)


# ---------------------------------------------------------------------------
# 입력 검사
# ---------------------------------------------------------------------------
def check_input(x, n_features: int, bernoulli: bool, name: str = "x") -> None:
    """x가 (N, D) float 배열인지, Bernoulli decoder라면 값이 [0, 1]인지 확인한다."""
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"{name}는 float NumPy 배열이어야 합니다: 받은 dtype {getattr(x, 'dtype', type(x).__name__)}")
    if x.ndim != 2 or x.shape[1] != n_features:
        hint = " (이미지는 먼저 (N, H·W)로 펴세요)" if x.ndim > 2 else ""
        raise ValueError(f"{name}의 shape는 (N, {n_features})이어야 합니다{hint}: 받은 shape {x.shape}")
    if bernoulli and x.size and (x.min() < 0.0 or x.max() > 1.0):
        raise ValueError(f"Bernoulli decoder의 {name}는 [0, 1] 범위여야 합니다 (픽셀을 255나 16으로 나누었나요?): "
                         f"받은 범위 [{x.min():.3g}, {x.max():.3g}]")


# ---------------------------------------------------------------------------
# 층 (L1 모듈)
# ---------------------------------------------------------------------------
class Dense:
    """Affine 층 out = x W + b. W: (D, K) ~ N(0, init_std²) (Section 5), b: (K,) = 0."""

    def __init__(self, in_features: int, out_features: int, rng: np.random.Generator, init_std: float = 0.01,
                 dtype=np.float64):
        if in_features < 1 or out_features < 1:
            raise ValueError(f"in_features, out_features는 1 이상이어야 합니다: {in_features}, {out_features}")
        self.params = {"W": (rng.normal(size=(in_features, out_features)) * init_std).astype(dtype),
                       "b": np.zeros(out_features, dtype=dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.cache = x
        return x @ self.params["W"] + self.params["b"]           # (N, D) @ (D, K) + (K,) → (N, K)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x = self.cache
        self.grads["W"][...] = x.T @ dout                        # (D, N) @ (N, K) → (D, K)
        self.grads["b"][...] = dout.sum(axis=0)                  # (K,)
        return dout @ self.params["W"].T                         # (N, K) @ (K, D) → (N, D)


class Tanh:
    """tanh(a),  tanh′(a) = 1 − tanh(a)². Appendix C의 은닉 층 활성화."""

    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.cache = np.tanh(x)
        return self.cache

    def backward(self, dout: np.ndarray) -> np.ndarray:
        return dout * (1.0 - self.cache**2)


# ---------------------------------------------------------------------------
# 확률 부품: 각 함수가 값과 gradient를 함께 돌려준다
# ---------------------------------------------------------------------------
def reparameterize(mu: np.ndarray, logvar: np.ndarray, eps: np.ndarray) -> np.ndarray:
    """z = μ + σ ⊙ ε,  σ = exp(½ log σ²).  mu, logvar (B, Z), eps (L, B, Z) → z (L, B, Z)."""
    return mu + np.exp(0.5 * logvar) * eps                      # (B, Z)가 (L, B, Z)로 broadcast


def reparameterize_backward(dz: np.ndarray, logvar: np.ndarray, eps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """dz (L, B, Z) → (dμ, d log σ²) (B, Z). ε는 상수라 gradient가 없다: 샘플 L개의 기여를 더한다."""
    dmu = dz.sum(axis=0)                                         # ∂z/∂μ = 1
    dlogvar = (dz * eps * 0.5 * np.exp(0.5 * logvar)).sum(axis=0)   # ∂z/∂log σ² = ½ σ ε
    return dmu, dlogvar


def kl_to_standard_normal(mu: np.ndarray, logvar: np.ndarray):
    """D_KL(N(μ, σ²) ‖ N(0, I))를 이미지마다: (kl (B,), ∂kl/∂μ (B, Z), ∂kl/∂log σ² (B, Z)).  Appendix B."""
    var = np.exp(logvar)
    kl = 0.5 * np.sum(mu**2 + var - 1.0 - logvar, axis=1)        # (B,)
    return kl, mu.copy(), 0.5 * (var - 1.0)


def softplus(a: np.ndarray) -> np.ndarray:
    """log(1 + e^a) = max(a, 0) + log1p(e^{−|a|}): a = ±1000에서도 overflow가 없다."""
    return np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a)))


def sigmoid(a: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(a))                                       # ∈ (0, 1]
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def bernoulli_nll(logits: np.ndarray, x: np.ndarray):
    """−log Bernoulli(x; sigmoid(ℓ))를 원소마다 (BCE from logits): (nll, ∂nll/∂ℓ), 둘 다 logits와 같은 shape.

    −[x log σ(ℓ) + (1 − x) log(1 − σ(ℓ))] = softplus(ℓ) − x ℓ
    (log σ(ℓ) = −softplus(−ℓ), log(1 − σ(ℓ)) = −softplus(ℓ), softplus(ℓ) − softplus(−ℓ) = ℓ)
    x가 [0, 1]의 연속 값이어도 같은 식이다 (`F.binary_cross_entropy_with_logits`와 같은 정의).
    """
    return softplus(logits) - x * logits, sigmoid(logits) - x


def gaussian_nll(x: np.ndarray, mean: np.ndarray, logvar: np.ndarray):
    """−log N(x; μ, σ²)를 원소마다: (nll, ∂nll/∂μ, ∂nll/∂log σ²). 모두 x와 같은 shape."""
    inv_var = np.exp(-logvar)
    sq = (x - mean) ** 2 * inv_var                               # (x − μ)² / σ²
    nll = 0.5 * (LOG_2PI + logvar + sq)
    return nll, (mean - x) * inv_var, 0.5 * (1.0 - sq)


# ---------------------------------------------------------------------------
# 모델
# ---------------------------------------------------------------------------
class VAE:
    """Kingma & Welling (2013) Appendix C의 VAE: tanh MLP encoder q(z|x) = N(μ, diag σ²)와 MLP decoder p(x|z).

    encoder:  h = tanh(x W_h + b_h),  μ = h W_μ + b_μ,  log σ² = h W_σ + b_σ
    decoder:  g = tanh(z W_g + b_g),  bernoulli: logits = g W_o + b_o
                                      gaussian:  μ_x = g W_m + b_m,  log σ_x² = g W_v + b_v
    `params` / `grads`는 모든 Dense를 "enc_hidden.W", "enc_mu.b", … 로 모아 보여 주는 dict (배열 자체를 공유).
    """

    def __init__(self, x_dim: int, hidden: int, z_dim: int, decoder: str = "bernoulli", init_std: float = 0.01,
                 seed: int = 0, dtype=np.float64):
        if int(z_dim) != z_dim or z_dim < 1:
            raise ValueError(f"잠재 차원 z_dim은 1 이상의 정수여야 합니다: z_dim={z_dim}")
        if x_dim < 1 or hidden < 1:
            raise ValueError(f"x_dim, hidden은 1 이상이어야 합니다: x_dim={x_dim}, hidden={hidden}")
        if decoder not in DECODERS:
            raise ValueError(f"decoder는 {', '.join(DECODERS)} 중 하나여야 합니다: {decoder!r}")
        rng = np.random.default_rng(seed)
        self.x_dim, self.hidden, self.z_dim, self.decoder = int(x_dim), int(hidden), int(z_dim), decoder
        shapes = {"enc_hidden": (x_dim, hidden), "enc_mu": (hidden, z_dim), "enc_logvar": (hidden, z_dim),
                  "dec_hidden": (z_dim, hidden)}
        if decoder == "bernoulli":
            shapes["dec_out"] = (hidden, x_dim)
        else:
            shapes.update(dec_mean=(hidden, x_dim), dec_logvar=(hidden, x_dim))
        self.layers = {name: Dense(*shape, rng, init_std, dtype) for name, shape in shapes.items()}
        self.enc_act, self.dec_act = Tanh(), Tanh()

    @property
    def params(self) -> dict[str, np.ndarray]:
        return {f"{name}.{k}": v for name, layer in self.layers.items() for k, v in layer.params.items()}

    @property
    def grads(self) -> dict[str, np.ndarray]:
        return {f"{name}.{k}": v for name, layer in self.layers.items() for k, v in layer.grads.items()}

    @property
    def n_parameters(self) -> int:
        return sum(p.size for p in self.params.values())

    # ---- encoder / decoder ----
    def encode(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x (B, D) → μ, log σ² (B, Z)."""
        check_input(x, self.x_dim, self.decoder == "bernoulli")
        h = self.enc_act.forward(self.layers["enc_hidden"].forward(x))       # (B, H)
        return self.layers["enc_mu"].forward(h), self.layers["enc_logvar"].forward(h)

    def encode_backward(self, dmu: np.ndarray, dlogvar: np.ndarray) -> None:
        dh = self.layers["enc_mu"].backward(dmu) + self.layers["enc_logvar"].backward(dlogvar)   # 두 head의 합, (B, H)
        self.layers["enc_hidden"].backward(self.enc_act.backward(dh))

    def decode(self, z: np.ndarray):
        """z (M, Z) → bernoulli: logits (M, D) / gaussian: (μ_x, log σ_x²) 둘 다 (M, D)."""
        if z.ndim != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"z의 shape는 (M, {self.z_dim})이어야 합니다: 받은 shape {z.shape}")
        g = self.dec_act.forward(self.layers["dec_hidden"].forward(z))      # (M, H)
        if self.decoder == "bernoulli":
            return self.layers["dec_out"].forward(g)
        return self.layers["dec_mean"].forward(g), self.layers["dec_logvar"].forward(g)

    def decode_backward(self, dout) -> np.ndarray:
        """decode의 출력에 대한 gradient → ∂/∂z (M, Z)."""
        if self.decoder == "bernoulli":
            dg = self.layers["dec_out"].backward(dout)
        else:
            dg = self.layers["dec_mean"].backward(dout[0]) + self.layers["dec_logvar"].backward(dout[1])
        return self.layers["dec_hidden"].backward(self.dec_act.backward(dg))

    def sample_noise(self, rng: np.random.Generator, batch: int, n_samples: int = 1) -> np.ndarray:
        """ε ~ N(0, I), shape (L, B, Z)."""
        return rng.standard_normal((n_samples, batch, self.z_dim))

    # ---- ELBO ----
    def loss(self, x: np.ndarray, eps: np.ndarray) -> tuple[float, dict]:
        """음의 ELBO (SGVB estimator B, 식 7)의 batch 평균과 그 부분들. backward에 필요한 것을 캐시한다.

        x (B, D), eps (L, B, Z) — 같은 eps면 같은 값 (gradient check가 이것에 기댄다).
        반환: (loss, {"reconstruction": (B,) E_q[−log p(x|z)]의 L-샘플 평균, "kl": (B,), "elbo": (B,)}).
        """
        mu, logvar = self.encode(x)                                          # (B, Z) 둘 다
        B = x.shape[0]
        if eps.ndim != 3 or eps.shape[1:] != (B, self.z_dim):
            raise ValueError(f"eps의 shape는 (L, {B}, {self.z_dim})이어야 합니다: 받은 shape {eps.shape}")
        L = eps.shape[0]
        z = reparameterize(mu, logvar, eps)                                  # (L, B, Z)
        target = np.broadcast_to(x, (L, B, self.x_dim)).reshape(L * B, self.x_dim)   # (L·B, D), 샘플마다 같은 x
        out = self.decode(z.reshape(L * B, self.z_dim))                      # (L·B, Z) → (L·B, D)
        if self.decoder == "bernoulli":
            nll, dnll = bernoulli_nll(out, target)                           # (L·B, D) 둘 다
        else:
            nll, dmean, dlogvar_x = gaussian_nll(target, *out)
            dnll = (dmean, dlogvar_x)
        reconstruction = nll.sum(axis=1).reshape(L, B).mean(axis=0)          # (L·B,) → (L, B) → (B,)
        kl, dkl_mu, dkl_logvar = kl_to_standard_normal(mu, logvar)           # (B,), (B, Z), (B, Z)
        elbo = -(reconstruction + kl)                                        # (B,)
        self.cache = (logvar, eps, dnll, dkl_mu, dkl_logvar, L, B)
        return float(-elbo.mean()), {"reconstruction": reconstruction, "kl": kl, "elbo": elbo}

    def backward(self) -> None:
        """마지막 `loss` 호출의 gradient로 grads를 채운다: loss = (1/B) Σ_n [(1/L) Σ_l nll + KL]."""
        logvar, eps, dnll, dkl_mu, dkl_logvar, L, B = self.cache
        scale = 1.0 / (L * B)                                                 # ∂loss/∂nll_{l,n,i}
        dout = dnll * scale if self.decoder == "bernoulli" else (dnll[0] * scale, dnll[1] * scale)
        dz = self.decode_backward(dout).reshape(L, B, self.z_dim)           # (L·B, Z) → (L, B, Z)
        dmu, dlogvar = reparameterize_backward(dz, logvar, eps)             # 재구성 항이 encoder로 흐르는 길
        self.encode_backward(dmu + dkl_mu / B, dlogvar + dkl_logvar / B)    # + KL 항 (analytic)


# ---------------------------------------------------------------------------
# optimizer: 논문 Section 5의 Adagrad
# ---------------------------------------------------------------------------
class Adagrad:
    """Duchi, Hazan & Singer (2011). `torch.optim.Adagrad`(lr_decay 0, 초기 누적값 0)와 같은 식:

    s ← s + g²,   θ ← θ − lr · g / (√s + ε)
    좌표마다 지금까지 본 gradient 크기로 step을 나눈다: 자주 크게 움직인 좌표는 작게, 드문 좌표는 크게.
    """

    def __init__(self, model, lr: float = 0.05, eps: float = 1e-10):
        if lr <= 0:
            raise ValueError(f"learning rate는 양수여야 합니다: lr={lr}")
        self.lr, self.eps = lr, eps
        params, grads = model.params, model.grads
        self.pairs = [(params[k], grads[k]) for k in params]
        self.sums = [np.zeros_like(p) for p, _ in self.pairs]

    def step(self) -> None:
        for (param, grad), s in zip(self.pairs, self.sums):
            s += grad * grad
            param -= self.lr * grad / (np.sqrt(s) + self.eps)


# ---------------------------------------------------------------------------
# 학습과 평가
# ---------------------------------------------------------------------------
def evaluate_elbo(model: VAE, X: np.ndarray, rng: np.random.Generator, n_samples: int = 10,
                  batch_size: int = 500) -> dict:
    """평균 ELBO와 부분들 (nats / 이미지). 재구성 항은 n_samples개 ε의 평균으로 추정한다."""
    total = {"elbo": 0.0, "reconstruction": 0.0, "kl": 0.0}
    for start in range(0, len(X), batch_size):
        xb = X[start:start + batch_size]
        _, parts = model.loss(xb, model.sample_noise(rng, len(xb), n_samples))
        for key in total:
            total[key] += float(parts[key].sum())
    return {key: value / len(X) for key, value in total.items()}


def train_epochs(model: VAE, optimizer, X: np.ndarray, *, epochs: int, batch_size: int, rng: np.random.Generator,
                 n_samples: int = 1, X_test=None, progress: bool = True) -> History:
    """epoch마다 train_elbo(mini-batch 평균)와 (X_test가 있으면) test_elbo를 기록한다."""
    from tqdm.auto import tqdm

    check_input(X, model.x_dim, model.decoder == "bernoulli", name="X")
    if batch_size < 1:
        raise ValueError(f"batch_size는 1 이상이어야 합니다: {batch_size}")
    history = History()
    bar = tqdm(range(epochs), desc="vae/numpy", leave=False, disable=not progress, file=sys.stderr)
    for _ in bar:
        total = 0.0
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            xb = X[order[start:start + batch_size]]
            loss, _ = model.loss(xb, model.sample_noise(rng, len(xb), n_samples))
            model.backward()
            optimizer.step()
            total += -loss * len(xb)
        record = {"train_elbo": total / len(X)}
        if X_test is not None:
            record["test_elbo"] = evaluate_elbo(model, X_test, rng, n_samples=1)["elbo"]
        history.log(**record)
        bar.set_postfix({k: f"{v:.2f}" for k, v in record.items()}, refresh=False)
    return history


def reconstruct(model: VAE, x: np.ndarray) -> np.ndarray:
    """z = μ(x)로 decode한 Bernoulli 평균 sigmoid(logits) (또는 Gaussian 평균). (B, D)."""
    mu, _ = model.encode(x)
    out = model.decode(mu)
    return sigmoid(out) if model.decoder == "bernoulli" else out[0]


def sample_prior(model: VAE, n: int, rng: np.random.Generator) -> np.ndarray:
    """z ~ N(0, I)에서 decode한 평균 이미지 (n, D)."""
    out = model.decode(rng.standard_normal((n, model.z_dim)))
    return sigmoid(out) if model.decoder == "bernoulli" else out[0]


# ---------------------------------------------------------------------------
# 실행
# ---------------------------------------------------------------------------
def add_model_arguments(parser) -> None:
    parser.add_argument("--z-dim", type=int, default=10, help="잠재 차원 (기본 10; 논문 Figure 2는 2–200을 비교)")
    parser.add_argument("--hidden", type=int, default=200, help="은닉 층 폭 (기본 200; 논문 MNIST는 500)")
    parser.add_argument("--lr", type=float, default=0.05, help="Adagrad learning rate (기본 0.05)")
    parser.add_argument("--batch-size", type=int, default=100, help="mini-batch 크기 (기본 100, 논문과 같음)")
    parser.add_argument("--samples", type=int, default=1, help="학습 때 이미지당 ε 샘플 수 L (기본 1, 논문과 같음)")


def main(argv=None) -> dict:
    parser = make_parser("11_VAE", "numpy", "VAE: NumPy로 손으로 쓴 ELBO gradient (Kingma & Welling 2013)",
                         BINARY_IMAGE_DATA, "digits", default_epochs=300)
    add_model_arguments(parser)
    args = parse_args(parser, argv)
    from utils.visualization import plot_curves, plot_image_grid

    rng = seed_everything(args.seed)
    epochs = min(args.epochs, 5) if args.quick else args.epochs
    limit = (2000, 500) if args.quick else (None, None)
    with Timer() as timer, limit_threads(args.threads):
        data = load_binary_images(args.data, seed=args.seed, root=args.root, download=args.download,
                                  max_train=limit[0], max_test=limit[1])
        X_train, X_test = data.X_train, data.X_test
        model = VAE(X_train.shape[1], args.hidden, args.z_dim, seed=args.seed)
        optimizer = Adagrad(model, lr=args.lr)
        history = train_epochs(model, optimizer, X_train, epochs=epochs, batch_size=args.batch_size, rng=rng,
                               n_samples=args.samples, X_test=X_test)
        test = evaluate_elbo(model, X_test, np.random.default_rng(args.seed + 1), n_samples=10)

    out, side = args.out, data.info["side"]
    shown = X_test[:8]
    plots = [
        # 음의 ELBO를 log 축으로: 첫 epoch의 Adagrad 과도기(수백 nats)와 끝의 −19 nats 근처가 한 그림에 보이게
        plot_curves({"train −ELBO": [-v for v in history["train_elbo"]],
                     "test −ELBO": [-v for v in history["test_elbo"]]},
                    f"{out}/elbo_curve.png", title="VAE 학습 곡선 (NumPy)", ylabel="음의 ELBO (nats / 이미지, log 축)",
                    logy=True),
        plot_image_grid(np.concatenate([shown, reconstruct(model, shown)]).reshape(16, side, side),
                        f"{out}/reconstructions.png", title="위: test 입력 / 아래: 재구성 (z = μ)"),
        plot_image_grid(sample_prior(model, 32, np.random.default_rng(args.seed + 2)).reshape(32, side, side),
                        f"{out}/prior_samples.png", title="z ~ N(0, I)에서 decode한 평균 이미지"),
    ]
    result = {
        "model": "VAE", "level": "numpy", "data": args.data, "metric": "test_elbo", "value": test["elbo"],
        "test_reconstruction": test["reconstruction"], "test_kl": test["kl"],
        "train_elbo_first": history["train_elbo"][0], "train_elbo_last": history.last("train_elbo"),
        "test_elbo_first_epoch": history["test_elbo"][0],
        "n_parameters": model.n_parameters, "n_train": len(X_train), "z_dim": args.z_dim, "hidden": args.hidden,
        "lr": args.lr, "batch_size": args.batch_size, "samples": args.samples, "epochs": epochs,
        "threads": args.threads, "seconds": timer.seconds, "plots": [str(p) for p in plots],
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
