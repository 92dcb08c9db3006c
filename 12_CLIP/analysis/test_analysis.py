"""L4 검증: 안내서(README.md)가 기대는 transformers의 사실, key map, parity, 실행.

안내서는 transformers 5.24.0의 설치된 소스를 읽고 썼다. 라이브러리를 올렸을 때 이 사실 중 하나가 바뀌면 어느
사실이 바뀌었는지 assert 메시지가 말한다 — 그러면 안내서의 그 절을 다시 읽고 고친다. 줄 번호는 설치된 버전이
읽은 버전과 같을 때만 확인한다.
"""
from __future__ import annotations

import inspect
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import transformers
from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPTokenizer
from transformers.activations import ACT2FN
from transformers.models.clip import modeling_clip

from utils.core import DatasetUnavailable
from utils.gradcheck import F32_ATOL

from ..paper.clip import CLIP
from . import clip_analysis as A

GUIDE = Path(__file__).with_name("README.md")


def require_read_version():
    assert transformers.__version__ == A.READ_FROM["transformers"], \
        (f"줄 번호는 transformers {A.READ_FROM['transformers']} 기준인데 {transformers.__version__}이 설치되어 있다: "
         "requirements.txt의 고정 버전을 설치하거나, 새 버전에 맞춰 안내서의 줄 번호를 고칠 것")


@pytest.fixture(scope="module")
def ref():
    torch.manual_seed(0)
    return CLIPModel(A.tiny_config()).eval()


# ---------------------------------------------------------------- 줄 번호 (읽은 버전일 때만)
CITED_LINES = {
    "models/clip/modeling_clip.py": {
        47: "def contrastive_loss", 51: "def image_text_contrastive_loss", 57: "def _get_vector_norm",
        138: "class CLIPVisionEmbeddings", 146: "self.class_embedding = nn.Parameter(torch.randn",
        148: "self.patch_embedding = nn.Conv2d(", 153: "bias=False", 154: ")", 159: "persistent=False",
        205: "raise ValueError", 221: "class CLIPTextEmbeddings",
        230: "persistent=False", 242: "raise ValueError", 259: "def eager_attention_forward",
        280: "class CLIPAttention", 291: "self.is_causal = False", 338: "class CLIPMLP",
        353: "class CLIPEncoderLayer", 393: "class CLIPPreTrainedModel", 409: "def _init_weights",
        445: "class CLIPEncoder", 484: "class CLIPTextModel", 533: "create_causal_mask(", 544: "is_causal=True",
        549: "self.final_layer_norm(last_hidden_state)", 551: "if self.eos_token_id == 2:", 560: ".argmax(dim=-1)",
        563: "PR #24773", 570: ".argmax(dim=-1)", 571: "]", 584: "class CLIPVisionModel", 595: "self.pre_layrnorm",
        632: "self.pre_layrnorm(hidden_states)", 640: "last_hidden_state[:, 0, :]",
        641: "self.post_layernorm(pooled_output)", 650: "class CLIPModel", 664: "bias=False", 665: "bias=False",
        666: "logit_scale_init_value", 800: "_get_vector_norm(image_embeds)", 801: "_get_vector_norm(text_embeds)",
        804: "logits_per_text = torch.matmul(text_embeds, image_embeds.t()", 805: "self.logit_scale.exp()",
        807: "logits_per_image = logits_per_text.t()", 810: "if return_loss:",
        825: "class CLIPTextModelWithProjection", 889: "class CLIPVisionModelWithProjection",
        958: "class CLIPForImageClassification"},
    "models/clip/configuration_clip.py": {164: "logit_scale_init_value"},
    "masking_utils.py": {46: "def and_masks", 74: "def causal_mask_function", 166: "def padding_mask_function",
                         552: "def eager_mask", 893: "def create_causal_mask"},
    "models/clip/tokenization_clip.py": {60: "unk_token", 63: "pad_token", 90: "normalizers.Sequence(",
                                         91: "normalizers.Lowercase()",
                                         117: "RobertaProcessing"},
    "utils/constants.py": {5: "OPENAI_CLIP_MEAN", 6: "OPENAI_CLIP_STD"},
}
FILE_LENGTHS = {"models/clip/modeling_clip.py": 1014, "models/clip/configuration_clip.py": 241,
                "masking_utils.py": 1622, "models/clip/image_processing_clip.py": 45,
                "models/clip/tokenization_clip.py": 142, "models/clip/processing_clip.py": 28, "activations.py": 369}


@pytest.mark.parametrize("path", sorted(CITED_LINES))
def test_cited_lines_hold_the_cited_code(path):
    require_read_version()
    lines = (Path(transformers.__file__).parent / path).read_text(encoding="utf-8").splitlines()
    for number, text in CITED_LINES[path].items():
        assert text in lines[number - 1], f"{path}:{number}에 '{text}'가 없다 (안내서의 줄 번호를 고칠 것)"


def test_every_line_number_in_the_guide_is_checked():
    """안내서의 "N줄", "a–b줄", "a, b줄"과 지도 표 첫 열의 줄 번호는 모두 CITED_LINES에 있고, 그 반대도 그렇다.

    파일 길이 ("1014줄")는 test_file_lengths_in_the_guide가 따로 확인하므로 뺀다."""
    import re

    guide = GUIDE.read_text(encoding="utf-8")
    cited, inside = set(), set()
    for first, dash, second in re.findall(r"(\d+)(?:(–|, )(\d+))?줄", guide):
        cited |= {int(first)} | ({int(second)} if second else set())
        if dash == "–":                                                     # "148–154줄": 끝점은 인용, 사이는 허용
            inside |= set(range(int(first), int(second) + 1))
    for row in re.findall(r"(?m)^\| ([\d, ]+) \|", guide):                  # 지도 표: "| 47, 51 | …"
        cited |= {int(n) for n in row.split(",")}
    cited -= set(FILE_LENGTHS.values())
    checked = {n for lines in CITED_LINES.values() for n in lines}
    assert cited - checked == set(), f"안내서가 인용했지만 확인하지 않는 줄: {sorted(cited - checked)}"
    assert checked - cited - inside == set(), f"확인하지만 안내서에 없는 줄: {sorted(checked - cited - inside)}"


def test_file_lengths_in_the_guide():
    require_read_version()
    guide = GUIDE.read_text(encoding="utf-8")
    for path, n in FILE_LENGTHS.items():
        lines = (Path(transformers.__file__).parent / path).read_text(encoding="utf-8").count("\n")
        assert lines == n, f"{path}는 {lines}줄 (안내서는 {n}줄)"
        assert f"({n}줄)" in guide, f"안내서에 {path}의 길이 {n}줄이 없다"


def test_guide_names_the_version_it_read():
    assert f"| transformers | {A.READ_FROM['transformers']} |" in GUIDE.read_text(encoding="utf-8")


# ---------------------------------------------------------------- 기본값
def test_clip_config_defaults_are_vit_b32():
    c = CLIPConfig()
    text = {"vocab_size": 49408, "hidden_size": 512, "intermediate_size": 2048, "num_hidden_layers": 12,
            "num_attention_heads": 8, "max_position_embeddings": 77, "hidden_act": "quick_gelu",
            "layer_norm_eps": 1e-5, "eos_token_id": 49407, "bos_token_id": 49406, "pad_token_id": 1}
    vision = {"hidden_size": 768, "intermediate_size": 3072, "num_hidden_layers": 12, "num_attention_heads": 12,
              "image_size": 224, "patch_size": 32, "hidden_act": "quick_gelu", "layer_norm_eps": 1e-5,
              "num_channels": 3}
    for name, value in text.items():
        assert getattr(c.text_config, name) == value, f"사실 바뀜: CLIPTextConfig().{name} 기본값 ≠ {value!r}"
    for name, value in vision.items():
        assert getattr(c.vision_config, name) == value, f"사실 바뀜: CLIPVisionConfig().{name} 기본값 ≠ {value!r}"
    assert c.projection_dim == 512, "사실 바뀜: projection_dim 기본값"
    assert c.logit_scale_init_value == pytest.approx(math.log(1 / 0.07), abs=1e-4), \
        "사실 바뀜: logit_scale_init_value가 ln(1/0.07)이 아니다"


def test_quick_gelu_is_x_sigmoid_1702x():
    x = torch.linspace(-6, 6, 101)
    assert (ACT2FN["quick_gelu"](x) - x * torch.sigmoid(1.702 * x)).abs().max() <= F32_ATOL, \
        "사실 바뀜: ACT2FN['quick_gelu']가 x·σ(1.702x)가 아니다"


# ---------------------------------------------------------------- 구조
def test_projections_and_patch_embedding_have_no_bias(ref):
    assert ref.visual_projection.bias is None and ref.text_projection.bias is None, "사실 바뀜: projection에 bias"
    assert ref.vision_model.embeddings.patch_embedding.bias is None, "사실 바뀜: patch Conv2d에 bias"
    assert ref.vision_model.embeddings.class_embedding.shape == (48,), "사실 바뀜: class_embedding이 (W,)가 아니다"


def test_position_ids_are_not_in_the_state_dict_and_vit_b32_has_398_keys(ref):
    assert not any("position_ids" in k for k in ref.state_dict()), "사실 바뀜: position_ids가 state_dict에 저장된다"
    with torch.device("meta"):
        big = CLIPModel(CLIPConfig())
    assert len(big.state_dict()) == 398, f"사실 바뀜: ViT-B/32 state_dict key 수 {len(big.state_dict())}"


def test_attention_module_is_not_causal_by_itself(ref):
    assert ref.text_model.encoder.layers[0].self_attn.is_causal is False, "사실 바뀜: CLIPAttention.is_causal"


def test_post_layernorm_applies_to_the_pooled_token_only(ref):
    px = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        out = ref.vision_model(pixel_values=px)
        expected = ref.vision_model.post_layernorm(out.last_hidden_state[:, 0])
    assert (out.pooler_output - expected).abs().max() <= F32_ATOL, "사실 바뀜: pooler_output ≠ post_layernorm([CLS])"
    assert out.last_hidden_state[:, 0].std(dim=-1).sub(1).abs().max() > 0.05, \
        "사실 바뀜: last_hidden_state가 post_layernorm을 거친 것처럼 보인다"


def test_text_last_hidden_state_is_final_layer_normed_and_causal(ref):
    ids, mask = A.padded_ids(ref.config)
    with torch.no_grad():
        out = ref.text_model(input_ids=ids, attention_mask=mask)
        changed = ids.clone()
        changed[0, 6] = (changed[0, 6] + 1) % 99
        out2 = ref.text_model(input_ids=changed, attention_mask=mask)
    h = out.last_hidden_state
    centred = (h - h.mean(-1, keepdim=True)) / h.std(-1, unbiased=False, keepdim=True)
    w, b = ref.text_model.final_layer_norm.weight, ref.text_model.final_layer_norm.bias
    assert (h - (centred * w + b)).abs().max() < 1e-3, \
        "사실 바뀜: text last_hidden_state가 final_layer_norm을 거치지 않는다"
    assert (out.last_hidden_state[0, :6] - out2.last_hidden_state[0, :6]).abs().max() == 0, \
        "사실 바뀜: text encoder가 causal이 아니다 (뒤 token이 앞 자리를 바꾼다)"
    assert (out.last_hidden_state[0, 6:] - out2.last_hidden_state[0, 6:]).abs().max() > 1e-4


def test_padding_keys_get_exactly_zero_attention(ref):
    ids, mask = A.padded_ids(ref.config)
    with torch.no_grad():
        attn = ref.text_model(input_ids=ids, attention_mask=mask, output_attentions=True).attentions[0]
    n = int(mask[2].sum())
    assert torch.all(attn[2, :, :n, n:] == 0), "사실 바뀜: padding key에 attention이 간다"
    assert torch.all(attn[2, :, :n, :n].triu(diagonal=1) == 0), "사실 바뀜: 미래 key에 attention이 간다"


@pytest.mark.parametrize("eos, expected", [(2, "argmax"), (100, "first_eos")])
def test_two_eos_pooling_rules(eos, expected):
    torch.manual_seed(1)
    text = dict(eos_token_id=eos) if eos != 2 else dict(eos_token_id=2, bos_token_id=0, pad_token_id=1)
    model = CLIPModel(A.tiny_config(text=text)).eval()
    ids = torch.tensor([[5, 100, 7, 100, 3], [9, 2, 8, 60, 2]])       # 가장 큰 id와 첫 EOS의 자리가 다르다
    with torch.no_grad():
        out = model.text_model(input_ids=ids)
    if expected == "argmax":
        where = ids.argmax(dim=-1)                                       # [1, 3]
    else:
        where = torch.tensor([1, 0])                                     # 행 1에는 EOS(100)가 없다 → 0번 자리
    picked = out.last_hidden_state[torch.arange(2), where]
    assert (out.pooler_output - picked).abs().max() <= F32_ATOL, f"사실 바뀜: eos_token_id={eos}의 pooling 규칙"


def test_forward_does_not_clamp_the_logit_scale(ref):
    model = CLIPModel(A.tiny_config()).eval()
    model.load_state_dict(ref.state_dict())
    with torch.no_grad():
        model.logit_scale.fill_(6.0)                                     # exp(6) ≈ 403 > 100
        ids, mask = A.padded_ids(model.config)
        px = torch.randn(2, 3, 32, 32)
        out = model(input_ids=ids, pixel_values=px, attention_mask=mask)
        cosine = F.normalize(out.image_embeds, dim=-1) @ F.normalize(out.text_embeds, dim=-1).T
    assert (out.logits_per_image - math.exp(6.0) * cosine).abs().max() < 1e-3, \
        "사실 바뀜: CLIPModel.forward가 logit_scale을 자른다"


def test_return_loss_is_the_symmetric_cross_entropy(ref):
    ids, mask = A.padded_ids(ref.config, batch=2)
    with torch.no_grad():
        out = ref(input_ids=ids, pixel_values=torch.randn(2, 3, 32, 32), attention_mask=mask, return_loss=True)
    labels = torch.arange(2)
    expected = (F.cross_entropy(out.logits_per_text, labels) + F.cross_entropy(out.logits_per_image, labels)) / 2
    assert abs(out.loss.item() - expected.item()) < 1e-6, "사실 바뀜: return_loss가 대칭 CE가 아니다"


# ---------------------------------------------------------------- processor
def test_image_processor_defaults_and_a_grey_image():
    p = CLIPImageProcessor()
    assert p.size["shortest_edge"] == 224 and (p.crop_size["height"], p.crop_size["width"]) == (224, 224), \
        "사실 바뀜: CLIPImageProcessor 크기 기본값"
    assert int(p.resample) == 3, "사실 바뀜: resample이 bicubic (PIL 3)이 아니다"
    mean, std = (0.48145466, 0.4578275, 0.40821073), (0.26862954, 0.26130258, 0.27577711)
    assert tuple(p.image_mean) == mean and tuple(p.image_std) == std, "사실 바뀜: OPENAI_CLIP_MEAN/STD"
    from PIL import Image

    grey = Image.fromarray(np.full((200, 300, 3), 128, dtype=np.uint8))
    x = p(images=[grey], return_tensors="pt")["pixel_values"]
    assert x.shape == (1, 3, 224, 224), "사실 바뀜: 짧은 변 224 + 가운데 224×224"
    expected = (128 / 255 - torch.tensor(mean)) / torch.tensor(std)
    assert (x[0] - expected[:, None, None]).abs().max() < 1e-4, "사실 바뀜: 1/255 → (x − mean)/std"


def test_tokenizer_default_special_tokens():
    params = inspect.signature(CLIPTokenizer.__init__).parameters
    defaults = {name: params[name].default for name in ("unk_token", "bos_token", "eos_token", "pad_token")}
    assert defaults == {"unk_token": "<|endoftext|>", "bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>",
                        "pad_token": "<|endoftext|>"}, f"사실 바뀜: CLIPTokenizer 기본 특수 token {defaults}"


# ---------------------------------------------------------------- key map, parity, 실행
def test_key_map_covers_every_key_once(ref):
    rows = A.key_map(ref)
    ours = CLIP.from_reference(ref).state_dict()
    assert [r[0] for r in rows] == list(ref.state_dict())
    assert {r[1] for r in rows} == set(ours)
    concat = [r for r in rows if r[2].startswith("concat")]
    assert len(concat) == 3 * 2 * (2 + 2)            # (q, k, v) × (weight, bias) × (text 2층 + vision 2층)
    assert sum(r[2].startswith("reshape") for r in rows) == 1


@pytest.mark.parametrize("attn", ["eager", "sdpa"])
def test_parity_of_logits_and_features(attn):
    torch.manual_seed(2)
    ref = CLIPModel(A.tiny_config(attn=attn)).eval()
    ours = CLIP.from_reference(ref)
    ids, mask = A.padded_ids(ref.config)
    diffs = A.parity(ref, ours, ids, torch.randn(2, 3, 32, 32), mask)
    assert max(diffs.values()) <= F32_ATOL, diffs


def test_quick_run(tmp_path, capsys):
    result = A.main(["--quick", "--threads", "1", "--out", str(tmp_path)])
    assert capsys.readouterr().out.strip().splitlines()[-1] == A.QUICK_NOTE, "마지막 줄: smoke run 안내"
    assert "smoke run" in A.QUICK_NOTE and "2.0e-6" in A.QUICK_NOTE
    assert "**2.0e-6**" in (GUIDE.parent.parent / "README.md").read_text(encoding="utf-8"), \
        "QUICK_NOTE가 인용하는 전체 실행의 값이 README 결과 표에 있다"
    assert result["level"] == "analysis" and result["value"] <= F32_ATOL
    assert result["n_hf_keys"] == 78
    assert (tmp_path / "result.json").exists()


def test_missing_pretrained_weights_are_one_sentence(monkeypatch, tmp_path, capsys):
    def refuse(*args, **kwargs):
        raise OSError("offline")

    monkeypatch.setattr(modeling_clip.CLIPModel, "from_pretrained", classmethod(lambda cls, *a, **k: refuse()))
    with pytest.raises(DatasetUnavailable, match="clip-vit-base-patch32"):
        A.main(["--pretrained", "--out", str(tmp_path)])
    from utils.cli import cli

    with pytest.raises(SystemExit) as exit_info:                       # CLI에서는 traceback 없이 한 줄, exit 2
        cli(lambda: A.main(["--pretrained", "--out", str(tmp_path)]))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("오류: ") and err.count("\n") == 1 and "clip-vit-base-patch32" in err, err


def test_zero_shot_on_learner_images_matches_hf(tmp_path):
    """--pretrained의 zero-shot 경로를 작은 무작위 모델과 글자 단위 CLIPTokenizer로: 우리 확률 = HF 확률."""
    from PIL import Image
    from transformers import CLIPProcessor

    letters = "abcdefghijklmnopqrstuvwxyz."
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for ch in letters:
        vocab.setdefault(ch, len(vocab))
        vocab.setdefault(ch + "</w>", len(vocab))
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[])
    processor = CLIPProcessor(image_processor=CLIPImageProcessor(size={"shortest_edge": 32},
                                                                 crop_size={"height": 32, "width": 32}),
                              tokenizer=tokenizer)
    torch.manual_seed(3)
    ref = CLIPModel(A.tiny_config(text=dict(vocab_size=len(vocab), max_position_embeddings=40, bos_token_id=0,
                                            eos_token_id=1, pad_token_id=1))).eval()
    ours = CLIP.from_reference(ref)
    paths = []
    for i in range(3):
        path = tmp_path / f"image_{i}.png"
        Image.fromarray((np.random.default_rng(i).random((40, 50, 3)) * 255).astype(np.uint8)).save(path)
        paths.append(str(path))
    rows = A.zero_shot(ref, ours, processor, paths, ["cat", "dog", "car"])
    assert [r["image"] for r in rows] == paths
    for row in rows:
        ours_p, hf_p = np.array(list(row["ours"].values())), np.array(list(row["hf"].values()))
        assert abs(ours_p.sum() - 1) < 1e-5 and np.abs(ours_p - hf_p).max() < 1e-5
        assert np.ptp(ours_p) > 1e-4                                         # class마다 다른 문장 → 다른 확률
    with pytest.raises(DatasetUnavailable, match="이미지 파일이 없습니다"):
        A.zero_shot(ref, ours, processor, [str(tmp_path / "none.png")], ["cat"])
