"""연습문제 03 — ViT 설정의 parameter 수와 forward 계산량(MAC): 학습자가 채우는 stub.

문제 설명과 유도: `03_vit_cost.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (`test_exercises.py`가 solution과 같은지 검사한다).

    pytest 10_ViT/exercises/test_ex03_vit_cost.py --learner   # 내 구현 검사
"""
from __future__ import annotations


def vit_parameter_count(image_size: int, patch_size: int, dim: int, depth: int, mlp_dim: int, num_classes: int,
                        in_channels: int = 3) -> int:
    """ViT (pool=[CLS], qkv bias 있음, head 1층)의 parameter 수를 식으로 센다."""
    raise NotImplementedError("vit_parameter_count: 03_vit_cost.md 1단계")


def vit_forward_macs(image_size: int, patch_size: int, dim: int, depth: int, mlp_dim: int, num_classes: int,
                     in_channels: int = 3) -> int:
    """이미지 한 장 forward의 곱셈-덧셈(MAC) 수. 행렬곱만 센다 (LayerNorm, softmax, GELU, bias는 뺀다).

    patch embedding N·(C·P²)·D, 층마다 qkv T·D·3D, q kᵀ T·T·D, A v T·T·D, proj T·D·D, MLP 2·T·D·M (T = N+1),
    head D·K.
    """
    raise NotImplementedError("vit_forward_macs: 03_vit_cost.md 2단계")
