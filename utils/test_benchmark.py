"""utils/benchmark.py: 번갈아 재기, 쌍별 비율의 bootstrap 구간, goal 판정, 표와 판정 수 (알려진 표본으로)."""
import numpy as np
import pytest

from utils import benchmark
from utils.benchmark import GOALS, Goal


def test_interleaved_times_flips_order_every_round_and_runs_setup_untimed():
    calls = []
    times = benchmark.interleaved_times({"x": lambda: calls.append("x"), "y": lambda: calls.append("y")}, 3,
                                        setup={"y": lambda: calls.append("set")})
    # warm-up (x, set y), 그다음 round 0: x, (set, y 재지 않음), y; round 1: 순서를 뒤집어 y부터; round 2: x부터
    assert calls == ["x", "set", "y",
                     "x", "set", "y", "y",
                     "set", "y", "y", "x",
                     "x", "set", "y", "y"]
    assert {k: (len(v["wall"]), len(v["cpu"])) for k, v in times.items()} == {"x": (3, 3), "y": (3, 3)}
    with pytest.raises(ValueError, match="repeats"):
        benchmark.interleaved_times({"x": lambda: None}, 0)
    with pytest.raises(ValueError, match="함수"):
        benchmark.interleaved_times({}, 1)


def test_interleaved_samples_are_paired_by_round(monkeypatch):
    wall = iter([0, 5, 5, 6,  6, 8, 8, 11,  11, 12, 12, 20])     # warm-up은 재지 않는다: (a, b) (b, a) (a, b)
    cpu = iter([0, 1, 1, 3,  3, 4, 4, 5,  5, 7, 7, 8])
    monkeypatch.setattr(benchmark.time, "perf_counter", lambda: next(wall))
    monkeypatch.setattr(benchmark.time, "process_time", lambda: next(cpu))
    t = benchmark.interleaved_times({"a": lambda: None, "b": lambda: None}, repeats=3)
    assert t["a"]["wall"] == [5, 3, 1] and t["b"]["wall"] == [1, 2, 8]   # round 1은 b가 먼저 (b=2, a=3)
    assert t["a"]["cpu"] == [1, 1, 2] and t["b"]["cpu"] == [2, 1, 1]


def test_identical_samples_collapse_the_interval_to_the_ratio():
    b = [0.010, 0.013, 0.011, 0.020, 0.009, 0.012, 0.015]
    assert benchmark.ratio_interval(b, b) == (1.0, 1.0, 1.0)
    a = [2.5 * v for v in b]                                       # 회마다 정확히 2.5배: 부하가 달라도 비율은 같다
    ratio, low, high = benchmark.ratio_interval(a, b)
    assert (ratio, low, high) == pytest.approx((2.5, 2.5, 2.5), rel=1e-12)
    assert benchmark.ratio_interval([3.0], [2.0]) == (1.5, 1.5, 1.5)   # 한 회: 구간은 한 점


def test_interval_of_a_known_shift_covers_it_and_shrinks_with_repeats():
    rng = np.random.default_rng(1)
    widths = []
    for n in (20, 320):
        b = rng.uniform(0.01, 0.02, n)                             # 회마다 부하가 다른 b
        a = b * 1.3 * np.exp(rng.normal(0.0, 0.05, n))             # 참 비율 1.3, 회마다 5% 흔들림
        ratio, low, high = benchmark.ratio_interval(a, b)
        assert low < 1.3 < high and low <= ratio <= high
        widths.append(high - low)
    assert widths[1] < widths[0] / 2                               # 16배의 회 → 폭은 약 1/4
    # seed가 고정이라 같은 표본이면 같은 구간, 구간은 중앙값의 bootstrap이라 쌍별 비율 범위 안에 있다
    assert benchmark.ratio_interval(a, b) == (ratio, low, high)
    assert (a / b).min() <= low and high <= (a / b).max()


def test_ratio_interval_refuses_unpaired_or_bad_samples():
    with pytest.raises(ValueError, match="같은 길이"):
        benchmark.ratio_interval([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="같은 길이"):
        benchmark.ratio_interval([], [])
    with pytest.raises(ValueError, match="0보다"):
        benchmark.ratio_interval([1.0], [0.0])


@pytest.mark.parametrize(("low", "high", "expected"), [
    (0.90, 1.00, "met"),            # 상한 = goal: met
    (0.90, 1.0001, "unclear"),
    (1.00, 1.10, "unclear"),        # 하한 = goal: 아직 goal 위라고 할 수 없다
    (1.0001, 1.10, "not met"),
    (0.5, 0.7, "met"),
    (1.2, 1.3, "not met"),
])
def test_verdict_at_most_goal_boundaries(low, high, expected):
    assert benchmark.verdict(low, high, Goal("x", "x", 1.0)) == expected


@pytest.mark.parametrize(("low", "high", "expected"), [
    (10.0, 12.0, "met"),            # 하한 = goal: met
    (9.99, 12.0, "unclear"),
    (8.0, 10.0, "unclear"),
    (8.0, 9.99, "not met"),
])
def test_verdict_at_least_goal_is_the_mirror(low, high, expected):
    assert benchmark.verdict(low, high, Goal("x", "x", 10.0, at_most=False)) == expected


def test_goals_of_the_protocol():
    assert (GOALS["L3"].limit, GOALS["kernel"].limit, GOALS["backward"].limit) == (1.0, 2.0, 1.5)
    assert all(GOALS[k].at_most for k in ("L3", "kernel", "backward", "cache"))
    assert GOALS["L3"].text == "≤ 1×" and GOALS["im2col"].text == "≥ 10×"


def test_repeats_to_decide_from_the_interval_width():
    # 비율 1.05, 하한 0.95 (goal 1.0 쪽 반폭 0.10), goal까지 0.05: 반폭을 반으로 → 회 수 4배
    assert benchmark.repeats_to_decide(1.05, 0.95, 1.20, 1.0, 10) == 40
    # goal 아래: 상한 쪽 반폭 0.06, goal까지 0.02 → 9배
    assert benchmark.repeats_to_decide(0.98, 0.90, 1.04, 1.0, 5) == 45
    assert benchmark.repeats_to_decide(1.0, 0.9, 1.1, 1.0, 5) is None          # 비율이 goal 위: 반복으로 안 된다
    assert benchmark.repeats_to_decide(1.01, 1.005, 1.1, 1.0, 5) == 6           # 이미 좁아도 적어도 한 회는 더


def test_compare_makes_a_row_with_goal_verdict_cpu_and_raw_samples():
    a = {"wall": [0.30, 0.20, 0.10], "cpu": [0.10, 0.10, 0.10]}
    b = {"wall": [0.10, 0.10, 0.10], "cpu": [0.10, 0.10, 0.10]}
    row = benchmark.compare("n", "ours", "twin", a, b, "L3", group="g", rel_diff=1e-7)
    assert row["ratio"] == pytest.approx(2.0) and row["a_ms"] == pytest.approx(200.0)     # 쌍별 비율 3, 2, 1
    assert row["cpu_ratio"] == 1.0 and (row["cpu_low"], row["cpu_high"]) == (1.0, 1.0)
    assert row["goal"] == "L3" and row["goal_text"] == "≤ 1×"
    assert row["ratio_low"] >= 1.0 and row["verdict"] == "unclear"          # 구간 [1, 3]: 하한 = goal
    assert row["a_wall_s"] == a["wall"] and row["b_cpu_s"] == b["cpu"] and row["rel_diff"] == 1e-7
    assert benchmark.compare("n", "a", "b", b, b, "L3")["verdict"] == "met"
    with pytest.raises(ValueError, match="같은 회의 쌍"):
        benchmark.compare("n", "a", "b", {"wall": [1.0]}, {"wall": [1.0, 2.0]}, "L3")
    values = benchmark.compare_values("m", "hand", "autograd", 3.0, 2.0, "MB", "backward")
    assert (values["ratio"], values["verdict"], values["repeats"]) == (1.5, "met", 1)


def test_table_and_verdict_line():
    b = {"wall": [1.0, 1.0, 1.0]}
    rows = [benchmark.compare("x", "a", "b", {"wall": [0.5, 0.5, 0.5]}, b, "L3"),
            benchmark.compare("y", "a", "b", {"wall": [3.0, 3.0, 3.0]}, b, "kernel"),
            benchmark.compare("z", "a", "b", {"wall": [0.9, 1.1, 1.3]}, b, "L3")]
    assert [r["verdict"] for r in rows] == ["met", "not met", "unclear"]
    assert benchmark.verdict_counts(rows) == {"met": 1, "not met": 1, "unclear": 1}
    assert benchmark.verdict_line(rows) == "판정: met 1, not met 1, unclear 1 (모두 3줄)"
    table = benchmark.format_rows(rows, with_group=True).splitlines()
    assert len(table) == 5 and all(line.count("|") == table[0].count("|") for line in table)
    assert "**0.50×** [0.50, 0.50]" in table[2] and "| ≤ 1× | met |" in table[2]
    assert "| ≤ 2× | not met |" in table[3] and "| unclear (약 12회면 판정) |" in table[4]   # 반폭 0.2, 거리 0.1
    assert benchmark.verdict_text(dict(rows[2], repeats_to_decide=None)) == "unclear (반복으로 정해지지 않음)"
    assert benchmark.verdict_text(dict(rows[2], repeats_to_decide=301)) == "unclear (반복으로 정해지지 않음)"
    assert benchmark.verdict_text(dict(rows[2], repeats_to_decide=300)) == "unclear (약 300회면 판정)"


def test_environment_names_machine_threads_versions_and_extras():
    import torch

    env = benchmark.environment(3, torchvision="x.y")
    assert env["threads"] == 3 and env["torchvision"] == "x.y"
    assert env["numpy"] == np.__version__ and env["torch"] == torch.__version__
    assert env["cpu"] and env["machine"] and env["python"]
    load = benchmark.load_average()
    assert load is None or len(load) == 3


def _one_row_measure(seen: dict):
    """benchmark_main에 줄 measure: 받은 인자와 그때의 thread 수를 seen에 남기고 met인 줄 하나를 돌려준다."""
    import torch
    from threadpoolctl import threadpool_info

    def measure(args):
        seen.update(vars(args), torch_threads=torch.get_num_threads(),
                    blas_threads={i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})
        half, one = {"wall": [0.5, 0.5], "cpu": [0.5, 0.5]}, {"wall": [1.0, 1.0], "cpu": [1.0, 1.0]}
        return {"rows": [benchmark.compare("x", "a", "b", half, one, "L3")], "size": getattr(args, "size", None),
                "environment": {"extra": "e"}}

    return measure


def test_benchmark_main_parses_limits_threads_prints_and_writes(tmp_path, capsys):
    import json

    import torch

    threads_before, seen = torch.get_num_threads(), {}
    argv = ["--repeats", "3", "--tiny", "--threads", "2", "--seed", "4", "--out", str(tmp_path), "--size", "5"]
    result = benchmark.benchmark_main(_one_row_measure(seen), "설명", argv, repeats=7, quick="--tiny", out="x",
                                      options=lambda p: p.add_argument("--size", type=int, default=1),
                                      summary=lambda r: f"크기 {r['size']}")
    assert (seen["repeats"], seen["quick"], seen["seed"], seen["size"]) == (3, True, 4, 5)
    assert seen["torch_threads"] == 2 and seen["blas_threads"] <= {2}          # 재는 동안만 2 thread
    assert torch.get_num_threads() == threads_before
    env = result["environment"]
    assert env["threads"] == 2 and env["extra"] == "e" and "load_before" in env and "load_after" in env
    assert result["repeats"] == 3 and result["seconds"] >= 0 and result["size"] == 5
    printed = capsys.readouterr().out.rstrip().splitlines()
    assert printed[0].startswith("환경: ") and "크기 5" in printed
    assert printed[-1] == "판정: met 1, not met 0, unclear 0 (모두 1줄)"                 # 마지막 줄은 판정 수
    written = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert written["rows"][0]["verdict"] == "met" and written["environment"]["threads"] == 2


def test_benchmark_main_defaults_and_refusals(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    seen = {}
    result = benchmark.benchmark_main(_one_row_measure(seen), "설명", [], repeats=7)
    assert (seen["repeats"], seen["threads"], seen["seed"], seen["torch_threads"]) == (7, 1, 0, 1)
    assert "quick" not in seen and "out" not in seen and not list(tmp_path.iterdir())   # --out이 없으면 파일도 없다
    assert result["environment"]["threads"] == 1
    with pytest.raises(SystemExit) as err:
        benchmark.benchmark_main(_one_row_measure({}), "설명", ["--repeats", "0"], repeats=7)
    assert err.value.code == 2 and "1 이상의 정수" in capsys.readouterr().err
    with pytest.raises(SystemExit) as err:
        benchmark.benchmark_main(_one_row_measure({}), "설명", [], repeats=7, check=lambda a: "크기가 너무 작습니다")
    assert err.value.code == 2 and "크기가 너무 작습니다" in capsys.readouterr().err
    with pytest.raises(SystemExit):                                       # threads=False: --threads, --seed가 없다
        benchmark.benchmark_main(_one_row_measure({}), "설명", ["--threads", "1"], repeats=7, threads=False, seed=False)
