"""수정 과제 02 — HF GPT-2의 `c_attn`에 low-rank adapter (LoRA)를 달고 adapter만 fine-tuning하기 (reference solution).

문제: `../mod02_lora_adapter.md`. 학습자 stub: `../mod02_lora_adapter.py` (이름·signature·docstring이 같다).

E. J. Hu et al. (2022), "LoRA: Low-Rank Adaptation of Large Language Models", ICLR, Section 4.1, 식 (3):
h = W₀x + ΔWx = W₀x + BAx, B ∈ R^{d×r}, A ∈ R^{r×k}, r ≪ min(d, k). W₀는 얼리고 A, B만 학습한다. A는 무작위
Gaussian, B는 0으로 시작하므로 처음에는 ΔW = BA = 0이다. ΔWx는 α/r로 곱한다.
HF GPT-2의 `c_attn`은 `Conv1D`: weight가 (in, out)이고 y = x W + b 이다 (nn.Linear의 전치). 그래서 행 벡터 x에 대해
ΔW의 몫은 (α/r) · (x Aᵀ) Bᵀ로 쓴다 (A: (r, in), B: (out, r)).
"""
from __future__ import annotations

import math

import torch
from torch import nn


class LoRAConv1D(nn.Module):
    """HF `Conv1D` (weight (in, out)) 하나를 감싼다: y = base(x) + (α/r) · (x Aᵀ) Bᵀ.

    `base`는 원래 Conv1D (그대로, 얼린 채), `lora_A`는 (r, in) Gaussian, `lora_B`는 (out, r) 0, `scaling` = α/r.
    A와 B만 requires_grad. generator로 A의 초기값을 정한다. r < 1이나 alpha ≤ 0이면 ValueError.
    """

    def __init__(self, base: nn.Module, r: int, alpha: float, generator: torch.Generator | None = None):
        """base를 감싸고 lora_A (r, in) ~ Gaussian, lora_B (out, r) = 0, scaling = α/r을 만든다."""
        super().__init__()
        if int(r) != r or r < 1:
            raise ValueError(f"rank r은 1 이상의 정수여야 합니다: r={r}")
        if not alpha > 0:
            raise ValueError(f"alpha는 0보다 커야 합니다: alpha={alpha}")
        n_in, n_out = base.weight.shape                                        # Conv1D: (in, out)
        self.base = base
        self.r, self.alpha, self.scaling = int(r), float(alpha), float(alpha) / int(r)
        A = torch.randn(int(r), n_in, generator=generator) / math.sqrt(n_in)   # 무작위 Gaussian
        self.lora_A = nn.Parameter(A.to(base.weight))                           # (r, in)
        self.lora_B = nn.Parameter(torch.zeros(n_out, int(r)).to(base.weight))  # (out, r): ΔW = BA = 0에서 시작

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (…, in) → base(x) + (α/r) · (x Aᵀ) Bᵀ (…, out)."""
        return self.base(x) + self.scaling * ((x @ self.lora_A.t()) @ self.lora_B.t())   # (…, out)


def add_lora(model: nn.Module, r: int, alpha: float, seed: int = 0) -> list[LoRAConv1D]:
    """HF `GPT2LMHeadModel`의 모든 block의 `attn.c_attn`을 `LoRAConv1D`로 바꾼다 (제자리).

    원래 가중치는 모두 얼리고 (requires_grad=False) adapter의 A, B만 학습한다. A는 `seed`로 정한 Gaussian, B는 0.
    층 순서대로 adapter의 list를 돌려준다. 이미 adapter가 달린 모델, r < 1, alpha ≤ 0이면 ValueError.
    """
    blocks = model.transformer.h
    if any(isinstance(block.attn.c_attn, LoRAConv1D) for block in blocks):
        raise ValueError("이미 c_attn에 LoRA adapter가 달려 있습니다: 원래 모델에 한 번만 다세요")
    generator = torch.Generator().manual_seed(seed)
    adapters = [LoRAConv1D(block.attn.c_attn, r, alpha, generator) for block in blocks]   # 검사를 먼저 다 한다
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    for block, adapter in zip(blocks, adapters):
        block.attn.c_attn = adapter
        adapter.lora_A.requires_grad_(True)
        adapter.lora_B.requires_grad_(True)
    return adapters


def finetune_adapter(model: nn.Module, input_ids: torch.Tensor, steps: int, lr: float) -> list[float]:
    """adapter가 달린 모델을 다음 token 예측 (cross-entropy)으로 `steps`번 Adam(lr) 갱신한다: requires_grad인 것만.

    step마다 갱신 **전**의 loss를 float list로 돌려준다 (길이 steps). 학습할 parameter가 없거나, input_ids가
    (B, T ≥ 2) 정수 tensor가 아니거나, steps < 1이면 ValueError.
    """
    if not isinstance(input_ids, torch.Tensor) or input_ids.ndim != 2 or input_ids.is_floating_point() \
            or input_ids.shape[1] < 2:
        shape = tuple(input_ids.shape) if isinstance(input_ids, torch.Tensor) else type(input_ids).__name__
        raise ValueError(f"input_ids는 (B, T ≥ 2) 정수 tensor여야 합니다: 받은 {shape}")
    if int(steps) != steps or steps < 1:
        raise ValueError(f"steps는 1 이상의 정수여야 합니다: steps={steps}")
    trainable = [p for p in model.parameters() if p.requires_grad]
    if not trainable:
        raise ValueError("학습할 parameter가 없습니다: 먼저 add_lora로 adapter를 다세요")
    optimizer = torch.optim.Adam(trainable, lr=lr)
    losses = []
    for _ in range(int(steps)):
        loss = model(input_ids, labels=input_ids).loss                          # HF가 labels를 한 칸 민다
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
