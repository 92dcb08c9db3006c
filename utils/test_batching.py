"""batching 검증: pad_batch의 값 (손으로 센 결과)과 잘못된 입력."""
import numpy as np
import pytest
import torch

from .batching import pad_batch


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
