"""09장 GPT의 주장: 같은 양의 text로 학습하면 모델이 클수록 held-out loss가 낮다 (GPT-2 §4, Figure 4).

Radford et al. (2019) §4 (Generalization vs Memorization) / Figure 4: WebText의 train·test perplexity가
모델 크기 (117M → 345M → 762M → 1542M)를 따라 함께 떨어지고, 가장 큰 모델도 WebText에 아직 underfit이다.
여기서는 같은 말을 작게 잰다: 이 저장소의 한국어 산문
(`load_dataset("korean")`, 앞 90% train / 뒤 10% validation)에 장의 byte-level BPE (`09_GPT/bpe.py`, merge 500개,
vocabulary 756)를 학습하고, 폭만 다른 GPT 네 개 (L3 `paper/gpt.py`: n_embd 16, 32, 64, 128; 2층, head 4개,
block 64)를 **같은 token 수** (300 step × batch 16 × 64 token = 307,200 token; train token 348,742개의 0.88 epoch)로
학습한 뒤 validation 전체의 token당 cross-entropy를 잰다.

처방은 `gpt_paper.py`와 같다 (AdamW β = (0.9, 0.99), weight decay 0.1, lr 1e-3 → warm-up 30 step 뒤 cosine으로
1e-4, gradient clipping 1.0, dropout 0, 장의 학습 루프 `train.train_loop`); 네 크기가 같은 lr을 쓴다.
seed는 초기 가중치와 mini-batch 위치를 정하고, corpus와 tokenizer는 seed와 상관없이 같다.

seed마다 통계량은 log(validation loss)를 log(parameter 수)에 최소제곱으로 맞춘 직선의 기울기 (log–log slope)다.
parameter 수는 Figure 4의 가로축처럼 전체 (embedding 포함, 묶인 lm_head는 한 번) 개수다.

실행: python -m utils.claims 09
"""
from __future__ import annotations

import functools

import numpy as np
import torch

from utils.claims import Claim, Criterion
from utils.datasets import load_dataset
from utils.schedules import warmup_cosine_lr
from utils.training import make_optimizer

from .bpe import BPE
from .data import random_blocks, split_text
from .paper.gpt import GPT, GPTConfig
from .train import lm_cross_entropy, train_loop

WIDTHS = (16, 32, 64, 128)
ARMS = tuple(f"n_embd_{w}" for w in WIDTHS)
MERGES = 500                      # vocabulary = 256 byte + 500 merge (quick도 같은 크기: parameter 수가 같도록)
N_LAYER, N_HEAD, BLOCK = 2, 4, 64
FULL = dict(chars=None, steps=300, batch_size=16, warmup=30)
QUICK = dict(chars=12_000, steps=3, batch_size=4, warmup=1)
LR, MIN_LR, WEIGHT_DECAY = 1e-3, 1e-4, 0.1


def config(width: int) -> GPTConfig:
    return GPTConfig(block_size=BLOCK, vocab_size=256 + MERGES, n_layer=N_LAYER, n_head=N_HEAD, n_embd=width,
                     embd_pdrop=0.0, attn_pdrop=0.0, resid_pdrop=0.0)


@functools.cache
def parameter_count(width: int) -> int:
    """폭 width인 모델의 전체 parameter 수 (Figure 4의 가로축)."""
    return GPT(config(width)).num_parameters()


@functools.lru_cache(maxsize=2)
def tokens(quick: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """(train token, validation token): 한국어 corpus를 앞 90% / 뒤 10%로 나누고 train 쪽에 BPE를 학습한다."""
    text = load_dataset("korean")
    if quick:
        text = text[:QUICK["chars"]]
    train_text, val_text = split_text(text, 0.1)
    tokenizer = BPE.train(train_text, MERGES)
    if len(tokenizer) != 256 + MERGES:
        raise ValueError(f"BPE가 merge {MERGES}개를 다 배우지 못했다 (vocabulary {len(tokenizer)}): text가 너무 짧다")
    as_tensor = lambda s: torch.tensor(tokenizer.encode(s), dtype=torch.long)
    return as_tensor(train_text), as_tensor(val_text)


@torch.no_grad()
def held_out_loss(model: GPT, val: torch.Tensor) -> float:
    """validation token 전체를 겹치지 않는 길이 BLOCK 구간으로 잘라 잰 token당 cross-entropy (nats)."""
    model.eval()
    n = (len(val) - 1) // BLOCK
    x = val[:n * BLOCK].reshape(n, BLOCK)                                  # (n, BLOCK)
    y = val[1:n * BLOCK + 1].reshape(n, BLOCK)                             # (n, BLOCK): 한 칸 뒤
    total = sum(lm_cross_entropy(model(x[i:i + 64]), y[i:i + 64]).item() * len(x[i:i + 64])
                for i in range(0, n, 64))
    return total / n


def train_width(width: int, seed: int, quick: bool) -> float:
    """폭 width인 GPT를 정해진 token 수만큼 학습하고 held-out loss를 돌려준다."""
    size = QUICK if quick else FULL
    train, val = tokens(quick)
    torch.manual_seed(seed)
    model = GPT(config(width))
    optimizer = make_optimizer(model, "adamw", lr=LR, weight_decay=WEIGHT_DECAY, betas=(0.9, 0.99))
    generator = torch.Generator().manual_seed(seed)
    train_loop(model, optimizer, lambda step: random_blocks(train, BLOCK, size["batch_size"], generator),
               steps=size["steps"], schedule=warmup_cosine_lr(LR, size["warmup"], size["steps"], final=MIN_LR),
               grad_clip=1.0, seed=seed)
    return held_out_loss(model, val)


def loglog_slope(losses: dict[str, float]) -> float:
    """log(loss) = a + b·log(parameter 수)의 최소제곱 기울기 b. b < 0이면 클수록 loss가 낮다."""
    x = np.log([parameter_count(w) for w in WIDTHS])
    y = np.log([losses[arm] for arm in ARMS])
    return float(np.polyfit(x, y, 1)[0])


def run_model_size(seed: int, quick: bool) -> dict[str, float]:
    return {arm: train_width(width, seed, quick) for arm, width in zip(ARMS, WIDTHS)}


CLAIMS = [Claim(
    chapter="09_GPT", name="loss_falls_with_model_size",
    claim="같은 token 수로 학습하면 GPT가 클수록 held-out loss가 낮다 (loss–parameter 수의 log–log 기울기 < 0).",
    source="Radford et al. 2019 (GPT-2), §4 / Figure 4 (WebText loss와 모델 크기)",
    metric="한국어 validation text의 token당 cross-entropy (nats; 낮을수록 좋다). arm = 폭 n_embd",
    arms=ARMS, run=run_model_size,
    criterion=Criterion(
        description=("seed마다 log(validation loss)를 log(parameter 수)에 맞춘 최소제곱 기울기; "
                     "그 평균의 95% t 구간 상한이 0보다 작으면 holds"),
        per_seed=loglog_slope, rule="less", threshold=0.0, statistic="log–log 기울기 d log(loss) / d log(N)"),
    default_seeds=4,
    notes=("parameter 수 2.0만–50만, 학습 token 31만의 재현이다: 논문은 1억–15억 parameter를 40GB의 WebText로 "
           "학습했다. 네 크기가 같은 lr을 쓰므로 기울기는 '각 크기에 맞춘 lr'의 scaling law가 아니다."),
)]
