"""수정 과제 01 — HF `BertModel`의 `BertPooler`를 padding을 뺀 mean pooling으로 바꾸기: 학습자가 채우는 stub.

문제 설명: `mod01_mean_pooling.md`. 각 함수·메서드의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수·클래스 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 08_BERT/analysis/test_mod01_mean_pooling.py --learner   # 이 과제만 채점
    python -m pytest 08_BERT/analysis --learner -k mod                       # 이 장의 수정 과제 모두
    make grade CHAPTERS=08                                                   # 이 장의 채점표
"""
from __future__ import annotations

import torch
from torch import nn


def masked_mean(hidden_states: torch.Tensor, attention_mask: torch.Tensor | None) -> torch.Tensor:
    """hidden_states (B, T, H)의 token 평균 (B, H): attention_mask (B, T)가 1인 token만, 0(padding)은 뺀다.

    mean_b = Σ_t m_bt h_bt / Σ_t m_bt. mask가 None이면 모든 token의 평균이다. mask는 0/1 정수·bool·float 어느 것이든
    된다. hidden_states가 3차원이 아니거나, mask의 shape가 (B, T)가 아니거나, 읽을 token이 하나도 없는 행이 있으면
    ValueError.
    """
    raise NotImplementedError("masked_mean: mod01_mean_pooling.md의 할 일 1을 보세요")


class MeanPooler(nn.Module):
    """`BertPooler` 자리에 들어가는 pooler: forward(hidden_states (B, T, H)) → (B, H) padding을 뺀 평균.

    parameter가 없다. mask는 forward의 인자로 오지 않으므로 속성 `attention_mask`에서 읽는다: `use_mean_pooling`이
    건 hook이 model 호출마다 그 호출의 mask(없으면 None)를 여기에 넣는다.
    """

    def __init__(self):
        """attention_mask = None으로 시작한다."""
        raise NotImplementedError("MeanPooler.__init__: mod01_mean_pooling.md의 할 일 2를 보세요")

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        """hidden_states (B, T, H) → `masked_mean(hidden_states, self.attention_mask)` (B, H)."""
        raise NotImplementedError("MeanPooler.forward: mod01_mean_pooling.md의 할 일 2를 보세요")


def use_mean_pooling(model: nn.Module) -> MeanPooler:
    """HF `BertModel`의 `pooler`를 `MeanPooler`로 바꾸고 (제자리), 그 pooler를 돌려준다.

    바꾼 뒤에는 model 자신의 forward가 `pooler_output`으로 padding을 뺀 평균을 낸다. model 호출의 attention_mask
    (keyword든 두 번째 위치 인자든)가 호출마다 pooler에 전해져야 하고, 앞 호출의 mask가 남아서는 안 된다.
    model이 transformers의 BertModel이 아니거나 이미 MeanPooler가 있으면 ValueError.
    """
    raise NotImplementedError("use_mean_pooling: mod01_mean_pooling.md의 할 일 3을 보세요")
