"""ResNet — PyTorch raw tensor + autograd. BatchNorm, residual block(Basic, Bottleneck), option A shortcut을 손으로.

논문: K. He, X. Zhang, S. Ren & J. Sun (2015), "Deep Residual Learning for Image Recognition", Section 3.1–3.3
(식 (1) y = F(x) + x, 식 (2) y = F(x) + W_s x), Section 4.1 (bottleneck), Section 4.2 (CIFAR 구조).
BatchNorm: S. Ioffe & C. Szegedy (2015), "Batch Normalization", Algorithm 1 (train)과 Section 3.1 (inference).

이 장이 가르치는 연산은 residual block과 그 안의 BatchNorm이다. convolution은 03장에서 손으로 썼으므로 `F.conv2d`를
쓰고, 다음 셋을 직접 쓴다 (`nn.Module`, `F.batch_norm`, `nn.BatchNorm2d` 없음):

    batch_norm (train):   μ_c = mean_{n,h,w} x,   σ²_c = mean_{n,h,w} (x − μ_c)²        (biased, 정규화에 쓴다)
                          y = γ_c · (x − μ_c) / √(σ²_c + ε) + β_c
                          running_μ ← (1 − m)·running_μ + m·μ_c
                          running_σ² ← (1 − m)·running_σ² + m·σ²_c · M/(M − 1)       (M = N·H·W, unbiased)
    batch_norm (eval):    y = γ_c · (x − running_μ) / √(running_σ² + ε) + β_c
    shortcut A:           x[:, :, ::s, ::s] 뒤에 0 채널을 붙인다 (parameter 0개)
    basic_block:          ReLU( BN(conv3×3(ReLU(BN(conv3×3_s(x))))) + shortcut(x) )
    bottleneck:           ReLU( BN(conv1×1(ReLU(BN(conv3×3(ReLU(BN(conv1×1(x)))))))) + shortcut(x) )
                          (stride 위치는 `stride_on`)

테스트가 batch_norm == `F.batch_norm`(값, gradient, running 통계 갱신, `torch.autograd.gradcheck`)를, 그리고
같은 가중치에서 L2 block == L3 block (`paper/resnet.py`의 `BasicBlock`, `Bottleneck`, `CifarResNet`)을
train·eval 두 모드에서 출력·gradient·running 통계로 확인한다.

파라미터는 plain tensor dict. key는 L3의 state_dict key와 같다 ("conv1.weight", "layer1.0.bn1.running_var",
"layer2.0.downsample.0.weight", "fc.weight", …). 그래서 `model.state_dict()`를 그대로 복사해 비교할 수 있다.
weight와 bias는 requires_grad=True인 leaf tensor, running_mean/var는 requires_grad=False인 buffer다.

실행 (내장 shapes에서 CIFAR ResNet-20, shortcut A):
    python -m 05_ResNet.pytorch_lowlevel.resnet_lowlevel [--depth 20] [--data shapes|cifar10] [--quick]
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from utils.cli import add_training_flags, choose_device, cli, fit_options, make_parser, parse_args, report
from utils.core import Timer, limit_threads
from utils.datasets import channel_standardize, load_cifar10, load_shapes
from utils.datasets.images import random_crop_flip_batches
from utils.schedules import cosine_lr
from utils.training import History, accuracy, fit, make_optimizer

BN_EPS = 1e-5
BN_MOMENTUM = 0.1


def check_images(x: torch.Tensor, channels: int, name: str) -> None:
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise ValueError(f"{name} 입력은 float tensor여야 합니다: 받은 {type(x).__name__} {getattr(x, 'dtype', '')}")
    if x.ndim != 4:
        raise ValueError(f"{name} 입력은 4차원 (N, {channels}, H, W)이어야 합니다: 받은 shape {tuple(x.shape)}")
    if x.shape[1] != channels:
        raise ValueError(f"{name} 입력의 channel 수가 다릅니다: 기대 (N, {channels}, H, W), "
                         f"받은 shape {tuple(x.shape)}")


# ---------------------------------------------------------------------------------------------------------
# BatchNorm (Ioffe & Szegedy 2015, Algorithm 1)
# ---------------------------------------------------------------------------------------------------------
def batch_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, running_mean: torch.Tensor,
               running_var: torch.Tensor, training: bool, momentum: float = BN_MOMENTUM,
               eps: float = BN_EPS) -> torch.Tensor:
    """채널마다의 BatchNorm. x (N, C, H, W), gamma·beta·running_* (C,). training이면 running 통계를 제자리에서 갱신."""
    check_images(x, gamma.shape[0], "batch_norm")
    if training:
        m = x.shape[0] * x.shape[2] * x.shape[3]                       # 채널마다 평균에 들어가는 값의 수 M
        if m < 2:
            raise ValueError(f"train 모드 BatchNorm은 채널마다 값이 2개 이상 필요합니다: 입력 shape {tuple(x.shape)}")
        mean = x.mean(dim=(0, 2, 3))                                   # (C,)
        var = ((x - mean[None, :, None, None]) ** 2).mean(dim=(0, 2, 3))   # (C,) biased
        with torch.no_grad():                                          # running 통계는 gradient 밖에서
            running_mean.mul_(1 - momentum).add_(momentum * mean)
            running_var.mul_(1 - momentum).add_(momentum * var * m / (m - 1))   # unbiased로 저장 (PyTorch와 같다)
    else:
        mean, var = running_mean, running_var
    x_hat = (x - mean[None, :, None, None]) / torch.sqrt(var[None, :, None, None] + eps)   # (N, C, H, W)
    return gamma[None, :, None, None] * x_hat + beta[None, :, None, None]


def key(prefix: str, name: str) -> str:
    """params key: prefix "layer2.0" + "conv1.weight" → "layer2.0.conv1.weight" (prefix가 ""이면 name 그대로)."""
    return f"{prefix}.{name}" if prefix else name


def bn(params: dict, prefix: str, x: torch.Tensor, training: bool) -> torch.Tensor:
    return batch_norm(x, params[key(prefix, "weight")], params[key(prefix, "bias")],
                      params[key(prefix, "running_mean")], params[key(prefix, "running_var")], training)


def conv(params: dict, name: str, x: torch.Tensor, stride: int = 1) -> torch.Tensor:
    """bias 없는 conv. kernel 크기는 weight에서 읽고 padding은 (k − 1) / 2 ("same")."""
    weight = params[key(name, "weight")]                               # (C_out, C_in, k, k)
    return F.conv2d(x, weight, stride=stride, padding=weight.shape[-1] // 2)


# ---------------------------------------------------------------------------------------------------------
# Shortcut과 residual block (Section 3.1–3.3)
# ---------------------------------------------------------------------------------------------------------
def shortcut_a(x: torch.Tensor, out_channels: int, stride: int) -> torch.Tensor:
    """Option A: (N, C_in, H, W) → subsample (N, C_in, H/s, W/s) → 0 채널을 뒤에 붙여 (N, C_out, H/s, W/s)."""
    x = x[:, :, ::stride, ::stride]                                    # (N, C_in, H/s, W/s)
    zeros = x.new_zeros(x.shape[0], out_channels - x.shape[1], x.shape[2], x.shape[3])
    return torch.cat([x, zeros], dim=1)                                # (N, C_out, H/s, W/s)


def shortcut(params: dict, prefix: str, x: torch.Tensor, out_channels: int, stride: int, training: bool):
    """params에 projection W_s (`{prefix}.downsample.0.weight`)가 있으면 식 (2), 없으면 identity 또는 option A."""
    if key(prefix, "downsample.0.weight") in params:
        return bn(params, key(prefix, "downsample.1"), conv(params, key(prefix, "downsample.0"), x, stride), training)
    if stride == 1 and x.shape[1] == out_channels:
        return x                                                       # 식 (1): identity
    return shortcut_a(x, out_channels, stride)


def basic_block(params: dict, prefix: str, x: torch.Tensor, stride: int, training: bool,
                residual: bool = True) -> torch.Tensor:
    """3×3 → 3×3 block. prefix 예: "layer2.0". 출력 채널은 conv2 weight에서 읽는다."""
    check_images(x, params[key(prefix, "conv1.weight")].shape[1], "basic_block")
    out = torch.relu(bn(params, key(prefix, "bn1"), conv(params, key(prefix, "conv1"), x, stride), training))
    out = bn(params, key(prefix, "bn2"), conv(params, key(prefix, "conv2"), out), training)      # F(x)
    if residual:
        out = out + shortcut(params, prefix, x, out.shape[1], stride, training)          # F(x) + x
    return torch.relu(out)


def bottleneck(params: dict, prefix: str, x: torch.Tensor, stride: int, training: bool,
               stride_on: str = "3x3") -> torch.Tensor:
    """1×1 → 3×3 → 1×1 block. stride_on="3x3" (torchvision, v1.5) 또는 "1x1" (v1, 공개 Caffe 모델)."""
    if stride_on not in ("3x3", "1x1"):
        raise ValueError(f"stride_on은 '3x3' 또는 '1x1'이어야 합니다: {stride_on!r}")
    check_images(x, params[key(prefix, "conv1.weight")].shape[1], "bottleneck")
    s1, s3 = (stride, 1) if stride_on == "1x1" else (1, stride)
    out = torch.relu(bn(params, key(prefix, "bn1"), conv(params, key(prefix, "conv1"), x, s1), training))   # 채널 1/4
    out = torch.relu(bn(params, key(prefix, "bn2"), conv(params, key(prefix, "conv2"), out, s3), training))
    out = bn(params, key(prefix, "bn3"), conv(params, key(prefix, "conv3"), out), training)     # F(x): 채널 4·planes
    return torch.relu(out + shortcut(params, prefix, x, out.shape[1], stride, training))


# ---------------------------------------------------------------------------------------------------------
# 파라미터 초기화 (key는 L3 state_dict와 같다)
# ---------------------------------------------------------------------------------------------------------
def _conv_weight(c_out: int, c_in: int, k: int, generator, dtype) -> torch.Tensor:
    """He 초기화 N(0, 2 / fan_out), fan_out = c_out·k·k (torchvision의 mode="fan_out")."""
    return torch.randn(c_out, c_in, k, k, generator=generator, dtype=dtype) * (2.0 / (c_out * k * k)) ** 0.5


def _add_bn(params: dict, prefix: str, c: int, dtype) -> None:
    params[key(prefix, "weight")] = torch.ones(c, dtype=dtype)
    params[key(prefix, "bias")] = torch.zeros(c, dtype=dtype)
    params[key(prefix, "running_mean")] = torch.zeros(c, dtype=dtype)
    params[key(prefix, "running_var")] = torch.ones(c, dtype=dtype)


def block_params(kind: str, in_planes: int, planes: int, stride: int, shortcut_kind: str = "B", seed: int = 0,
                 dtype=torch.float32, prefix: str = "") -> dict:
    """block 하나의 params. kind "basic" 또는 "bottleneck". shortcut_kind B/C면 projection, A면 parameter 없음."""
    if kind not in ("basic", "bottleneck") or shortcut_kind not in ("A", "B", "C"):
        raise ValueError(f"kind는 basic/bottleneck, shortcut은 A/B/C: 받은 {kind!r}, {shortcut_kind!r}")
    g = torch.Generator().manual_seed(seed)
    p = prefix + "." if prefix else ""
    params: dict[str, torch.Tensor] = {}
    if kind == "basic":
        out_planes = planes
        params[f"{p}conv1.weight"] = _conv_weight(planes, in_planes, 3, g, dtype)
        _add_bn(params, f"{p}bn1", planes, dtype)
        params[f"{p}conv2.weight"] = _conv_weight(planes, planes, 3, g, dtype)
        _add_bn(params, f"{p}bn2", planes, dtype)
    else:
        out_planes = 4 * planes
        params[f"{p}conv1.weight"] = _conv_weight(planes, in_planes, 1, g, dtype)
        _add_bn(params, f"{p}bn1", planes, dtype)
        params[f"{p}conv2.weight"] = _conv_weight(planes, planes, 3, g, dtype)
        _add_bn(params, f"{p}bn2", planes, dtype)
        params[f"{p}conv3.weight"] = _conv_weight(out_planes, planes, 1, g, dtype)
        _add_bn(params, f"{p}bn3", out_planes, dtype)
    changes = stride != 1 or in_planes != out_planes
    if shortcut_kind == "C" or (shortcut_kind == "B" and changes):
        params[f"{p}downsample.0.weight"] = _conv_weight(out_planes, in_planes, 1, g, dtype)
        _add_bn(params, f"{p}downsample.1", out_planes, dtype)
    return _leaves(params)


def _leaves(params: dict) -> dict:
    """weight·bias는 학습하는 leaf tensor, running 통계는 gradient 없는 buffer."""
    return {k: v.requires_grad_(not k.endswith(("running_mean", "running_var"))) for k, v in params.items()}


def cifar_params(n: int, num_classes: int = 10, width: int = 16, shortcut_kind: str = "A", seed: int = 0,
                 dtype=torch.float32) -> dict:
    """CIFAR ResNet (깊이 6n + 2)의 params. fc는 PyTorch `nn.Linear` 기본과 같은 분포 U(±1/√fan_in)."""
    g = torch.Generator().manual_seed(seed)
    params = {"conv1.weight": _conv_weight(width, 3, 3, g, dtype)}
    _add_bn(params, "bn1", width, dtype)
    in_planes = width
    for stage, planes in enumerate((width, 2 * width, 4 * width)):
        for b in range(n):
            stride = 2 if stage > 0 and b == 0 else 1
            block = block_params("basic", in_planes, planes, stride, shortcut_kind,
                                 seed=int(torch.randint(0, 2**31 - 1, (1,), generator=g)), dtype=dtype,
                                 prefix=f"layer{stage + 1}.{b}")
            params.update({k: v.detach() for k, v in block.items()})
            in_planes = planes
    bound = 1.0 / (4 * width) ** 0.5
    params["fc.weight"] = (torch.rand(num_classes, 4 * width, generator=g, dtype=dtype) * 2 - 1) * bound
    params["fc.bias"] = (torch.rand(num_classes, generator=g, dtype=dtype) * 2 - 1) * bound
    return _leaves(params)


def cifar_forward(params: dict, x: torch.Tensor, training: bool) -> torch.Tensor:
    """x (N, 3, 32, 32) → logits (N, K). stage와 block 수는 params의 key에서 읽는다."""
    check_images(x, params["conv1.weight"].shape[1], "cifar_forward")
    out = torch.relu(bn(params, "bn1", conv(params, "conv1", x), training))         # (N, w, 32, 32)
    n = len({k.split(".")[1] for k in params if k.startswith("layer1.")})
    for stage in (1, 2, 3):
        for b in range(n):
            stride = 2 if stage > 1 and b == 0 else 1
            out = basic_block(params, f"layer{stage}.{b}", out, stride, training)   # (N, 4w, 8, 8) 끝에서
    pooled = out.mean(dim=(2, 3))                                                   # global average pool (N, 4w)
    return pooled @ params["fc.weight"].T + params["fc.bias"]                       # (N, K)


def trainable(params: dict) -> list[torch.Tensor]:
    return [v for v in params.values() if v.requires_grad]


# ---------------------------------------------------------------------------------------------------------
# 학습 (L3와 같은 처방: SGD momentum 0.9, weight decay 1e-4, cosine, crop + flip)
# ---------------------------------------------------------------------------------------------------------
DATA_CHOICES = ("shapes", "cifar10")
RUNS = ("shapes",)
NUM_CLASSES = 10                         # shapes와 CIFAR-10 모두 10 class


class LowLevelResNet:
    """params dict를 `utils.training.fit`이 부르는 모양(model(x), parameters(), train(), eval())으로 감싼 얇은
    어댑터. nn.Module이 아니다: 층도 hook도 없이 위의 `cifar_forward` 함수를 부를 뿐이다."""

    def __init__(self, params: dict):
        self.params, self.training = params, True

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return cifar_forward(self.params, x, training=self.training)

    def parameters(self) -> list[torch.Tensor]:
        return trainable(self.params)

    def train(self, mode: bool = True) -> LowLevelResNet:
        self.training = mode
        return self

    def eval(self) -> LowLevelResNet:
        return self.train(False)

    def state_dict(self) -> dict:                       # checkpoint (fit의 --resume)에 쓰는 tensor 전부
        return dict(self.params)

    def load_state_dict(self, state: dict) -> None:
        with torch.no_grad():
            for k, v in self.params.items():
                v.copy_(state[k])


def train(params: dict, X_train, y_train, X_test, y_test, *, epochs: int, lr: float, batch_size: int, seed: int,
          device, progress: bool = True, **options) -> History:
    """L3와 같은 처방으로 `utils.training.fit`을 부른다. History key: train_loss, train_acc, test_loss, test_acc.

    options: fit의 드문 설정 (예: checkpoint_dir, resume, dtype)."""
    model = LowLevelResNet(params)
    optimizer = make_optimizer(model, "sgd", lr, weight_decay=1e-4, momentum=0.9)
    return fit(model, (X_train, y_train), (X_test, y_test), epochs=epochs, optimizer=optimizer, batch_size=batch_size,
               schedule=cosine_lr(lr, epochs), augment=random_crop_flip_batches, metric=accuracy, metric_name="acc",
               device=device, seed=seed, progress=progress, desc="resnet/lowlevel", **options)


def main(argv=None) -> dict:
    parser = make_parser("05_ResNet", "pytorch_lowlevel", "CIFAR ResNet: 손으로 쓴 BatchNorm과 residual block",
                         DATA_CHOICES, "shapes", default_epochs=5)
    parser.add_argument("--depth", type=int, default=20, choices=(8, 14, 20, 32, 44, 56, 110), help="6n + 2")
    parser.add_argument("--lr", type=float, default=0.1, help="SGD 처음 learning rate (cosine으로 줄인다)")
    parser.add_argument("--batch-size", type=int, default=128, help="mini-batch 크기")
    parser.add_argument("--n-train", type=int, default=4000, help="shapes 학습 이미지 수")
    add_training_flags(parser)
    args = parse_args(parser, argv)

    device = choose_device(args.device)
    epochs = min(args.epochs, 2) if args.quick else args.epochs
    with Timer() as timer, limit_threads(args.threads):
        ds = load_shapes(n_train=args.n_train, seed=args.seed) if args.data == "shapes" else \
            load_cifar10(args.root, args.download)
        X_train, y_train, X_test, y_test = ds.X_train, ds.y_train, ds.X_test, ds.y_test
        if args.quick:
            X_train, y_train, X_test, y_test = X_train[:256], y_train[:256], X_test[:200], y_test[:200]
        X_train, X_test, _, _ = channel_standardize(X_train, X_test)
        params = cifar_params((args.depth - 2) // 6, NUM_CLASSES, seed=args.seed)
        params = {k: v.detach().to(device).requires_grad_(v.requires_grad) for k, v in params.items()}
        history = train(params, X_train, y_train, X_test, y_test, epochs=epochs, lr=args.lr,
                        batch_size=args.batch_size, seed=args.seed, device=device, **fit_options(args))
    from utils.visualization import plot_curves

    plots = [str(plot_curves({"train error": [1 - a for a in history["train_acc"]],
                              "test error": [1 - a for a in history["test_acc"]]},
                             f"{args.out}/error_curve.png", title=f"ResNet-{args.depth} (low-level) 오류율",
                             ylabel="error"))]
    result = {
        "model": f"ResNet-{args.depth} (CIFAR, shortcut A)", "level": "pytorch_lowlevel", "data": args.data,
        "metric": "test_accuracy", "value": history.last("test_acc"),
        "train_loss_first": history["train_loss"][0], "train_loss_last": history.last("train_loss"),
        "train_error_last": 1 - history.last("train_acc"),
        "n_parameters": sum(v.numel() for v in trainable(params)), "epochs": epochs, "lr": args.lr,
        "batch_size": args.batch_size, "n_train": len(X_train), "device": str(device), "threads": args.threads,
        "seconds": timer.seconds, "plots": plots,
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
