"""연습문제 02 (extended attention mask) 채점: 모양과 값 → HF가 만드는 eager mask와 같음 → attention에서
padding 확률 0 → 전부 padding인 행도 NaN 없음 → sdpa와 같은 출력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_extended_mask.py`)을 검사한다.
"""
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import load_exercise
from utils.gradcheck import F32_ATOL


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_extended_mask")


PADDING = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]])


def test_shape_and_values(ex):
    mask = ex.extended_attention_mask(PADDING)
    assert mask.shape == (3, 1, 1, 5) and mask.dtype == torch.float32
    assert (mask[PADDING.bool()[:, None, None, :]] == 0).all()
    assert (mask[~PADDING.bool()[:, None, None, :]] == torch.finfo(torch.float32).min).all()
    assert ex.extended_attention_mask(PADDING, torch.float64).min() == torch.finfo(torch.float64).min
    with pytest.raises(ValueError, match=r"\(B, T\)"):
        ex.extended_attention_mask(torch.ones(5))


def test_equals_the_mask_transformers_builds_for_eager_attention(ex):
    from transformers import BertConfig
    from transformers.masking_utils import create_bidirectional_mask

    config = BertConfig(hidden_size=8, num_attention_heads=2, attn_implementation="eager")
    theirs = create_bidirectional_mask(config, torch.zeros(3, 5, 8), PADDING)       # (B, 1, T, T)
    ours = ex.extended_attention_mask(PADDING)                                      # (B, 1, 1, T)
    assert torch.equal(ours.expand_as(theirs), theirs)


def test_attention_ignores_padding_and_equals_sdpa(ex):
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(3, 2, 5, 4, generator=g) for _ in range(3))
    mask = ex.extended_attention_mask(PADDING)
    out, probs = ex.masked_attention(q, k, v, mask)
    assert probs[0, :, :, 3:].abs().max() == 0 and probs[2, :, :, 1:].abs().max() == 0
    assert torch.allclose(probs.sum(-1), torch.ones(()), atol=F32_ATOL)
    assert (out - F.scaled_dot_product_attention(q, k, v, attn_mask=mask)).abs().max() <= F32_ATOL


def test_a_fully_padded_row_gives_no_nan(ex):
    q = k = v = torch.randn(1, 1, 3, 2)
    out, probs = ex.masked_attention(q, k, v, ex.extended_attention_mask(torch.zeros(1, 3)))
    assert torch.isfinite(out).all() and torch.allclose(probs, torch.full_like(probs, 1 / 3))
