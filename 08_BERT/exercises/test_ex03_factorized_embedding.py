"""연습문제 03 (ALBERT factorised embedding) 채점: parameter 산수 → HF ALBERT의 embedding 수와 같음 →
모듈의 모양과 parameter 수 → E = H일 때도 식이 맞음.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_factorized_embedding.py`)을 검사한다.
"""
import pytest
import torch

from utils.exercises import load_exercise


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_factorized_embedding")


def test_parameter_arithmetic_for_bert_base_and_albert_base(ex):
    assert ex.embedding_parameters(30522, 768) == 23_440_896                  # BERT-base의 word embedding
    assert ex.embedding_parameters(30000, 768, 128) == 30000 * 128 + 128 * 768 + 768   # ALBERT-base: 약 3.9M
    assert ex.embedding_parameters(30000, 4096, 128) < ex.embedding_parameters(30000, 4096) / 28   # xxlarge: 약 28배


def test_matches_the_hf_albert_embedding_parameters(ex):
    from transformers import AlbertConfig, AlbertModel

    config = AlbertConfig(vocab_size=97, embedding_size=6, hidden_size=16, num_attention_heads=2,
                          intermediate_size=32, num_hidden_layers=1)
    model = AlbertModel(config)
    hf = model.embeddings.word_embeddings.weight.numel() + sum(
        p.numel() for p in model.encoder.embedding_hidden_mapping_in.parameters())
    assert ex.embedding_parameters(97, 16, 6) == hf


def test_module_shapes_and_count(ex):
    module = ex.FactorizedEmbedding(50, 4, 10)
    out = module(torch.randint(0, 50, (2, 7)))
    assert out.shape == (2, 7, 10)
    assert sum(p.numel() for p in module.parameters()) == ex.embedding_parameters(50, 10, 4)
    assert module.table.weight.shape == (50, 4) and module.project.weight.shape == (10, 4)


def test_output_is_the_projection_of_the_table_row(ex):
    torch.manual_seed(0)
    module = ex.FactorizedEmbedding(20, 3, 5)
    ids = torch.tensor([[4, 11]])
    expected = module.table.weight[ids] @ module.project.weight.T + module.project.bias
    assert torch.allclose(module(ids), expected)
