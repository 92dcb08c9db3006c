"""12장 CLIP의 주장: zero-shot 분류기가 같은 image feature 위의 few-shot linear probe만큼 정확하다 (Figure 6).

Radford et al. (2021) §3.1.5 / Figure 6: zero-shot CLIP은 같은 feature 공간에서 학습한 4-shot logistic regression의
평균 성능과 맞먹고, 1-shot·2-shot probe보다 낫다 — 자연어로 class를 말해 주는 것이 class마다 예시 한두 장을 주는
것보다 낫다는 뜻이다. 여기서 재는 주장: "zero-shot ≥ 1-shot linear probe" (기준은 아래), 그리고 probe가 zero-shot을
따라잡는 k (shot 수)를 arm `probe_k`로 함께 적는다.

설정은 장의 held-out zero-shot 실험 (`paper/clip_paper.py`) 그대로다: 내장 shapes 6,000장에서 (색, 도형) 조합 8개
(`captions.HELD_OUT`)의 이미지를 모두 뺀 채 작은 CLIP을 12 epoch 학습하고, test 1,000장 가운데 **뺀 조합의 이미지**
(약 100장)를 80개 (색, 도형) class로 분류한다.

- `zero_shot`: clip_paper.py가 내는 바로 그 값 (`zero_shot_held_out_accuracy`: prompt 27개 ensemble의 분류기,
  `class_weights`) — 같은 seed면 같은 학습, 같은 숫자다 (`train_clip`은 clip_paper.main의 학습 부분과 같은 순서로
  같은 함수를 부른다).
- `probe_k`: 같은 모델의 같은 image feature (정규화한 공동 공간 feature: zero-shot 분류기가 곱하는 바로 그 벡터)
  위에서, 80 class마다 학습 이미지 k장으로 맞춘 logistic regression (`clip_paper.linear_probe`, C = 1).
  뺀 조합의 k장은 CLIP 학습에서 버린 이미지에서 나온다 (CLIP은 못 봤고, probe만 label과 함께 본다).
  shot은 seed로 섞은 순서의 앞 k장이라 k가 커져도 앞의 shot을 포함한다.

quick (smoke run, 판정에 의미 없음)은 학습 400장·1 epoch이고, probe를 뺀 조합의 class만으로 맞춘다 (80 class
L-BFGS는 한 번에 몇 초씩 걸린다).

실행: python -m utils.claims 12
"""
from __future__ import annotations

import warnings

import numpy as np
import torch

from utils.claims import Claim, Criterion
from utils.cli import seed_everything
from utils.datasets import channel_standardize, load_shapes
from utils.schedules import warmup_cosine_lr
from utils.training import fit, make_optimizer

from .captions import WordTokenizer, combination_labels, held_out_mask
from .paper.clip import CLIP, CLIPConfig
from .paper.clip_paper import (
    CONTEXT,
    DEFAULT_EPOCHS,
    PairBatches,
    class_weights,
    encode_images,
    linear_probe,
    pair_loss,
)

SHOTS = (1, 2, 4, 8, 16)
ARMS = ("zero_shot",) + tuple(f"probe_{k}" for k in SHOTS)
# clip_paper.py의 기본 인자와 같은 값 (--n-train 6000, --patch 8, --width 64, --vision-layers 3, --text-layers 2,
# --batch-size 128, --lr 2e-3, --weight-decay 0.1, test 1000장); quick은 clip_paper.py --quick의 크기에 1 epoch
FULL = dict(n_train=6000, n_test=1000, epochs=DEFAULT_EPOCHS)
QUICK = dict(n_train=400, n_test=200, epochs=1)
PATCH, WIDTH, VISION_LAYERS, TEXT_LAYERS, BATCH_SIZE, LR, WEIGHT_DECAY = 8, 64, 3, 2, 128, 2e-3, 0.1


def train_clip(seed: int, n_train: int, n_test: int, epochs: int) -> dict:
    """clip_paper.main의 학습 부분: 뺀 조합 없이 CLIP을 학습하고 모델과 평가에 쓸 것을 돌려준다."""
    seed_everything(seed)
    ds = load_shapes(n_train=n_train, n_test=n_test, seed=seed)
    X_train, X_test, _, _ = channel_standardize(ds.X_train, ds.X_test)
    tokenizer = WordTokenizer(context_length=CONTEXT, language="en")
    train_attributes, test_attributes = ds.info["attributes_train"], ds.info["attributes_test"]
    keep = ~held_out_mask(train_attributes)                               # 뺀 조합의 학습 이미지는 버린다
    train_ids, train_mask = tokenizer.encode([c for c, k in zip(ds.info["captions_train"], keep) if k])
    test_ids, test_mask = tokenizer.encode(ds.info["captions_test"])
    images = torch.from_numpy(np.concatenate([X_train[keep], X_test]))
    T = max(train_ids.shape[1], test_ids.shape[1])
    pad = lambda a: np.pad(a, ((0, 0), (0, T - a.shape[1])))
    ids = torch.from_numpy(np.concatenate([pad(train_ids), pad(test_ids)]))
    mask = torch.from_numpy(np.concatenate([pad(train_mask), pad(test_mask)]))
    n_kept = int(keep.sum())
    config = CLIPConfig(embed_dim=WIDTH, image_size=32, patch_size=PATCH, vision_width=WIDTH,
                        vision_layers=VISION_LAYERS, vision_heads=4, vision_mlp=2 * WIDTH,
                        vocab_size=tokenizer.vocab_size, context_length=CONTEXT, text_width=WIDTH,
                        text_layers=TEXT_LAYERS, text_heads=4, text_mlp=2 * WIDTH, eos_token_id=tokenizer.eos_id)
    model = CLIP(config)
    optimizer = make_optimizer(model, "adamw", lr=LR, weight_decay=WEIGHT_DECAY)
    optimizer.register_step_post_hook(lambda *_: model.clamp_logit_scale_())     # Section 2.5: exp(t) ≤ 100
    fit(PairBatches(model, images, ids, mask), (np.arange(n_kept), np.zeros(n_kept)), None, epochs=epochs,
        optimizer=optimizer, loss_fn=pair_loss, batch_size=BATCH_SIZE,
        schedule=warmup_cosine_lr(LR, min(2, epochs - 1), epochs, final=LR / 50), seed=seed, progress=False,
        desc="CLIP")
    model.eval()
    return {"model": model, "tokenizer": tokenizer, "X_train": torch.from_numpy(X_train),
            "train_attributes": train_attributes, "test_images": images[n_kept:], "test_attributes": test_attributes}


def held_out_zero_shot(run: dict) -> float:
    """clip_paper.py의 `zero_shot_held_out_accuracy`: prompt ensemble 분류기로 뺀 조합 test 이미지를 맞힌 비율."""
    model = run["model"]
    features = encode_images(model, run["test_images"])                           # (N, d)
    predicted = (features @ class_weights(model, run["tokenizer"], True).t()).argmax(1).numpy()
    held = held_out_mask(run["test_attributes"])
    return float((predicted == combination_labels(run["test_attributes"]))[held].mean())


def shuffled_by_class(labels: np.ndarray, rng: np.random.Generator) -> dict[int, np.ndarray]:
    """class마다 그 class 이미지 번호를 섞은 순서 (이미지가 없는 class는 뺀다)."""
    return {int(c): rng.permutation(np.flatnonzero(labels == c)) for c in np.unique(labels)}


def first_shots(order: dict[int, np.ndarray], k: int) -> np.ndarray:
    """class마다 섞은 순서의 앞 k장 (k장보다 적으면 있는 만큼). k < k'이면 k의 shot은 k'의 shot에 들어 있다."""
    return np.sort(np.concatenate([idx[:k] for idx in order.values()]))


def run_zero_shot_vs_probe(seed: int, quick: bool) -> dict[str, float]:
    """seed 하나: CLIP을 학습하고 뺀 조합 test 이미지에서 zero-shot과 k-shot probe의 정확도."""
    size = QUICK if quick else FULL
    run = train_clip(seed, size["n_train"], size["n_test"], size["epochs"])
    model = run["model"]
    y_test = combination_labels(run["test_attributes"])
    held = held_out_mask(run["test_attributes"])
    test_features = encode_images(model, run["test_images"])                      # (N, d), 정규화한 공동 공간
    values = {"zero_shot": held_out_zero_shot(run)}

    y_pool = combination_labels(run["train_attributes"])                          # 버린 이미지까지 모두
    pool_features = encode_images(model, run["X_train"]).numpy()
    order = shuffled_by_class(y_pool, np.random.default_rng(seed))
    if quick:                          # smoke run: 80 class L-BFGS는 몇 초씩 걸려서 뺀 조합 8 class만으로 맞춘다
        order = {c: idx for c, idx in order.items() if c in set(y_test[held].tolist())}
    for k in SHOTS:
        shots = first_shots(order, k)
        with warnings.catch_warnings():   # 1-shot이면 sklearn이 "class 수 > sample 수의 절반"이라고 경고한다
            warnings.simplefilter("ignore", UserWarning)
            values[f"probe_{k}"] = linear_probe(pool_features[shots], y_pool[shots], test_features.numpy()[held],
                                                y_test[held], seed)
    return values


CLAIMS = [Claim(
    chapter="12_CLIP", name="zero_shot_vs_few_shot_probe",
    claim="학습에서 뺀 (색, 도형) 조합의 이미지에서 zero-shot CLIP이 같은 image feature 위의 1-shot linear probe보다 "
          "정확하다.",
    source="Radford et al. 2021, §3.1.5 / Figure 6 (zero-shot vs few-shot linear probe)",
    metric=("뺀 조합 test 이미지의 80 class (색, 도형) 정확도 (높을수록 좋다). probe_k = class마다 k장으로 맞춘 "
            "logistic regression; zero-shot을 넘는 가장 작은 k가 따라잡는 지점"),
    arms=ARMS, run=run_zero_shot_vs_probe,
    criterion=Criterion(
        description="seed마다 정확도(zero-shot) − 정확도(1-shot probe); 그 평균의 95% t 구간 하한이 0보다 크면 holds",
        per_seed=lambda v: v["zero_shot"] - v["probe_1"],
        rule="greater", threshold=0.0, statistic="정확도 차이 zero-shot − 1-shot probe"),
    default_seeds=5,
    notes=("논문은 여러 데이터셋에 걸쳐 평균하고 probe의 L2 강도를 따로 고르지만, 여기서는 한 과제, C = 1 "
           "고정이다. seed마다 평가 이미지가 약 100장이라 seed 하나의 정확도는 ±0.05쯤 흔들린다."),
)]
