"""LeNet-5 (현대식) — PyTorch raw tensor + autograd. convolution과 pooling은 손으로 쓴 unfold + matmul.

논문: LeCun, Bottou, Bengio & Haffner (1998), "Gradient-Based Learning Applied to Document Recognition",
Proc. IEEE 86(11), Section II.A–B. 층 구성은 `numpy/lenet_numpy.py`와 같다 (conv → ReLU → max-pool, C5, F6, 출력).

이 장이 가르치는 연산은 convolution이므로 `F.conv2d` / `F.unfold`를 부르지 않고 직접 쓴다:
    unfold:  x (N, C, H, W) → cols (N, C·KH·KW, OH·OW)
             cols[n, (c, p, q), (i, j)] = x̃[n, c, S·i + p, S·j + q]      (x̃ = padding을 붙인 x)
    conv2d:  out = W.reshape(F, C·KH·KW) @ cols + b  → (N, F, OH·OW) → (N, F, OH, OW)
    pool:    cols를 (N, C, KH·KW, OH·OW)로 보고 window 축(dim 2)에서 max 또는 mean
unfold는 kernel 안의 위치 (p, q)마다 strided slice 하나를 잘라 쌓는다 (KH·KW번의 slicing).
backward는 autograd가 한다: slicing의 backward가 곧 col2im(겹친 window의 gradient를 더하기)이다.
테스트가 unfold == `F.unfold`, conv2d == `F.conv2d`, pool == `F.max_pool2d` / `F.avg_pool2d`를 값과 gradient로,
그리고 `torch.autograd.gradcheck`(float64)로 확인한다.

파라미터는 plain tensor dict (nn.Module 없음). key와 layout은 NumPy 레벨과 같다:
    "C1.W" (6, 1, 5, 5)   "C3.W" (16, 6, 5, 5)   "C5.W" (120, 16, 5, 5)   conv weight는 (F, C, KH, KW)
    "F6.W" (120, 84)      "output.W" (84, 10)                            dense weight는 (in, out): x @ W
    "*.b" (out,)
그래서 NumPy 모델의 파라미터를 그대로 복사해 같은 출력·gradient가 나오는지 비교할 수 있다 (test_lowlevel.py).

학습 처방 (세 레벨 공통, README 참고): Adam, batch 32, 30 epoch, lr 2e-3을 마지막 1/3 epoch에서 cosine으로
줄인다; 매 epoch 학습 이미지를 ±2픽셀 무작위 이동(`--shift`); 계산 thread는 기본 1개(`--threads`).

실행:  python -m 03_CNN_LeNet.pytorch_lowlevel.lenet_lowlevel [--data digits|mnist] [--quick]
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from utils.cli import choose_device, cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, check_finite, limit_threads
from utils.schedules import hold_then_cosine_lr

from ..digit_images import load_digit_images, random_shift

DATA_CHOICES = ("digits", "mnist")
RUNS = ("digits",)


def pair(value, name: str) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value, value
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return int(value[0]), int(value[1])
    raise ValueError(f"{name}는 정수 하나 또는 정수 두 개의 tuple이어야 합니다: 받은 값 {value!r}")


def check_images(x: torch.Tensor, name: str, channels: int | None = None) -> None:
    expected = f"(N, {channels if channels is not None else 'C'}, H, W)"
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise ValueError(f"{name} 입력은 float tensor여야 합니다: 받은 {type(x).__name__} {getattr(x, 'dtype', '')}")
    if x.ndim != 4:
        raise ValueError(f"{name} 입력은 4차원 {expected}이어야 합니다: 받은 shape {tuple(x.shape)}")
    if channels is not None and x.shape[1] != channels:
        raise ValueError(f"{name} 입력의 channel 수가 다릅니다: 기대 shape {expected}, 받은 shape {tuple(x.shape)}")


# ---------------------------------------------------------------------------------------------------------
# 손으로 쓴 unfold, convolution, pooling
# ---------------------------------------------------------------------------------------------------------
def unfold(x: torch.Tensor, kernel, stride=1, padding=0, pad_value: float = 0.0) -> torch.Tensor:
    """x (N, C, H, W) → (N, C·KH·KW, OH·OW). 행 순서 (c, p, q)와 열 순서 (i, j)가 `F.unfold`와 같다."""
    (kh, kw), (sh, sw), (ph, pw) = pair(kernel, "kernel"), pair(stride, "stride"), pair(padding, "padding")
    n, c, h, w = x.shape
    hp, wp = h + 2 * ph, w + 2 * pw
    if kh > hp or kw > wp:
        raise ValueError(f"kernel {(kh, kw)}이 padding을 더한 입력 {(hp, wp)}보다 큽니다 "
                         f"(입력 shape {tuple(x.shape)}, padding {(ph, pw)}): 출력이 생기지 않습니다")
    oh, ow = (hp - kh) // sh + 1, (wp - kw) // sw + 1
    xp = F.pad(x, (pw, pw, ph, ph), value=pad_value)                         # (N, C, H+2P, W+2P)
    slices = [xp[:, :, p:p + sh * oh:sh, q:q + sw * ow:sw]                     # 각각 (N, C, OH, OW)
              for p in range(kh) for q in range(kw)]
    cols = torch.stack(slices, dim=2)                                         # (N, C, KH·KW, OH, OW)
    return cols.reshape(n, c * kh * kw, oh * ow)                              # (N, C·KH·KW, OH·OW)


def conv2d(x: torch.Tensor, W: torch.Tensor, b: torch.Tensor | None = None, stride=1, padding=0) -> torch.Tensor:
    """unfold + 행렬곱으로 쓴 convolution. x (N, C, H, W), W (F, C, KH, KW), b (F,) → (N, F, OH, OW)."""
    f_out, c_in, kh, kw = W.shape
    check_images(x, "conv2d", channels=c_in)
    (sh, sw), (ph, pw) = pair(stride, "stride"), pair(padding, "padding")
    cols = unfold(x, (kh, kw), (sh, sw), (ph, pw))                            # (N, C·KH·KW, L)
    out = W.reshape(f_out, -1) @ cols                                         # (F, CKK) @ (N, CKK, L) → (N, F, L)
    if b is not None:
        out = out + b[:, None]
    oh, ow = (x.shape[2] + 2 * ph - kh) // sh + 1, (x.shape[3] + 2 * pw - kw) // sw + 1
    return out.reshape(x.shape[0], f_out, oh, ow)                             # (N, F, OH, OW)


def _pool_windows(x: torch.Tensor, kernel, stride, padding, pad_value: float, name: str):
    check_images(x, name)
    kernel = pair(kernel, "kernel")
    stride = pair(stride if stride is not None else kernel, "stride")
    padding = pair(padding, "padding")
    if any(2 * p > k for p, k in zip(padding, kernel)):
        raise ValueError(f"padding {padding}은 kernel {kernel}의 절반 이하여야 합니다")
    n, c, h, w = x.shape
    cols = unfold(x, kernel, stride, padding, pad_value)                      # (N, C·K, L)
    oh = (h + 2 * padding[0] - kernel[0]) // stride[0] + 1
    ow = (w + 2 * padding[1] - kernel[1]) // stride[1] + 1
    return cols.reshape(n, c, kernel[0] * kernel[1], -1), (n, c, oh, ow)      # (N, C, K, L)


def max_pool2d(x: torch.Tensor, kernel, stride=None, padding=0) -> torch.Tensor:
    """window 안의 최댓값. padding은 −∞라 뽑히지 않는다 (`F.max_pool2d`와 같다)."""
    windows, shape = _pool_windows(x, kernel, stride, padding, float("-inf"), "max_pool2d")
    return windows.max(dim=2).values.reshape(shape)                           # gradient는 최댓값 자리로만


def avg_pool2d(x: torch.Tensor, kernel, stride=None, padding=0) -> torch.Tensor:
    """window 평균. 0 padding도 개수에 넣는다 (`F.avg_pool2d`의 count_include_pad=True)."""
    windows, shape = _pool_windows(x, kernel, stride, padding, 0.0, "avg_pool2d")
    return windows.mean(dim=2).reshape(shape)


# ---------------------------------------------------------------------------------------------------------
# LeNet-5: params dict + 함수
# ---------------------------------------------------------------------------------------------------------
SHAPES = {
    "C1.W": (6, 1, 5, 5), "C1.b": (6,), "C3.W": (16, 6, 5, 5), "C3.b": (16,),
    "C5.W": (120, 16, 5, 5), "C5.b": (120,), "F6.W": (120, 84), "F6.b": (84,),
    "output.W": (84, 10), "output.b": (10,),
}


def init_params(seed: int = 0, dtype=torch.float32, device="cpu") -> dict[str, torch.Tensor]:
    """He 초기화 W ~ N(0, 2 / fan_in), b = 0. 모두 requires_grad=True인 leaf tensor."""
    generator = torch.Generator().manual_seed(seed)
    params = {}
    for name, shape in SHAPES.items():
        if name.endswith(".b"):
            value = torch.zeros(shape, dtype=dtype)
        else:
            fan_in = int(np.prod(shape[1:])) if len(shape) == 4 else shape[0]
            value = torch.randn(shape, generator=generator, dtype=dtype) * (2.0 / fan_in) ** 0.5
        params[name] = value.to(device).requires_grad_()
    return params


def forward(params: dict, x: torch.Tensor, keep: bool = False):
    """x (N, 1, 32, 32) → logits (N, 10). keep=True면 층별 출력 dict도 돌려준다."""
    check_images(x, "LeNet5", channels=1)
    if tuple(x.shape[2:]) != (32, 32):
        raise ValueError(f"LeNet5 입력은 shape (N, 1, 32, 32)이어야 합니다 (MNIST 28×28은 2픽셀씩 padding): "
                         f"받은 shape {tuple(x.shape)}")
    out = {"C1": torch.relu(conv2d(x, params["C1.W"], params["C1.b"]))}        # (N, 6, 28, 28)
    out["S2"] = max_pool2d(out["C1"], 2)                                      # (N, 6, 14, 14)
    out["C3"] = torch.relu(conv2d(out["S2"], params["C3.W"], params["C3.b"]))  # (N, 16, 10, 10)
    out["S4"] = max_pool2d(out["C3"], 2)                                      # (N, 16, 5, 5)
    out["C5"] = torch.relu(conv2d(out["S4"], params["C5.W"], params["C5.b"]))  # (N, 120, 1, 1)
    out["F6"] = torch.relu(out["C5"].flatten(1) @ params["F6.W"] + params["F6.b"])   # (N, 84)
    logits = out["F6"] @ params["output.W"] + params["output.b"]              # (N, 10)
    return (logits, out) if keep else logits


def predict(params: dict, x: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([forward(params, x[i:i + batch_size]).argmax(dim=1) for i in range(0, len(x), batch_size)])


# ---------------------------------------------------------------------------------------------------------
# 데이터와 학습 (paper 레벨과 같은 처방: Adam, 매 epoch ±2픽셀 이동, 마지막 1/3 cosine)
# ---------------------------------------------------------------------------------------------------------


def train(params: dict, X_train: np.ndarray, y_train, X_test, y_test, *, epochs: int, lr: float, batch_size: int,
          shift: int, seed: int, device, progress: bool = True) -> dict:
    """Mini-batch Adam (`torch.optim.Adam`). X는 정규화된 NumPy 배열; epoch마다 이동한 이미지를 tensor로 옮긴다."""
    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    optimizer = torch.optim.Adam(params.values(), lr=lr)
    Xte = torch.as_tensor(X_test, device=device)
    ytr, yte = torch.as_tensor(y_train, device=device), torch.as_tensor(y_test, device=device)
    history = {"train_loss": [], "test_loss": [], "test_accuracy": []}
    bar = tqdm(range(epochs), desc="lenet/lowlevel", leave=False, disable=not progress)
    for epoch in bar:
        for group in optimizer.param_groups:
            group["lr"] = hold_then_cosine_lr(lr, epochs)(epoch)
        Xtr = torch.as_tensor(random_shift(X_train, shift, rng), device=device)
        order = torch.as_tensor(rng.permutation(len(Xtr)), device=device)
        total = 0.0
        for start in range(0, len(Xtr), batch_size):
            idx = order[start:start + batch_size]
            loss = F.cross_entropy(forward(params, Xtr[idx]), ytr[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        with torch.no_grad():
            logits = torch.cat([forward(params, Xte[i:i + 500]) for i in range(0, len(Xte), 500)])
        history["train_loss"].append(total / len(Xtr))
        history["test_loss"].append(F.cross_entropy(logits, yte).item())
        history["test_accuracy"].append((logits.argmax(dim=1) == yte).double().mean().item())
        bar.set_postfix(loss=f"{history['train_loss'][-1]:.4f}", acc=f"{history['test_accuracy'][-1]:.4f}")
    return history


def save_plots(params: dict, history: dict, X_test: torch.Tensor, images_test: np.ndarray, y_test: np.ndarray,
               out: str) -> list[str]:
    from utils.visualization import plot_curves, plot_feature_maps, plot_misclassified, plot_weight_grid

    plots = [plot_curves({"train loss": history["train_loss"], "test loss": history["test_loss"]},
                         f"{out}/loss_curve.png", title="LeNet-5 (low-level) 학습 곡선", ylabel="cross-entropy"),
             plot_weight_grid(params["C1.W"].detach().cpu(), f"{out}/c1_filters.png",
                              title="학습된 C1 filter (6개, 5×5)", ncols=6)]
    with torch.no_grad():
        _, feats = forward(params, X_test[:1], keep=True)
    for name in ("C1", "S2", "C3", "S4"):
        maps = feats[name][0].cpu()
        plots.append(plot_feature_maps(maps, f"{out}/feature_maps_{name}.png",
                                       title=f"{name} feature map {tuple(maps.shape)} (정답 {int(y_test[0])})"))
    plots.append(plot_feature_maps(feats["F6"][0].cpu().reshape(1, 12, 7), f"{out}/feature_maps_F6.png",
                                   title="F6 출력 84개를 높이 12 × 너비 7로 (RBF prototype과 같은 배치)"))
    misclassified = plot_misclassified(images_test, y_test, predict(params, X_test).cpu().numpy(),
                                       f"{out}/misclassified.png")
    plots += [misclassified] if misclassified else []
    return [str(p) for p in plots]


def main(argv=None) -> dict:
    parser = make_parser("03_CNN_LeNet", "pytorch_lowlevel", "LeNet-5 (현대식): unfold + matmul로 쓴 convolution",
                         DATA_CHOICES, "digits", default_epochs=30)
    parser.add_argument("--lr", type=float, default=2e-3,
                        help="Adam의 처음 learning rate (마지막 1/3 epoch에서 cosine으로 줄인다)")
    parser.add_argument("--batch-size", type=int, default=32, help="mini-batch 크기")
    parser.add_argument("--shift", type=int, default=2, help="augmentation: 매 epoch 무작위 이동 폭(픽셀), 0이면 끈다")
    args = parse_args(parser, argv)

    seed_everything(args.seed)
    device = choose_device(args.device)
    epochs = min(args.epochs, 2) if args.quick else args.epochs
    with Timer() as timer, limit_threads(args.threads):
        images = load_digit_images(args.data, args.root, args.download, args.seed)     # (N, 1, 32, 32)
        X_train, y_train, X_test, y_test = images.X_train, images.y_train, images.X_test, images.y_test
        check_finite(X_train=X_train, X_test=X_test)
        if args.quick:
            X_train, y_train, X_test, y_test = X_train[:256], y_train[:256], X_test[:200], y_test[:200]
        mean, std = float(X_train.mean()), float(X_train.std())                # train 픽셀 전체의 평균·표준편차
        images_test = X_test
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
        params = init_params(args.seed, device=device)
        with torch.no_grad():
            initial_loss = F.cross_entropy(forward(params, torch.as_tensor(X_train[:256], device=device)),
                                           torch.as_tensor(y_train[:256], device=device)).item()
        history = train(params, X_train, y_train, X_test, y_test, epochs=epochs, lr=args.lr,
                        batch_size=args.batch_size, shift=args.shift, seed=args.seed, device=device)
    plots = save_plots(params, history, torch.as_tensor(X_test, device=device), images_test, y_test, args.out)
    result = {
        "model": "LeNet5 (modern)", "level": "pytorch_lowlevel", "data": args.data, "metric": "test_accuracy",
        "value": history["test_accuracy"][-1], "device": str(device), "initial_loss": initial_loss,
        "train_loss_first": history["train_loss"][0], "train_loss_last": history["train_loss"][-1],
        "test_loss_last": history["test_loss"][-1], "n_parameters": sum(p.numel() for p in params.values()),
        "epochs": epochs, "lr": args.lr, "batch_size": args.batch_size, "shift": args.shift,
        "threads": args.threads, "n_train": len(X_train), "seconds": timer.seconds, "plots": plots,
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
