"""수정 과제 01 (mean pooling) 채점: 식 → HF model 자신의 forward로 나온 pooler_output == 같은 가중치의 L3 BERT에서 센
평균 (HF → L3, L3 → HF 두 방향의 이식, eager·sdpa) → padding을 바꿔도 그대로 → 호출마다의 mask → 분류 head까지
→ 잘못된 입력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`mod01_mean_pooling.py`)을 검사한다.
기대값은 이 파일이 따로 계산한다: 이 장의 L3 모델(`paper/bert.py`)을 같은 가중치로 옮겨(`BERT.from_reference`,
`bert_analysis.to_hf`) sequence_output을 얻고, 문장마다 mask가 1인 행들을 float64로 직접 평균한다 (`expected_mean`).
허용 오차는 float32 모듈 parity의 `F32_ATOL` (docs/01 4절).
"""
import pytest
import torch
from transformers import BertForSequenceClassification, BertModel

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F32_ATOL

from ..paper.bert import BERT, BERTConfig
from . import bert_analysis as A

# pad id가 0이 아닌 구성 (padding을 pad id로 알아내는 풀이를 걸러낸다)
CONFIG = BERTConfig(vocab_size=41, hidden_size=16, num_layers=2, num_heads=4, intermediate_size=24, max_position=12,
                    pad_token_id=3)
LENGTHS = (12, 7, 3, 9)                    # 문장마다 읽는 token 수: 뒤는 padding


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "mod01_mean_pooling")


def batch(seed: int = 0):
    """(ids, types, mask): 읽는 token은 pad id를 피하고, padding 자리의 id는 pad id."""
    g = torch.Generator().manual_seed(seed)
    B, T = len(LENGTHS), CONFIG.max_position
    ids = torch.randint(4, CONFIG.vocab_size, (B, T), generator=g)                  # 0..3 (pad 포함)을 피한다
    types = torch.randint(0, 2, (B, T), generator=g)
    mask = (torch.arange(T)[None, :] < torch.tensor(LENGTHS)[:, None]).long()        # (B, T)
    ids = torch.where(mask.bool(), ids, torch.full_like(ids, CONFIG.pad_token_id))
    types = types * mask
    return ids, types, mask


def hf_config(attn: str, **extra):
    config = A.hf_config(CONFIG, attn)                                              # 이 장의 BERTConfig → BertConfig
    for key, value in extra.items():
        setattr(config, key, value)
    return config


def hf_model(attn: str, seed: int = 0) -> BertModel:
    torch.manual_seed(seed)
    return BertModel(A.hf_config(CONFIG, attn)).eval()


def expected_mean(sequence_output: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """문장마다 mask가 1인 token의 hidden을 float64로 더해 그 수로 나눈다 (B, H)."""
    rows = []
    for b in range(sequence_output.shape[0]):
        keep = range(sequence_output.shape[1]) if mask is None else torch.nonzero(mask[b]).flatten().tolist()
        rows.append(sum(sequence_output[b, t].double() for t in keep) / len(keep))
    return torch.stack(rows)


def l3_expected(ours: BERT, ids, types, mask) -> torch.Tensor:
    with torch.no_grad():
        sequence_output, _ = ours.eval()(ids, types, mask)
    return expected_mean(sequence_output, mask)


def test_masked_mean_averages_only_the_real_tokens(ex):
    g = torch.Generator().manual_seed(1)
    hidden = torch.randn(3, 5, 4, generator=g)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [0, 1, 1, 0, 1]])       # 셋째 행: 왼쪽·가운데도 빈다
    expected = expected_mean(hidden, mask)
    for dtype in (torch.long, torch.bool, torch.float32):
        found = ex.masked_mean(hidden, mask.to(dtype))
        assert_equal(tuple(found.shape), (3, 4), f"masked_mean 출력 shape (B, H), mask dtype {dtype}")
        assert_close(found, expected, f"masked_mean vs 직접 센 평균 (mask dtype {dtype})", rtol=0, atol=F32_ATOL)
    assert_close(ex.masked_mean(hidden, None), hidden.double().mean(dim=1), "mask가 None이면 모든 token의 평균",
                 rtol=0, atol=F32_ATOL)


@pytest.mark.parametrize("attn", ["eager", "sdpa"])
def test_hf_forward_pools_the_mean_of_the_l3_sequence_output(ex, attn):
    ref = hf_model(attn)
    ours = BERT.from_reference(ref)                                                 # 이 장의 HF → L3 이식
    ids, types, mask = batch()
    expected = l3_expected(ours, ids, types, mask)
    pooler = ex.use_mean_pooling(ref)
    assert ref.pooler is pooler, "use_mean_pooling이 돌려준 pooler가 model.pooler 자리에 있어야 합니다"
    assert not [n for n, m in ref.named_modules() if type(m).__name__ == "BertPooler"], "BertPooler가 남아 있습니다"
    calls = []
    handle = ref.pooler.register_forward_hook(lambda module, args, output: calls.append(output))
    with torch.no_grad():
        by_keyword = ref(input_ids=ids, attention_mask=mask, token_type_ids=types).pooler_output
        by_position = ref(ids, mask, types).pooler_output               # (input_ids, attention_mask, token_type_ids)
    handle.remove()
    assert_equal(len(calls), 2, "HF forward 두 번에서 새 pooler가 불린 횟수 (model 자신의 forward가 부른다)")
    assert_close(by_keyword, expected, f"{attn}: HF pooler_output vs L3 sequence_output의 padding 뺀 평균",
                 rtol=0, atol=F32_ATOL)
    assert_close(by_position, expected, f"{attn}: mask를 위치 인자로 준 호출", rtol=0, atol=F32_ATOL)


@pytest.mark.parametrize("attn", ["eager", "sdpa"])
def test_l3_weights_ported_to_hf_give_the_same_mean(ex, attn):
    torch.manual_seed(5)
    ours = BERT(CONFIG).eval()                                                      # L3에서 시작: L3 → HF 이식
    ref = A.to_hf(ours, attn)
    ids, types, mask = batch(seed=6)
    expected = l3_expected(ours, ids, types, mask)
    ex.use_mean_pooling(ref)
    with torch.no_grad():
        found = ref(input_ids=ids, attention_mask=mask, token_type_ids=types).pooler_output
    assert_close(found, expected, f"{attn}: to_hf로 옮긴 model의 pooler_output vs L3 평균", rtol=0, atol=F32_ATOL)


def test_padding_tokens_do_not_change_the_pooled_vector(ex):
    ref = hf_model("sdpa", seed=2)
    ex.use_mean_pooling(ref)
    ids, types, mask = batch(seed=3)
    with torch.no_grad():
        pooled = ref(input_ids=ids, attention_mask=mask, token_type_ids=types).pooler_output
        noise = torch.randint(4, CONFIG.vocab_size, ids.shape, generator=torch.Generator().manual_seed(4))
        other_ids = torch.where(mask.bool(), ids, noise)                             # padding 자리에 아무 token
        assert_close(ref(input_ids=other_ids, attention_mask=mask, token_type_ids=types).pooler_output, pooled,
                     "padding 자리의 id를 바꾼 뒤의 pooled", rtol=0, atol=F32_ATOL)
        ref.embeddings.word_embeddings.weight[CONFIG.pad_token_id].normal_(0, 3.0)   # pad token의 embedding 행
        assert_close(ref(input_ids=ids, attention_mask=mask, token_type_ids=types).pooler_output, pooled,
                     "pad embedding을 바꾼 뒤의 pooled", rtol=0, atol=F32_ATOL)
        for b, n in enumerate(LENGTHS):                                              # padding 없이 한 문장씩
            alone = ref(input_ids=ids[b:b + 1, :n], token_type_ids=types[b:b + 1, :n]).pooler_output
            assert_close(alone[0], pooled[b], f"문장 {b}를 padding 없이 혼자 넣은 pooled", rtol=0, atol=F32_ATOL)


def test_each_call_uses_its_own_mask(ex):
    ref = hf_model("eager", seed=7)
    ours = BERT.from_reference(ref)
    ex.use_mean_pooling(ref)
    ids, types, mask = batch(seed=8)
    with torch.no_grad():
        ref(input_ids=ids, attention_mask=mask, token_type_ids=types)
        no_mask = ref(input_ids=ids, token_type_ids=types).pooler_output             # 앞 호출의 mask가 남으면 틀린다
        half = ref(input_ids=ids[:2], attention_mask=mask[:2], token_type_ids=types[:2]).pooler_output
    assert_close(no_mask, l3_expected(ours, ids, types, None), "mask 없는 호출 = 모든 token의 평균",
                 rtol=0, atol=F32_ATOL)
    assert_close(half, l3_expected(ours, ids[:2], types[:2], mask[:2]), "batch 크기가 다른 다음 호출",
                 rtol=0, atol=F32_ATOL)


def test_sequence_classification_head_reads_the_new_pooling(ex):
    torch.manual_seed(9)
    clf = BertForSequenceClassification(hf_config("sdpa", num_labels=3)).eval()
    ours = BERT.from_reference(clf.bert)
    ids, types, mask = batch(seed=10)
    expected = l3_expected(ours, ids, types, mask).float()
    ex.use_mean_pooling(clf.bert)
    with torch.no_grad():
        logits = clf(input_ids=ids, attention_mask=mask, token_type_ids=types).logits
        assert_close(logits, clf.classifier(expected), "BertForSequenceClassification의 logits = classifier(평균)",
                     rtol=0, atol=F32_ATOL)


def test_bad_inputs_are_refused(ex):
    hidden = torch.randn(2, 4, 3)
    with pytest.raises(ValueError, match=r"\(B, T\)"):
        ex.masked_mean(hidden, torch.ones(2, 5))
    with pytest.raises(ValueError, match=r"\(B, T, H\)"):
        ex.masked_mean(torch.randn(2, 4), torch.ones(2, 4))
    with pytest.raises(ValueError, match="0"):
        ex.masked_mean(hidden, torch.tensor([[1, 1, 0, 0], [0, 0, 0, 0]]))            # 읽을 token이 없는 행
    clf = BertForSequenceClassification(hf_config("sdpa"))
    with pytest.raises(ValueError, match="BertModel"):
        ex.use_mean_pooling(clf)
    ex.use_mean_pooling(clf.bert)
    with pytest.raises(ValueError, match="이미"):
        ex.use_mean_pooling(clf.bert)
