"""수정 과제 02 (새 해상도에서 fine-tuning) 채점: timm의 resampling으로 바꾼 E_pos == L3 `set_image_size` →
새 해상도의 logits == L3 → E_pos가 학습하는 parameter → 같은 SGD의 loss 궤적과 학습 뒤 E_pos == L3 → 잘못된 입력.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`mod02_new_resolution.py`)을 검사한다.
기대값은 이 장의 L3 모델(`paper/vit.py`)이 같은 가중치로 계산한다: `ViT.from_reference(원래 timm 모델)`에
`set_image_size`(논문 Section 3.2의 2D 보간, `resample_pos_embed`와 같은 bicubic + antialias)를 부른 것. 학습
궤적은 L3를 이 파일의 SGD 루프로 같은 batch에서 학습한 값과 float64로 비교한다.
"""
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F32_ATOL, F64_ATOL, F64_RTOL

from ..paper.vit import ViT
from . import vit_analysis as A

TINY = {"image_size": 20, "patch_size": 4, "dim": 24, "depth": 2, "heads": 3, "mlp_dim": 40, "num_classes": 5}


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "mod02_new_resolution")


def timm_model(seed: int = 0):
    torch.manual_seed(seed)
    return A.randomize_(A.build_timm(TINY), seed=seed + 1).eval()


def images(size: int, n: int = 4, seed: int = 5) -> torch.Tensor:
    return torch.randn(n, 3, size, size, generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("size", [28, 12], ids=["up_5to7", "down_5to3"])
def test_resized_position_embedding_and_logits_equal_l3_interpolation(ex, size):
    model = timm_model()
    ours = ViT.from_reference(model).eval().set_image_size(size)
    returned = ex.resize_to(model, size)
    assert returned is model, "resize_to는 받은 model을 제자리에서 고쳐 돌려준다"
    grid = size // 4
    assert_equal(tuple(model.pos_embed.shape), (1, grid * grid + 1, 24), "새 E_pos의 shape (1, 1 + 격자², D)")
    assert_close(model.pos_embed, ours.pos_embed, f"E_pos ({grid}×{grid} 격자) vs L3 set_image_size",
                 rtol=0, atol=F32_ATOL)
    x = images(size)
    with torch.no_grad():
        assert_close(model(x), ours(x), f"{size}×{size} 입력의 logits vs L3", rtol=0, atol=F32_ATOL)


def test_the_resized_position_embedding_is_still_trained(ex):
    model = ex.resize_to(timm_model(), 28)
    assert isinstance(model.pos_embed, torch.nn.Parameter) and model.pos_embed.requires_grad, \
        "바꾼 E_pos는 requires_grad인 nn.Parameter여야 한다"
    assert any(p is model.pos_embed for p in model.parameters()), \
        "E_pos가 model.parameters()에 있어야 optimizer가 배운다"


def test_finetuning_at_the_new_resolution_follows_the_l3_trajectory(ex):
    """같은 가중치, 같은 batch, 같은 SGD 3 step: loss 궤적과 학습 뒤의 E_pos·logits가 L3와 같다 (float64)."""
    model = timm_model(seed=2)
    ours = ViT.from_reference(model).set_image_size(28).double().train()
    model = ex.resize_to(model, 28).double()
    x, y = images(28, n=6, seed=7).double(), torch.tensor([0, 1, 2, 3, 4, 0])
    losses = ex.finetune(model, x, y, steps=3, lr=0.05)
    optimizer = torch.optim.SGD(ours.parameters(), lr=0.05)
    expected = []
    for _ in range(3):
        loss = F.cross_entropy(ours(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        expected.append(float(loss.detach()))
    assert_equal(len(losses), 3, "finetune이 돌려준 loss 수")
    assert_close(torch.tensor(losses), torch.tensor(expected), "step마다 update 전 loss vs L3", rtol=F64_RTOL,
                 atol=F64_ATOL)
    assert expected[-1] < expected[0], "L3 기준 궤적에서 loss가 내려간다 (학습률 확인)"
    assert_close(model.pos_embed, ours.pos_embed, "학습 뒤 E_pos vs L3", rtol=F64_RTOL, atol=F64_ATOL)
    model.eval()
    ours.eval()
    with torch.no_grad():
        assert_close(model(x), ours(x), "학습 뒤 logits vs L3", rtol=F64_RTOL, atol=F64_ATOL)


def test_a_size_that_is_not_a_multiple_of_the_patch_is_refused(ex):
    with pytest.raises(ValueError, match="patch"):
        ex.resize_to(timm_model(), 30)
    with pytest.raises(ValueError, match="patch"):
        ex.resize_to(timm_model(), 0)
