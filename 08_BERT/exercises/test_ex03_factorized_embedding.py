"""연습문제 03 (ALBERT factorised embedding) 채점: parameter 산수 → HF ALBERT의 embedding 수와 같음 →
모듈의 모양과 parameter 수 → 3단계 (ALBERT MLM head의 새 parameter 수 = HF `AlbertForMaskedLM`).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_factorized_embedding.py`)을 검사한다.
"""
import pytest
import torch

from utils.exercises import assert_close, assert_equal, load_exercise


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_factorized_embedding")


def test_parameter_arithmetic_for_bert_base_and_albert_base(ex):
    assert_equal(ex.embedding_parameters(30522, 768), 23_440_896, "BERT-base의 word embedding")
    assert_equal(ex.embedding_parameters(30000, 768, 128), 30000 * 128 + 128 * 768 + 768, "ALBERT-base (E = 128)")
    ratio = ex.embedding_parameters(30000, 4096) / ex.embedding_parameters(30000, 4096, 128)
    assert ratio > 28, f"xxlarge에서 줄어드는 배수 {ratio:.1f}, 기대 28 초과"


def test_matches_the_hf_albert_embedding_parameters(ex):
    from transformers import AlbertConfig, AlbertModel

    config = AlbertConfig(vocab_size=97, embedding_size=6, hidden_size=16, num_attention_heads=2,
                          intermediate_size=32, num_hidden_layers=1)
    model = AlbertModel(config)
    hf = model.embeddings.word_embeddings.weight.numel() + sum(
        p.numel() for p in model.encoder.embedding_hidden_mapping_in.parameters())
    assert_equal(ex.embedding_parameters(97, 16, 6), hf, "작은 HF AlbertModel의 embedding parameter 수")


def test_module_shapes_and_count(ex):
    module = ex.FactorizedEmbedding(50, 4, 10)
    out = module(torch.randint(0, 50, (2, 7)))
    assert_equal(tuple(out.shape), (2, 7, 10), "forward 출력 shape")
    assert_equal(sum(p.numel() for p in module.parameters()), 50 * 4 + 4 * 10 + 10, "모듈의 parameter 수")
    assert_equal(tuple(module.table.weight.shape), (50, 4), "table.weight shape")
    assert_equal(tuple(module.project.weight.shape), (10, 4), "project.weight shape")


def test_output_is_the_projection_of_the_table_row(ex):
    torch.manual_seed(0)
    module = ex.FactorizedEmbedding(20, 3, 5)
    ids = torch.tensor([[4, 11]])
    expected = module.table.weight[ids] @ module.project.weight.T + module.project.bias
    assert_close(module(ids), expected, "표의 행을 Linear로 올린 값", rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("V, E, H", [(97, 6, 16), (50, 8, 8), (311, 12, 40)])
def test_mlm_head_parameters_equal_hf(ex, V, E, H):
    """3단계: HF `AlbertForMaskedLM`의 `predictions` 중 encoder 쪽 (word embedding 포함)과 다른 tensor의 원소 수."""
    from transformers import AlbertConfig, AlbertForMaskedLM

    config = AlbertConfig(vocab_size=V, embedding_size=E, hidden_size=H, num_attention_heads=2, intermediate_size=32,
                          num_hidden_layers=1)
    with torch.device("meta"):
        model = AlbertForMaskedLM(config)
    shared = {id(p) for p in model.albert.parameters()}
    new = {id(p): p.numel() for p in model.predictions.parameters() if id(p) not in shared}
    assert model.predictions.decoder.weight is model.albert.embeddings.word_embeddings.weight
    assert_equal(ex.albert_mlm_head_parameters(V, E, H), sum(new.values()),
                 f"MLM head의 새 parameter (V={V}, E={E}, H={H})")
