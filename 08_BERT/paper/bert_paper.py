"""작은 BERT의 pre-training (MLM + NSP)과 감성 분류 fine-tuning.

Devlin et al. (2018)의 두 단계 (§3.1 Pre-training, §3.2 / §4.1 Fine-tuning):
1) WordPiece vocabulary를 영어 산문(`utils.datasets.load_english_prose`, Python 문서 pydoc_data.topics)과
   fine-tuning 과제의 train 문장(label 없이)에서 학습한다 (`08_BERT/wordpiece.py`).
2) Pre-training: 산문의 문단을 "문서", 문단 안의 문장을 문장으로 보고 (과제 문장은 5개씩 묶어 문서 하나)
   [CLS] A [SEP] B [SEP] 쌍을 만든다 (50% IsNext). token의 15%를 80/10/10으로 가리고 (`pytorch_lowlevel/masking.py`),
   loss = MLM cross-entropy(가린 위치만) + NSP cross-entropy. 공개 코드는 masking을 데이터 생성 때 한 번 정하고
   입력을 `dupe_factor`(기본 10)번 복제해 복제마다 다르게 가렸다 (static; RoBERTa §4.1이 이것을 설명한다).
   여기서는 batch마다 새로 가린다 (dynamic masking, Liu et al. 2019 RoBERTa).
   처음 MLM loss ≈ ln V (균등 예측)에서 떨어지는 것과 가린 token의 정답률을 본다.
3) Fine-tuning: `--data sentiment` (내장, 06장의 부정·역접 문장) 또는 `--data imdb`. pooled [CLS] → Linear(H, 2).
   같은 seed로 **사전학습한 encoder에서 시작** vs **무작위 encoder에서 시작**을 같은 설정으로 학습해 비교한다.
   `--few-labels N`이면 train의 앞 N 문장으로 같은 비교를 한 번 더 하고, `--restarts R`이면 그 비교를 fine-tuning
   seed R개(seed, seed+1, …)로 되풀이한다 (§4.1: 작은 데이터의 fine-tuning은 불안정해 여러 번 다시 시작했다).
   epoch마다 train loss, test 정답률, [CLS] hidden이 문장마다 얼마나 다른지(C의 문장 간 표준편차), pooler의
   tanh가 포화된 비율(|p| > 0.99)을 남긴다 — fine-tuning이 ln 2에 멈췄을 때 어디가 멈췄는지 보는 값들이다.
   label이 적을 때 사전학습의 효과를 seed 여러 개로 재는 실험은 `few_labels_paper.py`와 `08_BERT/claims.py`다.
4) `--init NAME_OR_FOLDER`: 우리 pre-training 대신 공개된 가중치(HF hub 이름 또는 `save_pretrained` 폴더; 예
   `bert-base-uncased`)와 그 vocabulary로 같은 fine-tuning을 한다. 가중치가 cache·폴더에 없으면 한 문장, exit 2.

그림: MLM loss 곡선, 한 문장의 층별 attention map (head 평균), test 문장의 [CLS] hidden의 PCA 2차원.

실행:  python -m 08_BERT.paper.bert_paper [--quick] [--data sentiment|imdb] [--pretrain-steps 800]
       python -m 08_BERT.paper.bert_paper --seed 1 --few-labels 1000 --restarts 4      # fine-tuning 안정성
       python -m 08_BERT.paper.bert_paper --init bert-base-uncased --data imdb --epochs 2   # 공개 가중치 (온라인)
"""
from __future__ import annotations

import math
import re

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from utils.batching import pad_batch
from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.datasets import load_english_prose, load_imdb, load_negation_sentiment
from utils.schedules import warmup_cosine_lr
from utils.training import accuracy, evaluate, make_optimizer

from ..pytorch_lowlevel.masking import IGNORE_INDEX, make_nsp_pairs, mask_tokens, pair_input
from ..wordpiece import SPECIAL_TOKENS, WordPieceTokenizer, train_wordpiece
from .bert import BERT, BERTClassifier, BERTConfig, BERTForPreTraining
from .step_loop import train_steps

DATA_CHOICES = ("sentiment", "imdb")
RUNS = ("sentiment",)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


# ---- 데이터: 산문 → 문서(문단) → 문장 → token id ----
def prose_documents(text: str, tokenizer: WordPieceTokenizer, min_tokens: int = 3) -> list[list[list[int]]]:
    """빈 줄로 나눈 문단 = 문서, 마침표 뒤에서 나눈 문장 = 문장. 너무 짧은 문장은 버린다."""
    documents = []
    for paragraph in re.split(r"\n\s*\n", text):
        sentences = [s for s in SENTENCE_END.split(" ".join(paragraph.split())) if s]
        ids = [[tokenizer.token_to_id[t] for t in tokenizer.tokenize(s)] for s in sentences]
        ids = [s for s in ids if len(s) >= min_tokens]
        if ids:
            documents.append(ids)
    return documents


def task_documents(texts, tokenizer: WordPieceTokenizer, per_document: int = 5) -> list[list[list[int]]]:
    """과제의 train 문장(label 없이)을 per_document개씩 묶어 "문서"로 만든다. 서로 이어지는 글이 아니므로 이 문서들의
    IsNext 쌍은 맞힐 수 없는 noise다: 여기서 얻는 것은 MLM이 과제의 문장을 읽어 본 경험이다 (domain의 글)."""
    ids = [[tokenizer.token_to_id[t] for t in tokenizer.tokenize(text)] for text in texts]
    return [ids[i:i + per_document] for i in range(0, len(ids), per_document)]


def split_documents(documents, every: int = 10):
    """검증용으로 문서 every개마다 하나. 문장이 2개 이상인 문서(IsNext 쌍을 만들 수 있는 문서)를 따로 나눠
    양쪽에 모두 있게 한다. → (train, val)"""
    multi = [d for d in documents if len(d) >= 2]
    single = [d for d in documents if len(d) < 2]
    if len(multi) < 2 or len(documents) < 4:
        raise ValueError(f"문장이 2개 이상인 문서가 {len(multi)}개뿐입니다: corpus가 너무 짧습니다")
    val_multi = multi[every - 1::every] or multi[-1:]
    val_single = single[every - 1::every]
    train = [d for d in multi if not any(d is v for v in val_multi)] + \
            [d for d in single if not any(d is v for v in val_single)]
    val = val_multi + val_single
    if len(val) < 2:
        val.append(train.pop())                                                      # NotNext에는 문서 2개가 필요
    return train, val


class PretrainingBatches:
    """step마다 새 NSP 쌍과 새 masking: get_batch(step) → ((ids, types, mask, chosen), (가린 token의 id, is_next))."""

    def __init__(self, documents, tokenizer: WordPieceTokenizer, batch_size: int, max_len: int, seed: int):
        self.documents, self.tok = documents, tokenizer
        self.batch_size, self.max_len = batch_size, max_len
        self.generator = torch.Generator().manual_seed(seed)
        if tokenizer.vocab[:len(SPECIAL_TOKENS)] != list(SPECIAL_TOKENS):
            raise ValueError(f"vocabulary는 특수 token {SPECIAL_TOKENS}으로 시작해야 합니다 (무작위 token의 범위)")
        self.first_normal_id = len(SPECIAL_TOKENS)                                  # 무작위 token은 이 id부터

    def __call__(self, step: int = 0):
        pairs = make_nsp_pairs(self.documents, self.batch_size, self.generator)
        encoded = [pair_input(a, b, self.tok.cls_id, self.tok.sep_id, self.max_len) for a, b, _ in pairs]
        ids = pad_batch([e[0] for e in encoded], pad_id=self.tok.pad_id)            # (B, T)
        types = pad_batch([e[1] for e in encoded], pad_id=0)                         # (B, T)
        attention = (ids != self.tok.pad_id).long()                                  # (B, T) 1 = 읽음
        special = (ids == self.tok.pad_id) | (ids == self.tok.cls_id) | (ids == self.tok.sep_id)
        masked, labels = mask_tokens(ids, special, self.tok.mask_id, len(self.tok), self.first_normal_id,
                                     self.generator)
        is_next = torch.tensor([label for _, _, label in pairs])
        chosen = labels != IGNORE_INDEX                                              # (B, T) 가린 위치
        return (masked, types, attention, chosen), (labels[chosen], is_next)


class PretrainingObjective(nn.Module):
    """train_steps가 부르는 모양 model(x)로 감싼다: x = (ids, types, mask, chosen) → (가린 위치의 logits, NSP logits).

    공개 코드(`run_pretraining.py`의 `gather_indexes`)처럼 MLM head는 **가린 위치에서만** 계산한다: (B·T, V) 대신
    (|M|, V) — vocabulary 크기의 출력 층이 계산의 대부분이라 15%만 계산하면 그만큼 빠르다. 값은
    `BERTForPreTraining.forward`의 logits를 그 위치에서 고른 것과 같다 (test_paper.py에서 확인).
    """

    def __init__(self, model: BERTForPreTraining):
        super().__init__()
        self.model = model

    def forward(self, x):
        ids, types, attention, chosen = x
        sequence_output, pooled = self.model.bert(ids, types, attention)             # (B, T, H), (B, H)
        word = self.model.bert.embeddings.word_embeddings.weight
        mlm = self.model.mlm(sequence_output[chosen], word)                          # (|M|, V)
        return mlm, self.model.nsp(pooled)                                           # (B, 2)


def pretraining_loss(outputs, targets) -> torch.Tensor:
    """MLM cross-entropy (가린 위치의 평균) + NSP cross-entropy."""
    (mlm, nsp), (labels, is_next) = outputs, targets
    return F.cross_entropy(mlm, labels) + F.cross_entropy(nsp, is_next)


@torch.no_grad()
def pretraining_metrics(model: BERTForPreTraining, batches: list) -> dict:
    """고정된 검증 batch에서 MLM loss, 가린 token 정답률, NSP 정답률."""
    model.eval()
    loss_sum = hits = count = nsp_hits = nsp_count = 0.0
    for (ids, types, attention, chosen), (labels, is_next) in batches:
        mlm, nsp = model(ids, types, attention)                                      # (B, T, V): 모든 위치
        loss_sum += F.cross_entropy(mlm[chosen], labels, reduction="sum").item()
        hits += (mlm[chosen].argmax(-1) == labels).sum().item()
        count += len(labels)
        nsp_hits += (nsp.argmax(-1) == is_next).sum().item()
        nsp_count += len(is_next)
    return {"val_mlm_loss": loss_sum / count, "val_masked_accuracy": hits / count,
            "val_nsp_accuracy": nsp_hits / nsp_count}


# ---- fine-tuning ----
class SentenceClassifier(nn.Module):
    """fit이 부르는 모양 model(ids)로: attention mask는 padding id에서 만든다."""

    def __init__(self, bert: BERT, pad_id: int, num_labels: int = 2):
        super().__init__()
        self.classifier = BERTClassifier(bert, num_labels)
        self.pad_id = pad_id

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.classifier(ids, attention_mask=(ids != self.pad_id).long())      # (B, 2)


def encoder_from(config: BERTConfig, state: dict) -> BERT:
    """state의 가중치를 복사한 새 encoder: 한 시작점에서 여러 번 fine-tuning해도 서로의 가중치를 건드리지 않는다."""
    bert = BERT(config)
    bert.load_state_dict(state)
    return bert


def encode_texts(texts, tokenizer: WordPieceTokenizer, max_len: int) -> torch.Tensor:
    """[CLS] 문장 [SEP] (max_len에서 자름), 가장 긴 문장 길이까지 오른쪽 padding → (N, T)."""
    return pad_batch([tokenizer.encode(t, max_len=max_len)[0] for t in texts], pad_id=tokenizer.pad_id)


def fine_tune(bert: BERT, tokenizer, train, test, args, seed: int, desc: str, lr: float | None = None):
    """§4.1처럼 분류 head를 얹고 encoder까지 모두 학습한다. lr은 step마다: 10% 선형 warm-up 뒤 cosine으로 0까지
    (BERT는 warm-up 뒤 선형 감소). seed가 head 초기값과 batch 순서를 정한다.

    epoch마다 남기는 값: test_accuracy, 그리고 test 앞 256 문장에서 잰 두 진단값 — cls_spread (C = [CLS]의 마지막
    hidden의 문장 간 표준편차, H개 축 평균: 0에 가까우면 모든 문장이 같은 C를 가져 한 class만 답한다)와
    pooler_saturation (|tanh| > 0.99인 pooler 출력의 비율: 1에 가까우면 tanh의 gradient가 사라진다).
    """
    lr = args.finetune_lr if lr is None else lr
    torch.manual_seed(seed)
    model = SentenceClassifier(bert, tokenizer.pad_id)
    optimizer = make_optimizer(model, "adamw", lr=lr, weight_decay=0.01)
    X, y = train
    steps_per_epoch = math.ceil(len(X) / args.batch_size)
    total = steps_per_epoch * args.finetune_epochs
    generator = torch.Generator().manual_seed(seed)
    order = []
    probe = test[0][:256]                                                            # 진단용 문장 (N, T)

    def get_batch(step: int):
        if step % steps_per_epoch == 0:                                              # epoch마다 새 순서
            order[:] = torch.randperm(len(X), generator=generator).split(args.batch_size)
        index = order[step % steps_per_epoch]
        return X[index], y[index]

    def test_metrics() -> dict:
        _, acc = evaluate(model, *test, metric=accuracy)
        with torch.no_grad():
            sequence_output, pooled = model.classifier.bert(probe, attention_mask=(probe != tokenizer.pad_id).long())
        return {"test_accuracy": acc, "cls_spread": sequence_output[:, 0].std(0).mean().item(),   # (N, H) → 축마다 std
                "pooler_saturation": (pooled.abs() > 0.99).float().mean().item()}

    history = train_steps(model, get_batch, steps=total, optimizer=optimizer, loss_fn=F.cross_entropy,
                          schedule=warmup_cosine_lr(lr, warmup=max(1, total // 10), total=total),
                          clip_grad_norm=1.0, eval_every=steps_per_epoch, evaluate_fn=test_metrics, desc=desc)
    return model, history


def epoch_means(history, steps_per_epoch: int) -> list[float]:
    """step마다의 train loss → epoch마다의 평균."""
    losses = np.asarray(history["train_loss"])
    return [float(losses[i:i + steps_per_epoch].mean()) for i in range(0, len(losses), steps_per_epoch)]


def fine_tuning_summary(history, n_train: int, batch_size: int) -> dict:
    """한 fine-tuning 실행의 epoch별 값 (result.json과 출력용)."""
    return {"test_accuracy": history["test_accuracy"][-1],
            "epoch_train_loss": epoch_means(history, math.ceil(n_train / batch_size)),
            "epoch_test_accuracy": list(history["test_accuracy"]), "epoch_cls_spread": list(history["cls_spread"]),
            "epoch_pooler_saturation": list(history["pooler_saturation"])}


def pca_2d(x: np.ndarray) -> np.ndarray:
    centred = x - x.mean(0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T                                                         # (N, 2)


def released_encoder(name: str) -> tuple[BERT, WordPieceTokenizer]:
    """공개된 BERT 가중치와 그 vocabulary: HF hub 이름(cache에 있을 때) 또는 `save_pretrained`로 저장한 폴더.

    가중치는 `BERT.from_pretrained`, vocabulary는 `utils.hub.hf_tokenizer(BertTokenizer, name)`로 같은 순서
    (폴더 → HF cache, 내려받지 않는다)로 찾는다. 폴더에는 tokenizer 파일 (`vocab.txt`, 한 줄에 token 하나, id 순서,
    또는 tokenizer의 `save_pretrained`가 쓰는 `tokenizer.json`)이 함께 있어야 한다. 소문자화 여부는 그 tokenizer의
    `do_lower_case`를 따른다. 없으면 DatasetUnavailable 한 문장 (CLI는 exit 2).
    """
    import transformers

    from utils.hub import hf_tokenizer

    bert = BERT.from_pretrained(name)
    reference = hf_tokenizer(transformers.BertTokenizer, name)                # 없으면 내려받는 명령을 적은 한 문장
    ids = reference.get_vocab()
    vocab = sorted(ids, key=ids.get)
    lowercase = bool(getattr(reference, "do_lower_case", True))
    if len(vocab) != bert.config.vocab_size:
        raise ValueError(f"vocabulary {len(vocab)}개가 가중치의 vocab_size {bert.config.vocab_size}와 다릅니다: {name}")
    return bert, WordPieceTokenizer(vocab, lowercase=lowercase)


def main(argv=None) -> dict:
    parser = make_parser("08_BERT", "paper",
                         "작은 BERT: MLM+NSP pre-training → 감성 분류 fine-tuning (사전학습 vs 처음부터)",
                         DATA_CHOICES, "sentiment", default_epochs=10)
    parser.add_argument("--vocab-size", type=int, default=2000, help="WordPiece vocabulary 크기")
    parser.add_argument("--hidden", type=int, default=64, help="H (hidden 크기)")
    parser.add_argument("--layers", type=int, default=2, help="L (encoder 층 수)")
    parser.add_argument("--heads", type=int, default=2, help="A (attention head 수)")
    parser.add_argument("--max-len", type=int, default=32, help="pre-training 쌍의 최대 token 수")
    parser.add_argument("--pretrain-steps", type=int, default=800, help="pre-training step 수")
    parser.add_argument("--pretrain-lr", type=float, default=1e-3, help="pre-training AdamW 최대 lr")
    parser.add_argument("--finetune-lr", type=float, default=1e-3, help="fine-tuning AdamW 최대 lr")
    parser.add_argument("--batch-size", type=int, default=32, help="mini-batch 크기")
    parser.add_argument("--few-labels", type=int, default=0,
                        help="train의 앞 N 문장으로도 사전학습 vs 처음부터를 비교한다 (0이면 하지 않는다)")
    parser.add_argument("--restarts", type=int, default=1,
                        help="--few-labels 비교를 fine-tuning seed 몇 개(seed, seed+1, …)로 되풀이할지")
    parser.add_argument("--init", default=None, metavar="NAME_OR_FOLDER",
                        help="우리 pre-training 대신 공개 가중치로 시작 (HF 이름 또는 save_pretrained 폴더)")
    args = parse_args(parser, argv)
    args.finetune_epochs = 1 if args.quick else args.epochs
    if args.few_labels < 0:
        parser.error(f"--few-labels는 0(비교하지 않음) 이상이어야 합니다: {args.few_labels}")
    if args.restarts < 1:
        parser.error(f"--restarts는 1 이상이어야 합니다: {args.restarts}")
    if args.quick:
        args.vocab_size, args.pretrain_steps = min(args.vocab_size, 300), min(args.pretrain_steps, 10)
    seed_everything(args.seed)

    with Timer() as timer, limit_threads(args.threads):
        # 1) 데이터
        if args.data == "imdb":
            data = load_imdb(args.root)
            max_len_ft = 128
        else:
            data = load_negation_sentiment(seed=args.seed)
            max_len_ft = 48
        X_train, y_train, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
        if args.quick:
            rng = np.random.default_rng(args.seed)
            keep_train, keep_test = rng.permutation(len(X_train))[:256], rng.permutation(len(X_test))[:128]
            X_train, y_train = [X_train[i] for i in keep_train], y_train[keep_train]
            X_test, y_test = [X_test[i] for i in keep_test], y_test[keep_test]

        if args.init:
            # 2') 공개 가중치: 같은 구성의 무작위 encoder가 "처음부터" 비교군
            released, tokenizer = released_encoder(args.init)
            config = released.config
            pretrained_state = released.state_dict()
            torch.manual_seed(args.seed)
            scratch_state = BERT(config).state_dict()
            history = initial = final = None
            documents = []
        else:
            # 2) WordPiece와 pre-training (MLM + NSP)
            prose = load_english_prose(max_chars=15_000 if args.quick else None)
            # vocabulary와 pre-training corpus = 산문 + fine-tuning할 과제의 train 문장 (label 없이). BERT의
            # vocabulary도 과제의 단어를 덮는 넓은 corpus에서 만든다: 산문만으로 만든 2,000개에서는 "good"이
            # g ##o ##od로 쪼개졌다.
            vocab = train_wordpiece(re.split(r"\n\s*\n", prose) + list(X_train), args.vocab_size)
            tokenizer = WordPieceTokenizer(vocab)
            documents = prose_documents(prose, tokenizer) + task_documents(X_train, tokenizer)
            train_docs, val_docs = split_documents(documents)
            config = BERTConfig(vocab_size=len(vocab), hidden_size=args.hidden, num_layers=args.layers,
                                num_heads=args.heads, intermediate_size=4 * args.hidden,
                                max_position=max(args.max_len, max_len_ft))
            torch.manual_seed(args.seed)
            pretrain = BERTForPreTraining(config)
            scratch_state = {k: v.clone() for k, v in pretrain.bert.state_dict().items()}   # 같은 초기값
            val_source = PretrainingBatches(val_docs, tokenizer, args.batch_size, args.max_len, seed=args.seed + 1000)
            val_batches = [val_source() for _ in range(2 if args.quick else 16)]
            initial = pretraining_metrics(pretrain, val_batches)
            batches = PretrainingBatches(train_docs, tokenizer, args.batch_size, args.max_len, seed=args.seed)
            optimizer = make_optimizer(pretrain, "adamw", lr=args.pretrain_lr, weight_decay=0.01)
            schedule = warmup_cosine_lr(args.pretrain_lr, warmup=max(1, args.pretrain_steps // 10),
                                        total=args.pretrain_steps)
            history = train_steps(PretrainingObjective(pretrain), batches, steps=args.pretrain_steps,
                                  optimizer=optimizer, schedule=schedule, loss_fn=pretraining_loss,
                                  clip_grad_norm=1.0, eval_every=max(1, args.pretrain_steps // 10),
                                  evaluate_fn=lambda: pretraining_metrics(pretrain, val_batches),
                                  desc="pre-training")
            final = pretraining_metrics(pretrain, val_batches)
            pretrained_state = pretrain.bert.state_dict()

        # 3) Fine-tuning: 사전학습한 encoder vs 같은 초기값의 무작위 encoder
        max_len_ft = min(max_len_ft, config.max_position)
        train = (encode_texts(X_train, tokenizer, max_len_ft), torch.as_tensor(y_train))
        test = (encode_texts(X_test, tokenizer, max_len_ft), torch.as_tensor(y_test))
        tuned, tuned_history = fine_tune(encoder_from(config, pretrained_state), tokenizer, train, test, args,
                                         args.seed, "fine-tune (pre-trained)")
        _, scratch_history = fine_tune(encoder_from(config, scratch_state), tokenizer, train, test, args, args.seed,
                                       "fine-tune (scratch)")

        # 4) --few-labels: train의 앞 N 문장의 label만으로 같은 비교, fine-tuning seed마다 (§4.1의 restart)
        few_runs = []
        n_few = min(args.few_labels, len(X_train))
        if n_few:
            few = (train[0][:n_few], train[1][:n_few])
            for restart in range(args.restarts):
                seed = args.seed + restart
                run = {"finetune_seed": seed}
                for arm, state in (("pretrained", pretrained_state), ("scratch", scratch_state)):
                    _, few_history = fine_tune(encoder_from(config, state), tokenizer, few, test, args, seed,
                                               f"fine-tune {n_few} ({arm}, seed {seed})")
                    run[arm] = fine_tuning_summary(few_history, n_few, args.batch_size)
                few_runs.append(run)

    plots = save_plots(args, history, initial, tuned, tokenizer, test, y_test, X_test)
    result = {
        "model": "BERT (small)" if not args.init else f"BERT ({args.init})", "level": "paper", "data": args.data,
        "metric": "test_accuracy", "value": tuned_history.last("test_accuracy"),
        "scratch_test_accuracy": scratch_history.last("test_accuracy"),
        "pretrained_history": tuned_history.to_dict(), "scratch_history": scratch_history.to_dict(),
        "few_labels": n_few, "few_label_runs": few_runs, "finetune_lr": args.finetune_lr, "init": args.init,
        "ln_vocab": math.log(len(tokenizer)), "vocab_size": len(tokenizer), "n_documents": len(documents),
        "finetune_epochs": args.finetune_epochs, "n_train": len(X_train), "n_test": len(X_test),
        "n_parameters": sum(p.numel() for p in tuned.classifier.bert.parameters()),
        "hidden": config.hidden_size, "layers": config.num_layers, "heads": config.num_heads,
        "threads": args.threads, "seconds": timer.seconds, "plots": plots,
    }
    if n_few:
        first = few_runs[0]
        result.update(few_pretrained_test_accuracy=first["pretrained"]["test_accuracy"],
                      few_scratch_test_accuracy=first["scratch"]["test_accuracy"])
    if history is not None:
        result.update(mlm_loss_initial=initial["val_mlm_loss"], mlm_loss_final=final["val_mlm_loss"],
                      masked_accuracy=final["val_masked_accuracy"], nsp_accuracy=final["val_nsp_accuracy"],
                      pretrain_history=history.to_dict(), pretrain_steps=args.pretrain_steps)
    print_summary(result)
    result = report(result, args.out)
    if args.quick:
        print(QUICK_NOTE)
    return result


QUICK_NOTE = ("이것은 smoke run이다 (pre-training 10 step, fine-tuning 1 epoch, 문장 256개): 정답률은 우연(0.5) "
              "근처여도 정상이다. 기본 설정의 전체 실행은 README의 결과 표에 있다 (seed 0: MLM loss 7.578 → 4.225, "
              "사전학습 / 처음부터 모두 test 정답률 1.000).")


def print_summary(result: dict) -> None:
    """학습자가 읽을 몇 줄: 처음 MLM loss와 ln V, fine-tuning 정답률, --few-labels의 restart별 진단값."""
    if "mlm_loss_initial" in result:
        print(f"pre-training: 처음 MLM loss {result['mlm_loss_initial']:.3f} (균등 예측이면 ln V = "
              f"{result['ln_vocab']:.3f}) → {result['mlm_loss_final']:.3f}, 가린 token 정답률 "
              f"{result['masked_accuracy']:.3f}, NSP 정답률 {result['nsp_accuracy']:.3f}")
    print(f"fine-tuning {result['n_train']}문장: 사전학습 {result['value']:.3f}, 처음부터 "
          f"{result['scratch_test_accuracy']:.3f}")
    for run in result["few_label_runs"]:
        for arm in ("pretrained", "scratch"):
            r = run[arm]
            print(f"  label {result['few_labels']}개, {arm:<10} fine-tuning seed {run['finetune_seed']}: "
                  f"test {r['test_accuracy']:.3f}, 마지막 epoch train loss {r['epoch_train_loss'][-1]:.3f} "
                  f"(ln 2 = 0.693), C의 문장 간 표준편차 {r['epoch_cls_spread'][-1]:.4f}, "
                  f"tanh 포화 {r['epoch_pooler_saturation'][-1]:.3f}")


def save_plots(args, history, initial, tuned, tokenizer, test, y_test, X_test) -> list[str]:
    import matplotlib.pyplot as plt

    from utils.visualization import plot_latent_scatter, save_figure

    plots = []
    if history is not None:                                                  # --init이면 우리 pre-training이 없다
        fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
        steps = np.arange(1, len(history["train_loss"]) + 1)
        ax.plot(steps, history["train_loss"], alpha=0.4, label="train (MLM + NSP)")
        ax.plot([0] + history["eval_step"], [initial["val_mlm_loss"]] + history["val_mlm_loss"], marker="o",
                label="검증 MLM loss")
        ln_v = math.log(len(tokenizer))
        ax.axhline(ln_v, color="gray", linestyle=":", label=f"ln V = {ln_v:.2f}")
        ax.set(title="BERT pre-training (영어 산문)", xlabel="step", ylabel="loss")
        ax.grid(True, alpha=0.3)
        ax.legend()
        plots.append(str(save_figure(fig, f"{args.out}/mlm_loss.png")))

    bert = tuned.classifier.bert.eval()
    sentence = X_test[0]
    ids, types = tokenizer.encode(sentence, max_len=test[0].shape[1])   # 긴 리뷰는 model 길이로 자른다
    maps = bert.attention_maps(torch.tensor([ids]), torch.tensor([types]))
    tokens = [tokenizer.vocab[i] for i in ids]
    fig, axes = plt.subplots(1, len(maps), figsize=(4.2 * len(maps), 4.4), layout="constrained", squeeze=False)
    for layer, (ax, probs) in enumerate(zip(axes[0], maps)):
        ax.imshow(probs[0].mean(0).numpy(), cmap="viridis", vmin=0)                  # head 평균 (T, T)
        ax.set_xticks(range(len(tokens)), tokens, rotation=90, fontsize=7)
        ax.set_yticks(range(len(tokens)), tokens, fontsize=7)
        ax.set_title(f"층 {layer + 1} (head 평균)")
    fig.suptitle(f"attention: \"{sentence}\"", fontsize=9)
    plots.append(str(save_figure(fig, f"{args.out}/attention_layers.png")))

    with torch.no_grad():
        X, _ = test
        cls = torch.cat([bert(X[i:i + 256], attention_mask=(X[i:i + 256] != tokenizer.pad_id).long())[0][:, 0]
                         for i in range(0, len(X), 256)])                           # (N, H): [CLS]의 hidden
    plots.append(str(plot_latent_scatter(pca_2d(cls.numpy()), np.asarray(y_test), f"{args.out}/cls_pca.png",
                                         title="test 문장의 [CLS] hidden (PCA, fine-tuning 뒤)")))
    return plots


if __name__ == "__main__":
    cli(main)
