"""docs/02_NumPy_vs_PyTorch_Comparison.md: 표 블록이 모두 suite가 만든 최신 형식인지, 본문의 비율과 link가 맞는지.

표는 `python -m benchmarks.run --write-docs`가 `<!-- bench:NAME -->` … `<!-- /bench:NAME -->` 사이에 쓴다. 이 테스트는
시간을 재지 않는다: 블록이 빠짐없이 채워졌는지, 머리말이 하드웨어·날짜·load average를 말하는지, 표의 머리줄이 지금
`benchmarks.run.format_rows`가 만드는 것과 같은지, 본문이 인용한 비율이 표 안에 실제로 있는지를 본다.
"""
import re
from pathlib import Path

import pytest

from benchmarks import run
from benchmarks.numpy_vs_torch import GROUPS

DOC = Path(__file__).with_name("02_NumPy_vs_PyTorch_Comparison.md")
TEXT = DOC.read_text(encoding="utf-8")
BLOCK = re.compile(r"<!-- bench:(\w+) -->\n(.*?)\n<!-- /bench:\1 -->", re.S)
BLOCKS = dict(BLOCK.findall(TEXT))
TABLES = ["matmul", "conv", "lstm", "attention", "backward", "memory", "dtype", "threads", "chapters"]


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


@pytest.mark.parametrize("name", TABLES)
def test_tables_are_in_the_current_format(name):
    lines = BLOCKS[name].splitlines()
    expected = run.format_rows([], with_group=(name == "chapters")).splitlines()
    assert lines[:2] == expected, "표 형식이 바뀌었다: python -m benchmarks.run --write-docs로 다시 만든다"
    columns = lines[0].count("|")
    assert len(lines) > 2
    for line in lines[2:]:
        assert line.count("|") == columns, line
        assert re.search(r"\| \*\*\d+\.\d\d×\*\* \|", line), line


def test_prose_ratios_come_from_the_tables():
    prose = BLOCK.sub("", TEXT)
    tables = "\n".join(BLOCKS.values())
    cited = re.findall(r"\b\d+\.\d\d×", prose)
    assert cited, "본문이 표의 비율을 하나도 인용하지 않는다"
    for ratio in cited:
        assert f"**{ratio}**" in tables or f"{ratio}" in tables, f"본문의 {ratio}가 표에 없다"


def test_relative_links_resolve():
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", TEXT)
    local = [link for link in links if not re.match(r"[a-z]+://", link)]
    assert local
    for link in local:
        assert (DOC.parent / link).exists(), link
