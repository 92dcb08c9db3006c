"""docs/02_NumPy_vs_PyTorch_Comparison.md: 표 블록이 모두 suite가 만든 최신 형식인지, 본문의 비율과 link가 맞는지.

표는 `python -m benchmarks.run --write-docs`가 `<!-- bench:NAME -->` … `<!-- /bench:NAME -->` 사이에 쓴다. 이 테스트는
시간을 재지 않는다: 블록이 빠짐없이 채워졌는지, 머리말이 하드웨어·날짜·load average·판정 수를 말하는지, 표의 머리줄이
지금 `utils.benchmark.format_rows`가 만드는 것과 같고 줄마다 구간·goal·판정이 있는지, 본문의 goal 표가 코드의 goal과
같은지, 본문이 인용한 비율이 표 안에 실제로 있는지를 본다.
"""
import re
from pathlib import Path

from benchmarks import run
from benchmarks.numpy_vs_torch import GROUPS
from utils.benchmark import GOALS, compare, compare_values

DOC = Path(__file__).with_name("02_NumPy_vs_PyTorch_Comparison.md")
TEXT = DOC.read_text(encoding="utf-8")
BLOCK = re.compile(r"<!-- bench:(\w+) -->\n(.*?)\n<!-- /bench:\1 -->", re.S)
BLOCKS = dict(BLOCK.findall(TEXT))
TABLES = ["matmul", "conv", "lstm", "attention", "backward", "memory", "dtype", "threads", "chapters"]
ROW = re.compile(r"\| \*\*\d+\.\d\d×\*\* \[\d+\.\d\d, \d+\.\d\d\] \| (—|\d+\.\d\d× \[[\d.]+, [\d.]+\]) \| "
                 r"[≤≥] [\d.]+× \| (met|not met|unclear \([^|]*\)) \| \d+ \|")


def table_problems(blocks: dict[str, str]) -> list[str]:
    """표 블록들이 지금 형식이 아닌 이유들 (없으면 빈 list)."""
    problems = []
    for name in TABLES:
        lines = blocks[name].splitlines()
        expected = run.format_rows([], with_group=(name == "chapters")).splitlines()
        if lines[:2] != expected:
            problems.append(f"{name}: 머리줄이 지금 형식이 아니다 (python -m benchmarks.run --write-docs로 다시)")
            continue
        if len(lines) <= 2:
            problems.append(f"{name}: 줄이 없다")
        problems += [f"{name}: {line}" for line in lines[2:]
                     if line.count("|") != lines[0].count("|") or not ROW.search(line)]
    return problems


def test_every_block_is_present_filled_and_known():
    assert set(BLOCKS) == {"hardware", *TABLES}
    assert len(re.findall(r"^<!-- bench:", TEXT, re.M)) == len(BLOCKS)      # 짝이 맞지 않는 marker가 없다
    assert set(BLOCKS) <= {"hardware", "chapters", *GROUPS}                  # suite가 채울 수 있는 이름만
    for name, body in BLOCKS.items():
        assert body.strip() and "비어 있음" not in body, name


def test_header_names_hardware_date_command_and_load():
    header = BLOCKS["hardware"]
    assert re.search(r"측정: \d{4}-\d\d-\d\d \d\d:\d\d UTC, `python -m benchmarks\.run[^`]*--write-docs`", header)
    cpu = re.search(r"하드웨어: (.+?), core (\d+)개", header)
    assert cpu and cpu.group(1).strip() and int(cpu.group(2)) >= 1
    assert re.search(r"numpy \d+\.\d+", header) and re.search(r"torch \d+\.\d+", header)
    loads = re.search(r"실행 전 \[([\d.]+), [\d.]+, [\d.]+\], 실행 후 \[([\d.]+), [\d.]+, [\d.]+\]", header)
    assert loads, "load average 전후"
    assert "--quick" not in header                                          # 문서의 표는 전체 크기로 잰 것
    assert re.search(r"판정: met \d+, not met \d+, unclear \d+", header)


def test_tables_are_in_the_current_format_with_interval_goal_and_verdict():
    assert table_problems(BLOCKS) == []


def test_a_regenerated_doc_passes_the_format_checks():
    """--write-docs가 만드는 블록(모든 group, 모든 goal)으로 이 문서의 사본을 채우면 위의 형식 검사를 통과한다."""
    t = {"wall": [1.0, 1.1, 0.9], "cpu": [1.0, 1.0, 1.0]}
    rows = [compare(f"{group} 줄", "a", "b", t, t, goal, group=group)
            for group, goal in zip(GROUPS[:-1], ("kernel", "kernel", "kernel", "kernel", "backward", "backward",
                                                 "float32", "threads"))]
    rows[5] = compare_values("메모리", "a", "b", 2.0, 1.0, "MB", "backward", group="memory")
    chapter_rows = [compare(f"{kind} 줄", "a", "b", t, {"wall": [0.5, 2.0, 1.0]}, kind, group="07") for kind in GOALS]
    result = {"date": "2026-01-01 00:00 UTC", "command": "python -m benchmarks.run --write-docs",
              "hardware": {"cpu": "CPU × 2", "cores": 2, "machine": "x86_64", "threads": 1, "python": "3.11",
                           "numpy": "2.0", "torch": "2.0", "cuda": None},
              "load_before": [0.1, 0.2, 0.3], "load_after": [0.1, 0.2, 0.3], "repeats_note": "각 장의 기본값",
              "seconds": 1.0, "benchmarks": {"numpy_vs_torch": {"rows": rows}, "07": {"rows": chapter_rows}}}
    text, filled = run.fill_doc(TEXT, run.doc_blocks(result))
    assert set(filled) == set(BLOCKS)
    assert table_problems(dict(BLOCK.findall(text))) == []


def test_goal_table_matches_the_code():
    for goal in GOALS.values():
        assert re.search(rf"^  \| {goal.kind} \| {re.escape(goal.text)} \| ", TEXT, re.M), goal.kind


def test_prose_ratios_come_from_the_tables():
    prose = BLOCK.sub("", TEXT)
    tables = "\n".join(BLOCKS.values())
    for ratio in re.findall(r"\b\d+\.\d\d×", prose):            # 본문이 비율을 인용하면 그것은 표에 있어야 한다
        assert f"**{ratio}**" in tables or f"{ratio}" in tables, f"본문의 {ratio}가 표에 없다"


def test_relative_links_resolve():
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", TEXT)
    local = [link for link in links if not re.match(r"[a-z]+://", link)]
    assert local
    for link in local:
        assert (DOC.parent / link).exists(), link
