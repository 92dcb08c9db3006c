"""로지스틱 회귀와 softmax 회귀 — NumPy로 손으로 쓴 수치적으로 안정한 sigmoid / BCE / log-sum-exp.

고전 출처:
    D. R. Cox (1958), "The Regression Analysis of Binary Sequences", J. Royal Statistical Society B 20(2),
        215–242 — 이진 결과의 log-odds를 설명 변수의 선형 함수로 두는 logistic regression.
    다중 클래스로의 확장 (multinomial logit / softmax): 클래스마다 선형 점수를 두고 softmax로 확률을 만든다.

이진 (LogisticRegression), z = X w + b 는 logit:
    p = σ(z) = 1 / (1 + e^{−z})
    L = (1/N) Σ_i [ −y_i log p_i − (1 − y_i) log(1 − p_i) ] + (λ/2)||w||²
      = (1/N) Σ_i [ max(z_i, 0) − z_i y_i + log(1 + e^{−|z_i|}) ] + (λ/2)||w||²   ← 안정한 형태 (theory.md §2)
    ∂L/∂z_i = (σ(z_i) − y_i) / N
다중 클래스 (SoftmaxRegression), Z = X W + b: (N, K):
    log softmax(Z)_ik = Z_ik − m_i − log Σ_j e^{Z_ij − m_i},   m_i = max_j Z_ij   ← log-sum-exp trick
    L = −(1/N) Σ_i log softmax(Z)_{i, y_i} + (λ/2)||W||²,    ∂L/∂Z = (softmax(Z) − onehot(y)) / N

λ 와 scikit-learn의 C 의 관계: sklearn은 C Σ_i ℓ_i + ½||w||² 를 최소화한다. N·C 로 나누면 우리 식이 되므로
    λ = 1 / (N · C).

실행:  python -m 01_Linear_Logistic.numpy.logistic_numpy [--data breast_cancer|digits|mnist] [--quick]
"""
from __future__ import annotations

import numpy as np

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, check_finite
from utils.datasets import load_features

from .linear_numpy import SGD, Linear, check_features

DATA_CHOICES = ("breast_cancer", "digits", "mnist")
RUNS = ("breast_cancer", "digits")  # utils.run이 기본으로 돌리는 --data 값들 (mnist는 실제 데이터라 요청할 때만)


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z)를 overflow 없이: z ≥ 0이면 1/(1+e^{−z}), z < 0이면 e^{z}/(1+e^{z}). 두 식 모두 e^{−|z|}만 쓴다."""
    e = np.exp(-np.abs(z))                                      # ∈ (0, 1], overflow 불가
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def bce_with_logits(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """이진 cross-entropy를 logit에서 바로: (loss, dL/dlogits). logit이 ±1e4여도 유한하다."""
    if logits.shape != y.shape:
        raise ValueError(f"logits와 y의 shape가 같아야 합니다: {logits.shape} vs {y.shape}")
    n = logits.shape[0]
    per_sample = np.maximum(logits, 0) - logits * y + np.log1p(np.exp(-np.abs(logits)))   # (N,)
    return float(per_sample.mean()), (sigmoid(logits) - y) / n


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """행마다 log softmax. 최댓값을 빼서(log-sum-exp trick) exp가 넘치지 않게 한다."""
    shifted = logits - logits.max(axis=1, keepdims=True)        # (N, K), 행 최댓값이 0
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy: (loss, dL/dlogits). y는 정수 클래스 (N,)."""
    n, k = logits.shape
    if y.shape != (n,) or not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= k:
        raise ValueError(f"y는 0..{k - 1} 범위의 정수 배열, shape ({n},)이어야 합니다: "
                         f"받은 shape {y.shape}, dtype {y.dtype}")
    log_probs = log_softmax(logits)                             # (N, K)
    loss = -float(log_probs[np.arange(n), y].mean())
    dlogits = np.exp(log_probs)                                 # softmax, (N, K)
    dlogits[np.arange(n), y] -= 1.0                             # softmax − onehot
    return loss, dlogits / n


class LogisticRegression:
    """이진 분류: logit z = X w + b, 목적 함수 BCE + (λ/2)||w||²."""

    def __init__(self, n_features: int, l2: float = 0.0, seed: int = 0, dtype=np.float64):
        if l2 < 0:
            raise ValueError(f"l2는 0 이상이어야 합니다: l2={l2}")
        self.l2 = l2
        self.linear = Linear(n_features, 1, np.random.default_rng(seed), dtype)

    @property
    def n_features(self) -> int:
        return self.linear.params["W"].shape[0]

    def forward(self, X: np.ndarray) -> np.ndarray:
        return self.linear.forward(X)[:, 0]                     # logits, (N, 1) → (N,)

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray) -> float:
        if not isinstance(y, np.ndarray) or y.shape != (X.shape[0],) or not np.isin(y, (0, 1)).all():
            raise ValueError(f"y는 0 또는 1인 shape ({X.shape[0]},) 배열이어야 합니다: 받은 {getattr(y, 'shape', y)}")
        loss, dlogits = bce_with_logits(self.forward(X), y.astype(X.dtype))
        self.linear.backward(dlogits[:, None])                  # (N,) → (N, 1)
        W = self.linear.params["W"]
        self.linear.grads["W"] += self.l2 * W
        return loss + 0.5 * self.l2 * float(np.sum(W**2))

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return sigmoid(self.forward(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.forward(X) > 0).astype(np.int64)           # p > 0.5 ⇔ z > 0


class SoftmaxRegression:
    """K 클래스 분류: logits Z = X W + b, 목적 함수 softmax cross-entropy + (λ/2)||W||²."""

    def __init__(self, n_features: int, n_classes: int, l2: float = 0.0, seed: int = 0, dtype=np.float64):
        if n_classes < 2:
            raise ValueError(f"n_classes는 2 이상이어야 합니다: {n_classes}")
        if l2 < 0:
            raise ValueError(f"l2는 0 이상이어야 합니다: l2={l2}")
        self.l2 = l2
        self.linear = Linear(n_features, n_classes, np.random.default_rng(seed), dtype)

    @property
    def n_features(self) -> int:
        return self.linear.params["W"].shape[0]

    def forward(self, X: np.ndarray) -> np.ndarray:
        return self.linear.forward(X)                           # (N, K)

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray) -> float:
        loss, dlogits = softmax_cross_entropy(self.forward(X), y)
        self.linear.backward(dlogits)
        W = self.linear.params["W"]
        self.linear.grads["W"] += self.l2 * W
        return loss + 0.5 * self.l2 * float(np.sum(W**2))

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X).argmax(axis=1)


def fit_gd(model, X: np.ndarray, y: np.ndarray, lr: float, epochs: int, X_test=None, y_test=None):
    """Full-batch gradient descent (한 epoch = 한 step). (train 목적 함수, test loss) 기록을 돌려준다."""
    check_features(X, model.n_features)
    check_finite(X=X, y=y)
    optimizer = SGD([model.linear], lr)
    train_losses, test_losses = [], []
    for _ in range(epochs):
        train_losses.append(model.loss_and_grads(X, y))
        optimizer.step()
        if X_test is not None:
            logits = model.forward(X_test)
            loss = bce_with_logits(logits, y_test.astype(X.dtype))[0] if logits.ndim == 1 else \
                softmax_cross_entropy(logits, y_test)[0]
            test_losses.append(loss)
    return train_losses, test_losses


def principal_components(X_train: np.ndarray, X: np.ndarray, k: int = 2) -> np.ndarray:
    """결정 경계 그림용: X_train의 주성분 k개로 X를 투영한다 (SVD)."""
    mean = X_train.mean(axis=0)
    _, _, vt = np.linalg.svd(X_train - mean, full_matrices=False)   # vt: (D, D)
    return (X - mean) @ vt[:k].T                                    # (N, k)


def main(argv=None) -> dict:
    parser = make_parser("01_Linear_Logistic", "numpy", "로지스틱 / softmax 회귀: NumPy gradient descent",
                         DATA_CHOICES, "breast_cancer", default_epochs=500)
    parser.add_argument("--lr", type=float, default=0.5, help="learning rate (표준화된 입력 기준)")
    parser.add_argument("--l2", type=float, default=1e-3, help="L2 계수 λ")
    args = parse_args(parser, argv)
    from utils.visualization import plot_curves, plot_decision_boundary, plot_weight_grid

    seed_everything(args.seed)
    epochs = min(args.epochs, 30) if args.quick else args.epochs
    with Timer() as timer:
        data = load_features(args.data, seed=args.seed, root=args.root, download=args.download)   # (N, D), 표준화됨
        X_train, X_test = data.X_train, data.X_test
        y_train, y_test = data.y_train, data.y_test

        binary = args.data == "breast_cancer"
        make = (lambda d: LogisticRegression(d, l2=args.l2, seed=args.seed)) if binary else \
            (lambda d: SoftmaxRegression(d, int(y_train.max()) + 1, l2=args.l2, seed=args.seed))
        model = make(X_train.shape[1])
        train_losses, test_losses = fit_gd(model, X_train, y_train, args.lr, epochs, X_test, y_test)
        test_accuracy = float((model.predict(X_test) == y_test).mean())

        # 결정 경계: 입력을 주성분 2개로 줄여 같은 모델을 다시 학습한다 (그림은 2-D에서만 가능하므로).
        Z_train, Z_test = principal_components(X_train, X_train), principal_components(X_train, X_test)
        model_2d = make(2)
        fit_gd(model_2d, Z_train, y_train, args.lr, epochs)
        accuracy_2d = float((model_2d.predict(Z_test) == y_test).mean())

    name = "LogisticRegression" if binary else "SoftmaxRegression"
    plots = [
        plot_curves({"train 목적 함수": train_losses, "test loss": test_losses}, f"{args.out}/loss_curve.png",
                    title=f"{name} 학습 곡선", xlabel="step", ylabel="cross-entropy"),
        plot_decision_boundary(model_2d.predict, Z_test, y_test, f"{args.out}/decision_boundary.png",
                               title=f"주성분 2개 위의 결정 경계 (test acc {accuracy_2d:.3f})",
                               feature_names=("PC1", "PC2")),
    ]
    if args.data in ("digits", "mnist"):
        side = int(round(np.sqrt(X_train.shape[1])))
        weights = model.linear.params["W"].T.reshape(-1, side, side)   # (D, K) → (K, side, side)
        plots.append(plot_weight_grid(weights, f"{args.out}/weights.png", title="클래스별 가중치 w_k", ncols=5))
    result = {
        "model": name, "level": "numpy", "data": args.data, "metric": "test_accuracy", "value": test_accuracy,
        "train_loss_first": train_losses[0], "train_loss_last": train_losses[-1],
        "test_loss_last": test_losses[-1], "accuracy_2d_pca": accuracy_2d, "epochs": epochs, "lr": args.lr,
        "l2": args.l2, "seconds": timer.seconds, "plots": [str(p) for p in plots],
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
