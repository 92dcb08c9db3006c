"""utils의 맨 아래층: 다른 utils 모듈이 모두 기대는 작은 도구들. 이 모듈은 utils의 어떤 모듈도 import하지 않는다.

층 구조 (아래층은 위층을 import하지 않는다 — `utils/test_core.py`가 import 그래프에 cycle이 없음을 확인한다):

    core  ←  datasets, schedules, batching, gradcheck, benchmark  ←  cli, training, visualization  ←  run, grade

- 오류: `DatasetUnavailable` — 실제 데이터셋·checkpoint·corpus 파일이 없고 받을 수도 없을 때.
- 파일 쓰기: `atomic_path`, `atomic_write_text`, `write_json` — 반쯤 쓰인 파일을 남기지 않는다.
- 검사: `check_finite`, `check_positive_int`.
- 시간과 thread: `Timer`, `limit_threads`.

torch는 import하지 않는다 (`limit_threads`는 이미 import된 torch만 건드린다). NumPy 레벨(L1)도 이 모듈을 쓴다.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


class DatasetUnavailable(RuntimeError):
    """실제 데이터셋(또는 pretrained weight, corpus 파일)이 없고 받을 수도 없을 때.

    메시지는 무엇을 하면 되는지 한 문장으로 쓴다 (경로, `--download` 등). `utils.cli.cli`가 traceback 없이
    그 문장만 출력하고 exit code 2로 끝낸다.
    """


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
# 검사
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


def check_positive_int(name: str, value, minimum: int = 1) -> int:
    """value가 minimum 이상의 정수인지 확인하고 int로 돌려준다. 아니면 이름과 값을 적은 ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name}은(는) {minimum} 이상의 정수여야 합니다: {name}={value!r}")
    return int(value)


# ---------------------------------------------------------------------------
# 시간과 thread
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
