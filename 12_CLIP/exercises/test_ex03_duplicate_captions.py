"""연습문제 03 (같은 caption을 positive로 보는 loss) 채점: positive mask → caption이 모두 다르면 CLIP loss와 같음 →
채점 쪽 반복문으로 쓴 정의와 같음 → 같은 caption끼리 바꿔도 그대로 → gradient가 같은 caption을 밀어내지 않음 →
3단계 (보통 CLIP loss의 하한 = 같은 문장마다 동점인 feature에서 잰 값).

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_duplicate_captions.py`)을 검사한다.
"""
import math

import pytest
import torch
import torch.nn.functional as F

from utils.exercises import assert_all_true, assert_close, assert_same_mask, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_duplicate_captions")


CAPTIONS = torch.tensor([3, 7, 3, 1, 7, 3, 9])                                   # 3이 세 번, 7이 두 번


def clip_loss(Z):
    labels = torch.arange(len(Z))
    return (F.cross_entropy(Z, labels) + F.cross_entropy(Z.T, labels)) / 2


def by_hand(Z, captions):
    """채점 쪽 정의: 행 i는 −log Σ_{caption_j = caption_i} p_ij (softmax 행), 열도 같게, 두 방향 평균."""
    N = len(Z)
    rows, cols = Z.softmax(dim=1), Z.softmax(dim=0)
    row_terms = [-math.log(sum(rows[i, j].item() for j in range(N) if captions[j] == captions[i])) for i in range(N)]
    col_terms = [-math.log(sum(cols[i, j].item() for i in range(N) if captions[i] == captions[j])) for j in range(N)]
    return (sum(row_terms) / N + sum(col_terms) / N) / 2


def test_positive_mask(ex):
    expected = torch.tensor([[c == d for d in CAPTIONS.tolist()] for c in CAPTIONS.tolist()])
    assert_same_mask(ex.positive_mask(CAPTIONS), expected, "positive mask (caption이 같은 칸)")


def test_distinct_captions_give_the_clip_loss(ex):
    Z = torch.randn(6, 6, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * 3
    assert_close(ex.multi_positive_clip_loss(Z, torch.arange(6)), clip_loss(Z), "caption이 모두 다를 때 (= CLIP loss)",
                 rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("scale", [1.0, 10.0, 300.0])
def test_equals_the_definition(ex, scale):
    Z = torch.randn(7, 7, generator=torch.Generator().manual_seed(1), dtype=torch.float64) * scale
    loss = ex.multi_positive_clip_loss(Z, CAPTIONS)
    assert math.isfinite(loss.item()), f"logit 크기 {scale}에서 loss가 유한하지 않습니다"
    if scale < 100:
        assert_close(loss, by_hand(Z, CAPTIONS), f"정의대로 쓴 loss (logit 크기 {scale})", rtol=F64_RTOL, atol=F64_ATOL)


def test_swapping_two_texts_with_the_same_caption_changes_nothing(ex):
    """문장 0과 2는 caption이 같다: 두 열을 바꿔도 이 loss는 그대로지만, 보통 CLIP loss는 바뀐다."""
    Z = torch.randn(7, 7, generator=torch.Generator().manual_seed(2), dtype=torch.float64) * 2
    swapped = Z[:, [2, 1, 0, 3, 4, 5, 6]]
    assert_close(ex.multi_positive_clip_loss(swapped, CAPTIONS), ex.multi_positive_clip_loss(Z, CAPTIONS),
                 "같은 caption의 두 문장을 바꾼 loss", rtol=F64_RTOL, atol=F64_ATOL)
    assert abs(clip_loss(swapped) - clip_loss(Z)) > 1e-3, "채점 쪽 준비: 보통 CLIP loss는 바뀌어야 한다"


def test_gradient_never_pushes_a_duplicate_caption_away(ex):
    """이미지 i와 caption이 같은 다른 문장 j의 logit: 보통 CLIP loss는 그것을 낮추지만 (gradient > 0),
    이 loss는 낮추지 않는다 (gradient ≤ 0)."""
    Z = torch.randn(7, 7, generator=torch.Generator().manual_seed(3), dtype=torch.float64).requires_grad_(True)
    ex.multi_positive_clip_loss(Z, CAPTIONS).backward()
    same = (CAPTIONS[:, None] == CAPTIONS[None, :]) & ~torch.eye(7, dtype=torch.bool)
    assert_all_true(Z.grad[same] <= 1e-15, "caption이 같은 다른 칸의 ∂L/∂Z ≤ 0")
    Z.grad = None
    clip_loss(Z).backward()
    assert_all_true(Z.grad[same] > 0, "채점 쪽 준비: 보통 CLIP loss는 그 칸의 ∂L/∂Z > 0")


@pytest.mark.parametrize("captions", [[3, 7, 3, 1, 7, 3, 9], [0, 0, 0, 0], [5, 6, 7], [2, 2, 4, 4, 4, 4, 9, 1]])
def test_clip_loss_floor_is_reached_by_tied_features(ex, captions):
    """3단계: 같은 caption의 문장은 같은 text feature를 갖는다. 그 feature와 같은 방향의 이미지, scale 1000이면 보통
    CLIP loss는 하한에 닿는다 (기대값은 채점 쪽에서 torch로 잰 loss). 같은 features에서 이 연습문제의 loss는 약 0."""
    ids = torch.tensor(captions)
    g = torch.Generator().manual_seed(4)
    directions = F.normalize(torch.randn(10, 12, generator=g, dtype=torch.float64), dim=-1)
    text = directions[ids]
    Z = 1000.0 * text @ text.T                                                   # 이미지 = caption 방향
    assert_close(ex.clip_loss_floor(ids), clip_loss(Z), f"보통 CLIP loss의 하한 (captions {captions})",
                 rtol=1e-9, atol=1e-9)
    assert_close(ex.multi_positive_clip_loss(Z, ids), 0.0, f"같은 feature에서 이 loss (captions {captions})",
                 rtol=0, atol=1e-9)
