"""07장 Transformer의 주장: label smoothing은 perplexity를 나쁘게 하지만 정확도는 좋게 한다 (Vaswani et al. 2017 §5.4).

논문 §5.4 "Label Smoothing": ε_ls = 0.1로 학습하면 "hurts perplexity, as the model learns to be more unsure, but
improves accuracy and BLEU score". 두 부분을 따로 잰다 (주장 두 개, 기준도 따로):

1. `label_smoothing_perplexity`: held-out 숫자 읽기의 정답 token 평균 NLL (ε = 0 cross-entropy, teacher forcing,
   log perplexity)이 ε = 0.1로 학습한 모델에서 더 크다.
2. `label_smoothing_accuracy`: 같은 모델들의 greedy decoding exact match (읽기 전체가 글자 하나까지 같은 비율;
   이 과제의 BLEU 자리)가 ε = 0.1에서 더 높다.

설계 (실행 전에 정함): seed마다 같은 수 분할 (`split_numbers(seed)`), 같은 초기 가중치 (`torch.manual_seed(seed)`),
같은 mini-batch 순서 (`transformer_paper.train`의 generator)로 두 모델을 학습하고 ε만 다르다 (0.1 / 0).
모델은 L3 `paper/transformer.py`의 Transformer를 장의 기본 크기 그대로 (d_model 64, h 4, N = 2+2, d_ff 256,
dropout 0.1), 학습 루프는 `transformer_paper.train` 그대로 부른다. 예산 (주장당 CPU 5분) 때문에 학습은 300 step,
batch 48로 장의 기본 (1,200 step, batch 128)보다 짧다: 식 (3)의 warm-up은 100 step, factor 0.5로 꼭짓점
learning rate가 장의 기본 (warmup 400, factor 1)과 같은 0.00625다. test는 학습과 겹치지 않는 수 1,000개.

두 주장은 같은 학습을 나눠 쓴다: seed마다 두 모델을 한 번 학습해 기억해 두고 (`_train_pair`), 두 번째 주장은
그 결과를 읽기만 한다 (그래서 두 번째 주장의 시간은 짧게 찍힌다).

실행: python -m utils.claims 07
"""
from __future__ import annotations

import functools

import numpy as np
import torch

from utils.claims import Claim, Criterion

from .number_reading import PAD, VOCAB, decode, make_batch, split_numbers
from .paper.transformer import Transformer
from .paper.transformer_paper import decode_all, evaluate_loss, train

EPSILON = 0.1                      # §5.4 ε_ls
ARMS = ("smoothing_0.1", "no_smoothing")
FULL = dict(n_train=10_000, n_val=100, n_test=1_000, steps=300, batch_size=48, warmup=100, lr_factor=0.5)
QUICK = dict(n_train=200, n_val=20, n_test=40, steps=8, batch_size=16, warmup=4, lr_factor=0.5)
MODEL = dict(d_model=64, n_head=4, layers=2, d_ff=256, dropout=0.1)


def train_reader(data: dict, epsilon: float, seed: int, size: dict) -> Transformer:
    """ε_ls = epsilon으로 숫자 읽기 Transformer 하나를 학습한다. seed가 같으면 초기 가중치와 batch 순서가 같다."""
    torch.manual_seed(seed)
    model = Transformer(len(VOCAB), MODEL["d_model"], MODEL["n_head"], MODEL["layers"], MODEL["layers"],
                        MODEL["d_ff"], MODEL["dropout"], max_len=32, pad_id=PAD)
    train(model, data, steps=size["steps"], batch_size=size["batch_size"], warmup=size["warmup"],
          lr_factor=size["lr_factor"], epsilon=epsilon, eval_every=size["steps"], seed=seed, progress=False)
    return model


def held_out_scores(model: Transformer, test: tuple[torch.Tensor, torch.Tensor]) -> dict[str, float]:
    """test의 정답 token 평균 NLL (ε = 0, nats/token)과 greedy exact match."""
    src, tgt = test
    nll = evaluate_loss(model, src, tgt, 0.0)                         # 평가는 언제나 smoothing 없는 cross-entropy
    truth = [decode(row) for row in tgt]
    greedy = decode_all(model, src, "greedy", 1, 0.0)
    return {"nll": nll, "exact_match": float(np.mean([g == t for g, t in zip(greedy, truth)]))}


@functools.cache
def _train_pair(seed: int, quick: bool) -> dict[str, dict[str, float]]:
    """seed 하나: 같은 데이터·초기화·batch 순서에서 ε = 0.1과 ε = 0으로 학습한 두 모델의 held-out 점수."""
    size = QUICK if quick else FULL
    numbers = split_numbers(size["n_train"], size["n_val"], size["n_test"], seed=seed)
    data = {name: make_batch(nums) for name, nums in zip(("train", "val", "test"), numbers)}
    return {arm: held_out_scores(train_reader(data, epsilon, seed, size), data["test"])
            for arm, epsilon in zip(ARMS, (EPSILON, 0.0))}


def run_perplexity(seed: int, quick: bool) -> dict[str, float]:
    scores = _train_pair(seed, quick)
    return {arm: scores[arm]["nll"] for arm in ARMS}


def run_accuracy(seed: int, quick: bool) -> dict[str, float]:
    scores = _train_pair(seed, quick)
    return {arm: scores[arm]["exact_match"] for arm in ARMS}


SOURCE = "Vaswani et al. 2017, §5.4 Label Smoothing; Table 3 (D)의 ε_ls 행"
NOTES = ("작은 모델을 300 step만 학습한 재현이다: 논문의 WMT 번역 (BLEU, wordpiece perplexity)과 달리 정답이 하나뿐인 "
         "결정적 과제라, smoothing이 막아 주는 과신(overconfidence)이 번역만큼 해롭지 않을 수 있다.")

CLAIMS = [
    Claim(
        chapter="07_Transformer", name="label_smoothing_perplexity",
        claim="label smoothing (ε_ls = 0.1)으로 학습하면 held-out 정답의 perplexity가 나빠진다 (모델이 덜 확신한다).",
        source=SOURCE,
        metric="test 숫자 읽기에서 정답 token의 평균 NLL (nats/token = log perplexity, teacher forcing; 낮을수록 좋다)",
        arms=ARMS, run=run_perplexity,
        criterion=Criterion(
            description="seed마다 NLL(ε = 0.1) − NLL(ε = 0); 그 평균의 95% t 구간 하한이 0보다 크면 holds",
            per_seed=lambda v: v["smoothing_0.1"] - v["no_smoothing"],
            rule="greater", threshold=0.0, statistic="NLL 차이 ε=0.1 − ε=0 (nats/token)"),
        default_seeds=5, notes=NOTES),
    Claim(
        chapter="07_Transformer", name="label_smoothing_accuracy",
        claim="label smoothing (ε_ls = 0.1)으로 학습하면 perplexity가 나빠져도 정확도는 좋아진다.",
        source=SOURCE,
        metric="test 숫자 읽기의 greedy exact match (읽기 전체가 맞은 비율; 높을수록 좋다)",
        arms=ARMS, run=run_accuracy,
        criterion=Criterion(
            description=("seed마다 exact match(ε = 0.1) − exact match(ε = 0); "
                         "그 평균의 95% t 구간 하한이 0보다 크면 holds"),
            per_seed=lambda v: v["smoothing_0.1"] - v["no_smoothing"],
            rule="greater", threshold=0.0, statistic="exact match 차이 ε=0.1 − ε=0"),
        default_seeds=5,
        notes=NOTES + " 두 주장은 같은 학습을 나눠 쓰므로 이 주장의 시간은 앞 주장의 학습을 포함하지 않는다."),
]
