"""연습문제 04 — KV cache를 쓰는 beam search: 학습자가 채우는 stub.

문제 설명: `04_beam_search_cache.md`. 연습문제 03을 먼저 푼다: 아래 import는 **내가 쓴** `ex03_kv_cache.py`의
`init_cache`, `decode_step`을 가져온다. 함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 07_Transformer/exercises --learner -k ex04   # 이 문제만 채점
    make grade CHAPTERS=07                                        # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import torch

from ..paper.transformer import Transformer, length_penalty  # noqa: F401  (쓸 수 있는 것)
from .ex03_kv_cache import decode_step, init_cache  # noqa: F401  (연습문제 03에서 내가 쓴 것)


def reorder_cache(cache: dict, rows: torch.Tensor) -> None:
    """beam이 살아남은 가설을 고른 뒤 cache를 그 가설들의 부모 순서로 바꾼다 (제자리).

    rows (B·K,): 새 가설 r의 부모가 이전 step의 몇 번째 행인가 (`beam_search`의 `rows`와 같은 뜻).
    바꿀 필요가 없는 tensor는 건드리지 않는다 (같은 tensor 객체로 남는다).
    """
    raise NotImplementedError("reorder_cache: 04_beam_search_cache.md 1단계 (어느 tensor가 가설마다 다른가)")


@torch.no_grad()
def beam_search_cached(model: Transformer, src_ids: torch.Tensor, bos_id: int, eos_id: int, max_len: int,
                       beam_size: int = 4, alpha: float = 0.6) -> torch.Tensor:
    """장의 `paper.transformer.beam_search`와 같은 규칙, 같은 출력 (B, ≤ max_len).

    decoder는 `decode_step`으로만 지난다: step마다 가설마다 새 위치 하나.
    """
    raise NotImplementedError("beam_search_cached: 04_beam_search_cache.md 2단계 (장의 beam_search를 cache로)")
