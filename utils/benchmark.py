"""벤치마크의 한 가지 재는 법(protocol): 번갈아 재고, 같은 회의 쌍으로 비율을 내고, 구간으로 goal을 판정한다.

모든 `benchmark_*.py`와 `benchmarks/`가 이 파일 하나로 잰다:

1. `interleaved_times`: 비교하는 함수들을 회(round)마다 한 번씩, 순서를 회마다 뒤집어 가며 잰다. 회마다 벽시계
   시간(`time.perf_counter`)과 이 process의 CPU 시간(`time.process_time`)을 함께 남긴다: 목록의 r번째 값은 모두
   r번째 회의 것이므로 a와 b의 표본이 **같은 회의 쌍**이다.
2. `ratio_interval`: 비율 = 회마다의 비율 a_r / b_r의 중앙값. 95% 구간은 그 중앙값의 bootstrap percentile
   구간이다 (회를 복원 추출, seed와 재추출 수는 고정: 같은 표본 → 같은 구간).
3. `verdict`: goal에 대한 판정. goal이 "a / b ≤ g"이면 구간 상한 ≤ g → met, 구간 하한 > g → not met, 그 사이
   (구간이 g를 가로지른다) → unclear. "≥ g" goal은 그 거울이다. unclear이면 `repeats_to_decide`가 구간 폭이
   1/√n으로 줄어든다고 보고, 몇 회면 구간이 g에 닿지 않을지 어림한다.
4. `compare`: 위의 셋을 한 줄(row)로. 판정은 벽시계 비율로 하고, CPU 시간 비율과 그 구간을 옆에 둔다: 기계를
   다른 작업과 나눠 쓰면 벽시계에는 기다린 시간이 섞이지만 thread 하나의 CPU 시간은 계산한 시간에 가깝다.
5. `benchmark_main`: 장마다 있는 `benchmark_*.py`의 `main`. 공통 인자(--repeats --seed --threads, 작은 모드,
   --out), thread 제한, 환경과 앞뒤 load average 기록, 표와 판정 수 출력, 결과 파일 쓰기를 여기서 한 번만 한다.
   장의 파일에는 무엇을 재는지(줄을 만드는 `measure`)만 남는다.

숫자만으로는 비교가 안 되므로 어떤 CPU, 몇 thread, 어떤 라이브러리 판, 그때의 load average를 함께 남긴다
(`environment`). 시간 자체를 판정하는 테스트는 없다: 테스트는 이 계산들을 알려진 표본으로 확인한다.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BOOTSTRAP_RESAMPLES = 2000          # bootstrap 재추출 수 (고정)
BOOTSTRAP_SEED = 0                  # bootstrap의 seed (고정: 같은 표본이면 같은 구간)
LEVEL = 0.95                        # 구간의 신뢰 수준
VERDICTS = ("met", "not met", "unclear")


@dataclass(frozen=True)
class Goal:
    """비율 a / b에 대한 목표: at_most면 a / b ≤ limit, 아니면 a / b ≥ limit."""

    kind: str
    description: str
    limit: float
    at_most: bool = True

    @property
    def text(self) -> str:
        return f"{'≤' if self.at_most else '≥'} {self.limit:g}×"


GOALS = {g.kind: g for g in (
    Goal("L3", "L3 모델 / production twin (같은 가중치)", 1.0),
    Goal("kernel", "손으로 쓴 kernel (NumPy·low-level) / library kernel", 2.0),
    Goal("backward", "손 backward / autograd", 1.5),
    Goal("cache", "KV cache 생성 / cache 없이 매 step 전체 계산", 0.5),
    Goal("buffers", "작업 배열을 다시 쓰는 코드 / 매번 새로 잡는 코드", 1.0),
    Goal("im2col", "정의 그대로의 loop / im2col (im2col이 이만큼은 빨라야 한다)", 10.0, at_most=False),
    Goal("float32", "float64 / float32 (float32가 느리지 않다)", 1.0, at_most=False),
    Goal("threads", "2 thread / 1 thread (thread를 늘리면 빨라진다)", 1.0),
    Goal("gpu", "GPU / CPU", 1.0),
)}


def interleaved_times(fns: dict, repeats: int, setup: dict | None = None) -> dict[str, dict[str, list[float]]]:
    """이름 → 함수 여럿을 번갈아 잰 표본: {이름: {"wall": [회마다 초], "cpu": [회마다 CPU 초]}}.

    함수마다 warm-up 한 번 뒤, 회마다 모든 함수를 한 번씩 잰다 (순서는 회마다 뒤집는다). 하나를 repeats번 다 재고
    다음으로 넘어가면, 그사이 기계의 부하가 바뀐 것이 비율에 섞인다. 번갈아 재면 twin들이 같은 부하를 나눠 받고,
    r번째 값끼리는 같은 회의 쌍이다. setup[name]이 있으면 잴 때마다 그것을 부르고 fn을 한 번 (재지 않고) 돈 다음
    잰다: thread 수처럼 바꾼 직후의 첫 호출이 비싼 설정(OpenBLAS는 thread를 새로 띄운다)을 시간에서 뺀다.
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
    times: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": []} for name in fns}
    order = list(fns)
    for r in range(repeats):
        for name in (order if r % 2 == 0 else order[::-1]):
            if name in setup:
                setup[name]()
                fns[name]()
            wall, cpu = time.perf_counter(), time.process_time()
            fns[name]()
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            times[name]["wall"].append(wall)
            times[name]["cpu"].append(cpu)
    return times


def ratio_interval(a, b, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED,
                   level: float = LEVEL) -> tuple[float, float, float]:
    """같은 회의 쌍 (a_r, b_r)에서 (비율, 구간 하한, 구간 상한).

    비율은 회마다의 비율 a_r / b_r의 중앙값이다. 구간은 회를 복원 추출한 `resamples`개 표본마다 그 중앙값을 구해
    가운데 level만큼을 남긴 percentile bootstrap 구간이다. 회가 하나면 구간은 비율 한 점이다.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.ndim != 1 or a.shape != b.shape or a.size == 0:
        raise ValueError(f"a와 b는 같은 길이(≥ 1)의 회별 표본이어야 합니다: 받은 shape {a.shape}, {b.shape}")
    if np.any(b <= 0) or np.any(a < 0):
        raise ValueError("표본은 0 이상이고 b는 0보다 커야 합니다 (시간·메모리)")
    per_round = a / b
    ratio = float(np.median(per_round))
    if per_round.size == 1:
        return ratio, ratio, ratio
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, per_round.size, size=(resamples, per_round.size))
    medians = np.median(per_round[picks], axis=1)
    tail = (1.0 - level) / 2
    low, high = np.quantile(medians, [tail, 1.0 - tail])
    return ratio, float(low), float(high)


def verdict(low: float, high: float, goal: Goal) -> str:
    """구간 [low, high]와 goal → "met" / "not met" / "unclear". 경계는 met 쪽이다 (상한 = limit이면 met)."""
    if goal.at_most:
        if high <= goal.limit:
            return "met"
        return "not met" if low > goal.limit else "unclear"
    if low >= goal.limit:
        return "met"
    return "not met" if high < goal.limit else "unclear"


def repeats_to_decide(ratio: float, low: float, high: float, limit: float, repeats: int) -> int | None:
    """unclear인 줄을 판정하려면 몇 회가 필요한가의 어림: 구간의 (goal 쪽) 반폭이 1/√n으로 준다고 본다.

    비율이 goal 위에 있으면 하한 쪽 반폭 (ratio − low)이 ratio − limit보다 작아질 때까지, 아래에 있으면 상한 쪽.
    비율이 goal과 같거나 그쪽 반폭이 0이면 None (반복으로는 정해지지 않는다).
    """
    gap = ratio - limit
    half = (ratio - low) if gap > 0 else (high - ratio)
    if gap == 0 or half <= 0:
        return None
    return max(repeats + 1, math.ceil(repeats * (half / abs(gap)) ** 2))


def compare(name: str, a: str, b: str, a_times: dict, b_times: dict, goal: str | Goal, group: str = "",
            **extra) -> dict:
    """`interleaved_times`의 두 표본(같은 회의 쌍)에서 한 줄: 중앙값, 비율과 구간, CPU 비율과 구간, goal, 판정.

    a_times / b_times는 {"wall": [...], "cpu": [...]} (CPU가 없으면 "cpu" 없이도 된다). 표본은 줄에 그대로
    남긴다 (a_wall_s, b_wall_s, a_cpu_s, b_cpu_s): 나중에 누구든 같은 계산을 다시 할 수 있다.
    """
    goal = GOALS[goal] if isinstance(goal, str) else goal
    a_wall, b_wall = list(map(float, a_times["wall"])), list(map(float, b_times["wall"]))
    if len(a_wall) != len(b_wall) or not a_wall:
        raise ValueError(f"{name}: a와 b의 표본은 같은 회의 쌍이어야 합니다 (길이 {len(a_wall)}, {len(b_wall)})")
    ratio, low, high = ratio_interval(a_wall, b_wall)
    row = {"group": group, "name": name, "a": a, "b": b, "unit": "ms",
           "a_ms": float(np.median(a_wall)) * 1e3, "b_ms": float(np.median(b_wall)) * 1e3,
           "ratio": ratio, "ratio_low": low, "ratio_high": high, "repeats": len(a_wall),
           "cpu_ratio": None, "cpu_low": None, "cpu_high": None,
           "a_wall_s": a_wall, "b_wall_s": b_wall}
    a_cpu, b_cpu = a_times.get("cpu"), b_times.get("cpu")
    if a_cpu is not None and b_cpu is not None and min(b_cpu) > 0:
        row["cpu_ratio"], row["cpu_low"], row["cpu_high"] = ratio_interval(a_cpu, b_cpu)
        row["a_cpu_s"], row["b_cpu_s"] = list(map(float, a_cpu)), list(map(float, b_cpu))
    row.update(judge(ratio, low, high, goal, len(a_wall)))
    row.update(extra)
    return row


def compare_values(name: str, a: str, b: str, a_value: float, b_value: float, unit: str, goal: str | Goal,
                   group: str = "", **extra) -> dict:
    """한 번 잰 결정적인 양(예: 메모리 MB)의 비율 한 줄. 표본이 하나라 구간은 비율 한 점이다."""
    goal = GOALS[goal] if isinstance(goal, str) else goal
    ratio, low, high = ratio_interval([a_value], [b_value])
    row = {"group": group, "name": name, "a": a, "b": b, "unit": unit, "a_value": float(a_value),
           "b_value": float(b_value), "ratio": ratio, "ratio_low": low, "ratio_high": high, "repeats": 1,
           "cpu_ratio": None, "cpu_low": None, "cpu_high": None}
    row.update(judge(ratio, low, high, goal, 1))
    row.update(extra)
    return row


def judge(ratio: float, low: float, high: float, goal: Goal, repeats: int) -> dict:
    """goal과 판정, unclear면 판정에 필요한 회 수의 어림을 담은 dict (한 줄에 더할 key들)."""
    result = verdict(low, high, goal)
    return {"goal": goal.kind, "goal_text": goal.text, "goal_limit": goal.limit, "goal_at_most": goal.at_most,
            "verdict": result,
            "repeats_to_decide": repeats_to_decide(ratio, low, high, goal.limit, repeats)
            if result == "unclear" else None}


def verdict_text(row: dict) -> str:
    """표에 쓰는 판정: "met", "not met", "unclear (약 N회면 판정)" 또는 — 필요한 회 수가 없거나 지금의 100배를
    넘으면 — "unclear (반복으로 정해지지 않음)"."""
    if row["verdict"] != "unclear":
        return row["verdict"]
    n = row.get("repeats_to_decide")
    if not n or n > 100 * row["repeats"]:                # 비율이 goal에 거의 붙어 있다: 반복으로는 가리기 어렵다
        return "unclear (반복으로 정해지지 않음)"
    return f"unclear (약 {n}회면 판정)"


def verdict_counts(rows) -> dict[str, int]:
    """판정마다 줄 수 {"met": …, "not met": …, "unclear": …}."""
    counts = dict.fromkeys(VERDICTS, 0)
    for row in rows:
        counts[row["verdict"]] += 1
    return counts


def verdict_line(rows) -> str:
    counts = verdict_counts(rows)
    return "판정: " + ", ".join(f"{name} {counts[name]}" for name in VERDICTS) + f" (모두 {sum(counts.values())}줄)"


def _fmt(v: float) -> str:
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


def format_rows(rows: list[dict], with_group: bool = False) -> str:
    """비율 표 (Markdown). a / b < 1이면 a가 빠르다 (memory 줄은 a가 덜 잡는다)."""
    header = (["장"] if with_group else []) + ["측정", "a", "b", "a", "b", "a / b [95% 구간]", "CPU 시간 a / b",
                                               "goal", "판정", "회", "결과 상대 차이"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        unit = r.get("unit", "ms")
        a, b = (r["a_value"], r["b_value"]) if unit != "ms" else (r["a_ms"], r["b_ms"])
        cpu = "—" if r.get("cpu_ratio") is None else f"{r['cpu_ratio']:.2f}× [{r['cpu_low']:.2f}, {r['cpu_high']:.2f}]"
        diff = f"{r['rel_diff']:.1e}" if r.get("rel_diff") is not None else "—"
        cells = ([r["group"]] if with_group else []) + [
            r["name"], r["a"], r["b"], f"{_fmt(a)} {unit}", f"{_fmt(b)} {unit}",
            f"**{r['ratio']:.2f}×** [{r['ratio_low']:.2f}, {r['ratio_high']:.2f}]", cpu, r["goal_text"],
            verdict_text(r), str(r["repeats"]), diff]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def print_rows(rows: list[dict]) -> None:
    """장의 벤치마크가 끝에 출력하는 표와 판정 수."""
    print(format_rows(rows))
    print(verdict_line(rows))


def training_step(model, loss_fn, lr: float = 1e-4):
    """학습 한 step (forward + loss + backward + AdamW step)을 도는 함수를 돌려준다. loss_fn(model) → scalar loss.

    twin마다 자기 AdamW를 따로 둔다. step마다 가중치가 바뀌지만 두 모델이 같은 일을 하므로 시간 비교에는 상관없다.
    """
    import torch

    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)

    def step():
        model.train()
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model)
        loss.backward()
        optimizer.step()
        return loss

    return step


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


def benchmark_main(measure, description: str, argv=None, *, repeats: int, options=None, check=None,
                   quick: str | None = None, threads: bool = True, seed: bool = True, out: str | None = None,
                   summary=None) -> dict:
    """장의 벤치마크 한 번: 명령줄 해석 → thread 제한 → `measure(args)` → 환경 기록 → 출력 (→ result.json).

    공통 인자: `--repeats` (번갈아 잰 회 수, 기본 repeats), `--seed` (seed=True일 때), `--threads` (threads=True일
    때, 기본 1: torch와 NumPy BLAS 모두; False면 measure가 thread를 스스로 정하고 환경에는 1로 적는다), quick이
    있으면 그 이름의 작은 모드 flag (예: "--tiny"; 값은 args.quick), out이 있으면 `--out` (result.json을 쓸 폴더,
    기본 out). 장만의 인자는 `options(parser)`가 더한다.
    `check(args)`는 인자끼리의 조건이 틀리면 그 이유 한 문장을 돌려준다 → 그 문장과 exit 2.

    measure(args) → {"rows": [`compare`로 만든 줄], 장의 다른 key…}. "environment"가 있으면 그 항목을 환경 기록에
    더한다. `summary(result)` → 표 앞에 출력할 글 (측정 조건, 장만의 표). 출력의 마지막 줄은 판정 수다.
    돌려주는 dict: measure의 key + environment (앞뒤 load average 포함) + repeats + seconds.
    """
    import torch  # noqa: F401  (limit_threads는 이미 import된 torch의 thread만 건다)

    from utils.cli import positive_int
    from utils.core import limit_threads, write_json

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeats", type=positive_int, default=repeats,
                        help=f"번갈아 잰 회 수 (warm-up 제외, 기본 {repeats})")
    if seed:
        parser.add_argument("--seed", type=int, default=0, help="가중치와 입력의 seed")
    if threads:
        parser.add_argument("--threads", type=positive_int, default=1,
                            help="torch와 NumPy BLAS의 thread 수 (비교하는 쪽 모두 같게, 기본 1)")
    if quick:
        parser.add_argument(quick, dest="quick", action="store_true",
                            help="작은 크기로 몇 초 (도는지 확인용: 숫자와 판정은 비교할 값이 아니다)")
    if out:
        parser.add_argument("--out", default=out, help=f"result.json을 쓸 폴더 (기본 {out})")
    if options:
        options(parser)
    args = parser.parse_args(argv)
    problem = check(args) if check else None
    if problem:
        parser.error(problem)

    load_before = load_average()
    start = time.perf_counter()
    with limit_threads(args.threads if threads else None):
        result = measure(args)
    seconds = time.perf_counter() - start
    extra = result.pop("environment", {})
    result["environment"] = environment(args.threads if threads else 1, load_before=load_before,
                                        load_after=load_average(), **extra)
    result.setdefault("repeats", args.repeats)
    result["seconds"] = seconds

    print("환경: " + ", ".join(f"{k} = {v}" for k, v in result["environment"].items()))
    print(f"번갈아 {args.repeats}회 (warm-up 제외), 전체 {seconds:.0f}초")
    if summary:
        print(summary(result))
    print()
    print_rows(result["rows"])
    if out:
        write_json(Path(args.out) / "result.json", result)
    return result
