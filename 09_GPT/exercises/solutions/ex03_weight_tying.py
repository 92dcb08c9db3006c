"""연습문제 03 — weight tying과 parameter 산수: reference solution.

문제 설명: `../03_weight_tying.md`.

    python -m pytest 09_GPT/exercises -k ex03   # 이 solution 검사
"""
from __future__ import annotations


def gpt2_parameter_count(vocab_size: int, block_size: int, n_layer: int, n_embd: int, tied: bool = True,
                         n_inner: int | None = None) -> int:
    """HF GPT-2 (`GPT2LMHeadModel`)의 parameter 수를 모듈 구조에서 유도한 식으로. F = n_inner (None이면 4C).

    tied=False면 bias 없는 lm_head (V × C)가 따로 있다.
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


def tied_gradient_parts(model, input_ids):
    """묶인 모델의 언어 모델 loss (`model(input_ids, labels=input_ids).loss`)에 대한 ∂L/∂W를 두 몫으로 나눈다.

    W = wte.weight = lm_head.weight. 입력 쪽 몫 + 출력 쪽 몫 = 묶인 W의 gradient. `model`은 바꾸지 않는다.

    Returns:
        (from_input (V, C), from_output (V, C)). 09_GPT 03_weight_tying.md 생각해 볼 질문 2.
    """
    import copy

    untied = copy.deepcopy(model)
    untie_(untied)                                                          # 두 쓰임이 다른 tensor가 된다
    untied.zero_grad(set_to_none=True)
    untied(input_ids, labels=input_ids).loss.backward()
    return untied.transformer.wte.weight.grad.detach(), untied.lm_head.weight.grad.detach()
