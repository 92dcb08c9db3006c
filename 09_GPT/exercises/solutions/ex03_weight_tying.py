"""연습문제 03 — weight tying과 parameter 산수: reference solution.

문제 설명: `../03_weight_tying.md`.
"""
from __future__ import annotations


def gpt2_parameter_count(vocab_size: int, block_size: int, n_layer: int, n_embd: int, tied: bool = True,
                         n_inner: int | None = None) -> int:
    """GPT-2 (bias 있는 Linear, LayerNorm γ·β, 학습되는 position embedding)의 parameter 수를 식으로.

    wte (V·C) + wpe (P·C) + 층마다 [ln_1 2C + c_attn (C·3C + 3C) + c_proj (C·C + C) + ln_2 2C + c_fc (C·F + F)
    + c_proj (F·C + C)] + ln_f 2C + (tied가 아니면) lm_head V·C.  F = n_inner (None이면 4C).
    """
    C = n_embd
    F = 4 * C if n_inner is None else n_inner
    per_layer = 2 * C + (C * 3 * C + 3 * C) + (C * C + C) + 2 * C + (C * F + F) + (F * C + C)
    total = vocab_size * C + block_size * C + n_layer * per_layer + 2 * C
    return total if tied else total + vocab_size * C


def embedding_share(vocab_size: int, block_size: int, n_layer: int, n_embd: int) -> float:
    """묶인 GPT-2에서 token embedding (V·C)이 전체 parameter의 몇 분의 몇인가."""
    return vocab_size * n_embd / gpt2_parameter_count(vocab_size, block_size, n_layer, n_embd, tied=True)


def untie_(model) -> None:
    """`model.lm_head.weight`가 `model.transformer.wte.weight`와 같은 tensor이면, 같은 값의 **새** Parameter로 바꾼다.

    바꾼 뒤에도 출력은 같아야 하고, 이제 두 행렬은 따로 학습된다 (parameter 수가 V·C 늘어난다).
    """
    import torch

    if model.lm_head.weight is model.transformer.wte.weight:
        model.lm_head.weight = torch.nn.Parameter(model.transformer.wte.weight.detach().clone())
