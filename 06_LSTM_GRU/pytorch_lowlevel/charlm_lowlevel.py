"""문자 단위 language model — low-level 2층 LSTM (raw tensor + autograd)으로 Python 표준 라이브러리 소스를 학습한다.

    ids (T, B) → embedding[ids] (T, B, E) → recurrent(…, "lstm", num_layers=2) (T, B, H) → @ W_out + b_out (T, B, V)
    loss = cross-entropy 평균 (nats per character)

NumPy 레벨(`numpy/charlm_numpy.py`, 1층)과 같은 데이터·처방(무작위 구간 위의 BPTT, clipping 1.0, Adam)에
층만 둘로 쌓았다. 파라미터는 plain tensor dict이고, recurrent 층은 `recurrent.recurrent`의 손 loop다.
clipping은 `torch.nn.utils.clip_grad_norm_`, update는 `torch.optim.Adam`을 쓴다 (이 장의 주제가 아니므로).

실행:  python -m 06_LSTM_GRU.pytorch_lowlevel.charlm_lowlevel [--quick] [--steps N] [--layers L]
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.datasets import char_vocab, load_text_corpus

from .recurrent import init_params, recurrent

DATA_CHOICES = ("text",)
TEMPERATURES = (0.5, 0.8, 1.0)


def init_model(vocab_size: int, embed: int, hidden: int, layers: int, seed: int) -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed + 1)
    bound = 1.0 / math.sqrt(hidden)
    params = {
        "embedding": torch.randn(vocab_size, embed, generator=generator).requires_grad_(True),         # N(0, 1)
        "W_out": ((torch.rand(hidden, vocab_size, generator=generator) * 2 - 1) * bound).requires_grad_(True),
        "b_out": ((torch.rand(vocab_size, generator=generator) * 2 - 1) * bound).requires_grad_(True),
    }
    params.update(init_params("lstm", embed, hidden, layers, seed=seed))
    return params


def forward(params: dict, ids: torch.Tensor, layers: int, state=None):
    """ids (T, B) 정수 → logits (T, B, V), 마지막 상태 (h_n, c_n)."""
    x = params["embedding"][ids]                                               # (T, B, E)
    out, state = recurrent(params, x, "lstm", num_layers=layers, hx=state)   # (T, B, H)
    return out @ params["W_out"] + params["b_out"], state                     # (T, B, V)


def random_chunks(ids: torch.Tensor, seq_len: int, batch: int, generator):
    starts = torch.randint(0, len(ids) - seq_len - 1, (batch,), generator=generator)
    chunk = torch.stack([ids[s:s + seq_len + 1] for s in starts.tolist()], dim=1)         # (T+1, B)
    return chunk[:-1], chunk[1:]


@torch.no_grad()
def evaluate(params, ids: torch.Tensor, layers: int, seq_len: int = 128, n_chunks: int = 64) -> float:
    n_chunks = min(n_chunks, (len(ids) - 1) // seq_len)
    chunk = torch.stack([ids[k * seq_len:(k + 1) * seq_len + 1] for k in range(n_chunks)], dim=1)   # (T+1, N)
    logits, _ = forward(params, chunk[:-1], layers)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), chunk[1:].reshape(-1)).item()


@torch.no_grad()
def sample(params, itos, stoi, prompt: str, length: int, temperature: float, layers: int, generator) -> str:
    ids = torch.tensor([[stoi[c]] for c in prompt])                            # (T, 1)
    logits, state = forward(params, ids, layers)
    out = []
    for _ in range(length):
        probs = torch.softmax(logits[-1, 0] / temperature, dim=0)
        nxt = int(torch.multinomial(probs, 1, generator=generator))
        out.append(itos[nxt])
        logits, state = forward(params, torch.tensor([[nxt]]), layers, state)
    return prompt + "".join(out)


def main(argv=None) -> dict:
    parser = make_parser("06_LSTM_GRU", "pytorch_lowlevel", "문자 단위 language model: low-level 다층 LSTM",
                         DATA_CHOICES, "text", default_epochs=1)
    parser.add_argument("--steps", type=int, default=1000, help="Adam update 횟수")
    parser.add_argument("--seq-len", type=int, default=64, help="한 구간의 길이 T (0 상태에서 시작해 구간 전체를 BPTT)")
    parser.add_argument("--batch-size", type=int, default=32, help="mini-batch 크기 B")
    parser.add_argument("--hidden", type=int, default=128, help="hidden 크기 H")
    parser.add_argument("--embed", type=int, default=32, help="embedding 크기 E")
    parser.add_argument("--layers", type=int, default=2, help="LSTM 층 수")
    parser.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate")
    parser.add_argument("--clip", type=float, default=1.0, help="gradient-norm clipping 상한")
    args = parse_args(parser, argv)
    steps = min(args.steps, 10) if args.quick else args.steps
    eval_every = max(1, min(100, steps // 10))
    eval_chunks = 8 if args.quick else 64                                     # validation 구간 수 (각 128글자)

    seed_everything(args.seed)
    from tqdm.auto import tqdm

    with Timer() as timer, limit_threads(args.threads):
        text = load_text_corpus()
        itos, stoi = char_vocab(text)
        ids = torch.tensor([stoi[c] for c in text])
        split = int(0.9 * len(ids))
        train_ids, val_ids = ids[:split], ids[split:]
        params = init_model(len(itos), args.embed, args.hidden, args.layers, args.seed)
        optimizer = torch.optim.Adam(params.values(), lr=args.lr)
        generator = torch.Generator().manual_seed(args.seed)
        initial_val = evaluate(params, val_ids, args.layers, n_chunks=eval_chunks)
        history = {"step": [], "train_loss": [], "val_loss": []}
        running = []
        for step in tqdm(range(1, steps + 1), desc="charlm/lowlevel", leave=False):
            x, y = random_chunks(train_ids, args.seq_len, args.batch_size, generator)
            logits, _ = forward(params, x, args.layers)
            loss = F.cross_entropy(logits.reshape(-1, len(itos)), y.reshape(-1))
            if not torch.isfinite(loss):
                raise FloatingPointError(f"loss가 {loss.item()}가 되었습니다: learning rate를 줄여 보세요")
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params.values(), args.clip)
            optimizer.step()
            running.append(loss.item())
            if step % eval_every == 0 or step == steps:
                history["step"].append(step)
                history["train_loss"].append(float(np.mean(running)))
                history["val_loss"].append(evaluate(params, val_ids, args.layers, n_chunks=eval_chunks))
                running = []
    samples = {str(t): sample(params, itos, stoi, "def ", 160, t, args.layers, generator) for t in TEMPERATURES}
    for t, s in samples.items():
        print(f"--- temperature {t} ---\n{s}\n")

    from utils.visualization import plot_curves

    plots = [str(plot_curves({"train": history["train_loss"], "validation": history["val_loss"]},
                             f"{args.out}/loss_curve.png", title=f"문자 LM (low-level {args.layers}층 LSTM)",
                             xlabel=f"평가 시점 (×{eval_every} step)", ylabel="nats / 글자"))]
    result = {
        "model": f"CharLM ({args.layers}-layer LSTM, low-level)", "level": "pytorch_lowlevel", "data": args.data,
        "metric": "val_nats_per_char", "value": history["val_loss"][-1], "initial_val_loss": initial_val,
        "ln_vocab": float(np.log(len(itos))), "vocab_size": len(itos),
        "n_parameters": sum(p.numel() for p in params.values()), "steps": steps, "seq_len": args.seq_len,
        "batch_size": args.batch_size, "hidden": args.hidden, "layers": args.layers, "lr": args.lr,
        "clip": args.clip, "threads": args.threads, "history": history, "samples": samples,
        "seconds": timer.seconds, "plots": plots,
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
