"""로지스틱 / softmax 회귀 — PyTorch raw tensor + autograd. 안정한 BCE와 cross-entropy는 손으로 쓴다.

고전 출처: Cox (1958), "The Regression Analysis of Binary Sequences" — numpy/logistic_numpy.py와 같은 식:
    이진:   L = (1/N) Σ [softplus(z) − z y] + (λ/2)||w||²,   softplus(z) = log(1 + e^z),   z = X w + b
    K 클래스: L = −(1/N) Σ_i log softmax(Z)_{i, y_i} + (λ/2)||W||²,   log softmax = Z − logsumexp(Z)
softplus와 logsumexp는 m + log Σ e^{Z − m} (m = 최댓값)으로 직접 쓴다. 테스트가 `F.binary_cross_entropy_with_logits`,
`F.cross_entropy`와 값·gradient가 같은지 확인한다. gradient는 autograd가 계산한다.

실행:  python -m 01_Linear_Logistic.pytorch_lowlevel.logistic_lowlevel [--data breast_cancer|digits|mnist] [--quick]
"""
from __future__ import annotations

import torch

from utils.cli import choose_device, cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, check_finite
from utils.datasets import load_features

from .linear_lowlevel import init_params, sgd_step

DATA_CHOICES = ("breast_cancer", "digits", "mnist")
RUNS = ("breast_cancer", "digits")


def logits_of(params: dict, X: torch.Tensor) -> torch.Tensor:
    """이진이면 (N,), K 클래스면 (N, K) logits."""
    n_features, n_outputs = params["W"].shape
    if X.ndim != 2 or X.shape[1] != n_features or not X.is_floating_point():
        raise ValueError(f"X는 shape (N, {n_features})의 float tensor여야 합니다: "
                         f"받은 shape {tuple(X.shape)}, dtype {X.dtype}")
    Z = X @ params["W"] + params["b"]                           # (N, D) @ (D, K) + (K,) → (N, K)
    return Z[:, 0] if n_outputs == 1 else Z


def softplus(z: torch.Tensor) -> torch.Tensor:
    """log(1 + e^z) = log(e^0 + e^z): 두 항의 log-sum-exp. m = max(z, 0)을 빼서 exp가 넘치지 않게 한다.

    m은 detach한다 (상수 취급). 값은 그대로이고 gradient는 e^{z−m} / (e^{−m} + e^{z−m}) = σ(z)로 정확하다.
    max(z, 0) + log1p(e^{−|z|})를 그대로 autograd에 맡기면 z = 0에서 clamp와 |z|의 kink 때문에
    σ(0) = 0.5가 아닌 subgradient가 나온다 (test_lowlevel.py가 z = 0을 넣어 확인한다).
    """
    m = z.clamp(min=0).detach()
    return m + torch.log(torch.exp(-m) + torch.exp(z - m))


def bce_with_logits(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """안정한 이진 cross-entropy: −y log σ(z) − (1−y) log(1−σ(z)) = softplus(z) − z·y 의 평균."""
    if logits.shape != y.shape:
        raise ValueError(f"logits와 y의 shape가 같아야 합니다: {tuple(logits.shape)} vs {tuple(y.shape)}")
    return (softplus(logits) - logits * y).mean()


def log_softmax(Z: torch.Tensor) -> torch.Tensor:
    m = Z.max(dim=1, keepdim=True).values.detach()              # (N, 1). 상수로 취급해도 값·gradient는 같다
    return Z - (m + torch.log(torch.exp(Z - m).sum(dim=1, keepdim=True)))   # (N, K)


def cross_entropy(Z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    n, k = Z.shape
    if y.shape != (n,) or y.dtype != torch.int64 or y.min() < 0 or y.max() >= k:
        raise ValueError(f"y는 0..{k - 1} 범위의 int64 tensor, shape ({n},)이어야 합니다: "
                         f"받은 shape {tuple(y.shape)}, dtype {y.dtype}")
    return -log_softmax(Z)[torch.arange(n, device=Z.device), y].mean()


def objective(params: dict, X: torch.Tensor, y: torch.Tensor, l2: float = 0.0) -> torch.Tensor:
    logits = logits_of(params, X)
    data_loss = bce_with_logits(logits, y.to(logits.dtype)) if logits.ndim == 1 else cross_entropy(logits, y)
    return data_loss + 0.5 * l2 * (params["W"] ** 2).sum()


def predict(params: dict, X: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        logits = logits_of(params, X)
    return (logits > 0).long() if logits.ndim == 1 else logits.argmax(dim=1)


def fit_gd(params: dict, X: torch.Tensor, y: torch.Tensor, lr: float, epochs: int, l2: float = 0.0) -> list[float]:
    """Full-batch gradient descent. 각 step 직전의 목적 함수 값을 돌려준다."""
    check_finite(X=X)
    losses = []
    for _ in range(epochs):
        loss = objective(params, X, y, l2)
        loss.backward()
        sgd_step(params, lr)
        losses.append(loss.item())
    return losses


def main(argv=None) -> dict:
    parser = make_parser("01_Linear_Logistic", "pytorch_lowlevel", "로지스틱 / softmax 회귀: raw tensor + autograd",
                         DATA_CHOICES, "breast_cancer", default_epochs=500)
    parser.add_argument("--lr", type=float, default=0.5, help="learning rate")
    parser.add_argument("--l2", type=float, default=1e-3, help="L2 계수 λ")
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
        binary = args.data == "breast_cancer"
        n_outputs = 1 if binary else int(y_train.max()) + 1
        params = init_params(X_train.shape[1], n_outputs, seed=args.seed, dtype=dtype, device=device)
        losses = fit_gd(params, X_train, y_train, args.lr, epochs, args.l2)
        test_accuracy = (predict(params, X_test) == y_test).double().mean().item()
    result = {
        "model": "LogisticRegression" if binary else "SoftmaxRegression", "level": "pytorch_lowlevel",
        "data": args.data, "metric": "test_accuracy", "value": test_accuracy, "device": str(device),
        "train_loss_first": losses[0], "train_loss_last": losses[-1], "epochs": epochs, "lr": args.lr,
        "l2": args.l2, "seconds": timer.seconds,
        "plots": [str(plot_curves({"train 목적 함수": losses}, f"{args.out}/loss_curve.png",
                                  title="학습 곡선 (autograd GD)", xlabel="step", ylabel="cross-entropy"))],
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
