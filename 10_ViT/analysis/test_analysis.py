"""L4 안내서(README.md)가 기대는 사실과 옮기기 parity를 확인한다.

각 테스트는 실패할 때 **어떤 라이브러리 사실이 바뀌었는지** 이름으로 말한다. 라이브러리를 올린 뒤 여기서
빨간 줄이 나오면, 메시지가 가리키는 안내서의 절을 다시 읽고 고치면 된다.
"""
import inspect
import re
from pathlib import Path

import pytest
import timm
import timm.layers as timm_layers
import timm.models.vision_transformer as timm_vit
import torch
import transformers
from timm.layers import resample_abs_pos_embed
from torch import nn
from transformers import ViTConfig, ViTForImageClassification, ViTModel
from transformers.models.vit import modeling_vit

from utils.gradcheck import F32_ATOL

from ..paper.vit import ViT
from . import vit_analysis as A

GUIDE = Path(__file__).with_name("README.md")
TINY = {"image_size": 20, "patch_size": 4, "dim": 24, "depth": 2, "heads": 3, "mlp_dim": 40, "num_classes": 5}


@pytest.fixture(scope="module")
def x20():
    return torch.randn(2, 3, 20, 20, generator=torch.Generator().manual_seed(0))


# ===========================================================================
# 1. 버전과 파일
# ===========================================================================
def test_guide_names_the_versions_it_was_read_from():
    text = GUIDE.read_text(encoding="utf-8")
    for library, version in A.READ_FROM.items():
        assert f"{library} {version}" in text, f"README.md가 {library} {version}을 밝혀야 한다"


def test_guide_line_numbers_point_at_the_named_definitions():
    """안내서의 줄 번호 표: timm `VisionTransformer` 749행, `forward_features` 1281행 …

    requirements.txt가 고정한 버전에서 맞는다."""
    installed = {"timm": timm.__version__, "transformers": transformers.__version__}
    assert installed == A.READ_FROM, (f"줄 번호는 {A.READ_FROM} 기준인데 {installed}이 설치되어 있다: "
                                      "requirements.txt의 고정 버전을 설치하거나, "
                                      "새 버전에 맞춰 안내서의 줄 번호를 고칠 것")
    checks = [(timm_vit.VisionTransformer, 749), (timm_vit.VisionTransformer.forward_features, 1281),
              (timm_vit.VisionTransformer.forward_head, 1329), (timm_vit.VisionTransformer._pos_embed, 1088),
              (timm_vit.Block, 166), (timm_vit.init_weights_vit_timm, 1355),
              (modeling_vit.ViTEmbeddings, 72), (modeling_vit.ViTAttention, 192), (modeling_vit.ViTLayer, 257),
              (modeling_vit.ViTModel, 335), (modeling_vit.ViTForImageClassification, 514)]
    for obj, line in checks:
        lines, start = inspect.getsourcelines(obj)                 # decorator가 있으면 그 줄부터
        offset = next(i for i, text in enumerate(lines) if text.lstrip().startswith(("class ", "def ")))
        assert start + offset == line, f"{obj.__qualname__}의 줄 번호가 {line}이 아니다 ({start + offset})"


# 안내서가 인용한 모든 줄: (라이브러리, 설치된 패키지 안의 경로) → {줄 번호: 그 줄에 있어야 할 글자}
CITED_LINES = {
    ("timm", "models/vision_transformer.py"): {
        166: "class Block(nn.Module)", 734: "x = x[:, 0]", 749: "class VisionTransformer(nn.Module)",
        757: "def __init__(", 839: "use_fc_norm = global_pool in ('avg', 'avgmax', 'max')",
        840: "get_norm_layer(norm_layer) or LayerNorm", 842: "or nn.GELU",
        918: "self.norm = norm_layer(embed_dim", 941: "self.fc_norm = norm_layer(embed_dim",
        959: "def init_weights(self", 1061: "def set_input_size(", 1088: "def _pos_embed(",
        1281: "def forward_features(", 1329: "def forward_head(", 1344: "def forward(",
        1355: "def init_weights_vit_timm(", 1373: "def init_weights_vit_jax(", 2030: "def _cfg(",
        2047: "default_cfgs = {", 3493: "def vit_base_patch16_224("},
    ("timm", "layers/attention.py"): {43: "class Attention(nn.Module)", 100: "self.fused_attn = use_fused_attn()",
                                      123: "if self.fused_attn:"},
    ("timm", "layers/mlp.py"): {14: "class Mlp(nn.Module)"},
    ("timm", "layers/norm.py"): {70: "class LayerNorm(nn.LayerNorm)"},
    ("timm", "layers/pos_embed.py"): {20: "def resample_abs_pos_embed(", 54: "F.interpolate(posemb, size=new_size"},
    ("transformers", "models/vit/modeling_vit.py"): {
        42: "class ViTPatchEmbeddings", 72: "class ViTEmbeddings", 89: "def interpolate_pos_encoding(",
        121: 'mode="bicubic"', 154: "doesn't match model", 164: "def eager_attention_forward(",
        192: "class ViTAttention", 202: "self.q_proj = nn.Linear(", 241: "class ViTMLP", 257: "class ViTLayer",
        266: "def forward(", 323: "def _init_weights(", 335: "class ViTModel", 514: "class ViTForImageClassification",
        545: "sequence_output[:, 0, :]"},
}
FILE_LENGTHS = {("timm", "models/vision_transformer.py"): 5308, ("transformers", "models/vit/modeling_vit.py"): 560}


def library_lines(library: str, path: str) -> list[str]:
    root = Path(timm.__file__ if library == "timm" else transformers.__file__).parent
    return (root / path).read_text(encoding="utf-8").splitlines()


def test_every_line_number_in_the_guide_is_checked():
    """안내서 본문의 "N행"은 모두 CITED_LINES에 있고, CITED_LINES의 줄은 모두 안내서에 있다."""
    cited = {int(n) for n in re.findall(r"(\d+)행", GUIDE.read_text(encoding="utf-8"))}
    checked = {n for lines in CITED_LINES.values() for n in lines}
    assert cited - checked == set(), f"안내서가 인용했지만 확인하지 않는 줄: {sorted(cited - checked)}"
    assert checked - cited == set(), f"확인하지만 안내서에 없는 줄: {sorted(checked - cited)}"


@pytest.mark.parametrize("library, path", sorted(CITED_LINES))
def test_cited_lines_hold_the_cited_code(library, path):
    installed = {"timm": timm.__version__, "transformers": transformers.__version__}
    assert installed[library] == A.READ_FROM[library], \
        f"줄 번호는 {library} {A.READ_FROM[library]} 기준인데 {installed[library]}이 설치되어 있다"
    lines = library_lines(library, path)
    for number, text in CITED_LINES[(library, path)].items():
        assert text in lines[number - 1], f"{path}:{number}에 {text!r}가 없다 (안내서의 줄 번호를 고칠 것)"


def test_file_lengths_in_the_guide():
    guide = GUIDE.read_text(encoding="utf-8")
    for (library, path), n in FILE_LENGTHS.items():
        assert len(library_lines(library, path)) == n, f"{path}는 {n}줄이 아니다"
        assert f"({n}줄)" in guide, f"안내서에 {path}의 길이 {n}줄이 없다"


def test_resample_abs_pos_embed_defaults_are_bicubic_with_antialias():
    sig = inspect.signature(resample_abs_pos_embed).parameters
    assert (sig["interpolation"].default, sig["antialias"].default) == ("bicubic", True), \
        "timm resample_abs_pos_embed의 기본 보간 (안내서 4)"


# ===========================================================================
# 2. timm 사실
# ===========================================================================
def test_timm_vit_defaults_are_vit_b16_with_eps_1e6_and_token_pool():
    sig = inspect.signature(timm_vit.VisionTransformer.__init__).parameters
    defaults = {k: sig[k].default for k in ("img_size", "patch_size", "embed_dim", "depth", "num_heads", "mlp_ratio",
                                             "qkv_bias", "global_pool", "class_token", "no_embed_class")}
    assert defaults == {"img_size": 224, "patch_size": 16, "embed_dim": 768, "depth": 12, "num_heads": 12,
                        "mlp_ratio": 4.0, "qkv_bias": True, "global_pool": "token", "class_token": True,
                        "no_embed_class": False}, "timm VisionTransformer 기본 인자 (안내서 2.1)"
    assert inspect.signature(timm_layers.LayerNorm.__init__).parameters["eps"].default == 1e-6, \
        "timm LayerNorm의 기본 ε는 1e-6 (안내서 2.1)"
    model = A.build_timm(TINY)
    assert all(m.eps == 1e-6 for m in model.modules() if isinstance(m, nn.LayerNorm))


def test_timm_attention_is_one_fused_qkv_linear():
    model = A.build_timm(TINY)
    attn = model.blocks[0].attn
    assert isinstance(attn.qkv, nn.Linear) and attn.qkv.weight.shape == (3 * 24, 24), "timm: qkv 하나 (3D, D)"
    assert not hasattr(attn, "q_proj") and isinstance(attn.proj, nn.Linear)


def test_timm_patch_embed_is_a_stride_p_conv():
    proj = A.build_timm(TINY).patch_embed.proj
    assert isinstance(proj, nn.Conv2d) and proj.kernel_size == (4, 4) and proj.stride == (4, 4), \
        "timm PatchEmbed: kernel = stride = P인 Conv2d (안내서 2.2)"


def test_timm_avg_pool_moves_the_final_norm_after_pooling():
    token, avg = A.build_timm(TINY), timm_vit.VisionTransformer(img_size=20, patch_size=4, embed_dim=24, depth=1,
                                                                num_heads=3, global_pool="avg")
    assert isinstance(token.norm, nn.LayerNorm) and isinstance(token.fc_norm, nn.Identity)
    assert isinstance(avg.norm, nn.Identity) and isinstance(avg.fc_norm, nn.LayerNorm), \
        "global_pool='avg'면 마지막 LayerNorm이 pooling 뒤(fc_norm)로 (안내서 2.3)"


def test_timm_forward_is_forward_features_then_forward_head(x20):
    model = A.randomize_(A.build_timm(TINY)).eval()
    with torch.no_grad():
        features = model.forward_features(x20)
        assert features.shape == (2, 26, 24), "forward_features: 모든 token (B, 1+N, D), 마지막 LN 뒤"
        pre = model.forward_head(features, pre_logits=True)
        assert pre.shape == (2, 24)
        torch.testing.assert_close(model.forward_head(features), model(x20), rtol=0, atol=0)
        torch.testing.assert_close(pre, features[:, 0], rtol=0, atol=0)


def test_timm_init_is_trunc_normal_002_and_cls_1e6():
    torch.manual_seed(0)
    model = timm_vit.VisionTransformer(img_size=64, patch_size=8, embed_dim=192, depth=1, num_heads=3)
    assert abs(float(model.blocks[0].attn.qkv.weight.detach().std()) - 0.02) < 0.001, "Linear: trunc_normal_(std=.02)"
    assert float(model.cls_token.detach().abs().max()) < 1e-5, "cls_token: normal_(std=1e-6)"
    assert torch.count_nonzero(model.blocks[0].mlp.fc1.bias) == 0


def test_timm_pretrained_cfg_carries_the_preprocessing():
    from timm.data import resolve_model_data_config

    with torch.device("meta"):
        model = timm.create_model("vit_base_patch16_224", pretrained=False)
    cfg = model.pretrained_cfg
    assert cfg["tag"] == "augreg2_in21k_ft_in1k", "기본 tag (안내서 2.5)"
    data = resolve_model_data_config(model)
    assert data["mean"] == (0.5, 0.5, 0.5) and data["std"] == (0.5, 0.5, 0.5), "ImageNet이 아닌 Inception 평균·표준편차"
    assert data["crop_pct"] == 0.9 and data["interpolation"] == "bicubic" and data["input_size"] == (3, 224, 224)
    assert tuple(A.INCEPTION_MEAN) == data["mean"]


def test_timm_transform_resizes_to_248_then_crops_224():
    from timm.data import create_transform, resolve_model_data_config

    with torch.device("meta"):
        model = timm.create_model("vit_base_patch16_224", pretrained=False)
    text = str(create_transform(**resolve_model_data_config(model)))
    assert "Resize(size=248" in text and "CenterCrop(size=(224, 224))" in text, "224 / 0.9 = 248.9 → 248"


# ===========================================================================
# 3. HF 사실
# ===========================================================================
def test_hf_config_defaults_eps_1e12_and_exact_gelu():
    c = ViTConfig()
    assert (c.layer_norm_eps, c.hidden_act, c.qkv_bias, c.image_size, c.patch_size, c.hidden_size) == \
        (1e-12, "gelu", True, 224, 16, 768), "HF ViTConfig 기본값 (안내서 3.1)"


def test_hf_attention_has_separate_q_k_v_projections():
    model = ViTForImageClassification(A.hf_config(TINY))
    attn = model.vit.layers[0].attention
    for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
        assert isinstance(getattr(attn, name), nn.Linear), f"HF ViTAttention.{name} (transformers 5 이름)"
    assert not hasattr(attn, "qkv")


def test_hf_classifier_has_no_pooler_but_vitmodel_has_one():
    cfg = A.hf_config(TINY)
    assert ViTForImageClassification(cfg).vit.pooler is None, "분류 모델은 add_pooling_layer=False"
    pooler = ViTModel(cfg).pooler
    assert isinstance(pooler.dense, nn.Linear) and pooler.dense.out_features == 24, "ViTModel: Dense + tanh pooler"


def test_hf_refuses_a_new_resolution_unless_asked_to_interpolate():
    model = ViTForImageClassification(A.hf_config(TINY)).eval()
    with pytest.raises(ValueError, match="doesn't match model"):
        model(torch.zeros(1, 3, 28, 28))
    assert model(torch.zeros(1, 3, 28, 28), interpolate_pos_encoding=True).logits.shape == (1, 5)


def test_timm_and_hf_interpolate_position_embeddings_differently():
    """timm: bicubic + antialias=True (PIL식, a = −0.5), HF: bicubic, antialias 없음 (a = −0.75)."""
    torch.manual_seed(0)
    hf = A.randomize_(ViTForImageClassification(A.hf_config(TINY))).eval()
    pe = hf.vit.embeddings.position_embeddings.detach()
    timm_up = resample_abs_pos_embed(pe, [7, 7], num_prefix_tokens=1)
    hf_up = hf.vit.embeddings.interpolate_pos_encoding(torch.zeros(1, 50, 24), 28, 28).detach()
    assert float((timm_up - hf_up).abs().max()) > 1e-2, "두 라이브러리의 E_pos 보간이 같아졌다 (안내서 4)"


# ===========================================================================
# 4. 옮기기: 세 구현이 같은 함수
# ===========================================================================
def test_key_table_accounts_for_every_key_of_all_three_models():
    ours = ViT(**TINY)
    table = A.key_table(ours)
    assert sum(n for *_, n in table) == len(ours.state_dict()) == len(A.build_timm(TINY).state_dict())
    hf_keys = {k for k, _ in A.hf_to_ours_keys(ours)}
    assert hf_keys == set(ViTForImageClassification(A.hf_config(TINY)).state_dict()), "HF key 전부를 한 번씩"
    assert len(hf_keys) - len(ours.state_dict()) == 4 * TINY["depth"], "q/k/v 셋 → qkv 하나: 층마다 key 4개 차이"


def test_round_trip_timm_ours_hf_ours_timm_keeps_the_function(x20):
    torch.manual_seed(0)
    start = A.randomize_(A.build_timm(TINY)).eval()
    diffs = A.round_trip(start, x20)
    assert set(diffs) == {"timm→ours", "ours→hf", "hf→ours", "ours→timm"}
    assert max(diffs.values()) <= F32_ATOL, diffs


def test_eps_must_travel_a_port_with_the_wrong_eps_differs(x20):
    torch.manual_seed(0)
    start = A.randomize_(A.build_timm(TINY)).eval()
    ours = ViT.from_reference(start).eval()
    hf = A.ours_to_hf(ours)
    assert hf.config.layer_norm_eps == 1e-6, "ours_to_hf는 ε를 config에 싣는다"
    wrong = ViTForImageClassification(A.hf_config(TINY, eps=0.3))
    wrong.load_state_dict(hf.state_dict())
    assert A.max_abs_diff(start, wrong.eval(), x20) > 100 * F32_ATOL


def test_rollout_from_all_three_libraries_is_the_same(x20):
    torch.manual_seed(0)
    start = A.randomize_(A.build_timm(TINY)).eval()
    ours = ViT.from_reference(start).eval()
    hf = A.ours_to_hf(ours)
    maps = [ours.attention_maps(x20), A.timm_attentions(start, x20), A.hf_attentions(hf, x20)]
    assert all(len(m) == 2 and m[0].shape == (2, 3, 26, 26) for m in maps)
    for other in maps[1:]:
        for a, b in zip(maps[0], other):
            torch.testing.assert_close(a, b, rtol=0, atol=F32_ATOL)
    assert all(b.attn.fused_attn == timm_layers.use_fused_attn() for b in start.blocks), "hook 뒤 원래대로"


def test_timm_fused_attention_hides_the_attention_probabilities(x20):
    """fused_attn=True면 F.scaled_dot_product_attention 안에서 계산되어 attn_drop이 불리지 않는다 (안내서 6)."""
    model = A.build_timm(TINY).eval()
    assert timm_layers.use_fused_attn() is True and model.blocks[0].attn.fused_attn is True, \
        "timm의 기본 fused_attn은 True (안내서 6, attention.py 100행)"
    calls = []
    model.blocks[0].attn.attn_drop.register_forward_hook(lambda *a: calls.append(1))
    model.blocks[0].attn.fused_attn = True
    model(x20)
    assert calls == []
    model.blocks[0].attn.fused_attn = False
    model(x20)
    assert calls == [1]


# ===========================================================================
# 5. 스크립트
# ===========================================================================
def test_input_loading_and_errors():
    x = A.load_input("sample_images", 32, 3, 0)
    assert x.shape == (3, 3, 32, 32) and -1.0 - 1e-6 <= float(x.min()) and float(x.max()) <= 1.0 + 1e-6
    torch.testing.assert_close(x[2], x[0])
    with pytest.raises(ValueError, match="16 이상"):
        A.load_input("synthetic", 8, 1, 0)
    with pytest.raises(ValueError, match="data는"):
        A.load_input("imagenet", 32, 1, 0)


def test_main_quick_runs_and_reports(tmp_path, capsys):
    result = A.main(["--quick", "--out", str(tmp_path)])
    for key in ("model", "level", "data", "metric", "value", "seconds"):
        assert key in result
    assert result["level"] == "analysis" and 0 <= result["value"] <= F32_ATOL
    assert result["rollout_max_diff"] <= F32_ATOL
    assert result["n_state_keys"] == {"ours": 32, "timm": 32, "hf": 40}, "2층: 4 + 12·2 + 4 (HF는 층마다 +4)"
    assert all(Path(p).is_file() for p in result["plots"])
    out = capsys.readouterr().out
    assert "q_proj.weight + " in out
    assert out.strip().splitlines()[-1] == A.QUICK_NOTE, "quick run의 마지막 줄은 smoke run 안내"
    assert "smoke run" in A.QUICK_NOTE and "**6.6e-05** (logits 최대 9.27" in \
        (GUIDE.parent.parent / "README.md").read_text(encoding="utf-8"), "QUICK_NOTE가 인용하는 값이 장 README에 있다"


def test_pretrained_without_network_ends_with_one_sentence(monkeypatch, tmp_path):
    from utils.core import DatasetUnavailable

    def offline(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(timm, "create_model", offline)
    with pytest.raises(DatasetUnavailable, match="--pretrained 없이"):
        A.main(["--pretrained", "--quick", "--out", str(tmp_path)])


def test_cli_without_weights_exits_2_with_one_line(monkeypatch, tmp_path, capsys):
    """--pretrained (네트워크 없음)와 없는 --checkpoint 파일: traceback 없이 한 줄, exit code 2."""
    from utils.cli import cli

    def offline(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(timm, "create_model", offline)
    for argv in (["--pretrained"], ["--checkpoint", str(tmp_path / "missing.safetensors")]):
        with pytest.raises(SystemExit) as exit_info:
            cli(lambda argv=argv: A.main([*argv, "--out", str(tmp_path)]))
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("오류: ") and err.count("\n") == 1 and "Traceback" not in err, err

