"""CLIP 속도 측정: 우리 CLIP ViT-B/32 (L3, `paper/clip.py`) vs HF `CLIPModel` (eager, sdpa), CPU, 같은 가중치·같은 입력.

한 번의 실행 안에서: 기본 `CLIPConfig()` (ViT-B/32, 151M, 무작위 가중치), 이미지 batch 8 (224×224)과 문장 batch 8
(길이가 다른 문장, 가장 긴 것 32 token, padding mask):
    1. no_grad·eval의 image+text forward (두 logit tensor까지): 우리 vs HF sdpa, 우리 vs HF eager.
    2. 학습 한 step (forward + 대칭 contrastive loss + backward + AdamW step): 우리 (`clip_loss`) vs HF sdpa
       (`return_loss=True`).
비율 = 회별 우리 / HF의 중앙값 (1보다 작으면 우리가 빠르다), 그 bootstrap 95% 구간, 판정 [goal: L3 / production
twin ≤ 1×], 그리고 logit 차이. 구현들은 회마다 번갈아 잰다 (`utils.benchmark.interleaved_times`).

실행:  python -m 12_CLIP.benchmark_clip [--repeats 5] [--threads 1] [--tiny]
(`--tiny`는 2층 작은 모델로 몇 초 만에 같은 표를 만든다: 테스트용. 시간을 판정하는 테스트는 없다.)
"""
from __future__ import annotations

import torch

from utils.benchmark import benchmark_main, compare, interleaved_times, training_step


def measure(tiny: bool, repeats: int, batch: int = 8, seed: int = 0) -> dict:
    from transformers import CLIPConfig, CLIPModel

    from .paper.clip import CLIP, clip_loss

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
        t = interleaved_times({"ours": lambda: ours(ids, pixels, mask),
                               "sdpa": lambda: sdpa(input_ids=ids, pixel_values=pixels, attention_mask=mask),
                               "eager": lambda: eager(input_ids=ids, pixel_values=pixels, attention_mask=mask)},
                              repeats)
        diff = (ours(ids, pixels, mask)[0] - sdpa(input_ids=ids, pixel_values=pixels, attention_mask=mask)
                .logits_per_image).abs().max().item()
    rows = [compare("image+text forward", "우리 CLIP", f"HF {attn}", t["ours"], t[attn], "L3", max_abs_diff=diff)
            for attn in ("sdpa", "eager")]
    t = interleaved_times({"ours": training_step(ours, lambda m: clip_loss(m(ids, pixels, mask)[0])),
                           "sdpa": training_step(sdpa, lambda m: m(input_ids=ids, pixel_values=pixels,
                                                                   attention_mask=mask, return_loss=True).loss)},
                          repeats)
    rows.append(compare("학습 step (contrastive loss, AdamW)", "우리 CLIP", "HF sdpa", t["ours"], t["sdpa"], "L3"))
    return {"parameters": ours.num_parameters(), "batch": batch, "text_length": T, "rows": rows}


def main(argv=None) -> dict:
    return benchmark_main(lambda args: measure(args.quick, args.repeats, seed=args.seed),
                          "우리 CLIP ViT-B/32 vs HF CLIPModel: image+text forward, 학습 step (CPU)", argv, repeats=7,
                          quick="--tiny", summary=lambda r: f"image+text, batch {r['batch']}")


if __name__ == "__main__":
    main()
