"""theory.md의 측정 세 가지를 다시 만든다.

1. softmax 포화 (§2): q, k의 성분이 N(0, 1)이면 q·k의 분산은 d_k. 1/√d_k로 나누지 않으면 d_k가 클수록 softmax가
   one-hot에 가까워진다. 행마다 가장 큰 weight의 평균과, 그 행에서 score에 대한 softmax Jacobian의 크기를 잰다.
2. post-LN vs pre-LN (§6, Xiong et al. 2020): 초기화 직후 층마다 FFN 두 번째 행렬 W_2의 gradient norm.
   `nn.TransformerEncoderLayer(norm_first=False / True)` (dropout 0), pre-LN은 stack 끝에 LayerNorm.
3. warm-up (§6, `--training`): 숫자 읽기를 6+6층 L3 Transformer로 학습한다. post-LN / pre-LN × 식 (3)의 warm-up /
   warm-up 없음 (첫 step부터 꼭짓점 학습률, 그 뒤는 같은 1/√s 감소) 네 가지, 같은 seed·같은 batch 순서.
   seed 하나의 예시다 (seed에 따른 흔들림은 재지 않는다).

실행:  python -m 07_Transformer.theory_measurements [--tiny] [--training]
"""
from __future__ import annotations

import argparse
import math

import numpy as np
import torch
from torch import nn

from utils.core import limit_threads

from .pytorch_lowlevel.attention import masked_softmax


def softmax_saturation(d_values=(16, 64, 256, 1024), n: int = 64, seed: int = 1) -> dict:
    """d_k마다 {"scaled": 평균 최대 weight, "unscaled": …, "jacobian_scaled": ‖J‖_F 평균, "jacobian_unscaled": …}."""
    rows = {}
    for d in d_values:
        g = torch.Generator().manual_seed(seed)
        q = torch.randn(n, d, generator=g, dtype=torch.float64)
        k = torch.randn(n, d, generator=g, dtype=torch.float64)
        row = {}
        for name, scale in (("scaled", 1 / math.sqrt(d)), ("unscaled", 1.0)):
            p = masked_softmax(q @ k.T * scale)                                    # (n, n)
            jac = torch.diag_embed(p) - p[:, :, None] * p[:, None, :]              # 행마다 diag(p) − p pᵀ
            row[name] = p.amax(-1).mean().item()
            row[f"jacobian_{name}"] = jac.flatten(1).norm(dim=1).mean().item()
        rows[d] = row
    return rows


def ln_gradient_norms(depth: int, d_model: int = 128, heads: int = 4, B: int = 16, T: int = 32,
                      seed: int = 0) -> dict:
    """층마다 ‖∂L/∂W_2‖_F, L = ⟨출력, 고정된 무작위 방향⟩ / (B·T). {"post": [...], "pre": [...]}."""
    out = {}
    for name, norm_first in (("post", False), ("pre", True)):
        torch.manual_seed(seed)
        layer = nn.TransformerEncoderLayer(d_model, heads, 4 * d_model, dropout=0.0, batch_first=True,
                                           norm_first=norm_first)
        final = nn.LayerNorm(d_model) if norm_first else None
        encoder = nn.TransformerEncoder(layer, depth, norm=final, enable_nested_tensor=False)
        for sub in encoder.modules():                                              # 층마다 새로 초기화 (복사본 아님)
            if isinstance(sub, nn.Linear):
                nn.init.xavier_uniform_(sub.weight)
        g = torch.Generator().manual_seed(seed + 1)
        x = torch.randn(B, T, d_model, generator=g)
        direction = torch.randn(B, T, d_model, generator=g)
        (encoder(x) * direction).sum().div(B * T).backward()
        out[name] = [lyr.linear2.weight.grad.norm().item() for lyr in encoder.layers]
    return out


def no_warmup_lr(d_model: int, warmup: int):
    """식 (3)에서 warm-up만 뺀 schedule: 첫 step부터 꼭짓점 (d_model · warmup)^−0.5, s > warmup에서는 식 (3)과 같다."""
    def lr_at(t: int) -> float:
        return d_model ** -0.5 * min(warmup ** -0.5, (t + 1) ** -0.5)

    return lr_at


def warmup_comparison(layers: int = 6, steps: int = 600, warmup: int = 400, batch_size: int = 64,
                      d_model: int = 64, eval_every: int = 100, n_train: int = 20000, n_val: int = 500,
                      n_test: int = 2000, seed: int = 0) -> dict:
    """{"post_warmup": {...}, "post_none": …, "pre_warmup": …, "pre_none": …}: 같은 초기 가중치 seed와 batch
    순서로 학습한 숫자 읽기 모델의 validation loss 곡선, 마지막 validation greedy exact match, 학습 CPU 초.

    loss가 유한하지 않게 되면 그 step을 "diverged_at"에 적고 멈춘다.
    """
    import time

    from .number_reading import PAD, VOCAB, decode, make_batch, split_numbers
    from .paper.transformer import Transformer
    from .paper.transformer_paper import decode_all, inverse_sqrt_warmup_lr, train

    numbers = split_numbers(n_train, n_val, n_test, seed=seed)          # transformer_paper와 같은 분할 (test는 안 씀)
    data = {name: make_batch(nums) for name, nums in zip(("train", "val"), numbers[:2])}
    truth = [decode(row) for row in data["val"][1]]
    runs = {}
    for ln in ("post", "pre"):
        for sched in ("warmup", "none"):
            torch.manual_seed(seed)
            model = Transformer(len(VOCAB), d_model, 4, layers, layers, 4 * d_model, 0.1, max_len=32, pad_id=PAD,
                                norm_first=ln == "pre")
            schedule = (inverse_sqrt_warmup_lr(d_model, warmup) if sched == "warmup" else no_warmup_lr(d_model, warmup))
            cpu = time.process_time()
            row = {"diverged_at": None}
            try:
                history = train(model, data, steps=steps, batch_size=batch_size, warmup=warmup, lr_factor=1.0,
                                epsilon=0.1, eval_every=eval_every, seed=seed, progress=False, schedule=schedule,
                                eval_exact_match=False)
                greedy = decode_all(model, data["val"][0], "greedy", 1, 0.0)
                row.update(val_loss=history["val_loss"], steps=history["step"],
                           val_exact_match=float(np.mean([g == t for g, t in zip(greedy, truth)])))
            except FloatingPointError as error:
                row.update(diverged_at=str(error), val_loss=[], steps=[], val_exact_match=0.0)
            row["cpu_seconds"] = time.process_time() - cpu
            row["peak_lr"] = max(schedule(t) for t in range(steps))
            runs[f"{ln}_{sched}"] = row
    return runs


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description="theory.md의 측정: softmax 포화, post-LN vs pre-LN gradient norm, "
                                                 "warm-up 유무에 따른 학습 (--training)")
    parser.add_argument("--tiny", action="store_true", help="작은 크기로 (테스트용)")
    parser.add_argument("--training", action="store_true",
                        help="post-LN / pre-LN × warm-up 유무로 숫자 읽기 학습 네 번 (6+6층, 600 step: CPU 수 분)")
    args = parser.parse_args(argv)
    with limit_threads(1):
        saturation = softmax_saturation((16, 64) if args.tiny else (16, 64, 256, 1024))
        depths = (2,) if args.tiny else (6, 12, 24)
        norms = {L: ln_gradient_norms(L, d_model=16 if args.tiny else 128) for L in depths}
        runs = None
        if args.training:
            runs = (warmup_comparison(layers=1, steps=4, warmup=2, batch_size=8, d_model=16, eval_every=2,
                                      n_train=200, n_val=20, n_test=0) if args.tiny else warmup_comparison())
    print("softmax 포화: d_k | 평균 최대 weight (scale 있음 / 없음) | 평균 ‖J‖_F (있음 / 없음)")
    for d, row in saturation.items():
        print(f"  {d:5d} | {row['scaled']:.3f} / {row['unscaled']:.3f} | "
              f"{row['jacobian_scaled']:.3f} / {row['jacobian_unscaled']:.3f}")
    print("층마다 ‖∂L/∂W_2‖_F (초기화 직후)")
    for L, row in norms.items():
        print(f"  N = {L:2d} post-LN: {' '.join(f'{v:.4f}' for v in row['post'])}")
        print(f"  N = {L:2d} pre-LN : {' '.join(f'{v:.4f}' for v in row['pre'])}")
    if runs is not None:
        print("숫자 읽기 학습 (층 정규화 × 학습률): validation loss (평가 시점마다) | validation greedy exact match")
        for name, row in runs.items():
            curve = " ".join(f"{v:.3f}" for v in row["val_loss"]) or f"발산: {row['diverged_at']}"
            print(f"  {name:12s} 꼭짓점 lr {row['peak_lr']:.2e} | {curve} | {row['val_exact_match']:.3f} "
                  f"(CPU {row['cpu_seconds']:.0f} s)")
    return {"softmax_saturation": saturation, "ln_gradient_norms": norms, "warmup_runs": runs}


if __name__ == "__main__":
    main()
