"""다층 퍼셉트론 (MLP) — `nn.Module`, backpropagation으로 학습한다 (utils의 학습 루프 `fit`).

논문: D. E. Rumelhart, G. E. Hinton & R. J. Williams (1986), "Learning representations by back-propagating
errors", Nature 323, 533–536.
    - 층 구조: 입력 층 → 은닉 층들 → 출력 층. 같은 층끼리나 위에서 아래로의 연결은 없다 (layered network).
    - forward, 식 (1)–(2): x_j = Σ_i y_i w_ji (bias는 값이 늘 1인 입력의 가중치), y_j = σ(x_j).
    - backward, 식 (4)–(7): 출력 오차 ∂E/∂y를 ∂E/∂x_j = ∂E/∂y_j · y_j(1 − y_j)로 바꾸고 ∂E/∂w_ji = ∂E/∂x_j · y_i,
      ∂E/∂y_i = Σ_j ∂E/∂x_j · w_ji 로 아래 층에 보낸다 — 여기서는 autograd가 이 일을 한다.
    - 갱신, 식 (9): Δw(t) = −ε ∂E/∂w(t) + α Δw(t−1) — `torch.optim.SGD(momentum=α)`와 같은 식 (--optimizer momentum).
논문에 가까운 변형(sigmoid 은닉 unit + momentum)은 `--activation sigmoid --optimizer momentum --lr 0.05`로 돌린다.
기본 설정은 이 장의 다른 레벨과 같은 현대적 변형이다: ReLU 은닉 층 (He 초기화), softmax + cross-entropy 출력
(논문의 식 (3) 제곱 오차 대신), Adam (Kingma & Ba 2015), 은닉 층마다 dropout (Srivastava et al. 2014;
CLI 기본 p = 0.2, 클래스 기본 0). dropout은 torch의 inverted 형태다: 학습 때 남은 unit을 1/(1−p)배 한다. 논문은 학습 때
그대로 두고 평가 때 가중치에 (1 − p)를 곱한다 (§4; 논문의 p는 남기는 확률이라 식에는 W_test = pW). 기댓값이
같은 두 구현이다.

층 배치는 production twin `torchvision.ops.MLP`와 같다: 은닉 층마다 [Linear, 활성화, Dropout]. `from_reference`가
twin의 가중치를 그대로 옮긴다 (둘 다 nn.Linear라 전치가 필요 없다). 차이 하나: twin은 마지막 Linear 뒤에도
Dropout을 두어 학습 모드에서 logits까지 떨어뜨린다. 평가 모드에서는 두 모델이 같은 함수다.

실행:  python -m 02_MLP.paper.mlp_paper [--data digits|mnist] [--quick]
"""
from __future__ import annotations

import math

import torch
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
from utils.core import Timer, limit_threads
from utils.datasets import load_features
from utils.training import accuracy, evaluate, fit

DATA_CHOICES = ("digits", "mnist")
ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "gelu": nn.GELU}


def n_parameters(sizes) -> int:
    """층 l의 Linear는 가중치 n_{l−1}·n_l개와 bias n_l개: 합은 Σ_l (n_{l−1} + 1)·n_l."""
    return sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))


class MLP(nn.Module):
    """Rumelhart et al. (1986)의 layered network. sizes = [in_features, *hidden, n_classes].

    net = Sequential(Linear, 활성화, Dropout, …, Linear) — index가 torchvision.ops.MLP와 같다 (net.0, net.3, …).
    """

    def __init__(self, in_features: int = 64, hidden=(256, 256), n_classes: int = 10, activation: str = "relu",
                 dropout: float = 0.0, output_gain: float = 0.1):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation은 {', '.join(ACTIVATIONS)} 중 하나여야 합니다: {activation!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout 확률은 [0, 1) 범위여야 합니다: {dropout}")
        self.sizes = [int(in_features), *(int(h) for h in hidden), int(n_classes)]
        if min(self.sizes) < 1:
            raise ValueError(f"층의 폭은 모두 1 이상이어야 합니다: {self.sizes}")
        self.activation, self.output_gain = activation, output_gain
        layers: list[nn.Module] = []
        for fan_in, fan_out in zip(self.sizes[:-2], self.sizes[1:-1]):
            layers += [nn.Linear(fan_in, fan_out), ACTIVATIONS[activation](), nn.Dropout(dropout)]
        layers.append(nn.Linear(self.sizes[-2], self.sizes[-1]))
        self.net = nn.Sequential(*layers)
        self.reset_parameters()

    @property
    def linears(self) -> list[nn.Linear]:
        return [m for m in self.net if isinstance(m, nn.Linear)]

    def reset_parameters(self) -> None:
        """은닉 층: ReLU/GELU는 He (2015) N(0, 2/fan_in), sigmoid/tanh는 Glorot (2010) U(±√(6/(fan_in+fan_out))).
        출력 층: Glorot × output_gain (초기 logits ≈ 0 → 초기 loss ≈ ln C). bias는 0.
        (nn.Linear의 기본 초기화 U(±1/√fan_in)를 덮어쓴다 — L1·L2와 같은 분포로 시작하기 위해서다.)
        """
        *hidden, last = self.linears
        for layer in hidden:
            if self.activation in ("relu", "gelu"):
                nn.init.kaiming_normal_(layer.weight, mode="fan_in", nonlinearity="relu")
            else:
                nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
        nn.init.xavier_uniform_(last.weight, gain=self.output_gain)
        nn.init.zeros_(last.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            hint = " (이미지는 먼저 (N, H·W)로 펴세요)" if x.ndim > 2 else ""
            raise ValueError(f"x의 shape는 (N, {self.sizes[0]})이어야 합니다{hint}: 받은 shape {tuple(x.shape)}")
        return self.net(x)                                       # logits, (N, n_classes)

    @classmethod
    def from_reference(cls, ref: nn.Module) -> MLP:
        """`torchvision.ops.MLP(in, [*hidden, n_classes], activation_layer=…, dropout=p)`에서 같은 설정의 모델을
        만들고 가중치를 복사한다. norm layer가 있거나 bias가 없거나 활성화가 모르는 것이면 ValueError.

        twin의 state_dict key는 "0.weight", "0.bias", "3.weight", …, 우리는 "net.0.weight", … 로 index가 같다.
        모든 key를 정확히 한 번 쓰고, shape를 하나씩 확인한다. 둘 다 nn.Linear (weight (out, in))라 전치는 없다.
        """
        linears = [m for m in ref.modules() if isinstance(m, nn.Linear)]
        acts = [name for m in ref.modules() for name, kind in ACTIVATIONS.items() if type(m) is kind]
        drops = [m.p for m in ref.modules() if isinstance(m, nn.Dropout)]
        known = (nn.Linear, nn.Dropout, *ACTIVATIONS.values())
        unknown = [type(m).__name__ for m in ref.children() if not isinstance(m, known)]
        if not linears or unknown or any(m.bias is None for m in linears) or len(set(acts)) > 1:
            raise ValueError(f"Linear(bias 있음)·활성화 하나·Dropout으로만 된 MLP만 옮길 수 있습니다: "
                             f"모르는 층 {unknown}, 활성화 {sorted(set(acts))}")
        if len(set(drops)) > 1:                                  # 우리 모델은 모든 은닉 층에 같은 p를 쓴다
            raise ValueError(f"모든 Dropout의 p가 같아야 합니다: {drops}")
        approximate = {m.approximate for m in ref.modules() if isinstance(m, nn.GELU)}
        if approximate - {"none"}:                               # 우리 GELU는 정확한 erf 형태뿐이다
            raise ValueError(f"GELU는 approximate='none'만 옮길 수 있습니다: {sorted(approximate)}")
        sizes = [linears[0].in_features] + [m.out_features for m in linears]
        model = cls(sizes[0], sizes[1:-1], sizes[-1], activation=acts[0] if acts else "relu",
                    dropout=drops[0] if drops else 0.0)
        ours, theirs = model.state_dict(), ref.state_dict()
        mapping = {f"net.{key}": key for key in theirs}
        if set(mapping) != set(ours):
            raise ValueError(f"key가 맞지 않습니다: 빠짐 {sorted(set(ours) - set(mapping))}, "
                             f"남음 {sorted(set(mapping) - set(ours))}")
        with torch.no_grad():
            for our_key, their_key in mapping.items():
                if ours[our_key].shape != theirs[their_key].shape:
                    raise ValueError(f"{their_key}: shape {tuple(ours[our_key].shape)}가 필요한데 "
                                     f"{tuple(theirs[their_key].shape)}를 받았습니다")
                ours[our_key].copy_(theirs[their_key])
        return model.to(dtype=linears[0].weight.dtype)


def make_optimizer(model: nn.Module, name: str, lr: float) -> torch.optim.Optimizer:
    """adam: torch.optim.Adam (Kingma & Ba 2015). momentum: 논문 식 (9) = torch.optim.SGD(momentum=0.9). sgd: 식 (8)."""
    if name == "adam":
        return torch.optim.Adam(model.parameters(), lr=lr)
    if name == "momentum":
        return torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    if name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=lr)
    raise ValueError(f"optimizer는 adam, momentum, sgd 중 하나여야 합니다: {name!r}")


def main(argv=None) -> dict:
    parser = make_parser("02_MLP", "paper", "MLP: nn.Module + backpropagation (Rumelhart et al. 1986)", DATA_CHOICES,
                         "digits", default_epochs=50)
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 256], help="은닉 층 폭들 (기본 256 256)")
    parser.add_argument("--activation", choices=sorted(ACTIVATIONS), default="relu", help="은닉 층 활성화 함수")
    parser.add_argument("--dropout", type=float, default=0.2, help="은닉 층 뒤 dropout 확률 p (기본 0.2)")
    parser.add_argument("--optimizer", choices=["adam", "momentum", "sgd"], default="adam", help="optimizer")
    parser.add_argument("--lr", type=float, default=1e-3, help="learning rate (기본 1e-3)")
    parser.add_argument("--batch-size", type=int, default=64, help="mini-batch 크기 (기본 64)")
    add_training_flags(parser)
    args = parse_args(parser, argv)
    from utils.visualization import plot_curves, plot_weight_grid

    seed_everything(args.seed)
    device = choose_device(args.device)
    dtype = torch.float32 if device.type == "mps" else torch.float64
    epochs = min(args.epochs, 3) if args.quick else args.epochs
    with Timer() as timer, limit_threads(args.threads):                # --threads N: torch·BLAS thread 수
        limit = (2000, 1000) if args.quick else (None, None)           # --quick: MNIST는 앞쪽 일부만
        data = load_features(args.data, seed=args.seed, root=args.root, download=args.download,
                             max_train=limit[0], max_test=limit[1])      # (N, H·W), 픽셀마다 train 통계로 표준화
        X_train, y_train, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
        X_train, X_test = (torch.as_tensor(a, dtype=dtype, device=device) for a in (X_train, X_test))
        y_train, y_test = (torch.as_tensor(a, device=device) for a in (y_train, y_test))

        model = MLP(X_train.shape[1], args.hidden, int(y_train.max()) + 1, activation=args.activation,
                    dropout=args.dropout).to(device=device, dtype=dtype)
        initial_loss = evaluate(model, X_train, y_train)[0]
        optimizer = make_optimizer(model, args.optimizer, args.lr)
        history = fit(model, (X_train, y_train), (X_test, y_test), optimizer=optimizer, epochs=epochs,
                      batch_size=args.batch_size, metric=accuracy, seed=args.seed, desc="mlp/paper",
                      **fit_options(args))
        test_loss, test_accuracy = evaluate(model, X_test, y_test, metric=accuracy)

    side = math.isqrt(X_train.shape[1])
    W1 = model.linears[0].weight.detach().cpu()                  # (h_1, H·W): 행 하나가 unit 하나
    n_show = min(32, W1.shape[0])
    plots = [
        plot_curves({"train loss": history["train_loss"], "test loss": history["test_loss"]},
                    f"{args.out}/loss_curve.png", title="MLP 학습 곡선 (nn.Module)", ylabel="cross-entropy"),
        plot_curves({"test accuracy": history["test_metric"]}, f"{args.out}/accuracy_curve.png", title="테스트 정확도",
                    ylabel="accuracy"),
        plot_weight_grid(W1[:n_show].reshape(n_show, side, side), f"{args.out}/first_layer_weights.png",
                         title=f"첫 층 가중치 (unit {n_show}개)"),
    ]
    result = {
        "model": "MLP", "level": "paper", "data": args.data, "metric": "test_accuracy", "value": test_accuracy,
        "device": str(device), "test_loss": test_loss, "initial_loss": initial_loss,
        "train_loss_last": history.last("train_loss"), "n_parameters": sum(p.numel() for p in model.parameters()),
        "hidden": args.hidden, "activation": args.activation, "dropout": args.dropout, "optimizer": args.optimizer,
        "lr": args.lr, "batch_size": args.batch_size, "epochs": epochs, "threads": args.threads,
        "seconds": timer.seconds, "plots": [str(p) for p in plots],
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
