"""모든 장의 레벨 스크립트를 찾아 돌리고, 결과 표와 outputs/report.md를 만든다.

    python -m utils.run                         # 모든 장, 기본 설정 (내장 데이터)
    python -m utils.run 01_Linear_Logistic      # 한 장 (또는 번호만: 01)
    python -m utils.run 01 --level numpy        # 한 레벨만
    python -m utils.run --all --quick           # 전체 smoke run (몇 분 안)

레벨 스크립트는 `NN_Name/<level>/*_<level 접미사>.py` 중 `def main(`이 있는 파일이다
(numpy → *_numpy.py, pytorch_lowlevel → *_lowlevel.py, paper → *_paper.py, analysis → *_analysis.py).
스크립트가 `RUNS = ("a", "b")`를 정의하면 `--data a`, `--data b`로 한 번씩 돌린다.
각 실행은 같은 프로세스 안에서 `main(argv)`를 부르며, 하나가 실패해도 나머지를 계속하고 마지막에 exit 1.

`--out` 폴더(기본 outputs/)에 두 파일을 쓴다:
- `report.md`: 결과 표와 그림. 스크립트가 `plots`에 적은 경로는 두 꼴이다 — 실행한 곳 기준 경로
  (`outputs/…/loss_curve.png`)와 그 실행의 `--out` 기준 이름(`loss_curve.png`). 둘 다 report.md 기준 상대 경로로 바꾼다.
- `run.json`: 명령, 날짜(UTC), 환경(CPU, thread, 버전), 전후 load average, 전체 시간과 행들.
  `python -m utils.results --record outputs/run.json`이 이것을 docs/06_Results.md의 기록에 옮긴다.
"""
from __future__ import annotations

import argparse
import ast
import importlib
import os
import re
import sys
import time
import traceback
from pathlib import Path

from utils.core import Timer, atomic_write_text, write_json

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ("numpy", "pytorch_lowlevel", "paper", "analysis")
SUFFIX = {"numpy": "numpy", "pytorch_lowlevel": "lowlevel", "paper": "paper", "analysis": "analysis"}
CHAPTER_PATTERN = re.compile(r"^\d\d_\w+$")


def find_chapters(root: Path | None = None) -> list[str]:
    root = root or ROOT
    return sorted(p.name for p in root.iterdir() if p.is_dir() and CHAPTER_PATTERN.match(p.name)
                  and (p / "__init__.py").exists())


def resolve_chapters(names: list[str], root: Path | None = None) -> list[str]:
    """'01' 또는 '01_Linear_Logistic'을 폴더 이름으로. 모르는 이름이면 선택지를 나열하는 ValueError."""
    available = find_chapters(root)
    chosen = []
    for name in names:
        matches = [c for c in available if c == name.rstrip("/") or c.split("_")[0] == name]
        if not matches:
            raise ValueError(f"장 {name!r}을 찾을 수 없습니다. 선택지: {', '.join(available)}")
        chosen.extend(m for m in matches if m not in chosen)
    return chosen


def _script_runs(path: Path) -> tuple[bool, list[str | None]]:
    """파일을 import하지 않고 AST로 읽어 main이 있는지와 RUNS 값을 알아낸다."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    has_main = any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body)
    names = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            names[node.targets[0].id] = node.value
    runs_node = names.get("RUNS")
    if isinstance(runs_node, ast.Name):                       # RUNS = DATA_CHOICES
        runs_node = names.get(runs_node.id)
    runs = list(ast.literal_eval(runs_node)) if runs_node is not None else [None]
    return has_main, runs


def find_scripts(chapter: str, levels=LEVELS, root: Path | None = None) -> list[tuple[str, str, str | None]]:
    """(module 이름, level, data 또는 None) 목록. 순서: 레벨 순서, 파일 이름 순서, RUNS 순서."""
    jobs = []
    for level in levels:
        folder = (root or ROOT) / chapter / level
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*_{SUFFIX[level]}.py")):
            has_main, runs = _script_runs(path)
            if has_main:
                jobs.extend((f"{chapter}.{level}.{path.stem}", level, data) for data in runs)
    return jobs


def job_out_dir(out_root: Path, module_name: str, data: str | None) -> Path:
    """한 실행의 `--out` 폴더: `<out_root>/<장>/<레벨>/<스크립트>/<data 또는 default>`."""
    chapter, level, stem = module_name.split(".")
    return Path(out_root) / chapter / level / stem / (data or "default")


def run_job(module_name: str, data: str | None, quick: bool, out_root: Path, threads: int | None = None) -> dict:
    argv = ["--out", str(job_out_dir(out_root, module_name, data))]
    if data is not None:
        argv += ["--data", data]
    if quick:
        argv.append("--quick")
    if threads is not None:
        argv += ["--threads", str(threads)]
    module = importlib.import_module(module_name)
    return module.main(argv)


def format_table(rows: list[dict]) -> str:
    header = ["chapter", "level", "script", "data", "metric", "value", "seconds"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        value = row["value"]
        shown = f"{value:.4f}" if isinstance(value, float) else str(value)
        lines.append(f"| {row['chapter']} | {row['level']} | {row['script']} | {row['data']} | {row['metric']} | "
                     f"{shown} | {row['seconds']:.1f} |")
    return "\n".join(lines)


def plot_path(plot: str, out_dir: Path) -> Path:
    """결과의 `plots` 한 항목을 실행한 곳 기준 경로로.

    절대 경로는 그대로. 상대 경로는 그 실행의 `--out`(out_dir) 안에 그 파일이 있으면 out_dir 기준 이름이고
    (10 L2, 12 L2·L3처럼 `loss_curve.png`만 적는 스크립트), 없으면 실행한 곳 기준 경로다. 어느 쪽에도 파일이
    없으면 디렉터리 없는 이름만 out_dir 기준으로 읽는다.
    """
    path = Path(plot)
    if path.is_absolute():
        return path
    inside = Path(out_dir) / path
    if inside.exists() or (not path.exists() and len(path.parts) == 1):
        return inside
    return path


def write_report(rows: list[dict], out_root: Path, quick: bool, total_seconds: float) -> Path:
    out_root = Path(out_root)
    lines = ["# 실행 보고서", "",
             f"`python -m utils.run` {'--quick ' if quick else ''}결과 ({time.strftime('%Y-%m-%d %H:%M')}, "
             f"전체 {total_seconds:.1f}초).", "", format_table(rows), "", "## 그림", ""]
    for row in rows:
        plots = row.get("plots", [])
        if plots:
            lines.append(f"### {row['chapter']} / {row['level']} / {row['script']} / {row['data']}")
            out_dir = Path(row.get("out_dir", out_root))
            for plot in plots:
                path = plot_path(plot, out_dir)
                relative = Path(os.path.relpath(path, out_root)).as_posix()   # report.md 기준 상대 경로
                lines.append(f"![{path.stem}]({relative})")
            lines.append("")
    return atomic_write_text(out_root / "report.md", "\n".join(lines) + "\n")


RECORD_KEYS = ("chapter", "level", "script", "data", "metric", "value", "seconds")


def write_record(rows: list[dict], out_root: Path, argv: list[str], quick: bool, total_seconds: float,
                 cpu_seconds: float, load_before, load_after, threads: int | None) -> Path:
    """`<out_root>/run.json`: 이 실행을 다시 하고 비교하는 데 필요한 것 (명령, 날짜, 환경, load, 행)."""
    from utils.benchmark import environment

    command = " ".join(["python -m utils.run", *argv]).strip()
    record = {"command": command, "quick": quick,
              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "environment": environment(threads if threads is not None else "스크립트마다의 기본값"),
              "load_average_before": load_before, "load_average_after": load_after,
              "total_seconds": round(total_seconds, 1), "cpu_seconds": round(cpu_seconds, 1),
              "n_runs": len(rows), "rows": [{key: row.get(key) for key in RECORD_KEYS} for row in rows]}
    return write_json(Path(out_root) / "run.json", record)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="레벨 스크립트를 돌리고 결과 표와 outputs/report.md를 만든다")
    parser.add_argument("chapters", nargs="*", help="장 폴더 이름 또는 번호 (비우면 전체)")
    parser.add_argument("--level", choices=LEVELS, help="이 레벨만 돌린다")
    parser.add_argument("--quick", action="store_true", help="각 스크립트를 --quick(smoke run)으로")
    parser.add_argument("--all", action="store_true", help="모든 장 (장 이름을 비운 것과 같다)")
    parser.add_argument("--threads", type=int, default=None,
                        help="각 스크립트에 --threads로 넘길 CPU thread 수 (기본: 스크립트마다의 기본값)")
    parser.add_argument("--out", default="outputs", help="결과 폴더 (기본 outputs/)")
    args = parser.parse_args(argv)
    try:
        chapters = find_chapters() if args.all or not args.chapters else resolve_chapters(args.chapters)
    except ValueError as error:
        parser.error(str(error))
    out_root = Path(args.out)
    levels = (args.level,) if args.level else LEVELS
    jobs = [job for chapter in chapters for job in find_scripts(chapter, levels)]
    if not jobs:
        parser.error("돌릴 레벨 스크립트가 없습니다")

    from utils.benchmark import load_average

    rows, failures = [], []
    load_before, cpu_start = load_average(), time.process_time()
    with Timer() as total:
        for module_name, level, data in jobs:
            chapter, _, stem = module_name.split(".")
            print(f"\n=== {chapter} / {level} / {stem} / {data or '기본'} ===", flush=True)
            try:
                result = run_job(module_name, data, args.quick, out_root, args.threads)
            except (Exception, SystemExit) as error:        # 한 스크립트의 실패가 전체를 멈추지 않게
                traceback.print_exc()
                failures.append(f"{module_name} --data {data}: {type(error).__name__}: {error}")
                continue
            if result.get("level", level) != level:            # 표의 level 칸은 스크립트가 사는 폴더 이름이다
                print(f"경고: {module_name}의 결과가 level {result['level']!r}을 적었다; 폴더 이름 {level!r}을 쓴다",
                      file=sys.stderr)
            rows.append({"chapter": chapter, "script": stem, **result, "level": level,
                         "out_dir": str(job_out_dir(out_root, module_name, data))})
    cpu_seconds = time.process_time() - cpu_start

    print("\n" + format_table(rows))
    report = write_report(rows, out_root, args.quick, total.seconds)
    write_record(rows, out_root, list(argv if argv is not None else sys.argv[1:]), args.quick, total.seconds,
                 cpu_seconds, load_before, load_average(), args.threads)
    print(f"\n{len(rows)}개 실행, 전체 {total.seconds:.1f}초 (CPU {cpu_seconds:.1f}초) → {report}, "
          f"{out_root / 'run.json'}")
    if failures:
        print("\n실패한 실행:\n" + "\n".join(f"  - {f}" for f in failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
