"""LeNet-5 — LeCun, Bottou, Bengio & Haffner (1998)에 충실한 `nn.Module`과, 요즘 식으로 바꾼 modern 판.

논문: Y. LeCun, L. Bottou, Y. Bengio & P. Haffner (1998), "Gradient-Based Learning Applied to Document
Recognition", Proceedings of the IEEE 86(11), 2278–2324. 구조는 Section II.B, 활성 함수는 식 (5)–(6)과
Appendix A, 출력층은 식 (7), loss는 식 (8)–(9).

faithful (`LeNet5`, 기본) — Section II.B를 층마다 그대로:
    입력   32×32. 픽셀은 배경(흰색) = −0.1, 글씨(검은색) = 1.175가 되도록 옮긴다 → 평균 ≈ 0, 분산 ≈ 1.
    C1    6@28×28,  5×5 convolution                                   156 parameters   (= 6·(25 + 1))
    S2    6@14×14,  2×2 window의 네 값을 **더해** 학습되는 계수 하나를 곱하고 학습되는 bias 하나를 더한 뒤
          squashing. map마다 계수 1 + bias 1                           12 parameters    (= 6·2)
    C3    16@10×10, 5×5 convolution, S2의 일부 map에만 연결 (Table I)   1,516 parameters (아래 계산)
    S4    16@5×5,   S2와 같은 방식                                     32 parameters    (= 16·2)
    C5    120@1×1,  5×5 convolution, S4의 16개 map 모두와 연결          48,120 parameters (= 120·(400 + 1))
    F6    84,       C5와 완전 연결                                     10,164 parameters (= 84·(120 + 1))
    출력   10개의 Euclidean RBF unit (식 7):  y_i = Σ_j (x_j − w_ij)²   학습하지 않음 (0개)
                                                                     합 60,000 trainable parameters
    F6까지 모든 unit은 a = w·x + b 뒤에 식 (5)–(6)의 scaled tanh f(a) = A·tanh(S·a), A = 1.7159, S = 2/3
    (Appendix A: f(±1) = ±1이 되도록 고른 값)를 지난다.

    C3의 parameter 수: 처음 6개 map은 S2의 연속한 3개 map에서 (6·(3·25 + 1) = 456), 다음 6개는 연속한
    4개에서 (6·(4·25 + 1) = 606), 다음 3개는 연속하지 않은 4개에서 (3·101 = 303), 마지막 1개는 6개 모두에서
    (6·25 + 1 = 151) 입력을 받는다: 456 + 606 + 303 + 151 = 1,516.

    RBF prototype w_i (10 × 84): 논문은 7×12 bitmap으로 그린 문자 모양의 ±1 값을 손으로 정해 **고정**했다
    (Section II.B). 그 bitmap 자체는 논문에서 재현할 수 없으므로 여기서는 seed를 고정한 무작위 ±1 벡터
    (`RBF_PROTOTYPE_SEED`)를 쓰고, buffer로 두어 학습하지 않는다. 무작위 ±1 부호열은 서로 평균 42비트
    (84의 절반)씩 달라, 논문이 원한 "class마다 멀리 떨어진 목표점" 역할을 한다 — 다만 논문 bitmap이 일부러
    담은 "비슷한 글자는 비슷한 code" 성질은 없다.

    Loss는 식 (9): E = (1/P) Σ_p [ y_{D_p}(Z_p) + log( e^{−j} + Σ_i e^{−y_i(Z_p)} ) ]
    첫 항은 정답 class의 penalty를 낮추고(식 8의 maximum likelihood 기준), 둘째 항은 다른 class들의 penalty를
    올리는 경쟁(competitive) 항이다. j > 0은 이미 충분히 큰 penalty를 더 밀어 올리지 않게 하는 상수로,
    논문은 값을 주지 않는다 — `MAP_J`를 쓴다. 예측은 penalty가 가장 작은 class (argmin).

    Appendix A의 초기화: weight(와 bias)는 U(−2.4/F_i, 2.4/F_i), F_i = 그 unit의 fan-in.

    논문과 다른 점 (정직하게 적어 둔다):
    - 최적화: 논문은 stochastic diagonal Levenberg–Marquardt (Appendix C)를 썼고, global learning rate η를
      0.0005 → 0.00001로 계단식으로 줄이며 20 pass 학습했다 (Section III.C). 여기서는 Adam으로 30 epoch,
      learning rate는 처음 2/3 고정 뒤 마지막 1/3에서 cosine으로 줄인다
      (`utils.schedules.hold_then_cosine_lr`). 학습은 `utils.training.fit` 한 번이다 (--resume, --dtype).
    - augmentation: 매 epoch 학습 이미지를 ±2픽셀 무작위 이동한다(`03_CNN_LeNet/digit_images.py`의
      `random_shift`를 fit의 `augment`로, 난수는 fit의 seed에서; `--shift 0`으로 끈다). digits 학습 이미지가
      1,437장뿐이기 때문이며, 논문도 distortion을 준 학습 집합으로 따로 실험했다 (Section III.C).
    - 데이터: 기본은 scikit-learn digits(8×8을 20×20으로 키워 32×32 가운데에 둔 것, 1,437장 학습). MNIST는
      `--data mnist`로 쓸 수 있다 (28×28 → 사방 2픽셀 padding으로 32×32).
    - RBF prototype은 위에 적은 대로 무작위 ±1 (고정).

modern (`LeNet5Modern`) — 같은 층 크기, 요즘 부품. faithful과 다른 점:
    - 활성 함수: scaled tanh → ReLU
    - S2 / S4: 학습되는 sum × 계수 + bias + squashing → 학습 파라미터 없는 2×2 max-pool
    - C3: Table I의 부분 연결 → 6개 map 모두와 완전 연결 (16·(150 + 1) = 2,416 parameters)
    - 출력: 고정 prototype의 RBF + 식 (9) → 학습되는 Linear(84, 10) + softmax cross-entropy
    - 초기화: PyTorch 기본값 (Kaiming uniform), 입력은 train 픽셀의 평균·표준편차로 표준화
    parameter 수는 61,706 (= 156 + 2,416 + 48,120 + 10,164 + 850).

실행 (`--variant`의 기본은 논문의 주 변형인 faithful):
    python -m 03_CNN_LeNet.paper.lenet_paper [--variant faithful|modern] [--data digits|mnist] [--quick]
                                             [--resume] [--dtype float32|bfloat16|float16]
`utils.run`은 이 파일(faithful)과 `lenet_modern_paper.py`(같은 main을 --variant modern으로 부르는 진입점)를
각각 한 번씩 돌린다.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
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
from utils.core import Timer, check_finite, limit_threads
from utils.schedules import hold_then_cosine_lr
from utils.training import accuracy, evaluate, fit

from ..digit_images import load_digit_images, random_shift

DATA_CHOICES = ("digits", "mnist")
RUNS = ("digits",)
VARIANTS = ("faithful", "modern")

A, S = 1.7159, 2.0 / 3.0                 # 식 (6)의 scaled tanh 상수 (Appendix A)
BACKGROUND, FOREGROUND = -0.1, 1.175     # Section II.B의 입력 정규화
MAP_J = 10.0                             # 식 (9)의 상수 j (논문은 값을 주지 않는다)
RBF_PROTOTYPE_SEED = 1998                # RBF prototype(무작위 ±1)을 고정하는 seed

# Table I: 행 = S2 map 0..5, 열 = C3 map 0..15, "X" = 연결. 논문의 표를 글자 그대로 옮겼다.
TABLE_I = (
    "X---XXX--XXXX-XX",
    "XX---XXX--XXXX-X",
    "XXX---XXX--X-XXX",
    "-XXX--XXXX--X-XX",
    "--XXX--XXXX-XX-X",
    "---XXX--XXXX-XXX",
)


def c3_connections(table=TABLE_I) -> list[tuple[int, ...]]:
    """Table I → C3 map마다 입력으로 쓰는 S2 map 번호의 tuple (16개)."""
    n_out = len(table[0])
    return [tuple(i for i, row in enumerate(table) if row[j] == "X") for j in range(n_out)]


# ---------------------------------------------------------------------------------------------------------
# faithful 부품
# ---------------------------------------------------------------------------------------------------------
def squash(a: torch.Tensor) -> torch.Tensor:
    """식 (6): f(a) = A·tanh(S·a), A = 1.7159, S = 2/3."""
    return A * torch.tanh(S * a)


def paper_uniform_(tensor: torch.Tensor, fan_in: int) -> torch.Tensor:
    """Appendix A: U(−2.4/F_i, 2.4/F_i)."""
    bound = 2.4 / fan_in
    with torch.no_grad():
        return tensor.uniform_(-bound, bound)


class Subsampling(nn.Module):
    """S2 / S4: map마다 (2×2 window의 합) × coefficient + bias. 학습 파라미터는 map당 2개.

    합은 `F.avg_pool2d(x, 2) · 4`로 계산한다 (평균 × 4 = 네 값의 합). squashing은 모델이 바깥에서 건다.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.coefficient = nn.Parameter(torch.empty(channels))
        self.bias = nn.Parameter(torch.empty(channels))
        paper_uniform_(self.coefficient, 4)                               # fan-in = window의 4개 입력
        paper_uniform_(self.bias, 4)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        window_sum = F.avg_pool2d(x, 2) * 4                               # (N, C, H/2, W/2)
        return window_sum * self.coefficient[:, None, None] + self.bias[:, None, None]


class PartialConv2d(nn.Module):
    """C3: output map j가 Table I에서 X로 표시된 입력 map들에만 연결된 5×5 convolution.

    Table I의 X 하나마다 5×5 kernel 하나가 있다: X는 60개(3·6 + 4·9 + 6·1)이므로 `weight`는 (60, 5, 5),
    bias는 map마다 하나 (16,). parameter 수 = 60·25 + 16 = 1,516. (없는 연결까지 0으로 가린 (16, 6, 5, 5)
    weight를 parameter로 두면 2,416개가 되어 논문과 달라진다.)
    forward에서는 60개 kernel을 X 자리에 흩어 놓은 (16, 6, 5, 5) weight(`dense_weight`, 나머지는 0)를 만들어
    convolution 한 번으로 계산한다. 흩어 놓기(index_put)는 미분 가능하므로 gradient는 60개 kernel에만 간다.
    """

    def __init__(self, connections, kernel_size: int = 5):
        super().__init__()
        self.connections = [tuple(c) for c in connections]
        self.out_channels, self.kernel_size = len(self.connections), kernel_size
        self.in_channels = 1 + max(max(c) for c in self.connections)
        pairs = [(j, i) for j, c in enumerate(self.connections) for i in c]      # (C3 map, S2 map), X마다 하나
        self.register_buffer("out_index", torch.tensor([j for j, _ in pairs]), persistent=False)   # (60,)
        self.register_buffer("in_index", torch.tensor([i for _, i in pairs]), persistent=False)    # (60,)
        self.weight = nn.Parameter(torch.empty(len(pairs), kernel_size, kernel_size))             # (60, 5, 5)
        self.bias = nn.Parameter(torch.empty(self.out_channels))                                  # (16,)
        with torch.no_grad():                                                    # fan-in = 그 map의 입력 수 · 25
            for p, (j, _) in enumerate(pairs):
                paper_uniform_(self.weight[p], len(self.connections[j]) * kernel_size**2)
            for j, c in enumerate(self.connections):
                paper_uniform_(self.bias[j:j + 1], len(c) * kernel_size**2)

    def dense_weight(self) -> torch.Tensor:
        """(16, 6, 5, 5): Table I의 X 자리에는 학습되는 kernel, 나머지는 0."""
        k = self.kernel_size
        dense = self.weight.new_zeros(self.out_channels, self.in_channels, k, k)
        return dense.index_put((self.out_index, self.in_index), self.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.dense_weight(), self.bias)                      # (N, 16, H−4, W−4)


class EuclideanRBF(nn.Module):
    """식 (7): y_i = Σ_j (x_j − w_ij)². w는 고정된 ±1 prototype (buffer, 학습하지 않음)."""

    def __init__(self, in_features: int = 84, n_classes: int = 10, seed: int = RBF_PROTOTYPE_SEED):
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        signs = torch.randint(0, 2, (n_classes, in_features), generator=generator) * 2 - 1
        self.register_buffer("prototypes", signs.to(torch.get_default_dtype()))   # (10, 84), 값은 ±1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        diff = x[:, None, :] - self.prototypes[None]                           # (N, 10, 84)
        return (diff**2).sum(dim=-1)                                           # (N, 10) penalty, 작을수록 그 class


def map_loss(penalties: torch.Tensor, y: torch.Tensor, j: float = MAP_J) -> torch.Tensor:
    """식 (9): mean_p [ y_{D_p} + log(e^{−j} + Σ_i e^{−y_i}) ]. log-sum-exp는 `torch.logsumexp`로 안정하게."""
    n, k = penalties.shape
    if y.shape != (n,) or y.dtype != torch.int64 or y.min() < 0 or y.max() >= k:
        raise ValueError(f"y는 0..{k - 1} 범위의 int64 tensor, shape ({n},)이어야 합니다: "
                         f"받은 shape {tuple(y.shape)}, dtype {y.dtype}")
    correct = penalties.gather(1, y[:, None])[:, 0]                           # y_{D_p}, (N,)
    rubbish = penalties.new_full((n, 1), -j)                                   # e^{−j} 항의 지수
    competitive = torch.logsumexp(torch.cat([-penalties, rubbish], dim=1), dim=1)   # log(e^{−j} + Σ e^{−y_i})
    return (correct + competitive).mean()


def rbf_accuracy(penalties: torch.Tensor, y: torch.Tensor) -> float:
    """penalty가 가장 작은 class가 예측이다: argmin y = argmax (−y)."""
    return accuracy(-penalties, y)


def check_input(x: torch.Tensor, name: str) -> None:
    if x.ndim != 4 or tuple(x.shape[1:]) != (1, 32, 32):
        raise ValueError(f"{name} 입력은 shape (N, 1, 32, 32)이어야 합니다 (MNIST 28×28은 2픽셀씩 padding): "
                         f"받은 shape {tuple(x.shape)}")


class LeNet5(nn.Module):
    """LeCun et al. (1998) Section II.B의 LeNet-5. forward는 RBF penalty (N, 10)를 돌려준다 (작을수록 그 class)."""

    def __init__(self, n_classes: int = 10):
        super().__init__()
        self.C1 = nn.Conv2d(1, 6, 5)
        self.S2 = Subsampling(6)
        self.C3 = PartialConv2d(c3_connections())
        self.S4 = Subsampling(16)
        self.C5 = nn.Conv2d(16, 120, 5)
        self.F6 = nn.Linear(120, 84)
        self.output = EuclideanRBF(84, n_classes)
        for layer in (self.C1, self.C5, self.F6):                              # Appendix A의 초기화
            fan_in = layer.weight[0].numel()
            paper_uniform_(layer.weight, fan_in)
            paper_uniform_(layer.bias, fan_in)

    def features(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """층마다의 상태 x_i = f(a_i) (식 5). 그림과 테스트용."""
        check_input(x, "LeNet5")
        out = {"C1": squash(self.C1(x))}                                       # (N, 6, 28, 28)
        out["S2"] = squash(self.S2(out["C1"]))                                 # (N, 6, 14, 14)
        out["C3"] = squash(self.C3(out["S2"]))                                 # (N, 16, 10, 10)
        out["S4"] = squash(self.S4(out["C3"]))                                 # (N, 16, 5, 5)
        out["C5"] = squash(self.C5(out["S4"]))                                 # (N, 120, 1, 1)
        out["F6"] = squash(self.F6(torch.flatten(out["C5"], 1)))               # (N, 84)
        out["output"] = self.output(out["F6"])                                 # (N, 10) penalty
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)["output"]

    @staticmethod
    def loss(penalties: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return map_loss(penalties, y)

    @staticmethod
    def predict(penalties: torch.Tensor) -> torch.Tensor:
        return penalties.argmin(dim=1)

    @staticmethod
    def prepare(images: np.ndarray) -> np.ndarray:
        """[0, 1] 이미지 (0 = 배경) → 배경 −0.1, 글씨 1.175 (Section II.B)."""
        return BACKGROUND + (FOREGROUND - BACKGROUND) * images


class LeNet5Modern(nn.Module):
    """같은 층 크기의 현대식 LeNet-5: conv → ReLU → max-pool, 완전 연결 C3, Linear 출력 + cross-entropy."""

    def __init__(self, n_classes: int = 10):
        super().__init__()
        self.C1 = nn.Conv2d(1, 6, 5)
        self.C3 = nn.Conv2d(6, 16, 5)
        self.C5 = nn.Conv2d(16, 120, 5)
        self.F6 = nn.Linear(120, 84)
        self.output = nn.Linear(84, n_classes)

    def features(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        check_input(x, "LeNet5Modern")
        out = {"C1": F.relu(self.C1(x))}                                       # (N, 6, 28, 28)
        out["S2"] = F.max_pool2d(out["C1"], 2)                                 # (N, 6, 14, 14)
        out["C3"] = F.relu(self.C3(out["S2"]))                                 # (N, 16, 10, 10)
        out["S4"] = F.max_pool2d(out["C3"], 2)                                 # (N, 16, 5, 5)
        out["C5"] = F.relu(self.C5(out["S4"]))                                 # (N, 120, 1, 1)
        out["F6"] = F.relu(self.F6(torch.flatten(out["C5"], 1)))               # (N, 84)
        out["output"] = self.output(out["F6"])                                 # (N, 10) logits
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)["output"]

    @staticmethod
    def loss(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(logits, y)

    @staticmethod
    def predict(logits: torch.Tensor) -> torch.Tensor:
        return logits.argmax(dim=1)


def n_trainable(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


# ---------------------------------------------------------------------------------------------------------
# 데이터, 학습, 그림
# ---------------------------------------------------------------------------------------------------------


def save_plots(model, history, X_test, images_test, y_test, out: str, title: str) -> list[str]:
    from utils.visualization import (
        plot_curves,
        plot_feature_maps,
        plot_image_grid,
        plot_misclassified,
        plot_weight_grid,
    )

    plots = [
        plot_curves({"train loss": history["train_loss"], "test loss": history["test_loss"]},
                    f"{out}/loss_curve.png", title=f"{title} 학습 곡선", ylabel="loss"),
        plot_curves({"test accuracy": history["test_metric"]}, f"{out}/accuracy_curve.png",
                    title=f"{title} 테스트 정확도", ylabel="accuracy"),
        plot_weight_grid(model.C1.weight.detach().cpu(), f"{out}/c1_filters.png",
                         title="학습된 C1 filter (6개, 5×5)", ncols=6),
    ]
    model.eval()
    with torch.no_grad():
        feats = {k: v.cpu() for k, v in model.features(X_test[:1]).items()}
        scores = torch.cat([model(X_test[i:i + 500]) for i in range(0, len(X_test), 500)]).cpu()
    for name in ("C1", "S2", "C3", "S4"):
        maps = feats[name][0]
        plots.append(plot_feature_maps(maps, f"{out}/feature_maps_{name}.png",
                                       title=f"{name} feature map {tuple(maps.shape)} (정답 {int(y_test[0])})"))
    plots.append(plot_feature_maps(feats["F6"][0].reshape(1, 12, 7), f"{out}/feature_maps_F6.png",
                                   title="F6 출력 84개를 높이 12 × 너비 7로 (RBF prototype과 같은 배치)"))
    if isinstance(model, LeNet5):
        protos = (model.output.prototypes.cpu().reshape(-1, 1, 12, 7) + 1) / 2    # ±1 → 0/1, 너비 7 × 높이 12 bitmap
        plots.append(plot_image_grid(protos, f"{out}/rbf_prototypes.png", labels=[str(i) for i in range(10)],
                                     title="고정된 RBF prototype (무작위 ±1, 너비 7 × 높이 12)", ncols=10))
    misclassified = plot_misclassified(images_test, y_test.cpu().numpy(), type(model).predict(scores).numpy(),
                                       f"{out}/misclassified.png")
    plots += [misclassified] if misclassified else []
    return [str(p) for p in plots]


def main(argv=None) -> dict:
    parser = make_parser("03_CNN_LeNet", "paper", "LeNet-5 (LeCun et al. 1998): 논문 그대로(faithful) 또는 modern",
                         DATA_CHOICES, "digits", default_epochs=30)
    parser.add_argument("--variant", choices=VARIANTS, default="faithful",
                        help="faithful: 논문 Section II.B 그대로 (기본), modern: ReLU·max-pool·완전 연결 C3·softmax")
    parser.add_argument("--lr", type=float, default=2e-3,
                        help="Adam의 처음 learning rate (마지막 1/3 epoch에서 cosine으로 줄인다)")
    parser.add_argument("--batch-size", type=int, default=32, help="mini-batch 크기")
    parser.add_argument("--shift", type=int, default=2, help="augmentation: 매 epoch 무작위 이동 폭(픽셀), 0이면 끈다")
    add_training_flags(parser)
    args = parse_args(parser, argv)
    if args.shift < 0:
        parser.error(f"--shift는 0 이상의 정수여야 한다: {args.shift}")
    given = argv if argv is not None else sys.argv[1:]
    if not any(a == "--out" or a.startswith("--out=") for a in given):       # variant마다 다른 기본 폴더
        args.out = str(Path("outputs") / args.model / args.level / args.variant / args.data)

    seed_everything(args.seed)
    device = choose_device(args.device)
    epochs = min(args.epochs, 2) if args.quick else args.epochs
    with Timer() as timer, limit_threads(args.threads):
        images = load_digit_images(args.data, args.root, args.download, args.seed)     # (N, 1, 32, 32)
        X_train, y_train, X_test, y_test = images.X_train, images.y_train, images.X_test, images.y_test
        check_finite(X_train=X_train, X_test=X_test)
        if args.quick:                                                         # smoke run: 앞의 일부만
            X_train, y_train, X_test, y_test = X_train[:256], y_train[:256], X_test[:200], y_test[:200]
        if args.variant == "faithful":
            model, prepare, metric = LeNet5(), LeNet5.prepare, rbf_accuracy
        else:
            mean, std = float(X_train.mean()), float(X_train.std())           # train 픽셀 전체의 평균·표준편차
            model, prepare, metric = LeNet5Modern(), (lambda images: (images - mean) / std), accuracy
        model = model.to(device)

        # 학습 이미지는 NumPy로 둔다: fit이 매 epoch augment(Xtr, rng)로 이동한 사본을 받고, mini-batch만
        # device로 옮긴다. 이동(np.roll)은 픽셀의 자리만 바꾸므로 prepare(값 변환) 뒤에 해도 앞에 한 것과 같다.
        Xtr = np.asarray(prepare(X_train), dtype=np.float32)                  # (N, 1, 32, 32)
        Xte = torch.as_tensor(prepare(X_test), dtype=torch.float32, device=device)
        yte = torch.as_tensor(y_test, device=device)

        def shift_images(images: np.ndarray, rng: np.random.Generator) -> np.ndarray:
            return random_shift(images, args.shift, rng)                      # 상하좌우 −shift..shift 픽셀

        initial_loss, _ = evaluate(model, Xtr, y_train, loss_fn=model.loss, device=device)
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
        history = fit(model, (Xtr, y_train), (Xte, yte), epochs=epochs, optimizer=optimizer, loss_fn=model.loss,
                      batch_size=args.batch_size, schedule=hold_then_cosine_lr(args.lr, epochs),
                      augment=shift_images if args.shift else None, metric=metric, device=device, seed=args.seed,
                      desc=f"lenet/paper/{args.variant}", **fit_options(args))
        _, test_accuracy = evaluate(model, Xte, yte, loss_fn=model.loss, metric=metric)
    title = f"LeNet-5 ({args.variant})"
    plots = save_plots(model, history.to_dict(), Xte, X_test, yte, args.out, title)
    result = {
        "model": f"LeNet5 ({args.variant})", "level": "paper", "data": args.data, "metric": "test_accuracy",
        "value": test_accuracy, "variant": args.variant, "device": str(device), "initial_loss": initial_loss,
        "train_loss_first": history["train_loss"][0], "train_loss_last": history.last("train_loss"),
        "test_loss_last": history.last("test_loss"), "n_parameters": n_trainable(model), "epochs": epochs,
        "lr": args.lr, "batch_size": args.batch_size, "shift": args.shift, "threads": args.threads,
        "n_train": len(X_train), "seconds": timer.seconds, "plots": plots,
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
