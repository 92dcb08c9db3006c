"""L2 dropout의 자리와 비율 (GPT-2 / nanoGPT: embedding 합, attention 확률, 두 residual branch의 끝).

dropout 호출을 가로채 입력 tensor의 shape로 센다: forward 한 번에 (B, T, C)는 embedding 1 + 층마다 2,
(B, h, T, T)는 층마다 1. 비율은 p = 0.2에서 잰다 (keep 확률을 p로 바꿔 쓴 실수는 p = 0.5에서 보이지 않는다).
"""
from collections import Counter

import numpy as np
import torch

from utils.gradcheck import F64_ATOL, F64_RTOL

from . import gpt as L2

B, T, C, NH, LAYERS = 2, 7, 8, 2, 3


def test_forward_drops_the_embedding_sum_attention_weights_and_both_residual_branches(monkeypatch):
    shapes = Counter()
    original = L2.dropout

    def counting(x, p, training, generator=None):
        if training and p > 0:
            shapes[tuple(x.shape)] += 1
        return original(x, p, training, generator)

    monkeypatch.setattr(L2, "dropout", counting)
    config = L2.Config(block_size=T, vocab_size=11, n_layer=LAYERS, n_head=NH, n_embd=C, dropout=0.1)
    params = L2.init_params(config, torch.Generator().manual_seed(0))
    x = torch.randint(0, 11, (B, T), generator=torch.Generator().manual_seed(1))
    L2.forward(params, x, config, training=True, generator=torch.Generator().manual_seed(2))
    assert shapes == Counter({(B, T, C): 1 + 2 * LAYERS, (B, NH, T, T): LAYERS})
    shapes.clear()
    L2.forward(params, x, config, training=False)
    assert not shapes                                                    # 평가 모드에서는 한 번도


def test_dropout_drops_at_rate_p_and_scales_the_rest_by_one_over_keep():
    p = 0.2
    x = torch.linspace(1.0, 2.0, 50_000, dtype=torch.float64)
    out = L2.dropout(x, p, True, torch.Generator().manual_seed(0)).numpy()
    dropped = out == 0
    n = dropped.size
    assert abs(dropped.sum() - n * p) <= 5 * np.sqrt(n * p * (1 - p)), f"0이 된 비율 {dropped.mean():.3f} ≠ p = {p}"
    np.testing.assert_allclose(out[~dropped], x.numpy()[~dropped] / (1 - p), rtol=F64_RTOL, atol=F64_ATOL)
