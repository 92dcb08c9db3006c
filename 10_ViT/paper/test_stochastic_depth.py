"""Stochastic depth (Huang et al. 2016) — p ≠ 0.5에서 잰다: p = 0.5에서는 "버릴 확률 p"와 "남길 확률 p"를 바꿔
쓴 실수가 보이지 않는다.

- `DropPath(p)`: 학습 모드에서 sample마다 branch 전체를 확률 p로 0, 남긴 sample은 정확히 1/(1−p)배.
- 층마다의 확률은 0에서 drop_path까지 선형 (timm `calculate_drop_path_rates`와 같은 규칙).
- block 안의 자리: 두 residual branch (attention, MLP)의 출력에 한 번씩, residual 합 전에.
"""
import numpy as np
import pytest
import torch

from . import vit as V


@pytest.mark.parametrize("p", [0.2, 0.7])
def test_drop_path_drops_whole_samples_at_rate_p_and_scales_survivors_by_one_over_keep(p):
    B = 20_000
    x = torch.rand(B, 3, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64) + 0.5   # 0이 없는 값
    layer = V.DropPath(p).train()
    torch.manual_seed(1)
    y = layer(x)
    zero = (y == 0).reshape(B, -1)
    dropped = zero.all(1)
    assert torch.all(dropped | ~zero.any(1)), "sample 단위로 통째로 버리거나 남긴다"
    n = int(dropped.sum())
    assert abs(n - B * p) <= 5 * np.sqrt(B * p * (1 - p)), f"버린 비율 {n / B:.3f} ≠ p = {p}"
    torch.testing.assert_close(y[~dropped], x[~dropped] / (1 - p), rtol=1e-12, atol=0)
    assert V.DropPath(p).eval()(x) is x


def test_layer_rates_rise_linearly_from_zero_to_the_last_layer():
    model = V.ViT(image_size=8, patch_size=4, num_classes=2, dim=8, depth=5, heads=2, mlp_dim=8, drop_path=0.4)
    rates = [block.drop_path.p for block in model.blocks]
    np.testing.assert_allclose(rates, [0.0, 0.1, 0.2, 0.3, 0.4], rtol=1e-12, atol=1e-15)
    one = V.ViT(image_size=8, patch_size=4, num_classes=2, dim=8, depth=1, heads=2, mlp_dim=8, drop_path=0.4)
    assert one.blocks[0].drop_path.p == 0.0


def test_drop_path_wraps_each_residual_branch_output_before_the_sum():
    torch.manual_seed(0)
    block = V.Block(dim=8, heads=2, mlp_dim=12, eps=1e-6, qkv_bias=True, dropout=0.0, attention_dropout=0.0,
                    mlp_hidden_dropout=0.0, drop_path=0.3).train()
    seen, branch = [], {}
    handles = [block.drop_path.register_forward_hook(lambda m, a, out: seen.append((a[0], out))),
               block.attn.register_forward_hook(lambda m, a, out: branch.setdefault("attn", out)),
               block.mlp.register_forward_hook(lambda m, a, out: branch.setdefault("mlp", out))]
    x = torch.randn(64, 5, 8, generator=torch.Generator().manual_seed(1))
    torch.manual_seed(2)
    y = block(x)
    for h in handles:
        h.remove()
    assert len(seen) == 2
    assert torch.equal(seen[0][0], branch["attn"]) and torch.equal(seen[1][0], branch["mlp"])
    torch.testing.assert_close(y, x + seen[0][1] + seen[1][1])          # residual 합은 DropPath의 출력으로
