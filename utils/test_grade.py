"""채점표(`utils/grade.py`)와 `--learner` 규칙 검사: 가짜 장 하나에서 한 문제는 풀고 한 문제는 안 푼 상태로.

가짜 장은 저장소의 `conftest.py`·`pytest.ini`를 복사한 tmp 폴더에 만든다. 연습문제 테스트는 실제 장과 같은
모양이다 (`utils.exercises.load_exercise`로 stub 또는 solution을 고른다).
"""
import shutil
import subprocess
import sys
import textwrap

import pytest

from . import grade as grade_module
from .exercises import assert_stub_matches_solution, stubs_not_raising

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
    message = "AssertionError: \nNot equal to tolerance rtol=1e-06, atol=1e-12\n\nMismatched elements: 3 / 15"
    assert grade_module.one_line(message) == "AssertionError: Not equal to tolerance rtol=1e-06, atol=1e-12"
    assert grade_module.one_line("x" * 300, limit=20) == "x" * 19 + "…"
    assert grade_module.one_line(None) == ""
