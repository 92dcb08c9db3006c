"""utils.training 검증: epoch 학습 루프 fit, evaluate, optimizer, checkpoint.

"아무 일도 없어야 하는 가지"(clip 한계 아래의 gradient, accumulate=1)와 train/eval 모드(dropout > 0, BatchNorm)를
직접 확인한다: 이 둘은 loss가 내려가는지만 보는 테스트로는 잡히지 않는다.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from .core import DatasetUnavailable
from .datasets.images import random_crop_flip_batches
from .schedules import cosine_lr, multistep_lr
from .training import (
    CHECKPOINT_NAME,
    History,
    accuracy,
    autocast,
    evaluate,
    fit,
    grad_scaler,
    load_checkpoint,
    make_optimizer,
    parameter_groups,
    rng_states,
    save_checkpoint,
    set_rng_states,
)


def separable(n=64, seed=0):
    """채널 0의 평균 밝기로 class가 정해지는 쉬운 이미지 문제 (NumPy)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n).astype(np.int64)
    X = rng.normal(0, 0.3, (n, 1, 6, 6)).astype(np.float32) + np.where(y == 1, 1.0, -1.0)[:, None, None, None]
    return X.astype(np.float32), y


def tiny_cnn(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(4, 2))


def linear_problem(seed=0):
    torch.manual_seed(seed)
    X = torch.randn(64, 3)
    y = (X @ torch.tensor([1.0, -2.0, 0.5]) > 0).long()
    return X, y


def test_history_and_accuracy():
    history = History()
    history.log(loss=2.0, acc=0.5)
    history.log(loss=1.0, acc=0.75)
    assert history["loss"] == [2.0, 1.0] and history.last("acc") == 0.75 and "acc" in history
    assert history.to_dict() == {"loss": [2.0, 1.0], "acc": [0.5, 0.75]}
    assert accuracy(torch.tensor([[2.0, 1.0], [0.0, 3.0]]), torch.tensor([0, 0])) == 0.5
    assert accuracy(torch.tensor([1.5, -0.5, 0.2]), torch.tensor([1, 0, 0])) == pytest.approx(2 / 3)


def test_fit_lowers_loss_logs_every_key_and_is_repeatable():
    def run():
        X, y = linear_problem()
        model = nn.Linear(3, 2)
        history = fit(model, (X, y), (X, y), epochs=20, optimizer=torch.optim.SGD(model.parameters(), lr=0.5),
                      batch_size=16, metric=accuracy, seed=1, progress=False)
        return history, model, X, y

    history, model, X, y = run()
    assert set(history.values) == {"lr", "train_loss", "train_metric", "test_loss", "test_metric", "seconds"}
    assert all(len(v) == 20 for v in history.values.values())
    assert history["train_loss"][-1] < 0.5 * history["train_loss"][0]
    assert history.last("test_metric") > 0.9
    loss, acc = evaluate(model, X, y, metric=accuracy)
    assert loss == pytest.approx(history.last("test_loss")) and acc == history.last("test_metric")
    again, *_ = run()
    assert again["train_loss"] == history["train_loss"]                    # 같은 seed → 같은 숫자


def test_fit_takes_numpy_pairs_with_augmentation_and_a_metric_name():
    X, y = separable()
    Xt, yt = separable(seed=1)
    model = tiny_cnn()
    loss0, _ = evaluate(model, Xt, yt)
    calls = []

    def augment(images, rng):
        calls.append(rng.integers(1000))
        return images + rng.normal(0, 0.01, images.shape).astype(np.float32)

    history = fit(model, (X, y), (Xt, yt), epochs=8, optimizer=make_optimizer(model, "sgd", 0.1), batch_size=16,
                  augment=augment, metric=accuracy, metric_name="acc", progress=False)
    assert {"train_acc", "test_acc"} <= set(history.values) and len(calls) == 8
    assert history.last("test_loss") < 0.5 * loss0 and history.last("test_acc") >= 0.95


class ModeRecorder(nn.Module):
    """forward마다 train/eval 모드를 기록하는 dropout 모델."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(3, 2)
        self.dropout = nn.Dropout(0.5)
        self.modes = []

    def forward(self, x):
        self.modes.append(self.training)
        return self.dropout(self.linear(x))


def test_fit_trains_in_train_mode_and_evaluates_in_eval_mode_every_epoch():
    X, y = linear_problem()
    model = ModeRecorder()
    fit(model, (X, y), (X, y), epochs=3, optimizer=make_optimizer(model, "sgd", 0.1), batch_size=32,
        progress=False)
    # epoch마다: train batch 2개 (train 모드) → 평가 1번 (eval 모드). 평가 뒤에도 다음 epoch는 train 모드여야 한다.
    assert model.modes == [True, True, False] * 3
    first, _ = evaluate(model, X, y)
    second, _ = evaluate(model, X, y)
    assert first == second                                                 # eval 모드: dropout 꺼짐 → 결정적


def test_fit_updates_batchnorm_running_statistics_only_while_training():
    X, y = separable()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(2 * 4 * 4, 2))
    fit(model, (X, y), None, epochs=1, optimizer=make_optimizer(model, "sgd", 0.01), batch_size=16, progress=False)
    bn = model[1]
    assert bn.num_batches_tracked.item() == 4                              # 64 / 16 = 4 batch
    before = bn.running_mean.clone()
    evaluate(model, X, y)
    assert torch.equal(bn.running_mean, before) and bn.num_batches_tracked.item() == 4


def test_fit_follows_an_epoch_schedule_and_the_last_cosine_epoch_still_learns():
    X, y = separable()
    model = tiny_cnn(seed=5)
    history = fit(model, (X, y), None, epochs=4, optimizer=make_optimizer(model, "sgd", 0.1), batch_size=16,
                  schedule=multistep_lr(0.1, (2,)), seed=7, progress=False)
    assert history["lr"] == pytest.approx([0.1, 0.1, 0.01, 0.01]) and "test_loss" not in history

    model = tiny_cnn(seed=5)
    snapshots = []
    history = fit(model, (X, y), None, epochs=2, optimizer=make_optimizer(model, "sgd", 0.1), batch_size=16,
                  schedule=cosine_lr(0.1, 2), progress=False,
                  callback=lambda epoch, record: snapshots.append(model[-1].weight.detach().clone()))
    assert history["lr"][0] == pytest.approx(0.1) and history["lr"][-1] > 0
    assert not torch.equal(snapshots[0], snapshots[1])                     # 마지막 epoch에도 parameter가 바뀐다


def test_fit_takes_one_kind_of_schedule_an_lr_function_of_the_epoch():
    X, y = linear_problem()
    model = nn.Linear(3, 2)
    optimizer = make_optimizer(model, "sgd", 0.1)
    history = fit(model, (X, y), epochs=3, optimizer=optimizer, schedule=lambda epoch: 0.1 * 0.5 ** epoch,
                  progress=False)
    assert history["lr"] == pytest.approx([0.1, 0.05, 0.025])
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    with pytest.raises(ValueError, match="lr_scheduler"):
        fit(model, (X, y), epochs=3, optimizer=optimizer, schedule=scheduler, progress=False)


def one_epoch(clip=None, accumulate=1, batch_size=None, seed=0):
    X, y = linear_problem()
    torch.manual_seed(seed)
    model = nn.Linear(3, 2)
    fit(model, (X * 3, y), epochs=1, optimizer=torch.optim.SGD(model.parameters(), lr=0.5), batch_size=batch_size,
        clip_grad_norm=clip, accumulate=accumulate, progress=False)
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def test_clip_grad_norm_changes_nothing_below_the_threshold_and_clips_above():
    free = one_epoch()
    assert torch.equal(one_epoch(clip=1e6), free)                          # 한계 아래: 아무 일도 없다
    clipped = one_epoch(clip=1e-3)
    torch.manual_seed(0)
    start = torch.cat([p.detach().flatten() for p in nn.Linear(3, 2).parameters()])
    assert torch.linalg.vector_norm(clipped - start) == pytest.approx(0.5 * 1e-3, rel=1e-4)   # lr · max_norm


def test_gradient_accumulation_equals_one_bigger_batch():
    full = one_epoch(batch_size=None)                                      # 64개로 한 step
    accumulated = one_epoch(batch_size=16, accumulate=4)                   # 16개씩 4번 모아 한 step
    torch.testing.assert_close(accumulated, full, rtol=1e-5, atol=1e-6)
    assert not torch.allclose(one_epoch(batch_size=16), full)              # 모으지 않으면 4 step이라 다르다


def test_fit_refuses_bad_input_and_stops_on_a_non_finite_loss():
    X, y = linear_problem()
    model = nn.Linear(3, 2)
    optimizer = make_optimizer(model, "sgd", 0.1)
    with pytest.raises(ValueError, match="길이"):
        fit(model, (X, y[:-1]), epochs=1, optimizer=optimizer, progress=False)
    with pytest.raises(ValueError, match="epochs"):
        fit(model, (X, y), epochs=0, optimizer=optimizer, progress=False)
    with pytest.raises(ValueError, match="accumulate"):
        fit(model, (X, y), epochs=1, optimizer=optimizer, accumulate=0, progress=False)
    with pytest.raises(TypeError, match="clip_grad_norm"):                 # 모르는 이름은 FitOptions 목록과 함께
        fit(model, (X, y), epochs=1, optimizer=optimizer, clip_grad=1.0, progress=False)
    with pytest.raises(ValueError, match="checkpoint_dir"):
        fit(model, (X, y), epochs=1, optimizer=optimizer, resume=True, progress=False)
    big = nn.Linear(1, 1)
    with pytest.raises(FloatingPointError, match="learning rate"):
        fit(big, (torch.ones(4, 1) * 1e30, torch.zeros(4)), epochs=3, optimizer=torch.optim.SGD(big.parameters(), lr=1),
            loss_fn=lambda out, t: F.mse_loss(out[:, 0], t) * 1e30, progress=False)


def test_make_optimizer_kinds_and_adamw_groups():
    model = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 4), nn.LayerNorm(4), nn.Linear(4, 2))
    sgd = make_optimizer(model, "sgd", 0.1, weight_decay=1e-4, momentum=0.8, nesterov=True)
    assert isinstance(sgd, torch.optim.SGD) and sgd.defaults["nesterov"] and sgd.defaults["momentum"] == 0.8
    adam = make_optimizer(model, "adam", 1e-3, betas=(0.9, 0.98), eps=1e-9)
    assert isinstance(adam, torch.optim.Adam) and adam.defaults["betas"] == (0.9, 0.98)
    adamw = make_optimizer(model, "adamw", 1e-3, weight_decay=0.1)
    assert isinstance(adamw, torch.optim.AdamW)
    decay, no_decay = adamw.param_groups
    assert decay["weight_decay"] == 0.1 and no_decay["weight_decay"] == 0.0
    assert {id(p) for p in decay["params"]} == {id(model[1].weight), id(model[3].weight)}
    assert {id(p) for p in no_decay["params"]} == {id(model[0].weight), id(model[1].bias), id(model[2].weight),
                                                   id(model[2].bias), id(model[3].bias)}
    with pytest.raises(ValueError, match="sgd, adam, adamw"):
        make_optimizer(model, "rmsprop", 0.1)
    with pytest.raises(ValueError, match="lr"):
        make_optimizer(model, "sgd", 0.0)


def test_parameter_groups_count_tied_weights_once_and_accept_a_parameter_list():
    model = nn.Sequential(nn.Embedding(5, 3), nn.Linear(3, 5, bias=False))
    model[1].weight = model[0].weight                                      # 묶인 weight (GPT-2의 LM head처럼)
    groups = parameter_groups(model, 0.1)
    assert sum(len(g["params"]) for g in groups) == 1
    w, b = torch.zeros(2, 2, requires_grad=True), torch.zeros(2, requires_grad=True)
    decay, no_decay = parameter_groups([w, b], 0.1)
    assert decay["params"] == [w] and no_decay["params"] == [b]


# ---------------------------------------------------------------------------
# checkpoint, 난수 상태, autocast
# ---------------------------------------------------------------------------
def test_checkpoint_round_trip_keeps_tensors_and_plain_values(tmp_path):
    model = tiny_cnn()
    state = {"model": model.state_dict(), "step": 7, "names": ["a", "b"], "config": {"lr": 0.1, "x": None}}
    save_checkpoint(tmp_path / "ckpt.pt", state)
    loaded = load_checkpoint(tmp_path / "ckpt.pt")
    assert loaded["step"] == 7 and loaded["names"] == ["a", "b"] and loaded["config"] == {"lr": 0.1, "x": None}
    assert all(torch.equal(loaded["model"][k], v) for k, v in model.state_dict().items())


def test_failed_checkpoint_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    save_checkpoint(path, {"step": 1})
    before = path.read_bytes()

    def broken_save(obj, f):
        open(f, "wb").write(b"half")
        raise OSError("디스크가 찼다")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError):
        save_checkpoint(path, {"step": 2})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.pt"]            # 임시 파일도 남지 않는다


@pytest.mark.parametrize("content", [None, b"", b"garbage" * 20, "truncated", "pickle"])
def test_missing_or_corrupt_checkpoint_is_dataset_unavailable(tmp_path, content):
    path = tmp_path / "ckpt.pt"
    if content == "truncated":
        save_checkpoint(path, {"w": torch.randn(100, 100)})
        content = path.read_bytes()[:2000]
    elif content == "pickle":                                           # weights_only가 막는 임의 객체
        torch.save({"bad": tiny_cnn()}, path)
        content = path.read_bytes()
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DatasetUnavailable, match="ckpt.pt"):
        load_checkpoint(path)
    assert (path.read_bytes() == content) if content is not None else not path.exists()


def test_rng_states_survive_a_weights_only_checkpoint(tmp_path):
    import random

    random.seed(1)
    np.random.seed(2)
    torch.manual_seed(3)
    np.random.rand(3)                                                   # 상태 안의 위치(pos)가 0이 아니도록
    save_checkpoint(tmp_path / "rng.pt", {"rng": rng_states()})
    expected = (random.random(), float(np.random.rand()), float(torch.rand(1)))
    random.seed(9)
    np.random.seed(9)
    torch.manual_seed(9)
    set_rng_states(load_checkpoint(tmp_path / "rng.pt")["rng"])
    assert (random.random(), float(np.random.rand()), float(torch.rand(1))) == expected


def test_autocast_lowers_matmul_precision_only_when_asked():
    layer = nn.Linear(4, 3)
    x = torch.randn(2, 4)
    with autocast("cpu", "float32"):
        assert layer(x).dtype == torch.float32
    with autocast("cpu", "bfloat16"):
        assert layer(x).dtype == torch.bfloat16
    assert layer(x).dtype == torch.float32                              # 블록 밖에서는 그대로
    assert layer.weight.dtype == torch.float32
    with pytest.raises(ValueError, match="float32, bfloat16, float16"):
        autocast("cpu", "float8")


def test_grad_scaler_is_on_for_float16_only():
    assert grad_scaler("cpu", "float16").is_enabled()
    assert not grad_scaler("cpu", "bfloat16").is_enabled()
    assert not grad_scaler("cpu", "float32").is_enabled()


# ---------------------------------------------------------------------------
# fit의 checkpoint·resume과 mixed precision
# ---------------------------------------------------------------------------
def resumable_run(epochs, checkpoint_dir, resume=False, init_seed=0, **options):
    """augmentation (crop·flip), dropout, BatchNorm, momentum, cosine schedule이 모두 있는 작은 학습.

    schedule은 끊긴 run과 이어 간 run 모두 전체 4 epoch 기준이다 (`--epochs 4`로 시작해 2 epoch 뒤에 멈춘 run).
    """
    X, y = separable(n=40)
    Xt, yt = separable(n=16, seed=1)
    torch.manual_seed(init_seed)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Dropout(0.3),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
    optimizer = make_optimizer(model, "sgd", 0.1, weight_decay=5e-4, momentum=0.9)
    history = fit(model, (X, y), (Xt, yt), epochs=epochs, optimizer=optimizer, batch_size=16,
                  schedule=cosine_lr(0.1, 4), augment=lambda images, rng: random_crop_flip_batches(images, rng, pad=1),
                  metric=accuracy, seed=3, checkpoint_dir=checkpoint_dir, resume=resume, progress=False, **options)
    values = {k: v for k, v in history.to_dict().items() if k != "seconds"}    # 벽시계 시간만 뺀다
    return values, model.state_dict()


def test_two_epochs_and_a_resumed_two_equal_four_epochs_straight(tmp_path):
    straight, straight_weights = resumable_run(4, tmp_path / "straight")
    resumable_run(2, tmp_path / "stopped")
    torch.manual_seed(123)                                                 # 다른 process처럼: 전역 난수가 달라도
    np.random.seed(123)
    resumed, resumed_weights = resumable_run(4, tmp_path / "stopped", resume=True, init_seed=99)
    assert resumed == straight and len(resumed["train_loss"]) == 4
    assert all(torch.equal(resumed_weights[k], v) for k, v in straight_weights.items())
    saved = load_checkpoint(tmp_path / "stopped" / CHECKPOINT_NAME)
    assert saved["epoch"] == 4 and saved["history"]["train_loss"] == straight["train_loss"]
    finished, finished_weights = resumable_run(4, tmp_path / "stopped", resume=True, init_seed=7)
    assert finished == straight                                           # 이미 끝난 run: 학습 없이 기록과 가중치
    assert all(torch.equal(finished_weights[k], v) for k, v in straight_weights.items())


@pytest.mark.parametrize("content", [None, b"garbage" * 20, "other"])
def test_resume_from_a_missing_corrupt_or_foreign_checkpoint_is_one_sentence_and_overwrites_nothing(tmp_path,
                                                                                                   content):
    path = tmp_path / CHECKPOINT_NAME
    if content == "other":                                                 # 읽히지만 fit이 쓴 것이 아니다
        save_checkpoint(path, {"step": 3})
        content = path.read_bytes()
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DatasetUnavailable, match=CHECKPOINT_NAME) as error:
        resumable_run(4, tmp_path, resume=True)
    assert "\n" not in str(error.value)
    assert (path.read_bytes() == content) if content is not None else not path.exists()


def test_resume_refuses_a_checkpoint_of_another_model(tmp_path):
    resumable_run(1, tmp_path)
    before = (tmp_path / CHECKPOINT_NAME).read_bytes()
    model = nn.Linear(36, 2)
    X, y = separable(n=40)
    with pytest.raises(DatasetUnavailable, match="맞지 않습니다"):
        fit(model, (X.reshape(40, -1), y), epochs=2, optimizer=make_optimizer(model, "sgd", 0.1), batch_size=16,
            checkpoint_dir=tmp_path, resume=True, progress=False)
    assert (tmp_path / CHECKPOINT_NAME).read_bytes() == before


def test_bfloat16_autocast_trains_and_stays_near_float32():
    """bfloat16은 유효 숫자 8 bit (unit roundoff 2⁻⁸ ≈ 3.9e-3): conv·linear의 입력이 그만큼 반올림된다.

    합은 float32로 하므로 한 loss의 상대 오차는 unit roundoff 몇 개 정도이고, 12 step 동안 parameter가 조금씩
    갈라져도 epoch 평균 loss는 float32의 2% (≈ 5 unit roundoff) 안에 있어야 한다. 같은 값이면 autocast가 꺼진 것이다.
    """
    X, y = separable()
    runs, dtypes = {}, []
    for dtype in ("float32", "bfloat16"):
        model = tiny_cnn(seed=2)
        handle = model[0].register_forward_hook(lambda module, inputs, output: dtypes.append(output.dtype))
        runs[dtype] = fit(model, (X, y), None, epochs=3, optimizer=make_optimizer(model, "sgd", 0.1), batch_size=16,
                          dtype=dtype, progress=False)["train_loss"]
        handle.remove()
    assert set(dtypes[:12]) == {torch.float32} and set(dtypes[12:]) == {torch.bfloat16}
    assert runs["bfloat16"][-1] < 0.5 * runs["bfloat16"][0]                # 학습한다
    np.testing.assert_allclose(runs["bfloat16"], runs["float32"], rtol=2e-2)
    assert runs["bfloat16"] != runs["float32"]


def test_float16_runs_with_the_loss_scaler_and_clipping():
    X, y = separable()
    model = tiny_cnn(seed=2)
    history = fit(model, (X, y), None, epochs=3, optimizer=make_optimizer(model, "sgd", 0.1), batch_size=16,
                  dtype="float16", clip_grad_norm=1e6, progress=False)
    assert history["train_loss"][-1] < 0.5 * history["train_loss"][0]
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_checkpoint_every_k_epochs_and_always_the_last(tmp_path):
    X, y = linear_problem()
    model = nn.Linear(3, 2)
    saved = []

    def read_saved(epoch, record):
        path = tmp_path / CHECKPOINT_NAME
        saved.append(load_checkpoint(path)["epoch"] if path.exists() else None)

    fit(model, (X, y), epochs=5, optimizer=make_optimizer(model, "sgd", 0.1), checkpoint_dir=tmp_path,
        checkpoint_every=2, callback=read_saved, progress=False)
    assert saved == [None, 2, 2, 4, 5]
