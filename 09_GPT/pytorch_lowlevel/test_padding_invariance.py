"""L2 padding 불변성 (causal LM): 문장 오른쪽에 token을 더 붙여도 (padding이든 아무 token이든) 앞 위치의 logits는
그대로다. 층마다의 attention 확률은 대각선 > 0, 그 뒤는 정확히 0. 가중치를 크게 흔들고 (std 0.5, LayerNorm γ·β
무작위) float64로 비교한다."""
import torch

from utils.gradcheck import F64_ATOL, F64_RTOL

from . import gpt as L2

D64 = torch.float64


def scrambled(config: L2.Config) -> dict:
    g = torch.Generator().manual_seed(3)
    params = {}
    for name, p in L2.init_params(config, torch.Generator().manual_seed(0), dtype=D64).items():
        base = 1.0 if ("ln_" in name and name.endswith("weight")) else 0.0
        params[name] = base + 0.5 * torch.randn(p.shape, generator=g, dtype=D64)
    return params


def test_logits_before_the_padding_are_unchanged_and_attention_sees_the_diagonal():
    config = L2.Config(block_size=12, vocab_size=19, n_layer=2, n_head=2, n_embd=8)
    params = scrambled(config)
    g = torch.Generator().manual_seed(1)
    x = torch.randint(0, 19, (3, 7), generator=g)
    base, maps = L2.forward(params, x, config, return_attention=True)
    for fill in (0, 5):
        padded = torch.cat([x, torch.full((3, 4), fill)], 1)
        torch.testing.assert_close(L2.forward(params, padded, config)[:, :7], base, rtol=F64_RTOL, atol=F64_ATOL)
    upper = torch.ones(7, 7, dtype=torch.bool).triu(1)
    for w in maps:
        assert torch.all(w[..., upper] == 0) and torch.all(w.diagonal(dim1=-2, dim2=-1) > 0)
