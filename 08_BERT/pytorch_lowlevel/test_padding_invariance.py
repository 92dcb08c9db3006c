"""L2 padding 불변성: 문장 오른쪽에 [PAD]를 더 붙이고 attention_mask를 0으로 주면, 진짜 위치의 sequence output과
MLM logits, [CLS]의 pooled output과 NSP logits가 그대로다. 가중치를 크게 흔들고 (std 0.5, LayerNorm γ·β 무작위)
float64로 비교한다 (padding key의 몫이 반올림 아래로 숨지 않게)."""
import torch

from utils.gradcheck import F64_ATOL, F64_RTOL

from . import encoder as E

V, H, L, NH, FF, MAXPOS, PAD = 23, 12, 2, 3, 20, 16, 0
D64 = torch.float64


def scrambled_params(seed=0) -> dict:
    params = E.init_params(V, H, L, NH, FF, MAXPOS, std=0.5, seed=seed, dtype=D64)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for name, p in params.items():
            if name.endswith("_g"):
                p.copy_(1 + 0.5 * torch.randn(p.shape, generator=g, dtype=D64))
            elif name.endswith(("_b", "mlm_bias")) or name.split(".")[-1].startswith("b"):
                p.copy_(0.5 * torch.randn(p.shape, generator=g, dtype=D64))
    return params


def run(params, ids, types, mask):
    seq, pooled, _ = E.bert_forward(params, ids, types, mask, num_heads=NH)
    return seq, pooled, E.mlm_logits(params, seq), E.nsp_logits(params, pooled)


def test_outputs_at_real_positions_are_unchanged_by_extra_right_padding():
    params = scrambled_params()
    g = torch.Generator().manual_seed(2)
    ids = torch.randint(5, V, (3, 7), generator=g)
    types = torch.randint(0, 2, (3, 7), generator=g)
    mask = torch.ones(3, 7, dtype=torch.long)
    mask[2, 5:] = 0                                                           # 이미 padding이 있는 문장
    ids[2, 5:] = PAD
    base = run(params, ids, types, mask)
    extra = 4
    ids_p = torch.cat([ids, torch.full((3, extra), PAD)], 1)
    types_p = torch.cat([types, torch.zeros(3, extra, dtype=torch.long)], 1)
    mask_p = torch.cat([mask, torch.zeros(3, extra, dtype=torch.long)], 1)
    seq, pooled, mlm, nsp = run(params, ids_p, types_p, mask_p)
    real = mask.bool()
    torch.testing.assert_close(seq[:, :7][real], base[0][real], rtol=F64_RTOL, atol=F64_ATOL)
    torch.testing.assert_close(mlm[:, :7][real], base[2][real], rtol=F64_RTOL, atol=F64_ATOL)
    torch.testing.assert_close(pooled, base[1], rtol=F64_RTOL, atol=F64_ATOL)
    torch.testing.assert_close(nsp, base[3], rtol=F64_RTOL, atol=F64_ATOL)
