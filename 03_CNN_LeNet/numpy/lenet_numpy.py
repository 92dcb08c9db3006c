"""LeNet-5 (현대식: conv → ReLU → max-pool) — NumPy로 forward와 backward를 모두 손으로.

논문: Y. LeCun, L. Bottou, Y. Bengio & P. Haffner (1998), "Gradient-Based Learning Applied to Document
Recognition", Proc. IEEE 86(11), Section II.B (LeNet-5). 층의 크기는 논문 그대로이고, 부품만 요즘 것으로 바꿨다:

    입력 (N, 1, 32, 32)
    C1  Conv 1→6,   5×5  → (N, 6, 28, 28)  → ReLU → MaxPool 2×2 → (N, 6, 14, 14) [논문 S2: 2×2 합×계수+bias, tanh]
    C3  Conv 6→16,  5×5  → (N, 16, 10, 10) → ReLU → MaxPool 2×2 → (N, 16, 5, 5)     [논문 C3: 부분 연결 표 Table I]
    C5  Conv 16→120, 5×5 → (N, 120, 1, 1)  → ReLU → Flatten → (N, 120)
    F6  Dense 120→84 → ReLU
    출력 Dense 84→10 → softmax cross-entropy                                       [논문: Euclidean RBF + 식 (9)]

논문에 충실한 판(scaled tanh, 학습되는 sub-sampling, Table I, RBF 출력)은 `paper/lenet_paper.py`에 있다.
모든 층은 L1 규약(params / grads, forward가 캐시, backward(dout) -> dx)을 따르므로 모델의 backward는
층을 거꾸로 돌며 backward를 부르는 것뿐이다 (연쇄 법칙).

학습 처방 (세 레벨 공통, README 참고): Adam, batch 32, 30 epoch, lr 2e-3을 마지막 1/3 epoch에서 cosine으로
줄인다; 매 epoch 학습 이미지를 ±2픽셀 무작위 이동(`--shift`); 계산 thread는 기본 1개(`--threads`).

실행:  python -m 03_CNN_LeNet.numpy.lenet_numpy [--data digits|mnist] [--quick] [--epochs N]
"""
from __future__ import annotations

import numpy as np

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, check_finite, limit_threads
from utils.schedules import hold_then_cosine_lr

from ..digit_images import load_digit_images, random_shift
from .conv import Conv2D, MaxPool2D, check_images
from .layers import Adam, Dense, Flatten, ReLU, softmax_cross_entropy

DATA_CHOICES = ("digits", "mnist")
RUNS = ("digits",)                     # utils.run이 기본으로 돌리는 --data (mnist는 실제 데이터라 요청할 때만)


class LeNet5:
    """현대식 LeNet-5. `layers`는 순서대로 부르는 L1 모듈 목록이고, 이름은 논문의 층 이름을 따른다."""

    def __init__(self, n_classes: int = 10, seed: int = 0, dtype=np.float64):
        rng = np.random.default_rng(seed)
        self.layers = {
            "C1": Conv2D(1, 6, 5, rng=rng, dtype=dtype), "relu1": ReLU(), "S2": MaxPool2D(2),
            "C3": Conv2D(6, 16, 5, rng=rng, dtype=dtype), "relu3": ReLU(), "S4": MaxPool2D(2),
            "C5": Conv2D(16, 120, 5, rng=rng, dtype=dtype), "relu5": ReLU(), "flatten": Flatten(),
            "F6": Dense(120, 84, rng=rng, dtype=dtype), "relu6": ReLU(),
            "output": Dense(84, n_classes, rng=rng, dtype=dtype),
        }

    def forward(self, x: np.ndarray, keep: bool = False):
        """x (N, 1, 32, 32) → logits (N, K). keep=True면 층마다의 출력 dict도 함께 돌려준다 (그림용)."""
        check_images(x, "LeNet5", channels=1)
        if x.shape[2:] != (32, 32):
            raise ValueError(f"LeNet5 입력은 shape (N, 1, 32, 32)이어야 합니다 (MNIST 28×28은 2픽셀씩 padding): "
                             f"받은 shape {x.shape}")
        outputs = {}
        for name, layer in self.layers.items():
            x = layer.forward(x)
            outputs[name] = x
        return (x, outputs) if keep else x

    def backward(self, dlogits: np.ndarray) -> np.ndarray:
        d = dlogits
        for layer in reversed(list(self.layers.values())):
            d = layer.backward(d)
        return d                                                        # dL/dx, (N, 1, 32, 32)

    def modules(self) -> list:
        return [layer for layer in self.layers.values() if layer.params]

    def n_parameters(self) -> int:
        return sum(p.size for m in self.modules() for p in m.params.values())

    def loss_and_grads(self, x: np.ndarray, y: np.ndarray) -> float:
        loss, dlogits = softmax_cross_entropy(self.forward(x), y)
        self.backward(dlogits)
        return loss

    def predict(self, x: np.ndarray, batch_size: int = 500) -> np.ndarray:
        return np.concatenate([self.forward(x[i:i + batch_size]).argmax(axis=1) for i in range(0, len(x), batch_size)])


def train(model: LeNet5, X, y, X_test, y_test, *, epochs: int, lr: float, batch_size: int, shift: int, seed: int,
          progress: bool = True) -> dict:
    """Mini-batch Adam, 매 epoch 무작위 이동한 학습 이미지. epoch마다 (train loss, test loss, test accuracy)."""
    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    optimizer = Adam(model.modules(), lr=lr)
    history = {"train_loss": [], "test_loss": [], "test_accuracy": []}
    bar = tqdm(range(epochs), desc="lenet/numpy", leave=False, disable=not progress)
    for epoch in bar:
        optimizer.lr = hold_then_cosine_lr(lr, epochs)(epoch)
        X_epoch = random_shift(X, shift, rng)
        order = rng.permutation(len(X))
        total = 0.0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss = model.loss_and_grads(X_epoch[idx], y[idx])
            if not np.isfinite(loss):
                raise FloatingPointError(f"loss가 {loss}가 되었습니다: learning rate를 줄여 보세요")
            optimizer.step()
            total += loss * len(idx)
        logits = np.concatenate([model.forward(X_test[i:i + 500]) for i in range(0, len(X_test), 500)])
        history["train_loss"].append(total / len(X))
        history["test_loss"].append(softmax_cross_entropy(logits, y_test)[0])
        history["test_accuracy"].append(float((logits.argmax(axis=1) == y_test).mean()))
        bar.set_postfix(loss=f"{history['train_loss'][-1]:.4f}", acc=f"{history['test_accuracy'][-1]:.4f}")
    return history


def save_plots(model: LeNet5, history: dict, X_test, images_test, y_test, out: str) -> list[str]:
    """학습 곡선, 학습된 C1 filter, 숫자 하나의 층별 feature map, 틀린 예제.

    X_test는 모델 입력(정규화된 값), images_test는 같은 이미지의 [0, 1] 원본 (그림용).
    """
    from utils.visualization import plot_curves, plot_feature_maps, plot_misclassified, plot_weight_grid

    plots = [plot_curves({"train loss": history["train_loss"], "test loss": history["test_loss"]},
                         f"{out}/loss_curve.png", title="LeNet-5 (NumPy) 학습 곡선", ylabel="cross-entropy"),
             plot_weight_grid(model.layers["C1"].params["W"], f"{out}/c1_filters.png",
                              title="학습된 C1 filter (6개, 5×5)", ncols=6)]
    _, outputs = model.forward(X_test[:1], keep=True)
    for name in ("C1", "S2", "C3", "S4"):
        maps = outputs[name][0]                                                    # (C, H, W)
        plots.append(plot_feature_maps(maps, f"{out}/feature_maps_{name}.png",
                                       title=f"{name} feature map {maps.shape} (정답 {y_test[0]})"))
    plots.append(plot_feature_maps(outputs["relu6"][0].reshape(1, 12, 7), f"{out}/feature_maps_F6.png",
                                   title="F6 출력 84개를 높이 12 × 너비 7로 (RBF prototype과 같은 배치)"))
    misclassified = plot_misclassified(images_test, y_test, model.predict(X_test), f"{out}/misclassified.png")
    plots += [misclassified] if misclassified else []
    return [str(p) for p in plots]


def main(argv=None) -> dict:
    parser = make_parser("03_CNN_LeNet", "numpy", "LeNet-5 (현대식): NumPy로 손으로 쓴 convolution과 backward",
                         DATA_CHOICES, "digits", default_epochs=30)
    parser.add_argument("--lr", type=float, default=2e-3,
                        help="Adam의 처음 learning rate (마지막 1/3 epoch에서 cosine으로 줄인다)")
    parser.add_argument("--batch-size", type=int, default=32, help="mini-batch 크기")
    parser.add_argument("--shift", type=int, default=2, help="augmentation: 매 epoch 무작위 이동 폭(픽셀), 0이면 끈다")
    args = parse_args(parser, argv)

    seed_everything(args.seed)
    epochs = min(args.epochs, 2) if args.quick else args.epochs
    with Timer() as timer, limit_threads(args.threads):
        images = load_digit_images(args.data, args.root, args.download, args.seed)     # (N, 1, 32, 32)
        X_train, y_train, X_test, y_test = images.X_train, images.y_train, images.X_test, images.y_test
        check_finite(X_train=X_train, X_test=X_test)
        if args.quick:                                                             # smoke run: 앞의 일부만
            X_train, y_train, X_test, y_test = X_train[:256], y_train[:256], X_test[:200], y_test[:200]
        mean, std = float(X_train.mean()), float(X_train.std())                    # train 픽셀 전체의 평균·표준편차
        images_test = X_test
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
        model = LeNet5(int(y_train.max()) + 1, seed=args.seed, dtype=np.float32)
        initial_loss = softmax_cross_entropy(model.forward(X_train[:256]), y_train[:256])[0]
        history = train(model, X_train, y_train, X_test, y_test, epochs=epochs, lr=args.lr,
                        batch_size=args.batch_size, shift=args.shift, seed=args.seed)
    plots = save_plots(model, history, X_test, images_test, y_test, args.out)
    result = {
        "model": "LeNet5 (modern)", "level": "numpy", "data": args.data, "metric": "test_accuracy",
        "value": history["test_accuracy"][-1], "initial_loss": initial_loss,
        "train_loss_first": history["train_loss"][0], "train_loss_last": history["train_loss"][-1],
        "test_loss_last": history["test_loss"][-1], "n_parameters": model.n_parameters(), "epochs": epochs,
        "lr": args.lr, "batch_size": args.batch_size, "shift": args.shift, "threads": args.threads,
        "n_train": len(X_train), "seconds": timer.seconds, "plots": plots,
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
