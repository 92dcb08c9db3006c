"""`step_loop.train_steps`: step 수로 학습하는 08장의 루프 (schedule, gradient accumulation, 평가 간격, clipping)."""
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from utils.schedules import cosine_lr
from utils.training import make_optimizer

from .step_loop import train_steps


def next_token_loss(logits, targets):
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))   # (B·T, V) vs (B·T,)


def test_learns_a_tiny_sequence_model_with_schedule_eval_and_accumulation():
    torch.manual_seed(0)
    vocab, T = 5, 6
    model = nn.Sequential(nn.Embedding(vocab, 16), nn.Linear(16, vocab))   # 다음 token = (현재 + 1) mod 5
    data = torch.arange(200) % vocab
    calls = []

    def get_batch(step):
        calls.append(step)
        starts = torch.randint(0, len(data) - T - 1, (8,))
        x = torch.stack([data[s:s + T] for s in starts])                   # (B, T)
        return x, torch.stack([data[s + 1:s + 1 + T] for s in starts])     # (B, T) 한 칸 민 정답

    def val_loss():
        model.eval()
        with torch.no_grad():
            return {"val_loss": next_token_loss(model(data[:T][None]), data[1:T + 1][None]).item()}

    initial = val_loss()["val_loss"]
    history = train_steps(model, get_batch, steps=60, optimizer=make_optimizer(model, "adamw", 0.05),
                          loss_fn=next_token_loss, schedule=cosine_lr(0.05, 60), eval_every=20, evaluate_fn=val_loss,
                          accumulate=2, progress=False)
    assert calls == [s for s in range(60) for _ in range(2)]                # step마다 get_batch 2번
    assert history["step"] == list(range(60))
    assert history["eval_step"] == [20, 40, 60] and len(history["val_loss"]) == 3
    assert history["lr"] == pytest.approx([cosine_lr(0.05, 60)(s) for s in range(60)])
    assert initial > 1.0 and history["val_loss"][-1] < 0.1 * initial


def test_accumulating_two_halves_equals_one_full_batch_step():
    """accumulate=2로 반 batch 둘의 평균 gradient = batch 하나의 gradient (loss가 평균이므로)."""
    torch.manual_seed(0)
    x, y = torch.randn(8, 3), torch.randint(0, 4, (8,))
    first = nn.Linear(3, 4)
    second = nn.Linear(3, 4)
    second.load_state_dict(first.state_dict())
    halves = iter([(x[:4], y[:4]), (x[4:], y[4:])])
    train_steps(first, lambda step: (x, y), steps=1, optimizer=torch.optim.SGD(first.parameters(), lr=0.1),
                loss_fn=F.cross_entropy, progress=False)
    train_steps(second, lambda step: next(halves), steps=1, optimizer=torch.optim.SGD(second.parameters(), lr=0.1),
                loss_fn=F.cross_entropy, accumulate=2, progress=False)
    for a, b in zip(first.parameters(), second.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-7)


def test_clipping_bounds_the_step_and_bad_arguments_are_clear():
    model = nn.Linear(2, 1, bias=False)
    nn.init.zeros_(model.weight)
    x, y = torch.full((4, 2), 100.0), torch.full((4, 1), 1e4)              # gradient norm이 아주 크다
    train_steps(model, lambda step: (x, y), steps=1, optimizer=torch.optim.SGD(model.parameters(), lr=1.0),
                loss_fn=F.mse_loss, clip_grad_norm=0.5, progress=False)
    assert model.weight.norm().item() == pytest.approx(0.5, rel=1e-5)      # lr 1 × 잘린 norm 0.5
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="steps"):
        train_steps(model, lambda step: (x, y), steps=0, optimizer=optimizer, loss_fn=F.mse_loss)
    with pytest.raises(TypeError, match="schedule"):
        train_steps(model, lambda step: (x, y), steps=1, optimizer=optimizer, loss_fn=F.mse_loss, schedule=0.1)
    with pytest.raises(FloatingPointError, match="step 0"):
        train_steps(model, lambda step: (x, y), steps=1, optimizer=optimizer,
                    loss_fn=lambda out, target: (out * float("nan")).sum())
