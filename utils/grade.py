"""연습문제 채점표: 모든 장의 연습문제 테스트를 학습자 stub(`--learner`)에 돌리고 표 하나로 보여 준다.

    make grade                               # 모든 장
    python -m utils.grade                    # 같은 것
    python -m utils.grade 06 11_VAE          # 몇 장만 (번호 또는 폴더 이름)

각 장의 `exercises/test_exNN_*.py`(연습문제)와 `analysis/test_modNN_*.py`(L4의 수정 과제)를 pytest 한 번에
`--learner`로 실행하고, JUnit XML 결과를 읽어
장 · 연습문제 · 통과/전체 · 처음 실패한 테스트의 한 줄(무엇을 기대했는지)을 출력한다. traceback은 보이지 않는다.
stub과 solution의 일치 검사(`utils/test_grade.py`가 모든 장에 대해 한다)는 유지보수용이므로 돌리지 않는다.
학습자가 stub에 자신의 보조 함수를 더해도 채점은 과제가 요구한 이름만 본다. 실패 한 줄은 `utils.exercises`의 비교
도우미가 쓴 첫 줄(무엇이, 어디서, 실제값과 기대값)이고, `np.testing`의 여러 줄 메시지는 이름과 차이를 한 줄로 모은다.

점수가 어떻든 채점이 끝까지 돌았으면 exit code 0이다 (없는 장 이름을 주면 2).
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_FILE = re.compile(r"^test_((?:ex|mod)\d\d_\w+)\.py$")
# 채점하는 과제가 있는 폴더: 연습문제(exNN)와, L4 장의 production 코드 수정 과제(analysis/의 modNN).
TASK_FOLDERS = ("exercises", "analysis")


@dataclass
class Row:
    """채점표의 한 줄: 한 장의 연습문제 하나."""
    chapter: str
    exercise: str
    passed: int = 0
    total: int = 0
    first_failure: str = ""


def exercise_chapters(root: Path, wanted: list[str] | None = None) -> list[Path]:
    """`NN_이름/exercises/`가 있는 장 폴더들. `wanted`는 "06"이나 "06_LSTM_GRU" 같은 이름의 목록."""
    chapters = sorted(p for p in root.iterdir()
                      if p.is_dir() and re.match(r"^\d\d_", p.name)
                      and any((p / folder).is_dir() for folder in TASK_FOLDERS))
    if not wanted:
        return chapters
    chosen = []
    for name in wanted:
        match = [c for c in chapters if c.name == name or c.name.split("_")[0] == name]
        if not match:
            raise ValueError(f"연습문제가 있는 장을 찾지 못했습니다: {name!r} "
                             f"(가능한 것: {', '.join(c.name for c in chapters)})")
        chosen.extend(m for m in match if m not in chosen)
    return chosen


NUMPY_HEADER = re.compile(r"^(Not equal to tolerance|Arrays are not (almost )?equal|Not equal)")
NUMPY_DETAIL = re.compile(r"^(Mismatched elements|Mismatch at index|Max absolute|Max relative|\(shapes|ACTUAL|DESIRED|"
                          r"x:|y:|\[|\d)")


def _numpy_line(lines: list[str]) -> str | None:
    """`np.testing.assert_allclose(..., err_msg=이름)`의 여러 줄 메시지를 "이름: 무엇이 얼마나 다른가" 한 줄로."""
    start = next((i for i, line in enumerate(lines) if NUMPY_HEADER.match(line)), None)
    if start is None:
        return None
    rest = lines[start + 1:]
    name = next((line for line in rest[:1] if not NUMPY_DETAIL.match(line)), "")
    detail = [line for line in rest if line.startswith(("Max absolute", "(shapes", "Mismatched elements"))]
    head = lines[start].split(",")[0] if detail else lines[start]
    parts = [part for part in (head, *detail[:2]) if part]
    return (f"{name}: " if name else "") + "; ".join(parts)


def one_line(text: str | None, limit: int = 110) -> str:
    """실패 메시지에서 첫 의미 있는 줄 하나 (길면 자른다).

    `np.testing.assert_allclose`의 메시지는 이름(err_msg)이 셋째 줄에 있으므로 이름과 차이를 한 줄로 모은다.
    """
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        return ""
    line = lines[0]
    numpy_line = _numpy_line(lines)
    if numpy_line is not None:
        prefix = line.rstrip(":") if re.match(r"^[\w.]+:?$", line) else ""
        line = f"{prefix}: {numpy_line}" if prefix else numpy_line
    elif len(lines) > 1 and re.match(r"^[\w.]+:?$", line):          # "AssertionError:" 다음 줄에 내용이 있는 경우
        line = f"{line.rstrip(':')}: {lines[1]}"
    return line if len(line) <= limit else line[:limit - 1] + "…"


def error_line(element) -> str:
    """실패 한 건의 한 줄: 예외 이름과 메시지 (`E   SyntaxError: ...` 같은 줄이 있으면 그것, 없으면 message)."""
    lines = [line[1:].strip() for line in (element.text or "").splitlines() if line.startswith("E ")]
    named = [line for line in lines if re.match(r"^\w+(Error|Exception|Interrupt)\b", line)]
    message = one_line(element.get("message"))
    if message and not message.startswith(("failed on setup", "collection failure")):
        return message
    return one_line(named[-1] if named else (lines[-1] if lines else message))


def _exercise_of(classname: str, name: str) -> str | None:
    """JUnit testcase의 classname(`06_LSTM_GRU.exercises.test_ex01_peephole`)에서 `ex01_peephole`을 꺼낸다."""
    for part in (classname or name).split("."):
        match = re.match(r"^test_((?:ex|mod)\d\d_\w+)$", part)
        if match:
            return match.group(1)
    return None


def parse_junit(xml_path: Path, chapter: str, exercises: list[str]) -> list[Row]:
    """pytest `--junitxml` 결과를 연습문제별 Row로 모은다."""
    rows = {ex: Row(chapter, ex) for ex in exercises}
    if not xml_path.exists():
        for row in rows.values():
            row.first_failure = "채점을 실행하지 못했습니다 (pytest가 결과를 쓰지 않음)"
        return list(rows.values())
    for case in ET.parse(xml_path).getroot().iter("testcase"):
        exercise = _exercise_of(case.get("classname", ""), case.get("name", ""))
        if exercise not in rows:
            continue
        row = rows[exercise]
        if case.find("skipped") is not None:
            continue
        bad = case.find("failure")
        if bad is None:
            bad = case.find("error")
        if not case.get("classname"):                                  # 모듈을 import하지 못함 (수집 실패)
            row.first_failure = row.first_failure or "불러오기 실패: " + (error_line(bad) if bad is not None else "")
            continue
        row.total += 1
        if bad is None:
            row.passed += 1
        elif not row.first_failure:
            test = case.get("name", "")
            row.first_failure = f"{test}: {error_line(bad)}"
    return list(rows.values())


def grade_chapter(root: Path, chapter: Path) -> list[Row]:
    """한 장의 `exercises/test_exNN_*.py`와 `analysis/test_modNN_*.py`를 `--learner`로 실행해 Row 목록을 돌려준다."""
    tests = [p for folder in TASK_FOLDERS if (chapter / folder).is_dir()
             for p in sorted((chapter / folder).iterdir()) if TEST_FILE.match(p.name)]
    exercises = [TEST_FILE.match(p.name).group(1) for p in tests]
    if not tests:
        return []
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(
        [str(root), str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]))
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("MPLBACKEND", "Agg")
    with tempfile.TemporaryDirectory() as tmp:
        xml_path = Path(tmp) / "result.xml"
        command = [sys.executable, "-m", "pytest", *[str(p.relative_to(root)) for p in tests], "--learner",
                   "-q", "--no-header", "-p", "no:cacheprovider", "--continue-on-collection-errors",
                   f"--junitxml={xml_path}", "-o", "junit_family=xunit2"]
        subprocess.run(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        return parse_junit(xml_path, chapter.name, exercises)


def _width(text: str) -> int:
    """터미널에서 한글은 두 칸을 차지한다."""
    return sum(2 if "\uac00" <= ch <= "\ud7a3" or "\u3130" <= ch <= "\u318f" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(rows: list[Row]) -> str:
    """채점표 (장, 연습문제, 통과/전체, 처음 실패한 테스트)와 합계 한 줄."""
    header = ("장", "연습문제", "통과", "처음 실패한 테스트 — 기대한 것")
    cells = [(r.chapter, r.exercise, f"{r.passed}/{r.total}" if r.total else "0/?",
              "✓ 모두 통과" if r.total and r.passed == r.total and not r.first_failure else r.first_failure)
             for r in rows]
    widths = [max(_width(c[i]) for c in [header, *cells]) for i in range(3)]
    lines = ["  ".join(_pad(c, w) for c, w in zip(header[:3], widths)) + "  " + header[3]]
    lines.append("-" * (sum(widths) + 6 + _width(header[3])))
    lines += ["  ".join(_pad(c, w) for c, w in zip(cell[:3], widths)) + "  " + cell[3] for cell in cells]
    done = sum(1 for r in rows if r.total and r.passed == r.total and not r.first_failure)
    lines.append(f"\n다 푼 연습문제 {done}/{len(rows)}, 통과한 테스트 {sum(r.passed for r in rows)}/"
                 f"{sum(r.total for r in rows)}")
    return "\n".join(lines)


def grade(root: Path = ROOT, chapters: list[str] | None = None) -> list[Row]:
    """`root` 아래 연습문제가 있는 장(또는 `chapters`만)을 채점한다."""
    rows = []
    for chapter in exercise_chapters(Path(root), chapters):
        print(f"채점 중: {chapter.name} …", file=sys.stderr, flush=True)
        rows.extend(grade_chapter(Path(root), chapter))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m utils.grade",
        description="모든 장의 연습문제 테스트를 내 stub 파일(--learner)에 돌리고 채점표 하나를 출력한다.")
    parser.add_argument("chapters", nargs="*", help="채점할 장 (예: 06 또는 06_LSTM_GRU). 생략하면 모든 장")
    parser.add_argument("--root", type=Path, default=ROOT, help="저장소 루트 (기본: 이 파일이 있는 저장소)")
    args = parser.parse_args(argv)
    try:
        rows = grade(args.root, args.chapters)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
