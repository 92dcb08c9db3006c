"""선형 회귀 — `nn.Module`로 쓴 고전 least squares, utils의 학습 루프로 학습한다.

고전 출처:
    A.-M. Legendre (1805), "Nouvelles méthodes pour la détermination des orbites des comètes",
        부록 "Sur la méthode des moindres carrés": 관측 오차 e_i의 제곱합 Σ e_i² 를 최소로 하는 계수를 택한다.
        그 조건을 미분해 0으로 두면 미지수 개수만큼의 선형 방정식(normal equation)이 나온다.
    C. F. Gauss (1809), "Theoria motus corporum coelestium", 제2권 §175–186: 오차가 정규분포를 따르면
        least squares 해가 가장 그럴듯한(maximum likelihood) 추정값이다.

모델:  ŷ = X wᵀ + b   (`nn.Linear(D, 1)`; weight는 (1, D)로 저장된다 — L1/L2의 W (D, 1)의 전치)
목적:  L = (1/N) Σ (ŷ − y)² + (λ/2)||w||²
L2 항은 optimizer의 weight_decay=λ 로 넣는다: SGD가 gradient에 λw를 더하는 것은 (λ/2)||w||²를 미분한 것과 같다.
bias에는 weight decay를 걸지 않도록 parameter group을 나눈다 (`make_optimizer`).

실행:  python -m 01_Linear_Logistic.paper.linear_paper [--data diabetes|synthetic] [--quick]
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

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
from utils.core import Timer
from utils.datasets import load_features
from utils.training import evaluate, fit

DATA_CHOICES = ("diabetes", "synthetic")
RUNS = DATA_CHOICES


class LinearRegression(nn.Module):
    """Least squares 선형 회귀 (Legendre 1805, Gauss 1809)."""

    def __init__(self, n_features: int):
        super().__init__()
        self.linear = nn.Linear(n_features, 1)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if X.ndim != 2 or X.shape[1] != self.linear.in_features:
            raise ValueError(f"X의 shape는 (N, {self.linear.in_features})이어야 합니다: 받은 shape {tuple(X.shape)}")
        return self.linear(X)[:, 0]                             # (N, 1) → (N,)


def make_optimizer(model: nn.Module, lr: float, l2: float = 0.0) -> torch.optim.Optimizer:
    """SGD. weight에만 weight_decay=λ ((λ/2)||w||²의 gradient), bias에는 0."""
    return torch.optim.SGD([
        {"params": [model.linear.weight], "weight_decay": l2},
        {"params": [model.linear.bias], "weight_decay": 0.0},
    ], lr=lr)


def step_size_bound(X: torch.Tensor, l2: float = 0.0) -> float:
    """2 / λ_max((2/N) X̃ᵀX̃ + λP) — 이 lr 이상에서 GD는 발산한다 (theory.md §4). P는 bias 자리만 0인 대각 행렬:
    weight_decay가 weight에만 걸리므로 λ는 weight 방향의 곡률에만 더해진다."""
    n, d = X.shape
    X_aug = torch.cat([X, torch.ones(n, 1, dtype=X.dtype, device=X.device)], dim=1)     # (N, d + 1)
    P = torch.diag(torch.tensor([1.0] * d + [0.0], dtype=X.dtype, device=X.device))      # (d + 1, d + 1)
    return 2.0 / torch.linalg.eigvalsh(2.0 / n * X_aug.T @ X_aug + l2 * P)[-1].item()


def main(argv=None) -> dict:
    parser = make_parser("01_Linear_Logistic", "paper", "선형 회귀: nn.Module + utils 학습 루프",
                         DATA_CHOICES, "diabetes", default_epochs=6000)
    parser.add_argument("--l2", type=float, default=0.0, help="L2 계수 λ (weight_decay)")
    parser.add_argument("--lr-scale", type=float, default=0.5, help="learning rate = scale × 2/L_max")
    add_training_flags(parser)
    args = parse_args(parser, argv)
    from utils.visualization import plot_curves, plot_prediction_scatter

    seed_everything(args.seed)
    device = choose_device(args.device)
    dtype = torch.float32 if device.type == "mps" else torch.float64
    epochs = min(args.epochs, 100) if args.quick else args.epochs
    with Timer() as timer:
        data = load_features(args.data, seed=args.seed, standardized=args.data != "synthetic")  # synthetic: 참 w와 비교
        X_train, X_test = data.X_train, data.X_test
        X_train, y_train, X_test, y_test = (torch.as_tensor(a, dtype=dtype, device=device)
                                            for a in (X_train, data.y_train, X_test, data.y_test))
        model = LinearRegression(X_train.shape[1]).to(device=device, dtype=dtype)
        lr = args.lr_scale * step_size_bound(X_train, args.l2)
        history = fit(model, (X_train, y_train), (X_test, y_test), optimizer=make_optimizer(model, lr, args.l2),
                      loss_fn=F.mse_loss, epochs=epochs, batch_size=None, seed=args.seed, desc="linear/paper",
                      checkpoint_every=500, **fit_options(args))
        test_mse, _ = evaluate(model, X_test, y_test, loss_fn=F.mse_loss)
    result = {
        "model": "LinearRegression", "level": "paper", "data": args.data, "device": str(device),
        "test_mse": test_mse, "test_r2": 1.0 - test_mse / y_test.var(unbiased=False).item(),
        "train_loss_first": history["train_loss"][0], "train_loss_last": history.last("train_loss"),
        "epochs": epochs, "lr": lr, "seconds": timer.seconds,
    }
    if args.data == "synthetic":
        true_w = torch.as_tensor(data.info["true_w"], dtype=dtype, device=device)
        result.update(metric="max_abs_weight_error", value=(model.linear.weight[0] - true_w).abs().max().item())
    else:
        result.update(metric="test_r2", value=result["test_r2"])
    with torch.no_grad():
        pred_test = model(X_test).cpu().numpy()
    result["plots"] = [
        str(plot_curves(history.to_dict(), f"{args.out}/loss_curve.png", title="선형 회귀 학습 곡선 (nn.Module)",
                        xlabel="epoch", ylabel="MSE", logy=True)),
        str(plot_prediction_scatter(y_test.cpu().numpy(), pred_test, f"{args.out}/prediction.png",
                                    title="테스트 예측 vs 실제")),
    ]
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
