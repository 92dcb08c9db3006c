"""루트 문서의 생성되는 부분: 결과 페이지 docs/06_Results.md와 README의 장 표.

    python -m utils.results --record outputs/run.json   # `make run`(= python -m utils.run)의 기록을 더한다
    python -m utils.results --write-docs                # docs/06_Results.md와 README의 장 표를 다시 쓴다
    python -m utils.results --check                     # 커밋된 두 곳이 생성한 것과 같은지 (다르면 exit 1)

결과의 기록은 `docs/06_Results.json` 하나다. 실행(run)마다 명령, 날짜, 하드웨어, 소프트웨어, thread, load average,
전체 시간, 그리고 그 실행이 낸 행들(chapter, level, script, data, metric, value, seconds)을 적는다. 페이지는 행마다
가장 최근 실행의 값을 보이고, 그 값을 낸 실행의 날짜·하드웨어를 같은 행에 적는다. `--record`는 `--quick`(smoke run)
기록을 거부한다: smoke run의 숫자는 결과가 아니다.

장 표는 있는 장에서 만든다: `NN_Name/` 폴더(`__init__.py`가 있는 것), 그 장 README의 제목, 있는 레벨 폴더.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from utils.core import atomic_write_text, write_json
from utils.run import LEVELS, ROOT, find_chapters

RECORD = Path("docs") / "06_Results.json"
PAGE = Path("docs") / "06_Results.md"
README = Path("README.md")
TABLE_START = "<!-- chapter-table: python -m utils.results --write-docs가 만든다 -->"
TABLE_END = "<!-- /chapter-table -->"
ROW_KEYS = ("chapter", "level", "script", "data", "metric", "value", "seconds")
RUN_KEYS = ("id", "date", "command", "hardware", "software", "threads", "load", "n_runs", "total_seconds", "note",
            "rows")


class RecordError(ValueError):
    """기록 파일이 기대한 형식이 아니다 (무엇이 빠졌는지 이름을 댄다)."""


# --- 기록 -------------------------------------------------------------------------------------------------

def read_record(path: Path) -> dict:
    record = json.loads(Path(path).read_text(encoding="utf-8"))
    validate(record)
    return record


def validate(record: dict) -> None:
    if not isinstance(record.get("runs"), list):
        raise RecordError("기록에 'runs' 목록이 없습니다")
    ids = [run.get("id") for run in record["runs"]]
    if len(set(ids)) != len(ids):
        raise RecordError(f"실행 id가 겹칩니다: {ids}")
    for run in record["runs"]:
        missing = [key for key in RUN_KEYS if key not in run]
        if missing:
            raise RecordError(f"실행 {run.get('id')!r}에 key {missing}가 없습니다 (필요: {list(RUN_KEYS)})")
        if not re.fullmatch(r"\d{4}-\d\d-\d\d", run["date"]):
            raise RecordError(f"실행 {run['id']!r}의 date {run['date']!r}는 YYYY-MM-DD 꼴이어야 합니다")
        for row in run["rows"]:
            missing = [key for key in ROW_KEYS if key not in row]
            if missing:
                raise RecordError(f"실행 {run['id']!r}의 행 {row}에 key {missing}가 없습니다")
            if row["level"] not in LEVELS:
                raise RecordError(f"실행 {run['id']!r}의 level {row['level']!r}은 {list(LEVELS)} 중 하나여야 합니다")
    for item in record.get("single", []):
        missing = [key for key in ("chapter", "command", "result", "time", "date", "hardware", "source")
                   if key not in item]
        if missing:
            raise RecordError(f"단일 실행 {item.get('command')!r}에 key {missing}가 없습니다")


def run_from_utils_run(run_json: dict) -> dict:
    """`python -m utils.run`이 쓴 run.json 하나를 기록의 실행 하나로. smoke run이면 RecordError."""
    for key in ("command", "quick", "date", "environment", "total_seconds", "rows"):
        if key not in run_json:
            raise RecordError(f"run.json에 key {key!r}가 없습니다: python -m utils.run이 쓴 파일이어야 합니다")
    if run_json["quick"]:
        raise RecordError("--quick(smoke run)의 기록은 결과가 아니므로 더하지 않습니다: "
                          "--quick 없이 돌린 run.json을 주세요")
    env = run_json["environment"]
    before, after = run_json.get("load_average_before"), run_json.get("load_average_after")
    load = f"{before[0]} → {after[0]}" if before and after else ""
    date = run_json["date"][:10]
    command = re.sub(r"\s--out\s+\S+", "", run_json["command"])                # 결과 폴더는 기록하지 않는다
    return {"id": f"{date} {command}", "date": date, "command": command,
            "hardware": f"{env['cpu']} ({env.get('machine', '')}), GPU 없음".replace(" ()", ""),
            "software": f"Python {env['python']}, NumPy {env['numpy']}, torch {env['torch']}",
            "threads": str(env["threads"]), "load": f"{load} (1분 평균, 시작 → 끝)" if load else "기록 없음",
            "n_runs": len(run_json["rows"]), "total_seconds": run_json["total_seconds"],
            "note": f"CPU 시간 {run_json['cpu_seconds']}초" if "cpu_seconds" in run_json else "",
            "rows": [{key: row[key] for key in ROW_KEYS} for row in run_json["rows"]]}


def add_run(record: dict, run: dict) -> dict:
    """같은 id의 실행은 바꾸고, 아니면 더한다. 실행은 날짜 순서로 둔다."""
    runs = [r for r in record["runs"] if r["id"] != run["id"]] + [run]
    result = {**record, "runs": sorted(runs, key=lambda r: r["date"])}
    validate(result)
    return result


def latest_rows(record: dict) -> list[tuple[dict, dict]]:
    """(행, 그 행을 낸 실행): (chapter, level, script, data)마다 가장 최근 실행의 값. 장·레벨 순서."""
    latest = {}
    for run in sorted(record["runs"], key=lambda r: r["date"]):                # 같은 날이면 기록 순서
        for row in run["rows"]:
            latest[(row["chapter"], row["level"], row["script"], row["data"])] = (row, run)
    return sorted(latest.values(), key=lambda pair: (pair[0]["chapter"], LEVELS.index(pair[0]["level"]),
                                                     pair[0]["script"], str(pair[0]["data"])))


# --- 결과 페이지 ------------------------------------------------------------------------------------------

def _value(value) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _seconds(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def render_page(record: dict) -> str:
    runs = sorted(record["runs"], key=lambda r: r["date"])
    label = {run["id"]: f"R{i}" for i, run in enumerate(runs, 1)}
    lines = [
        "# 측정한 결과",
        "",
        "이 페이지는 `python -m utils.results --write-docs`가 [06_Results.json](06_Results.json)에서 만듭니다.",
        "손으로 고치지 않습니다. 새 측정을 더하려면 `make run`(= `python -m utils.run`)이 쓴 `outputs/run.json`을",
        "`python -m utils.results --record outputs/run.json`으로 기록에 옮기고 다시 만듭니다",
        "(`--quick` 기록은 거부합니다).",
        "",
        "값은 seed 0, 내장 데이터, 각 스크립트의 기본 설정입니다. 같은 기계·같은 thread 수에서는 같은 명령이 같은",
        "값을 내지만 기계나 thread 수가 바뀌면 마지막 자리가 움직일 수 있고, 그 정도는",
        "[README](../README.md#같은-숫자가-나오는가)에 적었습니다. `초`는 각 스크립트의 `result.json`에 적힌 데이터",
        "준비 + 학습 시간(그림 저장 제외)이고, 기계를 다른 작업과 나눠 쓴 때가 많아 부하에 크게 좌우됩니다: 각 실행의",
        "load average를 아래 실행 표에 적었습니다.",
        "논문의 주장을 seed 여러 개와 95% 구간으로 잰 표는 [05_Paper_Claims.md](05_Paper_Claims.md), NumPy와 PyTorch의",
        "속도 비율은 [02_NumPy_vs_PyTorch_Comparison.md](02_NumPy_vs_PyTorch_Comparison.md)에 있습니다.",
        "",
        "## 실행",
        "",
        "| 실행 | 날짜 | 명령 | 하드웨어 | 소프트웨어 | thread | load average | 실행 수 | 전체 초 | 비고 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        lines.append(f"| {label[run['id']]} | {run['date']} | `{run['command']}` | {run['hardware']} | "
                     f"{run['software']} | {run['threads']} | {run['load']} | {run['n_runs']} | "
                     f"{_seconds(run['total_seconds'])} | {run['note'] or '—'} |")
    lines += ["", "## 레벨 스크립트의 결과 (`python -m utils.run`)", "",
              "행마다 가장 최근 실행의 값입니다. 더 새 실행이 같은 행을 다시 재면 그 값으로 바뀝니다.", "",
              "| 장 | 레벨 | 스크립트 | data | metric | value | 초 | 실행 | 날짜 | 하드웨어 |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for row, run in latest_rows(record):
        lines.append(f"| {row['chapter']} | {row['level']} | {row['script']} | {row['data']} | {row['metric']} | "
                     f"{_value(row['value'])} | {row['seconds']:.1f} | {label[run['id']]} | {run['date']} | "
                     f"{run['hardware']} |")
    single = record.get("single", [])
    if single:
        lines += ["", "## 장의 대표 실행 (장 README의 측정)", "",
                  "`utils.run`의 행이 아닌, 장 README가 결과 표로 보이는 실행입니다. 더 자세한 표와 seed 변동은 출처의",
                  "README와 measurements.md에 있습니다.", "",
                  "| 장 | 명령 | 결과 | 시간 | 날짜 | 하드웨어 | 출처 |", "|---|---|---|---|---|---|---|"]
        for item in sorted(single, key=lambda i: i["chapter"]):
            source = item["source"]
            lines.append(f"| {item['chapter']} | `{item['command']}` | {item['result']} | {item['time']} | "
                         f"{item['date']} | {item['hardware']} | [{source}](../{source}) |")
    notes = record.get("notes", [])
    if notes:
        lines += ["", "## 읽는 법", ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


# --- README의 장 표 ---------------------------------------------------------------------------------------

def chapter_title(chapter_dir: Path) -> str:
    """장 README 첫 제목에서 번호를 뗀 것: '# 02. MLP — …' → 'MLP — …'."""
    readme = chapter_dir / "README.md"
    if not readme.is_file():
        raise RecordError(f"{chapter_dir.name}에 README.md가 없습니다: 장 표의 내용 칸은 그 제목에서 온다")
    first = next((line for line in readme.read_text(encoding="utf-8").splitlines() if line.startswith("# ")), None)
    if first is None:
        raise RecordError(f"{readme}에 '# ' 제목 줄이 없습니다")
    return re.sub(r"^#\s*\d\d\.?\s*", "", first).replace("|", "\\|").strip()


def chapter_table(root: Path | None = None) -> str:
    root = Path(root or ROOT)
    lines = ["| # | 장 | 내용 (장 README의 제목) | L1 NumPy | L2 low-level | L3 paper | L4 analysis |",
             "|---|---|---|---|---|---|---|"]
    for name in find_chapters(root):
        marks = " | ".join("✅" if (root / name / level).is_dir() else "—" for level in LEVELS)
        lines.append(f"| {name[:2]} | [{name}]({name}/) | {chapter_title(root / name)} | {marks} |")
    return "\n".join(lines)


def replace_between_markers(text: str, body: str) -> str:
    if text.count(TABLE_START) != 1 or text.count(TABLE_END) != 1:
        raise RecordError(f"README.md에 표시 줄 {TABLE_START!r}와 {TABLE_END!r}가 한 번씩 있어야 합니다")
    head, rest = text.split(TABLE_START)
    _, tail = rest.split(TABLE_END)
    return f"{head}{TABLE_START}\n{body}\n{TABLE_END}{tail}"


def committed_table(text: str) -> str:
    return text.split(TABLE_START)[1].split(TABLE_END)[0].strip("\n")


# --- CLI ----------------------------------------------------------------------------------------------------

def write_docs(root: Path | None = None) -> list[Path]:
    root = Path(root or ROOT)
    record = read_record(root / RECORD)
    page = atomic_write_text(root / PAGE, render_page(record))
    readme_text = (root / README).read_text(encoding="utf-8")
    readme = atomic_write_text(root / README, replace_between_markers(readme_text, chapter_table(root)))
    return [page, readme]


def stale_docs(root: Path | None = None) -> list[str]:
    """커밋된 것이 생성한 것과 다른 파일 이름들."""
    root = Path(root or ROOT)
    stale = []
    if (root / PAGE).read_text(encoding="utf-8") != render_page(read_record(root / RECORD)):
        stale.append(str(PAGE))
    if committed_table((root / README).read_text(encoding="utf-8")) != chapter_table(root):
        stale.append(str(README))
    return stale


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="결과 페이지 docs/06_Results.md와 README의 장 표를 만든다")
    parser.add_argument("--record", metavar="RUN_JSON", help="python -m utils.run이 쓴 run.json을 기록에 더한다")
    parser.add_argument("--write-docs", action="store_true", help="docs/06_Results.md와 README의 장 표를 다시 쓴다")
    parser.add_argument("--check", action="store_true", help="커밋된 문서가 생성한 것과 같은지 확인한다")
    args = parser.parse_args(argv)
    if not (args.record or args.write_docs or args.check):
        parser.error("--record, --write-docs, --check 중 하나 이상을 주세요")
    try:
        if args.record:
            path = Path(args.record)
            if not path.is_file():
                parser.error(f"run.json {path}이 없습니다: 먼저 python -m utils.run으로 기록을 만드세요")
            run = run_from_utils_run(json.loads(path.read_text(encoding="utf-8")))
            write_json(ROOT / RECORD, add_run(read_record(ROOT / RECORD), run))
            print(f"{RECORD}에 실행 {run['id']!r} ({run['n_runs']}개 행)을 더했다")
        if args.write_docs:
            for written in write_docs():
                print(f"썼다: {written}")
        if args.check:
            stale = stale_docs()
            if stale:
                print(f"생성한 것과 다른 문서: {stale} — python -m utils.results --write-docs", file=sys.stderr)
                return 1
            print("생성되는 문서가 기록과 같다")
    except (RecordError, json.JSONDecodeError) as error:
        parser.error(str(error))
    return 0


if __name__ == "__main__":
    sys.exit(main())
