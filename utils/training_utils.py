"""모든 장이 함께 쓰는 학습 도구: 공통 CLI, seed, device, 학습 루프, History, 결과 보고.

레벨 스크립트 규약 (DESIGN.md):
    def main(argv=None) -> dict:
        args = parse_args(make_parser(...), argv)
        ...
        return report(result, args.out)

    if __name__ == "__main__":
        cli(main)

- `report`는 결과 한 줄을 출력하고 `<out>/result.json`을 원자적으로(atomic) 쓴다.
- `cli`는 실제 데이터셋이 없을 때(`DatasetUnavailable`) traceback 대신 한 문장과 exit code 2로 끝낸다.
- torch는 필요한 함수 안에서만 import한다: NumPy 레벨(L1) 스크립트는 torch 없이도 돈다.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REQUIRED_RESULT_KEYS = ("model", "level", "data", "metric", "value", "seconds")


# ---------------------------------------------------------------------------
# 파일 쓰기: 반쯤 쓰인 파일이 남지 않도록 임시 파일에 쓰고 os.replace로 바꿔 넣는다.
# ---------------------------------------------------------------------------
@contextlib.contextmanager
def atomic_path(path):
    """`with atomic_path("a/b.png") as tmp:` 안에서 tmp에 쓰면, 성공했을 때만 path로 바뀐다.

    같은 폴더에 임시 파일을 만들므로 os.replace는 원자적이다. 예외가 나면 임시 파일을 지우고
    기존 path는 그대로 둔다.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)                                   # mkstemp은 0600으로 만든다: 보통 파일 권한으로
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def atomic_write_text(path, text: str) -> Path:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_json(path, obj) -> Path:
    return atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default) + "\n")


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"JSON으로 쓸 수 없는 값입니다: {type(value).__name__}")


# ---------------------------------------------------------------------------
# 공통 CLI
# ---------------------------------------------------------------------------
def make_parser(model: str, level: str, description: str, data_choices, default_data: str,
                default_epochs: int) -> argparse.ArgumentParser:
    """모든 레벨 스크립트가 쓰는 parser: --quick --epochs --seed --device --data --out (+ --root --download).

    `--data`는 choices로 제한되므로 모르는 이름은 argparse가 선택지를 나열하며 거부한다 (exit 2).
    장마다 필요한 옵션(예: --lr)은 돌려받은 parser에 더 붙이면 된다.
    """
    choices = list(data_choices)
    if default_data not in choices:
        raise ValueError(f"default_data={default_data!r}는 data_choices {choices} 중 하나여야 합니다")
    parser = argparse.ArgumentParser(description=description)
    parser.set_defaults(model=model, level=level)
    parser.add_argument("--quick", action="store_true", help="몇 초짜리 smoke run (epoch·데이터를 줄인다)")
    parser.add_argument("--epochs", type=_positive_int, default=default_epochs,
                        help=f"학습 epoch 수 (기본 {default_epochs})")
    parser.add_argument("--seed", type=int, default=0, help="난수 seed (같은 seed, 같은 기계 → 같은 숫자)")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"],
                        help="auto: cuda → mps → cpu 순으로 고른다 (NumPy 레벨은 무시)")
    parser.add_argument("--data", default=default_data, choices=choices,
                        help=f"데이터셋 (기본 {default_data}, 내장 데이터)")
    parser.add_argument("--out", default=None, help=f"결과 폴더 (기본 outputs/{model}/{level}/<data>)")
    parser.add_argument("--root", default="data", help="실제 데이터셋(MNIST 등)을 찾고 저장할 폴더")
    parser.add_argument("--download", action="store_true", help="실제 데이터셋이 없으면 내려받는다 (인터넷 필요)")
    parser.add_argument("--threads", type=_positive_int, default=None,
                        help="torch와 NumPy BLAS의 CPU thread 수 (기본: 라이브러리 기본값; 작은 모델은 1이 빠르다)")
    return parser


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"1 이상의 정수가 필요합니다: {text}")
    return value


def parse_args(parser: argparse.ArgumentParser, argv=None) -> argparse.Namespace:
    """argv를 해석하고 `--out`의 기본값 outputs/<model>/<level>/<data>를 채운다."""
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = str(Path("outputs") / args.model / args.level / args.data)
    return args


# ---------------------------------------------------------------------------
# seed와 device
# ---------------------------------------------------------------------------
def seed_everything(seed: int) -> np.random.Generator:
    """Python random, NumPy, (import되어 있으면) torch의 seed를 고정하고 NumPy Generator를 돌려준다."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    if "torch" in sys.modules:
        import torch

        torch.manual_seed(seed)
    return np.random.default_rng(seed)


def choose_device(name: str = "auto"):
    """"auto"는 cuda → mps → cpu 순. 없는 장치를 직접 요청하면 ValueError."""
    import torch

    mps_ok = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps") if mps_ok else torch.device("cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda를 요청했지만 CUDA GPU가 없습니다 (--device cpu 또는 auto를 쓰세요)")
    if name == "mps" and not mps_ok:
        raise ValueError("--device mps를 요청했지만 Apple MPS를 쓸 수 없습니다 (--device cpu 또는 auto를 쓰세요)")
    if name not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device는 auto, cpu, cuda, mps 중 하나여야 합니다: {name!r}")
    return torch.device(name)


@contextlib.contextmanager
def limit_threads(n: int | None):
    """이 블록 안에서만 torch와 NumPy BLAS(threadpoolctl)의 thread 수를 n으로 두고, 끝나면 되돌린다.

    작은 행렬 연산이 많은 학습은 thread가 서로를 기다리느라 오히려 느려진다 (2-core 기계를 다른 작업과
    나눠 쓰면 10배 넘게). n=None이면 아무것도 바꾸지 않는다. 값은 바뀌지 않는다 — 합의 순서만 달라진다.
    """
    if n is None:
        yield
        return
    from threadpoolctl import threadpool_limits

    torch = sys.modules.get("torch")
    old = torch.get_num_threads() if torch is not None else None
    if torch is not None:
        torch.set_num_threads(n)
    try:
        with threadpool_limits(limits=n):
            yield
    finally:
        if torch is not None:
            torch.set_num_threads(old)


# ---------------------------------------------------------------------------
# 데이터 검사
# ---------------------------------------------------------------------------
def check_finite(**arrays) -> None:
    """학습 전에 NaN/inf를 잡는다: `check_finite(X_train=X, y_train=y)`. 어느 배열의 몇 개인지 말해 준다."""
    for name, array in arrays.items():
        values = np.asarray(array.detach().cpu() if hasattr(array, "detach") else array)
        if not np.issubdtype(values.dtype, np.number):
            raise ValueError(f"{name}는 숫자 배열이어야 합니다: dtype={values.dtype}")
        bad = ~np.isfinite(values)
        if bad.any():
            raise ValueError(f"{name}에 NaN 또는 inf가 {int(bad.sum())}개 있습니다: 학습 전에 데이터를 정리하세요")


# ---------------------------------------------------------------------------
# 학습 기록과 루프 (L3 nn.Module용)
# ---------------------------------------------------------------------------
class History:
    """epoch마다 지표를 쌓는 dict-of-lists. `history.log(train_loss=..., test_acc=...)`."""

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


def _batches(n: int, batch_size: int | None, generator):
    import torch

    if batch_size is None or batch_size >= n:
        yield slice(None)
        return
    order = torch.randperm(n, generator=generator)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def evaluate(model, loss_fn, X, y, metric=None, batch_size: int = 1024) -> tuple[float, float | None]:
    """eval 모드, no_grad로 평균 loss와 (metric이 있으면) metric을 계산한다."""
    import torch

    model.eval()
    total, count, outputs = 0.0, 0, []
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            out = model(X[start:start + batch_size])
            total += loss_fn(out, y[start:start + batch_size]).item() * len(out)
            count += len(out)
            outputs.append(out)
    value = metric(torch.cat(outputs), y) if metric is not None else None
    return total / count, value


def fit(model, loss_fn, optimizer, train, test=None, *, epochs: int, batch_size: int | None = None,
        metric=None, seed: int = 0, desc: str = "train", progress: bool = True) -> History:
    """작은 torch 학습 루프. train/test는 (X, y) tensor 쌍 (이미 원하는 device 위에).

    batch_size=None이면 full-batch gradient descent (L2 수작업 SGD와 step 단위로 같다).
    매 epoch의 train_loss(mini-batch 평균), test_loss, (metric이 있으면) test_metric을 History에 남긴다.
    """
    import torch
    from tqdm.auto import tqdm

    X_train, y_train = train
    check_finite(X_train=X_train)
    generator = torch.Generator().manual_seed(seed)
    history = History()
    bar = tqdm(range(epochs), desc=desc, leave=False, disable=not progress, file=sys.stderr)
    for _ in bar:
        model.train()
        total, count = 0.0, 0
        for index in _batches(len(X_train), batch_size, generator):
            xb, yb = X_train[index], y_train[index]
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss_value = loss.item()
            if not np.isfinite(loss_value):
                raise FloatingPointError(f"loss가 {loss_value}가 되었습니다: learning rate를 줄여 보세요")
            loss.backward()
            optimizer.step()
            total += loss_value * len(xb)
            count += len(xb)
        record = {"train_loss": total / count}
        if test is not None:
            test_loss, test_metric = evaluate(model, loss_fn, *test, metric=metric)
            record["test_loss"] = test_loss
            if test_metric is not None:
                record["test_metric"] = test_metric
        history.log(**record)
        bar.set_postfix({k: f"{v:.4f}" for k, v in record.items()}, refresh=False)
    return history


def hold_then_cosine(epoch: int, epochs: int, base: float) -> float:
    """Learning-rate schedule: 처음 2/3 epoch는 base 그대로, 마지막 1/3(tail)은 cosine으로 0 가까이 줄인다.

    epoch는 0부터. 끝 무렵의 작은 lr이 최종 정확도를 안정시킨다 (작은 데이터에서 epoch마다의 흔들림을 줄인다).
    """
    tail = max(1, epochs // 3)
    k = epoch - (epochs - tail)                                 # tail 안에서 0, 1, ...
    return base if k < 0 else base * 0.5 * (1 + float(np.cos(np.pi * (k + 1) / (tail + 1))))


# ---------------------------------------------------------------------------
# 결과 보고
# ---------------------------------------------------------------------------
class Timer:
    """`with Timer() as t: ...` 뒤 `t.seconds`."""

    def __enter__(self):
        self.start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        return False


def report(result: dict, out_dir) -> dict:
    """결과 dict를 한 줄로 출력하고 `<out_dir>/result.json`을 원자적으로 쓴 뒤 돌려준다."""
    missing = [k for k in REQUIRED_RESULT_KEYS if k not in result]
    if missing:
        raise ValueError(f"결과에 필수 key {missing}가 없습니다 (필수: {list(REQUIRED_RESULT_KEYS)})")
    out_dir = Path(out_dir)
    result = dict(result)
    result["seconds"] = round(float(result["seconds"]), 3)
    result.setdefault("plots", [])
    write_json(out_dir / "result.json", result)
    value = result["value"]
    shown = f"{value:.4f}" if isinstance(value, float) else str(value)
    print(f"[{result['model']} | {result['level']} | {result['data']}] {result['metric']} = {shown} "
          f"({result['seconds']:.1f}s) → {out_dir / 'result.json'}")
    return result


def cli(main) -> None:
    """`if __name__ == "__main__": cli(main)`. 실제 데이터셋이 없으면 한 문장 + exit code 2."""
    from utils.data_loaders import DatasetUnavailable

    try:
        main()
    except DatasetUnavailable as error:
        print(f"오류: {error}", file=sys.stderr)
        sys.exit(2)
