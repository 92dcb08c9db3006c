"""수정 과제 01 — HF `BertModel`의 `BertPooler`를 padding을 뺀 mean pooling으로 바꾸기 (reference solution).

문제: `../mod01_mean_pooling.md`. 학습자 stub: `../mod01_mean_pooling.py` (이름·signature·docstring이 같다).

HF `BertModel.forward`는 encoder 뒤에 `self.pooler(sequence_output)`을 부른다: pooler는 hidden state만 받고
attention mask는 받지 않는다 (`BertPooler`는 [CLS] 하나만 보므로 필요가 없었다). 평균에서 padding을 빼려면 mask가
있어야 하므로, model에 forward pre-hook을 걸어 호출마다 사용자가 넘긴 `attention_mask`를 새 pooler에 건네준다.
model.forward의 코드는 한 줄도 바꾸지 않는다.
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
    if hidden_states.dim() != 3:
        raise ValueError(f"hidden_states는 (B, T, H) 3차원이어야 합니다: 받은 {tuple(hidden_states.shape)}")
    if attention_mask is None:
        return hidden_states.mean(dim=1)
    if tuple(attention_mask.shape) != tuple(hidden_states.shape[:2]):
        raise ValueError(f"attention_mask의 shape는 (B, T) = {tuple(hidden_states.shape[:2])}여야 합니다: "
                         f"받은 {tuple(attention_mask.shape)}")
    weights = attention_mask.to(hidden_states.dtype).unsqueeze(-1)                   # (B, T, 1)
    counts = weights.sum(dim=1)                                                       # (B, 1)
    if bool((counts == 0).any()):
        raise ValueError("attention_mask가 모두 0인 행이 있습니다: 평균을 낼 token이 없습니다")
    return (hidden_states * weights).sum(dim=1) / counts                              # (B, H)


class MeanPooler(nn.Module):
    """`BertPooler` 자리에 들어가는 pooler: forward(hidden_states (B, T, H)) → (B, H) padding을 뺀 평균.

    parameter가 없다. mask는 forward의 인자로 오지 않으므로 속성 `attention_mask`에서 읽는다: `use_mean_pooling`이
    건 hook이 model 호출마다 그 호출의 mask(없으면 None)를 여기에 넣는다.
    """

    def __init__(self):
        """attention_mask = None으로 시작한다."""
        super().__init__()
        self.attention_mask: torch.Tensor | None = None

    def forward(self, hidden_states: torch.Tensor) -> torch.Tensor:
        """hidden_states (B, T, H) → `masked_mean(hidden_states, self.attention_mask)` (B, H)."""
        return masked_mean(hidden_states, self.attention_mask)


def use_mean_pooling(model: nn.Module) -> MeanPooler:
    """HF `BertModel`의 `pooler`를 `MeanPooler`로 바꾸고 (제자리), 그 pooler를 돌려준다.

    바꾼 뒤에는 model 자신의 forward가 `pooler_output`으로 padding을 뺀 평균을 낸다. model 호출의 attention_mask
    (keyword든 두 번째 위치 인자든)가 호출마다 pooler에 전해져야 하고, 앞 호출의 mask가 남아서는 안 된다.
    model이 transformers의 BertModel이 아니거나 이미 MeanPooler가 있으면 ValueError.
    """
    if type(model).__name__ != "BertModel":
        raise ValueError(f"transformers의 BertModel이 필요합니다 (BertFor…이면 .bert를 주세요): "
                         f"받은 {type(model).__name__}")
    if isinstance(model.pooler, MeanPooler):
        raise ValueError("이 BertModel의 pooler는 이미 MeanPooler입니다")
    pooler = MeanPooler()

    def hand_over_mask(module, args, kwargs):
        mask = kwargs.get("attention_mask")
        if mask is None and len(args) > 1:                     # forward(input_ids, attention_mask, …)
            mask = args[1]
        pooler.attention_mask = mask

    def forget_mask(module, args, kwargs, output):
        pooler.attention_mask = None

    model.register_forward_pre_hook(hand_over_mask, with_kwargs=True)
    model.register_forward_hook(forget_mask, with_kwargs=True)
    model.pooler = pooler
    return pooler
