"""연습문제 03 (mean attention distance) 채점: patch 사이 거리 → 자기만 보는 head는 0, 이웃만 보면 P,
균등하면 3단계 값 → 채점 쪽 반복문으로 따로 센 값 (무작위 attention, 장의 L3 ViT의 `attention_maps`) → 잘못된 shape.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_attention_distance.py`)을 검사한다.
"""
import math

import pytest
import torch

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL

from ..paper.vit import ViT


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_attention_distance")


def by_hand_distance(i, j, grid, P):
    (yi, xi), (yj, xj) = divmod(i, grid), divmod(j, grid)
    return P * math.hypot(yi - yj, xi - xj)


def by_hand_mean_distance(attention, grid, P):
    """채점 쪽 반복문: [CLS] 제외, 행을 patch 위에서 다시 정규화, query와 batch 평균."""
    B, H = attention.shape[:2]
    N = grid * grid
    out = []
    for h in range(H):
        total = 0.0
        for b in range(B):
            for i in range(N):
                row = [float(attention[b, h, 1 + i, 1 + j]) for j in range(N)]
                s = sum(row)
                total += sum(r / s * by_hand_distance(i, j, grid, P) for j, r in enumerate(row))
        out.append(total / (B * N))
    return torch.tensor(out, dtype=torch.float64)


@pytest.mark.parametrize("grid, P", [(2, 1), (3, 16), (4, 8)])
def test_patch_distances(ex, grid, P):
    N = grid * grid
    expected = torch.tensor([[by_hand_distance(i, j, grid, P) for j in range(N)] for i in range(N)])
    assert_close(ex.patch_distances(grid, P), expected, f"patch 거리 ({grid}×{grid}, P={P})",
                 rtol=F64_RTOL, atol=F64_ATOL)


def attention_from(weights):
    """patch 위의 가중치 (heads, N, N) 앞에 [CLS] 행·열을 붙인 (1, heads, 1+N, 1+N) 확률 (CLS 열에도 몫을 준다)."""
    H, N, _ = weights.shape
    a = torch.full((1, H, 1 + N, 1 + N), 0.0, dtype=torch.float64)
    a[0, :, 1:, 1:] = weights
    a[0, :, :, 0] = 0.5                                                          # [CLS] key에 간 몫: 빼고 다시 정규화
    a[0, :, 0, 1:] = 1.0
    return a / a.sum(-1, keepdim=True)


def test_self_neighbour_and_uniform_heads(ex):
    grid, P = 4, 16
    N = grid * grid
    self_only = torch.eye(N, dtype=torch.float64)
    d = torch.tensor([[by_hand_distance(i, j, grid, P) for j in range(N)] for i in range(N)])
    neighbours = (d == P).double()                                              # 상하좌우 이웃만 (같은 몫)
    uniform = torch.ones(N, N, dtype=torch.float64)
    result = ex.mean_attention_distance(attention_from(torch.stack([self_only, neighbours, uniform])), grid, P)
    assert_equal(tuple(result.shape), (3,), "head마다 하나 (heads,)")
    assert_close(result[0], 0.0, "자기만 보는 head의 거리", rtol=0, atol=1e-12)
    assert_close(result[1], float(P), "이웃만 보는 head의 거리 (= P)", rtol=F64_RTOL, atol=F64_ATOL)
    assert_close(result[2], ex.uniform_attention_distance(grid, P), "균등한 head의 거리 (= 3단계 값)",
                 rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("grid, P", [(2, 1), (3, 4), (14, 16)])
def test_uniform_distance_is_the_mean_over_all_pairs(ex, grid, P):
    """3단계: 격자 위 모든 (i, j) 쌍 거리의 평균 (채점 쪽 반복문)."""
    N = grid * grid
    expected = sum(by_hand_distance(i, j, grid, P) for i in range(N) for j in range(N)) / N ** 2
    assert_close(ex.uniform_attention_distance(grid, P), expected, f"균등 attention의 거리 ({grid}×{grid}, P={P})",
                 rtol=F64_RTOL, atol=F64_ATOL)


def test_random_attention_equals_the_loop(ex):
    g = torch.Generator().manual_seed(0)
    attention = torch.softmax(torch.randn(2, 3, 10, 10, generator=g, dtype=torch.float64) * 2, dim=-1)   # 3×3 + CLS
    assert_close(ex.mean_attention_distance(attention, 3, 16), by_hand_mean_distance(attention, 3, 16),
                 "무작위 attention의 평균 거리", rtol=F64_RTOL, atol=F64_ATOL)


def test_on_the_chapter_vit_attention_maps(ex):
    torch.manual_seed(1)
    model = ViT(image_size=16, patch_size=4, num_classes=3, dim=16, depth=2, heads=2, mlp_dim=32).eval()
    with torch.no_grad():
        model.pos_embed.normal_(0, 1.0)                                            # 위치에 따라 다르게 보도록
    maps = model.attention_maps(torch.randn(2, 3, 16, 16, generator=torch.Generator().manual_seed(2)))
    for layer, attention in enumerate(maps):
        assert_close(ex.mean_attention_distance(attention, 4, 4), by_hand_mean_distance(attention.double(), 4, 4),
                     f"장의 ViT 층 {layer}의 평균 attention 거리", rtol=1e-6, atol=1e-9)


def test_wrong_shape_is_refused(ex):
    with pytest.raises(ValueError, match="heads"):
        ex.mean_attention_distance(torch.ones(1, 2, 9, 9) / 9, 3, 16)              # 3×3 + CLS = 10이어야
