"""저장소 전체 pytest 설정.

- `--learner`: 연습문제 테스트를 reference solution 대신 학습자 stub에 실행하는 스위치 (utils/exercises.py).
- 모든 테스트를 torch·NumPy BLAS thread 1개로 돌린다. 테스트는 작은 tensor 연산(gradcheck, parity 격자)을
  아주 많이 부르는데, 2-core 기계를 다른 작업과 나눠 쓰면 thread 2개가 서로를 기다리느라 10배 넘게 느려졌다.
  값에는 영향이 없다: 허용 오차(docs/01_Implementation_Philosophy.md)는 합의 순서가 달라도 성립한다.
"""
import pytest

from utils.core import limit_threads


def pytest_addoption(parser):
    parser.addoption(
        "--learner",
        action="store_true",
        default=False,
        help="연습문제 테스트를 reference solution 대신 학습자가 채우는 stub 파일에 실행한다",
    )


@pytest.fixture(autouse=True)
def _single_thread():
    import torch  # noqa: F401 — limit_threads가 torch의 thread 수도 맞추도록 먼저 import한다

    with limit_threads(1):
        yield
