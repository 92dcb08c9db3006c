"""utils.run의 outputs/report.md와 run.json: 모든 그림 링크가 열리고, level 칸은 네 레벨 이름 중 하나다.

가짜 장의 스크립트가 실제 장들이 `plots`에 적는 세 꼴을 그대로 쓴다:
- `--out` 기준 이름만 (`loss_curve.png`: 10 L2, 12 L2·L3),
- 실행한 곳 기준 상대 경로 (`outputs/…/curve.png`: `--out`이 상대 경로일 때 대부분의 장),
- 절대 경로 (`--out`이 절대 경로일 때).
"""
import json
import re
import sys
import textwrap
from pathlib import Path

import pytest

from . import run

IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
FAKE = "97_FakeReport"

SCRIPT = """
    from pathlib import Path

    RUNS = ("bare", "relative", "absolute")

    def main(argv=None):
        data = argv[argv.index("--data") + 1]
        out = Path(argv[argv.index("--out") + 1])
        out.mkdir(parents=True, exist_ok=True)
        (out / "loss_curve.png").write_bytes(b"png")
        plot = {"bare": "loss_curve.png", "relative": str(out / "loss_curve.png"),
                "absolute": str((out / "loss_curve.png").resolve())}[data]
        return {"model": "Fake", "level": LEVEL_NAME, "data": data, "metric": "acc", "value": 0.5,
                "seconds": 0.01, "plots": [plot]}
"""


def make_fake_chapter(root: Path) -> None:
    for name in [m for m in sys.modules if m.split(".")[0] == FAKE]:
        del sys.modules[name]
    (root / FAKE).mkdir()
    (root / FAKE / "__init__.py").write_text("", encoding="utf-8")
    # 07 L2가 한때 그랬듯 결과에 "lowlevel"이라고 적는 L2 스크립트와, 바르게 적는 L3 스크립트
    for folder, stem, level_name in (("pytorch_lowlevel", "fake_lowlevel", "lowlevel"),
                                     ("paper", "fake_paper", "paper")):
        (root / FAKE / folder).mkdir()
        (root / FAKE / folder / "__init__.py").write_text("", encoding="utf-8")
        body = textwrap.dedent(SCRIPT).replace("LEVEL_NAME", repr(level_name))
        (root / FAKE / folder / f"{stem}.py").write_text(body, encoding="utf-8")


def image_links(report: Path) -> list[str]:
    return IMAGE.findall(report.read_text(encoding="utf-8"))


def level_cells(report: Path) -> list[str]:
    """report.md 결과 표의 level 칸 (머리 행과 구분 행 제외)."""
    cells = []
    for line in report.read_text(encoding="utf-8").splitlines():
        parts = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(parts) == 7 and parts[0] not in ("chapter", "---"):
            cells.append(parts[1])
    return cells


@pytest.fixture
def fake_run(tmp_path, monkeypatch, capsys):
    """가짜 장을 상대 경로 `--out out`으로 돌린다 (실행한 곳 = tmp_path)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    make_fake_chapter(repo)
    monkeypatch.setattr(run, "ROOT", repo)
    monkeypatch.syspath_prepend(str(repo))
    monkeypatch.chdir(tmp_path)
    code = run.main([FAKE, "--out", "out"])
    captured = capsys.readouterr()
    return code, tmp_path / "out", captured


def test_every_image_link_in_the_report_opens_whatever_shape_the_script_wrote(fake_run):
    code, out, _ = fake_run
    assert code == 0
    report = out / "report.md"
    links = image_links(report)
    assert len(links) == 6                                     # 두 레벨 × 세 꼴
    broken = [link for link in links if not (report.parent / link).is_file()]
    assert not broken, f"report.md의 깨진 그림 링크: {broken}"
    assert not any(link.startswith("..") for link in links)    # 모든 그림은 outputs/ 안에 있다


def test_level_cells_are_the_four_folder_names_even_when_a_script_says_otherwise(fake_run):
    code, out, captured = fake_run
    cells = level_cells(out / "report.md")
    assert sorted(set(cells)) == ["paper", "pytorch_lowlevel"] and len(cells) == 6
    assert set(cells) <= set(run.LEVELS)
    assert "'lowlevel'" in captured.err                         # 다른 이름을 적은 스크립트는 경고로 드러난다


def test_run_json_records_command_environment_and_rows(fake_run):
    _, out, _ = fake_run
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["command"] == f"python -m utils.run {FAKE} --out out"
    assert record["quick"] is False and record["n_runs"] == 6 == len(record["rows"])
    assert {"cpu", "python", "numpy", "torch", "threads"} <= set(record["environment"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", record["date"])
    assert record["total_seconds"] >= 0 and record["cpu_seconds"] >= 0
    first = record["rows"][0]
    assert set(first) == set(run.RECORD_KEYS)
    assert (first["chapter"], first["level"], first["script"], first["data"]) == \
        (FAKE, "pytorch_lowlevel", "fake_lowlevel", "bare")


@pytest.mark.parametrize(("plot", "expected"), [
    ("loss_curve.png", "out/a/loss_curve.png"),                 # 이름만: --out 기준
    ("out/a/loss_curve.png", "out/a/loss_curve.png"),           # 실행한 곳 기준
    ("sub/x.png", "sub/x.png"),                                 # 어느 쪽에도 없으면 적힌 그대로
])
def test_plot_path_reads_both_shapes(tmp_path, monkeypatch, plot, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out" / "a").mkdir(parents=True)
    (tmp_path / "out" / "a" / "loss_curve.png").write_bytes(b"png")
    assert run.plot_path(plot, Path("out/a")) == Path(expected)


@pytest.mark.slow
def test_report_of_real_quick_runs_of_10_and_12_has_no_broken_links(tmp_path):
    """10 L2와 12 L2는 `plots`에 이름만 적는다: 실제 quick 실행의 report.md에서도 링크가 열린다 (약 10초)."""
    assert run.main(["10", "12", "--level", "pytorch_lowlevel", "--quick", "--out", str(tmp_path)]) == 0
    report = tmp_path / "report.md"
    links = image_links(report)
    assert len(links) >= 2
    assert not [link for link in links if not (tmp_path / link).is_file()]
    assert set(level_cells(report)) == {"pytorch_lowlevel"}
