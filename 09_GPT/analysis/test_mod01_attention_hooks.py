"""수정 과제 01 (hook으로 attention 꺼내기) 채점: 층마다 attention == L3 `attention_weights` (eager·sdpa) →
eager의 `output_attentions`와도 같다 → hook이 남지 않는다 (오류가 나도) → 그림 한 장에 층 × head heatmap → 잘못된 입력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`mod01_attention_hooks.py`)을 검사한다.
기대값은 이 장의 L3 모델(`paper/gpt.py`)이 같은 가중치로 계산한다: HF 모델을 `GPT.from_reference`로 옮기고 block마다
`CausalSelfAttention.attention_weights(ln_1(h))` (`gpt_analysis.our_attention`)를 부른다. 허용 오차는 docs/01의
float32 parity `F32_ATOL`.
"""
import matplotlib.figure
import numpy as np
import pytest
import torch
from transformers import GPT2LMHeadModel

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F32_ATOL

from ..paper.gpt import GPT
from . import gpt_analysis as A

LAYERS, HEADS, T = 3, 4, 9


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "mod01_attention_hooks")


def hf_model(attn: str = "eager", seed: int = 0) -> GPT2LMHeadModel:
    torch.manual_seed(seed)
    return GPT2LMHeadModel(A.tiny_config(n_layer=LAYERS, n_head=HEADS, n_embd=32, attn_implementation=attn)).eval()


@pytest.fixture(scope="module")
def ids():
    return torch.randint(0, 211, (2, T), generator=torch.Generator().manual_seed(5))


def hooks_left(model) -> list[str]:
    return [name for name, m in model.named_modules() if m._forward_hooks or m._forward_pre_hooks]


@pytest.mark.parametrize("attn", ["eager", "sdpa"])
def test_hooked_attentions_equal_the_l3_attention_weights(ex, ids, attn):
    model = hf_model(attn)
    found = ex.attention_probabilities(model, ids)
    expected = A.our_attention(GPT.from_reference(model).eval(), ids)
    assert_equal(len(found), LAYERS, "층 수만큼의 attention")
    for i, (a, e) in enumerate(zip(found, expected)):
        assert_equal(tuple(a.shape), (2, HEADS, T, T), f"층 {i} attention의 shape (B, heads, T, T)")
        assert_close(a, e, f"{attn}: 층 {i} attention vs L3 attention_weights", rtol=0, atol=F32_ATOL)
        future = torch.ones(T, T, dtype=torch.bool).triu(diagonal=1)
        assert_equal(int(torch.count_nonzero(a[..., future])), 0, f"층 {i}: 미래 token에 준 확률 (causal)")


def test_hooked_attentions_equal_eager_output_attentions(ex, ids):
    model = hf_model("eager", seed=1)
    with torch.no_grad():
        reference = model(ids, output_attentions=True).attentions
    found = ex.attention_probabilities(model, ids)
    assert_equal(len(found), len(reference), "층 수")
    for i, (a, e) in enumerate(zip(found, reference)):
        assert_close(a, e, f"층 {i} attention vs eager output_attentions", rtol=0, atol=F32_ATOL)


def test_no_hook_is_left_behind_even_after_an_error(ex, ids):
    model = hf_model("sdpa", seed=2)
    with torch.no_grad():
        before = model(ids).logits
    ex.attention_probabilities(model, ids)
    assert_equal(hooks_left(model), [], "attention_probabilities 뒤에 남은 hook")
    with torch.no_grad():
        assert_close(model(ids).logits, before, "hook을 지운 뒤의 logits", rtol=0, atol=0)
    too_big = torch.full((1, 3), model.config.vocab_size)               # embedding 밖의 id: forward 중에 오류
    with pytest.raises((IndexError, RuntimeError)):
        ex.attention_probabilities(model, too_big)
    assert_equal(hooks_left(model), [], "forward가 실패한 뒤에 남은 hook")


def test_grid_figure_has_one_heatmap_per_layer_and_head(ex, ids, tmp_path, monkeypatch):
    attentions = ex.attention_probabilities(hf_model(seed=3), ids)
    figures = []
    savefig = matplotlib.figure.Figure.savefig

    def recording_savefig(fig, *args, **kwargs):
        figures.append([np.asarray(image.get_array()) for ax in fig.axes for image in ax.images])
        return savefig(fig, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", recording_savefig)
    path = tmp_path / "figures" / "attention_grid.png"
    returned = ex.plot_attention_grid(attentions, path, sample=1)
    assert_equal(str(returned), str(path), "돌려준 경로")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "PNG 파일이어야 한다"
    assert_equal(len(figures), 1, "저장한 figure 수")
    images = figures[0]
    assert_equal(len(images), LAYERS * HEADS, "figure 안의 heatmap 수 (층 × head)")
    for i, a in enumerate(attentions):
        for h in range(HEADS):
            target = a[1, h].numpy()
            assert any(im.shape == target.shape and np.allclose(im, target, rtol=0, atol=F32_ATOL) for im in images), \
                f"층 {i} · head {h}의 sample 1 attention (T × T)을 그린 heatmap이 없다"
    assert_equal(sorted(p.name for p in path.parent.iterdir()), ["attention_grid.png"],
                 "폴더에 남은 파일 (임시 파일 없음)")


def test_bad_inputs_are_refused(ex, ids):
    model = hf_model()
    with pytest.raises(ValueError, match=r"\(B, T\)"):
        ex.attention_probabilities(model, ids[0])
    with pytest.raises(ValueError, match=r"\(B, T\)"):
        ex.attention_probabilities(model, ids.float())
    with pytest.raises(ValueError, match="비어"):
        ex.plot_attention_grid([], "unused.png")
    attentions = ex.attention_probabilities(model, ids)
    with pytest.raises(ValueError, match="sample"):
        ex.plot_attention_grid(attentions, "unused.png", sample=2)
