"""L4 검증: 안내서(README.md)가 기대는 torchvision·timm의 구조적 사실, 가중치 옮기기의 parity, 잘못된 입력, 실행.

안내서는 torchvision 0.29.1과 timm 1.0.31의 설치된 소스를 읽고 썼다. 라이브러리를 올렸을 때 이 사실 중 하나가
바뀌면, 어느 사실이 바뀌었는지 assert 메시지가 말한다 — 그러면 안내서의 그 부분을 다시 읽고 고친다.
테스트가 라이브러리 버전 자체를 고정하지는 않는다 (requirements.txt는 범위만 지정한다).
"""
import inspect
import math
import re
from functools import partial
from pathlib import Path

import pytest
import timm
import timm.models
import timm.models.resnet as timm_resnet
import torch
import torchvision.models.resnet as tv_resnet
from torch import nn

from utils.gradcheck import F32_ATOL

from ..paper import resnet
from . import resnet_analysis as A

GUIDE = Path(__file__).with_name("README.md")
BASIC = {"block": "basic", "layers": (2, 2, 2, 2), "num_classes": 1000}
BOTTLENECK = {"block": "bottleneck", "layers": (3, 4, 6, 3), "num_classes": 1000}
TINY = {"basic": {"block": "basic", "layers": (1, 1, 1, 1), "num_classes": 10},
        "bottleneck": {"block": "bottleneck", "layers": (1, 1, 1, 1), "num_classes": 10}}


def defaults(function) -> dict:
    return {name: p.default for name, p in inspect.signature(function).parameters.items()
            if p.default is not inspect.Parameter.empty}


def child_names(module) -> list[str]:
    return [name for name, _ in module.named_children()]


def n_params(model) -> int:
    return sum(p.numel() for p in model.parameters())


@pytest.fixture(scope="module")
def tv50():
    torch.manual_seed(0)
    return A.build_torchvision(BOTTLENECK).eval()


@pytest.fixture(scope="module")
def tv18():
    torch.manual_seed(0)
    return A.build_torchvision(BASIC).eval()


@pytest.fixture(scope="module")
def timm50():
    torch.manual_seed(0)
    return A.build_timm(BOTTLENECK).eval()


@pytest.fixture(scope="module")
def x64():
    return torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))


# ===========================================================================
# torchvision/models/resnet.py
# ===========================================================================
def test_torchvision_resnet_constructor_defaults():
    expected = {"num_classes": 1000, "zero_init_residual": False, "groups": 1, "width_per_group": 64,
                "replace_stride_with_dilation": None, "norm_layer": None}
    assert defaults(tv_resnet.ResNet.__init__) == expected, "torchvision ResNet.__init__의 기본 인자가 바뀌었다"


def test_torchvision_block_expansion():
    assert tv_resnet.BasicBlock.expansion == 1, "torchvision BasicBlock.expansion == 1"
    assert tv_resnet.Bottleneck.expansion == 4, "torchvision Bottleneck.expansion == 4 (출력 channel = planes·4)"


@pytest.mark.parametrize("arch", list(A.ARCHS))
def test_torchvision_factories_pass_table_1_depths(monkeypatch, arch):
    """resnet18 … resnet152 공장 함수는 `_resnet(block, layers, weights, progress)`를 부른다 (모델은 만들지 않는다)."""
    calls = []
    monkeypatch.setattr(tv_resnet, "_resnet", lambda block, layers, weights, progress, **kw: calls.append(
        (block, list(layers), weights, kw)))
    getattr(tv_resnet, arch)()
    block, layers = A.ARCHS[arch]
    expected_block = tv_resnet.Bottleneck if block == "bottleneck" else tv_resnet.BasicBlock
    assert calls == [(expected_block, list(layers), None, {})], f"torchvision {arch}의 block·layers 또는 기본 weights"


def test_torchvision_legacy_pretrained_true_means_the_v1_weights(monkeypatch):
    """`handle_legacy_interface`: 옛 인자 pretrained=True는 DEFAULT(V2)가 아니라 IMAGENET1K_V1 (내려받지 않음)."""
    calls = []
    monkeypatch.setattr(tv_resnet, "_resnet", lambda block, layers, weights, progress, **kw: calls.append(weights))
    with pytest.warns(UserWarning, match="deprecated"):
        tv_resnet.resnet50(pretrained=True)
    assert calls == [tv_resnet.ResNet50_Weights.IMAGENET1K_V1], "resnet50(pretrained=True) → IMAGENET1K_V1"


def test_torchvision_module_tree(tv50, tv18):
    top = ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"]
    assert child_names(tv50) == top, "torchvision ResNet의 최상위 module 이름·순서"
    assert child_names(tv50.layer1[0]) == ["conv1", "bn1", "conv2", "bn2", "conv3", "bn3", "relu", "downsample"], \
        "torchvision Bottleneck의 module: relu 하나를 세 번 쓴다"
    assert child_names(tv18.layer2[0]) == ["conv1", "bn1", "relu", "conv2", "bn2", "downsample"], \
        "torchvision BasicBlock의 module"
    assert [type(m) for m in tv50.layer2[0].downsample] == [nn.Conv2d, nn.BatchNorm2d], "downsample = [1×1 conv, BN]"
    assert isinstance(tv50.layer1, nn.Sequential), "layerN은 nn.Sequential (block은 정수 index: layer3.5.conv2)"


def test_torchvision_stem_and_head(tv50):
    conv = tv50.conv1
    assert (conv.kernel_size, conv.stride, conv.padding, conv.bias) == ((7, 7), (2, 2), (3, 3), None), \
        "stem: 7×7 conv, stride 2, padding 3, bias 없음 (BN이 뒤따른다)"
    pool = tv50.maxpool
    assert (pool.kernel_size, pool.stride, pool.padding) == (3, 2, 1), "stem max-pool 3×3, stride 2, padding 1"
    assert isinstance(tv50.avgpool, nn.AdaptiveAvgPool2d) and tv50.avgpool.output_size == (1, 1), \
        "head: AdaptiveAvgPool2d((1, 1)) — 입력 크기와 상관없이 (B, C, 1, 1)"
    assert (tv50.fc.in_features, tv50.fc.out_features) == (2048, 1000), "fc = Linear(512·expansion, num_classes)"
    assert all(m.bias is None for m in tv50.modules() if isinstance(m, nn.Conv2d)), "모든 conv에 bias가 없다"


def test_torchvision_stride_sits_on_the_3x3_conv_v1_5(tv50, tv18):
    for stage in (2, 3, 4):
        first = getattr(tv50, f"layer{stage}")[0]
        assert (first.conv1.stride, first.conv2.stride) == ((1, 1), (2, 2)), \
            f"v1.5: layer{stage}.0의 stride 2는 1×1 conv1이 아니라 3×3 conv2에 있다"
        assert (first.downsample[0].kernel_size, first.downsample[0].stride) == ((1, 1), (2, 2)), \
            f"layer{stage}.0.downsample.0 = 1×1 conv, stride 2 (식 (2)의 W_s)"
        assert getattr(tv18, f"layer{stage}")[0].conv1.stride == (2, 2), "BasicBlock은 첫 3×3 conv1에 stride"
    strided = sorted(name for name, m in tv50.named_modules() if isinstance(m, nn.Conv2d) and m.stride != (1, 1))
    assert strided == ["conv1", "layer2.0.conv2", "layer2.0.downsample.0", "layer3.0.conv2",
                       "layer3.0.downsample.0", "layer4.0.conv2", "layer4.0.downsample.0"], "stride 2인 conv 전체 목록"


def test_torchvision_projection_shortcut_only_where_the_shape_changes(tv50, tv18):
    with_downsample = sorted(name for name, m in tv50.named_modules()
                             if isinstance(m, tv_resnet.Bottleneck) and m.downsample is not None)
    assert with_downsample == ["layer1.0", "layer2.0", "layer3.0", "layer4.0"], \
        "Bottleneck: 각 stage의 첫 block에만 downsample (layer1.0은 64 → 256 channel이라 stride 1인 projection)"
    assert tv50.layer1[0].downsample[0].stride == (1, 1)
    assert tv18.layer1[0].downsample is None, "BasicBlock의 layer1.0은 64 → 64라 identity shortcut (식 (1))"


def test_torchvision_init_kaiming_fan_out_and_bn_constants():
    torch.manual_seed(0)
    model = A.build_torchvision(BOTTLENECK)
    weight = model.layer4[0].conv3.weight                       # (2048, 512, 1, 1): fan_out 2048 ≠ fan_in 512
    fan_out = weight.shape[0] * weight.shape[2] * weight.shape[3]
    assert abs(float(weight.detach().std()) / math.sqrt(2.0 / fan_out) - 1) < 0.02, \
        "conv 초기화: kaiming_normal_(mode='fan_out', nonlinearity='relu') → std = sqrt(2 / fan_out)"
    for name, m in model.named_modules():
        if isinstance(m, nn.BatchNorm2d):
            assert torch.all(m.weight == 1) and torch.all(m.bias == 0), f"{name}: BN 초기값 weight 1, bias 0"
    bound = 1 / math.sqrt(model.fc.in_features)
    assert float(model.fc.weight.detach().abs().max()) <= bound, "fc는 nn.Linear 기본 초기화 U(−1/√in, 1/√in) 그대로"


@pytest.mark.parametrize("zero_init", [False, True])
def test_torchvision_zero_init_residual(zero_init):
    torch.manual_seed(0)
    model = tv_resnet.ResNet(tv_resnet.Bottleneck, [1, 2, 1, 1], num_classes=10, zero_init_residual=zero_init).eval()
    last_bn = [m.bn3.weight for m in model.modules() if isinstance(m, tv_resnet.Bottleneck)]
    assert all(torch.all(w == (0 if zero_init else 1)) for w in last_bn), \
        f"zero_init_residual={zero_init}: 각 Bottleneck의 bn3.weight가 {0 if zero_init else 1}"
    x = torch.rand(2, 256, 8, 8) + 0.1                          # block 입력은 ReLU 뒤라 음수가 없다
    with torch.no_grad():
        out = model.layer2[1](torch.cat([x, x], dim=1))        # layer2.1: 512 → 512, downsample 없음
    is_identity = torch.allclose(out, torch.cat([x, x], dim=1))
    assert is_identity == zero_init, "zero_init_residual=True이면 residual branch가 0이라 block이 항등 함수"


def test_torchvision_parameter_counts_match_weights_meta(tv18, tv50):
    assert n_params(tv18) == tv_resnet.ResNet18_Weights.IMAGENET1K_V1.meta["num_params"] == 11_689_512
    assert n_params(tv50) == tv_resnet.ResNet50_Weights.IMAGENET1K_V1.meta["num_params"] == 25_557_032


def test_torchvision_resnet50_default_weights_are_v2():
    weights = tv_resnet.ResNet50_Weights
    assert weights.DEFAULT is weights.IMAGENET1K_V2, "weights='DEFAULT'는 새 학습 방법의 IMAGENET1K_V2"
    assert weights.IMAGENET1K_V1.meta["_metrics"]["ImageNet-1K"]["acc@1"] == 76.130
    assert weights.IMAGENET1K_V2.meta["_metrics"]["ImageNet-1K"]["acc@1"] == 80.858


def test_torchvision_block_relu_is_one_module_called_several_times(tv50, tv18, x64):
    assert A.count_calls(tv50, "layer1.0.relu", x64) == 3, "Bottleneck의 relu module 하나가 forward에서 세 번 불린다"
    assert A.count_calls(tv18, "layer1.0.relu", x64) == 2, "BasicBlock의 relu는 두 번"
    assert A.count_calls(tv50, "relu", x64) == 1, "최상위 relu는 stem에서 한 번만"


def test_fx_feature_extraction_names_each_relu_call(tv18):
    """hook은 module 단위라 relu의 두 호출을 구별하지 못하지만, torch.fx graph는 호출마다 node를 만든다."""
    from torchvision.models.feature_extraction import get_graph_node_names

    _, eval_nodes = get_graph_node_names(tv18)
    block = [n for n in eval_nodes if n.startswith("layer1.0.")]
    assert block == ["layer1.0.conv1", "layer1.0.bn1", "layer1.0.relu", "layer1.0.conv2", "layer1.0.bn2",
                     "layer1.0.add", "layer1.0.relu_1"], "FX node 이름: 두 번째 relu 호출은 relu_1, 덧셈은 add"


def test_inplace_relu_overwrites_a_hooked_bn_output(tv18, x64):
    model = A.randomize_batchnorm_(A.build_torchvision(BASIC), seed=1)
    assert model.relu.inplace, "torchvision의 ReLU는 inplace=True"
    kept = A.capture_features(model, x64, names=("bn1",), clone=False)["bn1"]
    copied = A.capture_features(model, x64, names=("bn1",), clone=True)["bn1"]
    assert float(kept.min()) >= 0 > float(copied.min()), \
        "clone하지 않은 hook 출력은 다음 inplace ReLU가 덮어써서 음수가 사라진다"


# ===========================================================================
# timm/models/resnet.py
# ===========================================================================
def test_timm_resnet_constructor_defaults():
    found = defaults(timm_resnet.ResNet.__init__)
    expected = {"num_classes": 1000, "in_chans": 3, "output_stride": 32, "global_pool": "avg", "cardinality": 1,
                "base_width": 64, "stem_width": 64, "stem_type": "", "replace_stem_pool": False,
                "block_reduce_first": 1, "down_kernel_size": 1, "avg_down": False, "channels": (64, 128, 256, 512),
                "act_layer": nn.ReLU, "norm_layer": nn.BatchNorm2d, "aa_layer": None, "drop_rate": 0.0,
                "drop_path_rate": 0.0, "drop_block_rate": 0.0, "zero_init_last": True, "block_args": None}
    for name, value in expected.items():
        assert found.get(name, "(없음)") == value, f"timm ResNet.__init__의 기본 {name}={value!r}"


@pytest.mark.parametrize("arch", [*A.ARCHS, "resnet50d"])
def test_timm_factories_use_the_same_depths(monkeypatch, arch):
    calls = []
    monkeypatch.setattr(timm_resnet, "_create_resnet", lambda variant, pretrained=False, **kw: calls.append(
        (variant, pretrained, kw)))
    getattr(timm_resnet, arch)()
    (variant, pretrained, kwargs), = calls
    assert (variant, pretrained) == (arch, False), "timm 공장 함수는 pretrained=False가 기본"
    if arch == "resnet50d":
        assert (kwargs["stem_type"], kwargs["stem_width"], kwargs["avg_down"]) == ("deep", 32, True), \
            "resnet50d = deep stem(3×3 conv 셋, 폭 32) + avg_down (Bag of Tricks의 ResNet-D)"
        return
    block, layers = A.ARCHS[arch]
    expected_block = timm_resnet.Bottleneck if block == "bottleneck" else timm_resnet.BasicBlock
    assert kwargs == {"block": expected_block, "layers": layers}, f"timm {arch}: torchvision과 같은 block·layers"


@pytest.mark.parametrize("config", [BASIC, BOTTLENECK], ids=["resnet18", "resnet50"])
def test_timm_state_dict_names_and_shapes_equal_torchvisions(config):
    torch.manual_seed(0)
    tv_state = A.build_torchvision(config).state_dict()
    timm_state = A.build_timm(config).state_dict()
    assert list(timm_state) == list(tv_state), "timm과 torchvision의 state_dict key가 순서까지 같다"
    assert all(timm_state[k].shape == v.shape for k, v in tv_state.items()), "key마다 shape가 같다"


def test_timm_module_names_differ_only_where_there_are_no_parameters(tv50, timm50):
    only_tv, only_timm = ({re.sub(r"^layer\d+\.\d+\.", "layer*.*.", n) for n in names}
                          for names in A.module_name_differences(tv50, timm50))
    assert only_tv == {"relu", "avgpool", "layer*.*.relu"}, "torchvision에만 있는 module 이름"
    assert only_timm == {"act1", "global_pool", "global_pool.pool", "global_pool.flatten", "layer*.*.act1",
                         "layer*.*.act2", "layer*.*.act3", "layer*.*.drop_block", "layer*.*.aa"}, \
        "timm에만 있는 module 이름 (모두 parameter가 없다)"
    assert isinstance(timm50.layer1[0].drop_block, nn.Identity) and isinstance(timm50.layer1[0].aa, nn.Identity)
    assert timm50.layer1[0].se is None and timm50.layer1[0].drop_path is None, "기본 timm block: se·drop_path 없음"


def test_timm_zero_init_last_is_on_by_default(timm50):
    last_bn = [m.bn3.weight for m in timm50.modules() if isinstance(m, timm_resnet.Bottleneck)]
    assert len(last_bn) == 16 and all(torch.all(w == 0) for w in last_bn), \
        "timm ResNet(zero_init_last=True 기본): 모든 Bottleneck의 bn3.weight가 0"
    torch.manual_seed(0)
    basic = A.build_timm(TINY["basic"])
    assert all(torch.all(m.bn2.weight == 0) for m in basic.modules() if isinstance(m, timm_resnet.BasicBlock)), \
        "BasicBlock은 bn2.weight가 0"
    off = timm_resnet.ResNet(timm_resnet.Bottleneck, (1, 1, 1, 1), num_classes=10, zero_init_last=False)
    assert all(torch.all(m.bn3.weight == 1) for m in off.modules() if isinstance(m, timm_resnet.Bottleneck))


def test_timm_computes_what_torchvision_computes(tv50, timm50):
    A.check_same_computation(tv50, timm50)                     # 같은 stride 위치, padding, eps, pooling, ReLU
    assert (timm50.layer2[0].conv1.stride, timm50.layer2[0].conv2.stride) == ((1, 1), (2, 2)), \
        "timm 기본 ResNet도 v1.5 (stride가 3×3 conv2에) — docstring의 'b' 변형"
    assert timm50.global_pool.pool_type == "avg"


def test_timm_forward_features_and_head_split(timm50, x64):
    with torch.no_grad():
        features = timm50.forward_features(x64)
        pooled = timm50.forward_head(features, pre_logits=True)
        logits = timm50(x64)
    assert features.shape == (2, 2048, 2, 2), "forward_features: (B, 2048, H/32, W/32)"
    assert pooled.shape == (2, 2048), "forward_head(pre_logits=True): global pool 뒤 flatten, fc 앞"
    torch.testing.assert_close(logits, timm50.fc(pooled), rtol=0, atol=0)


def test_timm_features_only_wraps_the_stages_with_feature_info():
    torch.manual_seed(0)
    model = timm.create_model("resnet18", features_only=True)
    assert type(model).__name__ == "FeatureListNet"
    info = model.feature_info
    assert info.module_name() == ["act1", "layer1", "layer2", "layer3", "layer4"], \
        "timm feature_info: 첫 feature는 maxpool 앞의 act1 (1/2 해상도)"
    assert info.reduction() == [2, 4, 8, 16, 32] and info.channels() == [64, 64, 128, 256, 512]


def test_timm_default_pretrained_tag_is_not_the_torchvision_weights():
    assert timm.models.get_pretrained_cfg("resnet50").tag == "a1_in1k", \
        "timm.create_model('resnet50', pretrained=True)는 ResNet Strikes Back의 a1_in1k 가중치"
    assert timm.models.get_pretrained_cfg("resnet50.tv_in1k").url == tv_resnet.ResNet50_Weights.IMAGENET1K_V1.url, \
        "resnet50.tv_in1k는 torchvision IMAGENET1K_V1과 같은 파일"


# ===========================================================================
# 가중치 옮기기 (resnet_analysis.port_weights)
# ===========================================================================
@pytest.mark.parametrize("block", ["basic", "bottleneck"])
def test_torchvision_to_timm_and_back_is_the_same_function(block, x64):
    torch.manual_seed(0)
    tv = A.randomize_batchnorm_(A.build_torchvision(TINY[block]), seed=2)
    timm_model, mapping = A.torchvision_to_timm(tv)
    tv_back, _ = A.timm_to_torchvision(timm_model)
    assert [s for s, _, _ in mapping] == list(tv.state_dict()) == [t for _, t, _ in mapping], "모든 key를 한 번씩"
    assert A.max_abs_diff(tv, timm_model, x64) <= F32_ATOL
    assert A.max_abs_diff(timm_model, tv_back, x64) <= F32_ATOL
    for key, value in tv.state_dict().items():
        assert torch.equal(tv_back.state_dict()[key], value), f"왕복한 {key}가 비트 단위로 같다"


def test_port_moves_batchnorm_statistics(x64):
    """BN의 running 통계(buffer)를 빼먹으면 평가 모드 출력이 달라진다 — 그래서 buffer도 key map에 있다."""
    torch.manual_seed(0)
    tv = A.randomize_batchnorm_(A.build_torchvision(TINY["basic"]), seed=3)
    timm_model = A.build_timm(TINY["basic"])
    params_only = {k: v for k, v in tv.state_dict().items() if "running" not in k}
    timm_model.load_state_dict(params_only, strict=False)
    assert A.max_abs_diff(tv, timm_model, x64) > 1e-2, "running 통계 없이 옮기면 다른 함수"
    A.port_weights(tv, timm_model)
    assert A.max_abs_diff(tv, timm_model, x64) <= F32_ATOL


def test_full_resnet50_port_chain_torchvision_timm_paper(x64):
    torch.manual_seed(0)
    tv = A.randomize_batchnorm_(A.build_torchvision(BOTTLENECK), seed=4).eval()
    timm_model, mapping = A.torchvision_to_timm(tv)
    ours = resnet.ResNet.from_reference(timm_model)
    tv_again = A.build_torchvision(A.resnet_config(ours))
    A.port_weights(ours, tv_again)
    assert len(mapping) == len(tv.state_dict()) == 320, "ResNet-50의 state_dict key 320개 (parameter 161 + buffer)"
    assert n_params(tv) == n_params(timm_model) == n_params(ours) == n_params(tv_again) == 25_557_032
    with torch.no_grad():
        reference = tv(x64)
        assert float(reference.abs().max()) > 0.1, "출력이 0 근처면 비교가 의미 없다"
        for name, model in (("timm", timm_model), ("paper", ours), ("torchvision(왕복)", tv_again)):
            diff = float((model.eval()(x64) - reference).abs().max())
            assert diff <= F32_ATOL, f"{name}: 최대 절대 차이 {diff:.2e}"


def test_paper_model_from_reference_accepts_torchvision_and_timm(x64):
    torch.manual_seed(0)
    tv = A.randomize_batchnorm_(A.build_torchvision(BASIC), seed=5).eval()
    timm_model, _ = A.torchvision_to_timm(tv)
    for source in (tv, timm_model):
        ours = resnet.ResNet.from_reference(source).eval()
        assert A.resnet_config(ours) == BASIC
        assert A.max_abs_diff(source, ours, x64) <= F32_ATOL
        assert list(ours.state_dict()) == list(tv.state_dict()), "L3도 torchvision과 같은 key 이름"


def test_feature_maps_through_hooks_agree_across_libraries(x64):
    torch.manual_seed(0)
    tv = A.randomize_batchnorm_(A.build_torchvision(TINY["bottleneck"]), seed=6).eval()
    timm_model, _ = A.torchvision_to_timm(tv)
    a, b = A.capture_features(tv, x64), A.capture_features(timm_model, x64)
    assert {k: tuple(v.shape) for k, v in a.items()} == {
        "maxpool": (2, 64, 16, 16), "layer1": (2, 256, 16, 16), "layer2": (2, 512, 8, 8),
        "layer3": (2, 1024, 4, 4), "layer4": (2, 2048, 2, 2)}, "stage별 출력: 1/4, 1/4, 1/8, 1/16, 1/32 해상도"
    for stage in A.STAGES:
        assert float((a[stage] - b[stage]).abs().max()) <= F32_ATOL, stage
    assert all(not m._forward_hooks for m in tv.modules()), "capture_features는 끝나면 hook을 지운다"


# ---- 옮길 수 없는 모델: 무엇이 어긋났는지 이름으로 말하는 오류 ----
def test_port_refuses_a_non_resnet():
    with pytest.raises(ValueError, match=r"ResNet 구조가 아닙니다.*layer1"):
        A.resnet_config(nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU()))
    with pytest.raises(TypeError, match="nn.Module"):
        A.resnet_config({"conv1.weight": torch.zeros(1)})


def test_port_refuses_a_different_depth():
    torch.manual_seed(0)
    source = A.build_torchvision({"block": "basic", "layers": (1, 1, 1, 1), "num_classes": 10})
    target = A.build_timm({"block": "basic", "layers": (1, 2, 1, 1), "num_classes": 10})
    with pytest.raises(ValueError, match=r"target에만 있는 key \[layer2\.1\.conv1\.weight"):
        A.port_weights(source, target)


def test_port_refuses_a_different_number_of_classes():
    torch.manual_seed(0)
    source = A.build_torchvision(TINY["basic"])
    target = A.build_timm({**TINY["basic"], "num_classes": 7})
    with pytest.raises(ValueError, match=r"fc\.weight: shape가 다릅니다 — source \(10, 512\), target \(7, 512\)"):
        A.port_weights(source, target)


def test_port_refuses_the_deep_stem_of_resnet_d():
    torch.manual_seed(0)
    resnet_d = timm_resnet.ResNet(timm_resnet.BasicBlock, (1, 1, 1, 1), num_classes=10, stem_type="deep",
                                  stem_width=32, avg_down=True)
    with pytest.raises(ValueError, match=r"conv1\.0\.weight"):
        A.timm_to_torchvision(resnet_d)


def test_port_refuses_v1_stride_placement_with_the_same_keys():
    """v1(stride를 1×1 conv1에)과 v1.5는 key·shape가 모두 같다: 계산 검사가 stride 차이를 잡아야 한다."""
    torch.manual_seed(0)
    v15 = A.build_torchvision(TINY["bottleneck"])
    v1 = A.build_torchvision(TINY["bottleneck"])
    for stage in (v1.layer2, v1.layer3, v1.layer4):
        stage[0].conv1.stride, stage[0].conv2.stride = (2, 2), (1, 1)
    with pytest.raises(ValueError, match=r"v1.*v1\.5.*layer2\.0\.conv1: source .*stride', \(1, 1\)"):
        A.port_weights(v15, v1)


def test_paper_model_with_v1_stride_is_refused_by_torchvision():
    torch.manual_seed(0)
    v1 = resnet.ResNet(resnet.Bottleneck, (1, 1, 1, 1), num_classes=10, stride_on="1x1")
    with pytest.raises(ValueError, match=r"layer2\.0\.conv1: source .*stride', \(2, 2\)"):
        A.port_weights(v1, A.build_torchvision(TINY["bottleneck"]))


@pytest.mark.parametrize("change, fact", [
    ({"global_pool": "max"}, r"\(head pooling\): source \('avg',\) / target \('max',\)"),
    ({"act_layer": "silu"}, r"\(활성 함수\): source \('ReLU',\) / target \('SiLU',\)"),
    ({"norm_layer": partial(nn.BatchNorm2d, eps=1e-3)}, r"bn1: source \('BatchNorm2d', 'eps', 1e-05\)"),
    ({"output_stride": 16}, r"dilation"),
])
def test_port_refuses_same_keys_but_a_different_computation(change, fact):
    torch.manual_seed(0)
    source = A.build_torchvision(TINY["basic"])
    target = timm_resnet.ResNet(timm_resnet.BasicBlock, (1, 1, 1, 1), num_classes=10, **change)
    with pytest.raises(ValueError, match=fact):
        A.port_weights(source, target)


def test_hook_and_input_errors_name_what_was_expected(tv18):
    with pytest.raises(ValueError, match=r"module \['layer5'\]"):
        A.capture_features(tv18, torch.zeros(1, 3, 64, 64), names=("layer5",))
    with pytest.raises(ValueError, match="32 이상"):
        A.load_input("synthetic", 16, 1, 0)
    with pytest.raises(ValueError, match="data는"):
        A.load_input("imagenet", 64, 1, 0)


# ===========================================================================
# 스크립트와 안내서
# ===========================================================================
def test_sample_images_are_normalized_photos():
    x = A.load_input("sample_images", 64, 3, 0)
    assert x.shape == (3, 3, 64, 64) and x.dtype == torch.float32
    torch.testing.assert_close(x[2], x[0])                      # 사진 두 장을 번갈아 쓴다
    assert not torch.allclose(x[0], x[1])
    assert -2.2 < float(x.min()) and float(x.max()) < 2.7, "ImageNet 평균·표준편차로 정규화한 [0, 1] 픽셀의 범위"


def test_main_quick_runs_and_reports(tmp_path, capsys):
    result = A.main(["--quick", "--out", str(tmp_path)])
    for key in ("model", "level", "data", "metric", "value", "seconds"):
        assert key in result
    assert result["level"] == "analysis" and result["metric"] == "max_abs_logit_diff"
    assert 0 <= result["value"] <= F32_ATOL
    assert set(result["ports"]) == {"torchvision→timm", "timm→torchvision", "torchvision→paper", "paper→torchvision"}
    assert max(result["feature_diffs"].values()) <= F32_ATOL
    assert result["n_state_keys"] == 122, "ResNet-18의 state_dict key 122개"
    assert len(set(result["n_parameters"].values())) == 1
    assert result["relu_calls"] == {"torchvision layer1.0.relu": 2, "timm layer1.0.act1": 1}
    assert len(result["plots"]) == len(A.STAGES) and all(Path(p).is_file() for p in result["plots"])
    assert (tmp_path / "result.json").is_file()
    printed = capsys.readouterr().out
    assert "layer*.*.conv1.weight" in printed and "torchvision에만" in printed


def test_guide_names_the_versions_it_was_read_from():
    text = GUIDE.read_text(encoding="utf-8")
    for library, version in A.READ_FROM.items():
        assert f"{library} {version}" in text, f"README.md가 {library} {version}을 밝혀야 한다"


def test_pretrained_without_network_ends_with_one_sentence(monkeypatch, tmp_path):
    """--pretrained인데 가중치를 받을 수 없으면 DatasetUnavailable(cli가 traceback 없이 한 문장 + exit 2로 바꾼다)."""
    import urllib.error

    import torchvision.models._api as weights_api

    from utils.core import DatasetUnavailable

    def offline(*args, **kwargs):
        raise urllib.error.URLError("network is unreachable")

    monkeypatch.setattr(weights_api, "load_state_dict_from_url", offline)
    with pytest.raises(DatasetUnavailable, match=r"resnet18의 pretrained 가중치.*--pretrained 없이"):
        A.main(["--pretrained", "--quick", "--out", str(tmp_path)])
