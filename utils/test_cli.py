"""utils.cli 검증: 공통 CLI(registry에서 온 --data 설명과 오류), seed 재현성, device, 결과 보고, exit code 2."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from .cli import choose_device, cli, make_parser, parse_args, report, seed_everything
from .datasets import DATASETS


def parser(**kwargs):
    return make_parser("00_Test", "numpy", "테스트", ("digits", "shapes"), "digits", default_epochs=7, **kwargs)


def test_common_flags_and_default_out():
    args = parse_args(parser(), [])
    assert (args.quick, args.epochs, args.seed, args.device, args.data) == (False, 7, 0, "auto", "digits")
    assert args.out.replace("\\", "/") == "outputs/00_Test/numpy/digits"
    args = parse_args(parser(), ["--quick", "--epochs", "3", "--seed", "5", "--data", "shapes", "--out", "x"])
    assert (args.quick, args.epochs, args.seed, args.data, args.out) == (True, 3, 5, "shapes", "x")
    assert parse_args(parser(), ["--threads", "3"]).threads == 3 and parse_args(parser(), []).threads == 1


def test_unknown_data_is_refused_with_the_registry_descriptions(capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(parser(), ["--data", "gamma"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "gamma" in err
    for name in ("digits", "shapes"):
        assert f"{name}: {DATASETS[name].description}" in err


def test_data_help_comes_from_the_registry():
    text = parser().format_help()
    assert DATASETS["shapes"].description.split()[0] in text


def test_allow_file_accepts_an_existing_path_only(tmp_path, capsys):
    corpus = tmp_path / "my_corpus.txt"
    corpus.write_text("hello", encoding="utf-8")
    args = parse_args(parser(allow_file=True), ["--data", str(corpus)])
    assert args.data == str(corpus) and args.out.replace("\\", "/").endswith("numpy/my_corpus")
    with pytest.raises(SystemExit):
        parse_args(parser(allow_file=True), ["--data", str(tmp_path / "missing.txt")])
    with pytest.raises(SystemExit):
        parse_args(parser(), ["--data", str(corpus)])                 # allow_file가 없으면 경로는 안 된다


def test_non_positive_epochs_are_refused():
    with pytest.raises(SystemExit):
        parse_args(parser(), ["--epochs", "0"])
    with pytest.raises(SystemExit):
        parse_args(parser(), ["--epochs", "two"])


def test_default_data_must_be_a_choice():
    with pytest.raises(ValueError, match="gamma"):
        make_parser("m", "l", "d", ("digits",), "gamma", default_epochs=1)


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


def test_pretrained_weights_unavailable_exits_2_with_one_line(capsys):
    """04장의 PretrainedUnavailable도 cli가 잡는다: traceback 없이 한 줄, exit code 2.

    감싼 library 오류가 여러 줄이어도 한 줄로 이어 출력한다."""
    from importlib import import_module

    vgg = import_module("04_VGG.paper.vgg")

    def main():
        raise vgg.PretrainedUnavailable("vgg16의 pretrained 가중치를 받지 못했습니다(Could not connect\n  to hub):\n"
                                        "인터넷 연결을 확인하세요.")

    with pytest.raises(SystemExit) as exit_info:
        cli(main)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err == ("오류: vgg16의 pretrained 가중치를 받지 못했습니다(Could not connect to hub): "
                   "인터넷 연결을 확인하세요.\n")


def test_other_errors_are_not_swallowed():
    def main():
        raise ValueError("잘못된 인자")

    with pytest.raises(ValueError, match="잘못된 인자"):
        cli(main)


@pytest.mark.slow
def test_a_level_script_stopped_after_one_epoch_and_resumed_equals_two_epochs_straight(tmp_path, capsys,
                                                                                      monkeypatch):
    """02장 L3 `--quick`: `--epochs 1` 뒤 `--epochs 2 --resume` == `--epochs 2` (결과, epoch별 기록, 가중치)."""
    import importlib

    from .training import CHECKPOINT_NAME, fit, load_checkpoint

    mlp_paper = importlib.import_module("02_MLP.paper.mlp_paper")
    trained = []                                                          # 실제로 학습한 epoch 번호

    def counting_fit(*args, **kwargs):
        return fit(*args, callback=lambda epoch, record: trained.append(epoch), **kwargs)

    monkeypatch.setattr(mlp_paper, "fit", counting_fit)
    common = ["--quick", "--threads", "1"]
    straight = mlp_paper.main(common + ["--epochs", "2", "--out", str(tmp_path / "straight")])
    mlp_paper.main(common + ["--epochs", "1", "--out", str(tmp_path / "stopped")])
    torch.manual_seed(7)                                                  # 새 process처럼 전역 난수를 흐트러뜨린다
    trained.clear()
    resumed = mlp_paper.main(common + ["--epochs", "2", "--resume", "--out", str(tmp_path / "stopped")])
    capsys.readouterr()
    assert trained == [1]                                                 # 두 번째 epoch만 학습했다

    def same(result):
        return {k: v for k, v in result.items() if k not in ("seconds", "plots")}

    assert same(resumed) == same(straight) and resumed["epochs"] == 2
    a, b = (load_checkpoint(tmp_path / name / CHECKPOINT_NAME) for name in ("straight", "stopped"))
    assert a["epoch"] == b["epoch"] == 2
    assert {k: v for k, v in a["history"].items() if k != "seconds"} == \
        {k: v for k, v in b["history"].items() if k != "seconds"}
    assert all(torch.equal(a["model"][k], v) for k, v in b["model"].items())


def test_resume_without_a_checkpoint_is_one_sentence_and_exit_code_2(tmp_path, capsys):
    import importlib

    mlp_paper = importlib.import_module("02_MLP.paper.mlp_paper")
    out = tmp_path / "empty"
    with pytest.raises(SystemExit) as exit_info:
        cli(lambda: mlp_paper.main(["--quick", "--resume", "--out", str(out)]))
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith("오류: checkpoint") and err.count("\n") == 1
    assert not out.exists() or not any(out.iterdir())                   # 아무것도 쓰지 않았다
