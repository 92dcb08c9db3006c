"""Variational Auto-Encoder — Kingma & Welling (2013)의 `nn.Module`: SGVB (L 샘플)와 importance-weighted log p(x).

논문: D. P. Kingma & M. Welling (2013), "Auto-Encoding Variational Bayes", arXiv:1312.6114 (ICLR 2014).
    Section 2.2 식 (3)   log p(x) ≥ L(θ, φ; x) = −D_KL(q_φ(z|x) ‖ p_θ(z)) + E_{q_φ(z|x)}[log p_θ(x|z)]
    Section 2.3 식 (6)   SGVB estimator A:  L̃^A = (1/L) Σ_l [log p(x, z^{(l)}) − log q(z^{(l)}|x)]
    Section 2.3 식 (7)   SGVB estimator B:  L̃^B = −D_KL(q ‖ p) + (1/L) Σ_l log p(x | z^{(l)})   (KL은 analytic)
    Section 2.4 / 3      z^{(l)} = μ + σ ⊙ ε^{(l)},  ε^{(l)} ~ N(0, I)
    Appendix B           −D_KL = ½ Σ_j (1 + log σ_j² − μ_j² − σ_j²)
    Appendix C           encoder: h = tanh(W₃ x + b₃),  μ = W₄ h + b₄,  log σ² = W₅ h + b₅
                         Bernoulli decoder: log p(x|z) = Σ_i x_i log y_i + (1 − x_i) log(1 − y_i),
                                            y = sigmoid(W₂ tanh(W₁ z + b₁) + b₂)
                         Gaussian decoder:  μ_x, log σ_x²를 같은 모양의 두 head로 (Appendix C.2; Frey Face 실험의
                                            sigmoid로 (0, 1)에 묶은 평균은 쓰지 않는다)
                         Section 5           초기화 "N(0, 0.01)" (0.01을 표준편차로 읽는다: 해석), Adagrad (stepsize는
                         {0.01, 0.02, 0.1} 중), minibatch M = 100, L = 1, 작은 weight decay (여기서는 생략)
    평가: importance-weighted log p(x) (Burda, Grosse & Salakhutdinov 2016, "Importance Weighted Autoencoders", 식 8)
        log p(x) ≈ log (1/k) Σ_{i=1}^{k} w_i,   w_i = p(x, z_i) / q(z_i|x),  z_i ~ q(z|x)
                 = logsumexp_i(log w_i) − log k          (log w를 그대로 exp하면 e^{−500} 같은 값이 0으로 사라진다)
        k = 1이면 estimator A와 같고, k가 커질수록 (기댓값이) 단조로 커지며 log p(x)로 수렴한다.
        기댓값으로는 어떤 k에서도 ELBO 이상이다 (Jensen, theory.md §6).

기본 설정 (클래스의 기본값)은 논문의 MNIST 모델이다: D = 784, 은닉 500, z 20, Bernoulli decoder.
이 장의 기본 실행은 그것을 내장 digits(8×8, 학습 1,437장)에 맞춰 줄인다 (README "논문과 다른 점"):
    은닉 500 → 200, z = 10, Adagrad stepsize 0.05 (논문 격자 {0.01, 0.02, 0.1} 밖: digits에서 0.02보다 빨랐고
    0.1은 불안정했다 — README의 측정), 300 epoch. 이진화는 고정 threshold 0.5 (`11_VAE/data.py`의 `binarize`).
    논문이 MNIST에서 쓴 weight decay(파라미터의 prior)는 넣지 않았다.

실행:  python -m 11_VAE.paper.vae_paper [--data digits|mnist] [--quick] [--z-dim 10] [--iw-samples 1000]
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Normal

from utils.cli import (
    add_training_flags,
    choose_device,
    cli,
    fit_options,
    make_parser,
    parse_args,
    report,
    seed_everything,
)
from utils.core import Timer, limit_threads
from utils.training import fit

from ..data import BINARY_IMAGE_DATA, load_binary_images

DECODERS = ("bernoulli", "gaussian")
IW_K_GRID = (1, 10, 100, 1000)


class VAE(nn.Module):
    """Appendix C의 MLP VAE. 층 이름: enc_hidden (W₃), enc_mu (W₄), enc_logvar (W₅), dec_hidden (W₁),
    dec_out (W₂; bernoulli) 또는 dec_mean / dec_logvar (gaussian)."""

    def __init__(self, x_dim: int = 784, hidden: int = 500, z_dim: int = 20, decoder: str = "bernoulli",
                 init_std: float = 0.01, n_samples: int = 1):
        super().__init__()
        if int(z_dim) != z_dim or z_dim < 1:
            raise ValueError(f"잠재 차원 z_dim은 1 이상의 정수여야 합니다: z_dim={z_dim}")
        if x_dim < 1 or hidden < 1 or n_samples < 1:
            raise ValueError(f"x_dim, hidden, n_samples는 1 이상이어야 합니다: {x_dim}, {hidden}, {n_samples}")
        if decoder not in DECODERS:
            raise ValueError(f"decoder는 {', '.join(DECODERS)} 중 하나여야 합니다: {decoder!r}")
        self.x_dim, self.z_dim, self.decoder, self.n_samples = int(x_dim), int(z_dim), decoder, int(n_samples)
        self.enc_hidden = nn.Linear(x_dim, hidden)
        self.enc_mu = nn.Linear(hidden, z_dim)
        self.enc_logvar = nn.Linear(hidden, z_dim)
        self.dec_hidden = nn.Linear(z_dim, hidden)
        if decoder == "bernoulli":
            self.dec_out = nn.Linear(hidden, x_dim)
        else:
            self.dec_mean = nn.Linear(hidden, x_dim)
            self.dec_logvar = nn.Linear(hidden, x_dim)
        for module in self.modules():                                   # Section 5: N(0, 0.01), 0.01 = std로 읽음
            if isinstance(module, nn.Linear):
                nn.init.normal_(module.weight, std=init_std)
                nn.init.zeros_(module.bias)

    # ---- 입력 검사 ----
    def check_input(self, x: torch.Tensor) -> None:
        if not isinstance(x, torch.Tensor) or not x.is_floating_point():
            raise ValueError(f"x는 float tensor여야 합니다: 받은 {type(x).__name__} {getattr(x, 'dtype', '')}")
        if x.ndim != 2 or x.shape[1] != self.x_dim:
            hint = " (이미지는 먼저 (N, H·W)로 펴세요)" if x.ndim > 2 else ""
            raise ValueError(f"x의 shape는 (N, {self.x_dim})이어야 합니다{hint}: 받은 shape {tuple(x.shape)}")
        if self.decoder == "bernoulli" and x.numel() and (x.min() < 0 or x.max() > 1):
            raise ValueError(f"Bernoulli decoder의 x는 [0, 1] 범위여야 합니다: "
                             f"받은 범위 [{x.min().item():.3g}, {x.max().item():.3g}]")

    # ---- q(z|x), p(x|z) ----
    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (B, D) → μ, log σ² (B, Z)."""
        self.check_input(x)
        h = torch.tanh(self.enc_hidden(x))                                  # (B, H)
        return self.enc_mu(h), self.enc_logvar(h)

    def decode(self, z: torch.Tensor):
        """z (..., Z) → bernoulli: logits (..., D) / gaussian: (μ_x, log σ_x²)."""
        g = torch.tanh(self.dec_hidden(z))                                  # (..., H)
        if self.decoder == "bernoulli":
            return self.dec_out(g)
        return self.dec_mean(g), self.dec_logvar(g)

    def log_px_given_z(self, x: torch.Tensor, out) -> torch.Tensor:
        """log p(x|z), 픽셀에 대해 합: x (B, D), decode 출력 (L, B, D) → (L, B)."""
        if self.decoder == "bernoulli":
            return -F.binary_cross_entropy_with_logits(out, x.expand_as(out), reduction="none").sum(-1)
        mean, logvar = out
        return Normal(mean, torch.exp(0.5 * logvar)).log_prob(x).sum(-1)

    def sample_eps(self, n_samples: int, batch: int, generator=None, like=None) -> torch.Tensor:
        """ε ~ N(0, I), (L, B, Z). generator가 있으면 그것으로 (재현 가능한 평가)."""
        like = like if like is not None else self.enc_mu.weight
        eps = torch.randn(n_samples, batch, self.z_dim, generator=generator, dtype=like.dtype)
        return eps.to(like.device)

    # ---- ELBO (SGVB) ----
    def elbo(self, x: torch.Tensor, n_samples: int | None = None, eps: torch.Tensor | None = None,
             estimator: str = "B", generator=None) -> dict:
        """이미지마다 ELBO의 SGVB 추정값 {"elbo", "reconstruction", "kl"} (각 (B,), nats).

        estimator "B" (식 7, 기본): −KL(analytic) + (1/L) Σ_l log p(x|z_l).
        estimator "A" (식 6): (1/L) Σ_l [log p(x|z_l) + log p(z_l) − log q(z_l|x)] — KL도 샘플로 추정한다.
        eps (L, B, Z)를 주면 그것을, 아니면 n_samples(기본 self.n_samples)개를 새로 뽑는다.
        """
        mu, logvar = self.encode(x)                                         # (B, Z)
        if eps is None:
            eps = self.sample_eps(n_samples or self.n_samples, x.shape[0], generator, like=mu)
        elif eps.ndim != 3 or tuple(eps.shape[1:]) != (x.shape[0], self.z_dim):
            raise ValueError(f"eps의 shape는 (L, {x.shape[0]}, {self.z_dim})이어야 합니다: 받은 {tuple(eps.shape)}")
        std = torch.exp(0.5 * logvar)
        z = mu + std * eps                                                  # (L, B, Z)  — reparameterization
        reconstruction = -self.log_px_given_z(x, self.decode(z)).mean(0)    # (B,)
        if estimator == "B":
            kl = -0.5 * (1.0 + logvar - mu**2 - logvar.exp()).sum(-1)       # Appendix B, (B,)
        elif estimator == "A":
            log_q = Normal(mu, std).log_prob(z).sum(-1)                     # (L, B)
            log_p = Normal(0.0, 1.0).log_prob(z).sum(-1)                    # (L, B)
            kl = (log_q - log_p).mean(0)                                    # KL의 Monte Carlo 추정, (B,)
        else:
            raise ValueError(f"estimator는 'A' 또는 'B'여야 합니다: {estimator!r}")
        return {"elbo": -(reconstruction + kl), "reconstruction": reconstruction, "kl": kl}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """이미지마다 ELBO (B,) — SGVB estimator B, L = self.n_samples. 학습 loss는 −elbo.mean()."""
        return self.elbo(x)["elbo"]

    # ---- importance-weighted log p(x) ----
    def log_importance_weights(self, x: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
        """log w_i = log p(x|z_i) + log p(z_i) − log q(z_i|x),  z_i = μ + σ ε_i.  x (B, D), eps (k, B, Z) → (k, B)."""
        mu, logvar = self.encode(x)
        std = torch.exp(0.5 * logvar)
        z = mu + std * eps                                                  # (k, B, Z)
        log_q = Normal(mu, std).log_prob(z).sum(-1)                         # (k, B)
        log_prior = Normal(0.0, 1.0).log_prob(z).sum(-1)                    # (k, B)
        return self.log_px_given_z(x, self.decode(z)) + log_prior - log_q

    @torch.no_grad()
    def log_likelihood_iw(self, x: torch.Tensor, k: int = 1000, generator=None, chunk: int = 100) -> torch.Tensor:
        """log p(x) ≈ logsumexp_i(log w_i) − log k, 이미지마다 (B,). 메모리를 위해 chunk개 이미지씩 계산한다."""
        if int(k) != k or k < 1:
            raise ValueError(f"importance sample 수 k는 1 이상의 정수여야 합니다: k={k}")
        out = []
        for start in range(0, x.shape[0], chunk):
            xb = x[start:start + chunk]
            log_w = self.log_importance_weights(xb, self.sample_eps(k, xb.shape[0], generator, like=xb))
            out.append(torch.logsumexp(log_w, dim=0) - math.log(k))         # 가장 큰 log w를 빼고 더한다
        return torch.cat(out)

    @torch.no_grad()
    def mean_image(self, z: torch.Tensor) -> torch.Tensor:
        """decoder의 평균: bernoulli는 sigmoid(logits), gaussian은 μ_x."""
        out = self.decode(z)
        return torch.sigmoid(out) if self.decoder == "bernoulli" else out[0]


def negative_elbo_loss(elbo: torch.Tensor, _target=None) -> torch.Tensor:
    """`utils.training.fit`용 loss: model(x)가 돌려준 이미지별 ELBO의 음의 평균."""
    return -elbo.mean()


@torch.no_grad()
def evaluate_elbo(model: VAE, X: torch.Tensor, generator, n_samples: int = 10, batch_size: int = 500) -> dict:
    """평균 ELBO와 부분들 (nats / 이미지), estimator B, L = n_samples."""
    total = {"elbo": 0.0, "reconstruction": 0.0, "kl": 0.0}
    for start in range(0, len(X), batch_size):
        parts = model.elbo(X[start:start + batch_size], n_samples=n_samples, generator=generator)
        for key in total:
            total[key] += parts[key].sum().item()
    return {key: value / len(X) for key, value in total.items()}


def train_model(X_train, X_test, *, z_dim: int, hidden: int, epochs: int, lr: float, batch_size: int,
                n_samples: int, seed: int, desc: str, progress: bool = True, **options):
    """Adagrad (Section 5)로 학습한 VAE와 fit의 History (train_loss / test_loss = 음의 ELBO).

    options: fit의 드문 설정 (예: checkpoint_dir, resume, dtype)."""
    torch.manual_seed(seed)                                                 # 초기화와 학습 중 ε
    model = VAE(X_train.shape[1], hidden, z_dim, n_samples=n_samples).to(X_train.device)
    optimizer = torch.optim.Adagrad(model.parameters(), lr=lr)
    history = fit(model, (X_train, X_train), (X_test, X_test), optimizer=optimizer, loss_fn=negative_elbo_loss,
                  epochs=epochs, batch_size=batch_size, seed=seed, desc=desc, progress=progress, **options)
    return model, history


def iw_bound_by_k(model: VAE, X: torch.Tensor, k_max: int, seed: int) -> dict[int, float]:
    """IW_K_GRID 중 k_max 이하인 k와 k_max 자신에서 importance-weighted log p(x)의 평균 (nats / 이미지).

    k마다 같은 seed의 generator로 새로 뽑는다. Burda et al. (2016) Theorem 1: 기댓값은 k에 대해 단조 증가하고
    k → ∞에서 log p(x)로 수렴한다. `main`과 `11_VAE/claims.py`가 이것을 부른다.
    """
    ks = sorted({k for k in IW_K_GRID if k <= k_max} | {k_max})
    return {k: model.log_likelihood_iw(X, k, torch.Generator().manual_seed(seed + 2)).mean().item() for k in ks}


def plot_iw_bound(iw: dict, elbo: float, path):
    """k (log 축)에 따른 importance-weighted 추정값과 ELBO 수평선."""
    import matplotlib.pyplot as plt

    from utils.visualization import save_figure

    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    ks = sorted(iw)
    ax.plot(ks, [iw[k] for k in ks], marker="o", label="importance-weighted log p(x)")
    ax.axhline(elbo, color="k", linestyle="--", linewidth=1, label="ELBO (estimator B, L = 10)")
    ax.set_xscale("log")
    ax.set(title="k가 커지면 bound가 조인다 (test 평균)", xlabel="importance sample 수 k",
           ylabel="nats / 이미지")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return save_figure(fig, path)


# ---------------------------------------------------------------------------------------------------------
# 실행
# ---------------------------------------------------------------------------------------------------------
def main(argv=None) -> dict:
    parser = make_parser("11_VAE", "paper", "VAE (Kingma & Welling 2013): SGVB 학습과 importance-weighted log p(x)",
                         BINARY_IMAGE_DATA, "digits", default_epochs=300)
    parser.add_argument("--z-dim", type=int, default=10, help="잠재 차원 (기본 10; 논문 Figure 2는 2–200을 비교)")
    parser.add_argument("--hidden", type=int, default=None, help="은닉 층 폭 (기본: digits 200, mnist 500 = 논문)")
    parser.add_argument("--lr", type=float, default=0.05, help="Adagrad stepsize (기본 0.05)")
    parser.add_argument("--batch-size", type=int, default=100, help="minibatch M (기본 100, 논문과 같음)")
    parser.add_argument("--samples", type=int, default=1, help="SGVB의 L (기본 1, 논문과 같음)")
    parser.add_argument("--iw-samples", type=int, default=1000, help="log p(x) 추정의 importance sample 수 k")
    parser.add_argument("--manifold-epochs", type=int, default=300,
                        help="manifold 그림용 z = 2 모델의 epoch 수 (0이면 학습하지 않는다)")
    add_training_flags(parser)
    args = parse_args(parser, argv)
    from utils.visualization import plot_curves, plot_image_grid, plot_latent_grid, plot_latent_scatter

    seed_everything(args.seed)
    device = choose_device(args.device)
    hidden = args.hidden or (500 if args.data == "mnist" else 200)
    epochs = min(args.epochs, 5) if args.quick else args.epochs
    manifold_epochs = min(args.manifold_epochs, 5) if args.quick else args.manifold_epochs
    k_max = min(args.iw_samples, 50) if args.quick else args.iw_samples
    limit = (2000, 500) if args.quick else (None, None)
    settings = dict(hidden=hidden, lr=args.lr, batch_size=args.batch_size, n_samples=args.samples, seed=args.seed)
    with Timer() as timer, limit_threads(args.threads):
        data = load_binary_images(args.data, seed=args.seed, root=args.root, download=args.download,
                                  max_train=limit[0], max_test=limit[1])
        X_train = torch.tensor(data.X_train, dtype=torch.float32, device=device)     # (N, D) 0/1
        X_test = torch.tensor(data.X_test, dtype=torch.float32, device=device)
        model, history = train_model(X_train, X_test, z_dim=args.z_dim, epochs=epochs, desc="vae/paper", **settings,
                                     **fit_options(args))
        model.eval()
        test = evaluate_elbo(model, X_test, torch.Generator().manual_seed(args.seed + 1), n_samples=10)
        iw = iw_bound_by_k(model, X_test, k_max, args.seed)
        if manifold_epochs > 0:
            model2, history2 = train_model(X_train, X_test, z_dim=2, epochs=manifold_epochs, desc="vae/paper z=2",
                                           **settings, **fit_options(args, Path(args.out) / "z2"))
            model2.eval()
            test2 = evaluate_elbo(model2, X_test, torch.Generator().manual_seed(args.seed + 1), n_samples=10)
            iw2 = model2.log_likelihood_iw(X_test, k_max, torch.Generator().manual_seed(args.seed + 2)).mean().item()

    out, side = args.out, data.info["side"]
    with torch.no_grad():
        shown = X_test[:8]
        recon = model.mean_image(model.encode(shown)[0])                              # z = μ(x)
        z_prior = torch.randn(32, args.z_dim, generator=torch.Generator().manual_seed(args.seed + 3)).to(device)
        samples = model.mean_image(z_prior)
    plots = [
        # fit의 loss = 음의 ELBO. log 축: 첫 epoch의 Adagrad 과도기(수백 nats)와 끝의 값이 한 그림에 보이게
        plot_curves({"train −ELBO": history["train_loss"], "test −ELBO": history["test_loss"]},
                    f"{out}/elbo_curve.png", title=f"VAE 학습 곡선 (z = {args.z_dim})",
                    ylabel="음의 ELBO (nats / 이미지, log 축)", logy=True),
        plot_image_grid(torch.cat([shown, recon]).cpu().reshape(16, side, side), f"{out}/reconstructions.png",
                        title="위: test 입력 / 아래: 재구성 (z = μ)"),
        plot_image_grid(samples.cpu().reshape(32, side, side), f"{out}/prior_samples.png",
                        title="z ~ N(0, I)에서 decode한 평균 이미지"),
        plot_iw_bound(iw, test["elbo"], f"{out}/iw_bound.png"),
    ]
    result = {
        "model": "VAE", "level": "paper", "data": args.data, "metric": "test_log_px_iw", "value": iw[k_max],
        "iw_samples": k_max, "test_elbo": test["elbo"], "test_reconstruction": test["reconstruction"],
        "test_kl": test["kl"], "test_log_px_iw_by_k": {str(k): v for k, v in iw.items()},
        "train_elbo_first": -history["train_loss"][0], "train_elbo_last": -history.last("train_loss"),
        "test_elbo_first_epoch": -history["test_loss"][0],
        "test_elbo_by_epoch": [-v for v in history["test_loss"]],
        "n_parameters": sum(p.numel() for p in model.parameters()), "n_train": len(X_train), "z_dim": args.z_dim,
        "hidden": hidden, "lr": args.lr, "batch_size": args.batch_size, "samples": args.samples, "epochs": epochs,
        "device": str(device), "threads": args.threads,
    }
    if manifold_epochs > 0:
        with torch.no_grad():
            mu2 = model2.encode(X_test)[0].cpu().numpy()                              # (M, 2) test 이미지의 μ

        def decode_grid(z: np.ndarray) -> np.ndarray:
            with torch.no_grad():
                return model2.mean_image(torch.from_numpy(z).to(device)).cpu().numpy().reshape(-1, side, side)

        plots += [
            plot_latent_grid(decode_grid, f"{out}/latent_manifold.png", n=15, span=2.5,
                             title="z = 2 모델의 잠재 공간 manifold (z ∈ [−2.5, 2.5]²)"),
            plot_latent_scatter(mu2, data.y_test, f"{out}/latent_means.png",
                                title="test 이미지의 μ(x) (z = 2), 색 = 숫자 class"),
        ]
        result.update(z2_test_elbo=test2["elbo"], z2_test_log_px_iw=iw2, z2_epochs=manifold_epochs,
                      z2_train_elbo_first=-history2["train_loss"][0])
    result.update(seconds=timer.seconds, plots=[str(p) for p in plots])
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
