"""Degradation 실험 (He et al. 2015, Section 4.2, Fig. 1과 Fig. 6)을 CPU 크기로: plain vs residual, 얕은 vs 깊은.

논문의 관찰 (Section 1, Fig. 1; Section 4.1–4.2, Fig. 4·6): BN이 있어 gradient가 사라지지 않는데도 plain net은
깊어질수록 **training** error가 오히려 높다 (20층 < 32 < 44 < 56 < 110층의 순서로 나빠진다). overfitting이 아니라
최적화의 문제다 — 깊은 net은 얕은 net에 identity 층을 더한 해를 표현할 수 있으므로, 원리상 training error가
더 높을 이유가 없다. 같은 층에 shortcut만 더한 ResNet은 이 순서가 뒤집혀, 깊을수록 training error가 낮거나 같다.

여기서 하는 것 (내장 shapes 데이터, single thread CPU 몇 분):
    네 모델 — plain-d₁, plain-d₂, ResNet-d₁, ResNet-d₂ (기본 d₁ = 8, d₂ = 32, 즉 stage마다 block 1개 vs 5개) —
    을 같은 처방(SGD lr 0.05, momentum 0.9, weight decay 1e-4, batch 32, cosine, crop+flip)과 같은 seed로 학습하고,
    epoch마다의 training error(그 epoch의 mini-batch를 train 모드로 본 running 평균)를
    한 그림에 그린다. 계산을 줄이려고 width는 논문의 16 대신 8, 학습 이미지는 2,000장이다.
    batch는 논문의 128 대신 32로 줄여 같은 계산으로 SGD step을 4배(6 epoch에 375 step) 밟게 했다: batch 128로는
    96 step뿐이라 얕은 net도 덜 학습되어 (seed 1에서 plain-8 55% > plain-32 45%) 순서가 seed에 따라 뒤집혔다.
    lr은 batch에 맞춰 0.05로 낮췄다.
    ResNet은 `resnet.CifarResNet` (shortcut A), plain은 같은 클래스의 residual=False (층·parameter가 같다).

결과 dict의 `ordering_holds`: 마지막 `--window` epoch의 평균 training error가
    plain-d₂ > plain-d₁   (깊은 plain이 더 나쁘다 — degradation)   그리고
    ResNet-d₂ ≤ ResNet-d₁ (깊은 ResNet은 나쁘지 않다)
일 때 True. 같은 실험을 seed 여러 개로 재는 것은 `05_ResNet/claims.py`이다 (`run_degradation`을 부른다).

실행:  python -m 05_ResNet.paper.degradation_paper [--depths 8 32] [--width 8] [--epochs 6] [--seed 0] [--quick]
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from utils.cli import add_training_flags, choose_device, cli, fit_options, make_parser, parse_args, report
from utils.core import Timer, limit_threads
from utils.datasets import channel_standardize, load_shapes
from utils.datasets.images import random_crop_flip_batches
from utils.schedules import cosine_lr
from utils.training import accuracy, fit, make_optimizer

from .resnet import cifar_resnet, n_parameters

DATA_CHOICES = ("shapes",)
RUNS = ("shapes",)


def run_name(plain: bool, depth: int) -> str:
    return f"{'plain' if plain else 'ResNet'}-{depth}"


def tail_mean(values, window: int) -> float:
    return float(np.mean(values[-window:]))


def plot_degradation(histories: dict, depths, path, title: str):
    """Fig. 6처럼 왼쪽 plain, 오른쪽 ResNet. 굵은 선 = training error, 점선 = test error."""
    import matplotlib.pyplot as plt

    from utils.visualization import save_figure

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True, layout="constrained")
    colours = {depths[0]: "tab:orange", depths[1]: "tab:red"}
    for ax, plain in zip(axes, (True, False)):
        for depth in depths:
            h = histories[run_name(plain, depth)]
            epochs = np.arange(1, len(h["train_error"]) + 1)
            ax.plot(epochs, 100 * np.asarray(h["train_error"]), color=colours[depth], lw=2,
                    label=f"{run_name(plain, depth)} train")
            ax.plot(epochs, 100 * (1 - np.asarray(h["test_acc"])), color=colours[depth], lw=1, ls="--",
                    label=f"{run_name(plain, depth)} test")
        ax.set(title="plain net" if plain else "ResNet (shortcut A)", xlabel="epoch")
        ax.grid(True, alpha=0.3)
        ax.legend()
    axes[0].set_ylabel("error (%)")
    fig.suptitle(title)
    return save_figure(fig, path)


def run_degradation(seed: int, *, depths=(8, 32), width: int = 8, n_train: int = 2000, n_test: int = 500,
                    epochs: int = 6, lr: float = 0.05, batch_size: int = 32, window: int = 2, device="cpu",
                    progress: bool = True, training: dict | None = None) -> dict:
    """실험 하나: plain/ResNet × 얕은/깊은 네 모델을 같은 처방과 같은 seed로 학습한다 (기본값 = CLI 기본 처방).

    반환: {"histories": {이름: epoch별 기록 + train_error}, "n_parameters": {이름: 수},
    "final_train_error": {이름: 마지막 window epoch의 training error 평균}}. `main`과 `05_ResNet/claims.py`가 부른다.
    training: fit의 checkpoint·resume·dtype 설정 (`utils.cli.fit_options`); checkpoint는 모델마다 `<dir>/<이름>`.
    """
    shallow, deep = depths
    if not shallow < deep or any((d - 2) % 6 or d < 8 for d in depths):
        raise ValueError(f"depths는 6n + 2 꼴의 두 깊이를 얕은 것부터: 받은 {tuple(depths)}")
    histories, sizes = {}, {}
    ds = load_shapes(n_train=n_train, n_test=n_test, seed=seed)
    X_train, X_test, _, _ = channel_standardize(ds.X_train, ds.X_test)
    for plain in (True, False):
        for depth in (shallow, deep):
            name = run_name(plain, depth)
            torch.manual_seed(seed)                                     # 네 모델 모두 같은 seed로 초기화
            model = cifar_resnet(depth, 10, "A", residual=not plain, width=width)
            sizes[name] = n_parameters(model)
            optimizer = make_optimizer(model, "sgd", lr, weight_decay=1e-4, momentum=0.9)
            options = dict(training or {})
            if options.get("checkpoint_dir") is not None:
                options["checkpoint_dir"] = Path(options["checkpoint_dir"]) / name
            history = fit(model, (X_train, ds.y_train), (X_test, ds.y_test), epochs=epochs, optimizer=optimizer,
                          batch_size=batch_size, schedule=cosine_lr(lr, epochs), augment=random_crop_flip_batches,
                          metric=accuracy, metric_name="acc", device=device, seed=seed, desc=name,
                          progress=progress, **options)
            histories[name] = history.to_dict()
            histories[name]["train_error"] = [1 - a for a in history["train_acc"]]
    final = {name: tail_mean(h["train_error"], min(window, epochs)) for name, h in histories.items()}
    return {"histories": histories, "n_parameters": sizes, "final_train_error": final}


def main(argv=None) -> dict:
    parser = make_parser("05_ResNet", "paper_degradation", "degradation 실험: plain vs residual, 얕은 vs 깊은",
                         DATA_CHOICES, "shapes", default_epochs=6)
    parser.add_argument("--depths", type=int, nargs=2, default=(8, 32), metavar=("SHALLOW", "DEEP"),
                        help="비교할 두 깊이 (6n + 2, 기본 8 32)")
    parser.add_argument("--width", type=int, default=8, help="첫 stage 채널 수 (논문 16, 기본 8로 계산을 줄인다)")
    parser.add_argument("--n-train", type=int, default=2000, help="shapes 학습 이미지 수 (기본 2000)")
    parser.add_argument("--lr", type=float, default=0.05, help="SGD 처음 learning rate (cosine으로 줄인다)")
    parser.add_argument("--batch-size", type=int, default=32,
                        help="mini-batch 크기 (기본 32: 작은 데이터에서 step 수를 늘린다)")
    parser.add_argument("--window", type=int, default=2, help="순서를 판정할 마지막 epoch 수 (training error 평균)")
    add_training_flags(parser)
    args = parse_args(parser, argv)
    shallow, deep = args.depths
    if not shallow < deep or any((d - 2) % 6 or d < 8 for d in args.depths):
        raise ValueError(f"--depths는 6n + 2 꼴의 두 깊이를 얕은 것부터: 받은 {args.depths}")

    device = choose_device(args.device)
    epochs = min(args.epochs, 2) if args.quick else args.epochs
    n_train = 256 if args.quick else args.n_train
    window = min(args.window, epochs)
    with Timer() as timer, limit_threads(args.threads):
        experiment = run_degradation(args.seed, depths=(shallow, deep), width=args.width, n_train=n_train,
                                     epochs=epochs, lr=args.lr, batch_size=args.batch_size, window=window,
                                     device=device, training=fit_options(args))
    histories, sizes, final = experiment["histories"], experiment["n_parameters"], experiment["final_train_error"]
    plain_gap = final[run_name(True, deep)] - final[run_name(True, shallow)]
    residual_gap = final[run_name(False, deep)] - final[run_name(False, shallow)]
    plot = plot_degradation(histories, (shallow, deep), f"{args.out}/degradation.png",
                            f"shapes {n_train}장, width {args.width}, {epochs} epoch, seed {args.seed}")
    result = {
        "model": f"plain vs ResNet ({shallow}/{deep} layers)", "level": "paper", "data": args.data,
        "metric": "plain_deep_minus_shallow_train_error", "value": plain_gap,
        "residual_deep_minus_shallow_train_error": residual_gap,
        "ordering_holds": bool(plain_gap > 0 and residual_gap <= 0),
        "final_train_error": final, "final_test_error": {n: 1 - h["test_acc"][-1] for n, h in histories.items()},
        "n_parameters": sizes, "histories": histories, "depths": [shallow, deep], "width": args.width,
        "epochs": epochs, "window": window, "n_train": n_train, "lr": args.lr,
        "batch_size": args.batch_size, "seed": args.seed,
        "device": str(device), "threads": args.threads, "seconds": timer.seconds, "plots": [str(plot)],
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
