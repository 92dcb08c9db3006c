"""저장소 전체 pytest 설정: 연습문제 테스트를 학습자 stub에 돌리는 스위치 `--learner`."""


def pytest_addoption(parser):
    parser.addoption(
        "--learner",
        action="store_true",
        default=False,
        help="연습문제 테스트를 reference solution 대신 학습자가 채우는 stub 파일에 실행한다",
    )
