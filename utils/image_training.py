"""VGG·ResNet 장이 함께 쓰는 32×32 이미지 분류 학습 도구: 채널 표준화, crop+flip augmentation, lr schedule, SGD 루프.

CIFAR-10 실험의 표준 처방(He et al. 2015, Section 4.2; Simonyan & Zisserman 2015의 CIFAR 변형들)을 한 곳에 둔다.
    - 입력: 채널마다 train 평균을 빼고 표준편차로 나눈다 (`channel_standardize`).
    - augmentation: 사방 4픽셀 0 padding 후 무작위 32×32 crop, 확률 0.5로 좌우 뒤집기 (`random_crop_flip`).
    - 최적화: SGD + momentum 0.9 + weight decay, epoch마다 lr을 schedule에서 읽는다
      (`step_schedule`, `cosine_schedule`).
    - 기록: epoch마다 train loss·train error(그 epoch의 augmentation된 mini-batch들을 train 모드로 본 running 평균 —
      He et al. Fig. 1의 가는 선과 같은 방식), test loss·test accuracy, lr, 누적 시간.

    history = train_classifier(model, (X_train, y_train), (X_test, y_test), epochs=30,
                               lr_schedule=step_schedule(0.1, (15, 25)), weight_decay=1e-4)

torch는 함수 안에서만 import한다 (다른 utils 모듈과 같은 규칙).
"""
from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Sequence

import numpy as np

from utils.training_utils import History, check_finite


def _check_images(X, name: str) -> None:
    if not isinstance(X, np.ndarray) or X.ndim != 4:
        raise ValueError(f"{name}는 (N, C, H, W) 4차원 NumPy 배열이어야 합니다: "
                         f"받은 {type(X).__name__} shape {getattr(X, 'shape', None)}")
    if not np.issubdtype(X.dtype, np.floating):
        raise ValueError(f"{name}는 실수(float) 배열이어야 합니다: dtype={X.dtype}")


def _check_labels(y, n: int, name: str) -> None:
    if not isinstance(y, np.ndarray) or y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{name}는 (N,) 정수 label 배열이어야 합니다: 받은 shape {getattr(y, 'shape', None)}, "
                         f"dtype {getattr(y, 'dtype', None)}")
    if len(y) != n:
        raise ValueError(f"{name}의 길이 {len(y)}가 이미지 수 {n}과 다릅니다")


# ---------------------------------------------------------------------------
# 전처리와 augmentation (NumPy)
# ---------------------------------------------------------------------------
def channel_standardize(X_train: np.ndarray, X_test: np.ndarray, eps: float = 1e-8):
    """채널마다 train의 평균·표준편차로 두 배열을 표준화한다. (X_train, X_test, mean, std), 모두 float32.

    mean, std: (C,). test 통계는 쓰지 않는다 (test 정보가 학습에 새지 않도록).
    """
    _check_images(X_train, "X_train")
    _check_images(X_test, "X_test")
    if X_train.shape[1:] != X_test.shape[1:]:
        raise ValueError(f"X_train과 X_test의 (C, H, W)가 다릅니다: {X_train.shape[1:]} vs {X_test.shape[1:]}")
    mean = X_train.mean(axis=(0, 2, 3), dtype=np.float64)                 # (C,)
    std = X_train.std(axis=(0, 2, 3), dtype=np.float64)                   # (C,)
    shift = mean[None, :, None, None]                                     # (1, C, 1, 1)
    scale = np.maximum(std, eps)[None, :, None, None]                     # (1, C, 1, 1)
    X_train = ((X_train - shift) / scale).astype(np.float32)
    X_test = ((X_test - shift) / scale).astype(np.float32)
    return X_train, X_test, mean.astype(np.float32), std.astype(np.float32)


def random_crop_flip(images: np.ndarray, rng: np.random.Generator, pad: int = 4, flip: bool = True) -> np.ndarray:
    """사방 `pad`픽셀 0 padding → 이미지마다 무작위 H×W crop → 확률 0.5로 좌우 뒤집기. (N, C, H, W) → 같은 shape.

    crop 위치는 (pad+1)² 가지이므로 위치가 같은 이미지끼리 한 번에 자른다. pad=0, flip=False면 입력을 그대로 돌려준다.
    0은 표준화된 입력에서 "평균 색"이다 (He et al.도 padding 뒤 crop).
    """
    _check_images(images, "images")
    if pad < 0:
        raise ValueError(f"pad는 0 이상이어야 합니다: {pad}")
    if pad == 0 and not flip:
        return images
    n, _, H, W = images.shape
    padded = np.pad(images, ((0, 0), (0, 0), (pad, pad), (pad, pad)))       # (N, C, H+2p, W+2p)
    offsets = rng.integers(0, 2 * pad + 1, size=(n, 2))                    # (N, 2): (top, left)
    out = np.empty_like(images)
    for top, left in {tuple(o) for o in offsets.tolist()}:                 # crop 위치마다 한꺼번에
        idx = np.flatnonzero((offsets[:, 0] == top) & (offsets[:, 1] == left))
        out[idx] = padded[idx, :, top:top + H, left:left + W]
    if flip:
        flipped = rng.random(n) < 0.5                                      # (N,) 뒤집을 이미지
        out[flipped] = out[flipped][..., ::-1]                             # W 축을 거꾸로
    return out


# ---------------------------------------------------------------------------
# learning-rate schedule: epoch(0부터) → lr
# ---------------------------------------------------------------------------
def step_schedule(base: float, milestones: Sequence[int], gamma: float = 0.1) -> Callable[[int], float]:
    """epoch가 milestone을 하나 지날 때마다 lr에 gamma를 곱한다 (He et al.: 32k, 48k iteration에서 /10).

    milestones는 epoch 번호(0부터)이며 오름차순이어야 한다: epoch ≥ m인 milestone m의 개수만큼 gamma를 곱한다.
    """
    milestones = tuple(int(m) for m in milestones)
    if base <= 0:
        raise ValueError(f"base lr은 양수여야 합니다: {base}")
    if list(milestones) != sorted(milestones) or any(m < 1 for m in milestones):
        raise ValueError(f"milestones는 1 이상의 오름차순 epoch 번호여야 합니다: {milestones}")

    def lr_at(epoch: int) -> float:
        return base * gamma ** sum(epoch >= m for m in milestones)

    return lr_at


def cosine_schedule(base: float, epochs: int, final: float = 0.0) -> Callable[[int], float]:
    """epoch 0에서 base, 마지막 epoch(epochs−1)에서 final이 되도록 cosine으로 줄인다."""
    if base <= 0:
        raise ValueError(f"base lr은 양수여야 합니다: {base}")
    if epochs < 1:
        raise ValueError(f"epochs는 1 이상이어야 합니다: {epochs}")

    def lr_at(epoch: int) -> float:
        if epochs == 1:
            return base
        t = min(max(epoch, 0), epochs - 1) / (epochs - 1)                  # 0 → 1
        return final + (base - final) * 0.5 * (1.0 + math.cos(math.pi * t))

    return lr_at


# ---------------------------------------------------------------------------
# 학습 루프
# ---------------------------------------------------------------------------
def evaluate_classifier(model, X: np.ndarray, y: np.ndarray, device="cpu",
                        batch_size: int = 500) -> tuple[float, float]:
    """eval 모드, no_grad로 (평균 cross-entropy, 정확도)."""
    import torch
    import torch.nn.functional as F

    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            xb = torch.from_numpy(X[start:start + batch_size]).to(device)
            yb = torch.from_numpy(y[start:start + batch_size]).to(device)
            logits = model(xb)
            total_loss += F.cross_entropy(logits, yb, reduction="sum").item()
            correct += int((logits.argmax(dim=1) == yb).sum())
    return total_loss / len(X), correct / len(X)


def train_classifier(model, train, test=None, *, epochs: int, batch_size: int = 128,
                     lr_schedule: Callable[[int], float] | float = 0.1, momentum: float = 0.9,
                     weight_decay: float = 5e-4, nesterov: bool = False, augment: bool = True, pad: int = 4,
                     flip: bool = True, device="cpu", seed: int = 0, progress: bool = True,
                     desc: str = "train") -> History:
    """SGD(momentum, weight decay)로 `model`을 학습하고 epoch마다의 기록(History)을 돌려준다.

    train, test: (X, y) NumPy 쌍. X float32 (N, C, H, W) (이미 표준화), y int64 (N,).
    lr_schedule: epoch → lr 함수 (`step_schedule`, `cosine_schedule`) 또는 고정 lr 숫자.
    같은 seed면 mini-batch 순서와 augmentation이 같다 (모델 초기화 seed는 호출하는 쪽이 정한다).
    History key: lr, train_loss, train_error, (test가 있으면) test_loss, test_acc, seconds(누적).
    """
    import torch
    import torch.nn.functional as F
    from tqdm.auto import tqdm

    X_train, y_train = train
    _check_images(X_train, "X_train")
    _check_labels(y_train, len(X_train), "y_train")
    check_finite(X_train=X_train)
    if test is not None:
        _check_images(test[0], "X_test")
        _check_labels(test[1], len(test[0]), "y_test")
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs와 batch_size는 1 이상이어야 합니다: epochs={epochs}, batch_size={batch_size}")
    schedule = lr_schedule if callable(lr_schedule) else (lambda epoch: float(lr_schedule))

    device = torch.device(device)
    model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=schedule(0), momentum=momentum,
                                weight_decay=weight_decay, nesterov=nesterov)
    rng = np.random.default_rng(seed)
    history = History()
    start_time = time.perf_counter()
    bar = tqdm(range(epochs), desc=desc, leave=False, disable=not progress, file=sys.stderr)
    for epoch in bar:
        lr = schedule(epoch)
        for group in optimizer.param_groups:
            group["lr"] = lr
        images = random_crop_flip(X_train, rng, pad=pad, flip=flip) if augment else X_train
        order = rng.permutation(len(images))
        model.train()
        total_loss, wrong, seen = 0.0, 0, 0
        for begin in range(0, len(order), batch_size):
            index = order[begin:begin + batch_size]
            xb = torch.from_numpy(np.ascontiguousarray(images[index])).to(device)   # (B, C, H, W)
            yb = torch.from_numpy(y_train[index]).to(device)                         # (B,)
            logits = model(xb)                                                       # (B, K)
            loss = F.cross_entropy(logits, yb)
            loss_value = loss.item()
            if not math.isfinite(loss_value):
                raise FloatingPointError(f"epoch {epoch}: loss가 {loss_value}가 되었습니다 — "
                                         "learning rate를 줄여 보세요")
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total_loss += loss_value * len(index)
            wrong += int((logits.argmax(dim=1) != yb).sum())
            seen += len(index)
        record = {"lr": lr, "train_loss": total_loss / seen, "train_error": wrong / seen}
        if test is not None:
            record["test_loss"], record["test_acc"] = evaluate_classifier(model, *test, device=device)
        record["seconds"] = time.perf_counter() - start_time
        history.log(**record)
        bar.set_postfix({k: f"{v:.4f}" for k, v in record.items() if k != "seconds"}, refresh=False)
    return history
