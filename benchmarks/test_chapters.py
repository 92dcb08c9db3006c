"""장마다 있는 `benchmark_*.py`는 모두 `benchmarks.chapters`에 있고, 모두 `utils.benchmark.benchmark_main` 하나로 돈다.

재는 일은 하지 않는다: 장 module의 `benchmark_main`을 진짜 `benchmark_main`에 가짜 measure를 넘기는 것으로 바꿔,
장의 `--quick` 명령줄이 공통 parser에서 해석되는지와 장의 `main`이 그 길로 가는지만 본다 (각 장의 `--quick`
측정 자체는 장의 test_benchmark_*.py와 test_run.py가 돌린다).
"""
import importlib
from pathlib import Path

from utils import benchmark

from .chapters import CHAPTERS, run_chapter

ROOT = Path(__file__).resolve().parent.parent


def test_every_benchmark_file_is_a_listed_chapter():
    found = {f"{p.parent.name}.{p.stem}" for p in ROOT.glob("[0-9][0-9]_*/benchmark_*.py")}
    assert found == {chapter.module for chapter in CHAPTERS.values()}


def test_every_chapter_main_goes_through_benchmark_main(monkeypatch, capsys):
    for key, chapter in CHAPTERS.items():
        module = importlib.import_module(chapter.module)
        assert "argparse" not in vars(module), f"{chapter.module}: 명령줄은 benchmark_main이 만든다"
        calls = []

        def spy(measure, description, argv=None, calls=calls, **kwargs):
            calls.append(measure)
            kwargs["summary"] = None                                  # 가짜 결과에는 장의 key가 없다
            return benchmark.benchmark_main(lambda parsed: {"rows": [], "args": vars(parsed)}, description, argv,
                                            **kwargs)

        monkeypatch.setattr(module, "benchmark_main", spy)
        ran = run_chapter(key, quick=True, threads=1)
        assert len(calls) == 1 and calls[0].__module__ == chapter.module, chapter.module   # 장이 정한 measure
        args = ran["raw"]["args"]
        assert args["repeats"] >= 1 and ran["raw"]["environment"]["threads"] == 1, chapter.module
        assert args.get("threads", 1) == 1 and ("threads" in args) == chapter.threads_flag, chapter.module
    assert capsys.readouterr().out.count("판정: ") == len(CHAPTERS)
