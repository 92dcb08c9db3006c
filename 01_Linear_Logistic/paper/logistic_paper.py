"""로지스틱 회귀와 softmax 회귀 — `nn.Module`, utils의 학습 루프로 학습한다.

고전 출처:
    D. R. Cox (1958), "The Regression Analysis of Binary Sequences", J. Royal Statistical Society B 20(2),
        215–242. 성공 확률 θ_i의 log-odds를 설명 변수의 선형 함수로 둔다:  log(θ_i / (1 − θ_i)) = α + β x_i,
        즉 θ_i = σ(α + β x_i).  계수는 maximum likelihood로 추정한다 → 음의 log-likelihood = BCE.
    다중 클래스 (multinomial logit): P(y = k | x) = softmax(W x + b)_k, 음의 log-likelihood = cross-entropy.

모델:  LogisticRegression — `nn.Linear(D, 1)` → logit (N,);  SoftmaxRegression — `nn.Linear(D, K)` → logits (N, K)
목적:  F.binary_cross_entropy_with_logits / F.cross_entropy + (λ/2)||W||² (weight_decay, bias 제외)

실행:  python -m 01_Linear_Logistic.paper.logistic_paper [--data breast_cancer|digits|mnist] [--quick]
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
from utils.training import accuracy, evaluate, fit

DATA_CHOICES = ("breast_cancer", "digits", "mnist")
RUNS = ("breast_cancer", "digits")


class LogisticRegression(nn.Module):
    """Cox (1958)의 이진 logistic regression: logit z = w·x + b, P(y=1|x) = σ(z)."""

    def __init__(self, n_features: int):
        super().__init__()
        self.linear = nn.Linear(n_features, 1)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if X.ndim != 2 or X.shape[1] != self.linear.in_features:
            raise ValueError(f"X의 shape는 (N, {self.linear.in_features})이어야 합니다: 받은 shape {tuple(X.shape)}")
        return self.linear(X)[:, 0]                             # logits, (N, 1) → (N,)

    @staticmethod
    def loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(logits, y.to(logits.dtype))


class SoftmaxRegression(nn.Module):
    """Multinomial logit: P(y=k|x) = softmax(W x + b)_k."""

    def __init__(self, n_features: int, n_classes: int):
        super().__init__()
        if n_classes < 2:
            raise ValueError(f"n_classes는 2 이상이어야 합니다: {n_classes}")
        self.linear = nn.Linear(n_features, n_classes)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if X.ndim != 2 or X.shape[1] != self.linear.in_features:
            raise ValueError(f"X의 shape는 (N, {self.linear.in_features})이어야 합니다: 받은 shape {tuple(X.shape)}")
        return self.linear(X)                                   # (N, K)

    @staticmethod
    def loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(logits, y)


def make_optimizer(model: nn.Module, lr: float, l2: float = 0.0) -> torch.optim.Optimizer:
    """SGD. weight에만 weight_decay=λ, bias에는 0 — L1/L2의 (λ/2)||W||²와 같은 목적 함수."""
    return torch.optim.SGD([
        {"params": [model.linear.weight], "weight_decay": l2},
        {"params": [model.linear.bias], "weight_decay": 0.0},
    ], lr=lr)


def main(argv=None) -> dict:
    parser = make_parser("01_Linear_Logistic", "paper", "로지스틱 / softmax 회귀: nn.Module + utils 학습 루프",
                         DATA_CHOICES, "breast_cancer", default_epochs=500)
    parser.add_argument("--lr", type=float, default=0.5, help="learning rate")
    parser.add_argument("--l2", type=float, default=1e-3, help="L2 계수 λ (weight_decay)")
    add_training_flags(parser)
    args = parse_args(parser, argv)
    from utils.visualization import plot_curves

    seed_everything(args.seed)
    device = choose_device(args.device)
    dtype = torch.float32 if device.type == "mps" else torch.float64
    epochs = min(args.epochs, 30) if args.quick else args.epochs
    with Timer() as timer:
        data = load_features(args.data, seed=args.seed, root=args.root, download=args.download)   # (N, D), 표준화됨
        X_train, X_test = data.X_train, data.X_test
        X_train, X_test = (torch.as_tensor(a, dtype=dtype, device=device) for a in (X_train, X_test))
        y_train, y_test = (torch.as_tensor(a, device=device) for a in (data.y_train, data.y_test))
        if args.data == "breast_cancer":
            model = LogisticRegression(X_train.shape[1])
        else:
            model = SoftmaxRegression(X_train.shape[1], int(y_train.max()) + 1)
        model = model.to(device=device, dtype=dtype)
        history = fit(model, (X_train, y_train), (X_test, y_test), optimizer=make_optimizer(model, args.lr, args.l2),
                      loss_fn=model.loss, epochs=epochs, batch_size=None, metric=accuracy, seed=args.seed,
                      desc="logistic/paper", checkpoint_every=500, **fit_options(args))
        _, test_accuracy = evaluate(model, X_test, y_test, loss_fn=model.loss, metric=accuracy)
    result = {
        "model": type(model).__name__, "level": "paper", "data": args.data, "metric": "test_accuracy",
        "value": test_accuracy, "device": str(device), "train_loss_first": history["train_loss"][0],
        "train_loss_last": history.last("train_loss"), "test_loss_last": history.last("test_loss"),
        "epochs": epochs, "lr": args.lr, "l2": args.l2, "seconds": timer.seconds,
        "plots": [
            str(plot_curves({"train loss": history["train_loss"], "test loss": history["test_loss"]},
                            f"{args.out}/loss_curve.png", title="학습 곡선 (nn.Module)", ylabel="cross-entropy")),
            str(plot_curves({"test accuracy": history["test_metric"]}, f"{args.out}/accuracy_curve.png",
                            title="테스트 정확도", ylabel="accuracy")),
        ],
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
