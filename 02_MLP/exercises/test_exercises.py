"""stub과 reference solution이 서로 어긋나지 않는지 검사한다 (`--learner` 스위치와 무관하게 둘 다 import).

- 두 모듈의 공개 함수·클래스 이름, signature(inspect.signature), docstring이 같다.
  클래스는 `__init__`과 공개 메서드까지 하나하나 같은지 본다.
- 학습자에게 건네는 stub의 공개 함수와 클래스의 메서드(`__init__` 포함)는 모두 호출하면 NotImplementedError를
  던진다. (`--learner`로 돌릴 때는 학습자가 이미 채웠을 것이므로 이 검사만 건너뛴다.)
- 연습문제마다 문제 설명 markdown이 있고, 그 안에 두 모드의 pytest 명령과 정해진 절 제목이 있다.
"""
import importlib
import inspect
from pathlib import Path

import pytest

EXERCISES = ("ex01_batchnorm", "ex02_momentum", "ex03_vanishing_gradients")
CHAPTER = "02_MLP"
HERE = Path(__file__).resolve().parent


def public_members(module) -> dict:
    """모듈이 직접 정의한(import해 온 것 제외) 이름이 _로 시작하지 않는 함수와 클래스."""
    return {name: obj for name, obj in vars(module).items()
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__
            and not name.startswith("_")}


def methods(cls) -> dict:
    """클래스 본문에 정의된 `__init__`과 _로 시작하지 않는 메서드."""
    return {name: obj for name, obj in vars(cls).items()
            if inspect.isfunction(obj) and (name == "__init__" or not name.startswith("_"))}


def load_pair(name: str):
    stub = importlib.import_module(f"{__package__}.{name}")
    solution = importlib.import_module(f"{__package__}.solutions.{name}")
    return stub, solution


def assert_same_callable(stub_obj, solution_obj, label: str) -> None:
    assert inspect.signature(stub_obj) == inspect.signature(solution_obj), label
    assert inspect.getdoc(stub_obj) and inspect.getdoc(stub_obj) == inspect.getdoc(solution_obj), label


def call_with_nones(fn):
    """필수 인자 자리에 None을 넣어 부른다. stub 본문은 곧바로 raise하므로 인자 값은 쓰이지 않는다."""
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    required = [p for p in inspect.signature(fn).parameters.values()
                if p.default is inspect.Parameter.empty and p.kind not in variadic]
    return fn(*[None] * len(required))


@pytest.mark.parametrize("name", EXERCISES)
def test_stub_and_solution_define_the_same_functions_and_classes(name):
    stub, solution = load_pair(name)
    stub_members, solution_members = public_members(stub), public_members(solution)
    assert stub_members, f"{name}: stub에 공개 함수·클래스가 없습니다"
    assert sorted(stub_members) == sorted(solution_members)
    for member_name, stub_obj in stub_members.items():
        solution_obj = solution_members[member_name]
        assert inspect.isclass(stub_obj) == inspect.isclass(solution_obj), member_name
        if not inspect.isclass(stub_obj):
            assert_same_callable(stub_obj, solution_obj, member_name)
            continue
        assert inspect.getdoc(stub_obj) and inspect.getdoc(stub_obj) == inspect.getdoc(solution_obj), member_name
        stub_methods, solution_methods = methods(stub_obj), methods(solution_obj)
        assert sorted(stub_methods) == sorted(solution_methods), member_name
        for method_name, stub_method in stub_methods.items():
            assert_same_callable(stub_method, solution_methods[method_name], f"{member_name}.{method_name}")


@pytest.mark.parametrize("name", EXERCISES)
def test_every_stub_function_and_method_raises_not_implemented(name, request):
    if request.config.getoption("--learner", default=False):
        pytest.skip("--learner: 학습자가 stub을 채우는 중이므로 NotImplementedError 검사는 건너뛴다")
    stub, _ = load_pair(name)
    for member_name, obj in public_members(stub).items():
        if inspect.isclass(obj):
            instance = object.__new__(obj)                   # __init__을 거치지 않은 빈 객체
            targets = {f"{member_name}.{m}": getattr(instance, m) for m in methods(obj)}
        else:
            targets = {member_name: obj}
        for label, fn in targets.items():
            try:
                call_with_nones(fn)
            except NotImplementedError:
                continue
            pytest.fail(f"{name}.{label}: stub이 NotImplementedError를 던지지 않습니다")


@pytest.mark.parametrize("name", EXERCISES)
def test_every_exercise_has_a_task_page_with_both_commands(name):
    number, topic = name[2:4], name[5:]
    page = HERE / f"{number}_{topic}.md"
    assert page.exists(), page
    text = page.read_text(encoding="utf-8")
    command = f"pytest {CHAPTER}/exercises/test_{name}.py"
    lines = [line for line in text.splitlines() if command in line]
    assert any("--learner" in line for line in lines), f"{name}: --learner 명령이 없습니다"
    assert any("--learner" not in line for line in lines), f"{name}: solution 명령이 없습니다"
    for heading in ("목표", "배경 수식", "할 일", "힌트", "검증 방법", "생각해 볼 질문"):
        assert f"## {heading}" in text, (name, heading)


def test_readme_links_every_task_page():
    text = (HERE / "README.md").read_text(encoding="utf-8")
    for name in EXERCISES:
        number, topic = name[2:4], name[5:]
        assert f"({number}_{topic}.md)" in text, name
        assert f"({name}.py)" in text, name
