"""CIFAR ResNet 학습 스크립트 — `resnet.py`의 모델을 내장 shapes(또는 CIFAR-10, 논문 처방)에서 학습한다.

모델은 `resnet.py`에 있다 (He, Zhang, Ren & Sun 2015, Section 4.2).

실행 (기본은 내장 shapes 데이터에서 ResNet-20):
    python -m 05_ResNet.paper.resnet_paper [--depth 20|32|44|56|110] [--shortcut A|B|C] [--plain]
                                           [--data shapes|cifar10] [--quick]
`--data cifar10`은 논문의 처방(Section 4.2)을 기본값으로 쓴다: SGD lr 0.1, momentum 0.9, weight decay 1e-4,
batch 128, 64k iteration(= 164 epoch) 중 32k·48k iteration(= 82·123 epoch)에서 lr /10, 4픽셀 padding crop + 좌우 뒤집기.
논문은 이 schedule(멈출 때 64k)을 45k/5k train/val split에서 정했다고 적는다;
그 뒤 50k 전체로 학습하고 test set에서 잰다.
여기서는 split 없이 50k 전체로 학습한다.
"""
from __future__ import annotations

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
from utils.core import Timer, limit_threads
from utils.datasets import channel_standardize, load_cifar10, load_shapes
from utils.datasets.images import random_crop_flip_batches
from utils.schedules import cosine_lr, multistep_lr
from utils.training import accuracy, fit, make_optimizer

from .resnet import CIFAR_DEPTHS, SHORTCUTS, cifar_resnet, n_parameters

# ---------------------------------------------------------------------------------------------------------
# 학습 스크립트: 내장 shapes (기본) 또는 CIFAR-10 (논문 처방)
# ---------------------------------------------------------------------------------------------------------
DATA_CHOICES = ("shapes", "cifar10")
RUNS = ("shapes",)
CIFAR_EPOCHS = 164                       # 64k iteration × 128 / 50k 이미지 ≈ 164 epoch (Section 4.2)
CIFAR_MILESTONES = (82, 123)             # 32k, 48k iteration ≈ epoch 82, 123
SHAPES_EPOCHS = 6
NUM_CLASSES = 10                         # shapes와 CIFAR-10 모두 10 class


def load_data(args):
    """(X_train, y_train, X_test, y_test, 원본 test 이미지). X는 채널별 표준화된 float32 (N, 3, 32, 32)."""
    if args.data == "shapes":
        ds = load_shapes(n_train=args.n_train, seed=args.seed)
    else:
        ds = load_cifar10(args.root, args.download)
    X_train, y_train, X_test, y_test = ds.X_train, ds.y_train, ds.X_test, ds.y_test
    if args.quick:
        X_train, y_train, X_test, y_test = X_train[:256], y_train[:256], X_test[:200], y_test[:200]
    images_test = X_test
    X_train, X_test, _, _ = channel_standardize(X_train.astype("float32"), X_test.astype("float32"))
    return X_train, y_train.astype("int64"), X_test, y_test.astype("int64"), images_test


def main(argv=None) -> dict:
    parser = make_parser("05_ResNet", "paper", "CIFAR ResNet (He et al. 2015, Section 4.2). --epochs를 주지 않으면 "
                         f"shapes {SHAPES_EPOCHS}, cifar10 {CIFAR_EPOCHS} (논문 처방)", DATA_CHOICES, "shapes",
                         default_epochs=SHAPES_EPOCHS)
    parser.add_argument("--depth", type=int, default=20, choices=sorted(CIFAR_DEPTHS), help="6n + 2 (기본 20)")
    parser.add_argument("--shortcut", default="A", choices=SHORTCUTS,
                        help="A: 0 padding identity (논문 CIFAR 기본), B: 차원이 바뀔 때만 projection, "
                             "C: 모두 projection")
    parser.add_argument("--plain", action="store_true", help="shortcut을 뺀 plain net (Fig. 6 왼쪽)")
    parser.add_argument("--lr", type=float, default=0.1, help="SGD 처음 learning rate (논문 0.1)")
    parser.add_argument("--momentum", type=float, default=0.9, help="SGD momentum (논문 0.9)")
    parser.add_argument("--weight-decay", type=float, default=1e-4, help="weight decay (논문 1e-4)")
    parser.add_argument("--batch-size", type=int, default=128, help="mini-batch 크기 (논문 128)")
    parser.add_argument("--milestones", type=int, nargs="*", default=None,
                        help="lr을 /10 하는 epoch들. cifar10 기본은 82 123 (논문의 32k·48k iteration); "
                             "shapes 기본은 비워 두고 cosine schedule")
    parser.add_argument("--n-train", type=int, default=4000, help="shapes 학습 이미지 수 (기본 4000)")
    parser.set_defaults(epochs=None)        # None = 주지 않음: 데이터에 따라 아래에서 정한다
    add_training_flags(parser)
    args = parse_args(parser, argv)
    if args.epochs is None:
        args.epochs = CIFAR_EPOCHS if args.data == "cifar10" else SHAPES_EPOCHS   # cifar10: 논문의 64k iteration
    if args.milestones is None and args.data == "cifar10":
        args.milestones = list(CIFAR_MILESTONES)

    seed_everything(args.seed)
    device = choose_device(args.device)
    epochs = min(args.epochs, 2) if args.quick else args.epochs
    with Timer() as timer, limit_threads(args.threads):
        X_train, y_train, X_test, y_test, images_test = load_data(args)
        torch.manual_seed(args.seed)
        model = cifar_resnet(args.depth, NUM_CLASSES, args.shortcut, residual=not args.plain)
        schedule = (multistep_lr(args.lr, args.milestones) if args.milestones
                    else cosine_lr(args.lr, epochs))
        optimizer = make_optimizer(model, "sgd", args.lr, weight_decay=args.weight_decay, momentum=args.momentum)
        history = fit(model, (X_train, y_train), (X_test, y_test), epochs=epochs, optimizer=optimizer,
                      batch_size=args.batch_size, schedule=schedule, augment=random_crop_flip_batches, metric=accuracy,
                      metric_name="acc", device=device, seed=args.seed, desc=f"resnet{args.depth}",
                      **fit_options(args))
    plots = save_plots(model, history, X_test, images_test, y_test, args, device)
    name = f"{'Plain' if args.plain else 'ResNet'}-{args.depth}"
    result = {
        "model": f"{name} (CIFAR, shortcut {args.shortcut})", "level": "paper", "data": args.data,
        "metric": "test_accuracy", "value": history.last("test_acc"), "test_error": 1 - history.last("test_acc"),
        "train_error_last": 1 - history.last("train_acc"), "train_loss_first": history["train_loss"][0],
        "train_loss_last": history.last("train_loss"), "n_parameters": n_parameters(model), "depth": args.depth,
        "shortcut": args.shortcut, "plain": args.plain, "epochs": epochs, "lr": args.lr,
        "momentum": args.momentum, "weight_decay": args.weight_decay, "batch_size": args.batch_size,
        "milestones": args.milestones, "n_train": len(X_train), "device": str(device), "threads": args.threads,
        "history": history.to_dict(), "seconds": timer.seconds, "plots": plots,
    }
    return report(result, args.out)


def save_plots(model, history, X_test, images_test, y_test, args, device) -> list[str]:
    from utils.visualization import plot_curves, plot_feature_maps, plot_misclassified

    out = args.out
    plots = [
        plot_curves({"train error": [1 - a for a in history["train_acc"]],
                     "test error": [1 - a for a in history["test_acc"]]},
                    f"{out}/error_curve.png", title=f"ResNet-{args.depth} 오류율", ylabel="error"),
        plot_curves({"train loss": history["train_loss"], "test loss": history["test_loss"]},
                    f"{out}/loss_curve.png", title=f"ResNet-{args.depth} 학습 곡선", ylabel="cross-entropy"),
    ]
    model.eval()
    with torch.no_grad():
        x = torch.from_numpy(X_test[:1]).to(device)
        feats = model.features(x)
        predicted = torch.cat([model(torch.from_numpy(X_test[i:i + 500]).to(device)).argmax(1)
                               for i in range(0, len(X_test), 500)]).cpu().numpy()
    for name in ("layer1", "layer3"):
        maps = feats[name][0].cpu()
        plots.append(plot_feature_maps(maps[:16], f"{out}/feature_maps_{name}.png",
                                       title=f"{name} feature map {tuple(maps.shape)} 중 16개"))
    wrong = plot_misclassified(images_test, y_test, predicted, f"{out}/misclassified.png")
    plots += [wrong] if wrong else []
    return [str(p) for p in plots]


if __name__ == "__main__":
    cli(main)
