"""theory.md의 측정 두 가지를 다시 만든다.

1. softmax 포화 (§2): q, k의 성분이 N(0, 1)이면 q·k의 분산은 d_k. 1/√d_k로 나누지 않으면 d_k가 클수록 softmax가
   one-hot에 가까워진다. 행마다 가장 큰 weight의 평균과, 그 행에서 score에 대한 softmax Jacobian의 크기를 잰다.
2. post-LN vs pre-LN (§6, Xiong et al. 2020): 초기화 직후 층마다 FFN 두 번째 행렬 W_2의 gradient norm.
   `nn.TransformerEncoderLayer(norm_first=False / True)` (dropout 0), pre-LN은 stack 끝에 LayerNorm.

실행:  python -m 07_Transformer.theory_measurements [--tiny]
"""
from __future__ import annotations

import argparse
import math

import torch
from torch import nn

from utils.core import limit_threads

from .pytorch_lowlevel.attention import masked_softmax


def softmax_saturation(d_values=(16, 64, 256, 1024), n: int = 64, seed: int = 1) -> dict:
    """d_k마다 {"scaled": 평균 최대 weight, "unscaled": …, "jacobian_scaled": ‖J‖_F 평균, "jacobian_unscaled": …}."""
    rows = {}
    for d in d_values:
        g = torch.Generator().manual_seed(seed)
        q = torch.randn(n, d, generator=g, dtype=torch.float64)
        k = torch.randn(n, d, generator=g, dtype=torch.float64)
        row = {}
        for name, scale in (("scaled", 1 / math.sqrt(d)), ("unscaled", 1.0)):
            p = masked_softmax(q @ k.T * scale)                                    # (n, n)
            jac = torch.diag_embed(p) - p[:, :, None] * p[:, None, :]              # 행마다 diag(p) − p pᵀ
            row[name] = p.amax(-1).mean().item()
            row[f"jacobian_{name}"] = jac.flatten(1).norm(dim=1).mean().item()
        rows[d] = row
    return rows


def ln_gradient_norms(depth: int, d_model: int = 128, heads: int = 4, B: int = 16, T: int = 32,
                      seed: int = 0) -> dict:
    """층마다 ‖∂L/∂W_2‖_F, L = ⟨출력, 고정된 무작위 방향⟩ / (B·T). {"post": [...], "pre": [...]}."""
    out = {}
    for name, norm_first in (("post", False), ("pre", True)):
        torch.manual_seed(seed)
        layer = nn.TransformerEncoderLayer(d_model, heads, 4 * d_model, dropout=0.0, batch_first=True,
                                           norm_first=norm_first)
        final = nn.LayerNorm(d_model) if norm_first else None
        encoder = nn.TransformerEncoder(layer, depth, norm=final, enable_nested_tensor=False)
        for sub in encoder.modules():                                              # 층마다 새로 초기화 (복사본 아님)
            if isinstance(sub, nn.Linear):
                nn.init.xavier_uniform_(sub.weight)
        g = torch.Generator().manual_seed(seed + 1)
        x = torch.randn(B, T, d_model, generator=g)
        direction = torch.randn(B, T, d_model, generator=g)
        (encoder(x) * direction).sum().div(B * T).backward()
        out[name] = [lyr.linear2.weight.grad.norm().item() for lyr in encoder.layers]
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description="theory.md의 측정: softmax 포화, post-LN vs pre-LN gradient norm")
    parser.add_argument("--tiny", action="store_true", help="작은 크기로 (테스트용)")
    args = parser.parse_args(argv)
    with limit_threads(1):
        saturation = softmax_saturation((16, 64) if args.tiny else (16, 64, 256, 1024))
        depths = (2,) if args.tiny else (6, 12, 24)
        norms = {L: ln_gradient_norms(L, d_model=16 if args.tiny else 128) for L in depths}
    print("softmax 포화: d_k | 평균 최대 weight (scale 있음 / 없음) | 평균 ‖J‖_F (있음 / 없음)")
    for d, row in saturation.items():
        print(f"  {d:5d} | {row['scaled']:.3f} / {row['unscaled']:.3f} | "
              f"{row['jacobian_scaled']:.3f} / {row['jacobian_unscaled']:.3f}")
    print("층마다 ‖∂L/∂W_2‖_F (초기화 직후)")
    for L, row in norms.items():
        print(f"  N = {L:2d} post-LN: {' '.join(f'{v:.4f}' for v in row['post'])}")
        print(f"  N = {L:2d} pre-LN : {' '.join(f'{v:.4f}' for v in row['pre'])}")
    return {"softmax_saturation": saturation, "ln_gradient_norms": norms}


if __name__ == "__main__":
    main()
