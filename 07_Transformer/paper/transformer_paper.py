"""숫자 읽기 (`3052` → `삼천오십이`)를 Vaswani et al. (2017)의 처방 그대로 학습한다: 작은 encoder–decoder.

처방 (논문의 절):
- 모델 `transformer.Transformer`: post-LN, source·target·출력층이 한 행렬 (§3.4), embedding × √d_model + PE.
- §5.3 Adam(β1 = 0.9, β2 = 0.98, ε = 1e-9), 식 (3)의 warm-up 학습률 lrate = d_model^−0.5 · min(s^−0.5, s · warmup^−1.5)
  (이 파일의 `inverse_sqrt_warmup_lr`).
- §5.4 dropout 0.1 (sub-layer 출력, embedding + PE의 합), label smoothing ε_ls = 0.1. attention weight와 FFN 안쪽의
  dropout은 §5.4가 아니라 저자들의 tensor2tensor 코드에서 온 것이다 (같은 0.1; `nn.Transformer`도 같다).
- §6.1 decoding: greedy와 beam search (beam 4, length penalty α = 0.6).
모델 크기는 과제에 맞게 작다 (기본 d_model 64, h 4, d_ff 256, N = 2+2): 논문의 base (N = 6, d_model 512)는
CPU 몇 분 안에 끝나지 않고, 이 과제에는 넘친다.

데이터 (`number_reading.py`): 1 … 99,999,999를 자릿수가 고르게 뽑고, train / validation / test의 수가 겹치지 않는다.
평가는 test 집합 전체의 **exact match** (읽기 전체가 글자 하나까지 같아야 정답).

실행:  python -m 07_Transformer.paper.transformer_paper [--quick] [--steps N] [--d-model D] [--norm-first]
"""
from __future__ import annotations

import math
import numbers
import time

import numpy as np
import torch

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, check_positive_int, limit_threads
from utils.schedules import make_scheduler

from ..number_reading import BOS, EOS, PAD, VOCAB, decode, make_batch, split_numbers
from .transformer import Transformer, beam_search, greedy_decode, label_smoothed_cross_entropy

DATA_CHOICES = ("number_reading",)
MAX_TARGET = 18                 # 가장 긴 읽기 15글자 + EOS, 여유 조금
EXAMPLE_NUMBER = 30_500_427     # 그림에 쓰는 수: 0이 사라지고 "만" 묶음이 있다. 기본 분할 (seed 0)의 train·val·test
                                # 어디에도 없다 (test_paper.py가 확인): 모델이 처음 보는 수
FULL_RUN_EXACT_MATCH = "99.75%"  # README의 전체 run (기본 설정, seed 0)이 잰 test greedy exact match


def inverse_sqrt_warmup_lr(d_model: int, warmup: int, factor: float = 1.0):
    """§5.3 식 (3)의 학습률 (step t → lr):

        lrate = factor · d_model^−0.5 · min(s^−0.5, s · warmup_steps^−1.5),    s = t + 1 (step 번호는 1부터)

    s ≤ warmup에서는 s에 비례해 올라가고 (linear warm-up), 그 뒤로는 1/√s로 줄어든다. 꼭짓점은 s = warmup
    (t = warmup − 1)이고 값은 factor · (d_model · warmup)^−0.5. 논문 값은 d_model = 512, warmup = 4000, factor = 1.
    """
    d_model = check_positive_int("d_model", d_model, 1)
    warmup = check_positive_int("warmup", warmup, 1)
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not math.isfinite(factor) or factor <= 0:
        raise ValueError(f"factor는 유한한 양수여야 합니다: {factor!r}")

    def lr_at(t: int) -> float:
        s = check_positive_int("t", t, 0) + 1
        return factor * d_model ** -0.5 * min(s ** -0.5, s * warmup ** -1.5)

    return lr_at


def trim(ids: torch.Tensor) -> torch.Tensor:
    """오른쪽 끝의 PAD만 있는 열을 잘라 낸다 (batch 안의 가장 긴 길이까지)."""
    width = int((ids != PAD).sum(dim=1).max())
    return ids[:, :width]


def batch_loss(model: Transformer, src: torch.Tensor, tgt: torch.Tensor, epsilon: float) -> torch.Tensor:
    """teacher forcing: 입력 tgt[:, :-1] (BOS …), 정답 tgt[:, 1:] (… EOS). padding 위치는 loss에서 빠진다."""
    logits = model(src, tgt[:, :-1])                                    # (B, T−1, V)
    return label_smoothed_cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt[:, 1:].reshape(-1),
                                        epsilon, ignore_index=PAD)


@torch.no_grad()
def evaluate_loss(model: Transformer, src: torch.Tensor, tgt: torch.Tensor, epsilon: float,
                  batch_size: int = 1000) -> float:
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(src), batch_size):
        s, t = trim(src[i:i + batch_size]), trim(tgt[i:i + batch_size])
        n = int((t[:, 1:] != PAD).sum())
        total += batch_loss(model, s, t, epsilon).item() * n
        count += n
    return total / count


@torch.no_grad()
def decode_all(model: Transformer, src: torch.Tensor, method: str, beam: int, alpha: float,
               batch_size: int = 500) -> list[str]:
    outputs = []
    for i in range(0, len(src), batch_size):
        s = trim(src[i:i + batch_size])
        if method == "greedy":
            ys = greedy_decode(model, s, BOS, EOS, MAX_TARGET)
        else:
            ys = beam_search(model, s, BOS, EOS, MAX_TARGET, beam_size=beam, alpha=alpha)
        outputs += [decode(row) for row in ys]
    return outputs


def train(model: Transformer, data: dict, *, steps: int, batch_size: int, warmup: int, lr_factor: float,
          epsilon: float, eval_every: int, seed: int, progress: bool = True, schedule=None,
          eval_exact_match: bool = True) -> dict:
    """Adam + 식 (3)의 학습률로 `steps`번 update. eval_every마다 validation loss (와 greedy exact match)를 기록한다.

    schedule (step t → lr)을 주면 식 (3) 대신 그것을 쓴다 (theory_measurements.py의 warm-up 없는 비교).
    """
    from tqdm.auto import tqdm

    optimizer = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)
    if schedule is None:
        schedule = inverse_sqrt_warmup_lr(model.d_model, warmup, lr_factor)
    scheduler = make_scheduler(optimizer, schedule)
    generator = torch.Generator().manual_seed(seed)
    src_train, tgt_train = data["train"]
    history = {"step": [], "train_loss": [], "val_loss": [], "val_exact_match": [], "lr": []}
    val_truth = [decode(row) for row in data["val"][1]]
    running = []
    bar = tqdm(range(1, steps + 1), desc="transformer/number_reading", leave=False, disable=not progress)
    for step in bar:
        model.train()
        idx = torch.randint(len(src_train), (batch_size,), generator=generator)
        loss = batch_loss(model, trim(src_train[idx]), trim(tgt_train[idx]), epsilon)
        if not torch.isfinite(loss):
            raise FloatingPointError(f"step {step}: loss가 {loss.item()}가 되었습니다: --lr-factor를 줄여 보세요")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        running.append(loss.item())
        if step % eval_every == 0 or step == steps:
            val = evaluate_loss(model, *data["val"], epsilon)
            history["step"].append(step)
            history["train_loss"].append(float(np.mean(running)))
            history["val_loss"].append(val)
            if eval_exact_match:
                val_greedy = decode_all(model, data["val"][0], "greedy", 1, 0.0)
                history["val_exact_match"].append(float(np.mean([g == t for g, t in zip(val_greedy, val_truth)])))
            history["lr"].append(schedule(step - 1))
            running = []
            bar.set_postfix(val_loss=f"{val:.3f}", refresh=False)
    return history


# ---------------------------------------------------------------------------
# 그림
# ---------------------------------------------------------------------------
def attention_maps(model: Transformer, number: int) -> dict:
    """test 예 하나에 대해 greedy 출력을 만들고, 그 출력을 teacher forcing으로 다시 넣어 층·head마다 weight를 모은다."""
    src, _ = make_batch([number])
    ys = greedy_decode(model, src, BOS, EOS, MAX_TARGET)[0]
    out_ids = [i for i in ys.tolist() if i != PAD]
    tgt_in = torch.tensor([[BOS] + out_ids[:-1]]) if out_ids and out_ids[-1] == EOS else torch.tensor([[BOS] + out_ids])
    modules = model.attention_modules()
    for group in modules.values():
        for m in group:
            m.keep_attention = True
    model.eval()
    with torch.no_grad():
        model(src, tgt_in)
    maps = {kind: [m.attention[0].numpy() for m in group] for kind, group in modules.items()}   # 층마다 (nh, T, S)
    for group in modules.values():
        for m in group:
            m.keep_attention, m.attention = False, None
    src_tokens = [VOCAB[i] for i in src[0].tolist()]
    in_tokens = ["<s>" if i == BOS else VOCAB[i] for i in tgt_in[0].tolist()]
    out_tokens = ["</s>" if i == EOS else VOCAB[i] for i in out_ids]
    return {"maps": maps, "src": src_tokens, "tgt_in": in_tokens, "tgt_out": out_tokens, "reading": decode(ys)}


def plot_attention_grid(maps: list[np.ndarray], x_labels, y_labels, title: str, path) -> str:
    """층(행) × head(열) heatmap 격자. maps: 층마다 (nh, Tq, Tk)."""
    import matplotlib.pyplot as plt

    from utils.visualization import save_figure

    n_layers, n_head = len(maps), maps[0].shape[0]
    fig, axes = plt.subplots(n_layers, n_head, figsize=(2.3 * n_head + 0.6, 2.3 * n_layers + 0.6),
                             layout="constrained", squeeze=False)
    for layer, weights in enumerate(maps):
        for head in range(n_head):
            ax = axes[layer, head]
            ax.imshow(weights[head], cmap="viridis", vmin=0, vmax=1, aspect="auto", interpolation="nearest")
            ax.set_xticks(range(len(x_labels)), x_labels, fontsize=7)
            ax.set_yticks(range(len(y_labels)), y_labels, fontsize=7)
            ax.set_title(f"층 {layer + 1}, head {head + 1}", fontsize=8)
    fig.suptitle(title)
    return str(save_figure(fig, path))


def plot_positional_encoding(d_model: int, max_len: int, path) -> str:
    import matplotlib.pyplot as plt

    from utils.visualization import save_figure

    from .transformer import PositionalEncoding

    pe = PositionalEncoding(d_model, max_len).pe.numpy()
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    image = ax.imshow(pe, cmap="RdBu", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    fig.colorbar(image, ax=ax)
    ax.set(title=f"sinusoidal positional encoding (§3.5), d_model = {d_model}", xlabel="채널 (짝수 sin, 홀수 cos)",
           ylabel="위치 pos")
    return str(save_figure(fig, path))


def plot_schedule(d_model: int, warmup: int, factor: float, steps: int, path) -> str:
    import matplotlib.pyplot as plt

    from utils.visualization import save_figure

    schedule = inverse_sqrt_warmup_lr(d_model, warmup, factor)
    t = np.arange(steps)
    fig, ax = plt.subplots(figsize=(6, 3.4), layout="constrained")
    ax.plot(t + 1, [schedule(i) for i in t], label=f"d_model = {d_model}, warmup = {warmup}")
    base = inverse_sqrt_warmup_lr(512, 4000)
    ax.plot(t + 1, [base(i) for i in t], linestyle="--", label="논문 base: d_model = 512, warmup = 4000")
    ax.axvline(warmup, color="gray", linestyle=":")
    ax.set(title="식 (3): lrate = d_model^−0.5 · min(s^−0.5, s · warmup^−1.5)", xlabel="step s",
           ylabel="learning rate")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return str(save_figure(fig, path))


def plot_losses(history: dict, path) -> str:
    from utils.visualization import plot_curves

    return str(plot_curves({"train": history["train_loss"], "validation": history["val_loss"]}, path,
                           title="label-smoothed cross-entropy (ε = 0.1)",
                           xlabel=f"평가 시점 (step {history['step'][0]}마다)", ylabel="loss (nats/token)"))


# ---------------------------------------------------------------------------
def main(argv=None) -> dict:
    parser = make_parser("07_Transformer", "paper", "숫자 읽기 (3052 → 삼천오십이): 작은 Transformer encoder–decoder",
                         DATA_CHOICES, "number_reading", default_epochs=1)
    parser.add_argument("--steps", type=int, default=1200, help="Adam update 횟수 (800에서 test 99.5%%, 여유를 둔 값)")
    parser.add_argument("--batch-size", type=int, default=128, help="mini-batch 크기")
    parser.add_argument("--d-model", type=int, default=64, help="d_model (논문 base 512)")
    parser.add_argument("--heads", type=int, default=4, help="head 수 h (논문 8)")
    parser.add_argument("--layers", type=int, default=2, help="encoder·decoder 층 수 N (논문 6)")
    parser.add_argument("--d-ff", type=int, default=256, help="FFN 안쪽 크기 d_ff (논문 2048)")
    parser.add_argument("--dropout", type=float, default=0.1, help="P_drop (§5.4)")
    parser.add_argument("--norm-first", action="store_true",
                        help="pre-LN 층 (Xiong et al. 2020; theory.md 6절). 기본은 논문의 post-LN")
    parser.add_argument("--label-smoothing", type=float, default=0.1, help="ε_ls (§5.4)")
    parser.add_argument("--warmup", type=int, default=400, help="식 (3)의 warmup_steps (논문 4000)")
    parser.add_argument("--lr-factor", type=float, default=1.0, help="식 (3)에 곱하는 상수 (논문 1)")
    parser.add_argument("--beam", type=int, default=4, help="beam 크기 (§6.1: 4)")
    parser.add_argument("--alpha", type=float, default=0.6, help="length penalty α (§6.1: 0.6)")
    parser.add_argument("--n-train", type=int, default=20000, help="학습 수의 개수")
    parser.add_argument("--n-test", type=int, default=2000, help="test 수의 개수 (학습과 겹치지 않음)")
    args = parse_args(parser, argv)
    steps, n_train, n_test = (min(args.steps, 20), 200, 50) if args.quick else (args.steps, args.n_train, args.n_test)
    n_val = 50 if args.quick else 500
    batch_size = min(args.batch_size, 32) if args.quick else args.batch_size

    seed_everything(args.seed)
    with Timer() as timer, limit_threads(args.threads):
        numbers = split_numbers(n_train, n_val, n_test, seed=args.seed)
        data = {name: make_batch(nums) for name, nums in zip(("train", "val", "test"), numbers)}
        torch.manual_seed(args.seed)
        model = Transformer(len(VOCAB), args.d_model, args.heads, args.layers, args.layers, args.d_ff, args.dropout,
                            max_len=32, pad_id=PAD, norm_first=args.norm_first)
        cpu_start = time.process_time()                 # 기계를 나눠 쓰면 벽시계보다 CPU 시간이 공정하다
        with Timer() as train_timer:
            history = train(model, data, steps=steps, batch_size=batch_size, warmup=args.warmup,
                            lr_factor=args.lr_factor, epsilon=args.label_smoothing,
                            eval_every=max(1, min(100, steps // (2 if args.quick else 10))), seed=args.seed)
        train_cpu_seconds = time.process_time() - cpu_start
        test_numbers = numbers[2]
        truth = [decode(row) for row in data["test"][1]]
        greedy = decode_all(model, data["test"][0], "greedy", args.beam, args.alpha)
        with Timer() as beam_timer:
            beamed = decode_all(model, data["test"][0], "beam", args.beam, args.alpha)
        greedy_exact = float(np.mean([g == t for g, t in zip(greedy, truth)]))
        beam_exact = float(np.mean([b == t for b, t in zip(beamed, truth)]))
        failures = [{"number": int(n), "expected": t, "greedy": g, "beam": b}
                    for n, t, g, b in zip(test_numbers, truth, greedy, beamed) if g != t or b != t]
        example = attention_maps(model, EXAMPLE_NUMBER)

    out = args.out
    titles = {"encoder_self": "encoder self-attention (query = 숫자, key = 숫자)",
              "decoder_self": "decoder self-attention, causal (query = 다음 글자를 낼 위치)",
              "cross": f"cross-attention: {EXAMPLE_NUMBER} → {example['reading']} (query = 출력 위치, key = 숫자)"}
    axes = {"encoder_self": (example["src"], example["src"]),
            "decoder_self": (example["tgt_in"], example["tgt_in"]),
            "cross": (example["src"], [f"{a}→{b}" for a, b in zip(example["tgt_in"], example["tgt_out"])])}
    plots = [plot_attention_grid(example["maps"][kind], *axes[kind], titles[kind], f"{out}/attention_{kind}.png")
             for kind in ("encoder_self", "decoder_self", "cross")]
    plots += [plot_positional_encoding(args.d_model, 32, f"{out}/positional_encoding.png"),
              plot_schedule(args.d_model, args.warmup, args.lr_factor, max(steps, 2 * args.warmup),
                            f"{out}/learning_rate.png"),
              plot_losses(history, f"{out}/loss_curves.png")]
    print(f"예 (test의 첫 수): {test_numbers[0]} → greedy {greedy[0]!r}, beam {beamed[0]!r} (정답 {truth[0]!r})")
    result = {
        "model": "Transformer", "level": "paper", "data": args.data, "metric": "test_exact_match_greedy",
        "value": greedy_exact, "exact_match": {"greedy": greedy_exact, "beam": beam_exact},
        "n_test": len(truth), "n_failures": len(failures), "failures": failures[:20],
        "example": {"number": EXAMPLE_NUMBER, "reading": example["reading"]},
        "n_parameters": sum(p.numel() for p in model.parameters()), "steps": steps,
        "config": {k: v for k, v in model.config.items()}, "warmup": args.warmup, "lr_factor": args.lr_factor,
        "batch_size": batch_size, "label_smoothing": args.label_smoothing, "beam": args.beam,
        "alpha": args.alpha, "threads": args.threads, "history": history,
        "train_seconds": train_timer.seconds, "train_cpu_seconds": train_cpu_seconds,
        "beam_seconds": beam_timer.seconds, "seconds": timer.seconds, "plots": plots,
        "sample": {"number": int(test_numbers[0]), "expected": truth[0], "greedy": greedy[0], "beam": beamed[0]},
    }
    result = report(result, out)
    if args.quick:
        print(f"이것은 --quick smoke run입니다 ({steps} step, 학습 수 {n_train}개: 코드 경로가 도는지만 보며, 읽기를 "
              f"배우리라 기대하지 않습니다 — exact match 0이 정상). 기본 설정의 전체 run (1,200 step, 학습 20,000개)은 "
              f"test greedy exact match {FULL_RUN_EXACT_MATCH}에 닿습니다 (README).")
    return result


__all__ = ["main", "train", "attention_maps", "decode_all"]

if __name__ == "__main__":
    cli(main)
