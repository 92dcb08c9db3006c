"""작은 ViT를 처음부터 학습한다 — 내장 shapes(32×32, patch 4) 또는 digits, AdamW + warm-up·cosine.

모델: `vit.ViT` (Dosovitskiy et al. 2021). shapes의 기본 설정은 D = 64, L = 4, head 4개, MLP 128, patch 4 → token
8×8 + [CLS]. 처방은 이 장이 CPU에서 몇 분 안에 끝나도록 고른 것이고, 논문의 처방을 줄인 것이 아니다. 논문은
Adam (β = 0.9, 0.999), weight decay 0.1, batch 4096으로 사전학습하고 (Section 4.1, Appendix B.1), weight decay
0.05·AdamW는 작은 데이터에서 ViT를 학습한 DeiT (Touvron et al. 2021)의 설정이다. 여기서는 AdamW (weight decay
0.05; bias와 LayerNorm은 decay 없음 — `utils.training.make_optimizer`), lr 1e-3은 1 epoch linear warm-up 뒤
cosine, batch 32 (작은 batch = 같은 계산에 더 많은 update), random crop (4픽셀 padding)과 좌우 뒤집기.

digits (8×8 숫자를 32×32로 키운 1,437장)는 L2 (`pytorch_lowlevel/vit_lowlevel.py`)가 같은 이미지에서 잰 처방을
그대로 쓴다 (`RECIPES`): patch 8 (= 원래 pixel 2×2, 격자 4×4), D = 32, 2층, head 2개, lr 3e-3, batch 64, 40 epoch,
augmentation 없음. shapes의 처방을 그대로 쓰면 (patch 4 = 원래 pixel 하나, 720 step) 학습 loss가 1.8에 머물고
test accuracy가 0.29에 그친다 (measurements.md). 명령줄에 준 값은 언제나 처방보다 앞선다.

그림: 학습 곡선, 학습된 E_pos의 cosine 유사도 격자 (논문 Figure 7 가운데), patch embedding E의 filter와 주성분
(Figure 7 왼쪽), test 이미지의 attention rollout (Abnar & Zuidema 2020; 논문 Figure 6, Appendix D.8).

실제 데이터 (`--data cifar10`, `--data imagenette`; `--root`, `--download`): `--pretrained [NAME]`을 주면 처음부터
학습하지 않고 timm pretrained 가중치 (기본 vit_base_patch16_224; cache 또는 인터넷)를 `ViT.from_pretrained`로 받아
Section 3.2처럼 fine-tune한다: pre-training head를 떼고 0으로 초기화한 D × K head (`ViT.reset_head`), `--image-size`가
pretrained 해상도와 다르면 E_pos를 2D 보간 (`ViT.set_image_size`; 224보다 작게 하면 CPU에서도 돈다). 처방은 논문
Appendix B.1.1의 fine-tuning (momentum 0.9 SGD, weight decay 0, gradient norm 1에서 자르기, cosine)에서 batch만 줄였다
(`FINETUNE_RECIPE`). 이미지는 batch마다 `--image-size`로 키우고 pretrained 설정의 평균·표준편차로 정규화한다.
가중치나 데이터가 없으면 한 문장 + exit code 2. `--pretrained` 없이 주면 32×32로 처음부터 학습한다.

실행:  python -m 10_ViT.paper.vit_paper [--quick] [--data shapes|digits|cifar10|imagenette] [--epochs N]
       python -m 10_ViT.paper.vit_paper --data imagenette --pretrained [--image-size 224|160|…] [--download]
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

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
from utils.datasets import (
    channel_standardize,
    load_cifar10,
    load_digits,
    load_imagenette,
    load_shapes,
)
from utils.datasets.images import random_crop_flip_batches
from utils.schedules import warmup_cosine_lr
from utils.training import accuracy, evaluate, fit, make_optimizer

from .vit import ViT, attention_rollout, n_parameters

DATA_CHOICES = ("shapes", "digits", "cifar10", "imagenette")
REAL_DATA = ("cifar10", "imagenette")
RUNS = ("shapes", "digits")
DEFAULT_EPOCHS = 16
# 데이터마다의 기본 처방 (명령줄 값이 앞선다). digits는 L2 vit_lowlevel의 처방 (같은 이미지의 patch 내용이 같다).
SHAPES_RECIPE = {"patch": 4, "dim": 64, "depth": 4, "heads": 4, "mlp_ratio": 2, "lr": 1e-3, "batch_size": 32,
                 "epochs": DEFAULT_EPOCHS, "warmup": 1, "augment": True}
RECIPES = {"shapes": SHAPES_RECIPE, "cifar10": SHAPES_RECIPE, "imagenette": SHAPES_RECIPE,
           "digits": {"patch": 8, "dim": 32, "depth": 2, "heads": 2, "mlp_ratio": 2, "lr": 3e-3, "batch_size": 64,
                      "epochs": 40, "warmup": 2, "augment": False}}
# --pretrained의 fine-tuning 처방 (Appendix B.1.1: SGD momentum 0.9, weight decay 0, global norm 1에서 자르기,
# cosine; lr은 논문의 격자 {0.001, 0.003, 0.01, 0.03}의 하나, batch는 논문의 512 대신 CPU 메모리에 맞춘 32)
FINETUNE_RECIPE = {"lr": 0.01, "batch_size": 32, "epochs": 3, "warmup": 0, "image_size": 224}
PRETRAINED_DEFAULT = "vit_base_patch16_224"
INCEPTION_MEAN_STD = ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))             # timm vit_* pretrained 설정의 기본 전처리
# --quick의 마지막 줄: README 결과 표의 전체 실행 (python -m 10_ViT.paper.vit_paper [--data digits])에서 잰 값
FULL_RUN_ACCURACY = {"shapes": "0.9850", "digits": "0.9417"}


def quick_note(data: str) -> str:
    full = FULL_RUN_ACCURACY.get(data)
    reached = f"전체 실행의 test accuracy는 {full}." if full else "이 데이터의 전체 실행은 이 기계에서 재지 않았다."
    return f"smoke run: 학습 128장, 2 epoch로 코드 경로만 확인했다 (배우리라 기대하지 않는다). {reached}"


def apply_recipe(args) -> None:
    """명령줄에서 주지 않은 (None인) 처방 인자를 데이터의 기본 처방으로 채운다 (제자리)."""
    recipe = RECIPES[args.data]
    for name, value in recipe.items():
        if name != "augment" and getattr(args, name) is None:
            setattr(args, name, value)
    args.augment = recipe["augment"] and not args.no_augment


def load_data(args):
    """(X_train, y_train, X_test, y_test, 원본 test 이미지 [0, 1], class 이름). X는 채널별 표준화 float32."""
    if args.data == "shapes":
        ds = load_shapes(n_train=args.n_train, seed=args.seed)
    elif args.data == "digits":
        ds = load_digits(size=32, seed=args.seed)                       # (N, 1, 32, 32), 8×8을 bilinear로 키움
    elif args.data == "imagenette":
        ds = load_imagenette(args.root, args.download, image_size=32)
    else:
        ds = load_cifar10(args.root, args.download)
    X_train, y_train, X_test, y_test = ds.X_train, ds.y_train, ds.X_test, ds.y_test
    if args.quick:
        X_train, y_train, X_test, y_test = X_train[:128], y_train[:128], X_test[:100], y_test[:100]
    images_test = X_test.astype("float32")
    X_train, X_test, _, _ = channel_standardize(X_train.astype("float32"), X_test.astype("float32"))
    names = ds.info.get("class_names") if ds.info else None
    return X_train, y_train.astype("int64"), X_test, y_test.astype("int64"), images_test, names


def build_model(args, in_channels: int, num_classes: int) -> ViT:
    return ViT(image_size=32, patch_size=args.patch, num_classes=num_classes, dim=args.dim, depth=args.depth,
               heads=args.heads, mlp_dim=args.mlp_ratio * args.dim, in_channels=in_channels, pool=args.pool,
               dropout=args.dropout, drop_path=args.drop_path)


def main(argv=None) -> dict:
    parser = make_parser("10_ViT", "paper", "작은 ViT를 처음부터 학습 (Dosovitskiy et al. 2021)", DATA_CHOICES,
                         "shapes", default_epochs=DEFAULT_EPOCHS)
    parser.add_argument("--dim", type=int, default=None, help="D (token 폭; shapes 64, digits 32)")
    parser.add_argument("--depth", type=int, default=None, help="L (encoder 층 수; shapes 4, digits 2)")
    parser.add_argument("--heads", type=int, default=None, help="head 수 (shapes 4, digits 2)")
    parser.add_argument("--mlp-ratio", type=int, default=None, help="MLP hidden = mlp_ratio × D (기본 2)")
    parser.add_argument("--patch", type=int, default=None,
                        help="patch 크기 P (32의 약수; shapes 4 → 8×8 격자, digits 8 → 4×4 격자)")
    parser.add_argument("--pool", default="cls", choices=["cls", "avg"], help="[CLS] token 또는 patch 평균")
    parser.add_argument("--lr", type=float, default=None, help="AdamW 최대 learning rate (shapes 1e-3, digits 3e-3)")
    parser.add_argument("--weight-decay", type=float, default=0.05, help="AdamW decoupled weight decay (기본 0.05)")
    parser.add_argument("--warmup", type=int, default=None, help="linear warm-up epoch 수 (shapes 1, digits 2)")
    parser.add_argument("--batch-size", type=int, default=None, help="mini-batch 크기 (shapes 32, digits 64)")
    parser.add_argument("--dropout", type=float, default=0.0, help="dense 층 뒤 dropout (기본 0)")
    parser.add_argument("--drop-path", type=float, default=0.0, help="stochastic depth 마지막 층 확률 (기본 0)")
    parser.add_argument("--n-train", type=int, default=4000, help="shapes 학습 이미지 수 (기본 4000)")
    parser.add_argument("--no-augment", action="store_true",
                        help="crop·flip augmentation을 끈다 (shapes 비교용; digits는 기본이 끔)")
    parser.add_argument("--pretrained", nargs="?", const=PRETRAINED_DEFAULT, default=None, metavar="NAME",
                        help=f"--data cifar10|imagenette를 timm pretrained 가중치에서 fine-tune한다 (기본 "
                             f"{PRETRAINED_DEFAULT}; cache 또는 인터넷)")
    parser.add_argument("--image-size", type=int, default=None,
                        help="--pretrained의 입력 해상도 (기본 224; patch 크기의 배수, 다르면 E_pos를 보간)")
    parser.add_argument("--max-per-class", type=int, default=None,
                        help="--pretrained와 imagenette: class마다 앞의 이만큼만 읽는다 (메모리·시간)")
    parser.set_defaults(epochs=None)
    add_training_flags(parser)
    args = parse_args(parser, argv)
    if args.pretrained is not None:
        if args.data not in REAL_DATA:
            parser.error(f"--pretrained는 --data {' 또는 '.join(REAL_DATA)}와 함께 씁니다 (받은 --data {args.data})")
        return finetune_pretrained(args, parser.error)
    apply_recipe(args)
    if 32 % args.patch:
        parser.error(f"--patch {args.patch}는 32의 약수여야 합니다")
    epochs = min(args.epochs, 2) if args.quick else args.epochs

    seed_everything(args.seed)
    device = choose_device(args.device)
    with Timer() as timer, limit_threads(args.threads):
        X_train, y_train, X_test, y_test, images_test, names = load_data(args)
        torch.manual_seed(args.seed)
        num_classes = int(max(y_train.max(), y_test.max())) + 1
        model = build_model(args, X_train.shape[1], num_classes)
        optimizer = make_optimizer(model, "adamw", lr=args.lr, weight_decay=args.weight_decay)
        flip = args.data != "digits"

        def augment(X, rng):
            return random_crop_flip_batches(X, rng, pad=4, flip=flip)

        history = fit(model, (X_train, y_train), (X_test, y_test), epochs=epochs, optimizer=optimizer,
                      metric=accuracy, metric_name="acc", batch_size=args.batch_size,
                      schedule=warmup_cosine_lr(args.lr, min(args.warmup, epochs - 1), epochs),
                      augment=augment if args.augment else None, device=device, seed=args.seed,
                      desc=f"ViT {args.data}", **fit_options(args))
    plots = save_plots(model, history, X_test, images_test, y_test, names, args, device)
    result = {
        "model": f"ViT (D={args.dim}, L={args.depth}, heads={args.heads}, P={args.patch}, pool={args.pool})",
        "level": "paper", "data": args.data, "metric": "test_accuracy", "value": history.last("test_acc"),
        "train_loss_first": history["train_loss"][0], "train_loss_last": history.last("train_loss"),
        "test_loss_last": history.last("test_loss"), "n_parameters": n_parameters(model), "epochs": epochs,
        "lr": args.lr, "weight_decay": args.weight_decay, "warmup": args.warmup, "batch_size": args.batch_size,
        "drop_path": args.drop_path, "augment": args.augment, "n_train": len(X_train), "patch": args.patch,
        "device": str(device), "threads": args.threads, "history": history.to_dict(),
        "seconds": timer.seconds, "plots": plots,
        "position_similarity_by_distance": similarity_by_distance(position_similarity(model)),
    }
    result = report(result, args.out)
    if args.quick:
        print(quick_note(args.data))
    return result


# ---------------------------------------------------------------------------
# 실제 데이터에서 pretrained 가중치로 fine-tuning (Section 3.2)
# ---------------------------------------------------------------------------
class PretrainedInput(torch.nn.Module):
    """[0, 1] 이미지 batch를 pretrained 해상도로 키우고 (bilinear, antialias) 평균·표준편차로 정규화한 뒤 ViT에 넣는다.

    데이터는 작은 해상도로 메모리에 두고 batch마다 키운다 (CIFAR-10 50000장을 224×224 float로 두면 30 GB).
    """

    def __init__(self, vit: ViT, image_size: int, mean, std):
        super().__init__()
        self.vit, self.image_size = vit, image_size
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).reshape(1, -1, 1, 1))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).reshape(1, -1, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-2:] != (self.image_size, self.image_size):
            x = F.interpolate(x, size=(self.image_size, self.image_size), mode="bilinear", align_corners=False,
                              antialias=True)                                # (B, C, S, S)
        return self.vit((x - self.mean) / self.std)


def pretrained_mean_std(name: str):
    """timm 이름이면 그 pretrained 설정의 (mean, std), 아니면 (HF 이름·폴더) ViT의 기본 0.5, 0.5."""
    try:
        import timm.models

        cfg = timm.models.get_pretrained_cfg(name) if "/" not in name else None
    except (RuntimeError, ValueError):
        cfg = None
    return (tuple(cfg.mean), tuple(cfg.std)) if cfg is not None else INCEPTION_MEAN_STD


def finetune_pretrained(args, error) -> dict:
    """--pretrained: 실제 데이터를 읽고, pretrained ViT의 head를 갈고 (해상도가 다르면 E_pos를 보간해) fine-tune한다.

    error: 잘못된 명령줄 값을 한 문장으로 알리고 exit code 2로 끝내는 함수 (`parser.error`).
    """
    for name, value in FINETUNE_RECIPE.items():
        if getattr(args, name, None) is None:
            setattr(args, name, value)
    if args.image_size < 1 or (args.max_per_class is not None and args.max_per_class < 1):
        error(f"--image-size와 --max-per-class는 1 이상이어야 합니다 (받은 {args.image_size}, {args.max_per_class})")
    epochs = 1 if args.quick else args.epochs
    seed_everything(args.seed)
    device = choose_device(args.device)
    with Timer() as timer, limit_threads(args.threads):
        if args.data == "imagenette":
            ds = load_imagenette(args.root, args.download, image_size=args.image_size,
                                 max_per_class=args.max_per_class)
        else:
            ds = load_cifar10(args.root, args.download)
        X_train, y_train, X_test, y_test = ds.X_train, ds.y_train, ds.X_test, ds.y_test
        if args.quick:
            X_train, y_train, X_test, y_test = X_train[:128], y_train[:128], X_test[:100], y_test[:100]
        num_classes = len(ds.info["class_names"])
        vit = ViT.from_pretrained(args.pretrained)                           # 없으면 DatasetUnavailable → exit 2
        pretrained_size = vit.image_size
        if args.image_size % vit.patch_size:
            error(f"--image-size {args.image_size}는 patch 크기 {vit.patch_size}의 배수여야 합니다")
        vit.set_image_size(args.image_size).reset_head(num_classes)          # Section 3.2: E_pos 보간, 0 head
        model = PretrainedInput(vit, args.image_size, *pretrained_mean_std(args.pretrained))
        optimizer = make_optimizer(model, "sgd", lr=args.lr, momentum=0.9)
        rng_pad = max(1, X_train.shape[-1] // 8)

        def augment(X, rng):
            return random_crop_flip_batches(X, rng, pad=rng_pad, flip=True)

        history = fit(model, (X_train.astype("float32"), y_train.astype("int64")), epochs=epochs,
                      optimizer=optimizer, metric=accuracy, metric_name="acc", batch_size=args.batch_size,
                      schedule=warmup_cosine_lr(args.lr, min(args.warmup, epochs - 1), epochs),
                      augment=augment, clip_grad_norm=1.0, device=device, seed=args.seed,
                      desc=f"ViT fine-tune {args.data}", **fit_options(args))
        test_loss, test_acc = evaluate(model, X_test.astype("float32"), y_test.astype("int64"), metric=accuracy,
                                       batch_size=args.batch_size, device=device)
    from utils.visualization import plot_curves

    plots = [str(plot_curves({"train loss": history["train_loss"]}, f"{args.out}/loss_curve.png",
                             title=f"ViT fine-tuning ({args.data})", ylabel="cross-entropy"))]
    result = {
        "model": f"ViT fine-tuned from {args.pretrained} ({pretrained_size} → {args.image_size})",
        "level": "paper", "data": args.data, "metric": "test_accuracy", "value": float(test_acc),
        "test_loss": float(test_loss), "pretrained": args.pretrained, "pretrained_image_size": pretrained_size,
        "image_size": args.image_size, "num_classes": num_classes, "n_train": len(X_train), "n_test": len(X_test),
        "epochs": epochs, "lr": args.lr, "batch_size": args.batch_size, "n_parameters": n_parameters(vit),
        "device": str(device), "threads": args.threads, "history": history.to_dict(), "seconds": timer.seconds,
        "plots": plots,
    }
    return report(result, args.out)


# ---------------------------------------------------------------------------
# 그림
# ---------------------------------------------------------------------------
def position_similarity(model: ViT) -> np.ndarray:
    """E_pos의 patch 위치끼리 cosine 유사도 (h, w, h, w): [i, j]칸 = 위치 (i, j)와 모든 위치의 유사도."""
    g = model.grid_size
    pos = model.pos_embed.detach()[0, 1:].cpu()                             # (N, D): [CLS] 제외
    pos = F.normalize(pos, dim=-1)
    return (pos @ pos.T).reshape(g, g, g, g).numpy()                        # (h, w, h, w)


def similarity_by_distance(sim: np.ndarray) -> list[float]:
    """`position_similarity`의 (h, w, h, w)에서 격자 거리 d = |Δ행| + |Δ열| = 1, 2, …마다 평균 cosine 유사도.

    학습 전 E_pos는 서로 독립인 무작위 벡터라 모든 d에서 0 근처다. 2-D 구조를 배웠다면 d가 작을수록 크다.
    """
    h, w = sim.shape[:2]
    rows, cols = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    distance = (np.abs(rows[:, :, None, None] - rows[None, None]) +
                np.abs(cols[:, :, None, None] - cols[None, None]))          # (h, w, h, w)
    return [float(sim[distance == d].mean()) for d in range(1, h + w - 1)]


def patch_filter_components(model: ViT, k: int = 28) -> np.ndarray:
    """patch embedding E (D, C·P·P)의 주성분 k개를 (k, C, P, P) 이미지로 (논문 Figure 7 왼쪽)."""
    W = model.patch_embed.proj.weight.detach().cpu().double()              # (D, C·P·P)
    W = W - W.mean(dim=0, keepdim=True)
    _, _, Vt = torch.linalg.svd(W, full_matrices=False)                     # Vt: (C·P·P, C·P·P)
    P, C = model.patch_size, model.in_channels
    k = min(k, Vt.shape[0])
    return Vt[:k].reshape(k, C, P, P).numpy()


def rollout_maps(model: ViT, x: torch.Tensor) -> np.ndarray:
    """test 이미지마다 [CLS] → patch rollout 지도 (B, h, w), 최댓값 1로."""
    model.eval()
    rollout = attention_rollout(model.attention_maps(x))                    # (B, T, T)
    g = model.grid_size
    maps = rollout[:, 0, 1:].reshape(-1, g, g)                              # (B, h, w)
    return (maps / maps.amax(dim=(1, 2), keepdim=True)).cpu().numpy()


def save_plots(model, history, X_test, images_test, y_test, names, args, device) -> list[str]:
    import matplotlib.pyplot as plt

    from utils.visualization import plot_curves, plot_weight_grid, save_figure

    out = args.out
    plots = [plot_curves({"train loss": history["train_loss"], "test loss": history["test_loss"]},
                         f"{out}/loss_curve.png", title="ViT 학습 곡선", ylabel="cross-entropy")]
    sim = position_similarity(model)                                        # (h, w, h, w)
    g = sim.shape[0]
    fig, axes = plt.subplots(g, g, figsize=(1.0 * g, 1.0 * g), layout="constrained")
    for i in range(g):
        for j in range(g):
            axes[i, j].imshow(sim[i, j], vmin=-1, vmax=1, cmap="viridis")
            axes[i, j].set_xticks([])
            axes[i, j].set_yticks([])
    fig.suptitle("E_pos cosine 유사도: 칸 (행, 열) = 그 patch 위치와 모든 위치")
    plots.append(save_figure(fig, f"{out}/position_similarity.png"))
    W = model.patch_embed.proj.weight.detach().cpu().reshape(-1, model.in_channels, args.patch, args.patch)
    plots.append(plot_weight_grid(W[:32], f"{out}/patch_filters.png", title="patch embedding E의 filter 32개"))
    plots.append(plot_weight_grid(patch_filter_components(model), f"{out}/patch_filter_components.png",
                                  title="E의 주성분 (Figure 7 왼쪽처럼)"))
    n = 8
    x = torch.from_numpy(X_test[:n]).to(device)
    with torch.no_grad():
        predicted = model(x).argmax(1).cpu().numpy()
    maps = rollout_maps(model, x)
    fig, axes = plt.subplots(2, n, figsize=(1.6 * n, 3.6), layout="constrained")
    for i in range(n):
        image = images_test[i].transpose(1, 2, 0)
        image = image[..., 0] if image.shape[-1] == 1 else np.clip(image, 0, 1)
        label = names[y_test[i]] if names else str(y_test[i])
        guess = names[predicted[i]] if names else str(predicted[i])
        axes[0, i].imshow(image, cmap="gray" if image.ndim == 2 else None)
        axes[0, i].set_title(f"{label}\n예측 {guess}", fontsize=7)
        axes[1, i].imshow(maps[i], cmap="inferno", vmin=0, vmax=1)
        for ax in axes[:, i]:
            ax.axis("off")
    fig.suptitle("attention rollout: [CLS]가 각 patch에서 받은 몫 (아래)")
    plots.append(save_figure(fig, f"{out}/attention_rollout.png"))
    return [str(p) for p in plots]


if __name__ == "__main__":
    cli(main)
