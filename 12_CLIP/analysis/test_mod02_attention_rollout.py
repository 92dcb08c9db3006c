"""수정 과제 02 (hook으로 attention rollout) 채점: 층마다 attention == L3에서 다시 계산한 softmax(q kᵀ/√d_h) →
eager의 `output_attentions`와도 같다 → sdpa 구현에서도 된다 → hook이 남지 않는다 → rollout == 식 → 잘못된 입력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`mod02_attention_rollout.py`)을 검사한다.
기대값은 이 파일이 따로 계산한다: 같은 가중치를 옮긴 이 장의 L3 모델(`paper/clip.py`)에서 block마다 attention의 입력
(`ln_1` 뒤)을 잡아 묶인 `in_proj`로 q, k를 만들고 softmax(q kᵀ/√d_h)를 계산한다. rollout은 Abnar & Zuidema (2020)
Section 3의 식을 아래 `rollout_formula`로 따로 적은 것이다.
"""
import math

import pytest
import torch
from transformers import CLIPModel

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F32_ATOL

from ..paper.clip import CLIP
from . import clip_analysis as A


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "mod02_attention_rollout")


def hf_model(attn: str = "eager", seed: int = 0) -> CLIPModel:
    torch.manual_seed(seed)
    return CLIPModel(A.tiny_config(attn, vision={"num_hidden_layers": 3})).eval()


@pytest.fixture(scope="module")
def pixels():
    return torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(3))


def l3_attentions(model: CLIPModel, pixels: torch.Tensor) -> list[torch.Tensor]:
    """L3 CLIP (같은 가중치)의 vision block마다 softmax(q kᵀ/√d_h) (B, heads, T, T)."""
    ours = CLIP.from_reference(model).eval()
    inputs = []
    handles = [block.attn.register_forward_pre_hook(lambda module, args: inputs.append(args[0]))
               for block in ours.visual.transformer.resblocks]
    with torch.no_grad():
        ours.encode_image(pixels)
    for handle in handles:
        handle.remove()
    out = []
    for block, x in zip(ours.visual.transformer.resblocks, inputs):
        attn = block.attn
        B, T, W = x.shape
        q, k, _ = attn.in_proj(x).reshape(B, T, 3, attn.heads, attn.head_dim).permute(2, 0, 3, 1, 4)
        out.append(torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(attn.head_dim), dim=-1))
    return out


def rollout_formula(attentions: list[torch.Tensor]) -> torch.Tensor:
    """Abnar & Zuidema (2020) Section 3: Â = rows_normalised(½ mean_heads(A) + ½ I), R = Â_L ··· Â_1 (float64)."""
    R = None
    for A_l in attentions:
        a = 0.5 * A_l.double().mean(dim=1) + 0.5 * torch.eye(A_l.shape[-1], dtype=torch.float64)
        a = a / a.sum(dim=-1, keepdim=True)
        R = a if R is None else a @ R
    return R


@pytest.mark.parametrize("attn", ["eager", "sdpa"])
def test_hooked_attentions_equal_the_l3_softmax(ex, pixels, attn):
    model = hf_model(attn)
    found = ex.vision_attentions(model, pixels)
    expected = l3_attentions(model, pixels)
    assert_equal(len(found), 3, "층 수만큼의 attention")
    for i, (a, e) in enumerate(zip(found, expected)):
        assert_equal(tuple(a.shape), (2, 4, 17, 17), f"층 {i} attention의 shape (B, heads, T, T)")
        assert_close(a, e, f"{attn}: 층 {i} attention vs L3 softmax(q kᵀ/√d_h)", rtol=0, atol=F32_ATOL)


def test_hooked_attentions_equal_eager_output_attentions(ex, pixels):
    model = hf_model("eager", seed=1)
    with torch.no_grad():
        reference = model.vision_model(pixel_values=pixels, output_attentions=True).attentions
    for i, (a, e) in enumerate(zip(ex.vision_attentions(model, pixels), reference)):
        assert_close(a, e, f"층 {i} attention vs eager output_attentions", rtol=0, atol=F32_ATOL)


def test_no_hook_is_left_behind_and_the_model_still_works(ex, pixels):
    model = hf_model()
    with torch.no_grad():
        before = model.get_image_features(pixel_values=pixels).pooler_output
    ex.vision_attentions(model, pixels)
    left = [name for name, m in model.named_modules() if m._forward_hooks or m._forward_pre_hooks]
    assert_equal(left, [], "vision_attentions 뒤에 남은 hook")
    with torch.no_grad():
        assert_close(model.get_image_features(pixel_values=pixels).pooler_output, before, "image feature",
                     rtol=0, atol=0)


def test_rollout_follows_the_formula_on_the_hooked_attentions(ex, pixels):
    model = hf_model(seed=2)
    expected = rollout_formula(l3_attentions(model, pixels))
    found = ex.attention_rollout(ex.vision_attentions(model, pixels))
    assert_equal(tuple(found.shape), (2, 17, 17), "rollout의 shape (B, T, T)")
    assert_close(found, expected, "rollout vs Abnar & Zuidema 식 (L3 attention에서)", rtol=0, atol=F32_ATOL)
    assert_close(found.sum(dim=-1), torch.ones(2, 17), "rollout의 행 합", rtol=0, atol=F32_ATOL)


def test_rollout_known_answers(ex):
    """attention이 자기 자신만 보면 R = I. 한 층이 모두 [CLS]만 보면 Â = ½ I + ½ e_0ᵀ (모든 행)."""
    eye = torch.eye(5).expand(1, 2, 5, 5)
    assert_close(ex.attention_rollout([eye, eye]), torch.eye(5)[None], "자기 자신만 보는 두 층", rtol=0,
                 atol=F32_ATOL)
    to_cls = torch.zeros(1, 2, 5, 5)
    to_cls[..., 0] = 1.0
    expected = 0.5 * torch.eye(5)
    expected[:, 0] += 0.5
    assert_close(ex.attention_rollout([to_cls]), expected[None], "모두 [CLS]만 보는 한 층", rtol=0, atol=F32_ATOL)


def test_bad_attention_lists_are_refused(ex):
    with pytest.raises(ValueError, match="비어"):
        ex.attention_rollout([])
    with pytest.raises(ValueError, match=r"\(B, heads, T, T\)"):
        ex.attention_rollout([torch.ones(2, 5, 5)])
