"""장마다의 벤치마크 스크립트(benchmark_*.py)가 함께 쓰는 시간 재기와 환경 기록.

숫자만으로는 비교가 안 된다: 어떤 CPU, 몇 thread, 어떤 라이브러리 판, 그때 기계가 얼마나 바빴는지(load average)를
결과와 함께 남긴다. 시간 자체는 판정하지 않는다 (테스트는 스크립트가 돌고 비율을 돌려주는지만 본다).
"""
from __future__ import annotations

import os
import platform
import time
from contextlib import contextmanager

import numpy as np

_recordings: list[list] = []          # 열려 있는 recording() 블록마다 하나


@contextmanager
def recording():
    """이 블록 안에서 `median_seconds`·`side_by_side`가 잰 표본을 모두 모은다: [(중앙값 초, [회마다 초, …]), …].

    장의 벤치마크는 중앙값만 돌려준다. 여러 장을 모아 재는 `benchmarks.run`은 이것으로 회마다의 표본을 얻어
    같은 회에서 잰 twin 비율의 범위(min–max)를 계산한다.
    """
    records: list = []
    _recordings.append(records)
    try:
        yield records
    finally:
        _recordings.remove(records)


def _record(times: list[float]) -> float:
    median = float(np.median(times))
    for records in _recordings:
        records.append((median, list(times)))
    return median


def interleaved_times(fns: dict, repeats: int, setup: dict | None = None) -> dict[str, list[float]]:
    """이름 → 함수 여럿을 번갈아 잰 시간(초) 목록: 함수마다 warm-up 한 번 뒤, 회마다 모든 함수를 한 번씩 (순서는 회마다
    뒤집는다).

    하나를 repeats번 다 재고 다음으로 넘어가면, 그사이 기계의 부하가 바뀐 것이 비율에 섞인다. 번갈아 재면 twin들이
    같은 부하를 나눠 받는다. setup[name]이 있으면 잴 때마다 그것을 부르고 fn을 한 번 (재지 않고) 돈 다음 잰다:
    thread 수처럼 바꾼 직후의 첫 호출이 비싼 설정(OpenBLAS는 thread를 새로 띄운다)을 시간에서 뺀다.
    """
    if repeats < 1:
        raise ValueError(f"repeats는 1 이상이어야 합니다: {repeats}")
    if not fns:
        raise ValueError("잴 함수가 하나도 없습니다")
    setup = setup or {}
    for name, fn in fns.items():
        if name in setup:
            setup[name]()
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    order = list(fns)
    for r in range(repeats):
        for name in (order if r % 2 == 0 else order[::-1]):
            if name in setup:
                setup[name]()
                fns[name]()
            start = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - start)
    return times


def side_by_side(fns: dict, repeats: int) -> dict:
    """`interleaved_times`로 번갈아 잰 twin들의 요약 → {이름: {"median": 초, "min": 초, "max": 초}}."""
    return {name: {"median": _record(t), "min": float(min(t)), "max": float(max(t))}
            for name, t in interleaved_times(fns, repeats).items()}


def median_seconds(fn, repeats: int) -> float:
    """warm-up 한 번 뒤 repeats번 잰 시간의 중앙값 (초). 중앙값은 가끔 끼어드는 다른 작업에 덜 흔들린다."""
    return side_by_side({"fn": fn}, repeats)["fn"]["median"]


def cpu_name() -> str:
    """/proc/cpuinfo의 model name × 개수 (Linux), 없으면 platform이 아는 이름."""
    name = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
    except OSError:
        return name
    return f"{names[0]} × {len(names)}" if names else name


def load_average() -> list[float] | None:
    """1·5·15분 load average (지원하지 않는 OS면 None)."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except (AttributeError, OSError):
        return None


def environment(threads: int, **extra) -> dict:
    """벤치마크 결과와 함께 남길 환경: cpu, machine, threads, python, numpy, torch, OPENBLAS_CORETYPE (+ extra)."""
    import torch

    return {"cpu": cpu_name(), "machine": platform.machine(), "threads": threads,
            "python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(설정 안 됨)"), **extra}
