"""연습문제 03 — weight tying과 parameter 산수: 학습자가 채우는 stub.

문제 설명: `03_weight_tying.md`.
각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다. 이름·인자·docstring은 바꾸지 않는다.

    python -m pytest 09_GPT/exercises --learner -k ex03   # 이 문제만 채점
    make grade CHAPTERS=09                                # 이 장의 채점표 (문제마다 한 줄)
"""
from __future__ import annotations


def gpt2_parameter_count(vocab_size: int, block_size: int, n_layer: int, n_embd: int, tied: bool = True,
                         n_inner: int | None = None) -> int:
    """HF GPT-2 (`GPT2LMHeadModel`)의 parameter 수를 모듈 구조에서 유도한 식으로. F = n_inner (None이면 4C).

    tied=False면 bias 없는 lm_head (V × C)가 따로 있다.
    """
    raise NotImplementedError("gpt2_parameter_count: 03_weight_tying.md 1단계 (층 하나의 parameter부터 세기)")


def embedding_share(vocab_size: int, block_size: int, n_layer: int, n_embd: int) -> float:
    """묶인 GPT-2에서 token embedding (V·C)이 전체 parameter의 몇 분의 몇인가."""
    raise NotImplementedError("embedding_share: 03_weight_tying.md 2단계")


def untie_(model) -> None:
    """`model.lm_head.weight`가 `model.transformer.wte.weight`와 같은 tensor이면, 같은 값의 **새** Parameter로 바꾼다.

    바꾼 뒤에도 출력은 같아야 하고, 이제 두 행렬은 따로 학습된다 (parameter 수가 V·C 늘어난다).
    """
    raise NotImplementedError("untie_: 03_weight_tying.md 3단계 (같은 값의 새 nn.Parameter)")


def tied_gradient_parts(model, input_ids):
    """묶인 모델의 언어 모델 loss (`model(input_ids, labels=input_ids).loss`)에 대한 ∂L/∂W를 두 몫으로 나눈다.

    W = wte.weight = lm_head.weight. 입력 쪽 몫 + 출력 쪽 몫 = 묶인 W의 gradient. `model`은 바꾸지 않는다.

    Returns:
        (from_input (V, C), from_output (V, C)). 09_GPT 03_weight_tying.md 생각해 볼 질문 2.
    """
    raise NotImplementedError("tied_gradient_parts: 03_weight_tying.md 4단계 (두 쓰임을 다른 tensor로)")
