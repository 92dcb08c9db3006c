"""09장의 데이터 검증: corpus 분할, LM block batch, step마다의 global batch, corpus 읽기, 잘못된 입력."""
import numpy as np
import pytest
import torch

from utils.core import DatasetUnavailable

from .data import derived_seed, global_batch, load_text, random_blocks, split_text


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


# ---------------------------------------------------------------------------
# global_batch: (seed, step)만의 함수
# ---------------------------------------------------------------------------
def test_global_batch_depends_on_seed_and_step_only():
    data = torch.arange(500)
    a = global_batch(data, 7, 0, 16, 12)
    b = global_batch(data, 7, 0, 16, 12)
    c = global_batch(data, 8, 0, 16, 12)
    d = global_batch(data, 7, 1, 16, 12)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], a[0] + 1)
    assert not torch.equal(a[0], c[0]) and not torch.equal(a[0], d[0])
    torch.manual_seed(123)                                                    # 전역 RNG와 상관없다
    assert torch.equal(global_batch(data, 7, 0, 16, 12)[0], a[0])


def test_global_batch_is_random_blocks_from_the_derived_seed():
    data = torch.arange(300)
    x, y = global_batch(data, 3, 5, 8, 6)
    want_x, want_y = random_blocks(data, 8, 6, torch.Generator().manual_seed(derived_seed(5, 3)))
    assert torch.equal(x, want_x) and torch.equal(y, want_y)
    assert derived_seed(5, 3) != derived_seed(3, 5) and 0 <= derived_seed(5, 3) < 2 ** 63


# ---------------------------------------------------------------------------
# load_text
# ---------------------------------------------------------------------------
def test_load_text_reads_a_utf8_file_and_refuses_others(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("한국어 text", encoding="utf-8")
    assert load_text(str(good)) == "한국어 text"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00abc")
    with pytest.raises(DatasetUnavailable, match="UTF-8"):
        load_text(str(bad))
    with pytest.raises(DatasetUnavailable, match="missing.txt"):
        load_text(str(tmp_path / "missing.txt"))
