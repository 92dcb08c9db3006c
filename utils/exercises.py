"""연습문제 테스트가 검사할 모듈을 고른다: 기본은 reference solution, `--learner`면 학습자 stub.

각 장의 `exercises/` 폴더 구조:
    exercises/01_regularization.md        문제 설명
    exercises/ex01_regularization.py      학습자가 채우는 stub (NotImplementedError)
    exercises/solutions/ex01_regularization.py   reference solution
    exercises/test_exercises.py           두 파일 모두에 같은 테스트

    pytest 01_Linear_Logistic/exercises             # solution 검사 (CI)
    pytest 01_Linear_Logistic/exercises --learner   # 내 stub 검사
"""
import importlib


def load_exercise(request, package: str, name: str):
    """`package`(테스트 파일의 `__package__`) 안의 연습문제 `name`을 import해 돌려준다.

    `--learner` 옵션이 있으면 stub, 없으면 `solutions/` 쪽.
    """
    learner = request.config.getoption("--learner", default=False)
    module = f"{package}.{name}" if learner else f"{package}.solutions.{name}"
    return importlib.import_module(module)
