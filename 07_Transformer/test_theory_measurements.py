"""theory_measurements 실행 검사: 작은 크기에서 돌고, theory.md가 말하는 방향의 값을 낸다."""
import math

from . import theory_measurements


def test_tiny_measurements_run_and_scaling_keeps_softmax_unsaturated(capsys):
    result = theory_measurements.main(["--tiny"])
    sat = result["softmax_saturation"]
    assert sat[64]["unscaled"] > sat[16]["unscaled"] > sat[16]["scaled"]          # d_k를 따라 포화가 커진다
    assert abs(sat[64]["scaled"] / sat[16]["scaled"] - 1) < 0.2                    # scale이 있으면 거의 그대로
    norms = result["ln_gradient_norms"][2]
    assert len(norms["post"]) == len(norms["pre"]) == 2
    assert all(math.isfinite(v) and v > 0 for v in norms["post"] + norms["pre"])
    assert "post-LN" in capsys.readouterr().out
