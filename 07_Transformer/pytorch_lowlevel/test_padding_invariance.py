"""L2 padding 불변성: 오른쪽에 PAD를 더 붙여도 진짜 위치의 memory와 logits가 같다 (encoder와 decoder 모두).

padding mask를 빠뜨리면 encoder self-attention과 cross-attention이 PAD 위치를 읽어 값이 바뀐다. 가중치는 기본
초기화보다 크게 흔들어 (std 0.5) PAD 위치가 주는 몫이 반올림 아래로 숨지 않게 한다. float64.
"""
import torch

from utils.gradcheck import F64_ATOL, F64_RTOL

from .attention import positional_encoding
from .transformer_lowlevel import BOS, MAX_LEN, PAD, VOCAB, decode, encode, init_model

D64 = torch.float64
D_MODEL, D_FF, NH, LAYERS = 8, 16, 2, 2


def scrambled_params(seed=0) -> dict:
    g = torch.Generator().manual_seed(seed)
    params = {}
    for name, p in init_model(D_MODEL, D_FF, LAYERS, seed).items():
        p = p.detach().double()
        if "norm" in name and name.endswith("weight"):
            p = 1.0 + 0.5 * torch.randn(p.shape, generator=g, dtype=D64)
        elif name != "embedding":
            p = 0.5 * torch.randn(p.shape, generator=g, dtype=D64)
        params[name] = p
    return params


def pad_right(ids: torch.Tensor, extra: int) -> torch.Tensor:
    return torch.cat([ids, torch.full((ids.shape[0], extra), PAD)], dim=1)


def test_memory_and_logits_are_unchanged_by_extra_right_padding_on_source_and_target():
    params = scrambled_params()
    table = positional_encoding(MAX_LEN + 6, D_MODEL, dtype=D64)
    g = torch.Generator().manual_seed(1)
    src = torch.randint(3, VOCAB, (3, 5), generator=g)
    src[1, 3:] = PAD                                                   # 이미 padding이 있는 문장도 섞는다
    tgt = torch.cat([torch.full((3, 1), BOS), torch.randint(3, VOCAB, (3, 4), generator=g)], dim=1)

    memory, src_pad = encode(params, src, NH, LAYERS, table)
    memory_padded, src_pad_padded = encode(params, pad_right(src, 3), NH, LAYERS, table)
    torch.testing.assert_close(memory_padded[:, :5], memory, rtol=F64_RTOL, atol=F64_ATOL)

    logits = decode(params, tgt, memory, src_pad, NH, LAYERS, table)
    for src_side, tgt_extra in ((False, 2), (True, 0), (True, 2)):
        mem, pad = (memory_padded, src_pad_padded) if src_side else (memory, src_pad)
        out = decode(params, pad_right(tgt, tgt_extra), mem, pad, NH, LAYERS, table)
        torch.testing.assert_close(out[:, :tgt.shape[1]], logits, rtol=F64_RTOL, atol=F64_ATOL)


def test_without_the_padding_mask_the_extra_padding_would_show():
    """이 검사가 볼 수 있는 차이인지: PAD를 진짜 token처럼 읽게 하면 (mask 없이) memory가 바뀐다."""
    params = scrambled_params()
    table = positional_encoding(MAX_LEN + 6, D_MODEL, dtype=D64)
    src = torch.randint(3, VOCAB, (2, 5), generator=torch.Generator().manual_seed(1))
    memory, _ = encode(params, src, NH, LAYERS, table)
    ones = torch.full((2, 3), 4)                                       # PAD 대신 보통 token 4
    unmasked, _ = encode(params, torch.cat([src, ones], dim=1), NH, LAYERS, table)
    assert (unmasked[:, :5] - memory).abs().max() > 1e-3
