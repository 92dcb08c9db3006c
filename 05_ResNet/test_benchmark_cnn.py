"""benchmark_cnn 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

import pytest

from utils.gradcheck import F32_ATOL

from . import benchmark_cnn


def test_benchmark_runs_on_tiny_inputs_and_every_row_has_goal_and_verdict(capsys):
    result = benchmark_cnn.main(["--batch", "2", "--size", "32", "--repeats", "2", "--num-classes", "10"])
    assert [(r["model"], r["mode"]) for r in result["rows"]] == [
        (m, mode) for m in ("resnet50", "vgg16") for mode in ("forward", "forward_backward")]
    for row in result["rows"]:
        assert row["goal"] == "L3" and row["verdict"] in ("met", "not met", "unclear")
        assert math.isfinite(row["ratio"]) and math.isfinite(row["cpu_ratio"])
        assert row["max_abs_diff"] <= F32_ATOL, (f"{row['model']}: from_reference로 복사한 두 모델은 같은 함수여야 "
                                                 f"한다 (float32 모듈 parity: 최대 절대 오차 ≤ F32_ATOL)")
        assert len(row["a_wall_s"]) == len(row["b_wall_s"]) == len(row["a_cpu_s"]) == 2
    assert result["environment"]["threads"] == 1 and result["batch"] == 2
    printed = capsys.readouterr().out
    assert "torchvision" in printed and printed.count("| resnet50 ") == 2 and "판정: " in printed


def test_bad_arguments_are_refused():
    with pytest.raises(SystemExit):
        benchmark_cnn.main(["--size", "16"])
    with pytest.raises(ValueError, match="model은"):
        benchmark_cnn.build_pair("alexnet", 10, 0)
