"""L4: Hugging Face `CLIPModel` 읽기 — key map, 가중치 옮기기와 parity, EOS pooling 규칙, 이미지 전처리, zero-shot.

안내서는 같은 폴더의 README.md (transformers 5.24.0의 `models/clip/modeling_clip.py`를 줄 번호와 함께 읽는다).

1. key map: HF state_dict의 key마다 우리 L3 (`paper/clip.py`)의 key와 바꾸는 방법 (q·k·v 이어 붙이기, Conv2d 펼치기).
2. HF → 우리 (`CLIP.from_reference`): 두 logit tensor와 두 feature가 같은지 (eager와 sdpa).
3. `--pretrained`: HF cache (또는 인터넷)의 openai/clip-vit-base-patch32와 `CLIPProcessor`로, 학습자가 준 이미지
   (`--images`)를 학습자가 준 class 이름 (`--labels`)으로 zero-shot 분류한다. HF와 우리 모델의 확률을 나란히 적는다.
   가중치가 없으면 한 문장 + exit code 2.

실행:  python -m 12_CLIP.analysis.clip_analysis [--quick]
       python -m 12_CLIP.analysis.clip_analysis --pretrained --images cat.jpg dog.png --labels cat dog
"""
from __future__ import annotations

from pathlib import Path

import torch
from transformers import CLIPConfig, CLIPModel

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import DatasetUnavailable, Timer, limit_threads

from ..paper.clip import CLIP

READ_FROM = {"transformers": "5.24.0"}                          # 안내서가 읽은 버전
DATA_CHOICES = ("random",)
PRETRAINED = "openai/clip-vit-base-patch32"
TEMPLATES = ("a photo of a {}.", "a picture of a {}.", "an image of a {}.")   # Section 3.1.4식 prompt (작은 ensemble)


def tiny_config(attn: str = "eager", **overrides) -> CLIPConfig:
    """offline으로 만드는 작은 CLIP 설정. EOS id는 vocab의 마지막 (openai tokenizer처럼)."""
    text = dict(vocab_size=101, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                max_position_embeddings=16, bos_token_id=99, eos_token_id=100, pad_token_id=100)
    vision = dict(hidden_size=48, intermediate_size=96, num_hidden_layers=2, num_attention_heads=4, image_size=32,
                  patch_size=8)
    text.update(overrides.pop("text", {}))
    vision.update(overrides.pop("vision", {}))
    return CLIPConfig(text_config=text, vision_config=vision, projection_dim=24, attn_implementation=attn, **overrides)


def key_map(ref: CLIPModel) -> list[tuple[str, str, str]]:
    """(HF key, 우리 key, 바꾸는 방법). 방법: "copy", "concat q,k,v" (in_proj의 한 조각), "reshape (W, C·P·P)"."""
    rows = []
    for key in ref.state_dict():
        ours, how = key, "copy"
        for hf, mine in (("vision_model.", "visual."), ("text_model.", "text.")):
            if key.startswith(hf):
                ours = mine + key[len(hf):]
        ours = (ours.replace("encoder.layers.", "transformer.resblocks.").replace("layer_norm1", "ln_1")
                .replace("layer_norm2", "ln_2").replace("self_attn.out_proj", "attn.out_proj")
                .replace("mlp.fc1", "mlp.c_fc").replace("mlp.fc2", "mlp.c_proj"))
        for proj in ("q_proj", "k_proj", "v_proj"):
            if f"self_attn.{proj}." in ours:
                ours, how = ours.replace(f"self_attn.{proj}", "attn.in_proj"), f"concat q,k,v ({proj[0]})"
        renames = {"visual.embeddings.patch_embedding.weight": ("visual.patch_embed.weight", "reshape (W, C·P·P)"),
                   "visual.embeddings.class_embedding": ("visual.class_embedding", "copy"),
                   "visual.embeddings.position_embedding.weight": ("visual.positional_embedding", "copy"),
                   "visual.pre_layrnorm.weight": ("visual.ln_pre.weight", "copy"),
                   "visual.pre_layrnorm.bias": ("visual.ln_pre.bias", "copy"),
                   "visual.post_layernorm.weight": ("visual.ln_post.weight", "copy"),
                   "visual.post_layernorm.bias": ("visual.ln_post.bias", "copy"),
                   "text.embeddings.token_embedding.weight": ("text.token_embedding.weight", "copy"),
                   "text.embeddings.position_embedding.weight": ("text.positional_embedding", "copy"),
                   "text.final_layer_norm.weight": ("text.ln_final.weight", "copy"),
                   "text.final_layer_norm.bias": ("text.ln_final.bias", "copy")}
        ours, how = renames.get(ours, (ours, how))
        rows.append((key, ours, how))
    return rows


def padded_ids(config: CLIPConfig, batch: int = 3, length: int = 10, seed: int = 0):
    """[BOS] 단어들 [EOS] [PAD]… 모양의 무작위 문장 (길이가 서로 다름). (input_ids, attention_mask)."""
    t = config.text_config
    g = torch.Generator().manual_seed(seed)
    ids = torch.full((batch, length), t.pad_token_id)
    mask = torch.zeros(batch, length, dtype=torch.long)
    for i in range(batch):
        n = length - 2 * i
        ids[i, :n] = torch.cat([torch.tensor([t.bos_token_id]), torch.randint(0, t.bos_token_id, (n - 2,), generator=g),
                                torch.tensor([t.eos_token_id])])
        mask[i, :n] = 1
    return ids, mask


@torch.no_grad()
def parity(ref: CLIPModel, ours: CLIP, ids, pixels, mask) -> dict[str, float]:
    """같은 입력에서 HF와 우리의 최대 절대 차이: 두 logit tensor, image feature, text feature."""
    out = ref(input_ids=ids, pixel_values=pixels, attention_mask=mask)
    per_image, per_text = ours(ids, pixels, mask)
    return {
        "logits_per_image": (per_image - out.logits_per_image).abs().max().item(),
        "logits_per_text": (per_text - out.logits_per_text).abs().max().item(),
        "image_features": (ours.encode_image(pixels) - ref.get_image_features(pixel_values=pixels).pooler_output)
        .abs().max().item(),
        "text_features": (ours.encode_text(ids, mask) - ref.get_text_features(input_ids=ids, attention_mask=mask)
                          .pooler_output).abs().max().item(),
    }


def load_pretrained():
    """HF cache (또는 인터넷)의 CLIPModel과 CLIPProcessor. 없으면 DatasetUnavailable."""
    from transformers import CLIPProcessor

    try:
        ref = CLIPModel.from_pretrained(PRETRAINED)
        processor = CLIPProcessor.from_pretrained(PRETRAINED)
    except OSError as error:
        raise DatasetUnavailable(f"{PRETRAINED} 가중치를 HF cache에서도 인터넷에서도 받지 못했습니다 "
                                 f"({type(error).__name__}): 인터넷에 연결된 곳에서 한 번 실행해 "
                                 "cache에 받아 두세요") from None
    return ref.eval(), processor


@torch.no_grad()
def zero_shot(ref: CLIPModel, ours: CLIP, processor, image_paths: list[str], labels: list[str]) -> list[dict]:
    """이미지마다 class 확률 (HF와 우리). class 이름은 TEMPLATES에 넣어 정규화한 feature를 평균한다."""
    from PIL import Image

    from ..paper.clip import zero_shot_weights

    missing = [p for p in image_paths if not Path(p).is_file()]
    if missing:
        raise DatasetUnavailable(f"이미지 파일이 없습니다: {', '.join(missing)}")
    images = [Image.open(p).convert("RGB") for p in image_paths]
    pixels = processor(images=images, return_tensors="pt")["pixel_values"]                # (B, 3, 224, 224)
    texts = [t.format(label) for label in labels for t in TEMPLATES]
    tokens = processor(text=texts, return_tensors="pt", padding=True)
    K, M = len(labels), len(TEMPLATES)
    ids, mask = tokens["input_ids"].reshape(K, M, -1), tokens["attention_mask"].reshape(K, M, -1)
    weights = zero_shot_weights(ours, ids, mask)                                           # (K, d)
    ours_probs = (ours.logit_scale.exp() * torch.nn.functional.normalize(ours.encode_image(pixels), dim=-1)
                  @ weights.T).softmax(-1)
    hf_text = torch.nn.functional.normalize(ref.get_text_features(**tokens).pooler_output, dim=-1)
    hf_weights = torch.nn.functional.normalize(hf_text.reshape(K, M, -1).mean(1), dim=-1)
    hf_image = torch.nn.functional.normalize(ref.get_image_features(pixel_values=pixels).pooler_output, dim=-1)
    hf_probs = (ref.logit_scale.exp() * hf_image @ hf_weights.T).softmax(-1)
    return [{"image": p, "ours": dict(zip(labels, map(float, a))), "hf": dict(zip(labels, map(float, b)))}
            for p, a, b in zip(image_paths, ours_probs, hf_probs)]

# --quick의 마지막 줄: README의 전체 실행 (python -m utils.run 12_CLIP)에서 잰 값
QUICK_NOTE = ("smoke run: 가장 작은 무작위 CLIPModel로 옮기기와 parity만 확인했다. 전체 실행 (vision 4층, 무작위 "
              "가중치)의 logit 차이는 2.0e-6.")


def main(argv=None) -> dict:
    parser = make_parser("12_CLIP", "analysis", "HF CLIPModel 읽기: key map, 가중치 옮기기와 parity, zero-shot",
                         DATA_CHOICES, "random", default_epochs=1)
    parser.add_argument("--pretrained", action="store_true",
                        help=f"HF의 {PRETRAINED} 가중치와 CLIPProcessor를 쓴다 (cache 또는 인터넷)")
    parser.add_argument("--images", nargs="*", default=[], help="--pretrained와 함께: zero-shot 분류할 이미지 파일")
    parser.add_argument("--labels", nargs="*", default=["cat", "dog", "car"], help="class 이름 (영어)")
    args = parse_args(parser, argv)
    seed_everything(args.seed)
    with limit_threads(args.threads), Timer() as timer:
        if args.pretrained:
            ref, processor = load_pretrained()
        else:
            torch.manual_seed(args.seed)
            ref = CLIPModel(tiny_config() if args.quick else tiny_config(vision=dict(num_hidden_layers=4))).eval()
            processor = None
        rows = key_map(ref)
        ours = CLIP.from_reference(ref)
        c = ref.config
        ids, mask = padded_ids(c, length=min(10, c.text_config.max_position_embeddings))
        if args.pretrained:
            ids, mask = (processor(text=["a photo of a cat.", "a dog", "two cars on a road"], return_tensors="pt",
                                   padding=True)[k] for k in ("input_ids", "attention_mask"))
        v = c.vision_config
        pixels = torch.randn(2, v.num_channels, v.image_size, v.image_size, generator=torch.Generator().manual_seed(1))
        diffs = parity(ref, ours, ids, pixels, mask)
        sdpa = CLIPModel(CLIPConfig.from_dict({**c.to_dict(), "_attn_implementation": "sdpa"})).eval()
        sdpa.load_state_dict(ref.state_dict())
        diffs_sdpa = parity(sdpa, ours, ids, pixels, mask)
        predictions = zero_shot(ref, ours, processor, args.images, args.labels) if args.images and args.pretrained \
            else []
    print(f"HF state_dict key {len(rows)}개 → 우리 key {len({r[1] for r in rows})}개 "
          f"(q·k·v 세 개가 in_proj 하나로, Conv2d patch는 Linear로)")
    for name, value in diffs.items():
        print(f"max |차이| {name}: eager {value:.2e}, sdpa {diffs_sdpa[name]:.2e}")
    for p in predictions:
        best = max(p["ours"], key=p["ours"].get)
        print(f"{p['image']}: {best} (우리 {p['ours'][best]:.3f}, HF {p['hf'][best]:.3f})")
    result = {"model": "CLIP", "level": "analysis", "data": PRETRAINED if args.pretrained else "random",
              "metric": "max_abs_logit_diff", "value": max(diffs["logits_per_image"], diffs_sdpa["logits_per_image"]),
              "diffs_eager": diffs, "diffs_sdpa": diffs_sdpa, "n_hf_keys": len(rows),
              "n_parameters": ours.num_parameters(), "zero_shot": predictions, "read_from": READ_FROM,
              "seconds": timer.seconds}
    result = report(result, args.out)
    if args.quick and not args.pretrained:
        print(QUICK_NOTE)
    return result


if __name__ == "__main__":
    cli(main)
