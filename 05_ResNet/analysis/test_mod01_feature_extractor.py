"""수정 과제 01 (feature extractor) 채점: torchvision FX extractor == L3 → timm features_only == L3 → 이름 맞추기.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`mod01_feature_extractor.py`)을 검사한다.
기대값은 이 장의 L3 모델(`paper/resnet.py`)이 같은 가중치로 계산한다: `ResNet.from_reference(ref)`로 옮긴 뒤
`ResNet.features`의 stage 출력, 그리고 max-pool 앞의 값은 L3의 `relu(bn1(conv1(x)))`. 가중치를 옮기기 전에 BN 값을
모두 무작위로 채우므로(`resnet_analysis.randomize_batchnorm_`), 새로 만든 모델의 feature로는 통과할 수 없다.
"""
import pytest
import timm.models.resnet as timm_resnet
import torch
import torchvision.models.resnet as tv_resnet

from utils.exercises import assert_close, assert_equal, load_exercise
from utils.gradcheck import F32_ATOL

from ..paper.resnet import ResNet
from . import resnet_analysis as A

STAGES = ("stem", "layer1", "layer2", "layer3", "layer4")
BLOCKS = {"basic": (tv_resnet.BasicBlock, timm_resnet.BasicBlock),
          "bottleneck": (tv_resnet.Bottleneck, timm_resnet.Bottleneck)}


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "mod01_feature_extractor")


@pytest.fixture(scope="module")
def x():
    return torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))


def torchvision_model(block: str, seed: int = 0):
    torch.manual_seed(seed)
    model = tv_resnet.ResNet(BLOCKS[block][0], [1, 1, 1, 1], num_classes=7)
    return A.randomize_batchnorm_(model, seed=seed + 1).eval()


def timm_model(block: str, seed: int = 0):
    torch.manual_seed(seed)
    model = timm_resnet.ResNet(BLOCKS[block][1], (1, 1, 1, 1), num_classes=7)
    return A.randomize_batchnorm_(model, seed=seed + 1).eval()


def reference_stages(ref, x) -> tuple[dict, torch.Tensor]:
    """L3로 옮긴 같은 가중치의 stage 출력과 max-pool 앞 (conv1 → bn1 → relu)."""
    ours = ResNet.from_reference(ref).eval()
    with torch.no_grad():
        return ours.features(x), ours.relu(ours.bn1(ours.conv1(x)))


@pytest.mark.parametrize("block", ["basic", "bottleneck"])
def test_torchvision_extractor_gives_the_l3_stage_outputs(ex, x, block):
    model = torchvision_model(block)
    expected, _ = reference_stages(model, x)
    extractor = ex.torchvision_stages(model)
    with torch.no_grad():
        found = extractor(x)
    assert isinstance(found, dict), f"extractor(x)는 dict여야 합니다: 받은 {type(found).__name__}"
    assert_equal(sorted(found), sorted(STAGES), "extractor(x)의 key")
    for name in STAGES:
        assert_close(found[name], expected[name], f"torchvision {name} (L3 features[{name!r}]와 비교)",
                     rtol=0, atol=F32_ATOL)


def test_torchvision_extractor_is_an_fx_graph_and_leaves_the_model_alone(ex, x):
    model = torchvision_model("basic", seed=3)
    with torch.no_grad():
        before = model(x)
    extractor = ex.torchvision_stages(model)
    assert isinstance(extractor, torch.fx.GraphModule), \
        f"create_feature_extractor가 만드는 torch.fx.GraphModule이어야 합니다: 받은 {type(extractor).__name__}"
    hooks = [name for name, m in model.named_modules() if m._forward_hooks or m._forward_pre_hooks]
    assert_equal(hooks, [], "model에 남은 forward hook")
    with torch.no_grad():
        assert_close(model(x), before, "extractor를 만든 뒤 원래 model의 logits", rtol=0, atol=0)


@pytest.mark.parametrize("block", ["basic", "bottleneck"])
def test_timm_features_only_wrapper_gives_act1_and_the_l3_stages(ex, x, block):
    model = timm_model(block)
    expected, before_pool = reference_stages(model, x)
    extractor = ex.timm_stages(model)
    assert_equal(type(extractor).__name__, "FeatureListNet", "timm_stages의 모듈 종류 (features_only의 wrapper)")
    with torch.no_grad():
        found = extractor(x)
    assert_equal(len(found), 5, "timm feature 수 (act1, layer1..layer4)")
    assert_close(found[0], before_pool, "timm feature 0 = act1 (L3의 relu(bn1(conv1(x))), max-pool 앞)",
                 rtol=0, atol=F32_ATOL)
    for tensor, name in zip(found[1:], STAGES[1:]):
        assert_close(tensor, expected[name], f"timm {name} (L3 features[{name!r}]와 비교)", rtol=0, atol=F32_ATOL)


def test_timm_named_stages_match_torchvision_names_and_places(ex, x):
    model = timm_model("bottleneck", seed=5)
    expected, _ = reference_stages(model, x)
    with torch.no_grad():
        found = ex.timm_named_stages(ex.timm_stages(model), x)
    assert_equal(sorted(found), sorted(STAGES), "timm_named_stages의 key")
    for name in STAGES:
        assert_close(found[name], expected[name], f"timm_named_stages {name}", rtol=0, atol=F32_ATOL)
    with torch.no_grad():
        assert_close(model(x), ResNet.from_reference(model).eval()(x), "감싼 뒤에도 원래 timm model의 logits",
                     rtol=0, atol=F32_ATOL)


def test_other_models_are_refused_by_name(ex):
    timm_net, tv_net = timm_model("basic"), torchvision_model("basic")
    with pytest.raises(ValueError, match="torchvision"):
        ex.torchvision_stages(timm_net)
    with pytest.raises(ValueError, match="timm"):
        ex.timm_stages(tv_net)
