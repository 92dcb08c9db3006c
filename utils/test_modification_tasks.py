"""L4 수정 과제 묶음 검사 (유지보수용, 모든 장을 한 번에): 과제마다 문제 설명·stub·solution·채점 파일이 있고, stub과
solution이 같은 이름·signature·docstring을 가지며, stub은 모두 NotImplementedError를 던지고(`--learner`면 건너뜀),
그 장의 안내서(`analysis/README.md`)가 과제를 링크한다.

수정 과제의 파일 규약은 연습문제(`exercises/`)와 같고 접두사만 `mod`다:
`NN_Name/analysis/modNN_topic.md`, `modNN_topic.py`, `solutions/modNN_topic.py`, `test_modNN_topic.py`.
"""
import importlib
import inspect
import re
from pathlib import Path

import pytest

from utils.exercises import TASK_PAGE_HEADINGS, assert_stub_matches_solution, stubs_not_raising

ROOT = Path(__file__).resolve().parent.parent
TASK = re.compile(r"^(?:test_)?(mod\d\d_\w+)\.py$")


def modification_tasks() -> list[tuple[str, str]]:
    """(장 폴더 이름, 과제 이름): analysis/, analysis/solutions/의 modNN_*.py와 test_modNN_*.py 어느 쪽에서든 찾는다."""
    found = set()
    for folder in sorted(ROOT.glob("[0-9][0-9]_*/analysis")):
        for place in (folder, folder / "solutions"):
            if place.is_dir():
                names = (TASK.match(f.name) for f in place.iterdir())
                found |= {(folder.parent.name, m.group(1)) for m in names if m}
    return sorted(found)


TASKS = modification_tasks()
IDS = [f"{chapter[:2]}-{name}" for chapter, name in TASKS]


def test_every_chapter_with_modification_tasks_has_at_least_two():
    chapters = {chapter for chapter, _ in TASKS}
    assert chapters, "수정 과제가 하나도 없다"
    for chapter in chapters:
        names = [name for c, name in TASKS if c == chapter]
        assert len(names) >= 2, f"{chapter}/analysis의 수정 과제: {names}"


@pytest.mark.parametrize("chapter, name", TASKS, ids=IDS)
def test_task_has_page_stub_solution_tests_and_a_guide_link(chapter, name):
    folder = ROOT / chapter / "analysis"
    parts = {"문제 설명": folder / f"{name}.md", "stub": folder / f"{name}.py",
             "solution": folder / "solutions" / f"{name}.py", "채점": folder / f"test_{name}.py"}
    missing = [label for label, path in parts.items() if not path.is_file()]
    assert not missing, f"{chapter}/{name}: 없는 파일 {missing}"
    page = parts["문제 설명"].read_text(encoding="utf-8")
    for heading in TASK_PAGE_HEADINGS:
        assert f"## {heading}" in page, f"{name}.md: '## {heading}' 절이 없습니다"
    command = f"pytest {chapter}/analysis/test_{name}.py"
    lines = [line for line in page.splitlines() if command in line]
    assert any("--learner" in line for line in lines), f"{name}.md: `{command} --learner` 명령이 없습니다"
    assert any("--learner" not in line for line in lines), f"{name}.md: `{command}` 명령이 없습니다"
    guide = (folder / "README.md").read_text(encoding="utf-8")
    for target in (f"{name}.md", f"{name}.py"):
        assert f"({target})" in guide, f"{chapter}/analysis/README.md가 {target}을 링크하지 않습니다"


@pytest.mark.parametrize("chapter, name", TASKS, ids=IDS)
def test_stub_and_solution_define_the_same_names(chapter, name):
    assert_stub_matches_solution(f"{chapter}.analysis", name)


@pytest.mark.parametrize("chapter, name", TASKS, ids=IDS)
def test_every_stub_function_and_method_raises_not_implemented(chapter, name, request):
    if request.config.getoption("--learner", default=False):
        pytest.skip("--learner: 학습자가 stub을 채우는 중이므로 NotImplementedError 검사는 건너뛴다")
    assert stubs_not_raising(f"{chapter}.analysis", name) == [], f"{name}: NotImplementedError를 던지지 않는 stub"


@pytest.mark.parametrize("chapter, name", TASKS, ids=IDS)
def test_stub_docstring_names_the_grading_commands(chapter, name):
    doc = inspect.getdoc(importlib.import_module(f"{chapter}.analysis.{name}")) or ""
    assert f"{chapter}/analysis/test_{name}.py --learner" in doc, f"{name}: stub docstring에 채점 명령이 없습니다"
    assert f"make grade CHAPTERS={chapter[:2]}" in doc, f"{name}: stub docstring에 make grade 명령이 없습니다"
