"""Variational Auto-Encoder — PyTorch raw tensor + autograd. KL, BCE, Gaussian NLL, reparameterization은 손으로.

논문: D. P. Kingma & M. Welling (2013), "Auto-Encoding Variational Bayes", arXiv:1312.6114.
    식 (3)   L(θ, φ; x) = −D_KL(q_φ(z|x) ‖ p(z)) + E_q[log p_θ(x|z)]
    식 (7)   SGVB estimator B:  L̃ = −D_KL + (1/L) Σ_l log p_θ(x | z^{(l)}),   z^{(l)} = μ + σ ⊙ ε^{(l)}
    Appendix B   −D_KL = ½ Σ_j (1 + log σ_j² − μ_j² − σ_j²)
    Appendix C   tanh MLP encoder (μ, log σ² 두 head)와 Bernoulli 또는 Gaussian MLP decoder

이 레벨에서 손으로 쓰는 것 (backward는 autograd가 한다):
    kl_standard_normal:  ½ Σ (μ² + σ² − 1 − log σ²)               == torch.distributions.kl_divergence (테스트)
    bce_with_logits:     max(ℓ, 0) − x ℓ + log(1 + e^{−|ℓ|})        == F.binary_cross_entropy_with_logits (테스트)
    gaussian_nll:        ½ [log 2π + log σ² + (x − μ)² / σ²]         == −Normal(μ, σ).log_prob(x) (테스트)
    reparameterize:      μ + exp(½ log σ²) ⊙ ε                       ε는 밖에서 받는다 (같은 ε → 같은 값)
    adagrad_step:        s ← s + g²,  θ ← θ − lr · g / (√s + ε)      == torch.optim.Adagrad (테스트)

파라미터는 plain tensor dict (nn.Module 없음). key와 layout은 NumPy 레벨과 같다 — Dense weight는 (in, out), x @ W:
    "enc_hidden.W" (D, H)  "enc_mu.W" (H, Z)  "enc_logvar.W" (H, Z)  "dec_hidden.W" (Z, H)
    bernoulli: "dec_out.W" (H, D)      gaussian: "dec_mean.W" (H, D), "dec_logvar.W" (H, D)      "*.b" (out,)
그래서 NumPy 모델의 배열을 그대로 복사해 같은 loss·gradient가 나오는지 비교할 수 있다 (test_lowlevel.py).

실행:  python -m 11_VAE.pytorch_lowlevel.vae_lowlevel [--data digits|mnist] [--quick]
"""
from __future__ import annotations

import math
import sys

import torch

from utils.cli import choose_device, cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.training import History

from ..data import BINARY_IMAGE_DATA, load_binary_images

DECODERS = ("bernoulli", "gaussian")
LOG_2PI = math.log(2.0 * math.pi)


def check_input(x, x_dim: int, bernoulli: bool, name: str = "x") -> None:
    """x가 (N, D) float tensor인지, Bernoulli decoder라면 값이 [0, 1]인지 확인한다."""
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise ValueError(f"{name}는 float tensor여야 합니다: 받은 {type(x).__name__} {getattr(x, 'dtype', '')}")
    if x.ndim != 2 or x.shape[1] != x_dim:
        hint = " (이미지는 먼저 (N, H·W)로 펴세요)" if x.ndim > 2 else ""
        raise ValueError(f"{name}의 shape는 (N, {x_dim})이어야 합니다{hint}: 받은 shape {tuple(x.shape)}")
    if bernoulli and x.numel() and (x.min() < 0 or x.max() > 1):
        raise ValueError(f"Bernoulli decoder의 {name}는 [0, 1] 범위여야 합니다: "
                         f"받은 범위 [{x.min().item():.3g}, {x.max().item():.3g}]")


# ---------------------------------------------------------------------------------------------------------
# 파라미터
# ---------------------------------------------------------------------------------------------------------
def init_params(x_dim: int, hidden: int, z_dim: int, decoder: str = "bernoulli", init_std: float = 0.01,
                seed: int = 0, dtype=torch.float32, device="cpu") -> dict[str, torch.Tensor]:
    """논문 Section 5의 초기화: weight ~ N(0, init_std²) (0.01을 표준편차로 읽음), bias = 0.

    leaf tensor (requires_grad=True)의 dict.
    """
    if int(z_dim) != z_dim or z_dim < 1:
        raise ValueError(f"잠재 차원 z_dim은 1 이상의 정수여야 합니다: z_dim={z_dim}")
    if x_dim < 1 or hidden < 1:
        raise ValueError(f"x_dim, hidden은 1 이상이어야 합니다: x_dim={x_dim}, hidden={hidden}")
    if decoder not in DECODERS:
        raise ValueError(f"decoder는 {', '.join(DECODERS)} 중 하나여야 합니다: {decoder!r}")
    shapes = {"enc_hidden": (x_dim, hidden), "enc_mu": (hidden, z_dim), "enc_logvar": (hidden, z_dim),
              "dec_hidden": (z_dim, hidden)}
    if decoder == "bernoulli":
        shapes["dec_out"] = (hidden, x_dim)
    else:
        shapes.update(dec_mean=(hidden, x_dim), dec_logvar=(hidden, x_dim))
    generator = torch.Generator().manual_seed(seed)
    params = {}
    for name, (fan_in, fan_out) in shapes.items():
        params[f"{name}.W"] = torch.randn(fan_in, fan_out, generator=generator, dtype=dtype) * init_std
        params[f"{name}.b"] = torch.zeros(fan_out, dtype=dtype)
    return {k: v.to(device).requires_grad_() for k, v in params.items()}


def decoder_kind(params: dict) -> str:
    return "bernoulli" if "dec_out.W" in params else "gaussian"


def dims(params: dict) -> tuple[int, int, int]:
    """(x_dim, hidden, z_dim)를 weight shape에서 읽는다."""
    x_dim, hidden = params["enc_hidden.W"].shape
    return int(x_dim), int(hidden), int(params["enc_mu.W"].shape[1])


# ---------------------------------------------------------------------------------------------------------
# 손으로 쓴 확률 부품
# ---------------------------------------------------------------------------------------------------------
def kl_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """D_KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²).  (B, Z) → (B,)."""
    return 0.5 * (mu**2 + torch.exp(logvar) - 1.0 - logvar).sum(dim=-1)


def bce_with_logits(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """−[x log σ(ℓ) + (1 − x) log(1 − σ(ℓ))] = softplus(ℓ) − x ℓ, 원소마다. overflow 없는 형태:

    softplus(ℓ) = max(ℓ, 0) + log(1 + e^{−|ℓ|})  — e^{−|ℓ|} ≤ 1이라 ℓ = ±1000에서도 유한하다.
    """
    return torch.clamp(logits, min=0) - x * logits + torch.log1p(torch.exp(-logits.abs()))


def gaussian_nll(x: torch.Tensor, mean: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """−log N(x; μ, σ²) = ½ [log 2π + log σ² + (x − μ)² / σ²], 원소마다."""
    return 0.5 * (LOG_2PI + logvar + (x - mean) ** 2 * torch.exp(-logvar))


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """z = μ + σ ⊙ ε.  μ, log σ² (B, Z), ε (L, B, Z) → z (L, B, Z)."""
    return mu + torch.exp(0.5 * logvar) * eps


# ---------------------------------------------------------------------------------------------------------
# 모델: 함수 + params dict
# ---------------------------------------------------------------------------------------------------------
def encode(params: dict, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """x (B, D) → μ, log σ² (B, Z)."""
    x_dim, _, _ = dims(params)
    check_input(x, x_dim, decoder_kind(params) == "bernoulli")
    h = torch.tanh(x @ params["enc_hidden.W"] + params["enc_hidden.b"])         # (B, H)
    return h @ params["enc_mu.W"] + params["enc_mu.b"], h @ params["enc_logvar.W"] + params["enc_logvar.b"]


def decode(params: dict, z: torch.Tensor):
    """z (..., Z) → bernoulli: logits (..., D) / gaussian: (μ_x, log σ_x²)."""
    g = torch.tanh(z @ params["dec_hidden.W"] + params["dec_hidden.b"])         # (..., H)
    if decoder_kind(params) == "bernoulli":
        return g @ params["dec_out.W"] + params["dec_out.b"]
    return g @ params["dec_mean.W"] + params["dec_mean.b"], g @ params["dec_logvar.W"] + params["dec_logvar.b"]


def negative_elbo(params: dict, x: torch.Tensor, eps: torch.Tensor) -> tuple[torch.Tensor, dict]:
    """음의 ELBO (식 7)의 batch 평균과 이미지별 부분들 {"reconstruction", "kl", "elbo"} (각 (B,)).

    x (B, D), eps (L, B, Z). 재구성 항 = (1/L) Σ_l Σ_i −log p(x_i | z^{(l)}).
    """
    mu, logvar = encode(params, x)                                              # (B, Z) 둘 다
    _, _, z_dim = dims(params)
    if eps.ndim != 3 or tuple(eps.shape[1:]) != (x.shape[0], z_dim):
        raise ValueError(f"eps의 shape는 (L, {x.shape[0]}, {z_dim})이어야 합니다: 받은 shape {tuple(eps.shape)}")
    z = reparameterize(mu, logvar, eps)                                         # (L, B, Z)
    out = decode(params, z)                                                     # (L, B, D), x는 L축으로 broadcast
    if decoder_kind(params) == "bernoulli":
        nll = bce_with_logits(out, x)
    else:
        nll = gaussian_nll(x, *out)
    reconstruction = nll.sum(dim=-1).mean(dim=0)                                # (L, B, D) → (L, B) → (B,)
    kl = kl_standard_normal(mu, logvar)                                         # (B,)
    elbo = -(reconstruction + kl)
    return -elbo.mean(), {"reconstruction": reconstruction, "kl": kl, "elbo": elbo}


def adagrad_step(params: dict, sums: dict, lr: float, eps: float = 1e-10) -> None:
    """Adagrad (Duchi et al. 2011) 한 step, 제자리에서: s ← s + g²,  θ ← θ − lr · g / (√s + ε). grad는 지운다."""
    with torch.no_grad():
        for name, p in params.items():
            g = p.grad
            sums[name] += g * g
            p -= lr * g / (torch.sqrt(sums[name]) + eps)
            p.grad = None


# ---------------------------------------------------------------------------------------------------------
# 학습과 평가
# ---------------------------------------------------------------------------------------------------------
def evaluate_elbo(params: dict, X: torch.Tensor, generator: torch.Generator, n_samples: int = 10,
                  batch_size: int = 500) -> dict:
    """평균 ELBO와 부분들 (nats / 이미지). ε는 generator에서 (L = n_samples)."""
    _, _, z_dim = dims(params)
    total = {"elbo": 0.0, "reconstruction": 0.0, "kl": 0.0}
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            xb = X[start:start + batch_size]
            eps = torch.randn(n_samples, len(xb), z_dim, generator=generator, dtype=X.dtype).to(X.device)
            _, parts = negative_elbo(params, xb, eps)
            for key in total:
                total[key] += parts[key].sum().item()
    return {key: value / len(X) for key, value in total.items()}


def train(params: dict, X: torch.Tensor, *, epochs: int, batch_size: int, lr: float, n_samples: int = 1,
          seed: int = 0, X_test=None, progress: bool = True) -> History:
    """Adagrad로 epoch마다 mini-batch를 돈다. train_elbo(mini-batch 평균)와 test_elbo(L = 1)를 기록한다."""
    from tqdm.auto import tqdm

    _, _, z_dim = dims(params)
    generator = torch.Generator().manual_seed(seed)
    sums = {k: torch.zeros_like(v) for k, v in params.items()}
    history = History()
    bar = tqdm(range(epochs), desc="vae/lowlevel", leave=False, disable=not progress, file=sys.stderr)
    for _ in bar:
        total = 0.0
        order = torch.randperm(len(X), generator=generator)
        for start in range(0, len(X), batch_size):
            xb = X[order[start:start + batch_size]]
            eps = torch.randn(n_samples, len(xb), z_dim, generator=generator, dtype=X.dtype).to(X.device)
            loss, _ = negative_elbo(params, xb, eps)
            loss.backward()
            adagrad_step(params, sums, lr)
            total += -loss.item() * len(xb)
        record = {"train_elbo": total / len(X)}
        if X_test is not None:
            record["test_elbo"] = evaluate_elbo(params, X_test, generator, n_samples=1)["elbo"]
        history.log(**record)
        bar.set_postfix({k: f"{v:.2f}" for k, v in record.items()}, refresh=False)
    return history


def mean_image(params: dict, z: torch.Tensor) -> torch.Tensor:
    """decoder의 평균: bernoulli는 sigmoid(logits), gaussian은 μ_x."""
    out = decode(params, z)
    return torch.sigmoid(out) if decoder_kind(params) == "bernoulli" else out[0]


# ---------------------------------------------------------------------------------------------------------
# 실행
# ---------------------------------------------------------------------------------------------------------
def main(argv=None) -> dict:
    parser = make_parser("11_VAE", "pytorch_lowlevel", "VAE: raw tensor와 손으로 쓴 KL·BCE (Kingma & Welling 2013)",
                         BINARY_IMAGE_DATA, "digits", default_epochs=300)
    parser.add_argument("--z-dim", type=int, default=10, help="잠재 차원 (기본 10)")
    parser.add_argument("--hidden", type=int, default=200, help="은닉 층 폭 (기본 200)")
    parser.add_argument("--lr", type=float, default=0.05, help="Adagrad learning rate (기본 0.05)")
    parser.add_argument("--batch-size", type=int, default=100, help="mini-batch 크기 (기본 100)")
    parser.add_argument("--samples", type=int, default=1, help="학습 때 이미지당 ε 샘플 수 L (기본 1)")
    args = parse_args(parser, argv)
    from utils.visualization import plot_curves, plot_image_grid

    seed_everything(args.seed)
    device = choose_device(args.device)
    epochs = min(args.epochs, 5) if args.quick else args.epochs
    limit = (2000, 500) if args.quick else (None, None)
    with Timer() as timer, limit_threads(args.threads):
        data = load_binary_images(args.data, seed=args.seed, root=args.root, download=args.download,
                                  max_train=limit[0], max_test=limit[1])
        X_train = torch.tensor(data.X_train, dtype=torch.float32, device=device)     # (N, D) 0/1
        X_test = torch.tensor(data.X_test, dtype=torch.float32, device=device)
        params = init_params(X_train.shape[1], args.hidden, args.z_dim, seed=args.seed, device=device)
        history = train(params, X_train, epochs=epochs, batch_size=args.batch_size, lr=args.lr,
                        n_samples=args.samples, seed=args.seed, X_test=X_test)
        test = evaluate_elbo(params, X_test, torch.Generator().manual_seed(args.seed + 1), n_samples=10)

    out, side = args.out, data.info["side"]
    with torch.no_grad():
        shown = X_test[:8]
        recon = mean_image(params, encode(params, shown)[0])                          # z = μ(x)
        samples = mean_image(params, torch.randn(32, args.z_dim, generator=torch.Generator().manual_seed(args.seed + 2))
                             .to(device))
    plots = [
        plot_curves({"train −ELBO": [-v for v in history["train_elbo"]],
                     "test −ELBO": [-v for v in history["test_elbo"]]},
                    f"{out}/elbo_curve.png", title="VAE 학습 곡선 (low-level)",
                    ylabel="음의 ELBO (nats / 이미지, log 축)", logy=True),
        plot_image_grid(torch.cat([shown, recon]).cpu().reshape(16, side, side), f"{out}/reconstructions.png",
                        title="위: test 입력 / 아래: 재구성 (z = μ)"),
        plot_image_grid(samples.cpu().reshape(32, side, side), f"{out}/prior_samples.png",
                        title="z ~ N(0, I)에서 decode한 평균 이미지"),
    ]
    result = {
        "model": "VAE", "level": "pytorch_lowlevel", "data": args.data, "metric": "test_elbo", "value": test["elbo"],
        "test_reconstruction": test["reconstruction"], "test_kl": test["kl"],
        "train_elbo_first": history["train_elbo"][0], "train_elbo_last": history.last("train_elbo"),
        "test_elbo_first_epoch": history["test_elbo"][0],
        "n_parameters": sum(p.numel() for p in params.values()), "n_train": len(X_train), "z_dim": args.z_dim,
        "hidden": args.hidden, "lr": args.lr, "batch_size": args.batch_size, "samples": args.samples,
        "epochs": epochs, "device": str(device), "threads": args.threads, "seconds": timer.seconds,
        "plots": [str(p) for p in plots],
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
