"""작은 CLIP을 처음부터 학습한다 — 내장 shapes 이미지(32×32)와 그 caption, 일부 (색, 도형) 조합은 학습에서 통째로 뺀다.

모델: `clip.CLIP` (Radford et al. 2021). 기본 설정: image ViT (patch 8 → token 4×4 + [CLS], 폭 64, 3층, head 4개),
text Transformer (단어 token, 폭 64, 2층, head 4개, 문맥 12), 공동 공간 64차원.
목표: Figure 3의 대칭 InfoNCE (`clip.clip_loss`), batch 안의 다른 caption이 모두 negative (문장이 똑같아도;
`captions.duplicate_caption_pairs`가 그런 쌍을 센다).
처방: AdamW (weight decay 0.1; bias·LayerNorm·embedding·t는 decay 없음), lr은 linear warm-up 뒤 cosine,
optimizer step마다 t를 [0, ln 100]으로 자른다 (Section 2.5; `CLIP.clamp_logit_scale_`).

학습에서 뺀 조합 (`captions.HELD_OUT`, 8개)의 이미지는 학습에 한 장도 없다. 평가 (test 이미지):
- zero-shot: (색, 도형) 80 class마다 prompt 27개 (크기 3 × 위치 9)의 정규화한 text feature를 평균한 분류기
  (Section 3.1.4의 prompt ensembling). 뺀 조합의 이미지와 본 조합의 이미지에서 따로 정확도를 잰다 (chance 1/80).
- 검색 recall@1/5: test 이미지 ↔ test caption. 같은 문장의 caption이 여럿일 수 있으므로 문장이 같으면 정답.
- linear probe: 학습 이미지의 image feature (projection 앞)에 logistic regression으로 도형 10 class.

그림: batch 하나의 유사도 행렬, zero-shot 혼동 행렬 (도형), 학습 중의 temperature exp(t).

caption은 기본이 영어 (`load_shapes`의 caption), `--captions ko`면 같은 속성의 한국어 문장
("왼쪽 위에 있는 큰 빨간 원").

실제 데이터 (`--data imagenette`, `--data cifar10`; `--root`, `--download`)에는 caption이 없으므로 학습하지 않고,
pretrained CLIP 가중치 (`--pretrained`, 기본 openai/clip-vit-base-patch32; HF cache 또는 인터넷)를
`CLIP.from_pretrained`로 받아 평가만 한다 (`pretrained_evaluation`):
- zero-shot: class 이름을 `TEMPLATES`의 문장 8개에 넣어 (Section 3.1.4의 prompt ensembling) test split을 분류한다.
  첫 template 하나만 쓴 분류기의 정확도도 함께 적는다.
- linear probe (Section 3.2): train split의 image feature (projection 앞)에 logistic regression.
이미지는 batch마다 224×224로 (bicubic, antialias) 키우고 OpenAI CLIP의 평균·표준편차로 정규화한다. 가중치, tokenizer,
데이터 중 하나라도 없으면 한 문장 + exit code 2.

실행:  python -m 12_CLIP.paper.clip_paper [--quick] [--epochs N] [--threads N] [--captions ko]
       python -m 12_CLIP.paper.clip_paper --data imagenette [--pretrained NAME] [--max-per-class N] [--download]
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from utils.cli import add_training_flags, cli, fit_options, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.datasets import channel_standardize, load_cifar10, load_imagenette, load_shapes
from utils.schedules import warmup_cosine_lr
from utils.training import fit, make_optimizer

from ..captions import (
    COMBINATIONS,
    HELD_OUT,
    LANGUAGES,
    WordTokenizer,
    caption,
    combination_labels,
    held_out_mask,
    prompts,
)
from .clip import CLIP, PRETRAINED_NAMES, CLIPConfig, clip_loss, zero_shot_weights

DATA_CHOICES = ("shapes", "imagenette", "cifar10")
REAL_DATA = ("imagenette", "cifar10")
# 실제 데이터의 zero-shot 문장: OpenAI가 ImageNet에 쓴 template 80개 중 8개 (Section 3.1.4의 ensemble을 작게)
TEMPLATES = ("a photo of a {}.", "a blurry photo of a {}.", "a black and white photo of a {}.",
             "a low resolution photo of a {}.", "a photo of a small {}.", "a photo of a big {}.",
             "a cropped photo of a {}.", "a good photo of a {}.")
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)     # OpenAI CLIP의 이미지 정규화 (HF CLIPImageProcessor와 같다)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
RUNS = ("shapes",)
DEFAULT_EPOCHS = 12
CONTEXT = 12                                         # 가장 긴 caption 9단어 + [SOS] + [EOS] = 11
# --quick의 마지막 줄: README의 전체 실행 (python -m 12_CLIP.paper.clip_paper [--captions ko])에서 잰 값
FULL_RUN_HELD_OUT = {"en": "0.544", "ko": "0.456"}


def quick_note(language: str) -> str:
    return (f"smoke run: 학습 400장, 2 epoch로 코드 경로만 확인했다 (배우리라 기대하지 않는다). 전체 실행 "
            f"(6,000장, 12 epoch)의 뺀 조합 zero-shot 정확도는 {FULL_RUN_HELD_OUT[language]} (chance 0.0125).")


class PairBatches(nn.Module):
    """`utils.training.fit`이 쓰는 어댑터: 입력은 쌍의 번호 (B,), 출력은 logits_per_image (B, B).

    fit은 `model(x)`와 `loss_fn(out, y)`만 부르므로, 이미지와 caption을 번호로 찾아 CLIP에 넣는다.
    """

    def __init__(self, clip: CLIP, images: torch.Tensor, ids: torch.Tensor, mask: torch.Tensor):
        super().__init__()
        self.clip = clip
        self.images, self.ids, self.mask = images, ids, mask

    def forward(self, index: torch.Tensor) -> torch.Tensor:
        ids, mask = self.ids[index], self.mask[index]
        T = int(mask.sum(dim=1).max())                                   # batch 안의 가장 긴 문장까지만
        return self.clip(ids[:, :T], self.images[index], mask[:, :T])[0]


def pair_loss(logits_per_image: torch.Tensor, _unused: torch.Tensor) -> torch.Tensor:
    return clip_loss(logits_per_image)


@torch.no_grad()
def encode_images(model: CLIP, images: torch.Tensor, batch: int = 500, projected: bool = True) -> torch.Tensor:
    """정규화한 image feature (N, d) (projected=False면 projection 앞의 정규화하지 않은 feature)."""
    out = []
    for i in range(0, len(images), batch):
        x = images[i:i + batch]
        out.append(F.normalize(model.encode_image(x), dim=-1) if projected else model.visual(x))
    return torch.cat(out)


@torch.no_grad()
def encode_texts(model: CLIP, ids: torch.Tensor, mask: torch.Tensor, batch: int = 500) -> torch.Tensor:
    return torch.cat([F.normalize(model.encode_text(ids[i:i + batch], mask[i:i + batch]), dim=-1)
                      for i in range(0, len(ids), batch)])


def recall_at_k(similarity: torch.Tensor, same: torch.Tensor, ks=(1, 5)) -> dict[int, float]:
    """similarity (Q, N)의 행마다 상위 k개 안에 정답(same[q, n] = True)이 있는 비율."""
    order = similarity.argsort(dim=1, descending=True)                  # (Q, N)
    hits = torch.gather(same, 1, order)                                 # (Q, N): 순위별 정답 여부
    return {k: float(hits[:, :k].any(dim=1).float().mean()) for k in ks}


@torch.no_grad()
def class_weights(model: CLIP, tokenizer: WordTokenizer, ensemble: bool, language: str = "en") -> torch.Tensor:
    """80개 (색, 도형) class의 zero-shot 분류기 (80, d)."""
    texts = [p for colour, shape in COMBINATIONS for p in prompts(colour, shape, ensemble, language)]
    ids, mask = tokenizer.encode(texts)
    M = len(texts) // len(COMBINATIONS)
    ids = torch.from_numpy(ids).reshape(len(COMBINATIONS), M, -1)
    mask = torch.from_numpy(mask).reshape(len(COMBINATIONS), M, -1)
    return zero_shot_weights(model, ids, mask)


def linear_probe(train_features: np.ndarray, y_train: np.ndarray, test_features: np.ndarray,
                 y_test: np.ndarray, seed: int) -> float:
    """고정한 feature 위의 logistic regression (Section 3.2의 linear probe, L-BFGS)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(train_features)
    probe = LogisticRegression(max_iter=2000, C=1.0, random_state=seed)
    probe.fit(scaler.transform(train_features), y_train)
    return float(probe.score(scaler.transform(test_features), y_test))


def main(argv=None) -> dict:
    parser = make_parser("12_CLIP", "paper", "작은 CLIP을 shapes 이미지와 caption으로 처음부터 학습 (zero-shot 평가)",
                         DATA_CHOICES, "shapes", default_epochs=DEFAULT_EPOCHS)
    parser.add_argument("--n-train", type=int, default=6000, help="학습 이미지 수 (뺀 조합을 지우기 전, 기본 6000)")
    parser.add_argument("--patch", type=int, default=8, help="patch 크기 P (32의 약수, 기본 8 → token 4×4 + [CLS])")
    parser.add_argument("--width", type=int, default=64, help="두 encoder의 폭과 공동 공간의 차원 (기본 64)")
    parser.add_argument("--vision-layers", type=int, default=3, help="image encoder 층 수 (기본 3)")
    parser.add_argument("--text-layers", type=int, default=2, help="text encoder 층 수 (기본 2)")
    parser.add_argument("--batch-size", type=int, default=128, help="contrastive batch 크기 N (기본 128)")
    parser.add_argument("--lr", type=float, default=2e-3, help="AdamW 최대 learning rate (기본 2e-3)")
    parser.add_argument("--weight-decay", type=float, default=0.1, help="AdamW weight decay (기본 0.1)")
    parser.add_argument("--captions", choices=LANGUAGES, default="en",
                        help="caption과 prompt의 언어: en (load_shapes의 영어 caption), "
                             "ko (\"왼쪽 위에 있는 큰 빨간 원\")")
    parser.add_argument("--pretrained", default=None, metavar="NAME",
                        help=f"--data imagenette|cifar10의 pretrained CLIP (기본 {PRETRAINED_NAMES[0]}, 또는 "
                             "save_pretrained 폴더; cache 또는 인터넷)")
    parser.add_argument("--max-per-class", type=int, default=None,
                        help="--data imagenette|cifar10: split마다 class당 앞의 이만큼만 쓴다 (CPU 시간·메모리)")
    parser.set_defaults(threads=2)
    add_training_flags(parser)
    args = parse_args(parser, argv)
    if args.data in REAL_DATA:
        if args.max_per_class is not None and args.max_per_class < 1:
            parser.error(f"--max-per-class는 1 이상이어야 합니다: {args.max_per_class}")
        known = args.pretrained in PRETRAINED_NAMES or Path(str(args.pretrained)).is_dir()
        if args.pretrained is not None and not known:
            parser.error(f"--pretrained는 {', '.join(PRETRAINED_NAMES)} 또는 save_pretrained 폴더여야 합니다: "
                         f"{args.pretrained!r}")
        return pretrained_evaluation(args)
    if args.pretrained is not None:
        parser.error(f"--pretrained는 --data {' 또는 '.join(REAL_DATA)}와 함께 씁니다 (shapes는 처음부터 학습한다)")
    epochs = min(args.epochs, 2) if args.quick else args.epochs
    n_train, n_test = (400, 200) if args.quick else (args.n_train, 1000)

    seed_everything(args.seed)
    with Timer() as timer, limit_threads(args.threads):
        ds = load_shapes(n_train=n_train, n_test=n_test, seed=args.seed)
        X_train, X_test, _, _ = channel_standardize(ds.X_train, ds.X_test)
        tokenizer = WordTokenizer(context_length=CONTEXT, language=args.captions)
        train_attributes, test_attributes = ds.info["attributes_train"], ds.info["attributes_test"]
        if args.captions == "en":
            train_captions, test_captions = ds.info["captions_train"], ds.info["captions_test"]
        else:
            train_captions = [caption(a, "ko") for a in train_attributes]
            test_captions = [caption(a, "ko") for a in test_attributes]
        keep = ~held_out_mask(train_attributes)                           # 뺀 조합의 학습 이미지는 버린다
        train_ids, train_mask = tokenizer.encode([c for c, k in zip(train_captions, keep) if k])
        test_ids, test_mask = tokenizer.encode(test_captions)
        images = torch.from_numpy(np.concatenate([X_train[keep], X_test]))
        T = max(train_ids.shape[1], test_ids.shape[1])
        pad = lambda a: np.pad(a, ((0, 0), (0, T - a.shape[1])))        # noqa: E731
        ids = torch.from_numpy(np.concatenate([pad(train_ids), pad(test_ids)]))
        mask = torch.from_numpy(np.concatenate([pad(train_mask), pad(test_mask)]))
        n_kept = int(keep.sum())
        train_index, test_index = np.arange(n_kept), np.arange(n_kept, n_kept + len(X_test))

        W = args.width
        config = CLIPConfig(embed_dim=W, image_size=32, patch_size=args.patch, vision_width=W,
                            vision_layers=args.vision_layers, vision_heads=4, vision_mlp=2 * W,
                            vocab_size=tokenizer.vocab_size, context_length=CONTEXT, text_width=W,
                            text_layers=args.text_layers, text_heads=4, text_mlp=2 * W,
                            eos_token_id=tokenizer.eos_id)
        model = CLIP(config)
        optimizer = make_optimizer(model, "adamw", lr=args.lr, weight_decay=args.weight_decay)
        temperature = [float(model.logit_scale.detach().exp())]

        def after_step(*_):                                               # Section 2.5: exp(t) ≤ 100
            model.clamp_logit_scale_()
            temperature.append(float(model.logit_scale.detach().exp()))

        optimizer.register_step_post_hook(after_step)
        history = fit(PairBatches(model, images, ids, mask), (train_index, np.zeros(n_kept)),
                      (test_index, np.zeros(len(test_index))), epochs=epochs, optimizer=optimizer,
                      loss_fn=pair_loss, batch_size=args.batch_size, schedule=warmup_cosine_lr(
                          args.lr, min(2, epochs - 1), epochs, final=args.lr / 50), seed=args.seed,
                      desc="CLIP", **fit_options(args))
        model.eval()

        # ---- zero-shot ----
        test_images = images[n_kept:]
        image_features = encode_images(model, test_images)               # (N, d)
        y_combo = combination_labels(test_attributes)
        held = held_out_mask(test_attributes)
        results = {}
        for name, ensemble in (("ensemble", True), ("single", False)):
            pred = (image_features @ class_weights(model, tokenizer, ensemble, args.captions).t()).argmax(1).numpy()
            results[name] = pred
        pred = results["ensemble"]
        correct = pred == y_combo
        pred_colour = np.array([COMBINATIONS[p][0] for p in pred])
        pred_shape = np.array([COMBINATIONS[p][1] for p in pred])
        true_colour = np.array([a["colour"] for a in test_attributes])
        true_shape = np.array([a["shape"] for a in test_attributes])

        # ---- 검색 ----
        text_features = encode_texts(model, ids[n_kept:], mask[n_kept:])
        captions = np.array(test_captions)
        same = torch.from_numpy(captions[:, None] == captions[None, :])  # (N, N): 문장이 같은 쌍
        sim = image_features @ text_features.t()                          # (N 이미지, N caption)
        i2t, t2i = recall_at_k(sim, same), recall_at_k(sim.t(), same)

        # ---- linear probe (도형 10 class) ----
        probe = linear_probe(encode_images(model, images[:n_kept], projected=False).numpy(),
                             ds.y_train[keep], encode_images(model, test_images, projected=False).numpy(),
                             ds.y_test, args.seed)

    plots = make_plots(model, test_images, ids[n_kept:], mask[n_kept:], captions, pred_shape, true_shape,
                       temperature, history, Path(args.out))
    result = {
        "model": f"CLIP (width {W}, vision {args.vision_layers} layers, text {args.text_layers} layers, "
                 f"patch {args.patch})",
        "level": "paper", "data": args.data, "captions": args.captions, "metric": "zero_shot_held_out_accuracy",
        "value": float(correct[held].mean()) if held.any() else float("nan"),
        "zero_shot_seen_accuracy": float(correct[~held].mean()),
        "zero_shot_held_out_single_prompt": float((results["single"] == y_combo)[held].mean()) if held.any() else None,
        "zero_shot_seen_single_prompt": float((results["single"] == y_combo)[~held].mean()),
        "held_out_colour_accuracy": float((pred_colour == true_colour)[held].mean()) if held.any() else None,
        "held_out_shape_accuracy": float((pred_shape == true_shape)[held].mean()) if held.any() else None,
        "chance": 1 / len(COMBINATIONS), "n_classes": len(COMBINATIONS),
        "held_out_combinations": [" ".join(c) for c in HELD_OUT],
        "n_test_held_out": int(held.sum()), "n_test_seen": int((~held).sum()),
        "recall_image_to_text": {f"@{k}": v for k, v in i2t.items()},
        "recall_text_to_image": {f"@{k}": v for k, v in t2i.items()},
        "linear_probe_shape_accuracy": probe,
        "final_temperature": temperature[-1], "initial_loss": history["train_loss"][0],
        "ln_batch": math.log(args.batch_size), "train_loss_last": history.last("train_loss"),
        "test_loss_last": history.last("test_loss"), "epochs": epochs, "n_train_pairs": n_kept,
        "n_parameters": model.num_parameters(), "threads": args.threads, "seconds": timer.seconds,
        "history": history.to_dict(), "plots": [Path(p).name for p in plots],
    }
    result = report(result, args.out)
    if args.quick:
        print(quick_note(args.captions))
    return result


# ---------------------------------------------------------------------------
# 실제 데이터: pretrained CLIP의 zero-shot과 linear probe
# ---------------------------------------------------------------------------
def first_per_class(X: np.ndarray, y: np.ndarray, k: int | None) -> tuple[np.ndarray, np.ndarray]:
    """class마다 처음 k개 (원래 순서 유지). k가 None이면 그대로."""
    if k is None:
        return X, y
    keep = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        keep[np.flatnonzero(y == label)[:k]] = True
    return X[keep], y[keep]


def preprocess(x: torch.Tensor, size: int) -> torch.Tensor:
    """[0, 1] 정사각형 이미지 (B, 3, h, w) → size × size로 키우고 (bicubic, antialias) OpenAI CLIP 평균·표준편차로
    정규화한 pixel_values (B, 3, size, size)."""
    if x.shape[-2:] != (size, size):
        x = F.interpolate(x, size=(size, size), mode="bicubic", align_corners=False, antialias=True)
    mean = torch.tensor(CLIP_MEAN, dtype=x.dtype).reshape(1, 3, 1, 1)
    std = torch.tensor(CLIP_STD, dtype=x.dtype).reshape(1, 3, 1, 1)
    return (x - mean) / std                                                             # (B, 3, S, S)


@torch.no_grad()
def encode_real_images(model: CLIP, X: np.ndarray, batch: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """[0, 1] 이미지 (N, 3, h, w) → (정규화한 projected feature (N, d), projection 앞 feature (N, W)).

    batch마다 `preprocess`로 모델의 해상도에 맞춘다 (데이터는 작은 해상도로 메모리에 둔다).
    """
    projected, pooled = [], []
    for i in range(0, len(X), batch):
        x = torch.from_numpy(np.ascontiguousarray(X[i:i + batch], dtype=np.float32))    # (B, 3, h, w)
        x = preprocess(x, model.config.image_size)
        model.check_pixel_values(x)
        feature = model.visual(x)                                                      # (B, W): ln_post([CLS])
        pooled.append(feature)
        projected.append(F.normalize(model.visual_projection(feature), dim=-1))        # (B, d)
    return torch.cat(projected), torch.cat(pooled)


@torch.no_grad()
def real_class_weights(model: CLIP, tokenize, class_names, templates) -> torch.Tensor:
    """class K개 × template M개 문장의 prompt ensemble (K, d) (`clip.zero_shot_weights`)."""
    texts = [t.format(name) for name in class_names for t in templates]
    ids, mask = tokenize(texts)                                                         # (K·M, T) 둘
    K, M = len(class_names), len(templates)
    return zero_shot_weights(model, ids.reshape(K, M, -1), mask.reshape(K, M, -1))


def zero_shot_and_probe(model: CLIP, tokenize, data, class_names, seed: int) -> dict:
    """data = (X_train, y_train, X_test, y_test), [0, 1] 이미지. zero-shot (ensemble, 한 template)과 linear probe."""
    X_train, y_train, X_test, y_test = data
    model.eval()
    test_projected, test_pooled = encode_real_images(model, X_test)
    _, train_pooled = encode_real_images(model, X_train)
    results = {}
    for name, templates in (("ensemble", TEMPLATES), ("single", TEMPLATES[:1])):
        weights = real_class_weights(model, tokenize, class_names, templates)          # (K, d)
        results[name] = float(((test_projected @ weights.t()).argmax(1).numpy() == y_test).mean())
    probe = linear_probe(train_pooled.numpy(), y_train, test_pooled.numpy(), y_test, seed)
    return {"zero_shot_accuracy": results["ensemble"], "zero_shot_single_prompt": results["single"],
            "linear_probe_accuracy": probe}


def load_tokenizer(name: str, *, download: bool = True, cache_dir=None):
    """pretrained CLIP의 tokenizer → `tokenize(texts) -> (input_ids, attention_mask)` (padding, long tensor).

    가중치(`CLIP.from_pretrained`)와 같은 순서로 찾는다 (`utils.hub.hf_tokenizer`): save_pretrained 폴더 → HF cache →
    download=True면 인터넷. 없으면 DatasetUnavailable 한 문장.
    """
    from transformers import CLIPTokenizer

    from utils.hub import hf_tokenizer

    tokenizer = hf_tokenizer(CLIPTokenizer, name, download=download, cache_dir=cache_dir)

    def tokenize(texts):
        out = tokenizer(list(texts), padding=True, return_tensors="pt")
        return out["input_ids"], out["attention_mask"]

    return tokenize


def pretrained_evaluation(args) -> dict:
    """--data imagenette|cifar10: 데이터 → pretrained CLIP과 tokenizer → zero-shot, linear probe."""
    name = args.pretrained or PRETRAINED_NAMES[0]
    seed_everything(args.seed)
    with Timer() as timer, limit_threads(args.threads):
        if args.data == "imagenette":
            ds = load_imagenette(args.root, args.download, image_size=224, max_per_class=args.max_per_class)
        else:
            ds = load_cifar10(args.root, args.download)
        X_train, y_train = first_per_class(ds.X_train, ds.y_train, args.max_per_class)
        X_test, y_test = first_per_class(ds.X_test, ds.y_test, args.max_per_class)
        if args.quick:
            X_train, y_train, X_test, y_test = X_train[:200], y_train[:200], X_test[:100], y_test[:100]
        model = CLIP.from_pretrained(name)                                   # 없으면 DatasetUnavailable → exit 2
        tokenize = load_tokenizer(name)
        class_names = ds.info["class_names"]
        scores = zero_shot_and_probe(model, tokenize, (X_train, y_train, X_test, y_test), class_names, args.seed)
    result = {
        "model": f"CLIP {name} (pretrained, 학습 없음)", "level": "paper", "data": args.data,
        "metric": "zero_shot_accuracy", "value": scores["zero_shot_accuracy"], **scores,
        "chance": 1 / len(class_names), "n_classes": len(class_names), "class_names": list(class_names),
        "templates": list(TEMPLATES), "pretrained": name, "n_train": len(X_train), "n_test": len(X_test),
        "n_parameters": model.num_parameters(), "threads": args.threads, "seconds": timer.seconds,
    }
    return report(result, args.out)


def make_plots(model, images, ids, mask, captions, pred_shape, true_shape, temperature, history, out: Path):
    import matplotlib.pyplot as plt

    from utils.datasets.images import SHAPE_NAMES
    from utils.visualization import plot_curves, save_figure

    def heatmap(matrix, path, title, xlabels, ylabels, xlabel, ylabel, fmt):
        fig, ax = plt.subplots(figsize=(9, 8), layout="constrained")
        image = ax.imshow(matrix, cmap="viridis", interpolation="nearest")
        fig.colorbar(image, ax=ax)
        ax.set_xticks(range(len(xlabels)), xlabels, rotation=90, fontsize=7)
        ax.set_yticks(range(len(ylabels)), ylabels, fontsize=7)
        for (i, j), v in np.ndenumerate(matrix):
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=6,
                    color="white" if v < matrix.max() / 2 else "black")
        ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
        return save_figure(fig, path)

    n = 10
    with torch.no_grad():
        image_features = F.normalize(model.encode_image(images[:n]), dim=-1)
        text_features = F.normalize(model.encode_text(ids[:n], mask[:n]), dim=-1)
    similarity = (image_features @ text_features.t()).numpy()
    short = [c.replace("a ", "", 1).replace(" at the ", " @ ") for c in captions[:n]]
    plots = [heatmap(similarity, out / "similarity_matrix.png", "test batch의 cosine 유사도 (대각선 = 짝)",
                     short, [f"이미지 {i}" for i in range(n)], "caption", "image", "{:.2f}")]
    index = {name: i for i, name in enumerate(SHAPE_NAMES)}
    confusion = np.zeros((len(SHAPE_NAMES), len(SHAPE_NAMES)))
    for t, p in zip(true_shape, pred_shape):
        confusion[index[t], index[p]] += 1
    confusion /= np.maximum(confusion.sum(axis=1, keepdims=True), 1)
    plots.append(heatmap(confusion, out / "zero_shot_confusion.png",
                         "zero-shot 혼동 행렬 (80 class 예측의 도형 부분, 행마다 합 1)", SHAPE_NAMES, SHAPE_NAMES,
                         "예측한 도형", "실제 도형", "{:.2f}"))
    plots.append(plot_curves({"exp(t) = 1/τ": temperature}, out / "temperature.png",
                             title="학습 중의 logit scale exp(t) (100에서 자름)", xlabel="optimizer step",
                             ylabel="exp(t)"))
    plots.append(plot_curves({"train": history["train_loss"], "test": history["test_loss"]}, out / "loss_curve.png",
                             title="대칭 InfoNCE loss", ylabel="loss"))
    return plots


if __name__ == "__main__":
    cli(main)
