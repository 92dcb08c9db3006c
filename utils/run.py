"""모든 장의 레벨 스크립트를 찾아 돌리고, 결과 표와 outputs/report.md를 만든다.

    python -m utils.run                         # 모든 장, 기본 설정 (내장 데이터)
    python -m utils.run 01_Linear_Logistic      # 한 장 (또는 번호만: 01)
    python -m utils.run 01 --level numpy        # 한 레벨만
    python -m utils.run --all --quick           # 전체 smoke run (몇 분 안)

레벨 스크립트는 `NN_Name/<level>/*_<level 접미사>.py` 중 `def main(`이 있는 파일이다
(numpy → *_numpy.py, pytorch_lowlevel → *_lowlevel.py, paper → *_paper.py, analysis → *_analysis.py).
스크립트가 `RUNS = ("a", "b")`를 정의하면 `--data a`, `--data b`로 한 번씩 돌린다.
각 실행은 같은 프로세스 안에서 `main(argv)`를 부르며, 하나가 실패해도 나머지를 계속하고 마지막에 exit 1.
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

from utils.core import Timer, atomic_write_text

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


def run_job(module_name: str, data: str | None, quick: bool, out_root: Path, threads: int | None = None) -> dict:
    chapter, level, stem = module_name.split(".")
    argv = ["--out", str(out_root / chapter / level / stem / (data or "default"))]
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


def write_report(rows: list[dict], out_root: Path, quick: bool, total_seconds: float) -> Path:
    lines = ["# 실행 보고서", "",
             f"`python -m utils.run` {'--quick ' if quick else ''}결과 ({time.strftime('%Y-%m-%d %H:%M')}, "
             f"전체 {total_seconds:.1f}초).", "", format_table(rows), "", "## 그림", ""]
    for row in rows:
        plots = row.get("plots", [])
        if plots:
            lines.append(f"### {row['chapter']} / {row['level']} / {row['script']} / {row['data']}")
            for plot in plots:
                relative = Path(os.path.relpath(plot, out_root)).as_posix()   # report.md 기준 상대 경로
                lines.append(f"![{Path(plot).stem}]({relative})")
            lines.append("")
    return atomic_write_text(out_root / "report.md", "\n".join(lines) + "\n")


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

    rows, failures = [], []
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
            rows.append({"chapter": chapter, "level": level, "script": stem, **result})

    print("\n" + format_table(rows))
    report = write_report(rows, out_root, args.quick, total.seconds)
    print(f"\n{len(rows)}개 실행, 전체 {total.seconds:.1f}초 → {report}")
    if failures:
        print("\n실패한 실행:\n" + "\n".join(f"  - {f}" for f in failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
