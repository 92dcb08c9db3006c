"""depth_bn 실행 확인: 표의 네 행이 나오고, README가 적은 방향(BN이 신호와 첫 층의 상대 gradient를 키운다)이
성립한다."""
import math

from . import depth_bn


def test_depth_bn_table_and_the_direction_the_readme_states(capsys):
    rows = depth_bn.main(["--width", "0.125", "--batch", "32"])
    assert [(r["config"], r["batch_norm"]) for r in rows] == [("A", False), ("A", True), ("E", False), ("E", True)]
    assert "| E | 있음 |" in capsys.readouterr().out
    by = {(r["config"], r["batch_norm"]): r for r in rows}
    for r in rows:
        assert abs(r["loss"] - math.log(10)) < 0.05                       # 초기 loss ≈ ln 10
    assert by["E", False]["feature_std"] < by["A", False]["feature_std"]  # BN 없이 깊을수록 신호가 줄어든다
    for config in "AE":
        assert by[config, True]["grad_ratio_first"] > 5 * by[config, False]["grad_ratio_first"]
