"""`python -m benchmarks.run --quick`: 모든 벤치마크가 한 process에서 돌고, 줄마다 goal과 판정이 있는 비율 표를 쓰는지.

시간은 판정하지 않는다 (기계와 부하에 따라 다르다). 판정하는 것: 줄마다 짝 이름·같은 회의 쌍인 표본·비율과 구간이
서로 맞는지, goal과 판정이 구간에서 계산되었는지, 같은 값을 계산하는 구현끼리 결과가 같은지, 파일이 써지는지,
출력의 마지막 줄이 판정 수인지, 잘못된 이름·GPU 없음의 메시지, `--write-docs`가 문서의 블록을 채우는지.
"""
import json
import math
import re

import numpy as np
import pytest

from benchmarks import run
from benchmarks.chapters import CHAPTERS
from utils.benchmark import GOALS, VERDICTS, ratio_interval, verdict


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    return out, run.main(["--quick", "--out", str(out)])


def test_quick_runs_every_benchmark_and_every_row_has_goal_and_verdict(quick):
    out, result = quick
    assert list(result["benchmarks"]) == ["numpy_vs_torch", *CHAPTERS]
    for key, block in result["benchmarks"].items():
        assert "error" not in block, f"{key}: {block.get('error')}"
        assert block["rows"], key
        for r in block["rows"]:
            assert r["a"] != r["b"] and r["group"]
            assert r["goal"] in GOALS and r["verdict"] in VERDICTS, (key, r["name"])
            assert r["verdict"] == verdict(r["ratio_low"], r["ratio_high"], GOALS[r["goal"]])
            assert r["ratio_low"] <= r["ratio"] <= r["ratio_high"] and math.isfinite(r["ratio"])
            if r["unit"] == "ms":                                           # 시간: 같은 회의 쌍에서 다시 계산된다
                assert len(r["a_wall_s"]) == len(r["b_wall_s"]) == r["repeats"] >= 1
                assert (r["ratio"], r["ratio_low"], r["ratio_high"]) == ratio_interval(r["a_wall_s"], r["b_wall_s"])
                assert r["a_ms"] == pytest.approx(np.median(r["a_wall_s"]) * 1e3)
                assert r["cpu_ratio"] is not None
            else:
                assert r["ratio"] == pytest.approx(r["a_value"] / r["b_value"])
    hw = result["hardware"]
    assert hw["cpu"] and hw["cores"] >= 1 and hw["threads"] == 1 and hw["torch"] and hw["numpy"]
    assert len(result["load_before"]) == 3 and len(result["load_after"]) == 3
    saved = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert saved["benchmarks"].keys() == result["benchmarks"].keys()
    markdown = (out / "results.md").read_text(encoding="utf-8")
    assert hw["cpu"] in markdown and "load average" in markdown and "| goal | 판정 |" in markdown
    counts = {v: sum(r["verdict"] == v for r in run.all_rows(result)) for v in VERDICTS}
    assert f"판정: met {counts['met']}, not met {counts['not met']}, unclear {counts['unclear']}" in markdown
    assert not list(out.glob(".*"))                                        # 임시 파일이 남지 않았다


def test_quick_twins_compute_the_same_thing(quick):
    _, result = quick
    rows = [r for block in result["benchmarks"].values() for r in block["rows"]]
    diffs = {(r["group"], r["name"], r["a"], r["b"]): r["rel_diff"] for r in rows if r.get("rel_diff") is not None}
    assert len(diffs) >= 15
    for key, diff in diffs.items():
        assert diff < 1e-4, key                                              # float32, 합의 순서만 다르다
    for r in rows:
        assert r.get("max_abs_diff", 0.0) < 1e-4 and r.get("same_tokens", True), (r["group"], r["name"])
    groups = {r["group"] for r in result["benchmarks"]["numpy_vs_torch"]["rows"]}
    assert {"matmul", "conv", "lstm", "attention", "backward", "memory", "dtype", "threads"} <= groups
    new_twins = {(r["group"], r["b"]) for r in rows}
    assert {("06", "nn.LSTM"), ("06", "nn.GRU"), ("07", "nn.Transformer"), ("08", "HF BertForMaskedLM"),
            ("09", "NanoGPTTwin"), ("09", "NanoGPTTwin (cache 없음)"), ("10", "timm"), ("12", "HF sdpa")} <= new_twins
    assert sum("학습 step" in r["name"] for r in rows) >= 5                  # 08, 09 (둘), 10, 12


def test_the_last_printed_line_counts_the_verdicts(tmp_path, capsys):
    result = run.main(["06", "--quick", "--out", str(tmp_path)])
    last = capsys.readouterr().out.rstrip().splitlines()[-1]
    rows = result["benchmarks"]["06"]["rows"]
    counts = [sum(r["verdict"] == v for r in rows) for v in VERDICTS]
    assert last == f"판정: met {counts[0]}, not met {counts[1]}, unclear {counts[2]} (모두 {len(rows)}줄)"


def test_write_docs_fills_every_block_of_a_copy(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(run.DOC.read_text(encoding="utf-8"), encoding="utf-8")
    result = run.main(["numpy_vs_torch", "--quick", "--out", str(tmp_path / "out"), "--write-docs", "--doc", str(doc)])
    assert set(result["docs_filled"]) == {"hardware", "matmul", "conv", "lstm", "attention", "backward", "memory",
                                          "dtype", "threads"}
    text = doc.read_text(encoding="utf-8")
    header = run.format_rows([]).splitlines()[0]
    for name in ("matmul", "backward", "threads"):
        block = re.search(rf"<!-- bench:{name} -->\n(.*?)\n<!-- /bench:{name} -->", text, re.S).group(1)
        lines = block.splitlines()
        assert lines[0] == header and len(lines) > 2
        assert all(re.search(r"\| (met|not met|unclear \([^|]*\)) \| \d+ \|", line) for line in lines[2:]), block
    assert "--quick" in text and result["date"] in text


def test_doc_blocks_cover_every_group(quick):
    _, result = quick
    blocks = run.doc_blocks(result)
    assert {"hardware", "chapters", "matmul", "backward", "memory"} <= set(blocks)
    assert result["hardware"]["cpu"] in blocks["hardware"] and result["date"] in blocks["hardware"]
    assert "판정: met" in blocks["hardware"]


def test_bad_name_lists_the_choices(capsys):
    with pytest.raises(ValueError, match="numpy_vs_torch.*03 \\(03_CNN_LeNet\\)"):
        run.resolve(["99"])
    with pytest.raises(ValueError, match="'05_VGG'"):
        run.resolve(["05_VGG"])                              # 번호는 맞아도 폴더 이름이 다르면 틀린 이름
    assert run.resolve(["05_ResNet", "03", "numpy_vs_torch", "03"]) == ["05", "03", "numpy_vs_torch"]
    with pytest.raises(SystemExit) as exit_info:
        run.main(["nope"])
    assert exit_info.value.code == 2
    assert "고를 수 있는 것" in capsys.readouterr().err


def test_cuda_without_gpu_says_so_in_one_sentence(monkeypatch, tmp_path, capsys):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    result = run.main(["numpy_vs_torch", "--quick", "--device", "cuda", "--out", str(tmp_path)])
    assert result["device_note"] == run.NO_GPU
    assert run.NO_GPU in capsys.readouterr().out
    assert "\n" not in run.NO_GPU and run.NO_GPU.count("다.") == 1 and run.NO_GPU.endswith("다.")   # 한 문장
    assert not [r for r in result["benchmarks"]["numpy_vs_torch"]["rows"] if r["group"] == "cuda"]


def test_fill_doc_replaces_only_named_blocks():
    text = ("앞\n<!-- bench:a -->\n옛 표\n<!-- /bench:a -->\n가운데\n"
            "<!-- bench:b -->\n그대로\n<!-- /bench:b -->\n끝\n")
    new, filled = run.fill_doc(text, {"a": "| 새 표 |", "c": "없는 블록"})
    assert filled == ["a"]
    assert new == text.replace("옛 표", "| 새 표 |")


def test_write_docs_fills_each_measured_chapters_block_with_its_own_rows(quick, tmp_path, capsys):
    """장의 measurements.md 블록에는 그 장의 줄만, 같은 실행의 머리말과 함께 들어간다. 블록이 없는 파일과 이 실행이
    재지 않은 장은 그대로다."""
    _, result = quick
    old = "앞\n<!-- bench:chapter -->\n옛 표\n<!-- /bench:chapter -->\n뒤\n"
    for key in ("06", "09", "12"):
        (tmp_path / run.FOLDERS[key]).mkdir()
    (tmp_path / run.FOLDERS["06"] / "measurements.md").write_text(old, encoding="utf-8")
    (tmp_path / run.FOLDERS["09"] / "measurements.md").write_text("블록 없음\n", encoding="utf-8")
    (tmp_path / run.FOLDERS["12"] / "measurements.md").write_text(old, encoding="utf-8")
    measured = {key: result["benchmarks"][key] for key in ("numpy_vs_torch", "06", "09")}
    written = run.write_chapter_docs(dict(result, benchmarks=measured), tmp_path)
    assert written == [f"{run.FOLDERS['06']}/measurements.md"]
    text = (tmp_path / run.FOLDERS["06"] / "measurements.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- bench:chapter -->\n(.*?)\n<!-- /bench:chapter -->", text, re.S).group(1)
    rows = result["benchmarks"]["06"]["rows"]
    assert text.startswith("앞\n") and text.endswith("\n뒤\n") and result["date"] in block
    assert block.endswith(run.format_rows(rows)) and run.verdict_line(rows) in block
    table_lines = run.format_rows(rows).splitlines()[2:]
    assert len(table_lines) == len(rows) and all(line in block for line in table_lines)
    assert (tmp_path / run.FOLDERS["09"] / "measurements.md").read_text(encoding="utf-8") == "블록 없음\n"
    assert (tmp_path / run.FOLDERS["12"] / "measurements.md").read_text(encoding="utf-8") == old
    assert "블록이 없어" in capsys.readouterr().out

