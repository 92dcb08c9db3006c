"""utils/benchmark.py: 중앙값 시간, 환경 기록."""
import numpy as np
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


def test_interleaved_times_flips_order_every_round_and_runs_setup_untimed():
    calls = []
    times = benchmark.interleaved_times({"x": lambda: calls.append("x"), "y": lambda: calls.append("y")}, 3,
                                        setup={"y": lambda: calls.append("set")})
    # warm-up (x, set y), 그다음 round 0: x, (set, y 재지 않음), y; round 1: 순서를 뒤집어 y부터; round 2: x부터
    assert calls == ["x", "set", "y",
                     "x", "set", "y", "y",
                     "set", "y", "y", "x",
                     "x", "set", "y", "y"]
    assert [len(t) for t in times.values()] == [3, 3]
    with pytest.raises(ValueError, match="repeats"):
        benchmark.interleaved_times({"x": lambda: None}, 0)


def test_side_by_side_alternates_the_order_and_reports_median_min_max(monkeypatch):
    clock = iter(range(100))                                       # 부를 때마다 1초씩 흐르는 시계
    monkeypatch.setattr(benchmark.time, "perf_counter", lambda: next(clock))
    order = []
    result = benchmark.side_by_side({"a": lambda: order.append("a"), "b": lambda: order.append("b")}, repeats=3)
    assert order == ["a", "b", "a", "b", "b", "a", "a", "b"]      # warm-up a b, 그다음 회마다 순서를 뒤집는다
    assert result == {"a": {"median": 1.0, "min": 1.0, "max": 1.0}, "b": {"median": 1.0, "min": 1.0, "max": 1.0}}
    with pytest.raises(ValueError, match="repeats"):
        benchmark.side_by_side({"a": lambda: None}, repeats=0)
    with pytest.raises(ValueError, match="함수"):
        benchmark.side_by_side({}, repeats=1)


def test_side_by_side_median_min_max_of_uneven_times(monkeypatch):
    ticks = iter([0, 5, 5, 6,  6, 8, 8, 11,  11, 12, 12, 20])     # warm-up은 재지 않는다: (a, b) (b, a) (a, b)
    monkeypatch.setattr(benchmark.time, "perf_counter", lambda: next(ticks))
    result = benchmark.side_by_side({"a": lambda: None, "b": lambda: None}, repeats=3)
    assert result["a"] == {"median": 3.0, "min": 1.0, "max": 5.0}  # a: 5, 3, 1
    assert result["b"] == {"median": 2.0, "min": 1.0, "max": 8.0}  # b: 1, 2, 8


def test_recording_collects_every_sample_inside_the_block_only():
    outside = benchmark.median_seconds(lambda: None, repeats=2)
    with benchmark.recording() as records:
        median = benchmark.median_seconds(lambda: None, repeats=3)
        pair = benchmark.side_by_side({"a": lambda: None, "b": lambda: None}, repeats=2)
    benchmark.median_seconds(lambda: None, repeats=2)                # 블록 밖: 기록되지 않는다
    assert [len(times) for _, times in records] == [3, 2, 2]
    assert records[0][0] == median and records[1][0] == pair["a"]["median"] and records[2][0] == pair["b"]["median"]
    assert all(np.median(times) == m for m, times in records)
    assert outside >= 0.0 and benchmark._recordings == []


def test_environment_names_machine_threads_versions_and_extras():
    import numpy as np
    import torch

    env = benchmark.environment(3, torchvision="x.y")
    assert env["threads"] == 3 and env["torchvision"] == "x.y"
    assert env["numpy"] == np.__version__ and env["torch"] == torch.__version__
    assert env["cpu"] and env["machine"] and env["python"]
    load = benchmark.load_average()
    assert load is None or len(load) == 3
