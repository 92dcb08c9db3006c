"""BPE token 위의 GPT-2 (L3): 한국어 corpus에 byte-level BPE를 학습하고, 같은 token으로 작은 GPT-2를 학습한다.

1. tokenizer: `09_GPT/bpe.py`의 byte-level BPE를 train 쪽 text에 `--merges`번 학습 (GPT-2 Section 2.2).
   merge 수에 따른 압축률 (byte / token)을 그림으로 남기고, 같은 한국어 validation text를 영어로 학습한 BPE로 자를 때
   문자당 token 수가 얼마인지도 잰다 (theory.md 5절의 표).
2. model: `paper/gpt.py`의 GPT (pre-LN, ln_f, tanh GELU, 묶인 lm_head, 1/√(2L) residual 초기화),
   nanoGPT의 CPU 처방 크기 (4층, 4 head, 128 폭, block 64, batch 12, dropout 0),
   AdamW (β = (0.9, 0.99), weight decay 0.1; bias·LayerNorm·embedding 제외 — minGPT의 규칙, `utils.training`),
   lr 1e-3 warm-up 100 → cosine 1e-4,
   gradient clipping 1.0. 학습 루프는 장의 학습기와 같은 하나 (`09_GPT/train.py`의 `train_loop`);
   batch는 seed로 시작한 generator 하나에서 step마다 차례로 뽑는 block (`data.random_blocks`).
3. 결과: validation loss (token당 nats)와 문자당 nats (= loss × token 수 / 문자 수: tokenizer가 달라도 비교된다),
   KV cache로 뽑은 sample, 그림 (loss 곡선, 한 sample의 attention, BPE vocabulary 성장).

데이터: `korean` (기본) = 이 저장소의 한국어 문서를 모아 고정한 파일 (`utils/datasets/corpora/korean_prose.txt`),
`english` = `pydoc_data.topics`, 또는 UTF-8 파일 경로.
앞 90% train / 뒤 10% validation (`data.split_text`).

실행:  python -m 09_GPT.paper.gpt_paper [--quick] [--iters N] [--merges M] [--threads 1]
"""
from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
import torch

from utils import distributed
from utils.cli import choose_device, cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.datasets import load_dataset
from utils.schedules import warmup_cosine_lr
from utils.training import History, make_optimizer
from utils.visualization import plot_attention, plot_curves, save_figure

from ..bpe import BPE
from ..data import DATA_CHOICES, load_text, random_blocks, split_text
from ..train import estimate_loss, train_loop
from .gpt import GPT, GPTConfig

FULL_RUN_VAL_LOSS = 3.73        # README의 전체 run (python -m 09_GPT.paper.gpt_paper --threads 1, 2026-12-06)이 잰 값


def build_parser():
    parser = make_parser("GPT", "paper", "BPE token 위의 GPT-2 (한국어 corpus, KV cache 생성)", DATA_CHOICES, "korean",
                         default_epochs=1, allow_file=True)
    parser.add_argument("--iters", type=int, default=2000, help="학습 iteration 수")
    parser.add_argument("--merges", type=int, default=1000, help="BPE merge 수 (vocab = 256 + merges)")
    parser.add_argument("--n-layer", type=int, default=4)
    parser.add_argument("--n-head", type=int, default=4)
    parser.add_argument("--n-embd", type=int, default=128)
    parser.add_argument("--block-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=12)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--min-lr", type=float, default=1e-4)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--dropout", type=float, default=0.0)
    parser.add_argument("--eval-interval", type=int, default=250)
    parser.add_argument("--eval-iters", type=int, default=20)
    parser.add_argument("--sample-tokens", type=int, default=120)
    return parser


def plot_vocab_growth(history: list[int], n_bytes: int, path, title: str) -> Path:
    """merge 수 k에 따른 압축률 (UTF-8 byte 수 / token 수)."""
    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    ax.plot(range(len(history)), [n_bytes / t for t in history])
    ax.set(title=title, xlabel="merge 수 (vocab = 256 + merge)", ylabel="byte / token")
    ax.grid(True, alpha=0.3)
    return save_figure(fig, path)                                   # 한글 font는 save_figure가 씌운다


def train_model(args, data_name: str) -> dict:
    """BPE 학습 → token → GPT 학습. main과 `decoding_measurements.py`가 함께 쓴다.

    돌려주는 dict: tokenizer, growth (merge마다 token 수), model, train / val (token tensor), train_text, val_text,
    history, initial_loss, train_seconds, bpe_seconds, tokens_per_char, device.
    """
    text = load_text(args.data)
    if args.quick:
        text = text[:60_000]
    train_text, val_text = split_text(text, 0.1)
    with Timer() as bpe_timer:
        tokenizer, growth = BPE.train(train_text, args.merges, return_history=True)
    device = choose_device(args.device)
    train = torch.tensor(tokenizer.encode(train_text), dtype=torch.long).to(device)
    val = torch.tensor(tokenizer.encode(val_text), dtype=torch.long).to(device)

    # 같은 validation text를 다른 언어로 학습한 BPE로 자르면 문자당 token이 몇 개인가 (theory.md 5절)
    other = "english" if data_name == "korean" else "korean"
    other_text = load_dataset(other)[:len(train_text)]
    other_tokenizer = BPE.train(other_text, args.merges)
    tokens_per_char = {f"bpe_{data_name}": len(val) / len(val_text),
                       f"bpe_{other}": len(other_tokenizer.encode(val_text)) / len(val_text),
                       "bytes": len(val_text.encode("utf-8")) / len(val_text)}

    torch.manual_seed(args.seed)
    config = GPTConfig(block_size=args.block_size, vocab_size=len(tokenizer), n_layer=args.n_layer,
                       n_head=args.n_head, n_embd=args.n_embd, embd_pdrop=args.dropout,
                       attn_pdrop=args.dropout, resid_pdrop=args.dropout)
    model = GPT(config).to(device)
    # utils.training.make_optimizer의 AdamW: 행렬만 decay, bias·LayerNorm·embedding은 빼는 minGPT의 규칙.
    # (L2 `gpt_lowlevel`은 nanoGPT처럼 embedding도 decay한다: README의 두 run은 이 점도 다르다)
    optimizer = make_optimizer(model, "adamw", lr=args.lr, weight_decay=0.1, betas=(0.9, 0.99))
    g = torch.Generator().manual_seed(args.seed)                    # batch 위치: step마다 이 generator에서 차례로
    evaluate = lambda: estimate_loss(model, val, args.block_size, args.batch_size,   # noqa: E731
                                     args.eval_iters, args.seed + 1)
    initial_loss = evaluate()
    with Timer() as train_timer:
        rows = train_loop(model, optimizer, lambda step: random_blocks(train, args.block_size, args.batch_size, g),
                          steps=args.iters, schedule=warmup_cosine_lr(args.lr, args.warmup, args.iters,
                                                                      final=args.min_lr),
                          grad_clip=1.0, ctx=distributed.Context(device=device), seed=args.seed,
                          evaluate=evaluate, eval_every=args.eval_interval, progress=True, desc="gpt/paper")
    history = History()                                             # step마다 train_loss, 평가마다 eval_step·val_loss
    for row in rows:
        history.log(step=row["step"] - 1, lr=row["lr"], train_loss=row["loss"])
        if "val_loss" in row:
            history.log(eval_step=row["step"], val_loss=row["val_loss"])
    return {"tokenizer": tokenizer, "growth": growth, "model": model, "train": train, "val": val,
            "train_text": train_text, "val_text": val_text, "history": history, "initial_loss": initial_loss,
            "train_seconds": train_timer.seconds, "bpe_seconds": bpe_timer.seconds,
            "tokens_per_char": tokens_per_char, "device": device}


def smoke_run_note(result: dict) -> list[str]:
    """--quick의 마지막 줄들: smoke run이라는 것, 처음 loss와 ln V, 전체 run이 닿는 값, 깨진 글자(�)의 뜻."""
    lines = [f"처음 validation loss {result['initial_loss']:.3f} nats/token ≈ ln V = ln {result['vocab_size']} = "
             f"{math.log(result['vocab_size']):.3f} (균등 분포에서 시작), 마지막 {result['value']:.3f}.",
             "이것은 --quick smoke run입니다 (40 step, BPE 150 merge: 모든 코드 경로가 도는지만 보며 학습을 기대하지 "
             f"않습니다). 전체 run (2000 step, BPE 1000 merge)은 validation loss {FULL_RUN_VAL_LOSS} nats/token에 "
             "닿습니다 (README)."]
    if "\ufffd" in result["sample"]:
        lines.append("sample의 �는 모델이 여러 byte로 된 글자(한글은 UTF-8로 3 byte)의 일부 byte만 낸 자리입니다: "
                     "byte-level BPE의 token은 글자 경계를 모르므로, 완전하지 않은 byte 열은 U+FFFD로 바꿔 "
                     "보여 줍니다.")
    return lines


def main(argv=None) -> dict:
    parser = build_parser()
    args = parse_args(parser, argv)
    if args.quick:
        args.iters, args.merges, args.eval_interval, args.eval_iters = 40, 150, 20, 4
        args.n_layer, args.n_embd, args.warmup, args.sample_tokens = 2, 64, 5, 30
    if not 0 <= args.warmup < args.iters:
        parser.error(f"--warmup은 0 이상, --iters({args.iters})보다 작아야 합니다: {args.warmup}")
    seed_everything(args.seed)
    out = Path(args.out)
    data_name = args.data if args.data in DATA_CHOICES else Path(args.data).stem
    with limit_threads(args.threads), Timer() as timer:
        run = train_model(args, data_name)
        model, tokenizer, history = run["model"], run["tokenizer"], run["history"]
        val, val_text, device = run["val"], run["val_text"], run["device"]
        tokens_per_s = args.iters * args.batch_size * args.block_size / run["train_seconds"]
        val_loss = history.last("val_loss")
        eval_steps = [int(s) for s in history["eval_step"]]
        windows = [history["train_loss"][max(0, s - args.eval_interval):s] for s in eval_steps]
        train_curve = [sum(w) / len(w) for w in windows]                # 평가 사이 구간의 train loss 평균

        model.eval()
        prompt_text = val_text[:40]
        prompt = torch.tensor([tokenizer.encode(prompt_text)[-args.block_size // 2:]], dtype=torch.long).to(device)
        torch.manual_seed(args.seed)
        sample_ids = model.generate(prompt, min(args.sample_tokens, args.block_size - prompt.size(1)),
                                    do_sample=True, temperature=0.8, top_k=50)
        sample = tokenizer.decode(sample_ids[0].tolist())
        print("--- sample ---\n" + sample + "\n--------------")

        probe = torch.tensor([tokenizer.encode(val_text[:60])[:20]], dtype=torch.long).to(device)
        x = model.transformer.wte(probe) + model.transformer.wpe(torch.arange(probe.size(1), device=device))
        weights = model.transformer.h[0].attn.attention_weights(model.transformer.h[0].ln_1(x))   # (1, nh, T, T)
        labels = [tokenizer.decode([i]).replace("\n", "\\n") for i in probe[0].tolist()]
        plots = [
            str(plot_curves({"train": train_curve, "validation": history["val_loss"]}, out / "loss_curve.png",
                            title=f"BPE GPT-2 ({data_name}) loss", xlabel=f"평가 횟수 (×{args.eval_interval} step)",
                            ylabel="cross-entropy / token")),
            str(plot_attention(weights[0, 0], out / "attention.png", title="첫 층 head 0의 attention",
                               x_labels=labels, y_labels=labels)),
            str(plot_vocab_growth(run["growth"], len(run["train_text"].encode("utf-8")), out / "bpe_vocab_growth.png",
                                  title=f"BPE 학습 ({data_name}): merge 수와 압축률")),
        ]
    result = {
        "model": "GPT", "level": "paper", "data": data_name, "metric": "val_loss", "value": val_loss,
        "seconds": timer.seconds, "iters": args.iters, "initial_loss": run["initial_loss"],
        "ln_vocab": math.log(len(tokenizer)),
        "final_train_loss": train_curve[-1], "val_nats_per_char": val_loss * len(val) / len(val_text),
        "vocab_size": len(tokenizer), "parameters": model.num_parameters(), "tokens_per_s": tokens_per_s,
        "bpe_seconds": run["bpe_seconds"], "train_tokens": len(run["train"]), "val_tokens": len(val),
        "train_chars": len(run["train_text"]), "val_chars": len(val_text), "tokens_per_char": run["tokens_per_char"],
        "history": {"eval_step": eval_steps, "train_loss": train_curve, "val_loss": history["val_loss"]},
        "sample": sample, "plots": plots,
    }
    result = report(result, out)
    if args.quick:
        print("\n".join(smoke_run_note(result)))
    return result


if __name__ == "__main__":
    cli(main)
