"""stub과 reference solution이 서로 어긋나지 않는지 검사한다 (`--learner` 스위치와 무관하게 둘 다 import).

- 두 모듈의 공개 함수·클래스 이름, signature, docstring이 같다.
- 학습자에게 건네는 stub의 공개 함수는 모두 호출하면 NotImplementedError를 던진다.
- 연습문제마다 문제 설명 markdown이 있고, 정해진 절 제목과 두 모드의 pytest 명령이 있으며, README가 링크한다.
"""
from pathlib import Path

import pytest

from utils.exercises import assert_stub_matches_solution, assert_task_page, stubs_not_raising

CHAPTER = "12_CLIP"
EXERCISES = ("ex01_infonce_numpy", "ex02_siglip", "ex03_prompt_ensemble", "ex04_hard_negatives")
HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("name", EXERCISES)
def test_stub_and_solution_define_the_same_functions_and_classes(name):
    assert_stub_matches_solution(__package__, name)


@pytest.mark.parametrize("name", EXERCISES)
def test_every_stub_function_and_method_raises_not_implemented(name, request):
    if request.config.getoption("--learner", default=False):
        pytest.skip("--learner: 학습자가 stub을 채우는 중이므로 NotImplementedError 검사는 건너뛴다")
    assert stubs_not_raising(__package__, name) == [], f"{name}: NotImplementedError를 던지지 않는 stub"


@pytest.mark.parametrize("name", EXERCISES)
def test_every_exercise_has_a_task_page_with_both_commands(name):
    assert_task_page(HERE, CHAPTER, name)


def test_readme_links_every_task_page():
    text = (HERE / "README.md").read_text(encoding="utf-8")
    for name in EXERCISES:
        number, topic = name[2:4], name[5:]
        assert f"({number}_{topic}.md)" in text and f"({name}.py)" in text, name
