"""연습문제 03 — incremental decoding을 위한 KV cache: 학습자가 채우는 stub.

문제 설명: `03_kv_cache.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다. 밑줄로 시작하는
`_heads`는 주어진 것이다. 함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 07_Transformer/exercises --learner -k ex03   # 이 문제만 채점
    make grade CHAPTERS=07                                        # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations

import torch

from ..paper.transformer import Transformer


def _heads(x: torch.Tensor, n_head: int) -> torch.Tensor:
    """주어진 것: (B, T, C) → (B, nh, T, hs)."""
    B, T, C = x.shape
    return x.view(B, T, n_head, C // n_head).transpose(1, 2)


def init_cache(model: Transformer, memory: torch.Tensor, memory_key_padding_mask=None) -> dict:
    """decoder 층마다의 cache를 만든다. cross-attention의 K, V는 memory에서 **한 번만** 계산해 둔다.

    Returns:
        {"layers": [층마다 {"k": None, "v": None, "mem_k": (B, nh, S, hs), "mem_v": (B, nh, S, hs)}],
         "memory_mask": additive (B, 1, 1, S) 또는 None, "length": 0}
    """
    raise NotImplementedError("init_cache: 03_kv_cache.md 1단계 (cross-attention의 K, V는 여기서 한 번)")


def decode_step(model: Transformer, token_ids: torch.Tensor, cache: dict) -> torch.Tensor:
    """새 token 하나 (B,)를 decoder에 넣고 다음 token의 logits (B, V)를 돌려준다. cache를 제자리에서 늘린다.

    위치 t = cache["length"]의 query는 cache의 key 0 … t−1과 자기 자신을 본다 (미래가 없으니 causal mask가 필요 없다).
    eval 모드(dropout 없음)를 가정한다. 층의 배치(post-LN / `norm_first` pre-LN)는 모델을 따른다.
    """
    raise NotImplementedError("decode_step: 03_kv_cache.md 2단계 (새 k, v를 cache 뒤에 붙이고 query 하나로 attention)")


@torch.no_grad()
def greedy_decode_cached(model: Transformer, src_ids: torch.Tensor, bos_id: int, eos_id: int,
                         max_len: int) -> torch.Tensor:
    """`paper.transformer.greedy_decode`와 같은 결과를 step마다 token 하나만 계산해서 낸다. (B, ≤ max_len)."""
    raise NotImplementedError("greedy_decode_cached: 03_kv_cache.md 3단계 (BOS부터 token 하나씩)")


def cache_bytes(n_layers: int, d_model: int, tgt_len: int, src_len: int, batch: int = 1,
                bytes_per_value: int = 4) -> int:
    """길이 tgt_len까지 만든 뒤 decoder cache가 차지하는 byte 수 (self-attention K, V와 cross-attention K, V).

    03_kv_cache.md 생각해 볼 질문 1. d_model = n_head · hs.
    """
    raise NotImplementedError("cache_bytes: 03_kv_cache.md 4단계 (cache에 무엇이 몇 개 있는지 센다)")
