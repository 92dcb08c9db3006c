"""10장 ViT의 주장: position embedding이 없으면 위치가 중요한 과제에서 뚜렷이 나쁘고, 1-D와 2-D는 거의 같다.

Dosovitskiy et al. (2021) Appendix D.4 / Table 8: position embedding 없이 학습한 ViT는 1-D embedding보다 뚜렷이
나쁘고 (ImageNet 5-shot linear 0.614 대 0.642), 1-D·2-D·relative embedding 사이의 차이는 작다 (0.642, 0.640, 0.640).
논문은 그 이유를 patch 단위의 낮은 해상도에서는 공간 관계를 어느 방식으로든 쉽게 배우기 때문이라고 본다.

과제: 내장 shapes (32×32)의 **위치** 3×3 = 9 class (`POSITION_NAMES`). 도형·색·크기는 무작위라 label과 상관없고,
label은 오직 도형이 어디 있는지다. 왜 위치가 중요한 과제인가: E_pos가 없으면 [CLS] token의 출력은 patch token들의
순서를 바꿔도 그대로다 (attention과 MLP는 token 순서에 대해 equivariant, [CLS] 출력은 invariant). 모델은 patch의
집합만 보므로 위치는 "도형이 patch 경계에 어떻게 잘렸는가" 같은 patch 안의 단서로만 짐작할 수 있다. 1-D·2-D
embedding은 token마다 자기 자리를 알려 준다.

세 arm (같은 데이터, 같은 초기 가중치 — E_pos를 뺀 나머지 —, 같은 mini-batch 순서):
- `none`: E_pos 없음 (0인 buffer; 학습하는 parameter가 없다).
- `1d`: 논문 식 (1)의 E_pos ∈ R^{(N+1)×D} (L3 `paper/vit.py`의 ViT 그대로).
- `2d`: App. D.4의 2-D embedding — 행(Y)과 열(X) embedding을 따로 배우고 (각각 D/2 폭), patch (r, c)의 embedding은
  [Y_r ; X_c]로 **이어 붙인다** (concat). [CLS] 자리는 따로 배우는 벡터 하나.

모델은 L3 ViT (`paper/vit.py`)의 작은 설정: patch 8 → 4×4 격자 + [CLS], D = 32, L = 2, head 4개, MLP 64.
학습은 `utils.training.fit` (AdamW lr 1e-3, weight decay 0.05, 1 epoch warm-up 뒤 cosine, batch 32, 12 epoch,
학습 이미지 4,000장) — `vit_paper.py`의 처방 (16 epoch, patch 4)을 예산 (주장당 CPU 5분)에 맞게 줄였다.
augmentation은 쓰지 않는다: 좌우 뒤집기는 왼쪽·오른쪽 label을 바꾸고, crop은 도형을 옮긴다. test는 1,000장.

두 주장은 arm 학습을 나눠 쓴다 (`_accuracy`가 (arm, seed)마다 한 번 학습해 기억한다): 첫 주장이 `none`·`1d`를,
둘째 주장이 `2d`를 학습하고 `1d`는 다시 읽는다.

실행: python -m utils.claims 10
"""
from __future__ import annotations

import functools

import torch
from torch import nn

from utils.claims import Claim, Criterion
from utils.datasets import channel_standardize, load_shapes
from utils.datasets.images import POSITION_NAMES
from utils.schedules import warmup_cosine_lr
from utils.training import accuracy, fit, make_optimizer

from .paper.vit import INIT_STD, ViT

POSITIONS = ("none", "1d", "2d")
MODEL = dict(image_size=32, patch_size=8, dim=32, depth=2, heads=4, mlp_dim=64)
FULL = dict(n_train=4000, n_test=1000, epochs=12, batch_size=32)
QUICK = dict(n_train=96, n_test=64, epochs=1, batch_size=32)
LR, WEIGHT_DECAY = 1e-3, 0.05


class PositionViT(ViT):
    """position embedding 방식만 바꾼 L3 ViT: "none", "1d" (식 (1)의 E_pos), "2d" (App. D.4, 행·열 embedding concat).

    나머지 (patch embedding, encoder, head, 초기화)는 `ViT` 그대로다. E_pos를 뺀 parameter의 초기값은 세 방식이
    같다 (`ViT.__init__`이 먼저 같은 순서로 초기화하고, 2-D의 행·열 table은 그 뒤에 만든다).
    """

    def __init__(self, position: str, **kwargs):
        if position not in POSITIONS:
            raise ValueError(f"position은 {POSITIONS} 중 하나여야 합니다: {position!r}")
        super().__init__(**kwargs)
        self.position = position
        g, D = self.grid_size, self.dim
        if position == "1d":
            return
        del self.pos_embed                                               # 1-D table (N+1, D)를 떼어 낸다
        if position == "none":
            self.register_buffer("pos_embed", torch.zeros(1, g * g + 1, D), persistent=False)
            return
        self.row_embed = nn.Parameter(torch.empty(g, D // 2))            # Y embedding (행마다 D/2)
        self.col_embed = nn.Parameter(torch.empty(g, D - D // 2))        # X embedding (열마다 D/2)
        self.cls_pos = nn.Parameter(torch.empty(1, D))                   # [CLS] 자리
        for table in (self.row_embed, self.col_embed, self.cls_pos):
            nn.init.trunc_normal_(table, std=INIT_STD, a=-2.0, b=2.0)

    def position_embedding(self, H: int, W: int, interpolate: bool = False) -> torch.Tensor:
        if self.position != "2d":
            return super().position_embedding(H, W, interpolate)
        g, P = self.grid_size, self.patch_size
        if (H // P, W // P) != (g, g):
            raise ValueError(f"2-D position table은 {g}×{g} 격자 ({self.image_size}×{self.image_size} 입력)용입니다: "
                             f"받은 {H}×{W}")
        rows = self.row_embed[:, None, :].expand(g, g, -1)               # (g, g, D/2): [r, c] = Y_r
        cols = self.col_embed[None, :, :].expand(g, g, -1)               # (g, g, D/2): [r, c] = X_c
        grid = torch.cat([rows, cols], dim=-1).reshape(g * g, self.dim)  # (N, D): patch 순서는 행 우선
        return torch.cat([self.cls_pos, grid], dim=0)[None]              # (1, N+1, D)


def position_labels(attributes: list[dict]) -> torch.Tensor:
    """shapes 속성 목록 → 위치 class (N,) int64, `POSITION_NAMES` 순서 (0 = top left … 8 = bottom right)."""
    index = {name: i for i, name in enumerate(POSITION_NAMES)}
    return torch.tensor([index[a["position"]] for a in attributes], dtype=torch.long)


@functools.lru_cache(maxsize=4)
def _data(seed: int, quick: bool):
    size = QUICK if quick else FULL
    ds = load_shapes(n_train=size["n_train"], n_test=size["n_test"], size=32, seed=seed)
    X_train, X_test, _, _ = channel_standardize(ds.X_train, ds.X_test)
    return (X_train, position_labels(ds.info["attributes_train"]).numpy(),
            X_test, position_labels(ds.info["attributes_test"]).numpy())


@functools.cache
def _accuracy(position: str, seed: int, quick: bool) -> float:
    """seed의 데이터로 position 방식 하나의 ViT를 학습하고 test 위치 정확도를 돌려준다."""
    size = QUICK if quick else FULL
    X_train, y_train, X_test, y_test = _data(seed, quick)
    torch.manual_seed(seed)
    model = PositionViT(position, num_classes=len(POSITION_NAMES), **MODEL)
    optimizer = make_optimizer(model, "adamw", lr=LR, weight_decay=WEIGHT_DECAY)
    history = fit(model, (X_train, y_train), (X_test, y_test), epochs=size["epochs"], optimizer=optimizer,
                  metric=accuracy, metric_name="acc", batch_size=size["batch_size"],
                  schedule=warmup_cosine_lr(LR, min(1, size["epochs"] - 1), size["epochs"]), seed=seed,
                  progress=False, desc=f"ViT pos={position}")
    return history.last("test_acc")


def run_none_vs_1d(seed: int, quick: bool) -> dict[str, float]:
    return {"1d": _accuracy("1d", seed, quick), "none": _accuracy("none", seed, quick)}


def run_1d_vs_2d(seed: int, quick: bool) -> dict[str, float]:
    return {"2d": _accuracy("2d", seed, quick), "1d": _accuracy("1d", seed, quick)}


SOURCE = "Dosovitskiy et al. 2021, Appendix D.4 / Table 8 (position embedding ablation)"
MARGIN = 0.05       # "뚜렷이 나쁘다": 1-D가 5%p 넘게 앞선다
DELTA = 0.03        # "거의 같다": 2-D − 1-D가 ±3%p 안 (MARGIN보다 좁게)
METRIC = "shapes 이미지의 위치 (3×3 = 9 class) test 정확도 (높을수록 좋다)"

CLAIMS = [
    Claim(
        chapter="10_ViT", name="no_position_embedding_worse",
        claim="위치가 답을 정하는 과제에서 position embedding이 없는 ViT는 1-D embedding이 있는 ViT보다 뚜렷이 나쁘다.",
        source=SOURCE, metric=METRIC, arms=("1d", "none"), run=run_none_vs_1d,
        criterion=Criterion(
            description=f"seed마다 정확도(1-D) − 정확도(없음); 그 평균의 95% t 구간 하한이 {MARGIN}보다 크면 holds",
            per_seed=lambda v: v["1d"] - v["none"],
            rule="greater", threshold=MARGIN, statistic="정확도 차이 1-D − 없음"),
        default_seeds=5,
        notes=("E_pos가 없는 ViT도 도형이 patch 경계에 잘린 모양으로 위치를 조금 짐작할 수 있다. ImageNet 규모의 "
               "과제 (논문의 차이 2.8%p)와 달리 여기서는 label이 위치뿐이라 차이가 과장된다.")),
    Claim(
        chapter="10_ViT", name="position_embedding_1d_vs_2d",
        claim="1-D position embedding과 2-D (행·열 embedding을 이어 붙인) position embedding의 정확도는 거의 같다.",
        source=SOURCE, metric=METRIC, arms=("2d", "1d"), run=run_1d_vs_2d,
        criterion=Criterion(
            description=(f"seed마다 정확도(2-D) − 정확도(1-D); 그 평균의 95% t 구간이 (−{DELTA}, {DELTA}) 안이면 "
                         "holds, 구간 전체가 밖이면 does not hold"),
            per_seed=lambda v: v["2d"] - v["1d"],
            rule="within", threshold=(-DELTA, DELTA), statistic="정확도 차이 2-D − 1-D"),
        default_seeds=5,
        notes=("4×4 patch 격자는 논문의 14×14보다 훨씬 작다: 격자가 작을수록 1-D table도 2-D 구조를 쉽게 배우므로 "
               "큰 격자에서의 동등성까지 보여 주지는 못한다.")),
]
