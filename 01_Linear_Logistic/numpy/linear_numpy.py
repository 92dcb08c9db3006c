"""선형 회귀 (Linear Regression) — NumPy로 손으로 쓴 gradient descent와 closed form.

고전 출처:
    A.-M. Legendre (1805), "Nouvelles méthodes pour la détermination des orbites des comètes",
        부록 "Sur la méthode des moindres carrés" — 제곱 오차의 합을 최소화하는 least squares.
    C. F. Gauss (1809), "Theoria motus corporum coelestium", §175–186 — 오차가 정규분포일 때
        least squares가 maximum likelihood임을 보였다 (theory.md §5).

모델과 목적 함수 (이 장의 모든 레벨이 같은 식을 쓴다):
    ŷ = X w + b                                    X: (N, D), w: (D,), b: 스칼라
    L(w, b) = (1/N) Σ_i (ŷ_i − y_i)²  +  (λ/2) ||w||²     (bias에는 L2를 걸지 않는다)
Gradient (theory.md §1):
    ∂L/∂ŷ = (2/N)(ŷ − y),   ∂L/∂w = Xᵀ ∂L/∂ŷ + λ w,   ∂L/∂b = Σ_i ∂L/∂ŷ_i
Closed form (normal equation, theory.md §3). X에 1의 열을 붙인 X̃ = [X, 1], θ = [w; b]:
    (X̃ᵀX̃ + (Nλ/2) P) θ = X̃ᵀ y,    P = diag(1, …, 1, 0)
Gradient descent 수렴 조건 (theory.md §4): L의 Hessian H = (2/N) X̃ᵀX̃ + λP 의 최대 고윳값을 L_max라 하면
    0 < lr < 2 / L_max 일 때만 수렴한다. `step_size_bound`가 이 값을 계산하고, `main`이 그 위·아래를 측정해 그린다.

실행:  python -m 01_Linear_Logistic.numpy.linear_numpy [--data diabetes|synthetic] [--quick]
"""
from __future__ import annotations

import numpy as np

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, check_finite
from utils.datasets import load_features

DATA_CHOICES = ("diabetes", "synthetic")
RUNS = DATA_CHOICES  # utils.run이 기본으로 돌리는 --data 값들


def check_features(X, n_features: int, name: str = "X") -> None:
    """입력이 (N, D) float 배열인지 확인한다. 틀리면 기대한 shape를 말하는 ValueError."""
    if not isinstance(X, np.ndarray) or not np.issubdtype(X.dtype, np.floating):
        dtype = getattr(X, "dtype", type(X).__name__)
        raise ValueError(f"{name}는 float NumPy 배열이어야 합니다: 받은 dtype {dtype}")
    if X.ndim != 2 or X.shape[1] != n_features:
        raise ValueError(f"{name}의 shape는 (N, {n_features})이어야 합니다: 받은 shape {X.shape}")


def check_targets(y, n_samples: int, name: str = "y") -> None:
    if not isinstance(y, np.ndarray) or y.shape != (n_samples,):
        raise ValueError(f"{name}의 shape는 ({n_samples},)이어야 합니다: 받은 shape {getattr(y, 'shape', None)}")


class Linear:
    """Affine 층 out = x W + b. L1 모듈 규약: params / grads (같은 key), forward가 캐시, backward가 grads를 채운다.

    W: (D, K), b: (K,). 초기값 W ~ N(0, 1/D) (입력 분산을 보존하는 LeCun 초기화), b = 0.
    """

    def __init__(self, in_features: int, out_features: int, rng: np.random.Generator, dtype=np.float64):
        if in_features < 1 or out_features < 1:
            raise ValueError(f"in_features, out_features는 1 이상이어야 합니다: {in_features}, {out_features}")
        self.params = {
            "W": (rng.normal(size=(in_features, out_features)) / np.sqrt(in_features)).astype(dtype),
            "b": np.zeros(out_features, dtype=dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x: np.ndarray) -> np.ndarray:
        check_features(x, self.params["W"].shape[0], name="x")
        self.cache = x
        return x @ self.params["W"] + self.params["b"]          # (N, D) @ (D, K) + (K,) → (N, K)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x = self.cache
        self.grads["W"][...] = x.T @ dout                       # (D, N) @ (N, K) → (D, K)
        self.grads["b"][...] = dout.sum(axis=0)                 # (K,)
        return dout @ self.params["W"].T                        # (N, K) @ (K, D) → (N, D)


def mse_loss(pred: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """평균 제곱 오차 L = (1/N) Σ (pred − y)² 와 dL/dpred = (2/N)(pred − y)."""
    if pred.shape != y.shape:
        raise ValueError(f"pred와 y의 shape가 같아야 합니다: {pred.shape} vs {y.shape}")
    residual = pred - y                                         # (N,)
    return float(np.mean(residual**2)), 2.0 * residual / residual.shape[0]


class SGD:
    """가장 단순한 optimizer: θ ← θ − lr · ∂L/∂θ (모듈들의 params를 제자리에서 갱신)."""

    def __init__(self, modules, lr: float):
        if lr <= 0:
            raise ValueError(f"learning rate는 양수여야 합니다: lr={lr}")
        self.modules, self.lr = list(modules), lr

    def step(self) -> None:
        for module in self.modules:
            for name, param in module.params.items():
                param -= self.lr * module.grads[name]


class LinearRegression:
    """ŷ = X w + b 를 MSE + (λ/2)||w||² 로 푼다. `fit_gd`(gradient descent)와 `fit_closed_form` 두 길."""

    def __init__(self, n_features: int, l2: float = 0.0, seed: int = 0, dtype=np.float64):
        if l2 < 0:
            raise ValueError(f"l2는 0 이상이어야 합니다: l2={l2}")
        self.l2 = l2
        self.linear = Linear(n_features, 1, np.random.default_rng(seed), dtype)

    @property
    def n_features(self) -> int:
        return self.linear.params["W"].shape[0]

    def forward(self, X: np.ndarray) -> np.ndarray:
        return self.linear.forward(X)[:, 0]                     # (N, 1) → (N,)

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray) -> float:
        """목적 함수 값을 돌려주고 self.linear.grads에 ∂L/∂w, ∂L/∂b를 채운다."""
        check_targets(y, X.shape[0] if X.ndim == 2 else -1)
        pred = self.forward(X)
        loss, dpred = mse_loss(pred, y)
        self.linear.backward(dpred[:, None])                    # (N,) → (N, 1)
        W = self.linear.params["W"]
        self.linear.grads["W"] += self.l2 * W                   # ∂/∂w (λ/2)||w||² = λ w
        return loss + 0.5 * self.l2 * float(np.sum(W**2))

    def fit_gd(self, X: np.ndarray, y: np.ndarray, lr: float, epochs: int) -> list[float]:
        """Full-batch gradient descent. 한 epoch = 한 step. 각 step 직전의 목적 함수 값을 돌려준다."""
        check_features(X, self.n_features)
        check_finite(X=X, y=y)
        optimizer = SGD([self.linear], lr)
        losses = []
        for _ in range(epochs):
            losses.append(self.loss_and_grads(X, y))
            if not np.isfinite(losses[-1]):
                break                                           # 발산: lr ≥ 2/L_max (step_size_bound 참고)
            optimizer.step()
        return losses

    def fit_closed_form(self, X: np.ndarray, y: np.ndarray) -> None:
        """Normal equation (X̃ᵀX̃ + (Nλ/2)P) θ = X̃ᵀy 를 풀어 w, b를 한 번에 정한다."""
        check_features(X, self.n_features)
        check_targets(y, X.shape[0])
        check_finite(X=X, y=y)
        n = X.shape[0]
        X_aug = np.hstack([X, np.ones((n, 1), dtype=X.dtype)])  # (N, D+1): 마지막 열이 bias
        penalty = np.eye(X_aug.shape[1], dtype=X.dtype) * (n * self.l2 / 2)
        penalty[-1, -1] = 0.0                                   # bias에는 L2 없음
        theta = np.linalg.solve(X_aug.T @ X_aug + penalty, X_aug.T @ y)   # (D+1,)
        self.linear.params["W"][:, 0] = theta[:-1]
        self.linear.params["b"][0] = theta[-1]

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.forward(X)


def step_size_bound(X: np.ndarray, l2: float = 0.0) -> float:
    """GD가 수렴하는 learning rate의 상한 2 / L_max. L_max = λ_max((2/N) X̃ᵀX̃ + λP)."""
    n = X.shape[0]
    X_aug = np.hstack([X, np.ones((n, 1), dtype=X.dtype)])
    hessian = 2.0 / n * X_aug.T @ X_aug + l2 * np.diag([1.0] * X.shape[1] + [0.0])
    return 2.0 / float(np.linalg.eigvalsh(hessian)[-1])


def r2_score(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """결정 계수 R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)²."""
    return 1.0 - float(np.sum((y_true - y_pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2))


def main(argv=None) -> dict:
    parser = make_parser("01_Linear_Logistic", "numpy", "선형 회귀: NumPy gradient descent와 normal equation",
                         DATA_CHOICES, "diabetes", default_epochs=6000)
    parser.add_argument("--l2", type=float, default=0.0, help="L2 계수 λ (목적 함수의 (λ/2)||w||²)")
    parser.add_argument("--lr-scale", type=float, default=0.5,
                        help="learning rate = scale × 2/L_max (1 이상이면 발산한다; 기본 0.5 = 1/L_max)")
    args = parse_args(parser, argv)
    from utils.visualization import plot_curves, plot_prediction_scatter

    seed_everything(args.seed)
    epochs = min(args.epochs, 100) if args.quick else args.epochs
    with Timer() as timer:
        # synthetic은 참 가중치를 복원하는지 보므로 표준화하지 않는다 (X ~ N(0, 1)로 이미 표준 척도).
        data = load_features(args.data, seed=args.seed, standardized=args.data != "synthetic")
        X_train, y_train, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
        check_finite(y_train=y_train, y_test=y_test)

        bound = step_size_bound(X_train, args.l2)
        lr = args.lr_scale * bound
        model = LinearRegression(X_train.shape[1], l2=args.l2, seed=args.seed)
        losses = model.fit_gd(X_train, y_train, lr=lr, epochs=epochs)

        exact = LinearRegression(X_train.shape[1], l2=args.l2)
        exact.fit_closed_form(X_train, y_train)
        w_gd, w_exact = model.linear.params["W"][:, 0], exact.linear.params["W"][:, 0]
        gd_gap = float(np.max(np.abs(np.append(w_gd - w_exact, model.linear.params["b"] - exact.linear.params["b"]))))

        # 수렴 조건 lr < 2/L_max 의 측정: 경계의 0.5배, 0.99배, 1.01배로 같은 초기값에서 출발한다.
        step_curves = {}
        for scale in (0.5, 0.99, 1.01):
            trial = LinearRegression(X_train.shape[1], l2=args.l2, seed=args.seed)
            step_curves[f"lr = {scale} * 2/L"] = trial.fit_gd(X_train, y_train, lr=scale * bound,
                                                               epochs=min(epochs, 300))

    pred_test = model.predict(X_test)
    result = {
        "model": "LinearRegression", "level": "numpy", "data": args.data,
        "test_mse": float(np.mean((pred_test - y_test) ** 2)), "test_r2": r2_score(y_test, pred_test),
        "train_loss_first": losses[0], "train_loss_last": losses[-1], "epochs": epochs, "lr": lr,
        "lr_bound": bound, "gd_vs_closed_form_max_abs": gd_gap,
        "step_demo_final_loss": {name: curve[-1] for name, curve in step_curves.items()},
        "seconds": timer.seconds,
    }
    if args.data == "synthetic":
        weight_error = float(np.max(np.abs(w_gd - data.info["true_w"])))
        result.update(metric="max_abs_weight_error", value=weight_error,
                      bias_error=abs(float(model.linear.params["b"][0]) - float(data.info["true_b"])))
    else:
        result.update(metric="test_r2", value=result["test_r2"])
    result["plots"] = [
        str(plot_curves({"train loss": losses}, f"{args.out}/loss_curve.png", title="선형 회귀 학습 곡선 (GD)",
                        xlabel="step", ylabel="MSE", logy=True)),
        str(plot_prediction_scatter(y_test, pred_test, f"{args.out}/prediction.png", title="테스트 예측 vs 실제")),
        str(plot_curves(step_curves, f"{args.out}/step_size.png", title="learning rate와 수렴: 2/L 경계",
                        xlabel="step", ylabel="목적 함수", logy=True)),
    ]
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
