"""`python -m benchmarks.run --quick`: 모든 벤치마크가 한 process에서 돌고, 비율 표와 하드웨어를 쓰는지.

시간은 판정하지 않는다 (기계와 부하에 따라 다르다). 판정하는 것: 줄마다 짝 이름·중앙값·비율이 서로 맞는지, 같은 값을
계산하는 구현끼리 결과가 같은지, 파일이 써지는지, 잘못된 이름·GPU 없음의 메시지.
"""
import json
import math

import pytest

from benchmarks import run
from benchmarks.chapters import CHAPTERS


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    return out, run.main(["--quick", "--out", str(out)])


def test_quick_runs_every_benchmark_and_writes_ratio_table(quick):
    out, result = quick
    assert list(result["benchmarks"]) == ["numpy_vs_torch", *CHAPTERS]
    for key, block in result["benchmarks"].items():
        assert "error" not in block, f"{key}: {block.get('error')}"
        assert block["rows"], key
        for r in block["rows"]:
            assert r["a"] != r["b"]
            a, b = (r["a_value"], r["b_value"]) if r.get("unit") == "MB" else (r["a_ms"], r["b_ms"])
            assert a > 0 and b > 0 and math.isfinite(r["ratio"])
            assert r["ratio"] == pytest.approx(a / b, rel=1e-9)          # 비율 = 두 중앙값의 비
            if r["ratio_min"] is not None:
                assert r["ratio_min"] <= r["ratio_max"]
    hw = result["hardware"]
    assert hw["cpu"] and hw["cores"] >= 1 and hw["threads"] == 1 and hw["torch"] and hw["numpy"]
    assert len(result["load_before"]) == 3 and len(result["load_after"]) == 3
    saved = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert saved["benchmarks"].keys() == result["benchmarks"].keys()
    markdown = (out / "results.md").read_text(encoding="utf-8")
    assert hw["cpu"] in markdown and "load average" in markdown and "a / b (중앙값)" in markdown
    assert not list(out.glob(".*"))                                        # 임시 파일이 남지 않았다


def test_quick_twins_compute_the_same_thing(quick):
    _, result = quick
    diffs = {(r["group"], r["name"], r["a"]): r["rel_diff"]
             for block in result["benchmarks"].values() for r in block["rows"] if "rel_diff" in r}
    assert len(diffs) >= 10
    for key, diff in diffs.items():
        assert diff < 1e-4, key                                              # float32, 합의 순서만 다르다
    for key in ("05", "06", "08", "09", "10", "12"):                      # 표본을 되찾아 범위를 낸 장 (repeats 2)
        assert all(r["ratio_min"] is not None for r in result["benchmarks"][key]["rows"]), key
    groups = {r["group"] for r in result["benchmarks"]["numpy_vs_torch"]["rows"]}
    assert {"matmul", "conv", "lstm", "attention", "backward", "memory", "dtype", "threads"} <= groups


def test_doc_blocks_cover_every_group(quick):
    _, result = quick
    blocks = run.doc_blocks(result)
    assert {"hardware", "chapters", "matmul", "backward", "memory"} <= set(blocks)
    assert result["hardware"]["cpu"] in blocks["hardware"] and result["date"] in blocks["hardware"]


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
