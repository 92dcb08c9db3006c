"""02장의 핵심 주장: 깊은 plain ReLU MLP는 He 초기화로는 학습되고, 분산을 층마다 절반으로 만드는 초기화로는 멈춘다.

He et al. (2015), "Delving Deep into Rectifiers", §2.2: ReLU 층의 forward 분산은 Var[y_l] = ½ n_l Var[w_l] Var[y_{l−1}]
(식 7–9)이므로, ½ n_l Var[w_l] = 1 (식 10, Var[w] = 2/n)이어야 깊이에 대해 분산이 지수적으로 줄거나 늘지 않는다.
Glorot & Bengio (2010)의 유도(선형 활성화 가정, 정사각 층에서 Var[w] = 1/n)를 ReLU에 쓰면 층마다 분산이 절반이 되어,
논문 Figure 3에서 30층 ReLU net이 Xavier 초기화로는 "전혀 학습되지 않고" He 초기화로는 수렴했다.

재는 것 (seed마다: 초기화, mini-batch 순서가 seed를 따른다; 데이터는 내장 digits 8×8, train 통계로 표준화):
    장의 L3 `MLP` (Linear + ReLU, dropout 없음), 은닉 층 29개 × 폭 64 + 출력 층 = Linear 30개.
    두 arm은 은닉 층 가중치의 분산만 다르다: he = N(0, 2/fan_in) (`MLP` 기본값), halving = N(0, 1/fan_in).
    출력 층(Glorot × 0.1)과 bias 0은 같다. 같은 처방으로 학습한다: SGD momentum 0.9 (논문의 optimizer), lr 0.01,
    batch 64, 15 epoch, float32. 측정값은 마지막 epoch의 train cross-entropy (mini-batch 평균; 멈춘 net은 ln 10 ≈ 2.30).

기준 (실행 전에 적음): seed마다 loss_halving − loss_he; 그 평균의 95% t 구간 하한이 0.5 nats보다 크면 holds.

층마다의 활성화 분산 그림: python -m 02_MLP.claims [--out DIR] (기본 outputs/02_MLP/claims/activation_variance.png)
실행: python -m utils.claims 02
"""
from __future__ import annotations

import argparse

import torch
from torch import nn

from utils.claims import Claim, Criterion
from utils.datasets import load_features
from utils.training import accuracy, evaluate, fit

from .paper.mlp_paper import MLP, make_optimizer

DEPTH = 30                   # Linear 층 수 (은닉 29 + 출력 1)
WIDTH = 64
INITS = ("he", "halving")
SETTINGS = dict(lr=0.01, batch_size=64, epochs=15)
QUICK_SETTINGS = dict(lr=0.01, batch_size=64, epochs=1, n_train=256)


def build(init: str, seed: int, n_classes: int = 10) -> MLP:
    """DEPTH개 Linear의 ReLU MLP. he: N(0, 2/fan_in) (MLP의 기본값), halving: N(0, 1/fan_in) (ReLU에서 분산 ½배/층)."""
    if init not in INITS:
        raise ValueError(f"init은 {INITS} 중 하나여야 한다: {init!r}")
    torch.manual_seed(seed)
    model = MLP(WIDTH, [WIDTH] * (DEPTH - 1), n_classes, activation="relu", dropout=0.0)
    if init == "halving":
        for layer in model.linears[:-1]:
            nn.init.kaiming_normal_(layer.weight, mode="fan_in", nonlinearity="linear")    # 표준편차 1/√fan_in
    return model


def activation_variances(model: MLP, X: torch.Tensor) -> list[float]:
    """은닉 층 l = 1..DEPTH−1의 pre-activation 분산 Var[z_l] (모든 unit·예제에 대해; He et al. 식 7의 y_l)."""
    variances = []
    h = X
    with torch.no_grad():
        for layer in model.linears[:-1]:
            z = layer(h)                                                # (N, WIDTH)
            variances.append(float(z.var()))
            h = torch.relu(z)
    return variances


def load_digits_tensors(seed: int, n_train: int | None = None):
    data = load_features("digits", seed=seed, max_train=n_train)       # (N, 64), 픽셀마다 train 통계로 표준화
    to = dict(dtype=torch.float32)
    return (torch.as_tensor(data.X_train, **to), torch.as_tensor(data.y_train),
            torch.as_tensor(data.X_test, **to), torch.as_tensor(data.y_test))


def run_initialisations(seed: int, quick: bool) -> dict[str, float]:
    settings = QUICK_SETTINGS if quick else SETTINGS
    X_train, y_train, X_test, y_test = load_digits_tensors(seed, settings.get("n_train"))
    values = {}
    for init in INITS:
        model = build(init, seed)
        optimizer = make_optimizer(model, "momentum", settings["lr"])
        history = fit(model, (X_train, y_train), optimizer=optimizer, epochs=settings["epochs"],
                      batch_size=settings["batch_size"], seed=seed, progress=False, desc=f"mlp/{init}")
        values[f"train_loss_{init}"] = history.last("train_loss")
        values[f"test_accuracy_{init}"] = evaluate(model, X_test, y_test, metric=accuracy)[1]
    return values


def plot_activation_variance(path, seed: int = 0):
    """초기화 직후 층마다의 Var[z_l] (log 축): he는 일정, halving은 2^{−l}을 따라 줄어든다."""
    from utils.visualization import plot_curves

    X_train = load_digits_tensors(seed)[0]
    curves = {f"{init} 초기화": activation_variances(build(init, seed), X_train) for init in INITS}
    curves["Var[z_1]·2^(1−l) (층마다 ½배)"] = [curves["halving 초기화"][0] * 0.5 ** i for i in range(DEPTH - 1)]
    return plot_curves(curves, path, title=f"ReLU MLP {DEPTH}층, 초기화 직후 (digits train, seed {seed})",
                       xlabel="은닉 층 l", ylabel="Var[z_l] (log 축)", logy=True)


CLAIMS = [Claim(
    chapter="02_MLP", name="he_init_deep_relu",
    claim=f"{DEPTH}층 plain ReLU MLP는 He 초기화(Var[w] = 2/n)로는 학습되고, 층마다 분산을 절반으로 만드는 "
          "초기화(Var[w] = 1/n)로는 멈춘다.",
    source="He et al. 2015, §2.2 식 (10) / Figure 3; Glorot & Bengio 2010, §4.2",
    metric="15 epoch 뒤 마지막 epoch의 train cross-entropy (낮을수록 좋다; 멈춘 net은 ln 10 ≈ 2.30); "
           "test 정확도를 함께 기록",
    arms=("train_loss_he", "train_loss_halving", "test_accuracy_he", "test_accuracy_halving"),
    run=run_initialisations,
    criterion=Criterion(
        description="seed마다 train loss 차이 halving − he; 그 평균의 95% t 구간 하한이 0.5 nats보다 크면 holds",
        per_seed=lambda v: v["train_loss_halving"] - v["train_loss_he"],
        rule="greater", threshold=0.5, statistic="train cross-entropy 차이 halving − he (nats)"),
    default_seeds=5,
    notes="폭 64의 MLP와 digits 1,437장, 15 epoch의 재현이다. 논문의 30층 conv net(ImageNet)과 달리 halving이 "
          "더 오래 학습하면 결국 움직이는지, BN이나 residual이 있으면 차이가 어떻게 되는지는 보여 주지 않는다.",
)]


def main(argv=None) -> str:
    parser = argparse.ArgumentParser(description="초기화별 층마다의 활성화 분산 그림을 그린다 (He et al. 2015, §2.2)")
    parser.add_argument("--out", default="outputs/02_MLP/claims", help="그림을 쓸 폴더")
    parser.add_argument("--seed", type=int, default=0, help="초기화와 데이터 split의 seed")
    args = parser.parse_args(argv)
    path = plot_activation_variance(f"{args.out}/activation_variance.png", args.seed)
    print(path)
    return str(path)


if __name__ == "__main__":
    main()

