"""10장 claims: position embedding 세 방식의 성질 (순서 불변성, 2-D의 행·열 구조), 위치 label, quick 경로, 줄인 실행."""
import math

import pytest
import torch

from utils.claims import REQUIRED_KEYS, run_claim
from utils.datasets import load_shapes
from utils.datasets.images import POSITION_NAMES

from . import claims

SMALL = dict(image_size=32, patch_size=8, num_classes=9, dim=16, depth=1, heads=2, mlp_dim=32)


def _shuffle_patches(x: torch.Tensor, perm: torch.Tensor, P: int = 8) -> torch.Tensor:
    """이미지의 P×P patch들을 perm 순서로 다시 놓는다 (patch 안의 픽셀은 그대로)."""
    B, C, H, W = x.shape
    g = H // P
    patches = x.reshape(B, C, g, P, g, P).permute(0, 2, 4, 1, 3, 5).reshape(B, g * g, C, P, P)
    patches = patches[:, perm]
    return patches.reshape(B, g, g, C, P, P).permute(0, 3, 1, 4, 2, 5).reshape(B, C, H, W)


@pytest.mark.parametrize("position, invariant", [("none", True), ("1d", False), ("2d", False)])
def test_only_the_model_without_position_embedding_ignores_where_patches_are(position, invariant):
    torch.manual_seed(0)
    model = claims.PositionViT(position, **SMALL).eval()
    with torch.no_grad():                                    # 학습 전 E_pos는 작으니 키워서 차이를 뚜렷하게
        for p in (getattr(model, name, None) for name in ("pos_embed", "row_embed", "col_embed")):
            if isinstance(p, torch.nn.Parameter):
                p.mul_(50)
    x = torch.randn(2, 3, 32, 32)
    perm = torch.randperm(16, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        same = torch.allclose(model(x), model(_shuffle_patches(x, perm)), atol=1e-5)
    assert same == invariant


def test_2d_embedding_concatenates_a_row_half_and_a_column_half():
    torch.manual_seed(0)
    model = claims.PositionViT("2d", **SMALL)
    pos = model.position_embedding(32, 32)[0, 1:].reshape(4, 4, 16)       # (행, 열, D)
    half = 8
    assert torch.equal(pos[1, 0, :half], pos[1, 3, :half])                 # 같은 행 → 앞 절반이 같다
    assert torch.equal(pos[0, 2, half:], pos[3, 2, half:])                 # 같은 열 → 뒤 절반이 같다
    assert not torch.equal(pos[0, 0, :half], pos[1, 0, :half])
    assert not torch.equal(pos[0, 0, half:], pos[0, 1, half:])


def test_position_tables_have_the_expected_parameter_counts():
    counts = {p: sum(t.numel() for t in claims.PositionViT(p, **SMALL).parameters()) for p in claims.POSITIONS}
    N, g, D = 16, 4, 16
    assert counts["1d"] - counts["none"] == (N + 1) * D                    # E_pos (N+1)×D
    assert counts["2d"] - counts["none"] == g * D // 2 * 2 + D             # 행 g×D/2 + 열 g×D/2 + [CLS] D
    with pytest.raises(ValueError, match="position"):
        claims.PositionViT("3d", **SMALL)


def test_position_labels_name_where_the_shape_is():
    ds = load_shapes(n_train=60, n_test=10, seed=0)
    labels = claims.position_labels(ds.info["attributes_train"]).numpy()
    assert set(labels.tolist()) <= set(range(9))
    for label, caption in zip(labels, ds.info["captions_train"]):
        assert caption.endswith("at the " + POSITION_NAMES[label])


def test_quick_path_returns_every_arm_finite():
    for claim in claims.CLAIMS:
        values = claim.run(0, True)
        assert set(values) == set(claim.arms)
        assert all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in values.values())


@pytest.mark.slow
def test_reduced_run_records_every_key(monkeypatch):
    monkeypatch.setattr(claims, "FULL", dict(claims.FULL, n_train=2000, n_test=300, epochs=8))
    claims._accuracy.cache_clear()
    claims._data.cache_clear()
    try:
        records = [run_claim(claim, [0, 1]) for claim in claims.CLAIMS]
    finally:
        claims._accuracy.cache_clear()
        claims._data.cache_clear()
    for record in records:
        assert all(key in record for key in REQUIRED_KEYS)
        assert record["verdict"] in ("holds", "does not hold", "inconclusive")
    assert all(v > 0.5 for v in records[0]["arms"]["1d"])                # 위치를 보는 모델은 배운다 (chance 1/9)
