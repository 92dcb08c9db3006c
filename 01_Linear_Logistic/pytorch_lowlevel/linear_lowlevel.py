"""선형 회귀 — PyTorch raw tensor + autograd, nn.Module 없이. loss와 SGD step은 손으로 쓴다.

고전 출처: Legendre (1805) least squares, Gauss (1809) — numpy/linear_numpy.py의 docstring과 같은 식:
    ŷ = X w + b,    L(w, b) = (1/N) Σ (ŷ_i − y_i)² + (λ/2)||w||²
L1(NumPy)과 다른 점은 하나: gradient를 손으로 쓰지 않고 autograd(`loss.backward()`)가 계산한다.
대신 이 장이 가르치는 두 가지 — MSE loss와 SGD 한 step — 은 직접 쓰고, 테스트가
`F.mse_loss`, `torch.optim.SGD`와 같은지 확인한다.

실행:  python -m 01_Linear_Logistic.pytorch_lowlevel.linear_lowlevel [--data diabetes|synthetic] [--quick]
"""
from __future__ import annotations

import torch

from utils.cli import choose_device, cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, check_finite
from utils.datasets import load_features

DATA_CHOICES = ("diabetes", "synthetic")
RUNS = DATA_CHOICES


def init_params(n_features: int, n_outputs: int = 1, seed: int = 0, dtype=torch.float64, device="cpu") -> dict:
    """W ~ N(0, 1/D), b = 0. 모두 requires_grad=True인 leaf tensor."""
    generator = torch.Generator().manual_seed(seed)
    W = torch.randn(n_features, n_outputs, generator=generator, dtype=dtype) / n_features**0.5
    return {"W": W.to(device).requires_grad_(), "b": torch.zeros(n_outputs, dtype=dtype, device=device,
                                                                   requires_grad=True)}


def forward(params: dict, X: torch.Tensor) -> torch.Tensor:
    n_features = params["W"].shape[0]
    if X.ndim != 2 or X.shape[1] != n_features or not X.is_floating_point():
        raise ValueError(f"X는 shape (N, {n_features})의 float tensor여야 합니다: "
                         f"받은 shape {tuple(X.shape)}, dtype {X.dtype}")
    return (X @ params["W"] + params["b"])[:, 0]                # (N, D) @ (D, 1) + (1,) → (N, 1) → (N,)


def mse_loss(pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(1/N) Σ (pred − y)² — F.mse_loss와 같다 (test_lowlevel.py)."""
    if pred.shape != y.shape:
        raise ValueError(f"pred와 y의 shape가 같아야 합니다: {tuple(pred.shape)} vs {tuple(y.shape)}")
    return ((pred - y) ** 2).mean()


def objective(params: dict, X: torch.Tensor, y: torch.Tensor, l2: float = 0.0) -> torch.Tensor:
    return mse_loss(forward(params, X), y) + 0.5 * l2 * (params["W"] ** 2).sum()


def sgd_step(params: dict, lr: float) -> None:
    """θ ← θ − lr · θ.grad, 그리고 grad를 0으로. autograd가 이 갱신을 기록하지 않도록 no_grad 안에서."""
    with torch.no_grad():
        for p in params.values():
            p -= lr * p.grad
            p.grad.zero_()


def fit_gd(params: dict, X: torch.Tensor, y: torch.Tensor, lr: float, epochs: int, l2: float = 0.0) -> list[float]:
    """Full-batch gradient descent. 각 step 직전의 목적 함수 값을 돌려준다."""
    check_finite(X=X, y=y)
    losses = []
    for _ in range(epochs):
        loss = objective(params, X, y, l2)
        loss.backward()                                         # autograd가 ∂L/∂W, ∂L/∂b를 .grad에 채운다
        sgd_step(params, lr)
        losses.append(loss.item())
    return losses


def closed_form(X: torch.Tensor, y: torch.Tensor, l2: float = 0.0) -> dict:
    """Normal equation (X̃ᵀX̃ + (Nλ/2)P) θ = X̃ᵀy 를 torch.linalg.solve로 푼다."""
    n, d = X.shape
    X_aug = torch.cat([X, torch.ones(n, 1, dtype=X.dtype, device=X.device)], dim=1)   # (N, D+1)
    penalty = torch.eye(d + 1, dtype=X.dtype, device=X.device) * (n * l2 / 2)
    penalty[-1, -1] = 0.0
    theta = torch.linalg.solve(X_aug.T @ X_aug + penalty, X_aug.T @ y)                  # (D+1,)
    return {"W": theta[:-1, None], "b": theta[-1:]}


def step_size_bound(X: torch.Tensor, l2: float = 0.0) -> float:
    """2 / λ_max((2/N) X̃ᵀX̃ + λP): 이보다 큰 lr에서 GD는 발산한다."""
    n, d = X.shape
    X_aug = torch.cat([X, torch.ones(n, 1, dtype=X.dtype, device=X.device)], dim=1)
    P = torch.diag(torch.tensor([1.0] * d + [0.0], dtype=X.dtype, device=X.device))
    return 2.0 / torch.linalg.eigvalsh(2.0 / n * X_aug.T @ X_aug + l2 * P)[-1].item()


def main(argv=None) -> dict:
    parser = make_parser("01_Linear_Logistic", "pytorch_lowlevel", "선형 회귀: raw tensor + autograd",
                         DATA_CHOICES, "diabetes", default_epochs=6000)
    parser.add_argument("--l2", type=float, default=0.0, help="L2 계수 λ")
    parser.add_argument("--lr-scale", type=float, default=0.5, help="learning rate = scale × 2/L_max")
    args = parse_args(parser, argv)
    from utils.visualization import plot_curves, plot_prediction_scatter

    seed_everything(args.seed)
    device = choose_device(args.device)
    dtype = torch.float32 if device.type == "mps" else torch.float64   # MPS에는 float64가 없다
    epochs = min(args.epochs, 100) if args.quick else args.epochs
    with Timer() as timer:
        data = load_features(args.data, seed=args.seed, standardized=args.data != "synthetic")  # synthetic: 참 w와 비교
        X_train, X_test = data.X_train, data.X_test
        X_train, y_train, X_test, y_test = (torch.as_tensor(a, dtype=dtype, device=device)
                                            for a in (X_train, data.y_train, X_test, data.y_test))
        lr = args.lr_scale * step_size_bound(X_train, args.l2)
        params = init_params(X_train.shape[1], seed=args.seed, dtype=dtype, device=device)
        losses = fit_gd(params, X_train, y_train, lr, epochs, args.l2)
        exact = closed_form(X_train, y_train, args.l2)
        gap = max((params[k] - exact[k]).abs().max().item() for k in params)
        with torch.no_grad():
            pred_test = forward(params, X_test)
    test_mse = mse_loss(pred_test, y_test).item()
    result = {
        "model": "LinearRegression", "level": "pytorch_lowlevel", "data": args.data, "device": str(device),
        "test_mse": test_mse, "test_r2": 1.0 - test_mse / y_test.var(unbiased=False).item(),
        "train_loss_first": losses[0], "train_loss_last": losses[-1], "epochs": epochs, "lr": lr,
        "gd_vs_closed_form_max_abs": gap, "seconds": timer.seconds,
    }
    if args.data == "synthetic":
        true_w = torch.as_tensor(data.info["true_w"], dtype=dtype, device=device)
        result.update(metric="max_abs_weight_error", value=(params["W"][:, 0] - true_w).abs().max().item())
    else:
        result.update(metric="test_r2", value=result["test_r2"])
    result["plots"] = [
        str(plot_curves({"train loss": losses}, f"{args.out}/loss_curve.png", title="선형 회귀 학습 곡선 (autograd GD)",
                        xlabel="step", ylabel="MSE", logy=True)),
        str(plot_prediction_scatter(y_test.cpu().numpy(), pred_test.cpu().numpy(), f"{args.out}/prediction.png",
                                    title="테스트 예측 vs 실제")),
    ]
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
