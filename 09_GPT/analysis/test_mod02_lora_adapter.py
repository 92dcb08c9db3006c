"""수정 과제 02 (c_attn의 LoRA adapter) 채점: 처음 logits가 정확히 그대로 → A, B만 학습 → 학습 parameter 수 = 식 →
adapter의 출력 = x W + b + (α/r)(x Aᵀ)Bᵀ → 첫 gradient는 B에만 →
fine-tuning = A, B만의 Adam → adapter만 fine-tuning하면 loss가 내려가고 원래 가중치는 bit까지 그대로 →
잘못된 입력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`mod02_lora_adapter.py`)을 검사한다.
기대값은 이 파일이 따로 계산한다: 학습 parameter 수는 층 수 × r × (in + out) (Hu et al. 2022, Section 4.1),
adapter의 출력은 원래 Conv1D의 weight (in, out)·bias와 A, B로 직접 쓴 식. 학습 판정은 돌리기 전에 정한 seed 셋과
기준 (모든 seed에서 학습 뒤 loss ≤ 0.99 × 처음 loss)으로 한다. 무작위 base 모델에서 attention의 몫은 작은 c_proj
(std 0.02/√(2·n_layer))를 거쳐야 logits에 닿으므로 c_attn의 adapter만으로 내릴 수 있는 loss는 크지 않다.
"""
import copy

import pytest
import torch
from transformers import GPT2LMHeadModel

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F32_ATOL

from . import gpt_analysis as A

LAYERS, WIDTH, R, ALPHA = 2, 32, 4, 8.0
TEXT = "the small model reads the same line again and again until it knows the line by heart. " * 2
SEEDS = (0, 1, 2)                   # 학습 판정에 쓰는 seed: 돌리기 전에 정했다
STEPS, LR, RATIO = 30, 1e-2, 0.99   # 판정 기준: 모든 seed에서 학습 뒤 loss ≤ RATIO × 처음 loss (1% 넘게 내려간다)


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "mod02_lora_adapter")


def hf_model(seed: int = 0, attn: str = "sdpa") -> GPT2LMHeadModel:
    """byte 단위 (vocab 256) 작은 GPT-2, dropout 0 (loss가 결정적이도록)."""
    torch.manual_seed(seed)
    config = A.tiny_config(n_layer=LAYERS, n_head=4, n_embd=WIDTH, vocab_size=256, n_positions=256,
                           resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, attn_implementation=attn)
    return GPT2LMHeadModel(config).eval()


def text_ids() -> torch.Tensor:
    return torch.tensor([list(TEXT.encode("utf-8"))])                   # (1, T) byte id


def lm_loss(model, ids) -> float:
    with torch.no_grad():
        return model(ids, labels=ids).loss.item()


@pytest.mark.parametrize("attn", ["eager", "sdpa"])
def test_zero_initialised_adapter_leaves_the_logits_exactly_unchanged(ex, attn):
    model = hf_model(attn=attn)
    ids = text_ids()
    with torch.no_grad():
        before = model(ids).logits
    adapters = ex.add_lora(model, r=R, alpha=ALPHA, seed=1)
    assert_equal(len(adapters), LAYERS, "adapter 수 (층마다 c_attn 하나)")
    for i, (block, adapter) in enumerate(zip(model.transformer.h, adapters)):
        assert block.attn.c_attn is adapter, f"층 {i}의 attn.c_attn이 돌려준 adapter여야 한다"
        assert_equal(tuple(adapter.lora_A.shape), (R, WIDTH), f"층 {i} lora_A의 shape (r, in)")
        assert_equal(tuple(adapter.lora_B.shape), (3 * WIDTH, R), f"층 {i} lora_B의 shape (out, r)")
        assert_equal(int(torch.count_nonzero(adapter.lora_B)), 0, f"층 {i} lora_B의 0이 아닌 원소 수 (B = 0에서 시작)")
        assert_equal(int(torch.count_nonzero(adapter.lora_A)), R * WIDTH, f"층 {i} lora_A의 0이 아닌 원소 수 (무작위)")
    assert not torch.equal(adapters[0].lora_A, adapters[1].lora_A), \
        "층마다 A가 달라야 한다 (같은 난수를 되풀이하지 않음)"
    with torch.no_grad():
        assert_close(model(ids).logits, before, "adapter를 단 직후의 logits (ΔW = BA = 0)", rtol=0, atol=0)


def test_only_the_adapter_trains_and_the_count_follows_the_formula(ex):
    model = hf_model()
    total_before = sum(p.numel() for p in model.parameters())
    ex.add_lora(model, r=R, alpha=ALPHA)
    trainable = {name: p for name, p in model.named_parameters() if p.requires_grad}
    assert trainable, "학습할 parameter가 없다"
    wrong = [name for name in trainable if not name.endswith(("lora_A", "lora_B"))]
    assert_equal(wrong, [], "requires_grad인데 adapter가 아닌 parameter")
    c = model.config
    expected = c.n_layer * R * (c.n_embd + 3 * c.n_embd)               # 층 × r × (in + out)
    assert_equal(sum(p.numel() for p in trainable.values()), expected, "학습 parameter 수 (층 × r × (in + out))")
    assert_equal(sum(p.numel() for p in model.parameters()), total_before + expected,
                 "전체 parameter 수 (원래 + adapter)")


def test_adapter_output_is_the_low_rank_update_scaled_by_alpha_over_r(ex):
    model = hf_model(seed=3)
    base_weight = model.transformer.h[1].attn.c_attn.weight.detach().clone()      # (in, out)
    base_bias = model.transformer.h[1].attn.c_attn.bias.detach().clone()
    adapter = ex.add_lora(model, r=R, alpha=ALPHA, seed=4)[1]
    with torch.no_grad():
        adapter.lora_B.normal_(0, 0.5, generator=torch.Generator().manual_seed(5))
    x = torch.randn(2, 7, WIDTH, generator=torch.Generator().manual_seed(6))
    a, b = adapter.lora_A.detach().double(), adapter.lora_B.detach().double()
    expected = x.double() @ base_weight.double() + base_bias.double() + (ALPHA / R) * (x.double() @ a.T) @ b.T
    with torch.no_grad():
        found = adapter(x)
    assert_equal(tuple(found.shape), (2, 7, 3 * WIDTH), "adapter 출력의 shape (…, out)")
    assert_close(found, expected.float(), "adapter 출력 vs x W + b + (α/r)(x Aᵀ)Bᵀ", rtol=0, atol=F32_ATOL)


def test_first_gradient_reaches_b_but_not_a(ex):
    """B = 0이면 ∂L/∂A = (α/r) Bᵀ (…) = 0이고 ∂L/∂B = (α/r) (…)(x Aᵀ)는 A가 무작위라 0이 아니다."""
    model = hf_model(seed=7)
    adapters = ex.add_lora(model, r=R, alpha=ALPHA, seed=7)
    ids = text_ids()
    model(ids, labels=ids).loss.backward()
    for i, adapter in enumerate(adapters):
        assert adapter.lora_A.grad is not None and adapter.lora_B.grad is not None, \
            f"층 {i}: A, B에 gradient가 와야 한다"
        assert_equal(int(torch.count_nonzero(adapter.lora_A.grad)), 0, f"층 {i}: 첫 gradient ∂L/∂A의 0이 아닌 원소 수")
        assert int(torch.count_nonzero(adapter.lora_B.grad)) > 0, f"층 {i}: 첫 gradient ∂L/∂B가 0이 아니어야 한다"
    frozen = [name for name, p in model.named_parameters() if not p.requires_grad and p.grad is not None]
    assert_equal(frozen, [], "gradient를 받은 얼린 parameter")


def test_finetuning_only_the_adapter_lowers_the_loss_and_keeps_the_base_bitwise(ex):
    ids = text_ids()
    ratios = []
    for seed in SEEDS:
        model = hf_model(seed=seed)
        base = {name: p.detach().clone() for name, p in model.named_parameters()}
        start = lm_loss(model, ids)
        adapters = ex.add_lora(model, r=R, alpha=ALPHA, seed=seed)
        losses = ex.finetune_adapter(model, ids, steps=STEPS, lr=LR)
        assert_equal(len(losses), STEPS, f"seed {seed}: 돌려준 loss 수")
        assert_close(losses[0], start, f"seed {seed}: 첫 step의 loss (갱신 전 = 원래 모델)", rtol=0, atol=F32_ATOL)
        ratios.append(lm_loss(model, ids) / start)
        now = {name.replace("c_attn.base.", "c_attn."): p for name, p in model.named_parameters()}
        assert_equal(sorted(set(base) - set(now)), [], f"seed {seed}: 찾을 수 없는 원래 가중치 (c_attn은 .base 아래)")
        changed = [name for name in base if not torch.equal(now[name], base[name])]
        assert_equal(changed, [], f"seed {seed}: 값이 바뀐 원래 가중치")
        assert all(int(torch.count_nonzero(a.lora_B)) > 0 for a in adapters), \
            f"seed {seed}: 학습 뒤 B가 0에서 움직여야 한다"
    assert max(ratios) <= RATIO, (f"학습 뒤 loss / 처음 loss, seed {SEEDS}: {[round(r, 3) for r in ratios]} "
                                  f"(기준: 모두 ≤ {RATIO})")


def test_finetuning_is_adam_on_the_adapter_parameters(ex):
    """같은 모델·adapter 사본에 이 파일이 직접 쓴 Adam 루프 (step마다 gradient를 새로)와 loss·B가 같다."""
    ids = text_ids()
    model = hf_model(seed=8)
    ex.add_lora(model, r=R, alpha=ALPHA, seed=8)
    twin = copy.deepcopy(model)
    losses = ex.finetune_adapter(model, ids, steps=5, lr=LR)
    params = [p for name, p in twin.named_parameters() if name.endswith(("lora_A", "lora_B"))]
    optimizer = torch.optim.Adam(params, lr=LR)
    expected = []
    for _ in range(5):
        loss = twin(ids, labels=ids).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        expected.append(loss.item())
    assert_close(losses, expected, "step마다 loss vs 직접 쓴 Adam 루프", rtol=0, atol=F32_ATOL)
    for (name, p), q in zip(model.named_parameters(), twin.parameters()):
        assert_close(p.detach(), q.detach(), f"5 step 뒤 {name} vs 직접 쓴 Adam 루프", rtol=0, atol=F32_ATOL)


def test_bad_arguments_are_refused(ex):
    model = hf_model()
    with pytest.raises(ValueError, match="r"):
        ex.add_lora(model, r=0, alpha=ALPHA)
    with pytest.raises(ValueError, match="alpha"):
        ex.add_lora(model, r=R, alpha=0.0)
    frozen = hf_model().requires_grad_(False)
    with pytest.raises(ValueError, match="parameter"):
        ex.finetune_adapter(frozen, text_ids(), steps=1, lr=LR)         # 학습할 것이 하나도 없는 모델
    ex.add_lora(model, r=R, alpha=ALPHA)
    with pytest.raises(ValueError, match="이미"):
        ex.add_lora(model, r=R, alpha=ALPHA)
    with pytest.raises(ValueError, match=r"\(B, T"):
        ex.finetune_adapter(model, text_ids()[0], steps=1, lr=LR)
    with pytest.raises(ValueError, match="steps"):
        ex.finetune_adapter(model, text_ids(), steps=0, lr=LR)
