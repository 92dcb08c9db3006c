"""연습문제 03 — ViT 설정의 parameter 수와 forward 계산량(MAC): reference solution.

문제 설명과 유도: `03_vit_cost.md`.

    pytest 10_ViT/exercises/test_ex03_vit_cost.py            # 이 solution 검사
"""
from __future__ import annotations


def vit_parameter_count(image_size: int, patch_size: int, dim: int, depth: int, mlp_dim: int, num_classes: int,
                        in_channels: int = 3) -> int:
    """ViT (pool=[CLS], qkv bias 있음, head 1층)의 parameter 수를 식으로 센다."""
    N = (image_size // patch_size) ** 2
    D, M, P, C = dim, mlp_dim, patch_size, in_channels
    embedding = C * P * P * D + D + D + (N + 1) * D                        # E, bias, x_class, E_pos
    block = 2 * (2 * D) + (3 * D * D + 3 * D) + (D * D + D) + (D * M + M) + (M * D + D)
    return embedding + depth * block + 2 * D + D * num_classes + num_classes


def vit_forward_macs(image_size: int, patch_size: int, dim: int, depth: int, mlp_dim: int, num_classes: int,
                     in_channels: int = 3) -> int:
    """이미지 한 장 forward의 곱셈-덧셈(MAC) 수. 행렬곱만 센다 (LayerNorm, softmax, GELU, bias는 뺀다).

    patch embedding N·(C·P²)·D, 층마다 qkv T·D·3D, q kᵀ T·T·D, A v T·T·D, proj T·D·D, MLP 2·T·D·M (T = N+1),
    head D·K.
    """
    N = (image_size // patch_size) ** 2
    T, D, M = N + 1, dim, mlp_dim
    per_layer = T * D * 3 * D + 2 * T * T * D + T * D * D + 2 * T * D * M
    return N * in_channels * patch_size * patch_size * D + depth * per_layer + D * num_classes
