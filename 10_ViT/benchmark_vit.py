"""ViT 속도 측정: 우리 ViT-B/16 (L3, `paper/vit.py`) vs timm `vit_base_patch16_224`, CPU, 같은 가중치·같은 입력.

한 번의 실행 안에서:
    1. forward (eval, no_grad): batch 8, 224×224, 무작위 가중치의 timm 모델을 `ViT.from_reference`로 옮긴 우리 모델.
    2. forward + backward (train 모드, dropout 0): 같은 두 모델, logits 합의 gradient.
    3. 학습 한 step (forward + cross-entropy + backward + AdamW step): 같은 두 모델, 무작위 label.
    두 모델을 **번갈아** 잰다 (`utils.benchmark.interleaved_times`: 회마다 순서를 뒤집는다): 기계의 부하가 도중에
    바뀌어도 두 쪽이 같은 부하를 나눠 받는다. 비율 = 회별 우리 / timm의 중앙값 (1보다 작으면 우리가 빠르다)과 그
    bootstrap 95% 구간, 판정 [goal: L3 / production twin ≤ 1×]. logits와 gradient의 최대 차이도 함께 본다.
    3. (`--patch-sweep`) patch 크기 P = 32, 16, 8의 ViT-B (224×224, batch 1, 우리 모델만): token 수 T, forward
       시간, 행렬곱 MAC (meta device에서 `torch.utils.flop_counter.FlopCounterMode`로 센 값)과 그중 attention
       (q kᵀ, A v)의 몫.

실행:  python -m 10_ViT.benchmark_vit [--repeats 5] [--threads 1] [--patch-sweep] [--quick]
(`--quick`은 작은 모델 (32×32, patch 8, D 64, 2층)로 몇 초 만에 같은 표를 만든다: 테스트용. timed test는 없다.)
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from utils.benchmark import benchmark_main, compare, interleaved_times, training_step

BATCH = 8
QUICK = dict(img_size=32, patch_size=8, embed_dim=64, depth=2, num_heads=4, num_classes=10)


def make_models(quick: bool, seed: int = 0):
    """(timm 모델, 우리 모델): timm을 무작위 가중치로 만들고 `ViT.from_reference`로 옮긴다."""
    import timm
    from timm.models.vision_transformer import VisionTransformer

    from .paper.vit import ViT

    torch.manual_seed(seed)
    ref = VisionTransformer(**QUICK) if quick else timm.create_model("vit_base_patch16_224", pretrained=False)
    return ref, ViT.from_reference(ref)


def measure(quick: bool, repeats: int, seed: int = 0) -> dict:
    ref, ours = make_models(quick, seed)
    size = QUICK["img_size"] if quick else 224
    batch = 2 if quick else BATCH
    x = torch.randn(batch, 3, size, size, generator=torch.Generator().manual_seed(seed))
    result = {"model": "quick" if quick else "ViT-B/16", "batch": batch, "image_size": size,
              "parameters": sum(p.numel() for p in ours.parameters())}

    ref.eval(), ours.eval()
    with torch.no_grad():
        t = interleaved_times({"ours": lambda: ours(x), "timm": lambda: ref(x)}, repeats)
        diff = (ours(x) - ref(x)).abs().max().item()
    rows = [compare("forward (no_grad)", "우리 ViT", "timm", t["ours"], t["timm"], "L3", max_abs_diff=diff)]

    ref.train(), ours.train()                                     # dropout·drop path 0: train 모드도 결정적이다

    def step(model):
        model.zero_grad(set_to_none=True)
        model(x).sum().backward()

    t = interleaved_times({"ours": lambda: step(ours), "timm": lambda: step(ref)}, repeats)
    step(ours), step(ref)
    grad_diff = max((ours.blocks[0].attn.qkv.weight.grad - ref.blocks[0].attn.qkv.weight.grad).abs().max().item(),
                    (ours.head.weight.grad - ref.head.weight.grad).abs().max().item())
    rows.append(compare("forward+backward", "우리 ViT", "timm", t["ours"], t["timm"], "L3",
                        max_abs_grad_diff=grad_diff))
    classes = ours.head.out_features
    y = torch.randint(0, classes, (batch,), generator=torch.Generator().manual_seed(seed + 1))
    t = interleaved_times({name: training_step(model, lambda m: F.cross_entropy(m(x), y))
                           for name, model in (("ours", ours), ("timm", ref))}, repeats)
    rows.append(compare("학습 step (cross-entropy, AdamW)", "우리 ViT", "timm", t["ours"], t["timm"], "L3"))
    result["rows"] = rows
    return result


def counted_macs(model, image_size: int) -> tuple[int, int]:
    """(전체 행렬곱 MAC, 그중 attention의 bmm MAC): meta device에서 FlopCounterMode로 센 FLOP의 절반."""
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.empty(1, model.in_channels, image_size, image_size, device="meta"))
    bmm = sum(count for op, count in counter.get_flop_counts()["Global"].items() if "bmm" in str(op))
    return counter.get_total_flops() // 2, bmm // 2


def patch_sweep(quick: bool, repeats: int, seed: int = 0) -> list[dict]:
    """ViT-B (또는 quick 모델)에서 patch 크기만 바꿔 forward 시간과 MAC을 잰다. batch 1."""
    from .paper.vit import ViT, vit

    rows = []
    patches = (8, 4) if quick else (32, 16, 8)
    size = QUICK["img_size"] if quick else 224
    for P in patches:
        torch.manual_seed(seed)
        if quick:
            shape = dict(dim=QUICK["embed_dim"], depth=QUICK["depth"], heads=QUICK["num_heads"],
                         mlp_dim=4 * QUICK["embed_dim"], num_classes=QUICK["num_classes"])
            model, meta_model = ViT(size, P, **shape).eval(), None
            with torch.device("meta"):
                meta_model = ViT(size, P, **shape).eval()
        else:
            model = vit(f"B/{P}", image_size=size).eval()
            with torch.device("meta"):
                meta_model = vit(f"B/{P}", image_size=size).eval()
        macs, attention_macs = counted_macs(meta_model, size)
        x = torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(seed))
        with torch.no_grad():
            t = interleaved_times({"f": lambda model=model, x=x: model(x)}, repeats)
            seconds = float(np.median(t["f"]["wall"]))
        rows.append({"patch": P, "tokens": (size // P) ** 2 + 1, "forward_s": seconds, "macs": macs,
                     "attention_macs": attention_macs, "attention_share": attention_macs / macs,
                     "parameters": sum(p.numel() for p in model.parameters())})
    return rows


def measure_all(args) -> dict:
    result = measure(args.quick, args.repeats, args.seed)
    if args.patch_sweep:
        result["patch_sweep"] = patch_sweep(args.quick, args.repeats, args.seed)
    return result


def summary(result: dict) -> str:
    """측정 조건과 (`--patch-sweep`이면) patch 크기마다의 표."""
    lines = [f"{result['model']}, batch {result['batch']}, {result['image_size']}×{result['image_size']}, float32"]
    if "patch_sweep" in result:
        lines += ["", "| P | token T | forward (ms, batch 1) | MAC | attention 몫 | parameters |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {r['patch']} | {r['tokens']} | {r['forward_s'] * 1e3:.1f} | {r['macs']:,} | "
                  f"{r['attention_share']:.1%} | {r['parameters']:,} |" for r in result["patch_sweep"]]
    return "\n".join(lines)


def main(argv=None) -> dict:
    return benchmark_main(
        measure_all, "우리 ViT-B/16 vs timm vit_base_patch16_224: forward, forward+backward, 학습 step (CPU)", argv,
        repeats=5, quick="--quick", summary=summary,
        options=lambda parser: parser.add_argument("--patch-sweep", action="store_true",
                                                   help="patch 크기 32, 16, 8의 ViT-B 시간과 MAC도 잰다"))


if __name__ == "__main__":
    main()
