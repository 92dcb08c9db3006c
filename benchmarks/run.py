"""벤치마크 모음을 한 process에서 돌리고, 하드웨어와 함께 비율 표 하나(Markdown과 JSON)를 쓴다.

    python -m benchmarks.run [chapter ...] [--quick] [--device cpu|cuda] [--threads N] [--out DIR] [--write-docs]

chapter를 주지 않으면 전부 돈다: `numpy_vs_torch` (docs/02의 표)와 장마다 있는 benchmark (03 05 06 07 08 09 10 12).
장 이름은 번호("03")나 폴더 이름("03_CNN_LeNet")으로 쓴다.

기록하는 것: CPU 이름(/proc/cpuinfo), core 수, 쓴 thread 수, python·numpy·torch 판, 날짜(UTC), 실행 전후의
load average. 다른 사람과 나눠 쓰는 기계라면 load average가 core 수보다 클 때의 숫자는 그만큼 흔들린다.

모든 줄은 같은 실행 안에서 번갈아 잰 짝(twin)에 대한 비율이다 (`utils.benchmark`): 같은 회의 쌍 a_r / b_r의
중앙값, 그 bootstrap 95% 구간, CPU 시간의 비율, goal과 구간으로 정한 판정 (met / not met / unclear).
출력의 마지막 줄은 판정마다의 줄 수다. `--quick`은 작은 크기로 몇 초 안에 모두 도는지만 본다 (숫자와 판정은
비교용이 아니다). `--write-docs`는 `docs/02_NumPy_vs_PyTorch_Comparison.md`의 `<!-- bench:NAME -->` …
`<!-- /bench:NAME -->` 사이를 이 실행의 표로 바꾸고, 잰 장마다 `measurements.md`의 `<!-- bench:chapter -->` 블록을
그 장의 줄로 바꾼다 (같은 실행, 같은 숫자).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import sys
import time
import traceback
from pathlib import Path

import numpy as np

from utils.benchmark import cpu_name, format_rows, load_average, verdict_line
from utils.core import atomic_write_text, write_json

from .chapters import CHAPTERS, run_chapter

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "02_NumPy_vs_PyTorch_Comparison.md"
CHOICES = ("numpy_vs_torch", *CHAPTERS)
FOLDERS = {p.name.split("_", 1)[0]: p.name for p in ROOT.iterdir() if p.is_dir() and re.match(r"\d\d_", p.name)}
NO_GPU = "CUDA GPU가 없어(torch.cuda.is_available() = False) GPU 측정은 건너뛰고 CPU 측정만 합니다."
CPU_ONLY = "장별 benchmark(03–12)는 CPU만 잽니다: GPU 측정은 numpy_vs_torch의 cuda 표에만 있습니다."


def resolve(names) -> list[str]:
    """["03", "05_ResNet", "numpy_vs_torch"] → 실행할 key 목록 (순서 유지). 모르는 이름은 ValueError."""
    if not names:
        return list(CHOICES)
    keys = []
    for name in names:
        key = name.split("_", 1)[0] if re.match(r"\d\d_", name) else name
        if key not in CHOICES or (key in FOLDERS and name not in (key, FOLDERS[key])):
            choices = ", ".join(f"{k} ({FOLDERS[k]})" if k in FOLDERS else k for k in CHOICES)
            raise ValueError(f"모르는 벤치마크 이름입니다: {name!r}. 고를 수 있는 것: {choices}")
        if key not in keys:
            keys.append(key)
    return keys


def hardware(threads: int) -> dict:
    import torch

    return {"cpu": cpu_name(), "cores": os.cpu_count(), "machine": platform.machine(), "threads": threads,
            "python": platform.python_version(), "numpy": np.__version__, "torch": torch.__version__,
            "cuda": torch.cuda.get_device_name() if torch.cuda.is_available() else None}


def header_line(result: dict, rows: list[dict] | None = None) -> str:
    """측정 머리말: 날짜·명령·하드웨어·load·전체 시간, 마지막 줄은 rows(기본: 모든 줄)의 판정 수."""
    hw = result["hardware"]
    return (f"측정: {result['date']}, `{result['command']}`  \n"
            f"하드웨어: {hw['cpu']}, core {hw['cores']}개 ({hw['machine']}), thread {hw['threads']} "
            f"(threads 표 제외), python {hw['python']}, numpy {hw['numpy']}, torch {hw['torch']}, "
            f"GPU {hw['cuda'] or '없음'}  \n"
            f"load average (1·5·15분): 실행 전 {result['load_before']}, 실행 후 {result['load_after']} — "
            f"여러 사람이 함께 쓰는 기계이므로 load가 core 수를 넘는 동안의 숫자는 그만큼 흔들린다. "
            f"repeats {result['repeats_note']}, 전체 {result['seconds']:.0f}초.  \n"
            f"{verdict_line(all_rows(result) if rows is None else rows)}")


def all_rows(result: dict) -> list[dict]:
    return [r for block in result["benchmarks"].values() for r in block.get("rows", [])]


def to_markdown(result: dict) -> str:
    parts = ["# 벤치마크 결과", "", header_line(result), ""]
    if result.get("device_note"):
        parts += [result["device_note"], ""]
    for key, block in result["benchmarks"].items():
        parts.append(f"## {key}: {block['title']}")
        parts.append("")
        if "error" in block:
            parts.append(f"실패: {block['error']}")
        else:
            parts.append(f"인자: `{' '.join(block['argv'])}`")
            parts.append("")
            parts.append(format_rows(block["rows"]))
        parts.append("")
    return "\n".join(parts)


def doc_blocks(result: dict) -> dict[str, str]:
    """docs/02의 블록 이름 → 내용. numpy_vs_torch의 group마다 하나, 장별 요약 하나, 머리말 하나."""
    blocks = {"hardware": header_line(result)}
    nvt = result["benchmarks"].get("numpy_vs_torch")
    if nvt and "rows" in nvt:
        for group in dict.fromkeys(r["group"] for r in nvt["rows"]):
            blocks[group] = format_rows([r for r in nvt["rows"] if r["group"] == group])
    chapter_rows = [r for key, b in result["benchmarks"].items() if key != "numpy_vs_torch" for r in b.get("rows", [])]
    if chapter_rows:
        blocks["chapters"] = format_rows(chapter_rows, with_group=True)
    return blocks


def write_chapter_docs(result: dict, root: Path = ROOT) -> list[str]:
    """이 실행이 잰 장마다 `<root>/<장 폴더>/measurements.md`의 `<!-- bench:chapter -->` 블록을 그 장의 줄로 바꾼다.

    블록 내용은 이 실행의 머리말(판정 수는 그 장의 줄만)과 그 장의 표다. docs/02 8절과 같은 실행의 같은 숫자다.
    돌려주는 것: 바꾼 파일의 root 기준 경로. 블록이 없는 파일은 건드리지 않는다 (이름을 출력한다).
    """
    written = []
    for key, block in result["benchmarks"].items():
        if key not in FOLDERS or "rows" not in block:
            continue
        path = root / FOLDERS[key] / "measurements.md"
        if not path.is_file():
            continue
        table = header_line(result, block["rows"]) + "\n\n" + format_rows(block["rows"])
        text, filled = fill_doc(path.read_text(encoding="utf-8"), {"chapter": table})
        if filled:
            atomic_write_text(path, text)
            written.append(path.relative_to(root).as_posix())
        else:
            print(f"{path}: <!-- bench:chapter --> 블록이 없어 건드리지 않았다")
    return written


def fill_doc(text: str, blocks: dict[str, str]) -> tuple[str, list[str]]:
    """`<!-- bench:NAME -->` … `<!-- /bench:NAME -->` 사이를 blocks[NAME]으로 바꾼다. (새 text, 바꾼 이름들)."""
    filled = []

    def replace(match):
        name = match.group(1)
        if name not in blocks:
            return match.group(0)
        filled.append(name)
        return f"<!-- bench:{name} -->\n{blocks[name]}\n<!-- /bench:{name} -->"

    text = re.sub(r"<!-- bench:(\w+) -->\n.*?<!-- /bench:\1 -->", replace, text, flags=re.S)
    return text, filled


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description="교과 과정의 벤치마크를 한 process에서 돌려 비율 표 하나로 쓴다")
    parser.add_argument("chapters", nargs="*", help=f"돌릴 것 (기본 전부): {', '.join(CHOICES)}")
    parser.add_argument("--quick", action="store_true", help="작은 크기로 몇 초 (도는지 확인용)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="cuda: GPU가 있으면 GPU 측정도 한다 (없으면 그렇다고 한 문장 쓰고 CPU만)")
    parser.add_argument("--threads", type=int, default=1, help="torch와 BLAS의 thread 수 (기본 1)")
    parser.add_argument("--out", default="outputs/benchmarks", help="results.md, results.json을 쓸 폴더")
    parser.add_argument("--write-docs", action="store_true", help="--doc 파일의 표 블록을 이 실행의 표로 바꿔 쓴다")
    parser.add_argument("--doc", default=str(DOC), help=f"--write-docs가 고칠 문서 (기본 {DOC.relative_to(ROOT)})")
    parser.add_argument("--docs-root", default=str(ROOT),
                        help="--write-docs가 장마다의 measurements.md를 찾는 저장소 root (기본 이 저장소)")
    args = parser.parse_args(argv)
    if args.threads < 1:
        parser.error("--threads는 1 이상이어야 합니다")
    try:
        keys = resolve(args.chapters)
    except ValueError as err:
        parser.error(str(err))
    import torch

    device_note = None
    if args.device == "cuda":
        device_note = (CPU_ONLY if torch.cuda.is_available() else NO_GPU)
        print(device_note)
    result = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "command": "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:]),
              "hardware": hardware(args.threads), "load_before": load_average(), "device_note": device_note,
              "repeats_note": "각 장의 기본값" if not args.quick else "--quick (작은 크기)", "benchmarks": {}}
    start = time.perf_counter()
    for key in keys:
        print(f"\n=== {key} ===", flush=True)
        if key == "numpy_vs_torch":
            from . import numpy_vs_torch

            argv_nvt = (["--quick"] if args.quick else []) + ["--threads", str(args.threads), "--device", args.device]
            raw = numpy_vs_torch.main(argv_nvt)
            result["benchmarks"][key] = {"title": "같은 연산: NumPy 손 구현 vs PyTorch", "argv": argv_nvt,
                                         "rows": raw["rows"]}
            continue
        chapter = CHAPTERS[key]
        try:
            ran = run_chapter(key, args.quick, args.threads)
        except Exception as err:                  # 한 장이 실패해도 나머지는 돈다; 끝에 exit code 1
            traceback.print_exc()
            result["benchmarks"][key] = {"title": chapter.title, "error": f"{type(err).__name__}: {err}"}
            continue
        result["benchmarks"][key] = {"title": chapter.title, "argv": ran["argv"], "rows": ran["rows"]}
    result["seconds"] = time.perf_counter() - start
    result["load_after"] = load_average()
    out = Path(args.out)
    write_json(out / "results.json", result)
    markdown = to_markdown(result)
    atomic_write_text(out / "results.md", markdown + "\n")
    print("\n" + markdown)
    print(f"\n쓴 파일: {out / 'results.md'}, {out / 'results.json'}")
    if args.write_docs:
        doc = Path(args.doc)
        text, filled = fill_doc(doc.read_text(encoding="utf-8"), doc_blocks(result))
        atomic_write_text(doc, text)
        print(f"{doc}: 바꾼 블록 {', '.join(filled) or '(없음)'}")
        result["docs_filled"] = filled
        result["chapter_docs_filled"] = write_chapter_docs(result, Path(args.docs_root))
        print(f"장의 measurements.md: {', '.join(result['chapter_docs_filled']) or '(없음)'}")
    failed = [key for key, block in result["benchmarks"].items() if "error" in block]
    if failed:
        print(f"실패한 벤치마크: {', '.join(failed)}")
    print(verdict_line(all_rows(result)), flush=True)          # 마지막 줄: 판정마다의 줄 수
    return result


if __name__ == "__main__":
    if any("error" in block for block in main()["benchmarks"].values()):
        sys.exit(1)
