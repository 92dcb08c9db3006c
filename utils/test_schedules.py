"""schedules 검증: 손으로 계산한 값, torch.optim.lr_scheduler와의 일치, cosine의 마지막 step, warm-up, 잘못된 인자."""
import math

import numpy as np
import pytest
import torch

from .gradcheck import F64_ATOL, F64_RTOL
from .schedules import (
    cosine_lr,
    hold_then_cosine_lr,
    make_scheduler,
    multistep_lr,
    warmup_cosine_lr,
)

R2 = math.sqrt(2.0)


def values(schedule, n):
    return [schedule(t) for t in range(n)]


def assert_close(actual, expected):
    assert actual == pytest.approx(expected, rel=F64_RTOL, abs=F64_ATOL)


# ---------------------------------------------------------------------------
# 손으로 계산한 값
# ---------------------------------------------------------------------------
def test_multistep_lr_by_hand():
    # milestone 2와 5에서 /10: t=0,1 → 0.1; t=2..4 → 0.01; t=5 → 0.001
    assert_close(values(multistep_lr(0.1, (2, 5)), 6), [0.1, 0.1, 0.01, 0.01, 0.01, 0.001])


def test_cosine_by_hand():
    # total=4: cos(π t/4) = 1, √2/2, 0, −√2/2, −1
    s = cosine_lr(1.0, total=4)
    assert_close(values(s, 5), [1.0, (2 + R2) / 4, 0.5, (2 - R2) / 4, 0.0])
    # final ≠ 0: 0.1 + 1.0 · ½(1 + cos(π/2)) = 0.6 가운데, t = total에서 final
    s = cosine_lr(1.1, total=2, final=0.1)
    assert_close(values(s, 3), [1.1, 0.6, 0.1])
    assert s(100) == pytest.approx(0.1)                                       # total 뒤로는 final에 머문다


def test_cosine_two_epochs_trains_at_half_lr_in_the_last_epoch():
    # 옛 규약(t = total−1에서 final)은 2 epoch에 [0.1, 0.0]을 주어 마지막 epoch가 아무것도 배우지 않았다.
    assert_close(values(cosine_lr(0.1, total=2), 2), [0.1, 0.05])


@pytest.mark.parametrize("total", [1, 2, 3, 6, 8, 30, 1000])
@pytest.mark.parametrize("final", [0.0, 1e-3])
def test_last_step_of_every_cosine_is_above_final(total, final):
    assert cosine_lr(0.1, total, final)(total - 1) > final
    assert hold_then_cosine_lr(0.1, total)(total - 1) > 0
    if total > 1:
        assert warmup_cosine_lr(0.1, total // 2, total, final)(total - 1) > final


def test_warmup_cosine_by_hand():
    # warmup=3: 1/4, 2/4, 3/4, 꼭짓점 1 (t=3), 그 뒤 cosine 4 step: (2+√2)/4, 1/2, (2−√2)/4, 0 (t=total=7)
    s = warmup_cosine_lr(1.0, warmup=3, total=7)
    assert_close(values(s, 8), [0.25, 0.5, 0.75, 1.0, (2 + R2) / 4, 0.5, (2 - R2) / 4, 0.0])
    # final = 0.2: t=5은 cosine의 가운데 → 0.2 + 0.8/2 = 0.6
    assert_close(warmup_cosine_lr(1.0, 3, 7, final=0.2)(5), 0.6)


def test_warmup_cosine_shape():
    warmup, total = 10, 50
    lr = values(warmup_cosine_lr(3e-4, warmup, total, final=3e-5), total)
    assert lr[0] > 0                                                          # 첫 step도 학습한다
    assert np.all(np.diff(lr[:warmup + 1]) > 0)                               # warm-up: 엄격히 증가
    assert np.all(np.diff(lr[warmup:]) < 0)                                   # 그 뒤 엄격히 감소
    assert int(np.argmax(lr)) == warmup and lr[warmup] == pytest.approx(3e-4)
    np.testing.assert_allclose(np.diff(lr[:warmup + 1]), 3e-4 / (warmup + 1), rtol=F64_RTOL)   # 같은 폭으로 오른다


def test_warmup_zero_is_plain_cosine():
    assert_close(values(warmup_cosine_lr(0.5, 0, 9, 0.05), 10), values(cosine_lr(0.5, 9, 0.05), 10))


def test_hold_then_cosine_by_hand():
    # total=6: tail=2. t<4 → base; k=0: ½(1+cos(π/3)) = 3/4; k=1: ½(1+cos(2π/3)) = 1/4
    assert_close(values(hold_then_cosine_lr(1.0, 6), 6), [1, 1, 1, 1, 0.75, 0.25])
    # total=9: tail=3. k=0,1,2: cos(π/4), cos(π/2), cos(3π/4)
    assert_close(values(hold_then_cosine_lr(2.0, 9), 9), [2] * 6 + [(2 + R2) / 2, 1.0, (2 - R2) / 2])
    # total=1: tail=1, 유일한 step이 k=0 → ½(1+cos(π/2)) = 1/2
    assert_close(hold_then_cosine_lr(0.1, 1)(0), 0.05)


def old_hold_then_cosine(epoch, epochs, base):
    """02–06의 --quick 결과를 만든 이전 공식을 NumPy로 따로 적은 것 (결과가 바뀌지 않음을 확인한다)."""
    tail = max(1, epochs // 3)
    k = epoch - (epochs - tail)
    return base if k < 0 else base * 0.5 * (1 + float(np.cos(np.pi * (k + 1) / (tail + 1))))


@pytest.mark.parametrize("total", range(1, 31))
def test_hold_then_cosine_matches_previous_formula(total):
    s = hold_then_cosine_lr(0.05, total)
    assert_close(values(s, total), [old_hold_then_cosine(t, total, 0.05) for t in range(total)])


# ---------------------------------------------------------------------------
# torch.optim.lr_scheduler와 한 run 전체에서 같다
# ---------------------------------------------------------------------------
def torch_lrs(make, base, n):
    """torch scheduler를 n step 돌리며 각 t에서의 lr."""
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base)
    sched = make(opt)
    lrs = []
    for _ in range(n):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def test_multistep_lr_equals_torch():
    got = values(multistep_lr(0.1, [5, 12, 30], 0.2), 40)
    want = torch_lrs(lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [5, 12, 30], gamma=0.2), 0.1, 40)
    assert_close(got, want)


@pytest.mark.parametrize("total,final", [(2, 0.0), (8, 0.0), (37, 1e-3), (200, 0.0)])
def test_cosine_equals_torch(total, final):
    got = values(cosine_lr(0.1, total, final), total)
    want = torch_lrs(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=total, eta_min=final), 0.1, total)
    assert_close(got, want)


# ---------------------------------------------------------------------------
# make_scheduler
# ---------------------------------------------------------------------------
def test_make_scheduler_sets_every_group_to_schedule():
    w, b = torch.nn.Parameter(torch.ones(3)), torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.AdamW([{"params": [w], "lr": 1.0}, {"params": [b], "lr": 5.0, "weight_decay": 0.0}])
    schedule = warmup_cosine_lr(1e-3, warmup=4, total=20, final=1e-4)
    sched = make_scheduler(opt, schedule)
    for t in range(20):
        assert [g["lr"] for g in opt.param_groups] == [schedule(t), schedule(t)]
        assert sched.get_last_lr() == [schedule(t), schedule(t)]
        opt.step()
        sched.step()


def test_make_scheduler_drives_sgd_updates():
    # SGD: w ← w − lr · grad, grad = 1 → 한 step에 정확히 lr만큼 줄어든다
    w = torch.nn.Parameter(torch.zeros((), dtype=torch.float64))
    opt = torch.optim.SGD([w], lr=123.0)                                     # 처음 lr은 무시된다
    schedule = cosine_lr(0.5, total=4)
    sched = make_scheduler(opt, schedule)
    for _ in range(4):
        w.grad = torch.ones((), dtype=torch.float64)
        opt.step()
        sched.step()
    # lr = 0.5 · (1, (2+√2)/4, 1/2, (2−√2)/4) → 합 0.5 · 2.5
    assert_close(float(w.detach()), -0.5 * (1.0 + (2 + R2) / 4 + 0.5 + (2 - R2) / 4))


def test_make_scheduler_rejects_bad_input():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(ValueError, match="optimizer"):
        make_scheduler([torch.zeros(1)], cosine_lr(0.1, 5))
    with pytest.raises(ValueError, match="schedule"):
        make_scheduler(opt, 0.1)
    with pytest.raises(ValueError, match=r"schedule\(0\)"):
        make_scheduler(opt, lambda t: float("nan"))


# ---------------------------------------------------------------------------
# 잘못된 인자
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("make,name", [
    (lambda: cosine_lr(0.0, 5), "base"),
    (lambda: cosine_lr(float("inf"), 5), "base"),
    (lambda: multistep_lr(-0.1, [3]), "base"),
    (lambda: multistep_lr(0.1, [3], gamma=0.0), "gamma"),
    (lambda: multistep_lr(0.1, [5, 3]), "milestones"),
    (lambda: multistep_lr(0.1, [0, 3]), "milestones"),
    (lambda: multistep_lr(0.1, [3, 3]), "milestones"),
    (lambda: multistep_lr(0.1, []), "milestones"),
    (lambda: cosine_lr(0.1, 0), "total"),
    (lambda: cosine_lr(0.1, 10, final=0.1), "final"),
    (lambda: cosine_lr(0.1, 10, final=-1e-3), "final"),
    (lambda: warmup_cosine_lr(0.1, 10, 10), "warmup"),
    (lambda: warmup_cosine_lr(0.1, 11, 10), "warmup"),
    (lambda: warmup_cosine_lr(0.1, -1, 10), "warmup"),
    (lambda: warmup_cosine_lr(0.0, 1, 10), "base"),
    (lambda: hold_then_cosine_lr(0.1, 0), "total"),
    (lambda: hold_then_cosine_lr(-0.1, 5), "base"),
])
def test_bad_arguments_name_the_argument(make, name):
    with pytest.raises(ValueError, match=name):
        make()


@pytest.mark.parametrize("schedule", [multistep_lr(0.1, [2]), cosine_lr(0.1, 5), warmup_cosine_lr(0.1, 2, 5),
                                      hold_then_cosine_lr(0.1, 5)])
def test_step_must_be_non_negative_integer(schedule):
    for bad in (-1, 1.5):
        with pytest.raises(ValueError, match="t="):
            schedule(bad)
    assert schedule(np.int64(1)) == schedule(1)                             # NumPy 정수도 받는다
