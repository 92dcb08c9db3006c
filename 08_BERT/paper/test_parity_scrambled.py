"""L3 == HF `BertForPreTraining`을 흔든 가중치에서 (Linear·embedding std 0.5, LayerNorm γ·β 무작위, float64).

기본 초기화 (std 0.02)에서는 GELU 입력이 0 근처라 erf 형태와 tanh 근사의 차이 (최대 약 5e-4)가 float32 parity 기준
아래로 숨는다. 흔든 가중치에서는 GELU 입력이 ±몇까지 퍼져 그 차이가 MLM logits에 크게 드러난다. padding이 있는
batch라 mask의 실수도 여기서 보인다.
"""
import torch
from torch import nn
from transformers import BertConfig, BertForPreTraining

from utils.gradcheck import F64_RTOL

from .bert import BERTForPreTraining


def scramble_(model: nn.Module, seed: int = 0) -> nn.Module:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            is_gamma = p.ndim == 1 and "LayerNorm" in name and name.endswith("weight")
            p.copy_((1.0 if is_gamma else 0.0) + 0.5 * torch.randn(p.shape, generator=g, dtype=p.dtype))
    return model


def test_pretraining_logits_equal_hf_at_scrambled_weights_with_padding():
    torch.manual_seed(0)
    config = BertConfig(vocab_size=31, hidden_size=16, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=24, max_position_embeddings=12, attn_implementation="eager")
    ref = scramble_(BertForPreTraining(config)).double().eval()
    ours = BERTForPreTraining.from_reference(ref).double().eval()
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(1, 31, (3, 10), generator=g)
    types = torch.randint(0, 2, (3, 10), generator=g)
    mask = torch.ones(3, 10, dtype=torch.long)
    mask[1, 6:] = 0
    with torch.no_grad():
        theirs = ref(input_ids=ids, token_type_ids=types, attention_mask=mask)
        mlm, nsp = ours(ids, types, mask)
    pre_gelu = ref.bert.encoder.layer[0].intermediate.dense(ref.bert.embeddings(ids, types)).abs().max()
    assert pre_gelu > 3                                                   # GELU의 두 형태가 갈라지는 범위
    torch.testing.assert_close(mlm, theirs.prediction_logits, rtol=F64_RTOL, atol=1e-9)
    torch.testing.assert_close(nsp, theirs.seq_relationship_logits, rtol=F64_RTOL, atol=1e-9)
