"""거꾸로 읽기 — raw tensor로 쌓은 encoder–decoder Transformer (`attention.py`의 함수들 + 파라미터 dict).

과제: 숫자열을 거꾸로 쓴다 (`40213` → `31204`). 출력 위치 i는 입력 위치 T−1−i를 봐야 하므로, 학습된
cross-attention은 반대 대각선(anti-diagonal)이 된다. 길이는 3 … 8, 숫자는 0–9 무작위.

    src ids (B, S) → Dropout(E[ids]·√d + PE) → encoder_layer × N → memory (B, S, d)
    tgt ids (B, T) (BOS …) → Dropout(E[ids]·√d + PE) → decoder_layer × N (causal mask, memory) → @ Eᵀ → logits (B, T, V)

embedding E는 source·target·출력층이 나눠 쓴다 (Vaswani et al. 2017 §3.4). embedding과 PE의 합에 거는 dropout은
§5.4의 두 자리 중 하나다 (다른 하나는 sub-layer 출력; 층 안에 있다). 층은 `attention.encoder_layer` /
`decoder_layer` (post-LN), 파라미터는 `init_layer_params`의 plain tensor dict다. update는 `torch.optim.Adam`
(β2 = 0.98, ε = 1e-9)과 식 (3)의 warm-up 학습률 (이 장의 주제가 아니므로 library를 쓴다).

실행:  python -m 07_Transformer.pytorch_lowlevel.transformer_lowlevel [--quick] [--steps N]
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.schedules import make_scheduler

from ..paper.transformer_paper import inverse_sqrt_warmup_lr
from .attention import (
    add_positional_encoding,
    causal_mask,
    decoder_layer,
    dropout,
    encoder_layer,
    init_layer_params,
    multi_head_attention,
    positional_encoding,
)

DATA_CHOICES = ("reverse",)
FULL_RUN_EXACT_MATCH = "97.4%"  # README의 전체 run (기본 설정, seed 0)이 잰 test exact match
PAD, BOS, EOS = 0, 1, 2
VOCAB = 13                                  # PAD, BOS, EOS, 숫자 0–9 (id 3–12)
MIN_LEN, MAX_LEN = 3, 8


def random_strings(n: int, generator: torch.Generator) -> list[list[int]]:
    lengths = torch.randint(MIN_LEN, MAX_LEN + 1, (n,), generator=generator).tolist()
    return [(torch.randint(0, 10, (L,), generator=generator) + 3).tolist() for L in lengths]


def make_batch(strings: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """src (B, S) = 숫자열, tgt (B, T) = BOS + 거꾸로 + EOS, 오른쪽 PAD."""
    from utils.batching import pad_batch

    return (pad_batch(strings, pad_id=PAD),
            pad_batch([[BOS] + s[::-1] + [EOS] for s in strings], pad_id=PAD))


def init_model(d_model: int, d_ff: int, layers: int, seed: int) -> dict[str, torch.Tensor]:
    """{"embedding": (V, d), "enc{k}.…": 층 k의 파라미터, "dec{k}.…"}. embedding은 N(0, d^−1/2)."""
    generator = torch.Generator().manual_seed(seed)
    params = {"embedding": (torch.randn(VOCAB, d_model, generator=generator) * d_model ** -0.5).requires_grad_(True)}
    for k in range(layers):
        params.update({f"enc{k}.{n}": p for n, p in init_layer_params(d_model, d_ff, False, seed + 1 + k).items()})
        params.update({f"dec{k}.{n}": p for n, p in init_layer_params(d_model, d_ff, True, seed + 101 + k).items()})
    return params


def layer(params: dict, prefix: str) -> dict:
    return {name[len(prefix):]: p for name, p in params.items() if name.startswith(prefix)}


def embed(params: dict, ids: torch.Tensor, table: torch.Tensor, dropout_p: float = 0.0,
          generator: torch.Generator | None = None) -> torch.Tensor:
    """ids (B, T) → Dropout(E[ids]·√d + PE[:T]) (B, T, d). §3.4의 √d, §3.5의 PE, §5.4의 embedding dropout."""
    d = params["embedding"].shape[1]
    x = add_positional_encoding(params["embedding"][ids] * math.sqrt(d), table)           # (B, T, d)
    return dropout(x, dropout_p, generator)


def encode(params, src, n_head, layers, table, dropout_p=0.0, generator=None):
    src_pad = src == PAD                                                                 # (B, S) True = padding
    x = embed(params, src, table, dropout_p, generator)
    for k in range(layers):
        x = encoder_layer(x, layer(params, f"enc{k}."), n_head, src_pad, dropout_p=dropout_p, generator=generator)
    return x, src_pad


def decode(params, tgt_in, memory, src_pad, n_head, layers, table, dropout_p=0.0, generator=None):
    T = tgt_in.shape[1]
    y = embed(params, tgt_in, table, dropout_p, generator)
    for k in range(layers):
        y = decoder_layer(y, memory, layer(params, f"dec{k}."), n_head, causal_mask(T), tgt_in == PAD, src_pad,
                          dropout_p=dropout_p, generator=generator)
    return y @ params["embedding"].T                                                    # (B, T, V)


def loss_fn(params, src, tgt, n_head, layers, table, dropout_p, generator) -> torch.Tensor:
    memory, src_pad = encode(params, src, n_head, layers, table, dropout_p, generator)
    logits = decode(params, tgt[:, :-1], memory, src_pad, n_head, layers, table, dropout_p, generator)
    return F.cross_entropy(logits.reshape(-1, VOCAB), tgt[:, 1:].reshape(-1), ignore_index=PAD)


@torch.no_grad()
def greedy(params, src, n_head, layers, table) -> torch.Tensor:
    memory, src_pad = encode(params, src, n_head, layers, table)
    ys = torch.full((src.shape[0], 1), BOS, dtype=torch.long)
    for _ in range(MAX_LEN + 1):
        next_id = decode(params, ys, memory, src_pad, n_head, layers, table)[:, -1].argmax(-1)
        ys = torch.cat([ys, next_id[:, None]], dim=1)
    return ys[:, 1:]


def exact_match(pred: torch.Tensor, tgt: torch.Tensor) -> float:
    """EOS까지 (EOS 포함) 글자가 모두 같으면 정답."""
    hits = []
    for p, t in zip(pred.tolist(), tgt[:, 1:].tolist()):
        t = t[: t.index(EOS) + 1]
        hits.append(p[: len(t)] == t)
    return float(np.mean(hits))


@torch.no_grad()
def cross_attention(params, src, n_head, layers, table) -> np.ndarray:
    """마지막 decoder 층의 cross-attention (nh, T, S)을 예 하나에 대해 다시 계산한다 (head 평균 전)."""
    memory, src_pad = encode(params, src, n_head, layers, table)
    ys = greedy(params, src, n_head, layers, table)
    tgt_in = torch.cat([torch.full((1, 1), BOS), ys[:, : src.shape[1]]], dim=1)
    y = embed(params, tgt_in, table)
    T = tgt_in.shape[1]
    for k in range(layers):
        p = layer(params, f"dec{k}.")
        if k == layers - 1:                                                             # 층 안의 식을 따라가며 멈춘다
            from .attention import layer_norm
            a, _ = multi_head_attention(y, y, y, layer(p, "self_attn."), n_head, attn_mask=causal_mask(T),
                                        need_weights=False)
            h = layer_norm(y + a, p["norm1.weight"], p["norm1.bias"])
            _, w = multi_head_attention(h, memory, memory, layer(p, "multihead_attn."), n_head,
                                        key_padding_mask=src_pad, average_attn_weights=False)
            return w[0].numpy()
        y = decoder_layer(y, memory, p, n_head, causal_mask(T), None, src_pad)
    raise AssertionError("layers ≥ 1")


def main(argv=None) -> dict:
    parser = make_parser("07_Transformer", "pytorch_lowlevel", "거꾸로 읽기: raw tensor encoder–decoder Transformer",
                         DATA_CHOICES, "reverse", default_epochs=1)
    parser.add_argument("--steps", type=int, default=600, help="Adam update 횟수")
    parser.add_argument("--batch-size", type=int, default=64, help="mini-batch 크기")
    parser.add_argument("--d-model", type=int, default=32, help="d_model")
    parser.add_argument("--heads", type=int, default=2, help="head 수")
    parser.add_argument("--layers", type=int, default=1, help="encoder·decoder 층 수")
    parser.add_argument("--dropout", type=float, default=0.0,
                        help="dropout 확률: embedding + PE, attention weight, sub-layer 출력, FFN 안쪽")
    parser.add_argument("--warmup", type=int, default=100, help="식 (3)의 warmup_steps")
    args = parse_args(parser, argv)
    steps = min(args.steps, 30) if args.quick else args.steps
    d_ff = 4 * args.d_model

    seed_everything(args.seed)
    with Timer() as timer, limit_threads(args.threads):
        generator = torch.Generator().manual_seed(args.seed)
        test_src, test_tgt = make_batch(random_strings(500, torch.Generator().manual_seed(args.seed + 10_000)))
        table = positional_encoding(MAX_LEN + 2, args.d_model)
        params = init_model(args.d_model, d_ff, args.layers, args.seed)
        optimizer = torch.optim.Adam(params.values(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)
        scheduler = make_scheduler(optimizer, inverse_sqrt_warmup_lr(args.d_model, args.warmup))
        losses = []
        for _ in range(steps):
            src, tgt = make_batch(random_strings(args.batch_size, generator))
            loss = loss_fn(params, src, tgt, args.heads, args.layers, table, args.dropout, generator)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
        predictions = greedy(params, test_src, args.heads, args.layers, table)
        accuracy = exact_match(predictions, test_tgt)
        example = test_src[:1, : int((test_src[0] != PAD).sum())]
        weights = cross_attention(params, example, args.heads, args.layers, table)

    from utils.visualization import plot_attention, plot_curves

    digits = [str(i - 3) for i in example[0].tolist()]
    predicted = []
    for i in predictions[0].tolist():
        if i == EOS:
            break
        predicted.append(str(i - 3) if i >= 3 else "?")                                  # PAD·BOS는 "?"
    print(f"예 (test의 첫 열): {''.join(digits)} → greedy {''.join(predicted)!r} (정답 {''.join(digits[::-1])!r})")
    outputs = digits[::-1] + ["</s>"]
    plots = [str(plot_curves({"train": losses}, f"{args.out}/loss_curve.png", title="거꾸로 읽기: train loss",
                             xlabel="step", ylabel="cross-entropy")),
             str(plot_attention(weights.mean(axis=0), f"{args.out}/cross_attention.png",
                                title="cross-attention (마지막 decoder 층, head 평균)", x_labels=digits,
                                y_labels=outputs[: weights.shape[1]]))]
    result = {"model": "Transformer", "level": "pytorch_lowlevel", "data": args.data, "metric": "test_exact_match",
              "value": accuracy, "final_train_loss": float(np.mean(losses[-20:])), "steps": steps,
              "d_model": args.d_model, "heads": args.heads, "layers": args.layers, "threads": args.threads,
              "n_parameters": sum(p.numel() for p in params.values()), "seconds": timer.seconds, "plots": plots}
    result = report(result, args.out)
    if args.quick:
        print(f"이것은 --quick smoke run입니다 ({steps} step: 코드 경로가 도는지만 보며, 거꾸로 읽기를 배우리라 "
              f"기대하지 않습니다). 기본 설정의 전체 run ({args.steps} step)은 test exact match "
              f"{FULL_RUN_EXACT_MATCH}에 닿습니다 (README).")
    return result


__all__ = ["main", "init_model", "encode", "decode", "greedy", "loss_fn"]

if __name__ == "__main__":
    cli(main)
