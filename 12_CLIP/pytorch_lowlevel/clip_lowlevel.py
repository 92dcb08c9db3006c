"""raw tensor CLIP(`clip_functions.py`)을 손으로 쓴 학습 루프로 학습한다 — 내장 shapes 이미지와 caption.

parameter는 dict 안의 tensor이고, loss는 손으로 쓴 대칭 InfoNCE (`info_nce`), optimizer step마다 t를 [0, ln 100]으로
자른다 (`clamp_logit_scale_`). 평가는 zero-shot: (색, 도형) 80 class마다 prompt 27개의 평균 text feature와
test 이미지의 cosine 유사도로 분류한다 (chance 1/80). 학습에서 뺀 조합의 실험은 L3 `paper/clip_paper.py`가 한다.

실행:  python -m 12_CLIP.pytorch_lowlevel.clip_lowlevel [--quick] [--epochs N]
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.datasets import channel_standardize, load_shapes
from utils.schedules import warmup_cosine_lr
from utils.training import History, make_optimizer

from ..captions import COMBINATIONS, WordTokenizer, combination_labels, prompts
from .clip_functions import clamp_logit_scale_, encode_image, encode_text, info_nce, init_params, l2_normalize

DATA_CHOICES = ("shapes",)
CONTEXT = 12


@torch.no_grad()
def zero_shot_accuracy(params, config, tokenizer, X, attributes) -> float:
    texts = [p for colour, shape in COMBINATIONS for p in prompts(colour, shape)]
    ids, mask = (torch.from_numpy(a) for a in tokenizer.encode(texts))
    text = l2_normalize(encode_text(params, ids, config, mask))                          # (80·27, d)
    weights = l2_normalize(text.reshape(len(COMBINATIONS), -1, text.shape[-1]).mean(1))  # (80, d)
    image = l2_normalize(torch.cat([encode_image(params, X[i:i + 500], config) for i in range(0, len(X), 500)]))
    pred = (image @ weights.T).argmax(1).numpy()
    return float((pred == combination_labels(attributes)).mean())

# --quick의 마지막 줄: README의 전체 실행 (python -m 12_CLIP.pytorch_lowlevel.clip_lowlevel, 20 epoch)에서 잰 값
QUICK_NOTE = ("smoke run: 학습 300장, 2 epoch로 코드 경로만 확인했다 (배우리라 기대하지 않는다). 전체 실행 "
              "(3,000장, 20 epoch)의 80 class zero-shot 정확도는 0.422 (chance 0.0125).")


def main(argv=None) -> dict:
    parser = make_parser("12_CLIP", "pytorch_lowlevel",
                         "raw tensor CLIP 학습 (함수 + parameter dict, 손으로 쓴 InfoNCE)", DATA_CHOICES, "shapes",
                         default_epochs=20)
    parser.add_argument("--n-train", type=int, default=3000, help="학습 이미지 수 (기본 3000)")
    parser.add_argument("--width", type=int, default=32, help="두 encoder의 폭 (기본 32)")
    parser.add_argument("--batch-size", type=int, default=100, help="contrastive batch 크기 (기본 100)")
    parser.add_argument("--lr", type=float, default=3e-3, help="AdamW 최대 learning rate (기본 3e-3)")
    args = parse_args(parser, argv)
    epochs = min(args.epochs, 2) if args.quick else args.epochs
    n_train, n_test = (300, 100) if args.quick else (args.n_train, 500)

    seed_everything(args.seed)
    with Timer() as timer, limit_threads(args.threads):
        ds = load_shapes(n_train=n_train, n_test=n_test, seed=args.seed)
        X_train, X_test, _, _ = channel_standardize(ds.X_train, ds.X_test)
        X_train, X_test = torch.from_numpy(X_train), torch.from_numpy(X_test)
        tokenizer = WordTokenizer(context_length=CONTEXT)
        ids, mask = (torch.from_numpy(a) for a in tokenizer.encode(ds.info["captions_train"]))
        W = args.width
        config = dict(embed_dim=W, image_size=32, patch_size=8, in_channels=3, vision_width=W, vision_layers=1,
                      vision_heads=2, vision_mlp=2 * W, vision_eps=1e-5, vision_act="quick_gelu",
                      vocab_size=tokenizer.vocab_size, context_length=CONTEXT, text_width=W, text_layers=1,
                      text_heads=2, text_mlp=2 * W, text_eps=1e-5, text_act="quick_gelu",
                      eos_token_id=tokenizer.eos_id, logit_scale_init=float(np.log(1 / 0.07)))
        params = init_params(config, seed=args.seed)
        optimizer = make_optimizer(list(params.values()), "adamw", lr=args.lr, weight_decay=0.1)   # 1차원은 decay 없음
        schedule = warmup_cosine_lr(args.lr, min(1, epochs - 1), epochs)
        generator = torch.Generator().manual_seed(args.seed)
        history = History()
        for epoch in range(epochs):
            for group in optimizer.param_groups:
                group["lr"] = schedule(epoch)
            order = torch.randperm(len(X_train), generator=generator)
            total, seen = 0.0, 0
            for begin in range(0, len(order) - args.batch_size + 1, args.batch_size):
                index = order[begin:begin + args.batch_size]
                loss = info_nce(encode_image(params, X_train[index], config),
                                encode_text(params, ids[index], config, mask[index]), params["logit_scale"])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                clamp_logit_scale_(params["logit_scale"])                     # Section 2.5
                total, seen = total + loss.item() * len(index), seen + len(index)
            history.log(lr=schedule(epoch), train_loss=total / seen,
                        temperature=float(params["logit_scale"].detach().exp()))
        accuracy = zero_shot_accuracy(params, config, tokenizer, X_test, ds.info["attributes_test"])
    from utils.visualization import plot_curves

    plots = [plot_curves({"train": history["train_loss"]}, f"{args.out}/loss_curve.png",
                         title="raw tensor CLIP: 대칭 InfoNCE", ylabel="loss")]
    result = {
        "model": f"CLIP raw tensors (width {W}, 1+1 layers, patch 8)", "level": "pytorch_lowlevel",
        "data": args.data, "metric": "zero_shot_accuracy", "value": accuracy, "chance": 1 / len(COMBINATIONS),
        "train_loss_first": history["train_loss"][0], "train_loss_last": history.last("train_loss"),
        "final_temperature": history.last("temperature"), "epochs": epochs, "n_train": len(X_train),
        "n_parameters": int(sum(p.numel() for p in params.values())), "history": history.to_dict(),
        "seconds": timer.seconds, "plots": [Path(p).name for p in plots],
    }
    result = report(result, args.out)
    if args.quick:
        print(QUICK_NOTE)
    return result


if __name__ == "__main__":
    cli(main)
