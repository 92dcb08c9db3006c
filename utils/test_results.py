"""utils.results: 결과 페이지와 README의 장 표가 기록·폴더에서 생성한 것과 같고, 기록은 smoke run을 받지 않는다."""
import copy
import json
import re
from pathlib import Path

import pytest

from . import results
from .run import LEVELS

ROOT = Path(__file__).resolve().parent.parent


def committed_record() -> dict:
    return results.read_record(ROOT / results.RECORD)


def test_committed_results_page_equals_the_page_generated_from_the_record():
    page = (ROOT / results.PAGE).read_text(encoding="utf-8")
    assert page == results.render_page(committed_record()), \
        "docs/06_Results.md가 06_Results.json에서 만든 것과 다르다: python -m utils.results --write-docs"


def test_committed_chapter_table_equals_the_table_generated_from_the_chapters():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert results.committed_table(readme) == results.chapter_table(ROOT), \
        "README의 장 표가 있는 장에서 만든 것과 다르다: python -m utils.results --write-docs"
    assert results.stale_docs(ROOT) == []


def test_chapter_table_has_one_row_per_chapter_folder_with_marks_from_the_level_folders(tmp_path):
    for name, levels, title in (("01_Alpha", ("numpy", "paper"), "# 01. Alpha — 손으로"),
                                ("02_Beta", ("pytorch_lowlevel", "analysis"), "# 02 Beta | 파이프")):
        for level in levels:
            (tmp_path / name / level).mkdir(parents=True)
        (tmp_path / name / "__init__.py").write_text("", encoding="utf-8")
        (tmp_path / name / "README.md").write_text(title + "\n", encoding="utf-8")
    (tmp_path / "03_NoInit").mkdir()                                   # __init__.py가 없으면 장이 아니다
    table = results.chapter_table(tmp_path).splitlines()
    assert table[2] == "| 01 | [01_Alpha](01_Alpha/) | Alpha — 손으로 | ✅ | — | ✅ | — |"
    assert table[3] == "| 02 | [02_Beta](02_Beta/) | Beta \\| 파이프 | — | ✅ | — | ✅ |"
    assert len(table) == 4


def test_every_row_of_the_record_names_a_known_level_date_and_hardware():
    record = committed_record()
    for run in record["runs"]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", run["date"]) and run["hardware"] and run["command"].startswith("python")
        for row in run["rows"]:
            assert row["level"] in LEVELS
    page = (ROOT / results.PAGE).read_text(encoding="utf-8")
    body = page.split("## 레벨 스크립트의 결과")[1].split("\n## ")[0]
    rows = [line for line in body.splitlines() if re.match(r"\| \d\d_", line)]
    assert rows and all(re.search(r"\| R\d+ \| \d{4}-\d\d-\d\d \| \S", line) for line in rows)


def test_newer_run_replaces_a_row_and_the_page_names_its_date():
    record = copy.deepcopy(committed_record())
    old_row, old_run = results.latest_rows(record)[0]
    newer = {**copy.deepcopy(old_run), "id": "2999-01-01 python -m utils.run", "date": "2999-01-01",
             "rows": [{**old_row, "value": 0.123456}]}
    updated = results.add_run(record, newer)
    row, run = results.latest_rows(updated)[0]
    assert (row["value"], run["date"]) == (0.123456, "2999-01-01")
    assert len(results.latest_rows(updated)) == len(results.latest_rows(record))
    page = results.render_page(updated)
    assert f"| {row['script']} | {row['data']} | {row['metric']} | 0.1235 |" in page and "2999-01-01" in page


def utils_run_json(quick: bool) -> dict:
    """python -m utils.run이 쓰는 run.json의 꼴 (utils/test_report.py가 실제로 쓰인 파일의 key를 확인한다)."""
    return {"command": "python -m utils.run 02 --out /tmp/x", "quick": quick, "date": "2026-12-06 12:00 UTC",
            "environment": {"cpu": "Some CPU × 2", "machine": "x86_64", "threads": 1, "python": "3.11.7",
                            "numpy": "2.4.6", "torch": "2.14.1"},
            "load_average_before": [1.5, 1.0, 0.9], "load_average_after": [2.0, 1.2, 1.0],
            "total_seconds": 12.3, "cpu_seconds": 11.0, "n_runs": 1,
            "rows": [{"chapter": "02_MLP", "level": "numpy", "script": "mlp_numpy", "data": "digits",
                      "metric": "test_accuracy", "value": 0.97, "seconds": 3.2}]}


def test_record_from_utils_run_keeps_command_without_out_date_hardware_and_load():
    run = results.run_from_utils_run(utils_run_json(quick=False))
    assert run["command"] == "python -m utils.run 02" and run["date"] == "2026-12-06"
    assert run["hardware"] == "Some CPU × 2 (x86_64), GPU 없음" and run["load"].startswith("1.5 → 2.0")
    assert run["threads"] == "1" and run["n_runs"] == 1 and run["rows"][0]["value"] == 0.97
    results.validate({"runs": [run]})


def test_smoke_runs_and_malformed_records_are_refused(tmp_path, capsys):
    with pytest.raises(results.RecordError, match="smoke run"):
        results.run_from_utils_run(utils_run_json(quick=True))
    bad = copy.deepcopy(utils_run_json(quick=False))
    bad["rows"][0]["level"] = "lowlevel"
    with pytest.raises(results.RecordError, match="level 'lowlevel'"):
        results.validate({"runs": [results.run_from_utils_run(bad)]})
    quick_file = tmp_path / "run.json"
    quick_file.write_text(json.dumps(utils_run_json(quick=True)), encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        results.main(["--record", str(quick_file)])
    assert exit_info.value.code == 2 and "smoke run" in capsys.readouterr().err
