"""연습문제 03 (receptive field) 채점: 공식으로 계산한 값을 torch autograd로 **실제로 잰** receptive field와 비교한다.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_receptive_field.py`)을 검사한다.

재는 방법: 채널 1개, 가중치가 모두 1인 convolution만 쌓는다 (pooling 층도 같은 (K, S, P)의 all-ones conv로).
그러면 출력 unit 하나의 입력에 대한 gradient는 "그 unit에서 입력 픽셀까지 가는 경로의 수"가 되어, receptive
field 안에서는 양수, 밖에서는 정확히 0이다 (선형이라 입력 값과 무관하고, 모든 항이 양수라 상쇄도 없다).
0이 아닌 열(행)의 최소·최대가 그 unit이 실제로 보는 입력 구간이다. 기대값은 모두 여기서 잰 것이고,
숫자로 적힌 것은 논문이 밝힌 feature map 크기(LeNet-5: 28, 14, 10, 5, 1 / VGG: 224 → 7)뿐이다.
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import assert_equal, load_exercise

# (층 목록, 잴 때 쓸 입력 크기). 입력은 가운데 unit들의 receptive field가 테두리에 닿지 않을 만큼 크게 잡는다.
STACKS = [
    ([(3, 1, 0)], 16),                                           # 한 층
    ([(3, 1, 1)] * 4, 32),                                       # VGG 식 3×3 네 층
    ([(5, 1, 0), (2, 2, 0), (5, 1, 0), (2, 2, 0)], 48),          # LeNet 식 conv/sub-sampling
    ([(7, 2, 3), (3, 2, 1), (3, 1, 1), (3, 1, 1)], 64),          # ResNet stem 식: 큰 kernel, stride 2 두 번
    ([(4, 2, 1), (4, 2, 1), (3, 1, 0)], 48),                     # 짝수 kernel
    ([(3, 1, 1, 1), (3, 1, 2, 2), (3, 1, 4, 4)], 48),            # dilation 1, 2, 4 (WaveNet / context module 식)
    ([(2, 3, 0), (3, 1, 1), (2, 2, 0)], 64),                     # stride > kernel: 읽히지 않는 입력이 있다
    ([(1, 1, 0), (3, 2, 0), (1, 1, 0), (3, 2, 1)], 41),          # 1×1 conv, 나누어떨어지지 않는 크기
]


def stack_id(case):
    return "-".join("k{}s{}p{}".format(*layer) + (f"d{layer[3]}" if len(layer) == 4 else "") for layer in case[0])


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_receptive_field")


def ones_stack(x, layers):
    """채널 1개, 가중치가 모두 1인 convolution을 차례로 적용한다 (pooling 층도 같은 모양의 conv로)."""
    for layer in layers:
        kernel, stride, padding, dilation = (*layer, 1) if len(layer) == 3 else layer
        weight = torch.ones(1, 1, kernel, kernel, dtype=x.dtype)
        x = F.conv2d(x, weight, stride=stride, padding=padding, dilation=dilation)
    return x


def output_size(layers, in_size):
    return ones_stack(torch.zeros(1, 1, in_size, in_size, dtype=torch.float64), layers).shape[-1]


def measure(layers, in_size, units):
    """출력의 가운데 행 r의 unit (r, i)마다 실제 receptive field를 잰다.

    Returns:
        r, {i: (lo, hi)} — 열 방향 구간, 그리고 {i: (lo, hi)} — 같은 unit의 행 방향 구간. 의존하는 입력이 없으면 None.
    """
    x = torch.zeros(len(units), 1, in_size, in_size, dtype=torch.float64, requires_grad=True)
    y = ones_stack(x, layers)
    row = y.shape[-2] // 2
    seed = torch.zeros_like(y)
    for b, i in enumerate(units):
        seed[b, 0, row, i] = 1.0                               # 배치 원소 b는 unit (row, i) 하나의 gradient
    y.backward(seed)
    grad = x.grad[:, 0].numpy()                                # (B, H, W)

    def extent(mask):
        nonzero = np.flatnonzero(mask)
        return (int(nonzero[0]), int(nonzero[-1])) if nonzero.size else None

    cols = {i: extent(grad[b].any(axis=0)) for b, i in enumerate(units)}
    rows = {i: extent(grad[b].any(axis=1)) for b, i in enumerate(units)}
    return row, cols, rows


def check_against_measurement(ex, layers, in_size, prefixes=None):
    """layers의 앞부분(prefix)마다 receptive_field / input_region을 잰 값과 비교한다."""
    table = ex.receptive_field(layers)
    assert len(table) == len(layers)
    for depth in prefixes or range(1, len(layers) + 1):
        prefix = layers[:depth]
        out = output_size(prefix, in_size)
        center = out // 2
        central = [center - 1, center, center + 1]
        row, cols, rows = measure(prefix, in_size, sorted({0, *central, out - 1}))
        for i in central:                                      # 테스트 자체의 전제: 가운데 unit은 테두리에 닿지 않는다
            assert cols[i] is not None and 0 < cols[i][0] and cols[i][1] < in_size - 1, (depth, i, cols[i])
        size = cols[center][1] - cols[center][0] + 1
        jump = cols[center + 1][0] - cols[center][0]
        start = cols[center][0] - center * jump
        assert jump == cols[center][0] - cols[center - 1][0]   # 이웃 간격이 일정하다
        assert all(cols[i][1] - cols[i][0] + 1 == size for i in central)
        assert tuple(table[depth - 1]) == (size, jump, start), f"{prefix}: 잰 값 (size, jump, start)"

        assert all(tuple(ex.input_region(prefix, i)) == cols[i] for i in central), prefix
        assert tuple(ex.input_region(prefix, row)) == rows[center], prefix        # 행 방향: 다른 index
        for i in (0, out - 1):
            # 테두리 unit: 공식의 구간은 padding 자리와 (stride로 버려진) 없는 unit의 몫까지 센 이론값이다.
            # 실제로 의존하는 픽셀은 그 구간을 입력 범위로 자른 것 안에 있다.
            lo, hi = ex.input_region(prefix, i)
            if cols[i] is not None:
                assert max(lo, 0) <= cols[i][0] and cols[i][1] <= min(hi, in_size - 1), (prefix, i)


# ---- 1·2단계: recurrence와 구간 ----
@pytest.mark.parametrize("case", STACKS, ids=stack_id)
def test_receptive_field_matches_measurement(ex, case):
    layers, in_size = case
    check_against_measurement(ex, layers, in_size)


def test_invalid_layers_are_refused(ex):
    for bad in ([(0, 1, 0)], [(3, 0, 0)], [(3, 1, -1)], [(3, 1, 0, 0)], [(3, 1)], [(3, 1, 0), (3, 1, 0, 1, 1)]):
        with pytest.raises(ValueError):
            ex.receptive_field(bad)


# ---- 3단계: LeNet-5 ----
def test_lenet5_layers_give_the_papers_feature_map_sizes(ex):
    layers = ex.lenet5_layers()
    sizes = [output_size(layers[:depth], 32) for depth in range(1, len(layers) + 1)]
    assert sizes == [28, 14, 10, 5, 1]                         # 논문 Section II.B: C1 28, S2 14, C3 10, S4 5, C5 1
    assert all(layer[0] == 5 for layer in layers[::2]) and all(layer[:2] == (2, 2) for layer in layers[1::2])


def test_lenet5_c5_unit_sees_the_whole_input(ex):
    # 32×32 입력에서 C5의 (유일한) unit이 실제로 의존하는 구간 == 공식의 구간, 그리고 그것이 입력 전체다.
    layers = ex.lenet5_layers()
    _, cols, rows = measure(layers, 32, [0])
    assert cols[0] == rows[0] == (0, 31)
    assert tuple(ex.input_region(layers, 0)) == cols[0]
    assert ex.receptive_field(layers)[-1][0] == cols[0][1] - cols[0][0] + 1


def test_lenet5_receptive_fields_match_measurement(ex):
    check_against_measurement(ex, ex.lenet5_layers(), 64)      # 같은 층을 더 큰 입력에 (가운데 unit이 여럿)


# ---- 4단계: VGG 식 3×3 stack ----
def test_vgg16_layers_have_the_papers_structure(ex):
    layers = ex.vgg_layers((2, 2, 3, 3, 3))
    sizes = [output_size(layers[:depth], 224) for depth in range(1, len(layers) + 1)]
    previous = [224, *sizes[:-1]]
    convs = [layer for layer, before, after in zip(layers, previous, sizes) if after == before]
    pools = [layer for layer, before, after in zip(layers, previous, sizes) if after == before // 2]
    assert len(convs) == 13 and len(pools) == 5 and len(layers) == 18   # VGG-16: conv 13개 + FC 3개, max-pool 5번
    assert sizes[-1] == 7                                      # 224 → 7×7 (FC 앞)
    assert all(layer[0] == 3 for layer in convs) and all(layer[:2] == (2, 2) for layer in pools)


def test_vgg16_receptive_fields_match_measurement(ex):
    layers = ex.vgg_layers((2, 2, 3, 3, 3))
    stage_ends = [depth for depth in range(1, len(layers) + 1) if layers[depth - 1][1] == 2]
    check_against_measurement(ex, layers, 320, prefixes=stage_ends)     # pool 직후마다; 마지막은 pool5


@pytest.mark.parametrize("n", (1, 2, 3, 4))
def test_stacked_3x3_convs_see_as_far_as_one_big_kernel(ex, n):
    # Simonyan & Zisserman Section 2.3: 3×3 conv n개 (pool 전) == (2n+1)×(2n+1) conv 하나의 receptive field.
    big = [(2 * n + 1, 1, n)]
    _, cols, _ = measure(big, 32, [output_size(big, 32) // 2])
    measured = next(iter(cols.values()))
    assert ex.receptive_field(ex.vgg_layers((n,))[:n])[-1][0] == measured[1] - measured[0] + 1


def smallest_working_size(layers):
    """층마다 `F.conv2d`/`F.max_pool2d` 대신 all-ones `F.conv1d`를 쌓아, 출력이 생기는 가장 작은 입력을 1부터 찾는다."""
    for size in range(1, 400):
        h = torch.zeros(1, 1, size, dtype=torch.float64)
        try:
            for layer in layers:
                kernel, stride, padding = layer[:3]
                dilation = layer[3] if len(layer) > 3 else 1
                h = F.conv1d(h, torch.ones(1, 1, kernel, dtype=torch.float64), stride=stride, padding=padding,
                             dilation=dilation)
        except RuntimeError:
            continue
        if h.shape[-1] >= 1:
            return size
    raise AssertionError("400까지 출력이 생기지 않았습니다")


@pytest.mark.parametrize("layers", [[(5, 1, 0), (2, 2, 0), (5, 1, 0), (2, 2, 0), (5, 1, 0)],
                                    [(3, 1, 1), (3, 1, 1), (2, 2, 0), (3, 1, 1), (2, 2, 0)],
                                    [(3, 2, 0, 2), (3, 1, 0), (2, 2, 0)], [(7, 2, 3), (3, 2, 1)]])
def test_smallest_input_equals_a_search_with_torch(ex, layers):
    """5단계: 기대값은 torch `F.conv1d`가 오류 없이 출력을 내는 가장 작은 입력 크기를 1부터 찾아 얻는다."""
    assert_equal(ex.smallest_input(layers), smallest_working_size(layers), f"가장 작은 입력 ({layers})")
