"""08장의 step 루프: epoch 대신 optimizer step 수를 센다 (BERT 사전학습과 fine-tuning, §A.2).

BERT의 사전학습은 corpus를 한 바퀴 도는 epoch이 아니라 step 수로 정한다 (논문: batch 256 × 1,000,000 step).
`bert_paper.py`와 `few_labels_paper.py`가 이 루프 하나를 쓴다:

    history = train_steps(model, get_batch, steps=300, optimizer=optimizer, loss_fn=pretraining_loss,
                          schedule=warmup_cosine_lr(1e-3, warmup=30, total=300), clip_grad_norm=1.0)

한 step:  lr ← schedule(step);  g = (1/k) Σ_{j<k} ∇ loss_fn(model(x_j), y_j);  (clip ‖g‖);  optimizer.step().
epoch으로 학습하는 다른 장의 루프는 `utils.training.fit`이다.
"""
from __future__ import annotations

import math
import sys
from collections.abc import Callable

from utils.core import check_positive_int
from utils.training import History


def train_steps(model, get_batch: Callable, *, steps: int, optimizer, loss_fn: Callable,
                schedule: Callable[[int], float] | None = None, eval_every: int | None = None,
                evaluate_fn: Callable | None = None, clip_grad_norm: float | None = None, accumulate: int = 1,
                progress: bool = True, desc: str = "train") -> History:
    """`steps`번 optimizer step을 밟는다. `get_batch(step) -> (x, y)` (이미 device 위에).

    - loss_fn(model(x), y) → scalar tensor.
    - schedule: step(0부터) → lr 함수면 매 step 앞에서 모든 param group의 lr로 쓴다 (예: `warmup_cosine_lr`).
    - accumulate: 한 step에 mini-batch k개의 평균 gradient (get_batch를 k번 부른다).
    - eval_every: 이 간격마다(그리고 마지막 step 뒤에) `evaluate_fn()` → dict를 History에 남긴다
      (key "eval_step"과 함께). evaluate_fn이 모델을 eval 모드로 바꿔도 다음 step에서 train 모드로 돌아간다.
    - History key: step, lr, train_loss (매 step), eval_step과 evaluate_fn이 돌려준 key들 (평가 때마다).
    """
    import torch
    from tqdm.auto import tqdm

    check_positive_int("steps", steps)
    check_positive_int("accumulate", accumulate)
    if eval_every is not None:
        check_positive_int("eval_every", eval_every)
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule은 step → lr 함수여야 합니다: {type(schedule).__name__}")
    params = [p for group in optimizer.param_groups for p in group["params"]]
    history = History()
    bar = tqdm(range(steps), desc=desc, leave=False, disable=None if progress else True, file=sys.stderr)
    for step in bar:
        if schedule is not None:
            for group in optimizer.param_groups:
                group["lr"] = schedule(step)
        lr = optimizer.param_groups[0]["lr"]
        model.train()
        optimizer.zero_grad(set_to_none=True)
        step_loss = 0.0
        for _ in range(accumulate):
            x, y = get_batch(step)
            loss = loss_fn(model(x), y)
            if not math.isfinite(loss.item()):
                raise FloatingPointError(f"step {step}: loss가 {loss.item()}가 되었습니다 — "
                                         "learning rate를 줄여 보세요")
            (loss / accumulate).backward()
            step_loss += loss.item() / accumulate
        if clip_grad_norm is not None:
            torch.nn.utils.clip_grad_norm_(params, clip_grad_norm)
        optimizer.step()
        record = {"step": step, "lr": lr, "train_loss": step_loss}
        history.log(**record)
        if evaluate_fn is not None and eval_every is not None and ((step + 1) % eval_every == 0 or step + 1 == steps):
            metrics = evaluate_fn()
            history.log(eval_step=step + 1, **metrics)
            record.update(metrics)
        bar.set_postfix({k: f"{v:.4f}" for k, v in record.items() if k != "step"}, refresh=False)
    return history
