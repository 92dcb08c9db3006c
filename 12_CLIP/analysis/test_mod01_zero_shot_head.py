"""수정 과제 01 (zero-shot head) 채점: head weight == L3 `zero_shot_weights` → logits == L3 → head 모양 →
정규화의 순서 → 잘못된 입력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`mod01_zero_shot_head.py`)을 검사한다.
기대값은 이 장의 L3 모델(`paper/clip.py`)이 같은 가중치로 계산한다: `CLIP.from_reference(model)`의
`zero_shot_weights`(Section 3.1.4의 prompt ensembling)와 `encode_image`, `logit_scale`. 문장은 길이가 서로 다른
padding 문장이라 attention mask를 잘못 넘기면 통과할 수 없다.
"""
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from transformers import CLIPModel

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F32_ATOL

from ..paper.clip import CLIP, zero_shot_weights
from . import clip_analysis as A

K, M, T = 3, 4, 9


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "mod01_zero_shot_head")


@pytest.fixture(scope="module")
def hf():
    torch.manual_seed(0)
    model = CLIPModel(A.tiny_config()).eval()
    with torch.no_grad():
        model.logit_scale.fill_(2.0)                            # exp(2) ≈ 7.4: 1이 아닌 scale
    return model


def prompts(config, seed: int = 1):
    """class K개 × template M개의 [BOS] 단어들 [EOS] [PAD]… 문장 (길이가 서로 다름). (input_ids, mask) (K, M, T)."""
    t = config.text_config
    g = torch.Generator().manual_seed(seed)
    ids = torch.full((K, M, T), t.pad_token_id)
    mask = torch.zeros(K, M, T, dtype=torch.long)
    for k in range(K):
        for m in range(M):
            n = int(torch.randint(4, T + 1, (1,), generator=g))
            words = torch.randint(0, t.bos_token_id, (n - 2,), generator=g)
            ids[k, m, :n] = torch.cat([torch.tensor([t.bos_token_id]), words, torch.tensor([t.eos_token_id])])
            mask[k, m, :n] = 1
    return ids, mask


@pytest.fixture(scope="module")
def pixels():
    return torch.randn(5, 3, 32, 32, generator=torch.Generator().manual_seed(2))


def test_head_weights_are_the_l3_prompt_ensemble(ex, hf):
    ids, mask = prompts(hf.config)
    head = ex.ZeroShotHead(hf, ids, mask)
    expected = zero_shot_weights(CLIP.from_reference(hf).eval(), ids, mask)                 # (K, d)
    assert isinstance(head.head, nn.Linear) and head.head.bias is None, "head는 bias 없는 nn.Linear"
    assert_equal(tuple(head.head.weight.shape), (K, 24), "head weight의 shape (K, d)")
    assert_close(head.head.weight, expected, "class 벡터 w_k vs L3 zero_shot_weights", rtol=0, atol=F32_ATOL)
    assert head.clip is hf, "head는 받은 CLIPModel을 복사하지 않고 쓴다"


def test_logits_are_the_scaled_cosine_of_the_l3_image_features(ex, hf, pixels):
    ids, mask = prompts(hf.config)
    ours = CLIP.from_reference(hf).eval()
    with torch.no_grad():
        logits = ex.ZeroShotHead(hf, ids, mask)(pixels)
        image = F.normalize(ours.encode_image(pixels), dim=-1)
        expected = ours.logit_scale.exp() * image @ zero_shot_weights(ours, ids, mask).T
    assert_equal(tuple(logits.shape), (5, K), "logits의 shape (B, K)")
    assert_close(logits, expected, "logits vs L3 exp(t)·cos(image, w_k)", rtol=0, atol=F32_ATOL)


def test_one_template_is_that_sentence_s_normalised_feature(ex, hf):
    ids, mask = prompts(hf.config)
    one = ex.ZeroShotHead(hf, ids[:, :1], mask[:, :1])
    with torch.no_grad():
        single = F.normalize(hf.get_text_features(input_ids=ids[:, 0], attention_mask=mask[:, 0]).pooler_output,
                             dim=-1)
    assert_close(one.head.weight, single, "template 하나 = 그 문장의 정규화한 feature", rtol=0, atol=F32_ATOL)
    assert_close(one.head.weight.norm(dim=-1), torch.ones(K), "w_k의 길이", rtol=0, atol=F32_ATOL)


def test_a_two_dimensional_prompt_batch_is_refused(ex, hf):
    ids, mask = prompts(hf.config)
    with pytest.raises(ValueError, match=r"\(class 수 K, template 수 M, T\)"):
        ex.ZeroShotHead(hf, ids[:, 0], mask[:, 0])
