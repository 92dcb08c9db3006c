"""다층 퍼셉트론 (MLP) — PyTorch raw tensor + autograd, `nn.Module` 없이. cross-entropy와 Adam은 손으로 쓴다.

논문: Rumelhart, Hinton & Williams (1986), "Learning representations by back-propagating errors", Nature 323 —
numpy/mlp_numpy.py와 같은 모델과 식:
    Z_l = H_{l−1} W_l + b_l,   H_l = f(Z_l)   (l = 1 … L−1),   logits = H_{L−1} W_L + b_L
    L = −(1/N) Σ_n log softmax(logits_n)_{y_n}
L1과 다른 점: backward(식 (5)–(7))를 손으로 쓰지 않고 autograd(`loss.backward()`)가 계산한다. 파라미터는
"W1", "b1", … 의 dict에 담긴 leaf tensor이고, 모델은 함수(`forward`)다. 이 레벨이 손으로 쓰는 것:
    - `cross_entropy`: log-sum-exp로 안정하게 — 테스트가 `F.cross_entropy`와 값·gradient를 비교한다.
    - `adam_step`: Kingma & Ba (2015) Algorithm 1 — 테스트가 `torch.optim.Adam`과 step마다 비교한다.
활성화 함수와 dropout은 torch primitive(`F.relu`, `torch.sigmoid`, `torch.tanh`, `F.gelu`, `F.dropout`)를 쓴다.

실행:  python -m 02_MLP.pytorch_lowlevel.mlp_lowlevel [--data digits|mnist] [--quick]
"""
from __future__ import annotations

import math
import sys

import torch
import torch.nn.functional as F

from utils.cli import choose_device, cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, check_finite, limit_threads
from utils.datasets import load_features
from utils.training import History

DATA_CHOICES = ("digits", "mnist")
ACTIVATIONS = {"relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "gelu": F.gelu}
DEFAULT_INIT = {"relu": "he", "gelu": "he", "sigmoid": "xavier", "tanh": "xavier"}


def init_params(sizes, activation: str = "relu", output_gain: float = 0.1, seed: int = 0, dtype=torch.float64,
                device="cpu") -> dict[str, torch.Tensor]:
    """{"W1": (n_0, n_1), "b1": (n_1,), …}. 은닉 층은 He N(0, 2/fan_in) 또는 Xavier U(±√(6/(fan_in+fan_out))),
    출력 층은 Xavier × output_gain (초기 logits ≈ 0 → 초기 loss ≈ ln C). 모두 requires_grad=True인 leaf tensor.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation은 {', '.join(ACTIVATIONS)} 중 하나여야 합니다: {activation!r}")
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes는 [입력, 은닉…, 출력] 형태의 양의 정수 2개 이상이어야 합니다: {sizes}")
    generator = torch.Generator().manual_seed(seed)
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), 1):
        last = i == len(sizes) - 1
        if last or DEFAULT_INIT[activation] == "xavier":
            bound = (6.0 / (fan_in + fan_out)) ** 0.5
            W = (torch.rand(fan_in, fan_out, generator=generator, dtype=torch.float64) * 2 - 1) * bound
        else:
            W = torch.randn(fan_in, fan_out, generator=generator, dtype=torch.float64) * (2.0 / fan_in) ** 0.5
        if last:
            W = W * output_gain
        params[f"W{i}"] = W.to(device=device, dtype=dtype).requires_grad_()
        params[f"b{i}"] = torch.zeros(fan_out, dtype=dtype, device=device, requires_grad=True)
    return params


def n_layers(params: dict) -> int:
    return len(params) // 2


def forward(params: dict, X: torch.Tensor, activation: str = "relu", dropout: float = 0.0,
            training: bool = False) -> torch.Tensor:
    """logits (N, C). 은닉 층마다 Linear → 활성화 → dropout(training일 때만; inverted, p = dropout)."""
    n_features = params["W1"].shape[0]
    if X.ndim != 2 or X.shape[1] != n_features or not X.is_floating_point():
        hint = " (이미지는 먼저 (N, H·W)로 펴세요)" if X.ndim > 2 else ""
        raise ValueError(f"X는 shape (N, {n_features})의 float tensor여야 합니다{hint}: "
                         f"받은 shape {tuple(X.shape)}, dtype {X.dtype}")
    f = ACTIVATIONS[activation]
    h = X
    L = n_layers(params)
    for i in range(1, L + 1):
        h = h @ params[f"W{i}"] + params[f"b{i}"]               # (N, n_{i−1}) @ (n_{i−1}, n_i) + (n_i,) → (N, n_i)
        if i < L:
            h = F.dropout(f(h), p=dropout, training=training)
    return h


def cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """−(1/N) Σ_n log softmax(z_n)_{y_n}. log softmax = z − m − log Σ e^{z − m}, m = 행 최댓값 (상수로 detach).

    m을 빼도 값은 그대로이고(분자·분모에 e^{−m}이 같이 붙는다) gradient도 그대로다. exp가 넘치지 않게 할 뿐이다.
    """
    n, c = logits.shape
    if y.shape != (n,) or y.dtype != torch.int64 or y.min() < 0 or y.max() >= c:
        raise ValueError(f"y는 0..{c - 1} 범위의 int64 tensor, shape ({n},)이어야 합니다: "
                         f"받은 shape {tuple(y.shape)}, dtype {y.dtype}")
    m = logits.max(dim=1, keepdim=True).values.detach()         # (N, 1)
    log_probs = logits - m - torch.log(torch.exp(logits - m).sum(dim=1, keepdim=True))   # (N, C)
    return -log_probs[torch.arange(n, device=logits.device), y].mean()


def adam_init(params: dict) -> dict:
    """Adam의 상태: step 수 t와 파라미터마다 1차·2차 moment (0으로 시작)."""
    return {"t": 0, "m": {k: torch.zeros_like(p) for k, p in params.items()},
            "v": {k: torch.zeros_like(p) for k, p in params.items()}}


def adam_step(params: dict, state: dict, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
              eps: float = 1e-8) -> None:
    """Kingma & Ba (2015) Algorithm 1. `.grad`로 params를 제자리에서 갱신하고 grad를 0으로 만든다.

        m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²,   θ ← θ − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
    ε는 √v̂ 바깥 — `torch.optim.Adam`과 같은 위치다. grad가 없는 파라미터(None)는 건너뛴다 (torch와 같다).
    """
    beta1, beta2 = betas
    state["t"] += 1
    correction1, correction2 = 1.0 - beta1 ** state["t"], 1.0 - beta2 ** state["t"]
    with torch.no_grad():                                         # 갱신 자체는 autograd가 기록하지 않는다
        for name, p in params.items():
            if p.grad is None:
                continue
            g, m, v = p.grad, state["m"][name], state["v"][name]
            m.mul_(beta1).add_((1.0 - beta1) * g)
            v.mul_(beta2).add_((1.0 - beta2) * g * g)
            p -= lr * (m / correction1) / (torch.sqrt(v / correction2) + eps)
            p.grad.zero_()


def train_step(params: dict, state: dict, X: torch.Tensor, y: torch.Tensor, *, activation: str = "relu",
               dropout: float = 0.0, lr: float = 1e-3) -> float:
    """mini-batch 하나: forward → cross-entropy → autograd backward → 손으로 쓴 Adam. step 전의 loss."""
    loss = cross_entropy(forward(params, X, activation, dropout, training=True), y)
    loss.backward()
    adam_step(params, state, lr)
    return loss.item()


def evaluate(params: dict, X: torch.Tensor, y: torch.Tensor, activation: str = "relu") -> tuple[float, float]:
    """평가 모드(dropout 끔), no_grad로 (평균 loss, 정확도)."""
    with torch.no_grad():
        logits = forward(params, X, activation, training=False)
        return cross_entropy(logits, y).item(), (logits.argmax(dim=1) == y).double().mean().item()


def train_epochs(params: dict, state: dict, X: torch.Tensor, y: torch.Tensor, *, epochs: int, batch_size: int,
                 generator: torch.Generator, activation: str = "relu", dropout: float = 0.0, lr: float = 1e-3,
                 test=None, progress: bool = True) -> History:
    """mini-batch Adam 학습. 매 epoch `generator`로 섞은 순서를 batch_size씩 자른다.

    epoch마다 train_loss(mini-batch 평균)와, test=(X_test, y_test)가 있으면 test_loss, test_acc를 기록한다.
    """
    from tqdm.auto import tqdm

    check_finite(X=X)                                            # NaN이 섞인 데이터로는 시작하지 않는다
    if batch_size < 1:
        raise ValueError(f"batch_size는 1 이상이어야 합니다: {batch_size}")
    history = History()
    bar = tqdm(range(epochs), desc="mlp/lowlevel", leave=False, disable=not progress, file=sys.stderr)
    for _ in bar:
        total = 0.0
        for index in torch.randperm(len(X), generator=generator).split(batch_size):
            index = index.to(X.device)
            total += train_step(params, state, X[index], y[index], activation=activation, dropout=dropout,
                                lr=lr) * len(index)
        record = {"train_loss": total / len(X)}
        if test is not None:
            record["test_loss"], record["test_acc"] = evaluate(params, *test, activation)
        history.log(**record)
        bar.set_postfix({k: f"{v:.4f}" for k, v in record.items()}, refresh=False)
    return history


def main(argv=None) -> dict:
    parser = make_parser("02_MLP", "pytorch_lowlevel", "MLP: raw tensor + autograd, 손으로 쓴 cross-entropy와 Adam",
                         DATA_CHOICES, "digits", default_epochs=50)
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 256], help="은닉 층 폭들 (기본 256 256)")
    parser.add_argument("--activation", choices=sorted(ACTIVATIONS), default="relu", help="은닉 층 활성화 함수")
    parser.add_argument("--dropout", type=float, default=0.2, help="은닉 층 뒤 dropout 확률 p (기본 0.2)")
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (기본 1e-3)")
    parser.add_argument("--batch-size", type=int, default=64, help="mini-batch 크기 (기본 64)")
    args = parse_args(parser, argv)
    from utils.visualization import plot_curves, plot_weight_grid

    seed_everything(args.seed)
    device = choose_device(args.device)
    dtype = torch.float32 if device.type == "mps" else torch.float64    # MPS에는 float64가 없다
    epochs = min(args.epochs, 3) if args.quick else args.epochs
    with Timer() as timer, limit_threads(args.threads):                # --threads N: torch·BLAS thread 수
        limit = (2000, 1000) if args.quick else (None, None)           # --quick: MNIST는 앞쪽 일부만
        data = load_features(args.data, seed=args.seed, root=args.root, download=args.download,
                             max_train=limit[0], max_test=limit[1])      # (N, H·W), 픽셀마다 train 통계로 표준화
        X_train, y_train, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
        X_train, X_test = (torch.as_tensor(a, dtype=dtype, device=device) for a in (X_train, X_test))
        y_train, y_test = (torch.as_tensor(a, device=device) for a in (y_train, y_test))

        sizes = [X_train.shape[1], *args.hidden, int(y_train.max()) + 1]
        params = init_params(sizes, args.activation, seed=args.seed, dtype=dtype, device=device)
        state = adam_init(params)
        initial_loss = evaluate(params, X_train, y_train, args.activation)[0]
        history = train_epochs(params, state, X_train, y_train, epochs=epochs, batch_size=args.batch_size,
                               generator=torch.Generator().manual_seed(args.seed), activation=args.activation,
                               dropout=args.dropout, lr=args.lr, test=(X_test, y_test))
        test_loss, test_accuracy = evaluate(params, X_test, y_test, args.activation)

    side = math.isqrt(X_train.shape[1])
    W1 = params["W1"].detach().cpu()                              # (H·W, h_1)
    n_show = min(32, W1.shape[1])
    plots = [
        plot_curves({"train loss": history["train_loss"], "test loss": history["test_loss"]},
                    f"{args.out}/loss_curve.png", title="MLP 학습 곡선 (raw tensor + autograd)",
                    ylabel="cross-entropy"),
        plot_curves({"test accuracy": history["test_acc"]}, f"{args.out}/accuracy_curve.png", title="테스트 정확도",
                    ylabel="accuracy"),
        plot_weight_grid(W1.T[:n_show].reshape(n_show, side, side), f"{args.out}/first_layer_weights.png",
                         title=f"첫 층 가중치 (unit {n_show}개)"),
    ]
    result = {
        "model": "MLP", "level": "pytorch_lowlevel", "data": args.data, "metric": "test_accuracy",
        "value": test_accuracy, "device": str(device), "test_loss": test_loss, "initial_loss": initial_loss,
        "train_loss_last": history.last("train_loss"), "n_parameters": sum(p.numel() for p in params.values()),
        "hidden": args.hidden, "activation": args.activation, "dropout": args.dropout, "optimizer": "adam (손으로 씀)",
        "lr": args.lr, "batch_size": args.batch_size, "epochs": epochs, "threads": args.threads,
        "seconds": timer.seconds, "plots": [str(p) for p in plots],
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
