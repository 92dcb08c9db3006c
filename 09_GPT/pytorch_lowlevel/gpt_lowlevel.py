"""문자 단위 GPT를 raw tensor로 학습한다: nanoGPT의 CPU 처방 (`config/train_shakespeare_char.py`를 CPU에 맞춘 것).

    4층, 4 head, n_embd 128, block 64, batch 12, 2000 iteration, dropout 0,
    lr 1e-3: 100 step linear warm-up → cosine으로 1e-4까지 (`utils.schedules.warmup_cosine_lr`),
    AdamW (β = (0.9, 0.99), weight decay 0.1, 행렬만) — `gpt.adamw_step`에 손으로 쓴 것, gradient clipping 1.0.

데이터 (기본 `english`): Python과 함께 설치되는 영어 산문 `pydoc_data.topics` (`utils.datasets.load_english_prose`),
앞 90% train / 뒤 10% validation (`09_GPT/data.py`의 `split_text`). `--data korean`은 이 저장소의 한국어 문서,
`--data 경로`는 아무 UTF-8 텍스트 파일. validation loss는 무작위 block 20개 × batch의 평균 (nanoGPT `estimate_loss`).

실행:  python -m 09_GPT.pytorch_lowlevel.gpt_lowlevel [--quick] [--iters N] [--threads 1]
"""
from __future__ import annotations

import math
from pathlib import Path

import torch

from utils.cli import choose_device, cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.datasets import char_vocab
from utils.schedules import warmup_cosine_lr
from utils.visualization import plot_attention, plot_curves

from ..data import load_text, random_blocks, split_text
from . import gpt as L2

DATA_CHOICES = ("english", "korean")
FULL_RUN_VAL_LOSS = 1.339       # README의 전체 run (python -m 09_GPT.pytorch_lowlevel.gpt_lowlevel --threads 1)


def build_parser():
    parser = make_parser("GPT", "pytorch_lowlevel", "문자 단위 GPT (raw tensor, 손으로 쓴 attention과 AdamW)",
                         DATA_CHOICES, "english", default_epochs=1, allow_file=True)
    parser.add_argument("--iters", type=int, default=2000, help="학습 iteration 수 (기본 2000, nanoGPT CPU 처방)")
    parser.add_argument("--n-layer", type=int, default=4)
    parser.add_argument("--n-head", type=int, default=4)
    parser.add_argument("--n-embd", type=int, default=128)
    parser.add_argument("--block-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=12)
    parser.add_argument("--lr", type=float, default=1e-3, help="최고 learning rate (warm-up 뒤)")
    parser.add_argument("--min-lr", type=float, default=1e-4, help="cosine이 끝나는 learning rate")
    parser.add_argument("--warmup", type=int, default=100, help="linear warm-up step 수")
    parser.add_argument("--eval-interval", type=int, default=250)
    parser.add_argument("--eval-iters", type=int, default=20)
    parser.add_argument("--sample-chars", type=int, default=400, help="마지막에 뽑을 문자 수")
    return parser


@torch.no_grad()
def estimate_loss(params, data, config, eval_iters, batch_size, seed) -> float:
    """같은 seed의 무작위 block `eval_iters`개에서 평균 loss (평가할 때마다 같은 block)."""
    g = torch.Generator().manual_seed(seed)
    losses = []
    for _ in range(eval_iters):
        x, y = random_blocks(data, config.block_size, batch_size, g)
        losses.append(L2.cross_entropy(L2.forward(params, x, config), y).item())
    return sum(losses) / len(losses)


def main(argv=None) -> dict:
    args = parse_args(build_parser(), argv)
    if args.quick:
        args.iters, args.eval_interval, args.eval_iters, args.sample_chars = 60, 30, 4, 40
        args.n_layer, args.n_embd, args.warmup = 2, 64, 10
    seed_everything(args.seed)
    out = Path(args.out)
    with limit_threads(args.threads), Timer() as timer:
        text = load_text(args.data)
        train_text, val_text = split_text(text, 0.1)
        itos, stoi = char_vocab(text)
        device = choose_device(args.device)
        train = torch.tensor([stoi[c] for c in train_text], dtype=torch.long).to(device)
        val = torch.tensor([stoi[c] for c in val_text], dtype=torch.long).to(device)
        config = L2.Config(block_size=args.block_size, vocab_size=len(itos), n_layer=args.n_layer,
                           n_head=args.n_head, n_embd=args.n_embd, dropout=0.0)
        params = {name: p.detach().to(device).requires_grad_()        # CPU에서 같은 난수로 만들고 옮긴다
                  for name, p in L2.init_params(config, torch.Generator().manual_seed(args.seed)).items()}
        schedule = warmup_cosine_lr(args.lr, args.warmup, args.iters, final=args.min_lr)
        g = torch.Generator().manual_seed(args.seed)
        state, history = {}, {"step": [], "train_loss": [], "val_loss": []}
        initial_loss = estimate_loss(params, val, config, args.eval_iters, args.batch_size, args.seed + 1)
        train_losses = []
        with Timer() as train_timer:
            for step in range(args.iters):
                x, y = random_blocks(train, config.block_size, args.batch_size, g)
                loss = L2.cross_entropy(L2.forward(params, x, config, training=True), y)
                for p in params.values():
                    p.grad = None
                loss.backward()
                L2.clip_grad_norm(params, 1.0)
                L2.adamw_step(params, state, lr=schedule(step), betas=(0.9, 0.99), weight_decay=0.1)
                train_losses.append(loss.item())
                if (step + 1) % args.eval_interval == 0 or step + 1 == args.iters:
                    val_loss = estimate_loss(params, val, config, args.eval_iters, args.batch_size, args.seed + 1)
                    history["step"].append(step + 1)
                    history["train_loss"].append(sum(train_losses[-args.eval_interval:]) /
                                                 len(train_losses[-args.eval_interval:]))
                    history["val_loss"].append(val_loss)
                    print(f"step {step + 1:5d}  train {history['train_loss'][-1]:.4f}  val {val_loss:.4f}")
        tokens_per_s = args.iters * args.batch_size * config.block_size / train_timer.seconds

        prompt = torch.tensor([[stoi[c] for c in val_text[:config.block_size // 2]]], device=device)
        torch.manual_seed(0)                                                # sampling은 전역 RNG (device와 무관)
        sample_ids = L2.generate(params, prompt, args.sample_chars, config)
        sample = "".join(itos[i] for i in sample_ids[0].tolist())
        print("--- sample ---\n" + sample + "\n--------------")

        probe = torch.tensor([[stoi[c] for c in val_text[:24]]], device=device)
        _, maps = L2.forward(params, probe, config, return_attention=True)
        labels = [repr(c)[1:-1] for c in val_text[:24]]
        plots = [
            str(plot_curves({"train": history["train_loss"], "validation": history["val_loss"]},
                            out / "loss_curve.png", title="문자 단위 GPT (L2) loss",
                            xlabel=f"평가 횟수 (×{args.eval_interval} step)", ylabel="cross-entropy")),
            str(plot_attention(maps[-1][0, 0], out / "attention.png", title="마지막 층 head 0의 attention",
                               x_labels=labels, y_labels=labels)),
        ]
    result = {
        "model": "GPT", "level": "pytorch_lowlevel", "data": Path(args.data).stem if args.data not in DATA_CHOICES
        else args.data, "metric": "val_loss", "value": history["val_loss"][-1], "seconds": timer.seconds,
        "iters": args.iters, "initial_loss": initial_loss, "final_train_loss": history["train_loss"][-1],
        "vocab_size": config.vocab_size, "parameters": L2.parameter_count(params),
        "tokens_per_s": tokens_per_s, "train_chars": len(train_text), "val_chars": len(val_text),
        "ln_vocab": math.log(config.vocab_size), "history": history, "sample": sample, "plots": plots,
    }
    result = report(result, out)
    if args.quick:
        print(f"처음 validation loss {initial_loss:.3f} nats/문자 ≈ ln V = ln {config.vocab_size} = "
              f"{math.log(config.vocab_size):.3f} (균등 분포에서 시작), 마지막 {result['value']:.3f}.")
        print(f"이것은 --quick smoke run입니다 ({args.iters} step, 2층 64폭: 모든 코드 경로가 도는지만 보며 학습을 "
              f"기대하지 않습니다). 전체 run (2000 step, 4층 128폭)은 validation loss {FULL_RUN_VAL_LOSS} nats/문자에 "
              "닿습니다 (README).")
    return result


if __name__ == "__main__":
    cli(main)
