"""text tower의 padding 불변성 (L3 `CLIP.encode_text`, L2 `clip_functions.encode_text`): EOS 뒤 오른쪽에 [PAD]를 더
붙여도 문장 feature가 그대로다 — attention mask를 주든 (padding key를 가림) 주지 않든 (causal mask가 EOS 뒤를
가림). EOS 뒤의 token을 바꿔도 그대로, EOS 앞의 token을 바꾸면 달라진다 (causal mask가 과거는 보인다).

가중치를 크게 흔들고 (std 0.5, LayerNorm γ·β 무작위) float64로 비교한다.
"""
from dataclasses import asdict

import pytest
import torch

from utils.gradcheck import F64_ATOL, F64_RTOL

from ..pytorch_lowlevel import clip_functions as L2
from .clip import CLIP, CLIPConfig

EOS, PAD, T = 29, 0, 7
CONFIG = CLIPConfig(embed_dim=12, image_size=8, patch_size=4, vision_width=8, vision_layers=1, vision_heads=2,
                    vision_mlp=8, vocab_size=30, context_length=12, text_width=16, text_layers=2, text_heads=2,
                    text_mlp=24, eos_token_id=EOS)


def scrambled_model() -> CLIP:
    torch.manual_seed(0)
    model = CLIP(CONFIG).double().eval()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            base = 1.0 if (p.ndim == 1 and "ln" in name and name.endswith("weight")) else 0.0
            p.copy_(base + 0.5 * torch.randn(p.shape, generator=g, dtype=p.dtype))
    return model


def sentences():
    """길이 7, 5, 3인 문장 (마지막이 EOS), 오른쪽 padding."""
    ids = torch.randint(1, EOS, (3, T), generator=torch.Generator().manual_seed(2))
    mask = torch.ones_like(ids)
    for row, n in enumerate((7, 5, 3)):
        ids[row, n - 1], ids[row, n:], mask[row, n:] = EOS, PAD, 0
    return ids, mask


def encoders():
    model = scrambled_model()
    params = {k: v.detach() for k, v in model.state_dict().items()}
    c = asdict(CONFIG)
    return {"paper": lambda ids, mask=None: model.encode_text(ids, mask),
            "lowlevel": lambda ids, mask=None: L2.encode_text(params, ids, c, mask)}


@pytest.mark.parametrize("level", ["paper", "lowlevel"])
def test_text_features_are_unchanged_by_extra_right_padding_with_or_without_the_mask(level):
    encode = encoders()[level]
    ids, mask = sentences()
    base = encode(ids, mask)
    extra = 4
    ids_p = torch.cat([ids, torch.full((3, extra), PAD)], 1)
    mask_p = torch.cat([mask, torch.zeros(3, extra, dtype=torch.long)], 1)
    with torch.no_grad():
        torch.testing.assert_close(encode(ids_p, mask_p), base, rtol=F64_RTOL, atol=F64_ATOL)
        torch.testing.assert_close(encode(ids_p), base, rtol=F64_RTOL, atol=F64_ATOL)
        torch.testing.assert_close(encode(ids), base, rtol=F64_RTOL, atol=F64_ATOL)


@pytest.mark.parametrize("level", ["paper", "lowlevel"])
def test_tokens_after_eos_are_invisible_and_tokens_before_it_are_not(level):
    encode = encoders()[level]
    ids, _ = sentences()
    with torch.no_grad():
        base = encode(ids)
        after = ids.clone()
        after[1, 5:], after[2, 3:] = 7, 11                               # EOS 뒤를 보통 token으로
        torch.testing.assert_close(encode(after), base, rtol=F64_RTOL, atol=F64_ATOL)
        for position in (0, 3):                                          # EOS 앞 (문장 1의 EOS는 4)
            before = ids.clone()
            before[1, position] = (before[1, position] % 27) + 1
            assert (encode(before)[1] - base[1]).abs().max() > 1e-3
