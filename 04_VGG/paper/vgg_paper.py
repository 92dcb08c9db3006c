"""VGG 학습 스크립트 — `vgg.py`의 모델을 내장 shapes(또는 CIFAR-10)에서 학습하고 그림을 그린다.

모델은 `vgg.py`에 있다 (Simonyan & Zisserman 2015, Table 1; BN은 Ioffe & Szegedy 2015). 처방은 논문 Section 3.1의
SGD momentum 0.9, weight decay 5·10⁻⁴를 따르고, learning rate는 cosine으로 줄인다 (`utils.schedules.cosine_lr`).

실행 (기본: 내장 shapes 32×32, CIFAR head VGG-11-BN, width 0.25):
    python -m 04_VGG.paper.vgg_paper [--config A|B|D|E] [--no-bn] [--width 1.0] [--data shapes|cifar10] [--quick]
"""
from __future__ import annotations

import numpy as np
import torch

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
from utils.datasets import channel_standardize, load_cifar10, load_shapes
from utils.datasets.images import random_crop_flip_batches
from utils.schedules import cosine_lr
from utils.training import accuracy, evaluate, fit, make_optimizer

from .vgg import CONFIGS, DEPTH_NAMES, VGG, measure_receptive_fields, n_parameters, receptive_fields

DATA_CHOICES = ("shapes", "cifar10")
RUNS = ("shapes",)


# ---------------------------------------------------------------------------------------------------------
# 데이터, 그림, main
# ---------------------------------------------------------------------------------------------------------
def load_data(name: str, root: str, download: bool, seed: int, quick: bool):
    """(X_train, y_train, X_test, y_test, class_names) — 모두 [0, 1] float32 (N, 3, 32, 32)."""
    ds = load_shapes(seed=seed) if name == "shapes" else load_cifar10(root=root, download=download)
    X_train, y_train, X_test, y_test = ds.X_train, ds.y_train, ds.X_test, ds.y_test
    if quick:
        X_train, y_train, X_test, y_test = X_train[:512], y_train[:512], X_test[:200], y_test[:200]
    check_finite(X_train=X_train, X_test=X_test)
    return X_train, y_train, X_test, y_test, ds.info.get("class_names")


def plot_receptive_fields(out: str) -> str:
    """네 configuration의 층별 receptive field (해석적 선) + 잰 값 (점). 224 선은 논문의 입력 크기."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from utils.visualization import save_figure

    fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
    for key, name in DEPTH_NAMES.items():
        table = receptive_fields(key)
        depth = np.arange(1, len(table) + 1)
        line, = ax.plot(depth, [r for _, r, _ in table], label=f"{name} ({key}) 계산", linewidth=1.5)
        ax.plot(depth, measure_receptive_fields(key), "o", color=line.get_color(), markersize=3.5,
                markerfacecolor="none", label=f"{name} 잰 값 (gradient)")
    ax.axhline(224, color="0.5", linestyle="--", linewidth=1)
    ax.text(1, 230, "논문 입력 224×224", color="0.4", fontsize=8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(title="층마다의 receptive field r (3×3 conv: r += 2j,  2×2 pool: r += j, j ×= 2)",
           xlabel="층 (conv와 max-pool을 차례로 센 번호)", ylabel="receptive field (픽셀)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    return str(save_figure(fig, f"{out}/receptive_field.png"))


def save_plots(model: VGG, history, X_test_std: np.ndarray, images_test: np.ndarray, y_test, class_names,
               out: str) -> list[str]:
    from utils.visualization import plot_curves, plot_feature_maps, plot_image_grid, plot_weight_grid

    plots = [
        plot_curves({"train loss": history["train_loss"], "test loss": history["test_loss"]},
                    f"{out}/loss_curve.png", title="VGG 학습 곡선", ylabel="cross-entropy"),
        plot_curves({"train error": [1 - a for a in history["train_acc"]],
                     "test error": [1 - a for a in history["test_acc"]]},
                    f"{out}/error_curve.png", title="VGG error (train: augmentation된 batch, train 모드)",
                    ylabel="error"),
        plot_weight_grid(model.features[0].weight.detach().cpu(), f"{out}/conv1_filters.png",
                         title=f"첫 층 filter ({model.features[0].out_channels}개, 3×3, RGB)", ncols=8),
    ]
    label = class_names[int(y_test[0])] if class_names else str(int(y_test[0]))
    plots.append(plot_image_grid(images_test[:1], f"{out}/feature_input.png", labels=[label],
                                 title="feature map을 그린 test 이미지"))
    model.eval()
    with torch.no_grad():
        maps = model.feature_maps(torch.as_tensor(X_test_std[:1], device=next(model.parameters()).device))
    for name, value in maps.items():
        if not (name.startswith("pool") or name == "conv1_1"):          # 깊이마다 하나씩: 첫 conv와 각 pool 뒤
            continue
        if value.shape[-1] == 1:                                         # 1×1 map: channel 값들을 한 장의 격자로
            c = value.shape[1]
            cols = 16 if c % 16 == 0 else c
            m = value[0].reshape(1, c // cols, cols).cpu()               # (C, 1, 1) → (1, C/16, 16)
            title = f"{name} 출력 {tuple(value.shape[1:])}: {c}개 값을 {c // cols}×{cols} 격자로"
        else:
            m = value[0, :16].cpu()                                      # (16, H, W)
            title = f"{name} 출력 {tuple(value.shape[1:])}의 앞 {len(m)} channel"
        plots.append(plot_feature_maps(m, f"{out}/feature_maps_{name}.png", title=title))
    plots.append(plot_receptive_fields(out))
    return [str(p) for p in plots]


def main(argv=None) -> dict:
    parser = make_parser("04_VGG", "paper", "VGG (Simonyan & Zisserman 2015): 32×32 이미지 분류", DATA_CHOICES,
                         "shapes", default_epochs=8)
    parser.add_argument("--config", default="A", choices=sorted(CONFIGS),
                        help="Table 1 configuration (기본 A = VGG-11)")
    parser.add_argument("--no-bn", dest="batch_norm", action="store_false",
                        help="BatchNorm 없이 (논문 원래 모양). 기본은 conv → BN → ReLU")
    parser.add_argument("--width", type=float, default=0.25,
                        help="channel 배수 (논문 1.0; 기본 0.25는 CPU 몇 분 안에 학습하려는 것)")
    parser.add_argument("--lr", type=float, default=0.05,
                        help="SGD 처음 learning rate (epoch마다 cosine으로 줄인다: lr·½(1 + cos(π t/T)))")
    parser.add_argument("--batch-size", type=int, default=128, help="mini-batch 크기")
    parser.add_argument("--weight-decay", type=float, default=5e-4, help="L2 weight decay (논문 5·10⁻⁴)")
    add_training_flags(parser)
    args = parse_args(parser, argv)

    seed_everything(args.seed)
    device = choose_device(args.device)
    epochs = 1 if args.quick else args.epochs
    with Timer() as timer, limit_threads(args.threads):
        images_train, y_train, images_test, y_test, class_names = load_data(args.data, args.root, args.download,
                                                                            args.seed, args.quick)
        X_train, X_test, mean, std = channel_standardize(images_train, images_test)
        torch.manual_seed(args.seed)
        model = VGG(args.config, batch_norm=args.batch_norm, num_classes=10, head="cifar", width=args.width)
        model.to(device)
        initial_loss, _ = evaluate(model, X_train[:512], y_train[:512], metric=accuracy, device=device)
        optimizer = make_optimizer(model, "sgd", args.lr, weight_decay=args.weight_decay, momentum=0.9)
        history = fit(model, (X_train, y_train), (X_test, y_test), epochs=epochs, optimizer=optimizer,
                      batch_size=args.batch_size, schedule=cosine_lr(args.lr, epochs), augment=random_crop_flip_batches,
                      metric=accuracy, metric_name="acc", device=device, seed=args.seed, desc=f"vgg{args.config}/paper",
                      **fit_options(args))
    plots = save_plots(model, history, X_test, images_test, y_test, class_names, args.out)
    result = {
        "model": f"VGG-{args.config}{'-BN' if args.batch_norm else ''} (CIFAR head, width {args.width:g})",
        "level": "paper", "data": args.data, "metric": "test_accuracy", "value": history.last("test_acc"),
        "config": args.config, "batch_norm": args.batch_norm, "width": args.width, "device": str(device),
        "initial_loss": initial_loss, "train_loss_first": history["train_loss"][0],
        "train_loss_last": history.last("train_loss"), "train_error_last": 1 - history.last("train_acc"),
        "test_loss_last": history.last("test_loss"), "test_acc_per_epoch": history["test_acc"],
        "n_parameters": n_parameters(model), "epochs": epochs, "lr": args.lr, "batch_size": args.batch_size,
        "weight_decay": args.weight_decay, "threads": args.threads, "n_train": len(X_train),
        "train_seconds": history.last("seconds"), "seconds": timer.seconds, "plots": plots,
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
