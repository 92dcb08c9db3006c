"""Learning-rate schedule: 한 곳에 모은 순수 함수들. 각 함수는 `t -> lr` callable을 돌려준다.

t는 0부터 세는 step(또는 epoch) 번호다. 한 run이 `total` step이면 t = 0, 1, …, total−1에서 학습한다.
schedule 자체는 Python `math`만 쓰므로 NumPy 레벨(L1)도 그대로 쓸 수 있고, PyTorch 레벨은
`make_scheduler(optimizer, schedule)`로 `torch.optim.lr_scheduler` 객체를 만든다 (torch는 그 함수 안에서만 import).

쓰는 곳: 03–05, 10의 classifier 학습(hold-then-cosine·multi-step·cosine·warm-up + cosine), 08 BERT·09 GPT·
12 CLIP(linear warm-up + cosine). 한 장만 쓰는 schedule은 그 장에 있다 (07장의 Vaswani et al. 2017 식 3은
`07_Transformer/paper/transformer_paper.py`).

cosine 규약 (모든 cosine schedule에 공통):
    lr(t) = final + (base − final) · ½ · (1 + cos(π · t / total))
t = total에서 비로소 final이 된다. 따라서 마지막으로 학습하는 step t = total − 1의 lr은 final보다 크다 —
"마지막 epoch가 lr 0으로 아무것도 배우지 않는" 일이 없다. `torch.optim.lr_scheduler.CosineAnnealingLR(T_max=total,
eta_min=final)`와 같은 값이다.

    schedule = warmup_cosine_lr(6e-4, warmup=100, total=5000, final=6e-5)
    scheduler = make_scheduler(optimizer, schedule)   # optimizer의 lr = schedule(0)
    for t in range(5000):
        ...; optimizer.step(); scheduler.step()      # 이제 lr = schedule(t + 1)
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

from utils.core import check_positive_int

Schedule = Callable[[int], float]


# ---------------------------------------------------------------------------
# 인자 검사 (잘못된 인자는 이름을 밝힌 ValueError)
# ---------------------------------------------------------------------------
def _positive_float(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name}는 유한한 양수여야 합니다: {value!r}")
    return float(value)


def _final_below_base(final, base: float) -> float:
    if isinstance(final, bool) or not isinstance(final, numbers.Real) or not 0 <= final < base:
        raise ValueError(f"final은 0 이상, base({base})보다 작은 수여야 합니다: {final!r}")
    return float(final)


def _step(t) -> int:
    """schedule이 받는 t를 검사한다: 0 이상의 정수."""
    return check_positive_int("t", t, 0)


def _half_cosine(base: float, final: float, progress: float) -> float:
    """progress 0 → base, progress 1 → final인 반 주기 cosine. progress는 [0, 1]로 자른다."""
    progress = min(progress, 1.0)
    return final + (base - final) * 0.5 * (1.0 + math.cos(math.pi * progress))


# ---------------------------------------------------------------------------
# 기본 schedule
# ---------------------------------------------------------------------------
def multistep_lr(base: float, milestones: Sequence[int], gamma: float = 0.1) -> Schedule:
    """t가 milestone을 하나 지날 때마다 gamma를 곱한다: lr(t) = base · gamma^(t ≥ m인 milestone m의 개수).

    He et al. (2016)의 "32k, 48k iteration에서 lr을 10으로 나눈다"가 이것이다 (`MultiStepLR`과 같다).
    milestones는 1 이상의 정수로, 엄격한 오름차순이어야 한다.
    """
    base = _positive_float("base", base)
    gamma = _positive_float("gamma", gamma)
    milestones = tuple(milestones)
    if not milestones or any(isinstance(m, bool) or not isinstance(m, numbers.Integral) or m < 1 for m in milestones) \
            or any(a >= b for a, b in zip(milestones, milestones[1:])):
        raise ValueError(f"milestones는 1 이상의 정수를 엄격한 오름차순으로 하나 이상 담아야 합니다: {milestones!r}")
    milestones = tuple(int(m) for m in milestones)

    def lr_at(t: int) -> float:
        t = _step(t)
        return base * gamma ** sum(t >= m for m in milestones)

    return lr_at


def cosine_lr(base: float, total: int, final: float = 0.0) -> Schedule:
    """cosine annealing (Loshchilov & Hutter 2017, SGDR의 한 주기): lr(t) = final + (base−final)·½(1+cos(π t/total)).

    t = 0에서 base, t = total에서 final. 학습하는 마지막 step t = total−1에서는 final보다 크다.
    t ≥ total이면 final에 머문다. `CosineAnnealingLR(T_max=total, eta_min=final)`과 같은 값.
    """
    base = _positive_float("base", base)
    total = check_positive_int("total", total, 1)
    final = _final_below_base(final, base)

    def lr_at(t: int) -> float:
        return _half_cosine(base, final, _step(t) / total)

    return lr_at


def warmup_cosine_lr(base: float, warmup: int, total: int, final: float = 0.0) -> Schedule:
    """linear warm-up 뒤 cosine decay (nanoGPT `get_lr`의 규약). BERT·GPT·CLIP 학습이 이 모양이다.

        t < warmup:           lr(t) = base · (t + 1) / (warmup + 1)
        warmup ≤ t:           lr(t) = final + (base − final) · ½ · (1 + cos(π · (t − warmup) / (total − warmup)))

    warm-up은 t = 0에서 base/(warmup+1)로 시작해 (0이 아니므로 첫 step도 학습한다) 한 step마다 같은 폭으로 올라가고,
    t = warmup에서 꼭짓점 base에 닿는다. 그 뒤 cosine이 t = total에서 final이 되므로 마지막 step t = total−1은
    final보다 크다. warmup = 0이면 `cosine_lr(base, total, final)`과 같다. 0 ≤ warmup < total이어야 한다.
    """
    base = _positive_float("base", base)
    total = check_positive_int("total", total, 1)
    warmup = check_positive_int("warmup", warmup, 0)
    if warmup >= total:
        raise ValueError(f"warmup({warmup})은 total({total})보다 작아야 합니다")
    final = _final_below_base(final, base)

    def lr_at(t: int) -> float:
        t = _step(t)
        if t < warmup:
            return base * (t + 1) / (warmup + 1)
        return _half_cosine(base, final, (t - warmup) / (total - warmup))

    return lr_at


def hold_then_cosine_lr(base: float, total: int) -> Schedule:
    """처음 약 2/3는 base 그대로, 마지막 tail = max(1, ⌊total/3⌋) step은 cosine으로 0 가까이 줄인다.

        t < total − tail:   lr(t) = base
        그 뒤 k = t − (total − tail) = 0, 1, …, tail−1:   lr(t) = base · ½ · (1 + cos(π · (k + 1) / (tail + 1)))

    tail의 마지막 step(k = tail−1)도 cos(π·tail/(tail+1)) > −1이므로 lr > 0이다. 끝 무렵의 작은 lr이
    작은 데이터에서 epoch마다의 정확도 흔들림을 줄인다 (02–06 classifier 학습의 기본 schedule).
    """
    base = _positive_float("base", base)
    total = check_positive_int("total", total, 1)
    tail = max(1, total // 3)

    def lr_at(t: int) -> float:
        k = _step(t) - (total - tail)                          # tail 안에서 0, 1, …
        if k < 0:
            return base
        return base * 0.5 * (1.0 + math.cos(math.pi * (k + 1) / (tail + 1)))

    return lr_at


# ---------------------------------------------------------------------------
# PyTorch optimizer에 붙이기
# ---------------------------------------------------------------------------
def make_scheduler(optimizer, schedule: Schedule):
    """모든 param group의 lr을 schedule(t)로 맞추는 `torch.optim.lr_scheduler.LambdaLR`을 만든다.

    LambdaLR은 lr = initial_lr · λ(t)이므로 각 group의 `initial_lr`을 1.0으로 두고 λ = schedule로 한다:
    만든 직후 lr = schedule(0), `.step()`을 k번 부르면 lr = schedule(k). group마다 처음 lr이 달라도
    모두 schedule(t)가 된다 (group마다 다른 lr이 필요하면 schedule을 group별로 따로 쓰는 대신 optimizer를 나눈다).
    schedule이 음수나 유한하지 않은 lr을 돌려주면 ValueError.
    """
    from torch.optim import Optimizer
    from torch.optim.lr_scheduler import LambdaLR

    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"optimizer는 torch.optim.Optimizer여야 합니다: {type(optimizer).__name__}")
    if not callable(schedule):
        raise ValueError(f"schedule은 t -> lr callable이어야 합니다: {schedule!r}")

    def factor(t: int) -> float:
        lr = schedule(t)
        if not isinstance(lr, numbers.Real) or not math.isfinite(lr) or lr < 0:
            raise ValueError(f"schedule({t})은 0 이상의 유한한 lr이어야 합니다: {lr!r}")
        return float(lr)

    for group in optimizer.param_groups:
        group["initial_lr"] = 1.0                              # LambdaLR: lr = initial_lr · schedule(t) = schedule(t)
    return LambdaLR(optimizer, lr_lambda=factor)
