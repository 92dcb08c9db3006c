"""utils/benchmark.py: 중앙값 시간, 환경 기록."""
import pytest

from utils import benchmark


def test_median_seconds_warms_up_once_then_takes_the_median(monkeypatch):
    clock = iter([0.0, 1.0, 10.0, 13.0, 20.0, 22.0])            # 잰 구간: 1, 3, 2초 → 중앙값 2
    monkeypatch.setattr(benchmark.time, "perf_counter", lambda: next(clock))
    calls = []
    assert benchmark.median_seconds(lambda: calls.append(1), repeats=3) == 2.0
    assert len(calls) == 4                                         # warm-up 1 + 3
    with pytest.raises(ValueError, match="repeats"):
        benchmark.median_seconds(lambda: None, repeats=0)


def test_environment_names_machine_threads_versions_and_extras():
    import numpy as np
    import torch

    env = benchmark.environment(3, torchvision="x.y")
    assert env["threads"] == 3 and env["torchvision"] == "x.y"
    assert env["numpy"] == np.__version__ and env["torch"] == torch.__version__
    assert env["cpu"] and env["machine"] and env["python"]
    load = benchmark.load_average()
    assert load is None or len(load) == 3
