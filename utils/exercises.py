"""연습문제 도구: 채점할 모듈 고르기(`--learner`), 무엇이 틀렸는지 이름으로 말하는 비교, 연습문제 묶음 검사.

각 장의 `exercises/` 폴더 구조:
    exercises/01_regularization.md        문제 설명
    exercises/ex01_regularization.py      학습자가 채우는 stub (NotImplementedError)
    exercises/solutions/ex01_regularization.py   reference solution
    exercises/test_ex01_regularization.py 두 파일 모두에 같은 테스트

    python -m pytest 01_Linear_Logistic/exercises             # solution 검사 (CI)
    python -m pytest 01_Linear_Logistic/exercises --learner   # 내 stub 검사
    make grade CHAPTERS=01                                    # 내 stub을 채점해 표 하나로 (utils/grade.py)

비교 도우미(`assert_close`, `assert_rel_error`, `assert_same_mask`, `assert_all_true`, `assert_grads_close`,
`assert_equal`)는 실패
메시지의 첫 줄에 비교한 것의 이름과 실제값·기대값을 쓴다. `utils.grade`의 한 줄 채점표가 그 첫 줄을 보여 준다.

stub과 solution이 어긋나지 않는지, 문제 설명이 있는지는 모든 장을 한 번에 찾아 검사한다
(`discover_exercises` → `utils/test_grade.py`). stub 파일에 자신의 보조 함수를 더해도 된다: 채점은 과제가
요구한 이름(solution의 공개 이름)만 본다.
"""
import importlib
import inspect
import re
from pathlib import Path

import numpy as np


def load_exercise(request, package: str, name: str):
    """`package`(테스트 파일의 `__package__`) 안의 연습문제 `name`을 import해 돌려준다.

    `--learner` 옵션이 있으면 stub, 없으면 `solutions/` 쪽.
    """
    learner = request.config.getoption("--learner", default=False)
    module = f"{package}.{name}" if learner else f"{package}.solutions.{name}"
    return importlib.import_module(module)


# ---------------------------------------------------------------------------
# 비교: 실패 메시지의 첫 줄이 무엇이 어떻게 틀렸는지 말한다 (채점표 `utils.grade`는 첫 줄만 보여 준다)
# ---------------------------------------------------------------------------
def _array(value) -> np.ndarray:
    """torch tensor(autograd 포함)나 배열·숫자를 NumPy 배열로. torch는 import하지 않는다."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _index(flat: int, shape: tuple) -> str:
    return str(tuple(int(i) for i in np.unravel_index(flat, shape))) if shape else "()"


def _number(value) -> str:
    return f"{value:.6g}" if isinstance(value, (float, np.floating)) else str(value)


def _check_shape(a: np.ndarray, e: np.ndarray, name: str) -> None:
    """shape가 같아야 한다. 기대값이 스칼라(shape ())면 실제값의 모든 원소와 비교하므로 통과시킨다."""
    if a.shape != e.shape and e.shape != ():
        raise AssertionError(f"{name}: shape가 {a.shape}, 기대한 shape는 {e.shape}")


def assert_close(actual, expected, name: str, *, rtol: float, atol: float) -> None:
    """|actual − expected| ≤ atol + rtol·|expected| (원소별). 실패하면 이름, 틀린 원소 수, 가장 크게 틀린 자리의
    실제값·기대값을 한 줄로 말한다. NaN/inf는 기대값과 같은 자리에 같은 값일 때만 통과한다."""
    a, e = _array(actual).astype(np.float64), _array(expected).astype(np.float64)
    _check_shape(a, e, name)
    e = np.broadcast_to(e, a.shape)
    if a.size == 0:
        return
    nonfinite = ~np.isfinite(a) | ~np.isfinite(e)
    same_nonfinite = nonfinite & ((a == e) | (np.isnan(a) & np.isnan(e)))
    if (nonfinite & ~same_nonfinite).any():
        flat = int(np.flatnonzero((nonfinite & ~same_nonfinite).ravel())[0])
        raise AssertionError(f"{name}: index {_index(flat, a.shape)}에서 실제 {a.ravel()[flat]}, "
                             f"기대 {e.ravel()[flat]} (NaN/inf)")
    with np.errstate(invalid="ignore"):
        excess = np.where(nonfinite, -np.inf, np.abs(a - e) - (atol + rtol * np.abs(e)))
    bad = excess > 0
    if bad.any():
        flat = int(np.argmax(excess.ravel()))
        raise AssertionError(
            f"{name}: {int(bad.sum())}/{a.size}개 원소가 다릅니다 — index {_index(flat, a.shape)}에서 "
            f"실제 {a.ravel()[flat]:.6g}, 기대 {e.ravel()[flat]:.6g} (허용 rtol={rtol:g}, atol={atol:g})")


def assert_rel_error(actual, expected, name: str, tol: float) -> None:
    """`utils.gradcheck.rel_error`와 같은 판정 (max |a−e| / max(1e-8, |a|+|e|) < tol). 실패하면 이름, 오차, 자리."""
    a, e = _array(actual).astype(np.float64), _array(expected).astype(np.float64)
    _check_shape(a, e, name)
    e = np.broadcast_to(e, a.shape)
    if a.size == 0:
        return
    ratio = np.abs(a - e) / np.maximum(1e-8, np.abs(a) + np.abs(e))
    if not np.isfinite(ratio).all() or ratio.max() >= tol:
        flat = int(np.argmax(np.where(np.isfinite(ratio), ratio, np.inf).ravel()))
        raise AssertionError(
            f"{name}: 상대 오차 {ratio.ravel()[flat]:.2e} ≥ {tol:.0e} — index {_index(flat, a.shape)}에서 "
            f"실제 {a.ravel()[flat]:.6g}, 기대(수치 미분/기준) {e.ravel()[flat]:.6g}")


def _bits(mask: np.ndarray, limit: int = 64) -> str:
    text = np.array2string(mask.astype(np.int8), separator="", max_line_width=10_000, threshold=limit)
    return " ".join(text.replace("[", "").replace("]", " ").split())


def assert_same_mask(actual, expected, name: str) -> None:
    """두 boolean mask가 같다. 실패하면 다른 자리 수와 (작으면 전체를, 크면 처음 다른 자리들을) 1/0으로 보여 준다."""
    a, e = _array(actual), _array(expected)
    _check_shape(a, e, name)
    if a.dtype != np.bool_:
        raise AssertionError(f"{name}: bool mask여야 합니다 (받은 dtype {a.dtype})")
    differ = a != e.astype(bool)
    if differ.any():
        where = [_index(int(f), a.shape) for f in np.flatnonzero(differ.ravel())[:4]]
        shown = (f"실제 {_bits(a)} / 기대 {_bits(e.astype(bool))}" if a.size <= 64
                 else f"처음 다른 자리 {', '.join(where)}")
        raise AssertionError(f"{name}: {int(differ.sum())}/{a.size}곳이 다릅니다 — {shown} (1 = True)")


def assert_all_true(mask, name: str) -> None:
    """조건 배열이 모두 True. 실패하면 False인 자리 수와 (작으면 전체를) 1/0으로 보여 준다."""
    m = _array(mask).astype(bool)
    if not m.all():
        where = [_index(int(f), m.shape) for f in np.flatnonzero(~m.ravel())[:4]]
        shown = f"실제 {_bits(m)}" if m.size <= 64 else f"처음 False인 자리 {', '.join(where)}"
        raise AssertionError(f"{name}: {int((~m).sum())}/{m.size}곳이 False — {shown} (1 = True)")


def assert_equal(actual, expected, name: str) -> None:
    """정확히 같아야 하는 값(정수, 문자열, tuple, 정수 배열). 실패하면 이름과 실제값·기대값."""
    if isinstance(expected, np.ndarray) or hasattr(expected, "detach"):
        a, e = _array(actual), _array(expected)
        _check_shape(a, e, name)
        e = np.broadcast_to(e, a.shape)
        if not np.array_equal(a, e):
            flat = int(np.flatnonzero((a != e).ravel())[0])
            raise AssertionError(f"{name}: index {_index(flat, a.shape)}에서 실제 {_number(a.ravel()[flat])}, "
                                 f"기대 {_number(e.ravel()[flat])}")
        return
    if actual != expected:
        raise AssertionError(f"{name}: 실제 {_number(actual)}, 기대 {_number(expected)}")


def assert_grads_close(actual: dict, expected: dict, *, rtol: float, atol: float, what: str = "gradient") -> None:
    """key마다 `assert_close`. key가 다르면 빠진 것과 남는 것을 말한다. 메시지는 "gradient 'W_hh': …"."""
    missing, extra = sorted(set(expected) - set(actual)), sorted(set(actual) - set(expected))
    if missing or extra:
        raise AssertionError(f"{what} dict의 key가 다릅니다: 빠진 것 {missing}, 남는 것 {extra}")
    for key in expected:
        assert_close(actual[key], expected[key], f"{what} {key!r}", rtol=rtol, atol=atol)


# ---------------------------------------------------------------------------
# stub과 solution이 어긋나지 않는지 — utils/test_grade.py가 모든 장에 대해 부른다
# ---------------------------------------------------------------------------
TASK_PAGE_HEADINGS = ("목표", "배경 수식", "할 일", "힌트", "검증 방법", "생각해 볼 질문")


def load_pair(package: str, name: str):
    """(stub 모듈, solution 모듈)을 `--learner`와 상관없이 둘 다 import한다."""
    return (importlib.import_module(f"{package}.{name}"),
            importlib.import_module(f"{package}.solutions.{name}"))


def public_members(module) -> dict:
    """모듈이 직접 정의한(import해 온 것 제외), 이름이 _로 시작하지 않는 함수와 클래스."""
    return {name: obj for name, obj in vars(module).items()
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__
            and not name.startswith("_")}


def _methods(cls) -> dict:
    """클래스 본문에 정의된 `__init__`과 _로 시작하지 않는 메서드."""
    return {name: obj for name, obj in vars(cls).items()
            if inspect.isfunction(obj) and (name == "__init__" or not name.startswith("_"))}


def _assert_same_callable(stub_obj, solution_obj, label: str) -> None:
    assert inspect.signature(stub_obj) == inspect.signature(solution_obj), f"{label}: signature가 다릅니다"
    assert inspect.getdoc(stub_obj) and inspect.getdoc(stub_obj) == inspect.getdoc(solution_obj), \
        f"{label}: docstring이 없거나 다릅니다"


def assert_stub_matches_solution(package: str, name: str) -> None:
    """과제가 요구한 공개 함수·클래스(solution에 있는 것)가 stub에 같은 signature, docstring으로 있다.

    클래스는 `__init__`과 공개 메서드까지 본다. stub에만 있는 이름(학습자가 더한 보조 함수·메서드)은
    허용한다: 채점은 과제가 요구한 이름만 본다. 유지보수 쪽 실수(주어지지 않은 함수가 stub에 남은 것)는
    `stubs_not_raising`이 잡는다 — 학습자에게 건네는 stub의 공개 함수는 모두 NotImplementedError를 던져야 한다.
    """
    stub, solution = load_pair(package, name)
    stub_members, solution_members = public_members(stub), public_members(solution)
    assert solution_members, f"{name}: solution에 공개 함수·클래스가 없습니다"
    missing = sorted(set(solution_members) - set(stub_members))
    assert not missing, f"{name}: 과제가 요구한 이름이 stub에 없습니다 (이름을 바꾸거나 지우지 마세요): {missing}"
    for member, solution_obj in solution_members.items():
        stub_obj = stub_members[member]
        assert inspect.isclass(stub_obj) == inspect.isclass(solution_obj), member
        if not inspect.isclass(stub_obj):
            _assert_same_callable(stub_obj, solution_obj, f"{name}.{member}")
            continue
        assert inspect.getdoc(stub_obj) and inspect.getdoc(stub_obj) == inspect.getdoc(solution_obj), member
        stub_methods, solution_methods = _methods(stub_obj), _methods(solution_obj)
        missing = sorted(set(solution_methods) - set(stub_methods))
        assert not missing, f"{name}.{member}: 과제가 요구한 메서드가 stub에 없습니다: {missing}"
        for method, solution_method in solution_methods.items():
            _assert_same_callable(stub_methods[method], solution_method, f"{name}.{member}.{method}")


def _call_with_nones(fn):
    """필수 인자 자리에 None을 넣어 부른다. stub 본문은 곧바로 raise하므로 인자 값은 쓰이지 않는다."""
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    required = [p for p in inspect.signature(fn).parameters.values()
                if p.default is inspect.Parameter.empty and p.kind not in variadic]
    return fn(*[None] * len(required))


def stubs_not_raising(package: str, name: str) -> list[str]:
    """stub의 공개 함수와 클래스 메서드(`__init__` 포함) 중 NotImplementedError를 던지지 않는 것들의 이름."""
    stub, _ = load_pair(package, name)
    offenders = []
    for member, obj in public_members(stub).items():
        if inspect.isclass(obj):
            instance = object.__new__(obj)                       # __init__을 거치지 않은 빈 객체
            targets = {f"{member}.{m}": getattr(instance, m) for m in _methods(obj)}
        else:
            targets = {member: obj}
        for label, fn in targets.items():
            try:
                _call_with_nones(fn)
            except NotImplementedError:
                continue
            except Exception:                                   # 다른 예외도 "구현이 남아 있다"는 뜻
                pass
            offenders.append(label)
    return offenders


def assert_task_page(folder, chapter: str, name: str) -> None:
    """`exNN_topic`마다 `NN_topic.md`가 있고, 정해진 절 제목과 두 모드(solution, --learner)의 pytest 명령이 있다."""
    number, topic = name[2:4], name[5:]
    page = Path(folder) / f"{number}_{topic}.md"
    assert page.exists(), f"문제 설명이 없습니다: {page}"
    text = page.read_text(encoding="utf-8")
    command = f"pytest {chapter}/exercises/test_{name}.py"
    lines = [line for line in text.splitlines() if command in line]
    assert any("--learner" in line for line in lines), f"{page.name}: `{command} --learner` 명령이 없습니다"
    assert any("--learner" not in line for line in lines), f"{page.name}: `{command}` 명령이 없습니다"
    for heading in TASK_PAGE_HEADINGS:
        assert f"## {heading}" in text, f"{page.name}: '## {heading}' 절이 없습니다"


# ---------------------------------------------------------------------------
# 모든 장의 연습문제 묶음 찾기 (utils/test_grade.py가 하나의 테스트로 모든 장을 검사한다)
# ---------------------------------------------------------------------------
EXERCISE_FILE = re.compile(r"^(ex\d\d_\w+)\.py$")
TEST_EXERCISE_FILE = re.compile(r"^test_(ex\d\d_\w+)\.py$")


def discover_exercises(root) -> list[tuple[str, str]]:
    """`root` 아래 `NN_이름/exercises/`의 (장 폴더 이름, 연습문제 이름) 목록.

    stub(`exNN_*.py`), solution(`solutions/exNN_*.py`), 채점(`test_exNN_*.py`) 중 **어느 하나라도** 있는 이름을 모두
    모은다: 셋 중 하나만 남은 연습문제도 목록에 올라 `assert_exercise_complete`가 빠진 것을 이름으로 말한다.
    """
    found = []
    for chapter in sorted(p for p in Path(root).iterdir() if p.is_dir() and re.match(r"^\d\d_", p.name)):
        folder = chapter / "exercises"
        if not folder.is_dir():
            continue
        names = set()
        for directory, pattern in ((folder, EXERCISE_FILE), (folder / "solutions", EXERCISE_FILE),
                                   (folder, TEST_EXERCISE_FILE)):
            if directory.is_dir():
                names |= {m.group(1) for m in map(pattern.match, (f.name for f in directory.iterdir())) if m}
        found += [(chapter.name, name) for name in sorted(names)]
    return found


def assert_exercise_complete(folder, name: str) -> None:
    """연습문제 하나에 stub, solution, 채점 파일이 모두 있다."""
    folder = Path(folder)
    parts = {"stub": folder / f"{name}.py", "solution": folder / "solutions" / f"{name}.py",
             "채점": folder / f"test_{name}.py"}
    missing = [f"{label} ({path.relative_to(folder.parent.parent)})" for label, path in parts.items()
               if not path.exists()]
    assert not missing, f"{name}: 없는 파일 {missing}"


def assert_stub_names_the_command(package: str, chapter: str, name: str) -> None:
    """stub의 module docstring이 채점 명령(`--learner`를 붙인 pytest와 `make grade CHAPTERS=NN`)을 말한다.

    파일 이름(예: 예전의 `test_exercises.py`)을 가리키지 않고 학습자가 그대로 칠 명령을 준다.
    """
    stub = importlib.import_module(f"{package}.{name}")
    doc = inspect.getdoc(stub) or ""
    number = chapter.split("_")[0]
    assert f"{chapter}/exercises" in doc and "--learner" in doc, \
        f"{name}: stub docstring에 `python -m pytest {chapter}/exercises --learner` 명령이 없습니다"
    assert f"make grade CHAPTERS={number}" in doc, f"{name}: stub docstring에 `make grade CHAPTERS={number}`가 없습니다"
    assert "test_exercises.py" not in doc, f"{name}: stub docstring이 없는 파일 test_exercises.py를 가리킵니다"


def assert_readme_links(folder, name: str) -> None:
    """장의 `exercises/README.md`가 문제 설명과 stub을 링크한다."""
    text = (Path(folder) / "README.md").read_text(encoding="utf-8")
    number, topic = name[2:4], name[5:]
    for target in (f"{number}_{topic}.md", f"{name}.py"):
        assert f"({target})" in text, f"exercises/README.md가 {target}을 링크하지 않습니다"
