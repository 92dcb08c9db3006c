"""CLIP 속도 측정: 우리 CLIP ViT-B/32 (L3, `paper/clip.py`) vs HF `CLIPModel` (eager, sdpa), CPU, 같은 가중치·같은 입력.

한 번의 실행 안에서: 기본 `CLIPConfig()` (ViT-B/32, 151M, 무작위 가중치), 이미지 batch 8 (224×224)과 문장 batch 8
(길이가 다른 문장, 가장 긴 것 32 token, padding mask), no_grad·eval의 image+text forward (두 logit tensor까지).
우리 / HF sdpa, 우리 / HF eager 시간 비율 (1보다 작으면 우리가 빠르다)과 logit 차이를 함께 본다.
시간은 warm-up 한 번 뒤 `--repeats`번 잰 값의 중앙값이고, 세 구현을 회마다 번갈아 잰다 (`utils.benchmark.side_by_side`).

실행:  python -m 12_CLIP.benchmark_clip [--repeats 5] [--threads 1] [--tiny]
(`--tiny`는 2층 작은 모델로 몇 초 만에 같은 표를 만든다: 테스트용. 시간을 판정하는 테스트는 없다.)
"""
from __future__ import annotations

import argparse

import torch

from utils.benchmark import environment, load_average, side_by_side
from utils.core import limit_threads


def measure(tiny: bool, repeats: int, batch: int = 8, seed: int = 0) -> dict:
    from transformers import CLIPConfig, CLIPModel

    from .paper.clip import CLIP

    torch.manual_seed(seed)
    kwargs = {}
    if tiny:
        kwargs = dict(text_config=dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                       num_attention_heads=4),
                      vision_config=dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                         num_attention_heads=4, image_size=64, patch_size=16), projection_dim=32)
    eager = CLIPModel(CLIPConfig(**kwargs, attn_implementation="eager")).eval()
    sdpa = CLIPModel(CLIPConfig(**kwargs, attn_implementation="sdpa")).eval()
    sdpa.load_state_dict(eager.state_dict())
    ours = CLIP.from_reference(eager).eval()
    c = ours.config
    g = torch.Generator().manual_seed(1)
    T = 32
    ids = torch.randint(0, c.eos_token_id, (batch, T), generator=g)
    mask = torch.ones(batch, T, dtype=torch.long)
    for i in range(batch):                                   # 길이 32, 28, 24, …: 오른쪽 padding
        n = max(2, T - 4 * i)
        ids[i, n - 1], ids[i, n:], mask[i, n:] = c.eos_token_id, c.eos_token_id, 0
    pixels = torch.randn(batch, c.in_channels, c.image_size, c.image_size, generator=g)
    with torch.no_grad():
        timed = side_by_side({"ours": lambda: ours(ids, pixels, mask),
                              "sdpa": lambda: sdpa(input_ids=ids, pixel_values=pixels, attention_mask=mask),
                              "eager": lambda: eager(input_ids=ids, pixel_values=pixels, attention_mask=mask)}, repeats)
        t_ours, t_sdpa, t_eager = (timed[name]["median"] for name in ("ours", "sdpa", "eager"))
        diff = (ours(ids, pixels, mask)[0] - sdpa(input_ids=ids, pixel_values=pixels, attention_mask=mask)
                .logits_per_image).abs().max().item()
    return {"parameters": ours.num_parameters(), "batch": batch, "text_length": T,
            "forward": {"ours_s": t_ours, "hf_sdpa_s": t_sdpa, "hf_eager_s": t_eager,
                        "ours_over_sdpa": t_ours / t_sdpa, "ours_over_eager": t_ours / t_eager,
                        "max_abs_diff": diff}}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description="우리 CLIP ViT-B/32 vs HF CLIPModel: image+text forward (CPU)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--tiny", action="store_true", help="작은 모델로 몇 초 (테스트용)")
    args = parser.parse_args(argv)
    with limit_threads(args.threads):
        load_before = load_average()
        result = measure(args.tiny, args.repeats)
        result["environment"] = environment(args.threads, load_before=load_before, load_after=load_average())
    row = result["forward"]
    print(f"image+text forward, batch {result['batch']}: 우리 {row['ours_s'] * 1e3:.1f} ms, "
          f"HF sdpa {row['hf_sdpa_s'] * 1e3:.1f} ms, HF eager {row['hf_eager_s'] * 1e3:.1f} ms → "
          f"우리/sdpa {row['ours_over_sdpa']:.3f}, 우리/eager {row['ours_over_eager']:.3f} "
          f"(logit 차이 {row['max_abs_diff']:.1e})")
    print(f"환경: {result['environment']}")
    return result


if __name__ == "__main__":
    main()
