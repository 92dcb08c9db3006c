"""L4 검증: 안내서(README.md)가 기대는 transformers의 사실, 양방향 이식의 parity, hook, 실행.

안내서는 transformers 5.24.0의 설치된 소스를 읽고 썼다. 라이브러리를 올렸을 때 이 사실 중 하나가 바뀌면
assert 메시지가 어느 사실이 바뀌었는지 말한다 — 그러면 안내서의 그 절을 다시 읽고 고친다.
테스트가 버전 자체를 고정하지는 않는다.
"""
import math
import re
from pathlib import Path

import pytest
import torch
import transformers
import transformers.masking_utils as masking_utils
import transformers.models.bert.modeling_bert as modeling_bert
from transformers import BertConfig, BertForMaskedLM, BertForPreTraining, BertModel

from utils.gradcheck import F32_ATOL

from ..paper.bert import BERT, BERTConfig, BERTForPreTraining
from . import bert_analysis as A

GUIDE = Path(__file__).with_name("README.md")
PACKAGE = Path(transformers.__file__).parent
TINY = dict(vocab_size=40, hidden_size=12, num_hidden_layers=2, num_attention_heads=3, intermediate_size=20,
            max_position_embeddings=12)


def test_every_cited_line_still_holds_its_code():
    rows = re.findall(r"^\| `([\w/]+\.py):(\d+)` \| `([^`]+)` \| ([^|]+) \|$", GUIDE.read_text(encoding="utf-8"), re.M)
    assert len(rows) >= 15, "안내서의 '근거 줄' 표를 읽지 못했습니다"
    for path, line, code, fact in rows:
        lines = (PACKAGE / path).read_text(encoding="utf-8").splitlines()
        assert code in lines[int(line) - 1], (f"사실 '{fact.strip()}'의 근거가 옮겨 갔습니다: {path}:{line}에 "
                                              f"`{code}`가 없습니다 (지금: {lines[int(line) - 1].strip()!r})")


def test_guide_names_the_installed_version():
    assert f"transformers {transformers.__version__}" in GUIDE.read_text(encoding="utf-8"), \
        "안내서가 읽은 transformers 버전과 설치된 버전이 다릅니다: 줄 번호를 다시 확인하세요"


def test_fact_position_and_token_type_buffers_are_not_saved():
    model = BertModel(BertConfig(**TINY))
    buffers = dict(model.named_buffers())
    assert "embeddings.position_ids" in buffers and "embeddings.token_type_ids" in buffers
    assert not {"embeddings.position_ids", "embeddings.token_type_ids"} & set(model.state_dict()), \
        "사실 'position_ids·token_type_ids는 persistent=False buffer'가 바뀌었습니다"
    assert torch.equal(buffers["embeddings.position_ids"][0], torch.arange(12))


def test_fact_default_attention_is_sdpa_and_eager_can_be_requested():
    assert BertModel(BertConfig(**TINY)).config._attn_implementation == "sdpa", "사실 '기본 구현은 sdpa'가 바뀌었습니다"
    assert BertModel(BertConfig(**TINY, attn_implementation="eager")).config._attn_implementation == "eager"


def test_fact_eager_mask_uses_the_dtype_minimum_and_sdpa_skips_a_full_mask():
    embeds = torch.zeros(2, 5, 12)
    padding = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    eager = masking_utils.create_bidirectional_mask(BertConfig(**TINY, attn_implementation="eager"), embeds, padding)
    assert eager.dtype == torch.float32 and eager.shape == (2, 1, 5, 5)
    assert eager[0, 0, 0, 3] == torch.finfo(torch.float32).min, "사실 'eager mask = dtype의 최솟값'이 바뀌었습니다"
    assert eager[0, 0, 0, 2] == 0 and (eager[1] == 0).all()
    sdpa_config = BertConfig(**TINY, attn_implementation="sdpa")
    sdpa = masking_utils.create_bidirectional_mask(sdpa_config, embeds, padding)
    assert sdpa.dtype == torch.bool and not sdpa[0, 0, 0, 3] and sdpa[0, 0, 0, 2], \
        "사실 'sdpa mask는 불리언(True = 읽는다)'이 바뀌었습니다"
    assert masking_utils.create_bidirectional_mask(sdpa_config, embeds, torch.ones(2, 5, dtype=torch.long)) is None, \
        "사실 'padding이 없으면 sdpa mask를 건너뛴다(None)'가 바뀌었습니다"


def test_fact_min_dtype_softmax_gives_exact_zeros_and_no_nan_on_a_fully_padded_row():
    scores = torch.tensor([[0.3, -1.2, 2.0], [0.3, -1.2, 2.0]])
    mask = torch.tensor([[0.0, torch.finfo(torch.float32).min, 0.0], [torch.finfo(torch.float32).min] * 3])
    probs = (scores + mask).softmax(-1)
    assert probs[0, 1] == 0 and torch.isfinite(probs).all()
    assert torch.isnan((scores + torch.tensor([-math.inf] * 3)).softmax(-1)).all()   # −∞였다면 NaN


def test_fact_decoder_is_tied_to_the_word_embedding():
    for cls in (BertForMaskedLM, BertForPreTraining):
        assert cls._tied_weights_keys == {"cls.predictions.decoder.weight": "bert.embeddings.word_embeddings.weight",
                                          "cls.predictions.decoder.bias": "cls.predictions.bias"}, cls.__name__
        model = cls(BertConfig(**TINY))
        assert model.cls.predictions.decoder.weight is model.bert.embeddings.word_embeddings.weight, \
            f"사실 '{cls.__name__}의 decoder는 word embedding과 같은 Parameter'가 바뀌었습니다"
        assert model.cls.predictions.decoder.bias is model.cls.predictions.bias
    untied = BertForMaskedLM(BertConfig(**TINY, tie_word_embeddings=False))
    assert untied.cls.predictions.decoder.weight is not untied.bert.embeddings.word_embeddings.weight


def test_fact_masked_lm_has_no_pooler_and_pretraining_has_both_heads():
    assert BertForMaskedLM(BertConfig(**TINY)).bert.pooler is None, \
        "사실 'BertForMaskedLM에는 pooler가 없다'가 바뀌었습니다"
    model = BertForPreTraining(BertConfig(**TINY))
    assert model.bert.pooler is not None
    assert [n for n, _ in model.cls.named_children()] == ["predictions", "seq_relationship"]
    assert model.cls.seq_relationship.out_features == 2


def test_fact_pretraining_loss_is_the_plain_sum_of_mlm_and_nsp():
    torch.manual_seed(0)
    model = BertForPreTraining(BertConfig(**TINY)).eval()
    ids = torch.randint(0, 40, (2, 6))
    labels = torch.full((2, 6), -100)
    labels[0, 2], labels[1, 4] = 7, 9
    out = model(input_ids=ids, labels=labels, next_sentence_label=torch.tensor([0, 1]))
    mlm = torch.nn.functional.cross_entropy(out.prediction_logits.reshape(-1, 40), labels.reshape(-1))
    nsp = torch.nn.functional.cross_entropy(out.seq_relationship_logits, torch.tensor([0, 1]))
    assert torch.allclose(out.loss, mlm + nsp, atol=F32_ATOL), "사실 'loss = MLM + NSP'가 바뀌었습니다"


def test_fact_default_activation_is_erf_gelu_and_eps_is_1e_12():
    config = BertConfig()
    assert config.hidden_act == "gelu" and config.layer_norm_eps == 1e-12
    x = torch.linspace(-4, 4, 101)
    act = transformers.activations.ACT2FN["gelu"]
    assert torch.allclose(act(x), 0.5 * x * (1 + torch.erf(x / math.sqrt(2))), atol=F32_ATOL), \
        "사실 '\"gelu\" = erf 형태의 GELU'가 바뀌었습니다"
    assert (act(x) - transformers.activations.ACT2FN["gelu_new"](x)).abs().max() > 1e-4   # tanh 근사와는 다르다


def test_fact_attention_scaling_and_post_ln_order():
    layer = BertModel(BertConfig(**TINY)).encoder.layer[0]
    assert layer.attention.self.scaling == pytest.approx(4 ** -0.5)
    source = Path(modeling_bert.__file__).read_text(encoding="utf-8")
    assert source.count("self.LayerNorm(hidden_states + input_tensor)") == 2, "사실 'post-LN 두 곳'이 바뀌었습니다"


# ---- 이식과 parity ----
def test_weight_key_map_covers_both_state_dicts_exactly():
    ours = BERTForPreTraining(BERTConfig(vocab_size=40, hidden_size=12, num_layers=2, num_heads=3,
                                         intermediate_size=20, max_position=12))
    theirs = BertForPreTraining(BertConfig(**TINY))
    key_map = A.weight_key_map(2, pretraining=True)
    assert set(key_map) == set(ours.state_dict())
    assert set(key_map.values()) | set(A.TIED_KEYS) == set(theirs.state_dict())
    base = A.weight_key_map(2, pretraining=False)
    assert set(base) == set(BERT(ours.config).state_dict()) and set(base.values()) == set(BertModel(
        BertConfig(**TINY)).state_dict())


@pytest.mark.parametrize("attn", ["eager", "sdpa"])
def test_round_trip_parity_both_ways(attn):
    worst = A.parity(A.ANALYSIS_CONFIGS[:2], attns=(attn,))
    assert len(worst) == 3 and max(worst.values()) <= F32_ATOL, worst


def test_to_hf_base_model_equals_ours():
    torch.manual_seed(1)
    ours = BERT(A.ANALYSIS_CONFIGS[0]).eval()
    ref = A.to_hf(ours, "eager")
    ids, types, mask = A.example_inputs(ours.config)
    seq, pooled = ours(ids, types, mask)
    out = ref(input_ids=ids, token_type_ids=types, attention_mask=mask)
    assert A.max_abs(seq, out.last_hidden_state) <= F32_ATOL and A.max_abs(pooled, out.pooler_output) <= F32_ATOL


def test_to_hf_refuses_what_it_cannot_build():
    config = A.ANALYSIS_CONFIGS[0]
    with pytest.raises(ValueError, match="BertForMaskedLM"):
        A.to_hf(BERTForPreTraining(config, next_sentence=False))
    with pytest.raises(ValueError, match="pooler"):
        A.to_hf(BERT(config, add_pooling_layer=False))


def test_attention_hook_equals_our_attention_maps_and_sdpa_is_refused():
    config = A.ANALYSIS_CONFIGS[0]
    torch.manual_seed(2)
    ref = BertModel(A.hf_config(config, "eager")).eval()
    ids, types, mask = A.example_inputs(config)
    theirs = A.capture_attention(ref, ids, types, mask)
    ours = BERT.from_reference(ref).eval().attention_maps(ids, types, mask)
    assert len(theirs) == config.num_layers
    assert max(A.max_abs(a, b) for a, b in zip(ours, theirs)) <= F32_ATOL
    with pytest.raises(ValueError, match="eager"):
        A.capture_attention(BertModel(A.hf_config(config, "sdpa")).eval(), ids, types, mask)


def test_analysis_quick_run(tmp_path, capsys):
    result = A.main(["--quick", "--out", str(tmp_path)])
    assert result["value"] <= F32_ATOL and result["attention_hook_max_abs_diff"] <= F32_ATOL
    assert (tmp_path / "hf_attention_hook.png").exists() and (tmp_path / "result.json").exists()
    assert "smoke run" in capsys.readouterr().out.strip().splitlines()[-1]
