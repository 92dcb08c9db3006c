"""연습문제 02 — 더 높은 해상도로 fine-tuning: E_pos를 보간할 것인가, 새로 만들 것인가: reference solution.

문제 설명: `../02_resolution_finetune.md`.

    python -m pytest 10_ViT/exercises -k ex02   # 이 solution 검사
"""
from __future__ import annotations

import copy

import torch
import torch.nn.functional as F

from ...paper.vit import ViT

STRATEGIES = ("interpolate", "reinit")


def adapt_position_embedding(model: ViT, image_size: int, strategy: str,
                             generator: torch.Generator | None = None) -> ViT:
    """`model`의 복사본을 image_size (정사각형)에 맞춘다. 원래 모델은 바꾸지 않는다.

    strategy "interpolate": patch 격자 쪽 E_pos를 새 격자로 2-D bicubic 보간 (논문 Section 3.2).
    strategy "reinit": patch 격자 쪽 E_pos를 처음부터 다시 만든다: 절단 정규분포 N(0, 0.02²) (±2에서 자름, 장의 초기화).
    두 경우 모두 [CLS] 자리의 E_pos와 나머지 가중치는 그대로다. image_size가 patch 크기의 배수가 아니거나
    strategy가 STRATEGIES에 없으면 ValueError.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy는 {STRATEGIES} 중 하나여야 합니다: {strategy!r}")
    if image_size % model.patch_size:
        raise ValueError(f"image_size={image_size}가 patch_size={model.patch_size}의 배수가 아닙니다")
    new = copy.deepcopy(model)
    new.set_image_size(image_size)                                          # 보간한 E_pos (1, 1 + N', D)
    if strategy == "reinit":
        fresh = torch.empty_like(new.pos_embed[:, 1:])                      # (1, N', D)
        if generator is None:
            torch.nn.init.trunc_normal_(fresh, std=0.02, a=-2.0, b=2.0)
        else:
            fresh = (torch.randn(fresh.shape, generator=generator) * 0.02).clamp(-2.0, 2.0)
        with torch.no_grad():
            new.pos_embed[:, 1:] = fresh
    return new


@torch.no_grad()
def accuracy(model: ViT, images: torch.Tensor, labels: torch.Tensor) -> float:
    """eval 모드에서 argmax가 label과 같은 비율."""
    model.eval()
    return float((model(images).argmax(dim=-1) == labels).float().mean())


def resolution_experiment(model: ViT, make_batch, image_size: int, steps: int = 20, lr: float = 3e-3,
                          seed: int = 0) -> dict:
    """두 strategy로 image_size에 맞춘 모델을 같은 데이터로 fine-tuning하고 전후 정확도를 잰다.

    make_batch(n, size, generator) → (images (n, C, size, size), labels (n,)). 평가 batch는 512장
    (generator seed + 1, 두 strategy에 같은 것), fine-tuning은 Adam(lr), batch 32, steps번 (generator seed, 두
    strategy에 같은 순서). reinit의 새 E_pos는 generator seed + 2.
    Returns:
        {"interpolate": {"before": 정확도, "after": 정확도}, "reinit": {...}}. 02_resolution_finetune.md 3단계.
    """
    images, labels = make_batch(512, image_size, torch.Generator().manual_seed(seed + 1))
    table = {}
    for strategy in STRATEGIES:
        adapted = adapt_position_embedding(model, image_size, strategy, torch.Generator().manual_seed(seed + 2))
        before = accuracy(adapted, images, labels)
        optimizer = torch.optim.Adam(adapted.parameters(), lr=lr)
        generator = torch.Generator().manual_seed(seed)
        adapted.train()
        for _ in range(steps):
            x, y = make_batch(32, image_size, generator)
            loss = F.cross_entropy(adapted(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        table[strategy] = {"before": before, "after": accuracy(adapted, images, labels)}
    return table
