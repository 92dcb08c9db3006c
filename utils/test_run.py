"""utils.run 검증: 레벨 스크립트 찾기, RUNS 확장, 표와 report.md, 실패한 스크립트 처리."""
import sys
import textwrap

import pytest

from . import run


def test_finds_chapter_01_scripts_with_their_runs():
    jobs = run.find_scripts("01_Linear_Logistic")
    modules = {module for module, _, _ in jobs}
    assert modules == {f"01_Linear_Logistic.{level}.{name}_{suffix}"
                       for level, suffix in (("numpy", "numpy"), ("pytorch_lowlevel", "lowlevel"), ("paper", "paper"))
                       for name in ("linear", "logistic")}
    numpy_linear = [data for module, _, data in jobs if module.endswith("numpy.linear_numpy")]
    assert numpy_linear == ["diabetes", "synthetic"]
    assert not any(module.startswith("01_Linear_Logistic.numpy.test_") for module in modules)


def test_resolve_chapters_accepts_number_and_lists_choices():
    assert run.resolve_chapters(["01"]) == ["01_Linear_Logistic"]
    assert run.resolve_chapters(["01_Linear_Logistic/"]) == ["01_Linear_Logistic"]
    with pytest.raises(ValueError, match="01_Linear_Logistic"):
        run.resolve_chapters(["99"])


def make_fake_chapter(root, body):
    # 다른 테스트(utils/test_grade.py)가 같은 이름의 가짜 장을 import했을 수 있다: 남은 module을 지운다
    for name in [m for m in sys.modules if m.split(".")[0] == "98_Fake"]:
        del sys.modules[name]
    level = root / "98_Fake" / "numpy"
    level.mkdir(parents=True)
    (root / "98_Fake" / "__init__.py").write_text("", encoding="utf-8")
    (level / "__init__.py").write_text("", encoding="utf-8")
    (level / "fake_numpy.py").write_text(textwrap.dedent(body), encoding="utf-8")
    (level / "helper_numpy.py").write_text("X = 1\n", encoding="utf-8")          # main이 없으면 건너뛴다


def test_runs_scripts_writes_report_and_reports_failures(tmp_path, monkeypatch, capsys):
    make_fake_chapter(tmp_path, """
        RUNS = ("good", "bad")

        def main(argv=None):
            data = argv[argv.index("--data") + 1]
            if data == "bad":
                raise RuntimeError("일부러 실패")
            out = argv[argv.index("--out") + 1]
            assert argv[argv.index("--threads") + 1] == "1"          # --threads를 스크립트에 넘긴다
            return {"model": "Fake", "level": "numpy", "data": data, "metric": "acc", "value": 0.5,
                    "seconds": 0.01, "plots": [out + "/curve.png"]}
    """)
    monkeypatch.setattr(run, "ROOT", tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert run.find_chapters() == ["98_Fake"]
    code = run.main(["--all", "--quick", "--threads", "1", "--out", str(tmp_path / "out")])
    assert code == 1                                              # 하나가 실패했다
    captured = capsys.readouterr()
    assert "| 98_Fake | numpy | fake_numpy | good | acc | 0.5000 |" in captured.out
    assert "일부러 실패" in captured.err
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "fake_numpy" in report and "(98_Fake/numpy/fake_numpy/good/curve.png)" in report


def test_quick_run_of_chapter_01_numpy_level(tmp_path, capsys):
    assert run.main(["01", "--level", "numpy", "--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for data in ("diabetes", "synthetic", "breast_cancer", "digits"):
        assert f"| {data} |" in out
    assert (tmp_path / "01_Linear_Logistic" / "numpy" / "logistic_numpy" / "digits" / "result.json").exists()
    assert (tmp_path / "report.md").exists()


def test_unknown_chapter_is_an_argparse_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        run.main(["77"])
    assert exit_info.value.code == 2 and "01_Linear_Logistic" in capsys.readouterr().err


def test_every_level_script_reports_the_level_folder_it_lives_in():
    """report.md의 level 칸(결과 dict의 `"level"`)은 네 레벨 이름 중 하나이고, 스크립트가 사는 폴더와 같다."""
    import re

    wrong = []
    for chapter in run.find_chapters():
        for module_name, level, _ in run.find_scripts(chapter):
            path = run.ROOT.joinpath(*module_name.split(".")).with_suffix(".py")
            text = path.read_text(encoding="utf-8")
            named = re.findall(r'"level":\s*"(\w+)"', text)       # 다른 스크립트의 main을 부르는 스크립트에는 없다
            wrong += [f"{module_name}: {name}" for name in named if name != level]
    assert not wrong, f"레벨 폴더와 다른 level 이름: {wrong}"


def test_every_script_that_trains_with_fit_has_resume_and_dtype(capsys):
    """`utils.training.fit`을 부르는 레벨 스크립트는 모두 `add_training_flags`의 --resume, --dtype을 받는다."""
    import importlib
    import re

    calls_fit = re.compile(r"^from utils\.training import [^\n]*\bfit\b.*?^\s*[^#\n]*\bfit\(", re.M | re.S)
    scripts = sorted(path for path in run.ROOT.glob("[01][0-9]_*/*/*.py")
                     if not path.name.startswith("test_") and calls_fit.search(path.read_text(encoding="utf-8")))
    found = {path.relative_to(run.ROOT).as_posix() for path in scripts}
    assert {"04_VGG/pytorch_lowlevel/vgg_lowlevel.py", "05_ResNet/paper/degradation_paper.py",
            "12_CLIP/paper/clip_paper.py"} <= found                   # 찾기가 제대로 도는지
    missing = []
    for path in scripts:
        module = importlib.import_module(".".join(path.relative_to(run.ROOT).with_suffix("").parts))
        with pytest.raises(SystemExit):
            module.main(["--help"])
        text = capsys.readouterr().out
        missing += [f"{path.name}: {flag}" for flag in ("--resume", "--dtype") if flag not in text]
    assert not missing, f"--resume/--dtype가 없는 fit 스크립트: {missing}"
