"""문자 단위 language model — NumPy LSTM (손 BPTT)으로 Python 표준 라이브러리 소스를 학습한다.

모델 (Karpathy 2015 "The Unreasonable Effectiveness of Recurrent Neural Networks"의 char-rnn과 같은 틀):

    ids (T, B) → Embedding (V, E) → LSTM (E → H) → Dense (H → V) → softmax
    loss = −(1/TB) Σ_{t,b} log p(x_{t+1} | x_{≤t})          (nats per character, 평균)

학습은 무작위 구간 위의 full BPTT: 학습 text에서 길이 T(`--seq-len`)의 무작위 구간을 B개 뽑고, 초기 상태 0에서
시작해 T step 전체를 `LSTM.backward`로 거꾸로 미분한다. 구간 사이에 상태를 잇지 않으므로 truncated BPTT(상태는 잇고
gradient만 k step마다 끊는 것, 연습문제 02)가 아니고, 모델이 보는 문맥은 길어야 T 글자다.
그 다음 gradient 전체의 L2 norm을 `--clip`으로 자르고 (Pascanu et al. 2013), Adam으로 update한다.
validation loss는 뒤쪽 10%의 text에서 잰다.

그림: 학습 곡선, 학습된 LSTM이 text 한 구간을 읽을 때의 gate 값 (i, f, o의 heatmap).
sample: temperature τ로 나눈 logit의 softmax에서 한 글자씩 뽑는다 (τ < 1이면 보수적, τ = 1이면 모델 분포 그대로).

실행:  python -m 06_LSTM_GRU.numpy.charlm_numpy [--quick] [--steps N] [--hidden H] [--cell lstm|gru|rnn]
"""
from __future__ import annotations

import numpy as np

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.datasets import char_vocab, load_text_corpus

from .recurrent import LAYERS, Adam, Dense, Embedding, clip_grad_norm, softmax_cross_entropy

DATA_CHOICES = ("text",)
TEMPERATURES = (0.5, 0.8, 1.0)


class CharLM:
    """Embedding → recurrent 층 하나 → Dense. forward는 logits (T, B, V), backward는 모든 grads를 채운다."""

    def __init__(self, vocab_size: int, embed_dim: int, hidden_size: int, cell: str = "lstm", seed: int = 0,
                 dtype=np.float32):
        rng = np.random.default_rng(seed)
        self.embedding = Embedding(vocab_size, embed_dim, rng=rng, dtype=dtype)
        self.rnn = LAYERS[cell](embed_dim, hidden_size, rng=rng, dtype=dtype)
        self.head = Dense(hidden_size, vocab_size, rng=rng, dtype=dtype)
        self.modules = [self.embedding, self.rnn, self.head]

    def forward(self, ids: np.ndarray, h0=None, c0=None) -> np.ndarray:
        return self.head.forward(self.rnn.forward(self.embedding.forward(ids), h0, c0))      # (T, B, V)

    def backward(self, dlogits: np.ndarray) -> None:
        self.embedding.backward(self.rnn.backward(self.head.backward(dlogits)))

    def n_parameters(self) -> int:
        return sum(p.size for m in self.modules for p in m.params.values())


def random_chunks(ids: np.ndarray, seq_len: int, batch: int, rng: np.random.Generator):
    """길이 seq_len + 1인 무작위 구간 batch개 → 입력 (T, B)와 한 칸 뒤의 정답 (T, B)."""
    starts = rng.integers(0, len(ids) - seq_len - 1, batch)
    chunk = np.stack([ids[s:s + seq_len + 1] for s in starts], axis=1)        # (T+1, B)
    return chunk[:-1], chunk[1:]


def evaluate(model: CharLM, ids: np.ndarray, seq_len: int, n_chunks: int) -> float:
    """앞에서부터 겹치지 않는 n_chunks개 구간의 평균 loss (nats per character). 같은 ids → 같은 값."""
    n_chunks = min(n_chunks, (len(ids) - 1) // seq_len)
    chunk = np.stack([ids[k * seq_len:(k + 1) * seq_len + 1] for k in range(n_chunks)], axis=1)   # (T+1, N)
    return softmax_cross_entropy(model.forward(chunk[:-1]), chunk[1:])[0]


def sample(model: CharLM, itos, stoi, prompt: str, length: int, temperature: float, rng) -> str:
    """prompt를 읽힌 뒤 한 글자씩 뽑는다. 상태 (h, c)를 이어 가므로 step마다 한 글자만 forward한다."""
    if temperature <= 0:
        raise ValueError(f"temperature는 양수여야 합니다: {temperature}")
    ids = np.array([[stoi[c]] for c in prompt])                              # (T, 1)
    logits = model.forward(ids)
    h, c = model.rnn.h_T, getattr(model.rnn, "c_T", None)
    out = []
    for _ in range(length):
        z = logits[-1, 0].astype(np.float64) / temperature
        p = np.exp(z - z.max())
        nxt = int(rng.choice(len(p), p=p / p.sum()))
        out.append(itos[nxt])
        logits = model.forward(np.array([[nxt]]), h, c)
        h, c = model.rnn.h_T, getattr(model.rnn, "c_T", None)
    return prompt + "".join(out)


def plot_gates(model: CharLM, text: str, stoi, path, n_units: int = 16) -> str:
    """학습된 LSTM이 text를 읽는 동안 input / forget / output gate 값 (unit n_units개 × 글자)."""
    import matplotlib.pyplot as plt

    from utils.visualization import save_figure

    model.forward(np.array([[stoi[c]] for c in text]))
    names = {"i": "input gate i", "f": "forget gate f", "o": "output gate o"}
    fig, axes = plt.subplots(3, 1, figsize=(min(14, 0.16 * len(text) + 2), 6.5), layout="constrained", sharex=True)
    for ax, (key, title) in zip(axes, names.items()):
        values = model.rnn.gates[key][:, 0, :n_units].T                        # (units, T)
        image = ax.imshow(values, aspect="auto", cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
        ax.set(title=title, ylabel="unit")
    axes[-1].set_xticks(range(len(text)))
    axes[-1].set_xticklabels([repr(c)[1:-1] for c in text], fontsize=6, family="monospace")
    fig.colorbar(image, ax=axes, shrink=0.8)
    fig.suptitle("학습된 LSTM의 gate 값 (글자마다, 처음 16개 unit)")
    return str(save_figure(fig, path))


def train(model: CharLM, train_ids, val_ids, *, steps: int, seq_len: int, batch: int, lr: float, clip: float,
          eval_every: int, seed: int, eval_chunks: int = 64, progress: bool = True) -> dict:
    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    optimizer = Adam(model.modules, lr=lr)
    history = {"step": [], "train_loss": [], "val_loss": [], "grad_norm": []}
    running, norms = [], []
    bar = tqdm(range(1, steps + 1), desc="charlm/numpy", leave=False, disable=not progress)
    for step in bar:
        x, y = random_chunks(train_ids, seq_len, batch, rng)
        loss, dlogits = softmax_cross_entropy(model.forward(x), y)
        if not np.isfinite(loss):
            raise FloatingPointError(f"loss가 {loss}가 되었습니다: learning rate를 줄여 보세요")
        model.backward(dlogits)
        norms.append(clip_grad_norm(model.modules, clip))
        optimizer.step()
        running.append(loss)
        if step % eval_every == 0 or step == steps:
            history["step"].append(step)
            history["train_loss"].append(float(np.mean(running)))
            history["val_loss"].append(evaluate(model, val_ids, 128, eval_chunks))
            history["grad_norm"].append(float(np.mean(norms)))
            running, norms = [], []
            bar.set_postfix(val=f"{history['val_loss'][-1]:.3f}", refresh=False)
    return history


def main(argv=None) -> dict:
    parser = make_parser("06_LSTM_GRU", "numpy", "문자 단위 language model: NumPy LSTM과 손으로 쓴 BPTT",
                         DATA_CHOICES, "text", default_epochs=1)
    parser.add_argument("--steps", type=int, default=1500, help="Adam update 횟수")
    parser.add_argument("--seq-len", type=int, default=64, help="한 구간의 길이 T (0 상태에서 시작해 구간 전체를 BPTT)")
    parser.add_argument("--batch-size", type=int, default=32, help="mini-batch 크기 B")
    parser.add_argument("--hidden", type=int, default=128, help="hidden 크기 H")
    parser.add_argument("--embed", type=int, default=32, help="embedding 크기 E")
    parser.add_argument("--cell", default="lstm", choices=list(LAYERS), help="recurrent 층 (기본 lstm)")
    parser.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate")
    parser.add_argument("--clip", type=float, default=1.0, help="gradient-norm clipping 상한")
    args = parse_args(parser, argv)
    steps = min(args.steps, 20) if args.quick else args.steps

    seed_everything(args.seed)
    with Timer() as timer, limit_threads(args.threads):
        text = load_text_corpus()
        itos, stoi = char_vocab(text)
        ids = np.array([stoi[c] for c in text], dtype=np.int64)
        split = int(0.9 * len(ids))
        train_ids, val_ids = ids[:split], ids[split:]                           # 뒤쪽 10%가 validation
        model = CharLM(len(itos), args.embed, args.hidden, args.cell, seed=args.seed)
        eval_chunks = 8 if args.quick else 64                                    # validation 구간 수 (각 128글자)
        initial_val = evaluate(model, val_ids, 128, eval_chunks)
        history = train(model, train_ids, val_ids, steps=steps, seq_len=args.seq_len, batch=args.batch_size,
                        lr=args.lr, clip=args.clip, eval_every=max(1, min(100, steps // 10)), seed=args.seed,
                        eval_chunks=eval_chunks)
    rng = np.random.default_rng(args.seed)
    samples = {str(t): sample(model, itos, stoi, "def ", 160, t, rng) for t in TEMPERATURES}
    for t, s in samples.items():
        print(f"--- temperature {t} ---\n{s}\n")

    from utils.visualization import plot_curves

    plots = [str(plot_curves({"train": history["train_loss"], "validation": history["val_loss"]},
                             f"{args.out}/loss_curve.png", title=f"문자 LM (NumPy {args.cell.upper()})",
                             xlabel=f"평가 시점 (×{max(1, min(100, steps // 10))} step)", ylabel="nats / 글자"))]
    if args.cell == "lstm":
        snippet = val_ids[:72]
        plots.append(plot_gates(model, "".join(itos[i] for i in snippet), stoi, f"{args.out}/lstm_gates.png"))
    result = {
        "model": f"CharLM ({args.cell.upper()}, NumPy)", "level": "numpy", "data": args.data,
        "metric": "val_nats_per_char", "value": history["val_loss"][-1], "initial_val_loss": initial_val,
        "ln_vocab": float(np.log(len(itos))), "vocab_size": len(itos), "n_parameters": model.n_parameters(),
        "steps": steps, "seq_len": args.seq_len, "batch_size": args.batch_size, "hidden": args.hidden,
        "lr": args.lr, "clip": args.clip, "threads": args.threads, "history": history, "samples": samples,
        "seconds": timer.seconds, "plots": plots,
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
