"""training_utils 검증: CLI, seed 재현성, 원자적 쓰기, 데이터 검사, 학습 루프, 결과 보고."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from .training_utils import (
    History,
    accuracy,
    atomic_path,
    check_finite,
    choose_device,
    evaluate,
    fit,
    hold_then_cosine,
    limit_threads,
    make_parser,
    parse_args,
    report,
    seed_everything,
    write_json,
)


def parser():
    return make_parser("00_Test", "numpy", "테스트", ("alpha", "beta"), "alpha", default_epochs=7)


def test_common_flags_and_default_out():
    args = parse_args(parser(), [])
    assert (args.quick, args.epochs, args.seed, args.device, args.data) == (False, 7, 0, "auto", "alpha")
    assert args.out.replace("\\", "/") == "outputs/00_Test/numpy/alpha"
    args = parse_args(parser(), ["--quick", "--epochs", "3", "--seed", "5", "--data", "beta", "--out", "x"])
    assert (args.quick, args.epochs, args.seed, args.data, args.out) == (True, 3, 5, "beta", "x")


def test_unknown_data_is_refused_with_the_choices(capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(parser(), ["--data", "gamma"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "alpha" in err and "beta" in err


def test_non_positive_epochs_are_refused():
    with pytest.raises(SystemExit):
        parse_args(parser(), ["--epochs", "0"])


def test_default_data_must_be_a_choice():
    with pytest.raises(ValueError, match="gamma"):
        make_parser("m", "l", "d", ("alpha",), "gamma", default_epochs=1)


def test_seed_everything_repeats_numpy_and_torch():
    rng = seed_everything(3)
    a = (rng.normal(size=3), np.random.rand(2), torch.rand(2))
    rng = seed_everything(3)
    b = (rng.normal(size=3), np.random.rand(2), torch.rand(2))
    for x, y in zip(a, b):
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def test_choose_device():
    assert choose_device("cpu").type == "cpu"
    assert choose_device("auto").type in ("cpu", "cuda", "mps")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA"):
            choose_device("cuda")


def test_atomic_path_leaves_nothing_half_written(tmp_path):
    target = tmp_path / "result.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("중간에 실패")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]
    write_json(target, {"값": np.float64(1.5), "n": np.int64(2), "a": np.arange(2)})
    assert json.loads(target.read_text(encoding="utf-8")) == {"값": 1.5, "n": 2, "a": [0, 1]}
    assert target.stat().st_mode & 0o777 == 0o644


def test_check_finite_names_the_array():
    check_finite(X=np.ones(3), y=torch.zeros(2))
    with pytest.raises(ValueError, match="X_train.*NaN"):
        check_finite(X_train=np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="숫자"):
        check_finite(X=np.array(["a"]))


def test_history_and_accuracy():
    history = History()
    history.log(loss=2.0, acc=0.5)
    history.log(loss=1.0, acc=0.75)
    assert history["loss"] == [2.0, 1.0] and history.last("acc") == 0.75 and "acc" in history
    assert history.to_dict() == {"loss": [2.0, 1.0], "acc": [0.5, 0.75]}
    assert accuracy(torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([0, 0])) == 0.5
    assert accuracy(torch.tensor([1.5, -0.5, 0.2]), torch.tensor([1, 0, 0])) == pytest.approx(2 / 3)


def test_fit_lowers_loss_and_is_repeatable():
    def run():
        torch.manual_seed(0)
        X = torch.randn(64, 3)
        y = (X @ torch.tensor([1.0, -2.0, 0.5]) > 0).long()
        model = torch.nn.Linear(3, 2)
        history = fit(model, F.cross_entropy, torch.optim.SGD(model.parameters(), lr=0.5), (X, y), (X, y),
                      epochs=20, batch_size=16, metric=accuracy, seed=1, progress=False)
        return history, model, X, y

    history, model, X, y = run()
    assert history["train_loss"][-1] < 0.5 * history["train_loss"][0]
    assert history.last("test_metric") > 0.9 and len(history["test_loss"]) == 20
    loss, acc = evaluate(model, F.cross_entropy, X, y, metric=accuracy)
    assert loss == pytest.approx(history.last("test_loss")) and acc == history.last("test_metric")
    again, *_ = run()
    assert again["train_loss"] == history["train_loss"]


def test_fit_stops_on_non_finite_loss():
    model = torch.nn.Linear(1, 1)
    X, y = torch.ones(4, 1) * 1e30, torch.zeros(4)
    with pytest.raises(FloatingPointError, match="learning rate"):
        fit(model, lambda out, t: F.mse_loss(out[:, 0], t) * 1e30, torch.optim.SGD(model.parameters(), lr=1.0),
            (X, y), epochs=3, progress=False)


def test_report_requires_keys_and_writes_json(tmp_path, capsys):
    with pytest.raises(ValueError, match="metric"):
        report({"model": "m", "level": "l", "data": "d", "value": 1.0, "seconds": 0.1}, tmp_path)
    result = report({"model": "m", "level": "l", "data": "d", "metric": "acc", "value": 0.25, "seconds": 1.23456},
                    tmp_path)
    saved = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert saved == result and saved["seconds"] == 1.235 and saved["plots"] == []
    assert "acc = 0.2500" in capsys.readouterr().out


def test_missing_real_dataset_exits_2_with_one_sentence(tmp_path):
    command = [sys.executable, "-m", "01_Linear_Logistic.numpy.logistic_numpy", "--data", "mnist",
               "--root", str(tmp_path / "nothing"), "--out", str(tmp_path / "out")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=Path(__file__).parent.parent)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert str(tmp_path / "nothing") in done.stderr and "--download" in done.stderr
    assert not (tmp_path / "out" / "result.json").exists()


def test_limit_threads_applies_inside_and_restores():
    from threadpoolctl import threadpool_info

    outside = torch.get_num_threads()
    with limit_threads(None):
        assert torch.get_num_threads() == outside                 # None이면 그대로
    torch.set_num_threads(2)
    try:
        with limit_threads(1):
            assert torch.get_num_threads() == 1
            assert all(pool["num_threads"] == 1 for pool in threadpool_info())
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(outside)
    assert parse_args(parser(), ["--threads", "3"]).threads == 3 and parse_args(parser(), []).threads is None


def test_hold_then_cosine_schedule():
    rates = [hold_then_cosine(e, 30, 1.0) for e in range(30)]
    assert rates[:20] == [1.0] * 20                                    # 처음 2/3는 그대로
    assert all(a > b for a, b in zip(rates[19:], rates[20:])) and 0 < rates[-1] < 0.05
