"""LeNet-5 modern 판의 실행 진입점 — `lenet_paper.main`을 `--variant modern`으로 부른다.

모델과 학습 코드는 모두 `lenet_paper.py`에 있다 (`LeNet5Modern`, docstring에 faithful과 다른 점 목록).
이 파일이 따로 있는 이유는 하나: `python -m utils.run 03_CNN_LeNet`이 `*_paper.py`마다 `main`을 한 번씩
부르므로, faithful(lenet_paper.py)과 modern(이 파일)이 결과 표에 각각 한 줄씩 나오게 하려는 것이다.

실행:  python -m 03_CNN_LeNet.paper.lenet_modern_paper [--data digits|mnist] [--quick]
      (= python -m 03_CNN_LeNet.paper.lenet_paper --variant modern ...)
"""
from __future__ import annotations

import sys

from utils.cli import cli

from .lenet_paper import main as paper_main

RUNS = ("digits",)                     # --data mnist는 요청할 때만 (lenet_paper.py와 같다)


def main(argv=None) -> dict:
    argv = list(sys.argv[1:] if argv is None else argv)
    return paper_main(["--variant", "modern", *argv])


if __name__ == "__main__":
    cli(main)
