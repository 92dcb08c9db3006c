"""채점표(`utils/grade.py`), `--learner` 규칙, 비교 도우미의 메시지, 그리고 모든 장의 연습문제 묶음 검사.

- 가짜 장 하나에서 한 문제는 풀고 한 문제는 안 푼 상태로 채점표를 본다. 가짜 장은 저장소의 `conftest.py`·
  `pytest.ini`를 복사한 tmp 폴더에 만든다 (`utils.exercises.load_exercise`로 stub 또는 solution을 고른다).
- 모든 장의 `exercises/`를 `discover_exercises`로 찾아 한 번에 검사한다 (장마다 같은 검사 파일을 두지 않는다):
  stub·solution·채점 파일이 모두 있고, 과제가 요구한 이름이 stub에 같은 signature·docstring으로 있으며, stub은
  모두 NotImplementedError를 던지고(`--learner`면 건너뜀), 문제 설명에 절 제목과 두 모드의 명령이 있고, README가
  링크하며, stub docstring이 채점 명령을 말한다.
"""
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from . import grade as grade_module
from .exercises import (
    assert_close,
    assert_equal,
    assert_exercise_complete,
    assert_grads_close,
    assert_readme_links,
    assert_rel_error,
    assert_same_mask,
    assert_stub_matches_solution,
    assert_stub_names_the_command,
    assert_task_page,
    discover_exercises,
    stubs_not_raising,
)

ROOT = grade_module.ROOT

SOLUTION_ADD = '''
def add(a, b):
    """a + b를 돌려준다."""
    return a + b
'''
STUB_ADD = '''
def add(a, b):
    """a + b를 돌려준다."""
    raise NotImplementedError("add: 01_add.md 1단계")
'''
LEARNER_ADD = '''
def plus(a, b):
    return a + b


def add(a, b):
    """a + b를 돌려준다."""
    return plus(a, b)
'''
SOLUTION_MUL = '''
class Multiplier:
    """k배 한다."""

    def __init__(self, k):
        self.k = k

    def __call__(self, x):
        return self.k * x

    def twice(self, x):
        """두 번 곱한다."""
        return self.k * self.k * x
'''
STUB_MUL = '''
class Multiplier:
    """k배 한다."""

    def __init__(self, k):
        raise NotImplementedError("Multiplier: 02_mul.md 1단계")

    def twice(self, x):
        """두 번 곱한다."""
        raise NotImplementedError("twice: 02_mul.md 2단계")
'''
TEST_ADD = '''
import pytest

from utils.exercises import load_exercise


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex01_add")


def test_small(ex):
    assert ex.add(1, 2) == 3, "add(1, 2)는 3이어야 합니다"


def test_negative(ex):
    assert ex.add(-1, -2) == -3, "add(-1, -2)는 -3이어야 합니다"
'''
TEST_MUL = '''
import pytest

from utils.exercises import load_exercise


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_mul")


def test_twice(ex):
    assert ex.Multiplier(3).twice(1) == 9, "Multiplier(3).twice(1)은 9여야 합니다"


def test_zero(ex):
    assert ex.Multiplier(0).twice(5) == 0


def test_one(ex):
    assert ex.Multiplier(1).twice(5) == 5
'''


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture
def fake_repo(tmp_path):
    """`98_Fake/exercises/`: ex01_add는 학습자가 (보조 함수 `plus`까지 더해) 풀었고, ex02_mul은 아직 stub이다."""
    shutil.copy(ROOT / "conftest.py", tmp_path / "conftest.py")
    shutil.copy(ROOT / "pytest.ini", tmp_path / "pytest.ini")
    ex = tmp_path / "98_Fake" / "exercises"
    for init in (tmp_path / "98_Fake", ex, ex / "solutions"):
        write(init / "__init__.py", "")
    write(ex / "ex01_add.py", LEARNER_ADD)
    write(ex / "solutions" / "ex01_add.py", SOLUTION_ADD)
    write(ex / "test_ex01_add.py", TEST_ADD)
    write(ex / "ex02_mul.py", STUB_MUL)
    write(ex / "solutions" / "ex02_mul.py", SOLUTION_MUL)
    write(ex / "test_ex02_mul.py", TEST_MUL)
    return tmp_path


def test_grade_table_for_one_solved_and_one_unsolved_stub(fake_repo):
    """`python -m utils.grade`를 그대로 실행한다 (모듈 실행과 표 출력을 한 번에 본다)."""
    done = subprocess.run([sys.executable, "-m", "utils.grade", "--root", str(fake_repo)], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    out = done.stdout
    assert done.returncode == 0, done.stderr                          # 점수와 상관없이 돌았으면 0
    lines = {line.split()[1]: line for line in out.splitlines() if line.startswith("98_Fake")}
    assert set(lines) == {"ex01_add", "ex02_mul"}, out
    assert "2/2" in lines["ex01_add"] and "모두 통과" in lines["ex01_add"], out
    assert "0/3" in lines["ex02_mul"], out
    assert "test_twice: NotImplementedError: Multiplier: 02_mul.md 1단계" in lines["ex02_mul"], out
    assert "Traceback" not in out + done.stderr and "def " not in out      # traceback 벽이 없다
    assert "다 푼 연습문제 1/2, 통과한 테스트 2/5" in out


def test_grade_reports_the_assertion_message_and_a_broken_file(fake_repo):
    ex = fake_repo / "98_Fake" / "exercises"
    write(ex / "ex01_add.py", SOLUTION_ADD.replace("a + b\n", "a - b\n"))     # 틀린 답
    write(ex / "ex02_mul.py", "def oops(:\n")                                 # 문법 오류
    rows = {row.exercise: row for row in grade_module.grade(fake_repo)}
    assert (rows["ex01_add"].passed, rows["ex01_add"].total) == (0, 2)
    assert rows["ex01_add"].first_failure.startswith("test_small: AssertionError: add(1, 2)는 3이어야 합니다")
    assert (rows["ex02_mul"].passed, rows["ex02_mul"].total) == (0, 3)     # stub은 fixture에서 import된다
    assert rows["ex02_mul"].first_failure.startswith("test_twice: SyntaxError"), rows["ex02_mul"].first_failure


def test_grade_chooses_chapters_by_number_or_name_and_rejects_unknown(fake_repo, capsys):
    chapters = grade_module.exercise_chapters(fake_repo, ["98"])
    assert [c.name for c in chapters] == ["98_Fake"]
    assert grade_module.exercise_chapters(fake_repo, ["98_Fake"]) == chapters
    assert grade_module.main(["--root", str(fake_repo), "42"]) == 2
    assert "42" in capsys.readouterr().err


def test_consistency_check_allows_learner_helpers_but_not_missing_names(fake_repo, monkeypatch):
    monkeypatch.syspath_prepend(str(fake_repo))
    for module in [m for m in sys.modules if m.startswith("98_Fake")]:
        monkeypatch.delitem(sys.modules, module)
    assert_stub_matches_solution("98_Fake.exercises", "ex01_add")      # 학습자의 `plus`는 괜찮다
    ex = fake_repo / "98_Fake" / "exercises"
    write(ex / "ex02_mul.py", STUB_MUL.replace("def twice", "def thrice"))
    with pytest.raises(AssertionError, match="twice"):                 # 요구한 메서드를 지우면 잡힌다
        assert_stub_matches_solution("98_Fake.exercises", "ex02_mul")


def test_maintainer_check_still_catches_an_implemented_stub(fake_repo, monkeypatch):
    """stub에 남은 구현(유지보수 실수)은 `stubs_not_raising`이 잡는다: 추가 이름 허용의 대가가 아니다."""
    monkeypatch.syspath_prepend(str(fake_repo))
    for module in [m for m in sys.modules if m.startswith("98_Fake")]:
        monkeypatch.delitem(sys.modules, module)
    assert stubs_not_raising("98_Fake.exercises", "ex01_add") == ["plus", "add"]
    assert stubs_not_raising("98_Fake.exercises", "ex02_mul") == []


def test_one_line_joins_an_empty_exception_line_with_the_next_and_shortens():
    assert grade_module.one_line("AssertionError: \nexpected 3\nmore") == "AssertionError: expected 3"
    assert grade_module.one_line("x" * 300, limit=20) == "x" * 19 + "…"
    assert grade_module.one_line(None) == ""


def test_one_line_names_what_numpy_compared():
    """`np.testing.assert_allclose(..., err_msg="dW")`의 이름은 셋째 줄에 있다: 한 줄 채점표에 이름과 차이가 보인다."""
    message = ("AssertionError: \nNot equal to tolerance rtol=1e-06, atol=1e-12\ndW\nMismatched elements: 1 / 2 (50%)\n"
               "Mismatch at index:\n [1]: 2.0 (ACTUAL), 2.5 (DESIRED)\nMax absolute difference among violations: 0.5\n"
               " ACTUAL: array([1., 2.])\n DESIRED: array([1. , 2.5])")
    line = grade_module.one_line(message, limit=200)
    assert line.startswith("AssertionError: dW: Not equal to tolerance"), line
    assert "Mismatched elements: 1 / 2" in line and "0.5" in line, line
    unnamed = "AssertionError: \nNot equal to tolerance rtol=1e-06, atol=1e-12\n\nMismatched elements: 3 / 15"
    expected = "AssertionError: Not equal to tolerance rtol=1e-06; Mismatched elements: 3 / 15"
    assert grade_module.one_line(unnamed) == expected


# ---- 비교 도우미: 메시지의 첫 줄이 이름, 자리, 실제값, 기대값을 말한다 ----
def test_comparison_helpers_name_what_differs():
    first_line = r"^gradient 'W_hh': 1/4개 원소가 다릅니다 — index \(1, 0\)에서 실제 3, 기대 2\.5"
    with pytest.raises(AssertionError, match=first_line):
        assert_grads_close({"W_hh": np.array([[1.0, 2.0], [3.0, 4.0]])},
                           {"W_hh": np.array([[1.0, 2.0], [2.5, 4.0]])}, rtol=1e-6, atol=1e-12)
    with pytest.raises(AssertionError, match=r"빠진 것 \['b'\], 남는 것 \['c'\]"):
        assert_grads_close({"a": 1.0, "c": 0.0}, {"a": 1.0, "b": 2.0}, rtol=1e-6, atol=1e-12)
    with pytest.raises(AssertionError, match=r"^h: shape가 \(2, 3\), 기대한 shape는 \(3, 2\)"):
        assert_close(np.zeros((2, 3)), np.zeros((3, 2)), "h", rtol=1e-6, atol=1e-12)
    with pytest.raises(AssertionError, match=r"^x: index \(0,\)에서 실제 nan"):
        assert_close(np.array([np.nan]), np.array([1.0]), "x", rtol=1e-6, atol=1e-12)
    assert_close(np.array([np.inf, 1.0]), np.array([np.inf, 1.0 + 1e-9]), "same inf", rtol=1e-6, atol=1e-12)
    with pytest.raises(AssertionError, match=r"^keep: 2/4곳이 다릅니다 — 실제 1001 / 기대 1100 \(1 = True\)"):
        assert_same_mask(np.array([True, False, False, True]), np.array([True, True, False, False]), "keep")
    with pytest.raises(AssertionError, match=r"bool mask여야"):
        assert_same_mask(np.array([1, 0]), np.array([True, False]), "keep")
    with pytest.raises(AssertionError, match=r"^dc: 상대 오차 .* index \(1,\)에서 실제 2, 기대\(수치 미분/기준\) 2\.1"):
        assert_rel_error(np.array([1.0, 2.0]), np.array([1.0, 2.1]), "dc", 1e-7)
    with pytest.raises(AssertionError, match=r"^params: 실제 3, 기대 4$"):
        assert_equal(3, 4, "params")
    with pytest.raises(AssertionError, match=r"^ids: index \(2,\)에서 실제 5, 기대 4"):
        assert_equal(np.array([1, 2, 5]), np.array([1, 2, 4]), "ids")
    assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-9]), "ok", rtol=1e-6, atol=1e-12)
    assert_same_mask(np.array([True, False]), np.array([True, False]), "ok")


def test_grade_table_shows_the_helper_message(fake_repo):
    """한 줄 채점표가 도우미 메시지의 이름과 값을 그대로 보여 준다 (pytest가 아닌 `utils.grade` 화면에서도)."""
    ex = fake_repo / "98_Fake" / "exercises"
    write(ex / "test_ex01_add.py", TEST_ADD + '''

def test_named(ex):
    import numpy as np
    from utils.exercises import assert_close
    assert_close(np.array([ex.add(1, 2), ex.add(2, 2)]), np.array([3.0, 5.0]), "add 표", rtol=1e-6, atol=1e-12)
''')
    rows = {row.exercise: row for row in grade_module.grade(fake_repo)}
    assert (rows["ex01_add"].passed, rows["ex01_add"].total) == (2, 3)
    assert rows["ex01_add"].first_failure.startswith(
        "test_named: AssertionError: add 표: 1/2개 원소가 다릅니다 — index (1,)에서 실제 4, 기대 5"), rows["ex01_add"]


# ---- 모든 장의 연습문제 묶음: 하나의 테스트가 찾은 모든 연습문제에 ----
EXERCISES = discover_exercises(ROOT)


def test_every_chapter_with_exercises_has_at_least_three():
    chapters = {}
    for chapter, name in EXERCISES:
        chapters.setdefault(chapter, []).append(name)
    assert chapters, "연습문제를 하나도 찾지 못했습니다"
    thin = {chapter: names for chapter, names in chapters.items() if len(names) < 3}
    assert not thin, f"연습문제가 3개보다 적은 장: {thin}"


def test_discovery_reports_an_incomplete_exercise(fake_repo):
    ex = fake_repo / "98_Fake" / "exercises"
    write(ex / "test_ex03_orphan.py", "")
    assert ("98_Fake", "ex03_orphan") in discover_exercises(fake_repo)
    with pytest.raises(AssertionError, match=r"ex03_orphan: 없는 파일 \['stub .*', 'solution .*'\]"):
        assert_exercise_complete(ex, "ex03_orphan")


@pytest.mark.parametrize("chapter,name", EXERCISES, ids=[f"{c[:2]}-{n}" for c, n in EXERCISES])
def test_exercise_has_stub_solution_tests_page_and_readme_link(chapter, name):
    folder = ROOT / chapter / "exercises"
    assert_exercise_complete(folder, name)
    assert_task_page(folder, chapter, name)
    assert_readme_links(folder, name)


@pytest.mark.parametrize("chapter,name", EXERCISES, ids=[f"{c[:2]}-{n}" for c, n in EXERCISES])
def test_stub_and_solution_define_the_same_functions_and_classes(chapter, name):
    assert_stub_matches_solution(f"{chapter}.exercises", name)


@pytest.mark.parametrize("chapter,name", EXERCISES, ids=[f"{c[:2]}-{n}" for c, n in EXERCISES])
def test_every_stub_function_and_method_raises_not_implemented(chapter, name, request):
    if request.config.getoption("--learner", default=False):
        pytest.skip("--learner: 학습자가 stub을 채우는 중이므로 NotImplementedError 검사는 건너뛴다")
    assert stubs_not_raising(f"{chapter}.exercises", name) == [], f"{name}: NotImplementedError를 던지지 않는 stub"


@pytest.mark.parametrize("chapter,name", EXERCISES, ids=[f"{c[:2]}-{n}" for c, n in EXERCISES])
def test_stub_docstring_names_the_grading_command(chapter, name):
    assert_stub_names_the_command(f"{chapter}.exercises", chapter, name)
