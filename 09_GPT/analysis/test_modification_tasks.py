"""수정 과제 묶음 검사 (유지보수용): 과제마다 문제 설명·stub·solution·채점 파일이 있고, stub과 solution이 같은 이름·
signature·docstring을 가지며, stub은 모두 NotImplementedError를 던지고(`--learner`면 건너뜀), 안내서가 과제를 링크한다.

수정 과제의 파일 규약은 연습문제(`exercises/`)와 같고 접두사만 `mod`다:
`modNN_topic.md`, `modNN_topic.py`, `solutions/modNN_topic.py`, `test_modNN_topic.py`.
"""
import re
from pathlib import Path

import pytest

from utils.exercises import TASK_PAGE_HEADINGS, assert_stub_matches_solution, stubs_not_raising

FOLDER = Path(__file__).parent
CHAPTER = FOLDER.parent.name
TASK = re.compile(r"^(mod\d\d_\w+)\.py$")
TASKS = sorted({m.group(1) for folder in (FOLDER, FOLDER / "solutions")
                for m in map(TASK.match, (f.name for f in folder.iterdir())) if m}
               | {m.group(1) for m in map(re.compile(r"^test_(mod\d\d_\w+)\.py$").match,
                                          (f.name for f in FOLDER.iterdir())) if m})


def test_the_chapter_has_at_least_two_modification_tasks():
    assert len(TASKS) >= 2, f"{CHAPTER}/analysis의 수정 과제: {TASKS}"


@pytest.mark.parametrize("name", TASKS)
def test_task_has_page_stub_solution_tests_and_a_guide_link(name):
    parts = {"문제 설명": FOLDER / f"{name}.md", "stub": FOLDER / f"{name}.py",
             "solution": FOLDER / "solutions" / f"{name}.py", "채점": FOLDER / f"test_{name}.py"}
    missing = [label for label, path in parts.items() if not path.is_file()]
    assert not missing, f"{name}: 없는 파일 {missing}"
    page = parts["문제 설명"].read_text(encoding="utf-8")
    for heading in TASK_PAGE_HEADINGS:
        assert f"## {heading}" in page, f"{name}.md: '## {heading}' 절이 없습니다"
    command = f"pytest {CHAPTER}/analysis/test_{name}.py"
    lines = [line for line in page.splitlines() if command in line]
    assert any("--learner" in line for line in lines), f"{name}.md: `{command} --learner` 명령이 없습니다"
    assert any("--learner" not in line for line in lines), f"{name}.md: `{command}` 명령이 없습니다"
    guide = (FOLDER / "README.md").read_text(encoding="utf-8")
    for target in (f"{name}.md", f"{name}.py"):
        assert f"({target})" in guide, f"analysis/README.md가 {target}을 링크하지 않습니다"


@pytest.mark.parametrize("name", TASKS)
def test_stub_and_solution_define_the_same_names(name):
    assert_stub_matches_solution(f"{CHAPTER}.analysis", name)


@pytest.mark.parametrize("name", TASKS)
def test_every_stub_function_and_method_raises_not_implemented(name, request):
    if request.config.getoption("--learner", default=False):
        pytest.skip("--learner: 학습자가 stub을 채우는 중이므로 NotImplementedError 검사는 건너뛴다")
    assert stubs_not_raising(f"{CHAPTER}.analysis", name) == [], f"{name}: NotImplementedError를 던지지 않는 stub"


@pytest.mark.parametrize("name", TASKS)
def test_stub_docstring_names_the_grading_commands(name):
    import importlib
    import inspect

    doc = inspect.getdoc(importlib.import_module(f"{CHAPTER}.analysis.{name}")) or ""
    assert f"{CHAPTER}/analysis/test_{name}.py --learner" in doc, f"{name}: stub docstring에 채점 명령이 없습니다"
    assert f"make grade CHAPTERS={CHAPTER[:2]}" in doc, f"{name}: stub docstring에 make grade 명령이 없습니다"
