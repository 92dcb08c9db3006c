"""benchmark_cnn 실행 검사 (시간을 판정하지 않는다: 시간은 기계와 부하에 따라 다르다)."""
import math

import pytest

from utils.gradcheck import F32_ATOL

from . import benchmark_cnn


def test_benchmark_runs_on_tiny_inputs_and_returns_ratios(capsys):
    result = benchmark_cnn.main(["--batch", "2", "--size", "32", "--repeats", "1", "--num-classes", "10"])
    assert set(result["ratios"]) == {"resnet50", "vgg16"}
    for key in ("ratios", "cpu_ratios"):
        for model, ratios in result[key].items():
            assert set(ratios) == {"forward", "forward_backward"}, model
            for mode, ratio in ratios.items():
                assert math.isfinite(ratio) and ratio > 0, (key, model, mode)
    for row in result["rows"]:
        assert row["max_abs_diff"] <= F32_ATOL, (f"{row['model']}: from_reference로 복사한 두 모델은 같은 함수여야 "
                                                 f"한다 (float32 모듈 parity: 최대 절대 오차 ≤ F32_ATOL)")
        assert len(row["ours_all_ms"]) == len(row["torchvision_all_ms"]) == len(row["cpu_ours_all_ms"]) == 1
    assert result["environment"]["threads"] == 1 and result["batch"] == 2
    printed = capsys.readouterr().out
    assert "비율 우리/torchvision" in printed and printed.count("| resnet50 |") == 2


def test_interleaving_alternates_the_order():
    calls = []
    steps = {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}
    times = benchmark_cnn.interleaved_times(steps, repeats=3)
    assert calls == ["a", "b", "a", "b", "b", "a", "a", "b"], "warm-up 한 번씩, 그다음 round마다 순서를 뒤집는다"
    assert {k: (len(v["wall"]), len(v["cpu"])) for k, v in times.items()} == {"a": (3, 3), "b": (3, 3)}


def test_bad_arguments_are_refused():
    with pytest.raises(SystemExit):
        benchmark_cnn.main(["--size", "16"])
    with pytest.raises(ValueError, match="model은"):
        benchmark_cnn.build_pair("alexnet", 10, 0)
