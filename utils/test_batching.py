"""batching 검증: padding과 mask의 값, bool·additive 규약이 SDPA·nn.MultiheadAttention에서 같은 출력을 내는지,
모두 가려진 줄의 동작, 길이 bucketing, corpus 분할, LM block batch, 잘못된 입력."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from .batching import (
    bucket_by_length,
    causal_mask,
    combine_masks,
    pad_batch,
    padding_mask,
    padding_mask_from_ids,
    random_blocks,
    split_text,
    to_additive_mask,
    to_sdpa_mask,
)
from .gradcheck import F32_ATOL

T_, F_ = True, False
NEG_INF = float("-inf")


# ---------------------------------------------------------------------------
# padding
# ---------------------------------------------------------------------------
def test_pad_batch_by_hand():
    out = pad_batch([[1, 2, 3], [4], []])
    assert out.dtype == torch.long
    assert out.tolist() == [[1, 2, 3], [4, 0, 0], [0, 0, 0]]
    out = pad_batch([torch.tensor([7, 8], dtype=torch.int32), np.array([9]), (5,)], pad_id=-1, max_len=4)
    assert out.tolist() == [[7, 8, -1, -1], [9, -1, -1, -1], [5, -1, -1, -1]]


@pytest.mark.parametrize("sequences,kwargs,expected", [
    ([], {}, "sequences"),
    ("abc", {}, "sequences"),
    ([[1, 2], [1.5]], {}, r"sequences\[1\]"),
    ([[1, 2], [True]], {}, r"sequences\[1\]"),
    ([torch.tensor([1.0, 2.0])], {}, r"sequences\[0\].*float32"),
    ([torch.zeros(2, 2, dtype=torch.long)], {}, r"sequences\[0\].*1-D"),
    ([np.array([0.5])], {}, r"sequences\[0\]"),
    ([[1, 2, 3]], {"max_len": 2}, "max_len"),
    ([[1, 2, 3]], {"max_len": 0}, "max_len"),
    ([[1]], {"pad_id": 0.5}, "pad_id"),
])
def test_pad_batch_rejects_bad_input(sequences, kwargs, expected):
    with pytest.raises(ValueError, match=expected):
        pad_batch(sequences, **kwargs)


def test_padding_mask_by_hand():
    assert padding_mask([3, 1, 0]).tolist() == [[F_, F_, F_], [F_, T_, T_], [T_, T_, T_]]
    mask = padding_mask(torch.tensor([2, 4]), max_len=5)
    assert mask.dtype == torch.bool and mask.shape == (2, 5)
    assert mask.tolist() == [[F_, F_, T_, T_, T_], [F_, F_, F_, F_, T_]]


def test_padding_masks_agree_with_pad_batch():
    sequences = [[5, 6, 7, 8], [9, 3], [2, 2, 2]]
    ids = pad_batch(sequences, pad_id=0)
    from_lengths = padding_mask([len(s) for s in sequences])
    assert torch.equal(padding_mask_from_ids(ids, pad_id=0), from_lengths)
    assert torch.equal(ids.masked_fill(from_lengths, 0), ids)                 # 가려진 자리는 모두 pad_id
    assert not bool(ids.masked_select(~from_lengths).eq(0).any())            # 열린 자리에는 pad_id가 없다


@pytest.mark.parametrize("lengths,kwargs,expected", [
    ([3, -1], {}, "0 이상"),
    ([1.0, 2.0], {}, "정수"),
    (torch.tensor([1.0, 2.0]), {}, "정수"),
    ([[1, 2]], {}, "1-D"),
    ([], {}, "비어"),
    ([3, 5], {"max_len": 4}, "max_len"),
])
def test_padding_mask_rejects_bad_input(lengths, kwargs, expected):
    with pytest.raises(ValueError, match=expected):
        padding_mask(lengths, **kwargs)


def test_padding_mask_from_ids_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\(B, T\) 정수"):
        padding_mask_from_ids(torch.zeros(2, 3), pad_id=0)
    with pytest.raises(ValueError, match=r"\(B, T\) 정수"):
        padding_mask_from_ids(torch.zeros(3, dtype=torch.long), pad_id=0)
    with pytest.raises(ValueError, match="pad_id"):
        padding_mask_from_ids(torch.zeros(2, 3, dtype=torch.long), pad_id=None)


# ---------------------------------------------------------------------------
# mask 모양과 값
# ---------------------------------------------------------------------------
def test_causal_mask_by_hand():
    assert causal_mask(3).tolist() == [[F_, T_, T_], [F_, F_, T_], [F_, F_, F_]]
    assert causal_mask(1).tolist() == [[F_]]
    with pytest.raises(ValueError, match="T"):
        causal_mask(0)


def test_additive_causal_mask_equals_nn_transformer():
    # 라이브러리 사실: nn.Transformer.generate_square_subsequent_mask는 대각선 위 −inf, 나머지 0인 float mask다.
    for T in (1, 2, 5):
        assert torch.equal(to_additive_mask(causal_mask(T)), nn.Transformer.generate_square_subsequent_mask(T))


def test_to_additive_mask_values_and_dtype():
    mask = torch.tensor([[F_, T_], [T_, T_]])
    additive = to_additive_mask(mask)
    assert additive.dtype == torch.float32
    assert additive.tolist() == [[0.0, NEG_INF], [NEG_INF, NEG_INF]]
    assert to_additive_mask(mask, dtype=torch.float64).dtype == torch.float64
    with pytest.raises(ValueError, match="bool"):
        to_additive_mask(additive)
    with pytest.raises(ValueError, match="floating-point"):
        to_additive_mask(mask, dtype=torch.long)


def test_combine_masks_shapes_and_values():
    causal = causal_mask(3)
    kpm = torch.tensor([[F_, F_, F_], [F_, T_, T_]])                           # 길이 3, 1
    both = combine_masks(causal, kpm)
    assert both.shape == (2, 1, 3, 3) and both.dtype == torch.bool
    assert both[0, 0].tolist() == causal.tolist()
    assert both[1, 0].tolist() == [[F_, T_, T_], [F_, T_, T_], [F_, T_, T_]]
    assert combine_masks(causal).shape == (1, 1, 3, 3)
    assert combine_masks(key_padding_mask=kpm).shape == (2, 1, 1, 3)
    assert combine_masks() is None


def test_combine_masks_rejects_bad_input():
    with pytest.raises(ValueError, match="key 길이 S"):
        combine_masks(causal_mask(3), torch.zeros(2, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="attn_mask는 bool"):
        combine_masks(to_additive_mask(causal_mask(3)))
    with pytest.raises(ValueError, match=r"key_padding_mask는 \(B, S\)"):
        combine_masks(key_padding_mask=torch.zeros(4, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"attn_mask는 \(T, S\)"):
        combine_masks(torch.zeros(1, 3, 3, dtype=torch.bool))


def test_to_sdpa_mask_inverts():
    mask = torch.tensor([[F_, T_]])
    assert to_sdpa_mask(mask).tolist() == [[T_, F_]]
    assert to_sdpa_mask(None) is None
    with pytest.raises(ValueError, match="bool"):
        to_sdpa_mask(torch.zeros(1, 2))


# ---------------------------------------------------------------------------
# 두 규약이 SDPA와 nn.MultiheadAttention에서 같은 출력을 낸다
# ---------------------------------------------------------------------------
LENGTHS = [5, 2, 3]                                                           # B = 3, T = S = 5


def case_masks(case):
    kpm = padding_mask(LENGTHS) if case in ("padding", "both") else None     # (B, S)
    attn = causal_mask(max(LENGTHS)) if case in ("causal", "both") else None  # (T, S)
    return attn, kpm


def keys_for(case, b, i):
    """(b번째 예, query i)가 볼 수 있는 key 개수: mask 없이 앞쪽 key만 잘라 준 기준 계산에 쓴다."""
    L, T = LENGTHS[b], max(LENGTHS)
    return {"padding": L, "causal": i + 1, "both": min(i + 1, L)}[case] if case != "none" else T


def manual_attention(q, k, v, additive):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])                # (B, nh, T, S)
    return torch.softmax(scores + additive, dim=-1) @ v                      # (B, nh, T, hs)


@pytest.mark.parametrize("case", ["padding", "causal", "both"])
def test_bool_and_additive_masks_agree_in_sdpa(case):
    g = torch.Generator().manual_seed(0)
    B, nh, T, hs = len(LENGTHS), 2, max(LENGTHS), 4
    q, k, v = (torch.randn(B, nh, T, hs, generator=g) for _ in range(3))
    mask = combine_masks(*case_masks(case))                                   # (B or 1, 1, T or 1, S)
    out_bool = F.scaled_dot_product_attention(q, k, v, attn_mask=to_sdpa_mask(mask))
    out_add = F.scaled_dot_product_attention(q, k, v, attn_mask=to_additive_mask(mask))
    torch.testing.assert_close(out_bool, out_add, atol=F32_ATOL, rtol=0)
    torch.testing.assert_close(out_add, manual_attention(q, k, v, to_additive_mask(mask)), atol=F32_ATOL, rtol=0)
    # mask와 무관한 기준: query마다 볼 수 있는 key만 잘라서 mask 없이 계산한 attention
    for b in range(B):
        for i in range(T):
            n = keys_for(case, b, i)
            want = F.scaled_dot_product_attention(q[b, :, i:i + 1], k[b, :, :n], v[b, :, :n])   # (nh, 1, hs)
            torch.testing.assert_close(out_bool[b, :, i:i + 1], want, atol=F32_ATOL, rtol=0)


def make_mha(seed=0):
    torch.manual_seed(seed)
    mha = nn.MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True).eval()
    with torch.no_grad():
        mha.in_proj_bias.normal_()
        mha.out_proj.bias.normal_()                                           # 0이 아닌 bias로 차이가 드러나게
    return mha


@pytest.mark.parametrize("grad", [False, True], ids=["no_grad", "grad"])     # no_grad + eval은 fast path를 탄다
@pytest.mark.parametrize("need_weights", [False, True])
@pytest.mark.parametrize("case", ["padding", "causal", "both"])
def test_bool_and_additive_masks_agree_in_multihead_attention(case, need_weights, grad):
    mha = make_mha()
    x = torch.randn(len(LENGTHS), max(LENGTHS), 8, generator=torch.Generator().manual_seed(1))   # (B, T, E)
    attn, kpm = case_masks(case)
    additive = {k: (None if m is None else to_additive_mask(m)) for k, m in (("attn", attn), ("kpm", kpm))}
    with torch.set_grad_enabled(grad):
        out_bool, _ = mha(x, x, x, key_padding_mask=kpm, attn_mask=attn, need_weights=need_weights)
        out_add, _ = mha(x, x, x, key_padding_mask=additive["kpm"], attn_mask=additive["attn"],
                         need_weights=need_weights)
        torch.testing.assert_close(out_bool, out_add, atol=F32_ATOL, rtol=0)
        for b in range(len(LENGTHS)):
            for i in range(max(LENGTHS)):
                n = keys_for(case, b, i)
                want, _ = mha(x[b:b + 1, i:i + 1], x[b:b + 1, :n], x[b:b + 1, :n])   # (1, 1, E) 볼 key만
                torch.testing.assert_close(out_bool[b:b + 1, i:i + 1], want, atol=F32_ATOL, rtol=0)


def test_multihead_attention_mask_equals_sdpa_with_combined_mask():
    # nn.MultiheadAttention(key_padding_mask, attn_mask) == 같은 projection + SDPA(combine_masks(...))
    mha = make_mha()
    E, nh = 8, 2
    x = torch.randn(len(LENGTHS), max(LENGTHS), E, generator=torch.Generator().manual_seed(2))   # (B, T, E)
    attn, kpm = case_masks("both")
    with torch.no_grad():
        want, _ = mha(x, x, x, key_padding_mask=kpm, attn_mask=attn, need_weights=False)
        B, T, _ = x.shape
        q, k, v = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).split(E, dim=-1)              # (B, T, E) × 3
        q, k, v = (z.view(B, T, nh, E // nh).transpose(1, 2) for z in (q, k, v))                 # (B, nh, T, hs)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=to_sdpa_mask(combine_masks(attn, kpm)))
        y = y.transpose(1, 2).reshape(B, T, E)                                                   # (B, T, E)
        torch.testing.assert_close(mha.out_proj(y), want, atol=F32_ATOL, rtol=0)


# ---------------------------------------------------------------------------
# 모두 가려진 줄 (batching.py 모듈 docstring의 표)
# ---------------------------------------------------------------------------
def test_right_padding_with_causal_never_masks_a_whole_row_left_padding_does():
    right = combine_masks(causal_mask(4), padding_mask([4, 1, 2]))             # 길이 ≥ 1, 오른쪽 padding
    assert not bool(right.all(dim=-1).any())
    left = combine_masks(causal_mask(4), torch.tensor([[T_, T_, F_, F_]]))    # 왼쪽 padding: query 0, 1은 볼 key가 없다
    assert right.shape[-2:] == left.shape[-2:]
    assert left.all(dim=-1)[0, 0].tolist() == [T_, T_, F_, F_]


def test_fully_masked_row_in_each_convention():
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 1, 3, 4, generator=g) for _ in range(3))       # (B, nh, T, hs)
    mask = combine_masks(key_padding_mask=padding_mask([3, 0]))              # 예 1은 길이 0: 모든 key가 가려짐
    manual = manual_attention(q, k, v, to_additive_mask(mask))
    assert torch.isnan(manual[1]).all(), "softmax(−inf, …, −inf)는 NaN이어야 한다"
    assert torch.isfinite(manual[0]).all()
    for attn_mask in (to_sdpa_mask(mask), to_additive_mask(mask)):
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        assert torch.equal(out[1], torch.zeros_like(out[1])), \
            "라이브러리 사실이 바뀌었다: F.scaled_dot_product_attention은 모두 가려진 줄에 0을 낸다 (torch ≥ 2.5)"
        torch.testing.assert_close(out[0], manual[0], atol=F32_ATOL, rtol=0)


def test_fully_masked_row_in_multihead_attention():
    mha = make_mha()
    x = torch.randn(2, 3, 8, generator=torch.Generator().manual_seed(3))     # (B, T, E)
    kpm = padding_mask([3, 0])                                                # 예 1은 길이 0
    with torch.enable_grad():
        sdpa_path, _ = mha(x, x, x, key_padding_mask=kpm, need_weights=False)
        slow, weights = mha(x, x, x, key_padding_mask=kpm, need_weights=True)
    with torch.no_grad():
        fast, _ = mha(x, x, x, key_padding_mask=kpm, need_weights=False)
    assert torch.equal(sdpa_path[1].detach(), mha.out_proj.bias.detach().expand(3, 8)), \
        "라이브러리 사실이 바뀌었다: autograd가 켜진 need_weights=False 경로는 모두 가려진 줄에 out_proj.bias를 낸다"
    assert torch.isnan(slow[1]).all() and torch.isnan(weights[1]).all(), \
        "라이브러리 사실이 바뀌었다: need_weights=True인 nn.MultiheadAttention은 모두 가려진 줄에 NaN을 낸다"
    assert torch.isnan(fast[1]).all(), \
        "라이브러리 사실이 바뀌었다: eval + no_grad fast path는 모두 가려진 줄에 NaN을 낸다"
    for out in (slow, fast):                                                  # 가려지지 않은 예는 세 경로가 같다
        torch.testing.assert_close(out[0].detach(), sdpa_path[0].detach(), atol=F32_ATOL, rtol=0)


# ---------------------------------------------------------------------------
# bucket_by_length
# ---------------------------------------------------------------------------
def test_bucket_by_length_by_hand():
    batches = bucket_by_length([5, 1, 4, 2], batch_size=2)
    assert sorted(sorted(b.tolist()) for b in batches) == [[0, 2], [1, 3]]    # (1, 2)와 (4, 5) 길이끼리


def padding_cost(lengths, batches):
    return sum(len(b) * lengths[b].max() - lengths[b].sum() for b in batches)


def test_bucket_by_length_covers_every_index_once_with_similar_lengths():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 60, size=103)
    batches = bucket_by_length(lengths, batch_size=8, seed=1)
    assert np.array_equal(np.sort(np.concatenate(batches)), np.arange(103))  # 모든 index가 정확히 한 번
    assert sorted(len(b) for b in batches) == [7] + [8] * 12
    # 길이순으로 자른 batch들의 (최대 − 최소) 합은 전체 범위를 넘을 수 없다
    assert sum(int(lengths[b].max() - lengths[b].min()) for b in batches) <= int(lengths.max() - lengths.min())
    random_batches = np.array_split(rng.permutation(103), 13)
    assert padding_cost(lengths, batches) < padding_cost(lengths, random_batches) / 5


def test_bucket_by_length_is_seeded_and_shuffles_batch_order():
    lengths = np.arange(40) % 7
    a, b = bucket_by_length(lengths, 4, seed=3), bucket_by_length(lengths, 4, seed=3)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    orders = {tuple(int(lengths[batch].max()) for batch in bucket_by_length(lengths, 4, seed=s)) for s in range(5)}
    assert len(orders) > 1                                                    # seed마다 batch 순서가 다르다


@pytest.mark.parametrize("lengths,batch_size,expected", [
    ([3, -1], 2, "0 이상"),
    ([1.5, 2.0], 2, "정수"),
    ([], 2, "비어 있지 않은"),
    ([[1, 2]], 2, "1-D"),
    ([1, 2], 0, "batch_size"),
])
def test_bucket_by_length_rejects_bad_input(lengths, batch_size, expected):
    with pytest.raises(ValueError, match=expected):
        bucket_by_length(lengths, batch_size)


# ---------------------------------------------------------------------------
# split_text
# ---------------------------------------------------------------------------
def test_split_text_by_hand():
    assert split_text("abcdefghij") == ("abcdefghi", "j")
    assert split_text("abcdefghij", val_fraction=0.3) == ("abcdefg", "hij")
    train, val = split_text("x" * 100, val_fraction=0.29)                    # 100 · 0.29 = 28.999…96 → 29
    assert (len(train), len(val)) == (71, 29)


def test_split_text_is_deterministic_and_contiguous():
    text = "".join(chr(ord("a") + i % 26) for i in range(1000))
    train, val = split_text(text, 0.15)
    assert (train, val) == split_text(text, 0.15)
    assert train + val == text and (len(train), len(val)) == (850, 150)
    tokens = torch.arange(20)
    train, val = split_text(tokens, 0.25)
    assert train.tolist() == list(range(15)) and val.tolist() == list(range(15, 20))


@pytest.mark.parametrize("text,fraction,expected", [
    ("abcdefghij", 0.0, "val_fraction"),
    ("abcdefghij", 1.0, "val_fraction"),
    ("abcdefghij", True, "val_fraction"),
    ("ab", 0.1, "text 길이 2"),
    (12345, 0.1, "text"),
])
def test_split_text_rejects_bad_input(text, fraction, expected):
    with pytest.raises(ValueError, match=expected):
        split_text(text, fraction)


# ---------------------------------------------------------------------------
# random_blocks
# ---------------------------------------------------------------------------
def test_random_blocks_targets_are_inputs_shifted_by_one():
    data = torch.randint(0, 50, (200,), generator=torch.Generator().manual_seed(0))
    x, y = random_blocks(data, block_size=16, batch_size=8, generator=torch.Generator().manual_seed(1))
    assert x.shape == y.shape == (8, 16) and x.dtype == y.dtype == torch.long
    assert torch.equal(y[:, :-1], x[:, 1:])
    for b in range(8):                                                        # 각 줄이 data의 연속 구간
        s = next(i for i in range(200 - 16) if torch.equal(data[i:i + 16], x[b]))
        assert torch.equal(y[b], data[s + 1:s + 17])


def test_random_blocks_every_start_offset_occurs():
    # data = 0..9, block 3 → 시작 위치(= x[:, 0])는 0..6 (마지막 6에서 y의 끝이 data[9])
    data = torch.arange(10)
    x, y = random_blocks(data, block_size=3, batch_size=500, generator=torch.Generator().manual_seed(0))
    assert set(x[:, 0].tolist()) == set(range(7))
    assert torch.equal(x, x[:, :1] + torch.arange(3)) and torch.equal(y, x + 1)
    # 가장자리: len = block + 1이면 시작 위치는 0뿐이고 y는 data[1:]
    x, y = random_blocks(torch.arange(4), block_size=3, batch_size=5, generator=torch.Generator().manual_seed(0))
    assert x.tolist() == [[0, 1, 2]] * 5 and y.tolist() == [[1, 2, 3]] * 5


def test_random_blocks_same_seed_same_batch():
    data = torch.arange(1000, dtype=torch.int32)
    a = random_blocks(data, 8, 4, torch.Generator().manual_seed(7))
    b = random_blocks(data, 8, 4, torch.Generator().manual_seed(7))
    c = random_blocks(data, 8, 4, torch.Generator().manual_seed(8))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], c[0])
    assert a[0].dtype == torch.long                                            # int32 data도 int64 batch로


@pytest.mark.parametrize("data,block,batch,generator,expected", [
    (torch.arange(10.0), 3, 2, None, "정수 tensor"),
    (torch.zeros(2, 10, dtype=torch.long), 3, 2, None, "1-D"),
    (np.arange(10), 3, 2, None, "tensor"),
    (torch.arange(3), 3, 2, None, r"block_size \+ 1\(4\)"),
    (torch.arange(10), 0, 2, None, "block_size"),
    (torch.arange(10), 3, 0, None, "batch_size"),
    (torch.arange(10), 3, 2, 0, "generator"),
])
def test_random_blocks_rejects_bad_input(data, block, batch, generator, expected):
    with pytest.raises(ValueError, match=expected):
        random_blocks(data, block, batch, generator)
