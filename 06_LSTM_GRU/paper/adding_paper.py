"""Adding problem (Hochreiter & Schmidhuber 1997, Section 5.4 실험 4), T = 100: vanilla RNN vs LSTM vs GRU.

입력 x_t = (값 u_t ~ U[0, 1), marker m_t ∈ {0, 1}), 길이 T = 100. marker가 1인 두 위치 (앞쪽 절반에 하나,
뒤쪽 절반에 하나)의 값의 합을 **마지막 step에서** 맞힌다 (`utils.datasets.load_adding_problem`).
첫 marker는 끝에서 50–100 step 떨어져 있으므로, 그 값을 그만큼 오래 기억해야 한다.

기준선: 항상 1을 예측하면 MSE = Var(u_a + u_b) = 2/12 ≈ 0.167. 기억하지 못하는 모델은 여기에 머문다.
세 모델을 같은 처방으로 학습한다: 마지막 h_T → Linear(H, 1), MSE loss, Adam, gradient-norm clipping.
LSTM의 forget gate bias는 1로 시작한다: 처음에는 cell이 기억을 지우지 않도록 (Jozefowicz, Zaremba & Sutskever
2015, "An Empirical Exploration of Recurrent Network Architectures"가 권하는 값). 그 밖의 초기화는 `nn.LSTM`과 같다.

실행:  python -m 06_LSTM_GRU.paper.adding_paper [--quick] [--steps N] [--hidden H]
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.datasets import load_adding_problem

from .lstm_gru import GRU, LSTM, MODELS

DATA_CHOICES = ("adding",)


class SequenceRegressor(nn.Module):
    """recurrent 층 → 마지막 시각의 h_T → Linear(H, 1). 입력 (B, T, D) (batch_first)."""

    def __init__(self, kind: str, input_size: int, hidden_size: int, forget_bias: float = 1.0):
        super().__init__()
        if kind not in MODELS:
            raise ValueError(f"kind는 {', '.join(MODELS)} 중 하나여야 합니다: {kind!r}")
        self.rnn = MODELS[kind](input_size, hidden_size, batch_first=True)
        if isinstance(self.rnn, LSTM):
            H = hidden_size
            with torch.no_grad():                                       # gate 순서 (i, f, g, o): f는 [H, 2H)
                for cell in self.rnn.cells:
                    cell["ih"].bias[H:2 * H] = forget_bias / 2
                    cell["hh"].bias[H:2 * H] = forget_bias / 2         # b_if + b_hf = forget_bias
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        output, _ = self.rnn(x)                                         # (B, T, H)
        return self.head(output[:, -1]).squeeze(1)                      # (B,)


def input_gradient_norms(model: nn.Module, X: torch.Tensor) -> list[float]:
    """‖∂ŷ/∂x_t‖ (batch 평균)를 t = 1..T마다: 예측이 먼 과거 입력에 얼마나 민감한지 (gradient가 살아 돌아오는지)."""
    model.eval()
    x = X.clone().requires_grad_(True)
    model(x).sum().backward()                                           # 예제끼리 독립: 합의 gradient = 각자의 gradient
    return x.grad.norm(dim=2).mean(dim=0).tolist()                      # (T,)


def train_one(kind: str, data, *, hidden: int, steps: int, lr: float, batch_size: int, clip: float, seed: int,
              eval_every: int, forget_bias: float = 1.0, progress: bool = True) -> dict:
    """Adam + clipping으로 `steps`번 update. eval_every step마다 test MSE를 기록한다."""
    from tqdm.auto import tqdm

    torch.manual_seed(seed)
    model = SequenceRegressor(kind, 2, hidden, forget_bias=forget_bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    X_train, y_train = torch.from_numpy(data.X_train), torch.from_numpy(data.y_train)    # (N, T, 2), (N,)
    X_test, y_test = torch.from_numpy(data.X_test), torch.from_numpy(data.y_test)
    generator = torch.Generator().manual_seed(seed)
    history = {"step": [], "test_mse": [], "train_mse": []}
    probe = X_test[:256]                                                # gradient norm을 재는 고정된 예제
    grad_norms = {"init": input_gradient_norms(model, probe)}
    running = []
    bar = tqdm(range(1, steps + 1), desc=f"adding/{kind}", leave=False, disable=not progress)
    for step in bar:
        model.train()
        idx = torch.randint(len(X_train), (batch_size,), generator=generator)
        loss = nn.functional.mse_loss(model(X_train[idx]), y_train[idx])
        if not torch.isfinite(loss):
            raise FloatingPointError(f"{kind}: loss가 {loss.item()}가 되었습니다: learning rate를 줄여 보세요")
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        running.append(loss.item())
        if step % eval_every == 0 or step == steps:
            model.eval()
            with torch.no_grad():
                test_mse = nn.functional.mse_loss(model(X_test), y_test).item()
            history["step"].append(step)
            history["test_mse"].append(test_mse)
            history["train_mse"].append(float(np.mean(running)))
            running = []
            bar.set_postfix(test_mse=f"{test_mse:.4f}", refresh=False)
    grad_norms["trained"] = input_gradient_norms(model, probe)
    return {"model": model, "history": history, "test_mse": history["test_mse"][-1], "grad_norms": grad_norms}


def run_adding(seed: int, *, kinds=("rnn", "lstm", "gru"), seq_len: int = 100, steps: int = 1500, hidden: int = 32,
               lr: float = 1e-2, batch_size: int = 64, clip: float = 1.0, forget_bias: float = 1.0,
               progress: bool = True) -> dict:
    """실험 하나: seed로 만든 adding 데이터(학습 10,000 / test 1,000)에서 `kinds`의 모델을 같은 처방으로 학습한다.

    기본값이 CLI의 기본 처방이다. 반환: {"runs": {kind: train_one의 결과}, "test_mse": {kind: 마지막 test MSE},
    "baseline_mse": 항상 1을 예측할 때의 test MSE}. `main`과 `06_LSTM_GRU/claims.py`가 이것을 부른다.
    """
    unknown = [k for k in kinds if k not in MODELS]
    if unknown or not kinds:
        raise ValueError(f"kinds는 {', '.join(MODELS)} 중에서 하나 이상이어야 합니다: 받은 {list(kinds)}")
    seed_everything(seed)
    data = load_adding_problem(n_train=10000, n_test=1000, seq_len=seq_len, seed=seed)
    runs = {kind: train_one(kind, data, hidden=hidden, steps=steps, lr=lr, batch_size=batch_size, clip=clip, seed=seed,
                            eval_every=max(1, min(100, steps // 10)), forget_bias=forget_bias, progress=progress)
            for kind in kinds}
    baseline = float(np.mean((data.y_test - 1.0) ** 2))                 # 항상 1을 예측할 때의 test MSE
    return {"runs": runs, "test_mse": {kind: r["test_mse"] for kind, r in runs.items()}, "baseline_mse": baseline}


def plot_learning_curves(histories: dict, baseline: float, path) -> str:
    import matplotlib.pyplot as plt

    from utils.visualization import save_figure

    fig, ax = plt.subplots(figsize=(6.4, 4), layout="constrained")
    for kind, history in histories.items():
        ax.plot(history["step"], history["test_mse"], label=kind.upper())
    ax.axhline(baseline, color="gray", linestyle="--", label=f"기준선 (항상 1): {baseline:.3f}")
    ax.axhline(0.01, color="black", linestyle=":", label="목표 0.01")
    ax.set_yscale("log")
    ax.set(title="Adding problem, T = 100: test MSE", xlabel="update step", ylabel="test MSE (log)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return str(save_figure(fig, path))


def plot_gradient_norms(runs: dict, path) -> str:
    """초기화 직후와 학습 뒤, 시각 t의 입력에 대한 ‖∂ŷ/∂x_t‖ (log scale). 오른쪽 끝이 예측 시각 T."""
    import matplotlib.pyplot as plt

    from utils.visualization import save_figure

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained", sharey=True)
    for ax, stage, title in zip(axes, ("init", "trained"), ("초기화 직후", "학습 뒤")):
        for kind, run in runs.items():
            norms = np.asarray(run["grad_norms"][stage])
            ax.plot(np.arange(1, len(norms) + 1), np.maximum(norms, 1e-30), label=kind.upper())
        ax.set_yscale("log")
        ax.set(title=f"{title}: ‖∂ŷ/∂x_t‖", xlabel="입력 시각 t (예측은 t = T)")
        ax.grid(True, alpha=0.3)
    axes[0].set_ylabel("gradient norm (batch 평균, log)")
    axes[0].legend()
    return str(save_figure(fig, path))


def main(argv=None) -> dict:
    parser = make_parser("06_LSTM_GRU", "paper", "Adding problem (T=100): vanilla RNN vs LSTM vs GRU",
                         DATA_CHOICES, "adding", default_epochs=1)
    parser.add_argument("--steps", type=int, default=1500, help="Adam update 횟수 (모델마다)")
    parser.add_argument("--seq-len", type=int, default=100, help="시퀀스 길이 T (기본 100, 논문의 T)")
    parser.add_argument("--hidden", type=int, default=32, help="hidden 크기 H")
    parser.add_argument("--lr", type=float, default=1e-2,
                        help="Adam learning rate (3e-3에서는 seed 1의 LSTM이 1,500 step 안에 기준선을 벗어나지 못했다)")
    parser.add_argument("--batch-size", type=int, default=64, help="mini-batch 크기")
    parser.add_argument("--clip", type=float, default=1.0, help="gradient-norm clipping 상한")
    parser.add_argument("--forget-bias", type=float, default=1.0, help="LSTM forget gate bias의 시작값 b_if + b_hf")
    parser.add_argument("--models", default="rnn,lstm,gru", help="쉼표로 구분한 모델 (rnn, lstm, gru)")
    args = parse_args(parser, argv)
    kinds = [k.strip() for k in args.models.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in MODELS]
    if unknown or not kinds:
        parser.error(f"--models는 rnn, lstm, gru 중에서 고르세요: 받은 {args.models!r}")
    steps = min(args.steps, 30) if args.quick else args.steps
    seq_len = min(args.seq_len, 20) if args.quick else args.seq_len

    with Timer() as timer, limit_threads(args.threads):
        experiment = run_adding(args.seed, kinds=kinds, seq_len=seq_len, steps=steps, hidden=args.hidden, lr=args.lr,
                                batch_size=args.batch_size, clip=args.clip, forget_bias=args.forget_bias)
    runs, baseline = experiment["runs"], experiment["baseline_mse"]
    plots = [plot_learning_curves({k: r["history"] for k, r in runs.items()}, baseline,
                                  f"{args.out}/adding_learning_curves.png"),
             plot_gradient_norms(runs, f"{args.out}/gradient_norm_over_time.png")]
    test_mse = {kind: r["test_mse"] for kind, r in runs.items()}
    headline = "lstm" if "lstm" in test_mse else kinds[0]
    result = {
        "model": "+".join(k.upper() for k in kinds), "level": "paper", "data": args.data,
        "metric": f"test_mse_{headline}", "value": test_mse[headline], "test_mse": test_mse,
        "baseline_mse": baseline, "seq_len": seq_len, "steps": steps, "hidden": args.hidden, "lr": args.lr,
        "batch_size": args.batch_size, "clip": args.clip, "forget_bias": args.forget_bias, "threads": args.threads,
        "n_parameters": {k: sum(p.numel() for p in r["model"].parameters()) for k, r in runs.items()},
        "curves": {k: r["history"] for k, r in runs.items()},
        "grad_norm_first_over_last": {k: {s: r["grad_norms"][s][0] / r["grad_norms"][s][-1]
                                          for s in ("init", "trained")} for k, r in runs.items()},
        "seconds": timer.seconds, "plots": plots,
    }
    return report(result, args.out)


__all__ = ["GRU", "LSTM", "SequenceRegressor", "main", "run_adding"]

if __name__ == "__main__":
    cli(main)
