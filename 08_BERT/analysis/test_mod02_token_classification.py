"""수정 과제 02 (token classification head) 채점: 첫 조각에만 label → padding과 -100 → head == HF
`BertForTokenClassification` (같은 가중치) → -100 자리는 loss에서 빠진다 → fine-tuning = Adam, 결정적 →
짧은 학습으로 loss가 내려가고, 문맥 없이 맞히는 규칙들을 정한 차이 이상으로 이긴다 → 잘못된 입력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`mod02_token_classification.py`)을 검사한다.
과제 데이터는 이 파일이 만든다: 부정의 범위(negation scope) 표시. 단어마다 label은 "문장에서 그 단어보다 **앞에**
부정어(not, never, no)가 있으면 1, 아니면 0"이다. 단어 자신만 보아서는 label을 알 수 없다: 같은 단어가 문장마다
0도 1도 된다. vocabulary는 손으로 정했고 `actors`, `ending`은 두 조각(act ##ors, end ##ing)으로 쪼개진다.
기대하는 id·label은 이 vocabulary에서 손으로 적었다. loss의 기대값은 log-softmax를 float64로 직접 계산한다.

학습 판정은 돌리기 전에 정한 seed와 기준으로 한다 (기본 tier는 seed 0 하나, slow tier는 seed 0, 1, 2):
held-out loss가 학습 전의 절반 이하, held-out 정답률(label이 -100이 아닌 자리)이 문맥 없는 기준선 셋
(다수 class, 첫 조각 id별 다수 label, 위치별 다수 label; train에서 세어 held-out에 적용) 중 가장 좋은 것보다
MARGIN 이상 높다.
"""
import copy

import pytest
import torch
from transformers import BertConfig, BertForTokenClassification, BertModel

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F32_ATOL

from ..wordpiece import SPECIAL_TOKENS, WordPieceTokenizer

VOCAB = [*SPECIAL_TOKENS, "the", "movie", "plot", "music", "was", "is", "good", "great", "dull", "slow", "and", "fun",
         "act", "##ors", "end", "##ing", "not", "never", "no"]        # id: [PAD] 0, [CLS] 2, [SEP] 3, the 5, …
WORDS = ["the", "movie", "plot", "music", "was", "is", "good", "great", "dull", "slow", "and", "fun", "actors",
         "ending"]
CUES = ("not", "never", "no")
N_TRAIN, N_HELD_OUT = 512, 256
STEPS, LR, BATCH = 150, 3e-3, 32
# 판정 기준: 돌리기 전에 정했다
LOSS_RATIO = 0.5                    # held-out loss (학습 뒤) ≤ 0.5 × held-out loss (학습 전)
MARGIN = 0.10                       # held-out 정답률 ≥ 가장 좋은 문맥 없는 기준선 + 0.10
SEEDS = (0, 1, 2)                   # slow tier의 seed; 기본 tier는 첫 seed 하나


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "mod02_token_classification")


@pytest.fixture(scope="module")
def tokenizer():
    return WordPieceTokenizer(VOCAB)


def scope_sentences(n: int, generator: torch.Generator) -> list[tuple[list[str], list[int]]]:
    """단어 4–10개의 문장 n개. 반은 어느 한 자리에 부정어가 하나 있다. label: 앞에 부정어가 있으면 1."""
    out = []
    for _ in range(n):
        length = int(torch.randint(4, 11, (1,), generator=generator))
        words = [WORDS[int(i)] for i in torch.randint(len(WORDS), (length,), generator=generator)]
        if torch.rand(1, generator=generator) < 0.5:
            words[int(torch.randint(length, (1,), generator=generator))] = CUES[int(torch.randint(3, (1,),
                                                                                                  generator=generator))]
        labels, seen = [], False
        for word in words:
            labels.append(int(seen))
            seen = seen or word in CUES
        out.append((words, labels))
    return out


def tiny_bert(seed: int, dropout: float = 0.0) -> BertModel:
    torch.manual_seed(seed)
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=32, hidden_dropout_prob=dropout,
                        attention_probs_dropout_prob=dropout)
    return BertModel(config, add_pooling_layer=False)


def tensors(ex, tokenizer, sentences):
    return ex.collate([ex.align_labels(tokenizer, words, labels) for words, labels in sentences], tokenizer.pad_id)


def expected_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """label이 -100이 아닌 자리의 −log softmax(logits)[label] 평균 (float64)."""
    log_p = torch.log_softmax(logits.double(), dim=-1)
    keep = torch.nonzero(labels != -100)
    return torch.stack([-log_p[b, t, labels[b, t]] for b, t in keep.tolist()]).mean()


def test_align_labels_labels_the_first_piece_of_each_word(ex, tokenizer):
    ids, labels = ex.align_labels(tokenizer, ["the", "actors", "was", "not", "ending"], [0, 0, 0, 0, 1])
    # [CLS] the act ##ors was not end ##ing [SEP]
    assert_equal(ids, [2, 5, 17, 18, 9, 21, 19, 20, 3], "align_labels의 id")
    assert_equal(labels, [-100, 0, 0, -100, 0, 0, 1, -100, -100],
                 "align_labels의 label ([CLS]·[SEP]·##조각은 -100, 단어의 첫 조각에 그 단어의 label)")


def test_collate_pads_ids_mask_and_labels(ex, tokenizer):
    short = ex.align_labels(tokenizer, ["fun"], [1])                                 # [CLS] fun [SEP]
    long = ex.align_labels(tokenizer, ["no", "ending", "is", "good"], [0, 1, 1, 1])
    input_ids, mask, labels = ex.collate([short, long], tokenizer.pad_id)
    assert_equal(input_ids, torch.tensor([[2, 16, 3, 0, 0, 0, 0], [2, 23, 19, 20, 10, 11, 3]]), "collate의 input_ids")
    assert_equal(mask, torch.tensor([[1, 1, 1, 0, 0, 0, 0], [1] * 7]), "collate의 attention_mask")
    assert_equal(labels, torch.tensor([[-100, 1, -100, -100, -100, -100, -100],
                                       [-100, 0, 1, -100, 1, 1, -100]]), "collate의 labels (padding은 -100)")
    assert all(t.dtype == torch.long for t in (input_ids, mask, labels)), "collate의 세 tensor는 long이어야 합니다"


def test_head_and_loss_equal_hf_bert_for_token_classification(ex, tokenizer):
    bert = tiny_bert(seed=1, dropout=0.1)
    tagger = ex.BertTokenTagger(bert, num_labels=3)
    assert tagger.bert is bert, "BertTokenTagger.bert는 받은 BertModel 그대로여야 합니다"
    assert_equal(tuple(tagger.classifier.weight.shape), (3, 32), "classifier weight shape (num_labels, H)")
    assert_equal(int(torch.count_nonzero(tagger.classifier.bias)), 0, "classifier bias의 0이 아닌 원소 수 (처음 0)")
    assert_equal(tagger.dropout.p, 0.1, "dropout p (config.hidden_dropout_prob)")
    input_ids, mask, labels = tensors(ex, tokenizer, scope_sentences(6, torch.Generator().manual_seed(2)))
    labels = torch.where(labels == 1, torch.full_like(labels, 2), labels)            # class 셋을 모두 쓰게
    settings = {k: v for k, v in bert.config.to_dict().items() if k not in ("id2label", "label2id")}
    hf = BertForTokenClassification(BertConfig(**settings, num_labels=3)).eval()
    hf.bert.load_state_dict(bert.state_dict())
    hf.classifier.load_state_dict(tagger.classifier.state_dict())
    tagger.eval()
    with torch.no_grad():
        logits, loss = tagger(input_ids, mask, labels)
        out = hf(input_ids=input_ids, attention_mask=mask, labels=labels)
    assert_equal(tuple(logits.shape), (*input_ids.shape, 3), "logits shape (B, T, num_labels)")
    assert_close(logits, out.logits, "logits vs HF BertForTokenClassification (같은 가중치)", rtol=0, atol=F32_ATOL)
    assert_close(loss, out.loss, "loss vs HF BertForTokenClassification", rtol=0, atol=F32_ATOL)
    assert tagger(input_ids, mask)[1] is None, "labels가 없으면 loss는 None"


def test_ignored_positions_are_left_out_of_the_loss(ex, tokenizer):
    tagger = ex.BertTokenTagger(tiny_bert(seed=3), num_labels=2).eval()
    input_ids, mask, labels = tensors(ex, tokenizer, scope_sentences(5, torch.Generator().manual_seed(4)))
    assert int((labels == -100).sum()) > int((mask == 0).sum()), "이 batch에는 padding 말고도 -100 자리가 있어야 합니다"
    with torch.no_grad():
        logits, loss = tagger(input_ids, mask, labels)
        assert_close(loss, expected_loss(logits, labels), "loss vs -100이 아닌 자리만의 cross-entropy 평균",
                     rtol=0, atol=F32_ATOL)
        noise = torch.randint(5, len(VOCAB), input_ids.shape, generator=torch.Generator().manual_seed(5))
        padded = torch.where(mask.bool(), input_ids, noise)                          # padding 자리에 아무 token
        assert_close(tagger(padded, mask, labels)[1], loss, "padding 자리의 id를 바꾼 뒤의 loss", rtol=0, atol=F32_ATOL)


def test_finetune_is_adam_on_every_parameter_and_is_deterministic(ex, tokenizer):
    data = tensors(ex, tokenizer, scope_sentences(64, torch.Generator().manual_seed(6)))
    tagger = ex.BertTokenTagger(tiny_bert(seed=7), num_labels=2)
    twin, again = copy.deepcopy(tagger), copy.deepcopy(tagger)
    losses = ex.finetune(tagger, *data, steps=5, lr=LR, batch_size=8, seed=11)
    assert_equal(len(losses), 5, "돌려준 loss 수 (steps)")
    assert not tagger.training, "finetune이 끝나면 model은 eval 모드여야 합니다"
    assert_equal(ex.finetune(again, *data, steps=5, lr=LR, batch_size=8, seed=11), losses, "같은 seed의 두 실행")
    generator = torch.Generator().manual_seed(11)
    optimizer = torch.optim.Adam(twin.parameters(), lr=LR)
    expected = []
    for _ in range(5):
        index = torch.randint(len(data[0]), (8,), generator=generator)
        logits, _ = twin(data[0][index], data[1][index])
        loss = expected_loss(logits, data[2][index]).float()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        expected.append(loss.item())
    assert_close(losses, expected, "step마다 loss vs 직접 쓴 Adam 루프", rtol=0, atol=F32_ATOL)
    for (name, p), q in zip(tagger.named_parameters(), twin.parameters()):
        assert_close(p.detach(), q.detach(), f"5 step 뒤 {name} vs 직접 쓴 Adam 루프", rtol=0, atol=F32_ATOL)


def context_free_baselines(train, held_out) -> dict[str, float]:
    """문맥을 보지 않는 규칙 셋의 held-out 정답률: 다수 class, 첫 조각 id별 다수 label, 위치별 다수 label."""
    def majority(pairs):
        table = {}
        for key, label in pairs:
            table.setdefault(key, [0, 0])[label] += 1
        return {key: int(c[1] > c[0]) for key, c in table.items()}

    def scored(ids, labels):
        keep = torch.nonzero(labels != -100).tolist()
        return [((int(ids[b, t]), t), int(labels[b, t])) for b, t in keep]

    train_pairs, held_pairs = scored(train[0], train[2]), scored(held_out[0], held_out[2])
    overall = majority([(0, label) for _, label in train_pairs])[0]
    by_id = majority([(key[0], label) for key, label in train_pairs])
    by_position = majority([(key[1], label) for key, label in train_pairs])

    def accuracy(predict):
        return sum(predict(key) == label for key, label in held_pairs) / len(held_pairs)

    return {"majority": accuracy(lambda key: overall), "by_token_id": accuracy(lambda key: by_id.get(key[0], overall)),
            "by_position": accuracy(lambda key: by_position.get(key[1], overall))}


def held_out_metrics(tagger, data) -> tuple[float, float]:
    with torch.no_grad():
        logits, loss = tagger(*data)
    keep = data[2] != -100
    return loss.item(), (logits.argmax(-1)[keep] == data[2][keep]).float().mean().item()


def train_and_judge(ex, tokenizer, seed: int) -> str:
    generator = torch.Generator().manual_seed(100 + seed)
    train = tensors(ex, tokenizer, scope_sentences(N_TRAIN, generator))
    held_out = tensors(ex, tokenizer, scope_sentences(N_HELD_OUT, generator))
    tagger = ex.BertTokenTagger(tiny_bert(seed), num_labels=2).eval()
    loss_before, _ = held_out_metrics(tagger, held_out)
    losses = ex.finetune(tagger, *train, steps=STEPS, lr=LR, batch_size=BATCH, seed=seed)
    loss_after, acc = held_out_metrics(tagger, held_out)
    baselines = context_free_baselines(train, held_out)
    best = max(baselines.values())
    report = (f"seed {seed}: held-out loss {loss_before:.3f} → {loss_after:.3f}, 정답률 {acc:.3f}, 문맥 없는 기준선 "
              f"{ {k: round(v, 3) for k, v in baselines.items()} }, train loss {losses[0]:.3f} → {losses[-1]:.3f}")
    assert loss_after <= LOSS_RATIO * loss_before, f"{report}: held-out loss가 {LOSS_RATIO}배 이하가 아닙니다"
    assert acc >= best + MARGIN, f"{report}: 정답률이 가장 좋은 기준선 + {MARGIN}에 닿지 않았습니다"
    return report


def test_short_training_lowers_the_loss_and_beats_context_free_rules(ex, tokenizer):
    train_and_judge(ex, tokenizer, SEEDS[0])


@pytest.mark.slow
def test_short_training_works_for_every_seed_fixed_in_advance(ex, tokenizer):
    for seed in SEEDS:
        train_and_judge(ex, tokenizer, seed)


def test_bad_arguments_are_refused(ex, tokenizer):
    with pytest.raises(ValueError, match="word_labels"):
        ex.align_labels(tokenizer, ["the", "movie"], [0])
    with pytest.raises(ValueError, match="예"):
        ex.collate([], tokenizer.pad_id)
    with pytest.raises(ValueError, match="BertModel"):
        ex.BertTokenTagger(torch.nn.Linear(2, 2), num_labels=2)
    with pytest.raises(ValueError, match="num_labels"):
        ex.BertTokenTagger(tiny_bert(seed=0), num_labels=1)
    tagger = ex.BertTokenTagger(tiny_bert(seed=0), num_labels=2)
    input_ids, mask, labels = tensors(ex, tokenizer, scope_sentences(3, torch.Generator().manual_seed(0)))
    with pytest.raises(ValueError, match="labels"):
        tagger(input_ids, mask, labels[:, :-1])
    with pytest.raises(ValueError, match="steps"):
        ex.finetune(tagger, input_ids, mask, labels, steps=0, lr=LR, batch_size=2, seed=0)
    with pytest.raises(ValueError, match=r"\(N, T\)"):
        ex.finetune(tagger, input_ids, mask[:, :-1], labels, steps=1, lr=LR, batch_size=2, seed=0)
