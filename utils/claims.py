"""각 장의 논문이 내세우는 핵심 주장을 작게 재현하고, seed 여러 개·95% 구간·미리 적은 기준으로 판정한다.

    python -m utils.claims                        # 12장 전부, 기본 seed 수
    python -m utils.claims 08 10 --seeds 5        # 몇 장만, seed 5개 (0, 1, 2, 3, 4)
    python -m utils.claims --quick                # 파이프라인 확인용 smoke run (판정에 의미 없음)
    python -m utils.claims --write-docs           # docs/05_Paper_Claims.md를 다시 만든다
    python -m utils.claims --write-docs --from-json outputs/claims/claims.json
                                                  # 이미 돌린 전체 실행의 claims.json으로 docs/05의 그 주장들을 바꾼다

한 장의 주장은 `NN_Name/claims.py`의 `CLAIMS` (`Claim`의 list)에 있다. `Claim`은 다음을 함께 적는다.

- `claim`(한 문장), `source`(논문·절·그림), `metric`, `arms`(비교하는 조건들의 이름);
- `run(seed, quick) -> {arm: 값}`: seed 하나로 모든 arm을 한 번씩 돌린 결과;
- `criterion`: 실행 **전에** 코드로 적은 판정 기준. seed마다 arm 값들로 통계량 하나를 계산하고
  (`per_seed`, 예: pre-trained − scratch 정확도), seed들의 평균과 t 분포 95% 구간을 낸 뒤, 구간이 기준선
  (`threshold`)의 어느 쪽에 있는지로 판정한다:

    rule="greater":  구간 하한 > threshold → holds,  구간 상한 ≤ threshold → does not hold,  그 밖 → inconclusive
    rule="less":     구간 상한 < threshold → holds,  구간 하한 ≥ threshold → does not hold,  그 밖 → inconclusive
    rule="within":   threshold=(lo, hi); 구간이 (lo, hi) 안 → holds,  구간이 밖으로 완전히 벗어남 → does not hold

seed는 `S, S+1, …, S+N−1`뿐이다 (`--first-seed S --seeds N`). 결과를 보고 seed나 설정을 고르지 않는다.
판정은 데이터이므로 어떤 판정이든 exit 0; 잘못된 입력(모르는 장, `--seeds 0`)은 한 문장과 exit 2.
"""
from __future__ import annotations

import argparse
import importlib
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from utils.core import Timer, atomic_write_text, limit_threads, write_json

ROOT = Path(__file__).resolve().parent.parent
DOC_PATH = ROOT / "docs" / "05_Paper_Claims.md"
DOC_DATA_PATH = ROOT / "docs" / "05_Paper_Claims.json"
VERDICTS = ("holds", "does not hold", "inconclusive")
RULES = ("greater", "less", "within")
REQUIRED_KEYS = ("chapter", "name", "claim", "source", "metric", "arms", "statistic", "ci95", "criterion",
                 "seeds", "verdict")


@dataclass(frozen=True)
class Criterion:
    """판정 기준. `description`은 사람이 읽는 문장, `per_seed`는 한 seed의 {arm: 값}에서 통계량 하나를 만든다."""

    description: str
    per_seed: Callable[[dict[str, float]], float]
    rule: str
    threshold: float | tuple[float, float]
    statistic: str = ""          # 통계량의 이름 (예: "정확도 차이 pre-trained − scratch (%p)")

    def __post_init__(self):
        if self.rule not in RULES:
            raise ValueError(f"rule은 {RULES} 중 하나여야 한다: {self.rule!r}")
        if self.rule == "within":
            lo, hi = self.threshold
            if not lo < hi:
                raise ValueError(f"within의 threshold는 (lo, hi), lo < hi여야 한다: {self.threshold!r}")


@dataclass(frozen=True)
class Claim:
    chapter: str                 # "08_BERT"
    name: str                    # 장 안에서 주장을 구별하는 짧은 영어 id, 예: "pretraining_few_labels"
    claim: str                   # 한국어 한 문장
    source: str                  # 논문, 절·그림·표
    metric: str                  # 각 arm이 내는 값이 무엇인지 (높을수록/낮을수록 좋은지 포함)
    arms: tuple[str, ...]
    run: Callable[[int, bool], dict[str, float]]
    criterion: Criterion
    default_seeds: int = 5
    notes: str = ""              # 작은 재현이 보여 줄 수 없는 것 등, 표 아래에 붙는 한두 문장
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------
# 통계: seed별 통계량의 평균과 t 분포 95% 구간, 그리고 판정
# ---------------------------------------------------------------------------
def t_quantile_975(df: int) -> float:
    """자유도 df인 Student t 분포의 97.5% 분위수 (양쪽 95% 구간의 반폭 계수)."""
    from scipy.stats import t

    return float(t.ppf(0.975, df))


def mean_ci95(values: list[float]) -> tuple[float, list[float] | list[None]]:
    """평균과 t 구간 [mean − t·s/√n, mean + t·s/√n]. 값이 하나뿐이면 구간을 낼 수 없어 [None, None]."""
    n = len(values)
    if n == 0:
        raise ValueError("값이 하나도 없다")
    mean = statistics.fmean(values)
    if n < 2:
        return mean, [None, None]
    half = t_quantile_975(n - 1) * statistics.stdev(values) / math.sqrt(n)
    return mean, [mean - half, mean + half]


def decide(ci95, rule: str, threshold) -> str:
    """구간과 기준으로 holds / does not hold / inconclusive. 구간이 없으면 inconclusive."""
    low, high = ci95
    if low is None or high is None:
        return "inconclusive"
    if rule == "greater":
        return "holds" if low > threshold else "does not hold" if high <= threshold else "inconclusive"
    if rule == "less":
        return "holds" if high < threshold else "does not hold" if low >= threshold else "inconclusive"
    if rule == "within":
        lo, hi = threshold
        if lo < low and high < hi:
            return "holds"
        return "does not hold" if high < lo or low > hi else "inconclusive"
    raise ValueError(f"rule은 {RULES} 중 하나여야 한다: {rule!r}")


# ---------------------------------------------------------------------------
# 실행
# ---------------------------------------------------------------------------
def load_claims(chapter: str) -> list[Claim]:
    """`NN_Name/claims.py`의 CLAIMS. 없으면 무엇이 없는지 말하는 ValueError."""
    if not (ROOT / chapter / "claims.py").exists():
        raise ValueError(f"{chapter}에 claims.py가 없다: {chapter}/claims.py에 CLAIMS = [Claim(...)]를 둔다")
    module = importlib.import_module(f"{chapter}.claims")
    claims = getattr(module, "CLAIMS", None)
    if not claims or not all(isinstance(c, Claim) for c in claims):
        raise ValueError(f"{chapter}/claims.py의 CLAIMS는 Claim 하나 이상의 list여야 한다")
    return list(claims)


def quick_values_and_training_calls(module, experiment: str, seed: int) -> tuple[list[dict], list[int]]:
    """여러 주장이 실행 하나를 나눠 쓰는 장의 테스트용: 모든 주장을 quick으로 재며 `module.<experiment>` 호출을 센다.

    `module._experiment`(functools.cache)를 앞뒤로 비워 다른 테스트의 cache가 섞이지 않게 한다.
    돌려주는 것: 주장마다의 arm 값 dict, 학습 함수가 불린 seed 목록 (한 번만 학습했으면 `[seed]`).
    """
    calls = []
    original = getattr(module, experiment)

    def counting(s, **kwargs):
        calls.append(s)
        return original(s, **kwargs)

    setattr(module, experiment, counting)
    module._experiment.cache_clear()
    try:
        values = [claim.run(seed, True) for claim in module.CLAIMS]
    finally:
        setattr(module, experiment, original)
        module._experiment.cache_clear()
    return values, calls


def run_claim(claim: Claim, seeds: list[int], quick: bool = False, threads: int | None = 1) -> dict:
    """seed마다 claim.run을 부르고, 통계량·구간·판정을 담은 dict (claims.json의 한 항목)를 돌려준다."""
    from utils.cli import seed_everything

    arms = {arm: [] for arm in claim.arms}
    per_seed = []
    cpu_start = time.process_time()
    with Timer() as timer, limit_threads(threads):
        for seed in seeds:
            seed_everything(seed)
            values = claim.run(seed, quick)
            if set(values) != set(claim.arms):
                raise ValueError(f"{claim.chapter}/{claim.name}: run이 돌려준 arm {sorted(values)}가 "
                                 f"선언한 arm {sorted(claim.arms)}와 다르다")
            for arm in claim.arms:
                value = float(values[arm])
                if not math.isfinite(value):
                    raise ValueError(f"{claim.chapter}/{claim.name}: seed {seed}의 {arm} 값이 유한하지 않다: {value}")
                arms[arm].append(value)
            per_seed.append(float(claim.criterion.per_seed({arm: arms[arm][-1] for arm in claim.arms})))
    mean, ci95 = mean_ci95(per_seed)
    c = claim.criterion
    return {
        "chapter": claim.chapter, "name": claim.name, "claim": claim.claim, "source": claim.source,
        "metric": claim.metric, "arms": arms,
        "statistic": mean, "statistic_name": c.statistic, "per_seed_statistic": per_seed, "ci95": ci95,
        "criterion": c.description, "rule": c.rule,
        "threshold": list(c.threshold) if isinstance(c.threshold, tuple) else c.threshold,
        "seeds": list(seeds), "verdict": decide(ci95, c.rule, c.threshold), "quick": quick,
        "notes": claim.notes, "seconds": round(timer.seconds, 2),
        "cpu_seconds": round(time.process_time() - cpu_start, 2),
    }


# ---------------------------------------------------------------------------
# 출력: claims.json, claims.md, docs/05
# ---------------------------------------------------------------------------
def _num(value) -> str:
    if value is None:
        return "—"
    return f"{value:.4g}"


def _threshold_text(record: dict) -> str:
    rule, threshold = record["rule"], record["threshold"]
    if rule == "within":
        return f"구간 ⊂ ({_num(threshold[0])}, {_num(threshold[1])})"
    return f"구간 {'>' if rule == 'greater' else '<'} {_num(threshold)}"


def anchor(record: dict) -> str:
    """docs/05에서 한 주장의 자리: 장 README가 `../docs/05_Paper_Claims.md#claim-08-...`로 링크한다."""
    return f"claim-{record['chapter'][:2]}-{record['name']}".replace("_", "-")


def markdown_table(records: list[dict]) -> str:
    lines = ["| 장 | 주장 | 출처 | 통계량 (seed 평균) | 95% 구간 | 기준 | seed 수 | 판정 |",
             "|---|---|---|---|---|---|---|---|"]
    for r in records:
        low, high = r["ci95"]
        lines.append(f"| [{r['chapter']}](#{anchor(r)}) | {r['claim']} | {r['source']} | "
                     f"{_num(r['statistic'])} | [{_num(low)}, {_num(high)}] | {_threshold_text(r)} | "
                     f"{len(r['seeds'])} | **{r['verdict']}** |")
    return "\n".join(lines)


def markdown_details(record: dict) -> str:
    r = record
    lines = [f'<a id="{anchor(r)}"></a>', "", f"### {r['chapter']} — {r['name']}", "",
             f"- 주장: {r['claim']}", f"- 출처: {r['source']}", f"- 측정값: {r['metric']}",
             f"- 통계량: {r['statistic_name'] or '(seed별 통계량)'}",
             f"- 기준 (실행 전에 코드로 적음): {r['criterion']}",
             f"- 판정: **{r['verdict']}** — 평균 {_num(r['statistic'])}, 95% 구간 "
             f"[{_num(r['ci95'][0])}, {_num(r['ci95'][1])}], seed {r['seeds']}",
             f"- 시간: {r['seconds']:.1f}초 (CPU {r['cpu_seconds']:.1f}초)"]
    if r.get("measured_at"):
        lines.append(f"- 측정: {r['measured_at']}, load average 전 {r.get('load_before')} → 후 {r.get('load_after')}")
    if r.get("notes"):
        lines.append(f"- 참고: {r['notes']}")
    lines += ["", "| seed | " + " | ".join(r["arms"]) + " | 통계량 |",
              "|---|" + "---|" * (len(r["arms"]) + 1)]
    for i, seed in enumerate(r["seeds"]):
        cells = " | ".join(_num(values[i]) for values in r["arms"].values())
        lines.append(f"| {seed} | {cells} | {_num(r['per_seed_statistic'][i])} |")
    return "\n".join(lines)


def to_markdown(records: list[dict], header: str) -> str:
    parts = [header, "", markdown_table(records), "", "## 주장별 자세히", ""]
    for record in records:
        parts += [markdown_details(record), ""]
    return "\n".join(parts)


def doc_header(records: list[dict]) -> str:
    from utils.benchmark import cpu_name

    dates = sorted({r.get("measured_at", "")[:10] for r in records if r.get("measured_at")})
    return "\n".join([
        "# 논문의 주장, 작게 재현하기",
        "",
        "각 장의 논문이 내세우는 핵심 주장을 내장 데이터 위의 작은 실험으로 다시 재어 봅니다. 한 주장마다",
        "비교하는 조건(arm)들을 seed 여러 개로 돌리고, seed마다 통계량 하나를 계산해 평균과 t 분포 95% 구간을",
        "냅니다. 판정(holds / does not hold / inconclusive)은 각 장의 `claims.py`에 실행 전에 적어 둔 기준이",
        "구간으로부터 계산합니다. 이 문서는 손으로 쓰지 않습니다: `python -m utils.claims --write-docs`가",
        "만듭니다 (같은 내용의 JSON이 `05_Paper_Claims.json`).",
        "",
        "작은 재현은 논문의 규모(데이터, 모델 크기, 학습 시간)를 따라가지 못합니다. \"does not hold\"나",
        "\"inconclusive\"는 그 작은 설정에서 잰 사실이고, 그 이유는 각 장 theory.md의 해당 절이 설명합니다.",
        "",
        f"측정: `python -m utils.claims --write-docs` ({', '.join(dates) or '날짜 없음'}), "
        f"{cpu_name()}, torch thread 1개. 주장마다 측정 시각과 load average를 아래에 적었습니다.",
    ])


def _without_out(command: str) -> str:
    """문서에 싣는 명령에서 `--out 폴더`를 뺀다: 결과를 어디에 썼는지는 그 기계의 사정이고 재현에는 필요 없다."""
    words = command.split()
    kept = [w for i, w in enumerate(words) if w != "--out" and (i == 0 or words[i - 1] != "--out")]
    return " ".join(kept)


def write_docs(records: list[dict]) -> Path:
    """이번 실행의 주장들로 docs/05의 같은 (chapter, name) 항목을 바꾸고 나머지는 그대로 둔 뒤 다시 쓴다."""
    import json

    records = [dict(r, command=_without_out(r.get("command", ""))) for r in records]
    old = json.loads(DOC_DATA_PATH.read_text(encoding="utf-8")) if DOC_DATA_PATH.exists() else []
    new_keys = {(r["chapter"], r["name"]) for r in records}
    merged = [r for r in old if (r["chapter"], r["name"]) not in new_keys] + records
    merged.sort(key=lambda r: (r["chapter"], r["name"]))
    write_json(DOC_DATA_PATH, merged)
    return atomic_write_text(DOC_PATH, to_markdown(merged, doc_header(merged)) + "\n")


def read_records(paths) -> list[dict]:
    """claims.json 파일들의 기록. smoke run(--quick)의 기록이나 필수 key가 빠진 기록은 문서에 싣지 않고 거부한다."""
    import json

    records = []
    for path in paths:
        path = Path(path)
        if not path.is_file():
            raise ValueError(f"claims.json이 없다: {path}")
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}는 JSON이 아니다: {error}") from error
        for record in loaded:
            missing = [k for k in REQUIRED_KEYS if k not in record]
            if missing:
                raise ValueError(f"{path}의 기록에 key {missing}가 없다")
            if record.get("quick"):
                raise ValueError(f"{path}의 {record['chapter']}/{record['name']}는 --quick 실행이다: "
                                 "문서에는 전체 실행만 싣는다")
            records.append(record)
    return records


def main(argv=None) -> int:
    from utils.benchmark import load_average
    from utils.run import find_chapters, resolve_chapters

    parser = argparse.ArgumentParser(description="각 장의 논문 주장을 seed 여러 개로 재현하고 판정한다")
    parser.add_argument("chapters", nargs="*", help="장 폴더 이름 또는 번호 (비우면 전체)")
    parser.add_argument("--seeds", type=int, default=None, help="seed 개수 N (기본: 주장마다 정한 수, --quick이면 2)")
    parser.add_argument("--first-seed", type=int, default=0, help="첫 seed S: S, S+1, …, S+N−1을 쓴다 (기본 0)")
    parser.add_argument("--quick", action="store_true", help="파이프라인 확인용 smoke run (판정은 의미 없다)")
    parser.add_argument("--out", default="outputs/claims", help="claims.json과 claims.md를 쓸 폴더")
    parser.add_argument("--write-docs", action="store_true", help="docs/05_Paper_Claims.md를 이 실행으로 다시 만든다")
    parser.add_argument("--from-json", nargs="+", metavar="FILE",
                        help="돌리지 않고, 이미 돌린 전체 실행의 claims.json(들)로 --write-docs를 한다")
    args = parser.parse_args(argv)
    if args.from_json:
        if not args.write_docs:
            parser.error("--from-json은 --write-docs와 함께 씁니다")
        try:
            records = read_records(args.from_json)
        except ValueError as error:
            parser.error(str(error))
        print(f"→ {write_docs(records)} ({len(records)}개 주장)")
        return 0
    if args.seeds is not None and args.seeds < 1:
        parser.error(f"--seeds는 1 이상이어야 합니다: {args.seeds}")
    if args.write_docs and args.quick:
        parser.error("--write-docs는 --quick과 함께 쓸 수 없습니다 (문서는 전체 실행의 결과만 싣습니다)")
    try:
        chapters = resolve_chapters(args.chapters) if args.chapters else find_chapters()
        claims = [claim for chapter in chapters for claim in load_claims(chapter)]
    except ValueError as error:
        parser.error(str(error))

    records = []
    for claim in claims:
        n = args.seeds if args.seeds is not None else (2 if args.quick else claim.default_seeds)
        seeds = list(range(args.first_seed, args.first_seed + n))
        print(f"\n=== {claim.chapter} / {claim.name}: seed {seeds}{' (quick)' if args.quick else ''} ===", flush=True)
        load_before = load_average()
        record = run_claim(claim, seeds, quick=args.quick)
        record.update(measured_at=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                      load_before=load_before, load_after=load_average(),
                      command="python -m utils.claims " + " ".join(argv if argv is not None else sys.argv[1:]))
        print(f"{claim.chapter}/{claim.name}: 통계량 {_num(record['statistic'])}, 95% 구간 "
              f"[{_num(record['ci95'][0])}, {_num(record['ci95'][1])}] → {record['verdict']} "
              f"({record['seconds']:.1f}초, CPU {record['cpu_seconds']:.1f}초)", flush=True)
        records.append(record)

    out = Path(args.out)
    write_json(out / "claims.json", records)
    header = "# 논문 주장 재현 결과" + (" (quick: smoke run, 판정에 의미 없음)" if args.quick else "")
    atomic_write_text(out / "claims.md", to_markdown(records, header) + "\n")
    print("\n" + markdown_table(records))
    if args.write_docs:
        print(f"→ {write_docs(records)}")
    counts = {v: sum(r["verdict"] == v for r in records) for v in VERDICTS}
    print(f"\n{len(records)}개 주장 → {out / 'claims.json'}; " + ", ".join(f"{v} {n}" for v, n in counts.items()))
    return 0


if __name__ == "__main__":
    # `python -m utils.claims`로 돌면 이 파일은 `__main__`이다. 장의 claims.py가 import한 `utils.claims.Claim`과
    # 같은 class를 쓰도록 main도 `utils.claims`에서 가져와 부른다.
    from utils.claims import main as claims_main

    sys.exit(claims_main())
