"""raw tensor ViT(`vit_functions.py`)를 autograd와 AdamW로 학습한다 — 기본은 내장 digits 8×8, patch 2.

8×8 숫자 이미지를 2×2 patch 16개로 자르면 token 17개 (patch + [CLS])다. D = 32, 2층, head 2개면 몇 초에 끝난다.
parameter는 dict 안의 tensor이고, 학습 루프도 손으로 쓴다: forward → cross-entropy → backward → optimizer.step.
lr은 epoch마다 linear warm-up 뒤 cosine (`utils.schedules.warmup_cosine_lr`).

실행:  python -m 10_ViT.pytorch_lowlevel.vit_lowlevel [--quick] [--data digits|shapes] [--epochs N]
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.datasets import channel_standardize, load_digits, load_shapes
from utils.schedules import warmup_cosine_lr
from utils.training import History, make_optimizer

from .vit_functions import init_params, vit_forward

DATA_CHOICES = ("digits", "shapes")
RUNS = ("digits",)
PATCH = {"digits": 2, "shapes": 4}                   # 8×8 → 4×4 격자, 32×32 → 8×8 격자
# --quick의 마지막 줄: README의 전체 실행 (python -m 10_ViT.pytorch_lowlevel.vit_lowlevel, 40 epoch)에서 잰 값
QUICK_NOTE = ("smoke run: 학습 256장, 2 epoch로 코드 경로만 확인했다 (배우리라 기대하지 않는다). 전체 실행 "
              "(digits 1,437장, 40 epoch)의 test accuracy는 0.9528.")


@torch.no_grad()
def evaluate(params, X, y, patch, heads, batch=500) -> tuple[float, float]:
    losses, hits = 0.0, 0
    for i in range(0, len(X), batch):
        logits = vit_forward(params, X[i:i + batch], patch, heads)
        losses += float(F.cross_entropy(logits, y[i:i + batch], reduction="sum"))
        hits += int((logits.argmax(1) == y[i:i + batch]).sum())
    return losses / len(X), hits / len(X)


def main(argv=None) -> dict:
    parser = make_parser("10_ViT", "pytorch_lowlevel", "raw tensor ViT 학습 (함수 + parameter dict)", DATA_CHOICES,
                         "digits", default_epochs=40)
    parser.add_argument("--dim", type=int, default=32, help="D (기본 32)")
    parser.add_argument("--depth", type=int, default=2, help="encoder 층 수 (기본 2)")
    parser.add_argument("--heads", type=int, default=2, help="head 수 (기본 2)")
    parser.add_argument("--lr", type=float, default=3e-3, help="AdamW 최대 learning rate (기본 3e-3)")
    parser.add_argument("--weight-decay", type=float, default=0.05, help="AdamW weight decay (기본 0.05)")
    parser.add_argument("--batch-size", type=int, default=64, help="mini-batch 크기 (기본 64)")
    args = parse_args(parser, argv)
    epochs = min(args.epochs, 2) if args.quick else args.epochs
    patch = PATCH[args.data]

    seed_everything(args.seed)
    with Timer() as timer, limit_threads(args.threads):
        ds = load_digits(size=8, seed=args.seed) if args.data == "digits" else load_shapes(seed=args.seed)
        X_train, X_test, _, _ = channel_standardize(ds.X_train.astype("float32"), ds.X_test.astype("float32"))
        if args.quick:
            X_train, X_test = X_train[:256], X_test[:100]
        X_train, X_test = torch.from_numpy(X_train), torch.from_numpy(X_test)
        y_train = torch.from_numpy(ds.y_train[:len(X_train)].astype("int64"))
        y_test = torch.from_numpy(ds.y_test[:len(X_test)].astype("int64"))
        num_classes = int(max(y_train.max(), y_test.max())) + 1
        params = init_params(X_train.shape[-1], patch, num_classes, args.dim, args.depth, 2 * args.dim,
                             in_channels=X_train.shape[1], seed=args.seed)
        optimizer = make_optimizer(list(params.values()), "adamw", lr=args.lr, weight_decay=args.weight_decay)
        schedule = warmup_cosine_lr(args.lr, min(2, epochs - 1), epochs)
        generator = torch.Generator().manual_seed(args.seed)
        history = History()
        for epoch in range(epochs):
            for group in optimizer.param_groups:
                group["lr"] = schedule(epoch)
            order = torch.randperm(len(X_train), generator=generator)
            total = 0.0
            for begin in range(0, len(order), args.batch_size):
                index = order[begin:begin + args.batch_size]
                loss = F.cross_entropy(vit_forward(params, X_train[index], patch, args.heads), y_train[index])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                total += loss.item() * len(index)
            test_loss, test_acc = evaluate(params, X_test, y_test, patch, args.heads)
            history.log(lr=schedule(epoch), train_loss=total / len(X_train), test_loss=test_loss, test_acc=test_acc)
    from utils.visualization import plot_curves

    plots = [plot_curves({"train loss": history["train_loss"], "test loss": history["test_loss"]},
                         f"{args.out}/loss_curve.png", title="raw tensor ViT 학습 곡선", ylabel="cross-entropy")]
    result = {
        "model": f"ViT raw tensors (D={args.dim}, L={args.depth}, heads={args.heads}, P={patch})",
        "level": "pytorch_lowlevel", "data": args.data, "metric": "test_accuracy", "value": history.last("test_acc"),
        "train_loss_first": history["train_loss"][0], "train_loss_last": history.last("train_loss"),
        "n_parameters": int(sum(p.numel() for p in params.values())), "epochs": epochs,
        "n_train": len(X_train), "history": history.to_dict(), "seconds": timer.seconds,
        "plots": [Path(p).name for p in plots],
    }
    result = report(result, args.out)
    if args.quick:
        print(QUICK_NOTE)
    return result


if __name__ == "__main__":
    cli(main)
