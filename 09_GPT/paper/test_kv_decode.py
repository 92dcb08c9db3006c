"""KV cache의 decode step (새 token 하나, T = 1)은 causal mask를 만들지 않는다: 그 mask는 전부 True라 가리는 것이
없기 때문이다. 여기서는 (1) mask 없이 낸 값이 전부 True인 mask를 준 값과 bit 단위로 같은지, (2) cache 뒤에 여러
token (T > 1)을 넣을 때는 여전히 mask가 미래를 가리는지 (전체 재계산과 같은지) 본다."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from utils.gradcheck import F32_ATOL

from .gpt import GPT, GPTConfig


def masked_cached_attention(attn, x, cache, layer):
    """cache가 찬 뒤의 attention을 mask를 늘 만들어 계산한 기준 (query i는 key j ≤ past + i만 본다)."""
    B, T, C = x.shape
    q, k, v = attn.qkv(x)                                               # (B, nh, T, hs)
    past = cache.length
    k, v = cache.update(layer, k, v)                                    # (B, nh, past+T, hs)
    allowed = torch.arange(past + T)[None, :] <= past + torch.arange(T)[:, None]   # (T, past+T)
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)      # (B, nh, T, hs)
    return attn.c_proj(y.transpose(1, 2).reshape(B, T, C))


def test_one_token_decode_step_is_bit_identical_to_the_all_true_mask():
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=64, vocab_size=50, n_layer=1, n_head=4, n_embd=32)).eval()
    attn = model.transformer.h[0].attn
    prefix, steps = torch.randn(3, 9, 32), torch.randn(3, 20, 32)
    with torch.no_grad():
        ours, ref = model.new_cache(3, 29), model.new_cache(3, 29)
        attn(prefix, ours), attn(prefix, ref)                           # 같은 prompt로 두 cache를 채운다
        ours.advance(9), ref.advance(9)
        for t in range(steps.size(1)):                                  # past = 9, 10, …, 28
            x = steps[:, t:t + 1]                                       # (3, 1, 32)
            assert torch.equal(attn(x, ours), masked_cached_attention(attn, x, ref, 0)), f"past = {9 + t}"
            ours.advance(1), ref.advance(1)
        assert ours.length == 29


def test_several_tokens_after_the_cache_still_cannot_see_the_future():
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=32, vocab_size=40, n_layer=2, n_head=2, n_embd=16)).eval()
    x = torch.randint(0, 40, (2, 12))
    with torch.no_grad():
        full = model(x)                                                 # (2, 12, 40)
        cache = model.new_cache(2, 12)
        pieces = [model(x[:, :5], cache), model(x[:, 5:6], cache), model(x[:, 6:9], cache), model(x[:, 9:], cache)]
    assert (torch.cat(pieces, dim=1) - full).abs().max().item() <= F32_ATOL
