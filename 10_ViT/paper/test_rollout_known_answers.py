"""Attention rollout (Abnar & Zuidema 2020)을 답을 아는 손으로 만든 attention에서 본다: 행/열을 바꿔 읽거나, 층을
거꾸로 곱하거나, patch 격자를 전치하면 틀린 자리가 가장 밝아진다.

attention 행 i = query token i가 key들에 주는 확률. token 0 = [CLS], token 1 + r·g + c = 격자 (r, c)의 patch.
"""
import numpy as np
import torch

from .vit import ViT, attention_rollout
from .vit_paper import rollout_maps


def one_hot_rows(T: int, rows: dict[int, int], heads: int = 2) -> torch.Tensor:
    """항등 attention에서 rows = {query: key}인 행만 그 key 하나를 보게 한 (1, heads, T, T)."""
    a = torch.eye(T)
    for q, k in rows.items():
        a[q] = 0.0
        a[q, k] = 1.0
    return a.expand(1, heads, T, T).clone()


def test_cls_attending_to_one_patch_puts_the_rollout_there():
    """한 층, [CLS]가 token 3만 본다: residual을 넣은 Â = ½A + ½I의 [CLS] 행은 ½ (자기) + ½ (token 3)."""
    A = one_hot_rows(5, {0: 3})
    R = attention_rollout([A])
    np.testing.assert_allclose(R[0, 0].numpy(), [0.5, 0, 0, 0.5, 0], atol=1e-7)
    np.testing.assert_allclose(attention_rollout([A], residual=False)[0, 0].numpy(), [0, 0, 0, 1, 0], atol=1e-7)


def test_two_layers_multiply_from_the_last_layer_down_to_the_input():
    """층 1: token 2가 token 3을 본다. 층 2: [CLS]가 token 2를 본다 → 정보는 token 3에서 왔다.
    거꾸로 곱하면 (Â_1 Â_2) token 2가 답이 된다. residual을 넣으면 [CLS] 행 = ½ e_0 + ¼ e_2 + ¼ e_3
    (거꾸로면 ½ e_0 + ½ e_2)."""
    layer1, layer2 = one_hot_rows(5, {2: 3}), one_hot_rows(5, {0: 2})
    np.testing.assert_allclose(attention_rollout([layer1, layer2], residual=False)[0, 0].numpy(), [0, 0, 0, 1, 0],
                               atol=1e-7)
    np.testing.assert_allclose(attention_rollout([layer1, layer2])[0, 0].numpy(), [0.5, 0, 0.25, 0.25, 0], atol=1e-7)
    same = one_hot_rows(5, {0: 4})                                     # 같은 층 두 번: ¼ e_0 + ¾ e_4
    np.testing.assert_allclose(attention_rollout([same, same])[0, 0].numpy(), [0.25, 0, 0, 0, 0.75], atol=1e-7)


def test_head_average_comes_before_the_product():
    """head 0은 [CLS] → token 1, head 1은 [CLS] → token 2: 평균이면 반씩."""
    A = torch.stack([one_hot_rows(3, {0: 1}, heads=1)[0, 0], one_hot_rows(3, {0: 2}, heads=1)[0, 0]])[None]
    np.testing.assert_allclose(attention_rollout([A], residual=False)[0, 0].numpy(), [0, 0.5, 0.5], atol=1e-7)


def test_rollout_map_puts_patch_row_r_column_c_at_row_r_column_c():
    """격자 3×3, [CLS]가 (행 0, 열 2)의 patch (token 1 + 0·3 + 2 = 3)만 본다 → 지도의 (0, 2)가 1, 나머지는 0.
    행 우선 순서를 전치하면 (2, 0)이 밝아진다."""
    model = ViT(image_size=12, patch_size=4, num_classes=2, dim=6, depth=1, heads=2, mlp_dim=6)
    model.attention_maps = lambda x: [one_hot_rows(10, {0: 3}).expand(x.shape[0], -1, -1, -1)]
    maps = rollout_maps(model, torch.zeros(2, 3, 12, 12))
    expected = np.zeros((3, 3))
    expected[0, 2] = 1.0
    assert maps.shape == (2, 3, 3)
    np.testing.assert_allclose(maps[0], expected, atol=1e-7)
    np.testing.assert_allclose(maps[1], expected, atol=1e-7)
