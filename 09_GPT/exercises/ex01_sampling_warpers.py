"""연습문제 01 — temperature, top-k, top-p (nucleus) sampling: 학습자가 채우는 stub.

문제 설명: `01_sampling_warpers.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다). 보조 함수는 더해도 된다. torch만 쓴다.

    python -m pytest 09_GPT/exercises --learner -k ex01   # 이 문제만 채점
    make grade CHAPTERS=09                                # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import torch


def warp_logits(logits: torch.Tensor, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
    """다음 token logits (B, V) → temperature로 나누고 → top-k → top-p로 자른 logits (B, V). 버린 token은 −∞.

    HF `generate`와 같은 순서와 같은 뜻: top_k = 0이면 top-k를 끄고, top_p = 1.0이면 모든 token을 남긴다.
    top-k는 k번째로 큰 logit 이상을 남긴다 (k ≥ V면 전부). 잘못된 값이면 그 이름을 밝힌 ValueError.
    """
    raise NotImplementedError("warp_logits: 01_sampling_warpers.md 1단계 (temperature → top-k → top-p)")


def sample_next(logits: torch.Tensor, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0,
                generator: torch.Generator | None = None) -> torch.Tensor:
    """`warp_logits` → softmax → `torch.multinomial`로 token 하나씩 (B, 1)."""
    raise NotImplementedError("sample_next: 01_sampling_warpers.md 2단계")


def order_changes_kept_set(logits: torch.Tensor, temperature: float, top_p: float) -> torch.Tensor:
    """행마다: top-p를 temperature **뒤에** 건 집합 (HF 순서)과 **앞에** 건 집합이 다른가. bool (B,).

    01_sampling_warpers.md 생각해 볼 질문 2.
    """
    raise NotImplementedError("order_changes_kept_set: 01_sampling_warpers.md 3단계 (두 순서로 남는 집합)")
