"""수정 과제 02 — HF GPT-2의 `c_attn`에 low-rank adapter (LoRA)를 달고 adapter만 fine-tuning하기: 학습자가 채우는 stub.

문제 설명: `mod02_lora_adapter.md`. 각 함수·메서드의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수·클래스 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 09_GPT/analysis/test_mod02_lora_adapter.py --learner   # 이 과제만 채점
    python -m pytest 09_GPT/analysis --learner -k mod02                     # 같은 과제 (-k로 고르기)
    python -m pytest 09_GPT/analysis --learner -k mod                       # 이 장의 수정 과제 모두
    make grade CHAPTERS=09                                                  # 이 장의 채점표
"""
from __future__ import annotations

import torch
from torch import nn


class LoRAConv1D(nn.Module):
    """HF `Conv1D` (weight (in, out)) 하나를 감싼다: y = base(x) + (α/r) · (x Aᵀ) Bᵀ.

    `base`는 원래 Conv1D (그대로, 얼린 채), `lora_A`는 (r, in) Gaussian, `lora_B`는 (out, r) 0, `scaling` = α/r.
    A와 B만 requires_grad. generator로 A의 초기값을 정한다. r < 1이나 alpha ≤ 0이면 ValueError.
    """

    def __init__(self, base: nn.Module, r: int, alpha: float, generator: torch.Generator | None = None):
        """base를 감싸고 lora_A (r, in) ~ Gaussian, lora_B (out, r) = 0, scaling = α/r을 만든다."""
        raise NotImplementedError("LoRAConv1D.__init__: mod02_lora_adapter.md의 할 일 1을 보세요")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (…, in) → base(x) + (α/r) · (x Aᵀ) Bᵀ (…, out)."""
        raise NotImplementedError("LoRAConv1D.forward: mod02_lora_adapter.md의 할 일 1을 보세요")


def add_lora(model: nn.Module, r: int, alpha: float, seed: int = 0) -> list[LoRAConv1D]:
    """HF `GPT2LMHeadModel`의 모든 block의 `attn.c_attn`을 `LoRAConv1D`로 바꾼다 (제자리).

    원래 가중치는 모두 얼리고 (requires_grad=False) adapter의 A, B만 학습한다. A는 `seed`로 정한 Gaussian, B는 0.
    층 순서대로 adapter의 list를 돌려준다. 이미 adapter가 달린 모델, r < 1, alpha ≤ 0이면 ValueError.
    """
    raise NotImplementedError("add_lora: mod02_lora_adapter.md의 할 일 2를 보세요")


def finetune_adapter(model: nn.Module, input_ids: torch.Tensor, steps: int, lr: float) -> list[float]:
    """adapter가 달린 모델을 다음 token 예측 (cross-entropy)으로 `steps`번 Adam(lr) 갱신한다: requires_grad인 것만.

    step마다 갱신 **전**의 loss를 float list로 돌려준다 (길이 steps). 학습할 parameter가 없거나, input_ids가
    (B, T ≥ 2) 정수 tensor가 아니거나, steps < 1이면 ValueError.
    """
    raise NotImplementedError("finetune_adapter: mod02_lora_adapter.md의 할 일 3을 보세요")
