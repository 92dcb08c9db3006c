"""stub과 reference solution이 서로 어긋나지 않는지 검사한다 (`--learner` 스위치와 무관하게 둘 다 import).

- 두 모듈의 공개 함수 이름, signature(inspect.signature), docstring이 같다.
- 학습자에게 건네는 stub의 공개 함수는 모두 호출하면 NotImplementedError를 던진다.
  (`--learner`로 돌릴 때는 학습자가 이미 채웠을 것이므로 이 검사만 건너뛴다.)
- 연습문제마다 문제 설명 markdown이 있고, 그 안에 두 모드의 pytest 명령이 적혀 있다.
"""
import importlib
import inspect
from pathlib import Path

import pytest

EXERCISES = ("ex01_regularization", "ex02_feature_scaling", "ex03_softmax_gradient")
HERE = Path(__file__).resolve().parent


def public_functions(module) -> dict:
    """모듈이 직접 정의한(import해 온 것 제외) 이름이 _로 시작하지 않는 함수들."""
    return {name: obj for name, obj in vars(module).items()
            if inspect.isfunction(obj) and obj.__module__ == module.__name__ and not name.startswith("_")}


def load_pair(name: str):
    stub = importlib.import_module(f"{__package__}.{name}")
    solution = importlib.import_module(f"{__package__}.solutions.{name}")
    return stub, solution


@pytest.mark.parametrize("name", EXERCISES)
def test_stub_and_solution_define_the_same_functions(name):
    stub, solution = load_pair(name)
    stub_functions, solution_functions = public_functions(stub), public_functions(solution)
    assert stub_functions, f"{name}: stub에 공개 함수가 없습니다"
    assert sorted(stub_functions) == sorted(solution_functions)
    for fn_name, stub_fn in stub_functions.items():
        solution_fn = solution_functions[fn_name]
        assert inspect.signature(stub_fn) == inspect.signature(solution_fn), fn_name
        assert inspect.getdoc(stub_fn) and inspect.getdoc(stub_fn) == inspect.getdoc(solution_fn), fn_name


@pytest.mark.parametrize("name", EXERCISES)
def test_every_stub_function_raises_not_implemented(name, request):
    if request.config.getoption("--learner", default=False):
        pytest.skip("--learner: 학습자가 stub을 채우는 중이므로 NotImplementedError 검사는 건너뛴다")
    stub, _ = load_pair(name)
    for fn_name, fn in public_functions(stub).items():
        required = [p for p in inspect.signature(fn).parameters.values() if p.default is inspect.Parameter.empty]
        try:
            fn(*[None] * len(required))                     # 본문이 곧바로 raise하므로 인자 값은 쓰이지 않는다
        except NotImplementedError:
            continue
        pytest.fail(f"{name}.{fn_name}: stub이 NotImplementedError를 던지지 않습니다")


@pytest.mark.parametrize("name", EXERCISES)
def test_every_exercise_has_a_task_page_with_both_commands(name):
    number, topic = name[2:4], name[5:]
    page = HERE / f"{number}_{topic}.md"
    assert page.exists(), page
    text = page.read_text(encoding="utf-8")
    command = f"pytest 01_Linear_Logistic/exercises/test_{name}.py"
    lines = [line for line in text.splitlines() if command in line]
    assert any("--learner" in line for line in lines), f"{name}: --learner 명령이 없습니다"
    assert any("--learner" not in line for line in lines), f"{name}: solution 명령이 없습니다"
    for heading in ("목표", "배경 수식", "할 일", "힌트", "검증 방법", "생각해 볼 질문"):
        assert f"## {heading}" in text, (name, heading)
