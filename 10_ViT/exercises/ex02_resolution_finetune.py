"""연습문제 02 — 더 높은 해상도로 fine-tuning: E_pos를 보간할 것인가, 새로 만들 것인가: 학습자가 채우는 stub.

문제 설명: `02_resolution_finetune.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다). 장의 L3 모델(`paper/vit.py`)의 메서드와
함수를 써도 된다.

    python -m pytest 10_ViT/exercises --learner -k ex02   # 이 문제만 채점
    make grade CHAPTERS=10                                # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import torch

from ..paper.vit import ViT

STRATEGIES = ("interpolate", "reinit")


def adapt_position_embedding(model: ViT, image_size: int, strategy: str,
                             generator: torch.Generator | None = None) -> ViT:
    """`model`의 복사본을 image_size (정사각형)에 맞춘다. 원래 모델은 바꾸지 않는다.

    strategy "interpolate": patch 격자 쪽 E_pos를 새 격자로 2-D bicubic 보간 (논문 Section 3.2).
    strategy "reinit": patch 격자 쪽 E_pos를 처음부터 다시 만든다: 절단 정규분포 N(0, 0.02²) (±2에서 자름, 장의 초기화).
    두 경우 모두 [CLS] 자리의 E_pos와 나머지 가중치는 그대로다. image_size가 patch 크기의 배수가 아니거나
    strategy가 STRATEGIES에 없으면 ValueError.
    """
    raise NotImplementedError("adapt_position_embedding: 02_resolution_finetune.md 1단계 (복사본의 E_pos를 새 격자로)")


@torch.no_grad()
def accuracy(model: ViT, images: torch.Tensor, labels: torch.Tensor) -> float:
    """eval 모드에서 argmax가 label과 같은 비율."""
    raise NotImplementedError("accuracy: 02_resolution_finetune.md 2단계")


def resolution_experiment(model: ViT, make_batch, image_size: int, steps: int = 20, lr: float = 3e-3,
                          seed: int = 0) -> dict:
    """두 strategy로 image_size에 맞춘 모델을 같은 데이터로 fine-tuning하고 전후 정확도를 잰다.

    make_batch(n, size, generator) → (images (n, C, size, size), labels (n,)). 평가 batch는 512장
    (generator seed + 1, 두 strategy에 같은 것), fine-tuning은 Adam(lr), batch 32, steps번 (generator seed, 두
    strategy에 같은 순서). reinit의 새 E_pos는 generator seed + 2.
    Returns:
        {"interpolate": {"before": 정확도, "after": 정확도}, "reinit": {...}}. 02_resolution_finetune.md 3단계.
    """
    raise NotImplementedError("resolution_experiment: 02_resolution_finetune.md 3단계 (두 strategy, 같은 데이터)")
