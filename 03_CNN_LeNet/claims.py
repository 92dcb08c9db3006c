"""03장의 핵심 주장: weight sharing과 local receptive field를 가진 conv net은 parameter 수가 거의 같은
fully-connected net보다 이동한 숫자에서 더 잘 일반화한다.

LeCun et al. (1998), "Gradient-Based Learning Applied to Document Recognition", §II (도입부와 §II.A): fully-connected
net은 입력의 위상(topology)을 무시하고 이동·왜곡에 대한 불변성이 구조에 없어, 위치마다 같은 feature를 따로 배워야 한다.
conv net은 local receptive field, weight sharing, subsampling으로 "어느 정도의 이동·왜곡 불변성"을 구조에 넣는다.

재는 것 (seed마다: train/test split, 초기화, batch 순서, test 이미지의 이동이 seed를 따른다):
    데이터는 장의 32×32 digits (`digit_images.load_digit_images`: 20×20 숫자를 가운데에 둔 1,437 / 360장).
    두 모델을 **가운데 놓인** 학습 이미지로만 (augmentation 없이) 같은 처방으로 학습한다: Adam lr 2e-3, batch 32,
    15 epoch, 장의 `hold_then_cosine_lr`, 입력은 train 픽셀의 평균·표준편차로 표준화.
        cnn: 장의 `LeNet5Modern` (conv 5×5 → ReLU → max-pool ×2, C5, F6, Linear; 61,706 parameters)
        mlp: 1024 → 60 → 10, ReLU (62,110 parameters; LeNet보다 0.7% 많다)
    test 이미지를 이미지마다 상하좌우 −4..4 픽셀 무작위로 옮겨 (장의 `random_shift`; 숫자 둘레 여백은 6픽셀)
    정확도를 잰다. 옮기지 않은 test 정확도도 함께 기록한다 (판정에는 쓰지 않는다).

기준 (실행 전에 적음): seed마다 옮긴 test의 정확도 차이 cnn − mlp; 95% t 구간 하한이 0.05보다 크면 holds.

실행: python -m utils.claims 03
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from utils.claims import Claim, Criterion
from utils.schedules import hold_then_cosine_lr
from utils.training import accuracy, evaluate, fit

from .digit_images import load_digit_images, random_shift
from .paper.lenet_paper import LeNet5Modern, n_trainable

MAX_SHIFT = 4                 # test 이미지를 옮기는 최대 폭 (픽셀)
MLP_HIDDEN = 60               # 1025·60 + 61·10 = 62,110 ≈ LeNet5Modern의 61,706
SETTINGS = dict(lr=2e-3, batch_size=32, epochs=15)
QUICK_SETTINGS = dict(lr=2e-3, batch_size=32, epochs=1, n_train=128)


def fully_connected(hidden: int = MLP_HIDDEN, n_classes: int = 10) -> nn.Module:
    """같은 parameter 예산의 fully-connected 비교 대상: (N, 1, 32, 32) → 펴기 → Linear → ReLU → Linear."""
    return nn.Sequential(nn.Flatten(), nn.Linear(32 * 32, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))


def train(model: nn.Module, X: torch.Tensor, y: torch.Tensor, seed: int, settings: dict) -> nn.Module:
    optimizer = torch.optim.Adam(model.parameters(), lr=settings["lr"])
    fit(model, (X, y), optimizer=optimizer, epochs=settings["epochs"], batch_size=settings["batch_size"],
        schedule=hold_then_cosine_lr(settings["lr"], settings["epochs"]), seed=seed, progress=False)
    return model


def run_shifted_digits(seed: int, quick: bool) -> dict[str, float]:
    settings = QUICK_SETTINGS if quick else SETTINGS
    images = load_digit_images("digits", seed=seed)                       # (N, 1, 32, 32), [0, 1]
    X_train, y_train = images.X_train[:settings.get("n_train")], images.y_train[:settings.get("n_train")]
    mean, std = float(X_train.mean()), float(X_train.std())              # train 픽셀 전체의 통계
    shifted = random_shift(images.X_test, MAX_SHIFT, np.random.default_rng(seed))

    def tensor(x):
        return torch.as_tensor((x - mean) / std, dtype=torch.float32)

    Xtr, ytr, yte = tensor(X_train), torch.as_tensor(y_train), torch.as_tensor(images.y_test)
    Xte, Xte_shifted = tensor(images.X_test), tensor(shifted)
    values = {}
    for name, make in (("cnn", LeNet5Modern), ("mlp", fully_connected)):
        torch.manual_seed(seed)
        model = train(make(), Xtr, ytr, seed, settings)
        values[f"{name}_shifted"] = evaluate(model, Xte_shifted, yte, metric=accuracy)[1]
        values[f"{name}_centered"] = evaluate(model, Xte, yte, metric=accuracy)[1]
    return values


CLAIMS = [Claim(
    chapter="03_CNN_LeNet", name="weight_sharing_shift",
    claim="가운데 놓인 숫자로만 학습하면, LeNet-5는 parameter 수가 거의 같은 fully-connected net보다 "
          "±4픽셀 옮긴 test 숫자를 더 정확히 맞힌다.",
    source="LeCun et al. 1998, §II 도입부와 §II.A (local receptive field, weight sharing, subsampling)",
    metric=f"±{MAX_SHIFT}픽셀 무작위로 옮긴 test 360장의 정확도 (높을수록 좋다); *_centered는 옮기지 않은 test; "
           f"cnn = LeNet5Modern {n_trainable(LeNet5Modern()):,} parameters, "
           f"mlp = 1024-{MLP_HIDDEN}-10 {n_trainable(fully_connected()):,} parameters",
    arms=("cnn_shifted", "mlp_shifted", "cnn_centered", "mlp_centered"),
    run=run_shifted_digits,
    criterion=Criterion(
        description="seed마다 옮긴 test의 정확도 차이 cnn − mlp; 그 평균의 95% t 구간 하한이 0.05보다 크면 holds",
        per_seed=lambda v: v["cnn_shifted"] - v["mlp_shifted"],
        rule="greater", threshold=0.05, statistic="옮긴 test 정확도 차이 cnn − mlp"),
    default_seeds=5,
    notes="8×8 digits를 키운 이미지 1,437장과 15 epoch의 재현이다. 논문의 MNIST 비교(§III.C, Figure 9)처럼 "
          "학습 데이터가 많거나 이동을 augmentation으로 보여 주면 fully-connected net도 따라오는지, 그리고 "
          "weight sharing, local receptive field, pooling 중 무엇이 차이를 내는지는 나누어 재지 않았다.",
)]
