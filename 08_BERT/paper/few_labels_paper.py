"""label이 적을 때 사전학습이 도움이 되는가 — 작은 BERT로 잰 Devlin et al. (2019)의 주장.

논문: Devlin et al. (2018). §5.2는 충분히 사전학습한 표현이 있으면 과제별 model은 "downstream task data가 아주 작을
때에도" 그 표현에서 이득을 본다고 적는다. §4.1 / Table 1의 작은 GLUE 과제(RTE 2.5k, MRPC 3.7k 문장 쌍)가 그 예다.
§5.3은 fine-tuning 없이 고정한 feature로 분류하는 feature-based 접근을 비교한다.

설계 (실행 전에 정한 것; 숫자는 아래 상수):
1) 과제: "the plot was very <형용사>" 꼴의 한 절 문장, label = 형용사의 극성. 형용사는 긍정 12개, 부정 12개.
   seed마다 극성별로 절반(6 + 6)을 "label에 나오는 형용사"로 고르고, 나머지 절반은 label에 한 번도 나오지 않는다.
   test는 둘로 나눠 잰다: **label에 없던 형용사의 문장**(주장이 걸린 곳)과 label에 있던 형용사의 문장.
2) label 없는 in-domain corpus (코드로 생성): 극성 하나를 가진 "리뷰"(문장 4개)들. 문장은 과제의 꼴 외에
   "A and B"(같은 극성), "A but B"(반대 극성), "i loved … because it was A"처럼 **극성을 서로 묶는 문맥**에 24개
   형용사를 모두 쓴다. 어느 문장에도 label은 없다: 이 corpus에서 배울 수 있는 것은 "어떤 형용사들이 같은 자리에
   함께 나오는가"뿐이다. Masked LM이 "… was good and [MASK]"를 맞히려면 긍정 형용사들을 한데 모아야 한다.
3) 대조군: (a) 같은 초기값의 무작위 encoder에서 fine-tuning (scratch), (b) 관련 없는 corpus(Python 문서의 영어
   산문, `pydoc_data`)로 같은 step만큼 사전학습한 encoder (unrelated). (c) in-domain encoder를 고정하고 [CLS]의
   마지막 hidden C 위에 logistic regression만 학습하는 linear probe (§5.3).
4) label 수 16, 64, 256 (극성 반반, 작은 집합이 큰 집합의 앞부분). fine-tuning lr은 arm마다 LR_GRID에서 dev
   문장(label에 있던 형용사, train과 겹치지 않음)의 cross-entropy가 가장 낮은 값으로 고른다 — 모든 arm이 같은
   grid, 같은 step 수, 같은 분류 head 초기값과 batch 순서를 쓴다. probe의 정규화 세기도 같은 dev로 고른다.
5) seed 하나 = corpus, 형용사 나누기, 초기값, label 표본 전부. pre-training은 corpus마다 seed당 한 번이고, 그 encoder를
   모든 label 수와 lr에서 다시 쓴다 (`encoder_from`으로 복사).

vocabulary는 산문으로 학습한 WordPiece(`train_wordpiece`)에 과제 단어를 통째로 더한 것이다: 모든 arm이 같은
vocabulary를 쓰고, 과제의 단어는 모두 한 token이다 (조각난 형용사가 결과를 가리지 않게).

실행:  python -m 08_BERT.paper.few_labels_paper [--quick] [--seed 0]
       python -m utils.claims 08          # seed 여러 개로 판정 (08_BERT/claims.py)
"""
from __future__ import annotations

import functools
import math
import re

import numpy as np
import torch
import torch.nn.functional as F

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.datasets import load_english_prose
from utils.schedules import warmup_cosine_lr
from utils.training import make_optimizer

from ..wordpiece import WordPieceTokenizer, train_wordpiece
from .bert import BERTConfig, BERTForPreTraining
from .bert_paper import (
    PretrainingBatches,
    PretrainingObjective,
    SentenceClassifier,
    encode_texts,
    encoder_from,
    pretraining_loss,
    pretraining_metrics,
    prose_documents,
)
from .step_loop import train_steps

POSITIVE = ("good", "great", "excellent", "wonderful", "fun", "brilliant", "charming", "moving", "superb", "lovely",
            "delightful", "clever")
NEGATIVE = ("bad", "awful", "boring", "terrible", "dull", "weak", "painful", "bland", "poor", "dreadful", "tedious",
            "clumsy")
SUBJECTS = ("the movie", "the film", "the plot", "the acting", "the story", "the music", "the ending", "the cast",
            "this show", "the script")
VERBS = ("was", "is", "felt", "seemed")
INTENSIFIERS = ("", "", "very", "really", "quite")
LIKED = ("loved", "enjoyed", "liked", "adored")               # 리뷰 corpus에만 나온다 (과제에는 없다)
DISLIKED = ("hated", "disliked", "regretted", "resented")
TASK_WORDS = sorted({w for phrase in POSITIVE + NEGATIVE + SUBJECTS + VERBS + INTENSIFIERS + LIKED + DISLIKED
                     + ("and", "but", "i", "because", "it") for w in phrase.split()})

# 리뷰 문장 꼴의 비율: 과제 꼴, "A and B", "A but B", "i loved … because it was A". "and"가 "but"의 세 배다.
# 둘이 같은 비율이면 한 문장 안의 두 형용사가 같은 극성일 확률이 정확히 반이 되어, 형용사 쌍의 통계만으로는
# 극성을 알 수 없고 접속사와 함께 봐야만 (XOR) 알 수 있다 — 처음 설계(네 꼴 균등)에서 1,000 step 사전학습한
# embedding은 극성을 전혀 나누지 못했다 (같은 극성끼리와 다른 극성끼리의 cosine 평균 차이 0.000).
TEMPLATE_WEIGHTS = (0.25, 0.3, 0.1, 0.35)

LABEL_COUNTS = (16, 64, 256)
LR_GRID = (3e-5, 1e-4, 3e-4, 1e-3)                            # 논문 부록 A.3의 범위(2e-5–5e-5)부터 1e-3까지
PROBE_C_GRID = (0.01, 0.1, 1.0, 10.0)                         # logistic regression의 1/λ
ENCODERS = ("pretrained", "unrelated", "scratch")

FULL = dict(n_reviews=800, sentences_per_review=4, pretrain_steps=300, pretrain_batch=32, max_len=24,
            finetune_steps=60, finetune_batch=16, n_dev=64, n_test=400, prose_chars=150_000, prose_vocab=1000,
            hidden=64, layers=2, heads=2, lr_grid=LR_GRID, probe_grid=PROBE_C_GRID)
QUICK = dict(FULL, n_reviews=60, pretrain_steps=3, pretrain_batch=16, finetune_steps=2, n_dev=16, n_test=32,
             prose_chars=20_000, prose_vocab=200, lr_grid=LR_GRID[-1:], probe_grid=PROBE_C_GRID[-1:])


# ---- 데이터: 과제 문장과 label 없는 리뷰 corpus ----
def _pick(words, rng: np.random.Generator) -> str:
    return words[rng.integers(len(words))]


def task_sentence(adjective: str, rng: np.random.Generator) -> str:
    """과제의 문장 꼴: "<주어> <동사> [강조] <형용사>"."""
    words = [_pick(SUBJECTS, rng), _pick(VERBS, rng), _pick(INTENSIFIERS, rng), adjective]
    return " ".join(w for w in words if w)


def review_sentence(positive: bool, rng: np.random.Generator) -> str:
    """극성 하나를 가진 리뷰 문장. 문맥이 형용사들의 극성을 서로 묶는다 (and = 같은 극성, but = 반대 극성)."""
    same, other = (POSITIVE, NEGATIVE) if positive else (NEGATIVE, POSITIVE)
    subject, verb = _pick(SUBJECTS, rng), _pick(VERBS, rng)
    template = rng.choice(4, p=TEMPLATE_WEIGHTS)
    if template == 0:
        return task_sentence(_pick(same, rng), rng)
    if template == 1:
        return f"{subject} {verb} {_pick(same, rng)} and {_pick(same, rng)}"
    if template == 2:
        return f"{subject} {verb} {_pick(other, rng)} but {_pick(same, rng)}"      # 뒤 절이 리뷰의 극성
    return f"i {_pick(LIKED if positive else DISLIKED, rng)} {subject} because it was {_pick(same, rng)}"


def review_corpus(n_reviews: int, sentences_per_review: int, rng: np.random.Generator) -> list[list[str]]:
    """label 없는 문서들: 리뷰 하나 = 같은 극성의 문장 sentences_per_review개 (극성은 리뷰마다 반반)."""
    return [[review_sentence(bool(positive), rng) for _ in range(sentences_per_review)]
            for positive in rng.integers(2, size=n_reviews)]


def split_adjectives(rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """극성마다 절반을 label에 쓸 형용사로 → (seen, unseen). 두 list 모두 긍정 6 + 부정 6."""
    seen, unseen = [], []
    for words in (POSITIVE, NEGATIVE):
        order = rng.permutation(len(words))
        seen += [words[i] for i in order[:len(words) // 2]]
        unseen += [words[i] for i in order[len(words) // 2:]]
    return seen, unseen


def labelled_sentences(adjectives: list[str], n: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """adjectives에서 고른 형용사로 문장 n개, label 1 = 긍정. 극성은 반반이고 순서는 섞는다 (앞 k개도 거의 반반)."""
    positive = [a for a in adjectives if a in POSITIVE]
    negative = [a for a in adjectives if a in NEGATIVE]
    labels = np.arange(n) % 2                                                      # 1, 0, 1, 0, …: 앞 k개가 반반
    texts = [task_sentence(_pick(positive if y else negative, rng), rng) for y in labels]
    return texts, labels.astype(np.int64)


@functools.lru_cache(maxsize=4)
def shared_vocabulary(prose_chars: int, prose_vocab: int) -> tuple[str, ...]:
    """산문으로 학습한 WordPiece + 과제 단어 (없는 것만). seed와 무관하다 (모든 arm, 모든 seed가 같은 vocabulary)."""
    prose = load_english_prose(max_chars=prose_chars)
    vocab = train_wordpiece(re.split(r"\n\s*\n", prose), prose_vocab)
    return tuple(vocab) + tuple(w for w in TASK_WORDS if w not in set(vocab))


# ---- 학습 ----
def pretrain(config: BERTConfig, init_state: dict, documents, tokenizer, settings: dict, seed: int):
    """MLM + NSP로 settings["pretrain_steps"] step (bert_paper와 같은 objective). → (encoder state, 검증 지표)."""
    model = BERTForPreTraining(config)
    model.load_state_dict(init_state)
    n_val = max(2, len(documents) // 10)
    train_docs, val_docs = documents[n_val:], documents[:n_val]
    val_batches = [PretrainingBatches(val_docs, tokenizer, settings["pretrain_batch"], settings["max_len"],
                                      seed=seed + 1000)() for _ in range(4)]
    initial = pretraining_metrics(model, val_batches)
    batches = PretrainingBatches(train_docs, tokenizer, settings["pretrain_batch"], settings["max_len"], seed=seed)
    steps, lr = settings["pretrain_steps"], 1e-3
    optimizer = make_optimizer(model, "adamw", lr=lr, weight_decay=0.01)
    train_steps(PretrainingObjective(model), batches, steps=steps, optimizer=optimizer,
                schedule=warmup_cosine_lr(lr, warmup=max(1, steps // 10), total=steps), loss_fn=pretraining_loss,
                clip_grad_norm=1.0, progress=False, desc="pre-training")
    final = pretraining_metrics(model, val_batches)
    return ({k: v.clone() for k, v in model.bert.state_dict().items()},
            {"mlm_loss_initial": initial["val_mlm_loss"], "mlm_loss_final": final["val_mlm_loss"],
             "masked_accuracy": final["val_masked_accuracy"], "nsp_accuracy": final["val_nsp_accuracy"],
             **polarity_learned(model, tokenizer)})


@torch.no_grad()
def polarity_learned(model: BERTForPreTraining, tokenizer) -> dict:
    """사전학습이 극성을 배웠는지 label 없이 재는 두 값 (eval 모드, 난수를 쓰지 않는다).

    - embedding_polarity_gap: word embedding의 cosine 평균, 같은 극성 형용사 쌍 − 다른 극성 쌍 (0이면 극성 구조 없음).
    - mlm_polarity_shift: "i loved the movie because it was [MASK]"와 "i hated …"에서 MLM이 [MASK]에 주는
      긍정 형용사 확률의 몫 P(긍정) / P(형용사)의 차이 (loved − hated). 0이면 문맥의 극성이 예측을 바꾸지 못한다.
    """
    model.eval()
    E = F.normalize(model.bert.embeddings.word_embeddings.weight, dim=-1)
    pos = torch.tensor([tokenizer.token_to_id[a] for a in POSITIVE])
    neg = torch.tensor([tokenizer.token_to_id[a] for a in NEGATIVE])
    cos = E @ E.T                                                                  # (V, V)
    n = len(pos)
    within = (cos[pos][:, pos].sum() + cos[neg][:, neg].sum() - 2 * n) / (2 * n * (n - 1))    # 대각선(1)을 뺀다
    across = cos[pos][:, neg].mean()
    share = []
    for verb in ("loved", "hated"):
        ids, _ = tokenizer.encode(f"i {verb} the movie because it was [MASK]")
        x = torch.tensor([ids])
        logits, _ = model(x)
        p = logits[0, ids.index(tokenizer.mask_id)].softmax(-1)                    # (V,)
        share.append((p[pos].sum() / (p[pos].sum() + p[neg].sum())).item())
    return {"embedding_polarity_gap": (within - across).item(), "mlm_polarity_shift": share[0] - share[1]}


@torch.no_grad()
def scores(model, X: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """(cross-entropy, 정답률) — eval 모드."""
    model.eval()
    logits = model(X)                                                              # (N, 2)
    return F.cross_entropy(logits, y).item(), (logits.argmax(-1) == y).float().mean().item()


def fine_tune(config, state, pad_id: int, train, lr: float, settings: dict, seed: int) -> SentenceClassifier:
    """§4.1: pooled [CLS] → Linear(H, 2), encoder까지 모두 학습. step 수 고정, 10% warm-up 뒤 cosine으로 0까지.
    seed가 같으면 head 초기값과 batch 순서가 같다 (arm과 lr에 무관)."""
    torch.manual_seed(seed)
    model = SentenceClassifier(encoder_from(config, state), pad_id)
    X, y = train
    steps, batch = settings["finetune_steps"], min(settings["finetune_batch"], len(X))
    generator = torch.Generator().manual_seed(seed)
    order: list[torch.Tensor] = []

    def get_batch(step: int):
        if not order:                                                              # 한 바퀴 돌면 새 순서
            order.extend(torch.randperm(len(X), generator=generator).split(batch))
        index = order.pop(0)
        return X[index], y[index]

    optimizer = make_optimizer(model, "adamw", lr=lr, weight_decay=0.01)
    train_steps(model, get_batch, steps=steps, optimizer=optimizer, loss_fn=F.cross_entropy,
                schedule=warmup_cosine_lr(lr, warmup=max(1, steps // 10), total=steps), clip_grad_norm=1.0,
                progress=False, desc="fine-tune")
    return model


def tune_and_test(config, state, pad_id, train, dev, tests: dict, settings, seed) -> dict:
    """settings["lr_grid"](전체 실행은 LR_GRID)의 lr마다 fine-tuning → dev cross-entropy가 가장 낮은 lr의 test
    정답률 (grid 전체도 남긴다)."""
    grid = []
    for lr in settings["lr_grid"]:
        model = fine_tune(config, state, pad_id, train, lr, settings, seed)
        dev_loss, dev_acc = scores(model, *dev)
        grid.append({"lr": lr, "dev_loss": dev_loss, "dev_accuracy": dev_acc,
                     **{f"{name}_accuracy": scores(model, *data)[1] for name, data in tests.items()}})
    best = min(grid, key=lambda row: row["dev_loss"])
    return {**best, "grid": grid}


@torch.no_grad()
def cls_features(config, state, pad_id: int, X: torch.Tensor) -> np.ndarray:
    """고정한 encoder의 C = [CLS]의 마지막 hidden (논문 Figure 1의 C) → (N, H)."""
    bert = encoder_from(config, state).eval()
    sequence_output, _ = bert(X, attention_mask=(X != pad_id).long())              # (N, T, H)
    return sequence_output[:, 0].numpy()


def linear_probe(features: dict, train_y, dev_y, test_ys: dict, seed: int, c_grid=PROBE_C_GRID) -> dict:
    """고정 feature 위의 logistic regression. 정규화 세기 C는 dev log-loss로 c_grid에서 고른다."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    best = None
    for c in c_grid:
        probe = LogisticRegression(C=c, max_iter=2000, random_state=seed).fit(features["train"], train_y)
        dev_loss = log_loss(dev_y, probe.predict_proba(features["dev"]), labels=[0, 1])
        if best is None or dev_loss < best[0]:
            best = (dev_loss, c, probe)
    dev_loss, c, probe = best
    return {"C": c, "dev_loss": dev_loss,
            **{f"{name}_accuracy": float((probe.predict(features[name]) == y).mean()) for name, y in test_ys.items()}}


@functools.lru_cache(maxsize=2)                                                   # 같은 seed를 두 번 돌리지 않는다
def run_experiment(seed: int, quick: bool = False, pretrain_steps: int | None = None) -> dict:
    """seed 하나의 전부: corpus 두 개로 사전학습, 세 encoder × label 수 × lr grid fine-tuning, probe.

    → {"results": {arm: {label 수: {...}}}, "pretraining": {...}, "seen": [...], "unseen": [...], …}
    """
    settings = dict(QUICK if quick else FULL)
    if pretrain_steps is not None:
        settings["pretrain_steps"] = pretrain_steps
    streams = np.random.SeedSequence(seed).spawn(4)
    rng_corpus, rng_split, rng_label, rng_eval = (np.random.default_rng(s) for s in streams)
    vocab = list(shared_vocabulary(settings["prose_chars"], settings["prose_vocab"]))
    tokenizer = WordPieceTokenizer(vocab)

    def to_ids(text: str) -> list[int]:
        return [tokenizer.token_to_id[t] for t in tokenizer.tokenize(text)]

    reviews = review_corpus(settings["n_reviews"], settings["sentences_per_review"], rng_corpus)
    corpora = {"pretrained": [[to_ids(s) for s in review] for review in reviews],
               "unrelated": prose_documents(load_english_prose(max_chars=settings["prose_chars"]), tokenizer)}
    seen, unseen = split_adjectives(rng_split)
    n_max = max(LABEL_COUNTS)
    texts = {"train": labelled_sentences(seen, n_max, rng_label),
             "dev": labelled_sentences(seen, settings["n_dev"], rng_eval),
             "unseen": labelled_sentences(unseen, settings["n_test"], rng_eval),
             "seen": labelled_sentences(seen, settings["n_test"], rng_eval)}
    max_len = 16                                                                   # 과제 문장 + [CLS] [SEP]
    data = {name: (encode_texts(X, tokenizer, max_len), torch.as_tensor(y)) for name, (X, y) in texts.items()}

    config = BERTConfig(vocab_size=len(vocab), hidden_size=settings["hidden"], num_layers=settings["layers"],
                        num_heads=settings["heads"], intermediate_size=4 * settings["hidden"],
                        max_position=max(settings["max_len"], max_len))
    torch.manual_seed(seed)
    init_state = {k: v.clone() for k, v in BERTForPreTraining(config).state_dict().items()}   # 세 encoder의 같은 출발점
    states = {"scratch": {k[len("bert."):]: v for k, v in init_state.items() if k.startswith("bert.")}}
    pretraining = {}
    for name, documents in corpora.items():
        states[name], pretraining[name] = pretrain(config, init_state, documents, tokenizer, settings, seed)

    results: dict = {name: {} for name in (*ENCODERS, "probe")}
    tests = {"unseen": data["unseen"], "seen": data["seen"]}
    for k in LABEL_COUNTS:
        train = (data["train"][0][:k], data["train"][1][:k])
        for name in ENCODERS:
            results[name][k] = tune_and_test(config, states[name], tokenizer.pad_id, train, data["dev"], tests,
                                             settings, seed)
    features = {split: cls_features(config, states["pretrained"], tokenizer.pad_id, data[split][0])
                for split in ("train", "dev", "unseen", "seen")}
    for k in LABEL_COUNTS:
        sliced = dict(features, train=features["train"][:k])
        results["probe"][k] = linear_probe(sliced, texts["train"][1][:k], texts["dev"][1],
                                           {"unseen": texts["unseen"][1], "seen": texts["seen"][1]}, seed,
                                           settings["probe_grid"])
    return {"results": results, "pretraining": pretraining, "seen_adjectives": seen, "unseen_adjectives": unseen,
            "vocab_size": len(vocab), "ln_vocab": math.log(len(vocab)), "settings": settings,
            "n_parameters": sum(v.numel() for v in states["scratch"].values()),
            "example_review": reviews[0]}


def unseen_accuracies(outcome: dict) -> dict[str, float]:
    """claims.py의 arm 이름으로: {"pretrained_16": …, "scratch_16": …, "unrelated_16": …, "probe_16": …, …}."""
    return {f"{arm}_{k}": float(outcome["results"][arm][k]["unseen_accuracy"])
            for arm in (*ENCODERS, "probe") for k in LABEL_COUNTS}


def print_table(outcome: dict) -> None:
    rows = outcome["results"]
    print(f"label에 나온 형용사: {' '.join(outcome['seen_adjectives'])}")
    print(f"label에 없던 형용사: {' '.join(outcome['unseen_adjectives'])}")
    for name, p in outcome["pretraining"].items():
        print(f"pre-training ({name}): MLM loss {p['mlm_loss_initial']:.3f} (ln V = {outcome['ln_vocab']:.3f}) → "
              f"{p['mlm_loss_final']:.3f}, 가린 token 정답률 {p['masked_accuracy']:.3f}, NSP {p['nsp_accuracy']:.3f}, "
              f"극성: embedding cosine 차 {p['embedding_polarity_gap']:+.3f}, MLM P(긍정) loved − hated "
              f"{p['mlm_polarity_shift']:+.3f}")
    print(f"{'arm':<12}{'labels':>7}{'lr / C':>9}{'dev loss':>10}{'test 없던 형용사':>18}{'test 있던 형용사':>18}")
    for arm, by_k in rows.items():
        for k, r in by_k.items():
            knob = r.get("lr", r.get("C"))
            print(f"{arm:<12}{k:>7}{knob:>9.0e}{r['dev_loss']:>10.3f}{r['unseen_accuracy']:>18.3f}"
                  f"{r['seen_accuracy']:>18.3f}")


def main(argv=None) -> dict:
    parser = make_parser("08_BERT", "paper",
                         "label이 적을 때 사전학습의 효과: in-domain / 관련 없는 corpus / 처음부터 / probe",
                         ("reviews",), "reviews", default_epochs=1)
    parser.add_argument("--pretrain-steps", type=int, default=None,
                        help=f"두 corpus의 사전학습 step 수 (기본 {FULL['pretrain_steps']})")
    args = parse_args(parser, argv)
    if args.pretrain_steps is not None and args.pretrain_steps < 1:
        parser.error(f"--pretrain-steps는 1 이상이어야 합니다: {args.pretrain_steps}")
    seed_everything(args.seed)
    with Timer() as timer, limit_threads(args.threads):
        outcome = run_experiment(args.seed, quick=args.quick, pretrain_steps=args.pretrain_steps)
    print_table(outcome)
    arms = unseen_accuracies(outcome)
    result = {"model": "BERT (small)", "level": "paper", "data": "reviews", "metric": "unseen_adjective_accuracy",
              "value": arms[f"pretrained_{LABEL_COUNTS[0]}"], "arms": arms,
              **{k: v for k, v in outcome.items() if k != "settings"}, "quick": args.quick,
              "threads": args.threads, "seconds": timer.seconds}
    result = report(result, args.out)
    if args.quick:
        print(QUICK_NOTE)
    return result


QUICK_NOTE = ("이것은 smoke run이다 (pre-training 3 step, fine-tuning 2 step, lr 하나): 정답률은 우연 근처이고 "
              "아무것도 판정하지 않는다. 전체 실행(seed 5개, python -m utils.claims 08)은 label에 없던 형용사에서 "
              "pretrained − scratch = 0.038, 95% 구간 [−0.102, 0.178], 판정 inconclusive였다 (README의 결과 표).")


if __name__ == "__main__":
    cli(main)
