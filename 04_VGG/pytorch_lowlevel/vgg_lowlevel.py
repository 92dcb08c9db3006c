"""VGG block과 Batch Normalization — PyTorch raw tensor + autograd (nn.Module 층 없음).

논문: K. Simonyan & A. Zisserman (2015), "Very Deep Convolutional Networks for Large-Scale Image Recognition",
ICLR, Section 2.1 (3×3 conv stack + 2×2 max-pool) / S. Ioffe & C. Szegedy (2015), "Batch Normalization:
Accelerating Deep Network Training by Reducing Internal Covariate Shift", ICML, Algorithm 1 (forward),
Section 3 (backward의 chain rule), Algorithm 2 (추론 때의 population 통계), Section 3.2 (conv에서는 channel마다).

이 장이 가르치는 연산은 Batch Normalization이므로 `F.batch_norm`을 부르지 않고 직접 쓴다. conv는 03장에서
손으로 썼으므로 여기서는 `F.conv2d`, `F.max_pool2d`를 쓴다.

Batch Normalization (channel c마다, 축 (N, H, W)의 M = N·H·W개 값에 대해):
    학습(train) 모드:  μ = (1/M) Σ x,   σ² = (1/M) Σ (x − μ)²           (biased, 1/M — 정규화에 쓰는 분산)
                      x̂ = (x − μ) / sqrt(σ² + ε),   y = γ·x̂ + β
                      running_mean ← (1 − m)·running_mean + m·μ
                      running_var  ← (1 − m)·running_var  + m·σ²·M/(M − 1)   (unbiased, 1/(M−1) — PyTorch 관례)
    평가(eval) 모드:   y = γ·(x − running_mean) / sqrt(running_var + ε) + β    (batch와 무관한 affine 변환)
    momentum m = 0.1, ε = 1e-5 (PyTorch 기본값). 주의: PyTorch의 momentum은 **새 값의 비율**이다 (Keras·TF는 반대로
    옛 값의 비율 0.99를 momentum이라 부른다).
    backward (theory.md §3에서 유도, `BatchNormFunction.backward`):
        g = ∂L/∂y,   ∂L/∂β = Σ g,   ∂L/∂γ = Σ g·x̂
        ∂L/∂x = (γ / sqrt(σ² + ε)) · ( g − mean(g) − x̂·mean(g·x̂) )           (mean은 channel마다 (N, H, W) 평균)
테스트가 값·gradient·running 통계를 `F.batch_norm`과 (train, eval 두 모드에서) 비교하고, 손으로 쓴 backward를
`torch.autograd.gradcheck`(float64)로 확인한다.

VGG block (Section 2.1): [3×3 conv (padding 1) → BN → ReLU] × n → 2×2 max-pool. 파라미터는 plain tensor dict:
    "conv{s}_{i}.W" (C_out, C_in, 3, 3)   "conv{s}_{i}.b" (C_out,)   "conv{s}_{i}.gamma", ".beta" (C_out,)
    "fc.W" (C, num_classes)  "fc.b" (num_classes,)       — dense weight는 02·03장처럼 (in, out), x @ W
BN의 running 통계는 학습되지 않으므로 따로 `buffers` dict에 둔다: "conv{s}_{i}.running_mean", ".running_var".
모델은 32×32 입력용 CIFAR head (다섯 번 pool 뒤 1×1×C → Linear)이고, paper 레벨의 `VGG(head="cifar")`와 같은 가중치에서
같은 출력을 낸다 (test_lowlevel.py).

실행:  python -m 04_VGG.pytorch_lowlevel.vgg_lowlevel [--config A|B|D|E] [--width 0.25] [--data shapes|cifar10]
                                                    [--quick]
"""
from __future__ import annotations

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
from utils.core import Timer, check_finite, limit_threads
from utils.datasets import channel_standardize, load_cifar10, load_shapes
from utils.datasets.images import random_crop_flip_batches
from utils.schedules import cosine_lr
from utils.training import accuracy, evaluate, fit, make_optimizer

DATA_CHOICES = ("shapes", "cifar10")
RUNS = ("shapes",)
MOMENTUM, EPS = 0.1, 1e-5                               # PyTorch BatchNorm2d의 기본값

# Simonyan & Zisserman (2015) Table 1. 숫자 = conv3 출력 channel, "M" = 2×2 max-pool.
CONFIGS = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def check_images(x, name: str, channels: int | None = None) -> None:
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise ValueError(f"{name} 입력은 float tensor여야 합니다: 받은 {type(x).__name__} {getattr(x, 'dtype', '')}")
    if x.ndim != 4 or (channels is not None and x.shape[1] != channels):
        expected = f"(N, {channels if channels is not None else 'C'}, H, W)"
        raise ValueError(f"{name} 입력은 shape {expected}이어야 합니다: 받은 shape {tuple(x.shape)}")


# ---------------------------------------------------------------------------------------------------------
# Batch Normalization: 손으로 쓴 forward와 backward
# ---------------------------------------------------------------------------------------------------------
def batch_statistics(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """channel마다 batch 평균과 biased 분산 (1/M). x (N, C, H, W) → (C,), (C,)."""
    mean = x.mean(dim=(0, 2, 3))                                              # (C,)
    var = ((x - mean[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))          # (C,), 1/M
    return mean, var


class BatchNormFunction(torch.autograd.Function):
    """학습 모드 BN의 forward와 **손으로 유도한** backward. apply(x, gamma, beta, eps) → y.

    forward는 backward에 필요한 x̂와 1/sqrt(σ² + ε)만 저장한다 (x, μ를 다시 계산하지 않는다).
    """

    @staticmethod
    def forward(ctx, x, gamma, beta, eps):
        mean, var = batch_statistics(x)                                       # (C,), (C,)
        inv_std = torch.rsqrt(var + eps)                                      # (C,)
        x_hat = (x - mean[None, :, None, None]) * inv_std[None, :, None, None]  # (N, C, H, W)
        ctx.save_for_backward(x_hat, gamma, inv_std)
        return gamma[None, :, None, None] * x_hat + beta[None, :, None, None]

    @staticmethod
    def backward(ctx, g):
        x_hat, gamma, inv_std = ctx.saved_tensors
        axes = (0, 2, 3)                                                      # channel 하나의 N·H·W개 값
        dbeta = g.sum(dim=axes)                                               # (C,)
        dgamma = (g * x_hat).sum(dim=axes)                                    # (C,)
        # ∂L/∂x = γ/σ · (g − mean(g) − x̂·mean(g·x̂)) — μ와 σ²도 x의 함수라서 생기는 두 보정항 (theory.md §3)
        mean_g = g.mean(dim=axes, keepdim=True)                               # (1, C, 1, 1)
        mean_gx = (g * x_hat).mean(dim=axes, keepdim=True)                    # (1, C, 1, 1)
        dx = (gamma * inv_std)[None, :, None, None] * (g - mean_g - x_hat * mean_gx)
        return dx, dgamma, dbeta, None                                        # eps에는 gradient 없음


def batch_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, running_mean: torch.Tensor,
               running_var: torch.Tensor, training: bool, momentum: float = MOMENTUM, eps: float = EPS) -> torch.Tensor:
    """`F.batch_norm(x, running_mean, running_var, gamma, beta, training, momentum, eps)`와 같은 계산.

    training=True: batch 통계로 정규화하고(손 backward), running 통계를 **제자리에서** 갱신한다 (unbiased 분산).
    training=False: running 통계로 정규화한다 — batch의 다른 샘플과 무관한 affine 변환.
    """
    check_images(x, "batch_norm", channels=gamma.shape[0])
    if training:
        n_values = x.shape[0] * x.shape[2] * x.shape[3]                       # M = N·H·W
        if n_values < 2:
            raise ValueError(f"학습 모드 BN은 channel마다 값이 2개 이상 필요합니다 (unbiased 분산): "
                             f"받은 shape {tuple(x.shape)}")
        with torch.no_grad():
            mean, var = batch_statistics(x)
            running_mean.mul_(1 - momentum).add_(momentum * mean)
            running_var.mul_(1 - momentum).add_(momentum * var * n_values / (n_values - 1))
        return BatchNormFunction.apply(x, gamma, beta, eps)
    inv_std = torch.rsqrt(running_var + eps)                                  # (C,)
    x_hat = (x - running_mean[None, :, None, None]) * inv_std[None, :, None, None]
    return gamma[None, :, None, None] * x_hat + beta[None, :, None, None]


# ---------------------------------------------------------------------------------------------------------
# VGG: params dict + 함수
# ---------------------------------------------------------------------------------------------------------
def conv_names(config) -> list[list[str]]:
    """config → stage마다 conv 이름 목록: [["conv1_1"], ["conv2_1"], ["conv3_1", "conv3_2"], ...]."""
    stages, current = [], []
    for v in config:
        if v == "M":
            stages.append(current)
            current = []
        else:
            current.append(f"conv{len(stages) + 1}_{len(current) + 1}")
    if current:
        raise ValueError(f"config는 max-pool('M')로 끝나야 합니다 (VGG stage = conv n개 + pool): {config}")
    return stages


def scaled_config(config: str, width: float) -> list:
    if config not in CONFIGS:
        raise ValueError(f"config는 {sorted(CONFIGS)} 중 하나여야 합니다: {config!r}")
    if not width > 0:
        raise ValueError(f"width는 양수여야 합니다: {width}")
    return [v if v == "M" else max(1, int(round(v * width))) for v in CONFIGS[config]]


def init_params(config="A", num_classes: int = 10, width: float = 1.0, seed: int = 0, dtype=torch.float32,
                device="cpu") -> tuple[dict, dict]:
    """(params, buffers). conv W ~ N(0, 2/fan_out) (Kaiming, fan_out), b = 0, γ = 1, β = 0, fc W ~ N(0, 0.01²).

    running_mean = 0, running_var = 1 (PyTorch와 같은 시작값). params는 requires_grad=True leaf tensor.
    """
    layers = scaled_config(config, width) if isinstance(config, str) else list(config)
    generator = torch.Generator().manual_seed(seed)
    params, buffers, channels = {}, {}, 3
    names = iter(name for stage in conv_names(layers) for name in stage)
    for v in layers:
        if v == "M":
            continue
        name = next(names)
        std = (2.0 / (v * 9)) ** 0.5                                              # fan_out = C_out·3·3
        params[f"{name}.W"] = torch.randn(v, channels, 3, 3, generator=generator, dtype=dtype) * std
        params[f"{name}.b"] = torch.zeros(v, dtype=dtype)
        params[f"{name}.gamma"] = torch.ones(v, dtype=dtype)
        params[f"{name}.beta"] = torch.zeros(v, dtype=dtype)
        buffers[f"{name}.running_mean"] = torch.zeros(v, dtype=dtype)
        buffers[f"{name}.running_var"] = torch.ones(v, dtype=dtype)
        channels = v
    params["fc.W"] = torch.randn(channels, num_classes, generator=generator, dtype=dtype) * 0.01
    params["fc.b"] = torch.zeros(num_classes, dtype=dtype)
    params = {k: v.to(device).requires_grad_() for k, v in params.items()}
    buffers = {k: v.to(device) for k, v in buffers.items()}
    return params, buffers


def vgg_block(x: torch.Tensor, params: dict, buffers: dict, names: list[str], training: bool) -> torch.Tensor:
    """한 stage: [3×3 conv (padding 1) → BN → ReLU] × len(names) → 2×2 max-pool. (N, C, H, W) → (N, C', H/2, W/2)."""
    for name in names:
        x = F.conv2d(x, params[f"{name}.W"], params[f"{name}.b"], padding=1)        # (N, C', H, W) 크기 유지
        x = batch_norm(x, params[f"{name}.gamma"], params[f"{name}.beta"], buffers[f"{name}.running_mean"],
                       buffers[f"{name}.running_var"], training)
        x = torch.relu(x)
    return F.max_pool2d(x, kernel_size=2, stride=2)                                # (N, C', H/2, W/2)


def stage_names(params: dict) -> list[list[str]]:
    """params의 key에서 stage별 conv 이름을 복원한다 ("conv3_2.W" → stage 3의 두 번째 conv)."""
    convs = sorted({key.split(".")[0] for key in params if key.startswith("conv")},
                   key=lambda n: tuple(int(t) for t in n[4:].split("_")))
    stages: dict[int, list[str]] = {}
    for name in convs:
        stages.setdefault(int(name[4:].split("_")[0]), []).append(name)
    return [stages[s] for s in sorted(stages)]


def forward(params: dict, buffers: dict, x: torch.Tensor, training: bool = False, keep: bool = False):
    """x (N, 3, 32, 32) → logits (N, num_classes). keep=True면 stage별 출력 dict도 돌려준다."""
    check_images(x, "VGG", channels=params["conv1_1.W"].shape[1])
    stages = stage_names(params)
    if tuple(x.shape[2:]) != (2 ** len(stages),) * 2:
        side = 2 ** len(stages)
        raise ValueError(f"CIFAR head VGG 입력은 shape (N, 3, {side}, {side})이어야 합니다 "
                         f"(pool {len(stages)}번 뒤 1×1): 받은 shape {tuple(x.shape)}")
    outputs = {}
    for index, names in enumerate(stages, start=1):
        x = vgg_block(x, params, buffers, names, training)
        outputs[f"pool{index}"] = x
    features = x.flatten(1)                                                       # (N, C, 1, 1) → (N, C)
    logits = features @ params["fc.W"] + params["fc.b"]                           # (N, num_classes)
    return (logits, outputs) if keep else logits


class LowLevelVGG:
    """params/buffers dict를 `utils.training.fit`이 부르는 모양(model(x), parameters(), train(),
    eval(), to())으로 감싼 얇은 어댑터. nn.Module이 아니다: 층도 hook도 없이 위의 `forward` 함수를 부를 뿐이다."""

    def __init__(self, params: dict, buffers: dict):
        self.params, self.buffers, self.training = params, buffers, True

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return forward(self.params, self.buffers, x, training=self.training)

    def parameters(self):
        return list(self.params.values())

    def train(self, mode: bool = True) -> LowLevelVGG:
        self.training = mode
        return self

    def eval(self) -> LowLevelVGG:
        return self.train(False)

    def state_dict(self) -> dict:                       # checkpoint (fit의 --resume)에 쓰는 tensor 전부
        return {**{f"params.{k}": v for k, v in self.params.items()},
                **{f"buffers.{k}": v for k, v in self.buffers.items()}}

    def load_state_dict(self, state: dict) -> None:
        with torch.no_grad():
            for name, table in (("params", self.params), ("buffers", self.buffers)):
                for k, v in table.items():
                    v.copy_(state[f"{name}.{k}"])

    def to(self, device) -> LowLevelVGG:
        device = torch.device(device)
        if any(p.device != device for p in self.params.values()):
            raise ValueError(f"params가 {device}에 있어야 합니다: init_params(device=...)로 만드세요")
        return self


# ---------------------------------------------------------------------------------------------------------
# 학습 (paper 레벨과 같은 처방: SGD + momentum 0.9, weight decay 5e-4, cosine lr, crop+flip)
# ---------------------------------------------------------------------------------------------------------
def save_plots(model: LowLevelVGG, history, X_test, out: str) -> list[str]:
    from utils.visualization import plot_curves, plot_weight_grid

    plots = [plot_curves({"train loss": history["train_loss"], "test loss": history["test_loss"]},
                         f"{out}/loss_curve.png", title="VGG (low-level, 손 BN) 학습 곡선", ylabel="cross-entropy"),
             plot_weight_grid(model.params["conv1_1.W"].detach().cpu(), f"{out}/conv1_filters.png",
                              title="첫 층 filter (3×3, RGB)", ncols=8)]
    # BN의 두 모드: eval 모드가 쓰는 running 통계(학습 중의 이동 평균)와, 같은 conv1_1 출력을 test batch의 통계로 본 값
    with torch.no_grad():
        x = torch.as_tensor(X_test[:256])
        z = F.conv2d(x, model.params["conv1_1.W"], model.params["conv1_1.b"], padding=1)    # (256, C, 32, 32)
        batch_mean, batch_var = batch_statistics(z)
    pairs = {"평균 μ": (batch_mean, model.buffers["conv1_1.running_mean"]),
             "분산 σ²": (batch_var, model.buffers["conv1_1.running_var"])}
    plots.append(_plot_bn_statistics(pairs, f"{out}/bn_statistics.png"))
    return [str(p) for p in plots]


def _plot_bn_statistics(pairs: dict, path: str) -> str:
    """conv1_1 channel마다 running 통계와 test batch 256장의 통계를 막대로 나란히 그린다."""
    import matplotlib.pyplot as plt
    import numpy as np

    from utils.visualization import save_figure

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained")
    for ax, (title, (batch, running)) in zip(axes, pairs.items()):
        channels = np.arange(len(batch))
        ax.bar(channels - 0.2, batch.cpu().numpy(), width=0.4, label="test batch (train 모드가 쓰는 값)")
        ax.bar(channels + 0.2, running.cpu().numpy(), width=0.4, label="running (eval 모드가 쓰는 값)")
        ax.set(title=f"conv1_1 channel별 {title}", xlabel="channel")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    return str(save_figure(fig, path))


def main(argv=None) -> dict:
    parser = make_parser("04_VGG", "pytorch_lowlevel", "VGG block + 손으로 쓴 Batch Normalization (raw tensor)",
                         DATA_CHOICES, "shapes", default_epochs=8)
    parser.add_argument("--config", default="A", choices=sorted(CONFIGS),
                        help="Table 1 configuration (기본 A = VGG-11)")
    parser.add_argument("--width", type=float, default=0.25, help="channel 배수 (논문 1.0)")
    parser.add_argument("--lr", type=float, default=0.05,
                        help="SGD 처음 learning rate (epoch마다 cosine으로 줄인다: lr·½(1 + cos(π t/T)))")
    parser.add_argument("--batch-size", type=int, default=128, help="mini-batch 크기")
    parser.add_argument("--weight-decay", type=float, default=5e-4, help="L2 weight decay")
    add_training_flags(parser)
    args = parse_args(parser, argv)

    seed_everything(args.seed)
    device = choose_device(args.device)
    epochs = 1 if args.quick else args.epochs
    with Timer() as timer, limit_threads(args.threads):
        ds = load_shapes(seed=args.seed) if args.data == "shapes" else load_cifar10(args.root, args.download)
        X_train, y_train, X_test, y_test = ds.X_train, ds.y_train, ds.X_test, ds.y_test
        if args.quick:
            X_train, y_train, X_test, y_test = X_train[:512], y_train[:512], X_test[:200], y_test[:200]
        check_finite(X_train=X_train, X_test=X_test)
        X_train, X_test, _, _ = channel_standardize(X_train, X_test)
        params, buffers = init_params(args.config, 10, args.width, seed=args.seed, device=device)
        model = LowLevelVGG(params, buffers)
        initial_loss, _ = evaluate(model, X_train[:512], y_train[:512], metric=accuracy, device=device)
        optimizer = make_optimizer(model, "sgd", args.lr, weight_decay=args.weight_decay, momentum=0.9)
        history = fit(model, (X_train, y_train), (X_test, y_test), epochs=epochs, optimizer=optimizer,
                      batch_size=args.batch_size, schedule=cosine_lr(args.lr, epochs), augment=random_crop_flip_batches,
                      metric=accuracy, metric_name="acc", device=device, seed=args.seed,
                      desc=f"vgg{args.config}/lowlevel", **fit_options(args))
    plots = save_plots(model, history, X_test, args.out)
    result = {
        "model": f"VGG-{args.config}-BN (low-level, width {args.width:g})", "level": "pytorch_lowlevel",
        "data": args.data, "metric": "test_accuracy", "value": history.last("test_acc"), "config": args.config,
        "width": args.width, "device": str(device), "initial_loss": initial_loss,
        "train_loss_first": history["train_loss"][0], "train_loss_last": history.last("train_loss"),
        "test_loss_last": history.last("test_loss"), "test_acc_per_epoch": history["test_acc"],
        "n_parameters": sum(p.numel() for p in params.values()), "epochs": epochs, "lr": args.lr,
        "batch_size": args.batch_size, "weight_decay": args.weight_decay, "threads": args.threads,
        "n_train": len(X_train), "train_seconds": history.last("seconds"), "seconds": timer.seconds, "plots": plots,
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
