"""L3 padding 불변성: source·target 오른쪽에 PAD를 더 붙여도 진짜 위치의 logits가 같다.

`model(src, tgt)`는 PAD id에서 encoder self-attention, decoder self-attention, cross-attention의 padding mask를
만든다. 하나라도 빠지면 PAD 위치가 값에 섞인다. 가중치를 크게 흔들고 (Linear std 0.5, LayerNorm γ·β 무작위)
float64로 비교한다.
"""
import torch
from torch import nn

from utils.gradcheck import F64_ATOL, F64_RTOL

from .transformer import Transformer, subsequent_mask

V, PAD = 15, 0


def scrambled_model(seed=0) -> Transformer:
    torch.manual_seed(seed)
    model = Transformer(V, 8, 2, 2, 2, 16, dropout=0.0, max_len=16, pad_id=PAD).double().eval()
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Linear):
                m.weight.copy_(0.5 * torch.randn(m.weight.shape, generator=g, dtype=torch.float64))
                m.bias.copy_(0.5 * torch.randn(m.bias.shape, generator=g, dtype=torch.float64))
            elif isinstance(m, nn.LayerNorm):
                m.weight.copy_(1 + 0.5 * torch.randn(m.weight.shape, generator=g, dtype=torch.float64))
                m.bias.copy_(0.5 * torch.randn(m.bias.shape, generator=g, dtype=torch.float64))
    return model


def pad_right(ids, extra):
    return torch.cat([ids, torch.full((ids.shape[0], extra), PAD)], dim=1)


def sentences():
    g = torch.Generator().manual_seed(2)
    src = torch.randint(1, V, (3, 5), generator=g)
    src[2, 3:] = PAD
    tgt = torch.randint(1, V, (3, 4), generator=g)
    return src, tgt


def test_logits_are_unchanged_by_extra_right_padding():
    model = scrambled_model()
    src, tgt = sentences()
    base = model(src, tgt)
    for s_extra, t_extra in ((3, 0), (0, 2), (3, 2)):
        out = model(pad_right(src, s_extra), pad_right(tgt, t_extra))
        torch.testing.assert_close(out[:, :tgt.shape[1]], base, rtol=F64_RTOL, atol=F64_ATOL)


def test_encode_and_decode_with_explicit_padding_masks_are_unchanged_by_extra_padding():
    """nn.Transformer 계약의 encode/decode: padding 위치에 아무 값이나 있어도 mask만 맞으면 결과가 같다."""
    model = scrambled_model()
    g = torch.Generator().manual_seed(3)
    src, tgt = torch.randn(2, 4, 8, generator=g, dtype=torch.float64), torch.randn(2, 3, 8, generator=g,
                                                                                    dtype=torch.float64)
    memory = model.encode(src)
    base = model.decode(tgt, memory, subsequent_mask(3))
    junk_s, junk_t = 5 * torch.randn(2, 2, 8, generator=g, dtype=torch.float64), 5 * torch.randn(
        2, 2, 8, generator=g, dtype=torch.float64)
    src_pad = torch.tensor([[False] * 4 + [True] * 2] * 2)
    tgt_pad = torch.tensor([[False] * 3 + [True] * 2] * 2)
    memory_padded = model.encode(torch.cat([src, junk_s], 1), src_pad)
    torch.testing.assert_close(memory_padded[:, :4], memory, rtol=F64_RTOL, atol=F64_ATOL)
    out = model.decode(torch.cat([tgt, junk_t], 1), memory_padded, subsequent_mask(5), tgt_pad, src_pad)
    torch.testing.assert_close(out[:, :3], base, rtol=F64_RTOL, atol=F64_ATOL)
