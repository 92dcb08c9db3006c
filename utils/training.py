"""학습 루프 — epoch으로 학습하는 모든 레벨 스크립트가 같은 루프 `fit`을 쓴다.

(step을 세는 루프는 그것을 쓰는 장에 있다: 08장 `paper/step_loop.py`, 09장 `train.py`.)

    optimizer = make_optimizer(model, "sgd", lr=0.1, weight_decay=5e-4, momentum=0.9)
    history = fit(model, (X_train, y_train), (X_test, y_test), epochs=30, optimizer=optimizer, batch_size=128,
                  schedule=cosine_lr(0.1, 30), augment=random_crop_flip_batches, metric=accuracy)

- 데이터는 (X, y) 쌍: NumPy 배열이든 torch tensor든 된다. mini-batch만 `device`로 옮긴다.
- 매 epoch: `model.train()` → (augment) → mini-batch 순서를 섞어 한 바퀴 → `evaluate`(eval 모드, no_grad).
  평가가 모델을 eval 모드로 바꾸므로 다음 epoch 시작에서 다시 train 모드로 돌린다 (dropout·BatchNorm).
- 난수: mini-batch 순서는 `torch.Generator(seed)`의 `randperm`, augmentation은 `np.random.default_rng(seed)`.
  같은 seed → 같은 순서, 같은 augmentation (모델 초기화 seed는 부르는 쪽이 정한다).
- schedule: epoch(0부터) → lr 함수 하나 (`utils.schedules`). 매 epoch 시작에 모든 param group의 lr로 쓴다.
- augment: 매 epoch `augment(X_train, rng)`를 한 번 부르고, mini-batch는 돌려받은 값에서 `images[index]`로
  꺼낸다. `random_crop_flip_batches`는 epoch의 난수만 뽑고 batch를 꺼낼 때 그 이미지만 자른다 (N장 복사 없음).
- 드문 설정은 `FitOptions` (keyword로 넘긴다): metric 이름, gradient clipping(전체 norm), gradient
  accumulation(k개 mini-batch의 평균 gradient로 한 step), dtype, checkpoint, epoch마다 부르는 callback,
  tqdm 진행 막대 (터미널에서만: 파이프·CI 로그로 가는 stderr에는 그리지 않는다).
- checkpoint: `checkpoint_dir`을 주면 매 epoch (또는 `checkpoint_every` epoch마다와 마지막 epoch) 끝에
  `<dir>/checkpoint.pt`를 원자적으로 쓴다 — 모델, optimizer,
  (float16이면) loss scaler, 끝난 epoch 수, 그때까지의 History, 난수 상태 (batch 순서 generator, augmentation
  rng, Python·NumPy·torch 전역). `resume=True`는 거기서 이어 가고, 끊기지 않은 run과 같은 숫자를 낸다 (schedule이
  전체 epoch 수에 기대면 같은 `epochs`로 이어야 한다). 없거나 깨진 checkpoint는 `DatasetUnavailable` 한 문장.
  `save_checkpoint` / `load_checkpoint` (`weights_only=True`), `rng_states` / `set_rng_states`는 09장도 쓴다.
- mixed precision: `dtype="bfloat16"|"float16"`이면 forward와 loss를 `autocast(device, dtype)` 안에서 계산한다
  (float16은 `grad_scaler`의 loss scaling과 함께). parameter·optimizer 상태·평가(`evaluate`)는 float32.
- History key: lr, train_loss, (metric이 있으면) train_<name>, test_loss, test_<name>, seconds(누적).
  train 쪽 값은 그 epoch의 mini-batch들을 train 모드로 본 running 평균이다 (He et al. 2016 Fig. 1의 가는 선처럼).

torch는 함수 안에서만 import한다 (NumPy 레벨 스크립트가 이 모듈의 `History`만 써도 torch가 올라오지 않는다).
"""
from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np

from utils.core import DatasetUnavailable, atomic_path, check_finite, check_positive_int


class History:
    """epoch(또는 step)마다 지표를 쌓는 dict-of-lists. `history.log(train_loss=..., test_acc=...)`."""

    def __init__(self):
        self.values: dict[str, list[float]] = {}

    def log(self, **metrics: float) -> None:
        for key, value in metrics.items():
            self.values.setdefault(key, []).append(float(value))

    def last(self, key: str) -> float:
        return self.values[key][-1]

    def __getitem__(self, key: str) -> list[float]:
        return self.values[key]

    def __contains__(self, key: str) -> bool:
        return key in self.values

    def to_dict(self) -> dict[str, list[float]]:
        return {k: list(v) for k, v in self.values.items()}


def accuracy(logits, targets) -> float:
    """분류 정확도. logits (N, C)이면 argmax, (N,)이면 0 기준의 이진 판정."""
    if logits.ndim == 1:
        predicted = (logits > 0).long()
    else:
        predicted = logits.argmax(dim=1)
    return float((predicted == targets).float().mean())


# ---------------------------------------------------------------------------
# optimizer
# ---------------------------------------------------------------------------
OPTIMIZERS = ("sgd", "adam", "adamw")


def parameter_groups(model, weight_decay: float) -> list[dict]:
    """weight decay를 받을 parameter와 받지 않을 parameter로 나눈다 (minGPT의 `configure_optimizers` 규칙).

    BERT의 원래 코드는 embedding에도 decay를 걸고 (bias와 LayerNorm만 뺀다), nanoGPT는 2차원 tensor (embedding
    포함)를 모두 decay한다: embedding을 빼는 것은 이 함수가 따르는 minGPT의 선택이다.

    decay 없음: bias, 정규화 층(LayerNorm, BatchNorm, GroupNorm)의 weight, embedding(`nn.Embedding`)의 weight.
    decay 있음: 나머지 (Linear / Conv의 weight 행렬). `nn.Module`이 아니라 parameter 목록을 받으면 1차원
    parameter(bias, norm의 γ·β)만 decay에서 뺀다.
    """
    import torch.nn as nn

    if not isinstance(model, nn.Module):
        params = [p for p in model if p.requires_grad]
        return [{"params": [p for p in params if p.ndim >= 2], "weight_decay": weight_decay},
                {"params": [p for p in params if p.ndim < 2], "weight_decay": 0.0}]
    no_decay_types = (nn.LayerNorm, nn.Embedding, nn.modules.batchnorm._BatchNorm, nn.GroupNorm)
    decay, no_decay, seen = [], [], set()
    for module in model.modules():
        for name, param in module.named_parameters(recurse=False):
            if not param.requires_grad or id(param) in seen:       # 묶인(tied) weight는 한 번만
                continue
            seen.add(id(param))
            (no_decay if name.endswith("bias") or isinstance(module, no_decay_types) else decay).append(param)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def make_optimizer(model, name: str, lr: float, weight_decay: float = 0.0, momentum: float = 0.9,
                   nesterov: bool = False, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
    """이름으로 optimizer를 만든다. model은 `nn.Module` 또는 parameter 목록.

    - "sgd": momentum(과 Nesterov) SGD, weight decay는 L2 항으로 gradient에 더해진다 (모든 parameter).
    - "adam": Adam (Kingma & Ba 2015), weight decay는 L2 항 (모든 parameter).
    - "adamw": decoupled weight decay (Loshchilov & Hutter 2019) — bias·norm·embedding은 decay하지 않는다
      (`parameter_groups`).
    """
    import torch

    if name not in OPTIMIZERS:
        raise ValueError(f"알 수 없는 optimizer {name!r}: {', '.join(OPTIMIZERS)} 중 하나를 고르세요")
    if not lr > 0:
        raise ValueError(f"lr은 양수여야 합니다: lr={lr}")
    if weight_decay < 0:
        raise ValueError(f"weight_decay는 0 이상이어야 합니다: weight_decay={weight_decay}")
    if name == "adamw":
        return torch.optim.AdamW(parameter_groups(model, weight_decay), lr=lr, betas=betas, eps=eps)
    params = model.parameters() if hasattr(model, "parameters") else model
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay)
    return torch.optim.Adam(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)


# ---------------------------------------------------------------------------
# 평가와 epoch 루프
# ---------------------------------------------------------------------------
def _as_tensor(values, device):
    import torch

    tensor = torch.from_numpy(np.ascontiguousarray(values)) if isinstance(values, np.ndarray) else values
    return tensor.to(device) if device is not None else tensor


def _check_pair(pair, name: str) -> int:
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise ValueError(f"{name}는 (X, y) 쌍이어야 합니다: 받은 {type(pair).__name__}")
    X, y = pair
    if len(X) != len(y):
        raise ValueError(f"{name}의 X와 y 길이가 다릅니다: {len(X)} vs {len(y)}")
    if len(X) == 0:
        raise ValueError(f"{name}가 비어 있습니다")
    return len(X)


def evaluate(model, X, y, loss_fn=None, metric=None, batch_size: int = 1024, device=None) -> tuple[float, float | None]:
    """eval 모드, no_grad로 평균 loss와 (metric이 있으면) 전체 출력에 대한 metric을 계산한다.

    loss_fn의 기본값은 cross-entropy. X, y는 NumPy 배열이나 tensor.
    """
    import torch
    import torch.nn.functional as F

    loss_fn = F.cross_entropy if loss_fn is None else loss_fn
    model.eval()
    total, count, outputs = 0.0, 0, []
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            xb = _as_tensor(X[start:start + batch_size], device)
            yb = _as_tensor(y[start:start + batch_size], device)
            out = model(xb)
            total += loss_fn(out, yb).item() * len(xb)
            count += len(xb)
            if metric is not None:
                outputs.append(out)
    value = metric(torch.cat(outputs), _as_tensor(y, outputs[0].device)) if metric is not None else None
    return total / count, value


@dataclass(frozen=True)
class FitOptions:
    """`fit`의 드물게 쓰는 설정. `fit(..., clip_grad_norm=1.0, desc="vit")`처럼 keyword로 넘긴다."""

    metric_name: str = "metric"            # History key: train_<metric_name>, test_<metric_name>
    clip_grad_norm: float | None = None    # optimizer step 전에 전체 gradient norm을 이 값으로 자른다
    accumulate: int = 1                    # mini-batch k개의 평균 gradient로 한 step
    dtype: str = "float32"                 # "bfloat16" / "float16": forward와 loss를 autocast 안에서
    checkpoint_dir: str | Path | None = None   # 매 epoch 끝에 <dir>/checkpoint.pt를 원자적으로 쓴다
    checkpoint_every: int = 1              # checkpoint를 이 epoch 수마다 쓴다 (마지막 epoch는 언제나)
    resume: bool = False                   # <checkpoint_dir>/checkpoint.pt에서 이어서 학습한다
    callback: Callable | None = None       # callback(epoch, record): 매 epoch 끝에
    progress: bool = True                  # tqdm 진행 막대 (터미널에서만)
    desc: str = "train"                    # 진행 막대의 이름


CHECKPOINT_NAME = "checkpoint.pt"


def fit(model, train, test=None, *, epochs: int, optimizer, loss_fn=None, metric: Callable | None = None,
        batch_size: int | None = None, schedule: Callable[[int], float] | None = None,
        augment: Callable | None = None, device=None, seed: int = 0, **options) -> History:
    """`model`을 `epochs`번 학습하고 epoch마다의 기록(History)을 돌려준다. 자세한 규칙은 모듈 docstring.

    train, test: (X, y) 쌍. batch_size=None이면 full-batch gradient descent (순서를 섞지 않는다).
    schedule: epoch(0부터) → lr 함수 (`utils.schedules`). 매 epoch 시작에 모든 param group의 lr로 쓴다.
    augment: `augment(X_train, rng)` — 매 epoch 한 번 부르고, 돌려준 값에서 `images[index]`로 mini-batch를
        꺼낸다 (배열이나, batch만 만드는 `utils.datasets.images.random_crop_flip_batches`).
    metric: `metric(logits, y) -> float` (예: `accuracy`).
    options: `FitOptions`의 이름들 (metric_name, clip_grad_norm, accumulate, dtype, checkpoint_dir,
        checkpoint_every, resume, callback, progress, desc).
    """
    import torch
    import torch.nn.functional as F
    from tqdm.auto import tqdm

    unknown = sorted(set(options) - {f.name for f in fields(FitOptions)})
    if unknown:
        raise TypeError(f"fit이 모르는 인자 {unknown}: FitOptions의 "
                        f"{', '.join(f.name for f in fields(FitOptions))} 중에서 고르세요")
    opts = FitOptions(**options)
    n = _check_pair(train, "train")
    if test is not None:
        _check_pair(test, "test")
    check_positive_int("epochs", epochs)
    check_positive_int("accumulate", opts.accumulate)
    check_positive_int("checkpoint_every", opts.checkpoint_every)
    if batch_size is not None:
        check_positive_int("batch_size", batch_size)
    if opts.clip_grad_norm is not None and not opts.clip_grad_norm > 0:
        raise ValueError(f"clip_grad_norm은 양수여야 합니다: {opts.clip_grad_norm}")
    if schedule is not None and (hasattr(schedule, "step") or not callable(schedule)):
        raise ValueError("schedule은 epoch → lr 함수여야 합니다 (utils.schedules의 함수; "
                         f"torch.optim.lr_scheduler 객체는 받지 않습니다): {type(schedule).__name__}")
    if opts.resume and opts.checkpoint_dir is None:
        raise ValueError("resume=True에는 checkpoint_dir이 필요합니다")
    if opts.checkpoint_dir is not None and not (hasattr(model, "state_dict") and hasattr(model, "load_state_dict")):
        raise ValueError(f"checkpoint_dir에는 state_dict()와 load_state_dict()가 있는 model이 필요합니다: "
                         f"{type(model).__name__}")
    X_train, y_train = train
    check_finite(X_train=X_train)
    loss_fn = F.cross_entropy if loss_fn is None else loss_fn
    if device is not None and hasattr(model, "to"):
        model.to(device)
    params = [p for group in optimizer.param_groups for p in group["params"]]
    device_type = torch.device(device).type if device is not None else (params[0].device.type if params else "cpu")
    scaler = grad_scaler(device_type, opts.dtype)
    order_generator = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    history = History()
    checkpoint = Path(opts.checkpoint_dir) / CHECKPOINT_NAME if opts.checkpoint_dir is not None else None
    first_epoch = 0
    if opts.resume:
        first_epoch = _resume(checkpoint, model, optimizer, scaler, history, order_generator, rng,
                              n=n, batch_size=batch_size)
    start_time = time.perf_counter() - (history.last("seconds") if "seconds" in history else 0.0)
    bar = tqdm(range(first_epoch, epochs), desc=opts.desc, leave=False, disable=None if opts.progress else True,
               file=sys.stderr)
    for epoch in bar:
        if schedule is not None:
            for group in optimizer.param_groups:
                group["lr"] = schedule(epoch)
        lr = optimizer.param_groups[0]["lr"]
        images = augment(X_train, rng) if augment is not None else X_train
        if batch_size is None or batch_size >= n:
            batches = [slice(None)]
        else:
            order = torch.randperm(n, generator=order_generator)
            batches = [order[begin:begin + batch_size] for begin in range(0, n, batch_size)]
        model.train()
        total_loss, total_metric, seen = 0.0, 0.0, 0
        optimizer.zero_grad(set_to_none=True)
        for i, index in enumerate(batches):
            if isinstance(index, torch.Tensor) and not isinstance(images, torch.Tensor):
                index = index.numpy()
            xb, yb = _as_tensor(images[index], device), _as_tensor(y_train[index], device)
            with autocast(device_type, opts.dtype):
                out = model(xb)
                loss = loss_fn(out, yb)
            loss_value = loss.item()
            if not math.isfinite(loss_value):
                raise FloatingPointError(f"epoch {epoch}: loss가 {loss_value}가 되었습니다 — "
                                         "learning rate를 줄여 보세요")
            scaler.scale(loss / opts.accumulate).backward()
            if (i + 1) % opts.accumulate == 0 or i + 1 == len(batches):
                if opts.clip_grad_norm is not None:
                    scaler.unscale_(optimizer)                              # float16: 자르기 전에 scale을 푼다
                    torch.nn.utils.clip_grad_norm_(params, opts.clip_grad_norm)
                scaler.step(optimizer)
                scaler.update()
                optimizer.zero_grad(set_to_none=True)
            total_loss += loss_value * len(xb)
            if metric is not None:
                total_metric += metric(out.detach().float(), yb) * len(xb)
            seen += len(xb)
        record = {"lr": lr, "train_loss": total_loss / seen}
        if metric is not None:
            record[f"train_{opts.metric_name}"] = total_metric / seen
        if test is not None:
            test_loss, test_metric = evaluate(model, *test, loss_fn=loss_fn, metric=metric, device=device)
            record["test_loss"] = test_loss
            if metric is not None:
                record[f"test_{opts.metric_name}"] = test_metric
        record["seconds"] = time.perf_counter() - start_time
        history.log(**record)
        if checkpoint is not None and ((epoch + 1) % opts.checkpoint_every == 0 or epoch + 1 == epochs):
            save_checkpoint(checkpoint, {
                "epoch": epoch + 1, "n_train": n, "batch_size": batch_size, "history": history.to_dict(),
                "model": model.state_dict(), "optimizer": optimizer.state_dict(), "scaler": scaler.state_dict(),
                "rng": {"order": order_generator.get_state(), "augment": rng.bit_generator.state,
                        "global": rng_states()}})
        if opts.callback is not None:
            opts.callback(epoch, record)
        bar.set_postfix({k: f"{v:.4f}" for k, v in record.items() if k != "seconds"}, refresh=False)
    return history


def _resume(path, model, optimizer, scaler, history, order_generator, rng, *, n, batch_size) -> int:
    """`fit`이 쓴 checkpoint에서 모델·optimizer·History·난수 상태를 되돌리고, 다음에 학습할 epoch를 돌려준다.

    없거나 깨졌거나 이 학습과 맞지 않는 checkpoint는 `DatasetUnavailable` 한 문장 (파일은 건드리지 않는다).
    """
    state = load_checkpoint(path)
    keys = ("epoch", "n_train", "batch_size", "history", "model", "optimizer", "scaler", "rng")
    if any(k not in state for k in keys):
        raise DatasetUnavailable(f"checkpoint {path}는 fit이 쓴 checkpoint가 아닙니다 (없는 key: "
                                 f"{[k for k in keys if k not in state]}): --resume 없이 처음부터 학습하세요")
    if (state["n_train"], state["batch_size"]) != (n, batch_size):
        raise DatasetUnavailable(f"checkpoint {path}는 다른 학습의 것입니다 (train {state['n_train']}개, batch "
                                 f"{state['batch_size']}; 지금은 {n}개, batch {batch_size}): 같은 설정으로 이어 "
                                 "학습하거나 --resume 없이 처음부터 학습하세요")
    try:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
    except (RuntimeError, ValueError, KeyError) as error:
        raise DatasetUnavailable(f"checkpoint {path}가 이 모델·optimizer와 맞지 않습니다 ("
                                 f"{str(error).splitlines()[0]}): 같은 설정으로 이어 학습하거나 --resume 없이 "
                                 "처음부터 학습하세요") from None
    if state["scaler"]:                                                    # float32·bfloat16로 쓴 것은 비어 있다
        scaler.load_state_dict(state["scaler"])
    history.values = {k: list(v) for k, v in state["history"].items()}
    order_generator.set_state(state["rng"]["order"])
    rng.bit_generator.state = state["rng"]["augment"]
    set_rng_states(state["rng"]["global"])
    return int(state["epoch"])


# ---------------------------------------------------------------------------
# checkpoint와 mixed precision (`fit`과 09장의 `train.py`가 쓴다)
# ---------------------------------------------------------------------------
DTYPES = ("float32", "bfloat16", "float16")


def save_checkpoint(path, state: dict):
    """`state` (tensor, 수, 문자열, list, dict만)를 `torch.save`로 원자적으로 쓴다: 중간에 죽어도 예전 파일이 남는다."""
    import torch

    with atomic_path(path) as tmp:
        torch.save(state, tmp)
    return path


def load_checkpoint(path, map_location="cpu") -> dict:
    """`torch.load(..., weights_only=True)`로 읽는다 (pickle로 임의 코드를 실행하지 않는다).

    파일이 없거나, 잘렸거나, checkpoint dict가 아니면 `DatasetUnavailable` (CLI에서 한 문장 + exit code 2).
    파일은 읽기만 하므로 그대로 남는다.
    """
    import pickle
    import zipfile
    from pathlib import Path

    import torch

    path = Path(path)
    if not path.is_file():
        raise DatasetUnavailable(f"checkpoint {path}가 없습니다: 경로를 확인하거나 (--resume이라면) "
                                 "--resume 없이 처음부터 학습하세요")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except (RuntimeError, EOFError, OSError, ValueError, KeyError, pickle.UnpicklingError,
            zipfile.BadZipFile) as error:
        raise DatasetUnavailable(f"checkpoint {path}를 읽지 못했습니다 ({type(error).__name__}: 깨졌거나 "
                                 "torch.save로 쓴 파일이 아닙니다): 다른 checkpoint를 쓰거나 처음부터 "
                                 "학습하세요") from None
    if not isinstance(state, dict):
        raise DatasetUnavailable(f"checkpoint {path}가 dict가 아닙니다 ({type(state).__name__}): "
                                 "save_checkpoint로 쓴 파일을 주세요")
    return state


def rng_states() -> dict:
    """Python, NumPy 전역, torch CPU (와 있으면 CUDA) 난수 상태. `weights_only=True`로 다시 읽히는 값만 담는다."""
    import random

    import torch

    state = {"torch": torch.get_rng_state(), "python": repr(random.getstate()),
             "numpy": {"key": np.random.get_state()[1].tolist(), "pos": int(np.random.get_state()[2])}}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_states(state: dict) -> None:
    """`rng_states()`가 돌려준 상태로 되돌린다 (NumPy의 Gaussian 캐시는 비운다)."""
    import ast
    import random

    import torch

    torch.set_rng_state(state["torch"])
    random.setstate(ast.literal_eval(state["python"]))
    np.random.set_state(("MT19937", np.asarray(state["numpy"]["key"], dtype=np.uint32), state["numpy"]["pos"], 0, 0.0))
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def check_dtype(name: str):
    import torch

    if name not in DTYPES:
        raise ValueError(f"dtype은 {', '.join(DTYPES)} 중 하나여야 합니다: {name!r}")
    return getattr(torch, name)


def autocast(device, dtype: str = "float32"):
    """forward를 감쌀 context. "float32"면 아무것도 하지 않고, "bfloat16"·"float16"이면 `torch.autocast`.

    autocast 안에서 matmul·linear는 낮은 정밀도로 계산하고, softmax·LayerNorm·loss 같은 합이 큰 연산은 float32로
    남긴다 (PyTorch의 op별 목록). parameter와 optimizer 상태는 float32 그대로다. CPU의 autocast는 bfloat16과
    float16을 모두 받는다.
    """
    import contextlib

    import torch

    torch_dtype = check_dtype(dtype)
    if torch_dtype is torch.float32:
        return contextlib.nullcontext()
    return torch.autocast(device_type=torch.device(device).type, dtype=torch_dtype)


def grad_scaler(device, dtype: str = "float32"):
    """float16이면 켜진 `torch.amp.GradScaler`, 아니면 꺼진 것 (scale·step·update가 그대로 통과한다).

    float16의 지수는 5 bit라 작은 gradient가 0으로 사라진다 (underflow): loss에 큰 수 S를 곱해 backward하고
    optimizer step 전에 gradient를 S로 나눈다. inf/NaN이 나오면 그 step을 건너뛰고 S를 줄인다. bfloat16은
    float32와 같은 8 bit 지수라 scaler가 필요 없다.
    """
    import torch

    return torch.amp.GradScaler(torch.device(device).type, enabled=check_dtype(dtype) is torch.float16)
