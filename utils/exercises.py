"""연습문제 테스트가 검사할 모듈을 고른다: 기본은 reference solution, `--learner`면 학습자 stub.

각 장의 `exercises/` 폴더 구조:
    exercises/01_regularization.md        문제 설명
    exercises/ex01_regularization.py      학습자가 채우는 stub (NotImplementedError)
    exercises/solutions/ex01_regularization.py   reference solution
    exercises/test_exercises.py           두 파일 모두에 같은 테스트

    pytest 01_Linear_Logistic/exercises             # solution 검사 (CI)
    pytest 01_Linear_Logistic/exercises --learner   # 내 stub 검사
    python -m utils.grade                           # 모든 장의 내 stub을 채점해 표 하나로 (utils/grade.py)

stub 파일에 자신의 보조 함수를 더해도 된다: 채점은 과제가 요구한 이름(solution의 공개 이름)만 본다.
"""
import importlib
import inspect
from pathlib import Path


def load_exercise(request, package: str, name: str):
    """`package`(테스트 파일의 `__package__`) 안의 연습문제 `name`을 import해 돌려준다.

    `--learner` 옵션이 있으면 stub, 없으면 `solutions/` 쪽.
    """
    learner = request.config.getoption("--learner", default=False)
    module = f"{package}.{name}" if learner else f"{package}.solutions.{name}"
    return importlib.import_module(module)


# ---------------------------------------------------------------------------
# stub과 solution이 어긋나지 않는지 — 각 장의 exercises/test_exercises.py가 부른다
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
