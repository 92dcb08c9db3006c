"""L4 — production ViT 읽기: timm·Hugging Face·우리 L3 `ViT` 사이에서 가중치를 옮기고 같은 함수임을 보인다.

논문: A. Dosovitskiy et al. (2021), "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
ICLR, Section 3.1 식 (1)–(4). Attention rollout: S. Abnar & W. Zuidema (2020), ACL, Section 3.

읽은 코드 (설치된 버전; 안내서는 같은 폴더의 README.md):
    timm 1.0.31            timm/models/vision_transformer.py   `VisionTransformer`, `Block`, `_pos_embed`
                           timm/layers/attention.py             `Attention` (fused qkv)
                           timm/layers/pos_embed.py             `resample_abs_pos_embed`
    transformers 5.24.0    transformers/models/vit/modeling_vit.py   `ViTEmbeddings`, `ViTAttention`, `ViTLayer`,
                                                                     `ViTModel`, `ViTForImageClassification`

두 라이브러리는 같은 논문을 다른 이름과 다른 모양으로 적는다. timm은 q·k·v를 하나의 `qkv` Linear (3D, D)로,
HF는 `q_proj`, `k_proj`, `v_proj` 셋으로 둔다. patch embedding은 둘 다 stride P인 Conv2d다. LayerNorm의 ε는
timm 1e-6, HF 1e-12다. 이 스크립트는 key map을 출력하고, timm → 우리 → HF → 우리 → timm으로 가중치를 옮기며
매 단계의 logits 차이를 재고, 세 구현의 attention 확률로 rollout을 그린다.

실행:  python -m 10_ViT.analysis.vit_analysis [--quick] [--data sample_images|synthetic]
       python -m 10_ViT.analysis.vit_analysis --pretrained     # timm vit_base_patch16_224 (인터넷 필요)
       python -m 10_ViT.analysis.vit_analysis --checkpoint model.safetensors   # 받아 둔 timm 파일 (오프라인)
기본 실행은 오프라인이다: 무작위 가중치의 ViT-B/16 (quick은 작은 설정)과 scikit-learn 안의 사진 두 장.
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import timm.models.vision_transformer as timm_vit
import torch
import torch.nn.functional as F
from torch import nn
from transformers import ViTConfig, ViTForImageClassification

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import DatasetUnavailable, Timer, limit_threads

from ..paper.vit import ViT, attention_rollout, timm_from_checkpoint

READ_FROM = {"timm": "1.0.31", "transformers": "5.24.0"}          # 안내서(README.md)가 읽은 버전
DATA_CHOICES = ("sample_images", "synthetic")
INCEPTION_MEAN = (0.5, 0.5, 0.5)                                   # timm vit_base_patch16_224 pretrained cfg
INCEPTION_STD = (0.5, 0.5, 0.5)
FULL = {"image_size": 224, "patch_size": 16, "dim": 768, "depth": 12, "heads": 12, "mlp_dim": 3072,
        "num_classes": 1000}
QUICK = {"image_size": 64, "patch_size": 16, "dim": 48, "depth": 2, "heads": 3, "mlp_dim": 96, "num_classes": 10}
BLOCK_INDEX = re.compile(r"\.(\d+)\.")
PRETRAINED_NAME = "vit_base_patch16_224"
# --quick의 마지막 줄: README의 전체 실행 (python -m 10_ViT.analysis.vit_analysis)에서 잰 값
QUICK_NOTE = ("smoke run: 작은 ViT (64×64, 2층, 무작위 가중치)로 세 구현 사이의 옮기기만 확인했다. 전체 실행 "
              "(ViT-B/16, 224×224)의 timm → 우리 → HF → 우리 → timm 왕복은 logits 차이 6.6e-05 (logits 최대 9.27).")


# ---------------------------------------------------------------------------
# 1. 같은 설정의 세 모델 만들기
# ---------------------------------------------------------------------------
def build_timm(c: dict) -> nn.Module:
    """timm `VisionTransformer(...)`: `timm.create_model("vit_base_patch16_224")`가 부르는 바로 그 생성자."""
    return timm_vit.VisionTransformer(img_size=c["image_size"], patch_size=c["patch_size"], embed_dim=c["dim"],
                                      depth=c["depth"], num_heads=c["heads"], mlp_ratio=c["mlp_dim"] / c["dim"],
                                      num_classes=c["num_classes"])


def hf_config(c: dict, eps: float = 1e-12) -> ViTConfig:
    return ViTConfig(image_size=c["image_size"], patch_size=c["patch_size"], hidden_size=c["dim"],
                     num_hidden_layers=c["depth"], num_attention_heads=c["heads"], intermediate_size=c["mlp_dim"],
                     num_labels=c["num_classes"], layer_norm_eps=eps)


def randomize_(model: nn.Module, seed: int = 0) -> nn.Module:
    """LayerNorm γ·β와 bias까지 모든 parameter를 무작위로 (갓 만든 모델의 1·0은 잘못 옮겨도 티가 안 난다)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            is_gamma = name.endswith("weight") and p.ndim == 1
            p.copy_((1.0 if is_gamma else 0.0) + 0.1 * torch.randn(p.shape, generator=g))
    return model


# ---------------------------------------------------------------------------
# 2. key map: 이름이 어떻게 바뀌는가
# ---------------------------------------------------------------------------
def collapse(key: str) -> str:
    """block 번호를 *로: "blocks.3.attn.qkv.weight" → "blocks.*.attn.qkv.weight"."""
    return BLOCK_INDEX.sub(".*.", key, count=1)


def timm_to_ours_keys(ours: ViT) -> list[tuple[str, str]]:
    """(timm key, 우리 key). 이름이 같고, 다른 것은 pool="avg"일 때 fc_norm → norm뿐이다."""
    final = "norm" if ours.pool == "cls" else "fc_norm"
    return [(k.replace("norm.", f"{final}.", 1) if k.startswith("norm.") else k, k) for k in ours.state_dict()]


def hf_to_ours_keys(ours: ViT) -> list[tuple[str, str]]:
    """(HF ViTForImageClassification key, 우리 key). q/k/v 세 key가 우리 `qkv` 한 key로 모인다."""
    pairs = [("vit.embeddings.cls_token", "cls_token"), ("vit.embeddings.position_embeddings", "pos_embed"),
             ("vit.embeddings.patch_embeddings.projection.weight", "patch_embed.proj.weight"),
             ("vit.embeddings.patch_embeddings.projection.bias", "patch_embed.proj.bias")]
    for i in range(len(ours.blocks)):
        hf, us = f"vit.layers.{i}.", f"blocks.{i}."
        for part in ("weight", "bias"):
            pairs += [(hf + f"layernorm_before.{part}", us + f"norm1.{part}")]
            pairs += [(hf + f"attention.{x}_proj.{part}", us + f"attn.qkv.{part}") for x in "qkv"]
            pairs += [(hf + f"attention.o_proj.{part}", us + f"attn.proj.{part}"),
                      (hf + f"layernorm_after.{part}", us + f"norm2.{part}"),
                      (hf + f"mlp.fc1.{part}", us + f"mlp.fc1.{part}"),
                      (hf + f"mlp.fc2.{part}", us + f"mlp.fc2.{part}")]
    pairs += [("vit.layernorm.weight", "norm.weight"), ("vit.layernorm.bias", "norm.bias"),
              ("classifier.weight", "head.weight"), ("classifier.bias", "head.bias")]
    return pairs


def key_table(ours: ViT) -> list[tuple[str, str, str, int]]:
    """(timm, HF, 우리, 개수) — block 번호를 묶은 세 열의 표. README 5절의 표가 이 출력이다."""
    timm_of = {us: t for t, us in timm_to_ours_keys(ours)}
    hf_of: dict[str, list[str]] = {}
    for hf, us in hf_to_ours_keys(ours):
        hf_of.setdefault(us, []).append(hf)
    rows = Counter()
    for us in ours.state_dict():
        hf = " + ".join(collapse(k) for k in hf_of[us]) if len(hf_of[us]) > 1 else collapse(hf_of[us][0])
        hf = hf.replace("vit.layers.*.attention.", "…") if len(hf_of[us]) > 1 else hf
        rows[(collapse(timm_of[us]), hf, collapse(us))] += 1
    return [(t, h, u, n) for (t, h, u), n in rows.items()]


# ---------------------------------------------------------------------------
# 3. 옮기기: 우리 → timm, 우리 → HF (from_reference가 반대 방향)
# ---------------------------------------------------------------------------
def ours_to_timm(ours: ViT) -> nn.Module:
    """우리 ViT(pool="cls") → 같은 가중치의 timm VisionTransformer. patch Linear (D, C·P·P) → Conv2d (D, C, P, P)."""
    c = config_of(ours)
    target = build_timm(c).to(next(ours.parameters()).dtype)
    state = {k: v.clone() for k, v in ours.state_dict().items()}
    P, C = ours.patch_size, ours.in_channels
    state["patch_embed.proj.weight"] = state["patch_embed.proj.weight"].reshape(-1, C, P, P)
    for module in target.modules():                      # ε는 모델에 따라 다르다: 옮기는 쪽의 ε를 쓴다
        if isinstance(module, nn.LayerNorm):
            module.eps = ours.eps
    target.load_state_dict(state, strict=True)
    return target.train(ours.training)


def ours_to_hf(ours: ViT) -> nn.Module:
    """우리 ViT → 같은 가중치의 HF ViTForImageClassification. qkv (3D, D)를 q, k, v (D, D) 셋으로 자른다."""
    c = config_of(ours)
    target = ViTForImageClassification(hf_config(c, eps=ours.eps)).to(next(ours.parameters()).dtype)
    state = ours.state_dict()
    P, C, D = ours.patch_size, ours.in_channels, ours.dim
    new = {}
    for hf, us in hf_to_ours_keys(ours):
        value = state[us]
        if ".attn.qkv." in us:
            value = value.chunk(3, dim=0)["qkv".index(hf.split("attention.")[1][0])]      # q, k, v 순서
        elif us == "patch_embed.proj.weight":
            value = value.reshape(D, C, P, P)
        new[hf] = value.clone()
    target.load_state_dict(new, strict=True)
    return target.train(ours.training)


def config_of(ours: ViT) -> dict:
    return {"image_size": ours.image_size, "patch_size": ours.patch_size, "dim": ours.dim,
            "depth": len(ours.blocks), "heads": ours.blocks[0].attn.heads,
            "mlp_dim": ours.blocks[0].mlp.fc1.out_features, "num_classes": ours.num_classes}


def logits_of(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    out = model(x)
    return out.logits if hasattr(out, "logits") else out


@torch.no_grad()
def max_abs_diff(a: nn.Module, b: nn.Module, x: torch.Tensor) -> float:
    return float((logits_of(a.eval(), x) - logits_of(b.eval(), x)).abs().max())


def round_trip(start: nn.Module, x: torch.Tensor) -> dict[str, float]:
    """timm → 우리 → HF → 우리 → timm. 단계마다 출발 모델과의 logits 최대 차이."""
    ours = ViT.from_reference(start).eval()
    hf = ours_to_hf(ours).eval()
    ours_again = ViT.from_reference(hf).eval()
    timm_again = ours_to_timm(ours_again).eval()
    return {"timm→ours": max_abs_diff(start, ours, x), "ours→hf": max_abs_diff(start, hf, x),
            "hf→ours": max_abs_diff(start, ours_again, x), "ours→timm": max_abs_diff(start, timm_again, x)}


# ---------------------------------------------------------------------------
# 4. 세 구현의 attention 확률 → rollout
# ---------------------------------------------------------------------------
@torch.no_grad()
def timm_attentions(model: nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
    """timm은 attention 확률을 돌려주는 API가 없다: `fused_attn`을 끄고 `attn_drop`의 입력(= softmax 결과)을 hook으로.

    fused_attn=True(기본)면 `F.scaled_dot_product_attention` 안에서 계산되어 `attn_drop`이 불리지 않는다.
    """
    captured, handles, saved = [], [], []
    for block in model.blocks:
        saved.append(block.attn.fused_attn)
        block.attn.fused_attn = False
        handles.append(block.attn.attn_drop.register_forward_hook(lambda m, inp, out: captured.append(inp[0])))
    try:
        model.eval()(x)
    finally:
        for block, fused in zip(model.blocks, saved):
            block.attn.fused_attn = fused
        for handle in handles:
            handle.remove()
    return captured


@torch.no_grad()
def hf_attentions(model: nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
    """HF는 `output_attentions=True`로 층마다 (B, heads, T, T)를 돌려준다 (eager attention일 때)."""
    model.config._attn_implementation = "eager"
    return list(model.eval()(x, output_attentions=True).attentions)


# ---------------------------------------------------------------------------
# 5. 입력과 전처리
# ---------------------------------------------------------------------------
def load_input(data: str, size: int, n: int, seed: int) -> torch.Tensor:
    """(n, 3, size, size). sample_images: scikit-learn의 사진 두 장을 가운데 정사각형으로 잘라 size로 줄이고
    timm vit_base_patch16_224의 pretrained cfg처럼 mean = std = 0.5로 정규화 ([−1, 1])."""
    if data not in DATA_CHOICES:
        raise ValueError(f"data는 {DATA_CHOICES} 중 하나여야 합니다: 받은 {data!r}")
    if size < 16:
        raise ValueError(f"이미지 크기는 16 이상이어야 합니다: {size}")
    if data == "synthetic":
        return torch.randn(n, 3, size, size, generator=torch.Generator().manual_seed(seed))
    from sklearn.datasets import load_sample_images

    photos = []
    for image in load_sample_images().images:                     # (H, W, 3) uint8
        H, W, _ = image.shape
        side = min(H, W)
        top, left = (H - side) // 2, (W - side) // 2
        square = torch.from_numpy(image[top:top + side, left:left + side].copy()).permute(2, 0, 1).float() / 255
        square = F.interpolate(square[None], size=(size, size), mode="bicubic", antialias=True, align_corners=False)
        photos.append(square[0].clamp(0, 1))
    x = torch.stack([photos[i % len(photos)] for i in range(n)])
    mean, std = torch.tensor(INCEPTION_MEAN)[:, None, None], torch.tensor(INCEPTION_STD)[:, None, None]
    return (x - mean) / std


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------
def main(argv=None) -> dict:
    parser = make_parser("10_ViT", "analysis", "timm·HF·우리 ViT 사이 가중치 옮기기, parity, attention rollout",
                         DATA_CHOICES, "sample_images", default_epochs=1)
    parser.add_argument("--pretrained", action="store_true", help="timm vit_base_patch16_224의 pretrained 가중치 "
                                                                   "(인터넷 또는 cache 필요)")
    parser.add_argument("--checkpoint", default=None,
                        help="내려받지 않고 읽을 로컬 timm vit_base_patch16_224 checkpoint 파일 "
                             "(.safetensors 또는 torch.save한 state_dict)")
    args = parse_args(parser, argv)
    seed_everything(args.seed)
    real = args.pretrained or args.checkpoint is not None
    c = FULL if real or not args.quick else QUICK
    with Timer() as timer, limit_threads(args.threads):
        torch.manual_seed(args.seed)
        if args.checkpoint is not None:
            start = timm_from_checkpoint(PRETRAINED_NAME, Path(args.checkpoint), {})
        elif args.pretrained:
            import timm

            try:
                start = timm.create_model(PRETRAINED_NAME, pretrained=True)
            except (OSError, RuntimeError, ValueError) as error:
                raise DatasetUnavailable(f"{PRETRAINED_NAME}의 pretrained 가중치를 받을 수 없습니다 "
                                         f"({type(error).__name__}): 인터넷에 연결하거나, 받아 둔 파일을 "
                                         "--checkpoint로 주거나, --pretrained 없이 무작위 가중치로 실행하세요"
                                         ) from error
        else:
            start = randomize_(build_timm(c), seed=args.seed)
        start.eval()
        x = load_input(args.data, c["image_size"], 2, args.seed)
        ours = ViT.from_reference(start).eval()
        table = key_table(ours)
        diffs = round_trip(start, x)
        hf = ours_to_hf(ours)
        maps = {"ours": ours.attention_maps(x), "timm": timm_attentions(start, x), "hf": hf_attentions(hf, x)}
        rollouts = {name: attention_rollout(a) for name, a in maps.items()}
        rollout_diff = max(float((rollouts[n] - rollouts["ours"]).abs().max()) for n in ("timm", "hf"))
    print(f"{'timm':<34} {'HF ViTForImageClassification':<62} {'ours':<28} n")
    for t, h, u, n in table:
        print(f"{t:<34} {h:<62} {u:<28} {n}")
    plots = [save_rollout(x, rollouts, ours.grid_size, f"{args.out}/rollout_three_libraries.png")]
    result = {"model": f"ViT-B/16 ports ({'pretrained' if real else 'random weights'})"
              if c is FULL else "small ViT ports", "level": "analysis", "data": args.data,
              "metric": "max_abs_logit_diff", "value": max(diffs.values()), "ports": diffs,
              "rollout_max_diff": rollout_diff, "n_state_keys": {"ours": len(ours.state_dict()),
                                                                 "timm": len(start.state_dict()),
                                                                 "hf": len(hf.state_dict())},
              "n_parameters": sum(p.numel() for p in ours.parameters()), "seconds": timer.seconds,
              "plots": plots}
    result = report(result, args.out)
    if args.quick and not real:
        print(QUICK_NOTE)
    return result


def save_rollout(x, rollouts, grid, path) -> str:
    import matplotlib.pyplot as plt

    from utils.visualization import save_figure

    images = (x * 0.5 + 0.5).clamp(0, 1).permute(0, 2, 3, 1).numpy()
    names = list(rollouts)
    fig, axes = plt.subplots(len(images), 1 + len(names), figsize=(2.2 * (1 + len(names)), 2.2 * len(images)),
                             layout="constrained", squeeze=False)
    for i, image in enumerate(images):
        axes[i, 0].imshow(image)
        for j, name in enumerate(names):
            m = rollouts[name][i, 0, 1:].reshape(grid, grid).numpy()
            axes[i, j + 1].imshow(m / m.max(), cmap="inferno", vmin=0, vmax=1)
            axes[i, j + 1].set_title(name, fontsize=9)
        for ax in axes[i]:
            ax.axis("off")
    fig.suptitle("attention rollout ([CLS] → patch): 세 구현, 같은 가중치")
    return str(save_figure(fig, path))


if __name__ == "__main__":
    cli(main)
