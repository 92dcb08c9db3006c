"""연습문제 01 — temperature, top-k, top-p (nucleus) sampling: reference solution.

문제 설명: `../01_sampling_warpers.md`.

    python -m pytest 09_GPT/exercises -k ex01   # 이 solution 검사
"""
from __future__ import annotations

import torch


def _check(temperature: float, top_k: int, top_p: float) -> None:
    if not temperature > 0:
        raise ValueError(f"temperature는 0보다 커야 합니다: {temperature}")
    if int(top_k) != top_k or top_k < 0:
        raise ValueError(f"top_k는 0 이상의 정수여야 합니다 (0 = 끔): {top_k}")
    if not 0.0 < top_p <= 1.0:
        raise ValueError(f"top_p는 (0, 1] 안이어야 합니다 (1.0 = 끔): {top_p}")


def _top_p(logits: torch.Tensor, top_p: float) -> torch.Tensor:
    """가장 작은 집합 V^(p). 확률이 작은 쪽부터 더한 꼬리 합이 1 − p 이하인 token을 버린다.

    "자기보다 큰 token들의 합 ≥ p"와 같은 조건이고, 작은 수부터 더하므로 float32 반올림이 더 작다.
    """
    ascending, order = torch.sort(logits, dim=-1)                               # (B, V), 작은 것부터
    tail = ascending.softmax(dim=-1).cumsum(dim=-1)                             # 자기 이하 token들의 확률 합
    remove = tail <= 1.0 - top_p
    remove[..., -1] = False                                                     # 가장 큰 token은 늘 남는다
    return logits.masked_fill(remove.scatter(-1, order, remove), float("-inf"))


def warp_logits(logits: torch.Tensor, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
    """다음 token logits (B, V) → temperature로 나누고 → top-k → top-p로 자른 logits (B, V). 버린 token은 −∞.

    HF `generate`와 같은 순서와 같은 뜻: top_k = 0이면 top-k를 끄고, top_p = 1.0이면 모든 token을 남긴다.
    top-k는 k번째로 큰 logit 이상을 남긴다 (k ≥ V면 전부). 잘못된 값이면 그 이름을 밝힌 ValueError.
    """
    _check(temperature, top_k, top_p)
    logits = logits / temperature
    if 0 < top_k < logits.size(-1):
        kth = torch.topk(logits, top_k, dim=-1).values[..., -1:]                # (B, 1)
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if top_p < 1.0:
        logits = _top_p(logits, top_p)
    return logits


def sample_next(logits: torch.Tensor, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0,
                generator: torch.Generator | None = None) -> torch.Tensor:
    """`warp_logits` → softmax → `torch.multinomial`로 token 하나씩 (B, 1)."""
    probs = warp_logits(logits, temperature, top_k, top_p).softmax(dim=-1)
    return torch.multinomial(probs, num_samples=1, generator=generator)


def order_changes_kept_set(logits: torch.Tensor, temperature: float, top_p: float) -> torch.Tensor:
    """행마다: top-p를 temperature **뒤에** 건 집합 (HF 순서)과 **앞에** 건 집합이 다른가. bool (B,).

    01_sampling_warpers.md 생각해 볼 질문 2.
    """
    after = torch.isfinite(warp_logits(logits, temperature, 0, top_p))          # 나눈 뒤 자르기
    before = torch.isfinite(warp_logits(logits, 1.0, 0, top_p))                 # 자른 뒤 나누기 (집합은 그대로)
    return (after != before).any(dim=-1)
