"""L3 (nn.Module) 검증: Table 1 == torchvision cfgs, parameter 수가 torchvision과 정확히 같음 (8개 configuration),
`from_reference` 뒤 eval 모드 출력 parity (작은 무작위 configuration 전부 + 논문 크기 VGG-16, slow에서 8개 전부),
`from_pretrained`(내려받지 않고: 가짜 가중치 source, 오프라인 오류, CLI에서 한 줄 + exit 2),
receptive field (계산 == gradient로 잰 값), 잘못된 입력, 학습 sanity (ln 10, tiny batch), 실행, 수렴 기준 (slow).
"""
import math
import urllib.error

import pytest
import torch
import torchvision
from torch import nn
from torchvision.models.vgg import cfgs as TV_CFGS
from torchvision.models.vgg import make_layers

from utils.gradcheck import F32_ATOL

from . import vgg as P
from . import vgg_paper as S

TV_NAMES = [f"{name}{bn}" for name in ("vgg11", "vgg13", "vgg16", "vgg19") for bn in ("", "_bn")]
FACTORIES = {"vgg11": P.vgg11, "vgg13": P.vgg13, "vgg16": P.vgg16, "vgg19": P.vgg19}


def fill_like_trained(model: nn.Module, seed: int) -> nn.Module:
    """O(1) 출력이 나오도록 무작위 값을 채운다: conv Kaiming(fan_out), BN γ·β·running 통계도 무작위 (eval 모드의 BN이
    항등이 아니게), Linear N(0, 1/fan_in). 두 모델의 값이 같아야 하는 것은 from_reference가 보장한다."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                fan_out = m.out_channels * 9
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * math.sqrt(2 / fan_out))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(1 + 0.2 * torch.randn(m.weight.shape, generator=g))
                m.bias.copy_(0.2 * torch.randn(m.bias.shape, generator=g))
                m.running_mean.copy_(0.2 * torch.randn(m.running_mean.shape, generator=g))
                m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=g))
            elif isinstance(m, nn.Linear):
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) / math.sqrt(m.in_features))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
    return model


def small_torchvision_vgg(key: str, batch_norm: bool, width: float = 1 / 16, hidden: int = 32, num_classes: int = 10):
    """torchvision `VGG` 클래스에 작은 features(make_layers, channel × width)와 작은 classifier를 넣는다.

    torchvision의 classifier는 512·7·7 → 4096으로 고정이라 그대로는 작게 만들 수 없다. 그래서 meta device에서 틀만
    만든 뒤 같은 모양(Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear)의 작은 classifier로 바꾼다.
    forward(features → AdaptiveAvgPool2d(7) → flatten → classifier)는 torchvision 코드 그대로다.
    """
    cfg = [v if v == "M" else max(1, round(v * width)) for v in TV_CFGS[key]]
    with torch.device("meta"):
        model = torchvision.models.VGG(make_layers([64, "M"]), num_classes=num_classes, init_weights=False)
    model.features = make_layers(cfg, batch_norm=batch_norm)
    channels = [v for v in cfg if v != "M"][-1]
    model.classifier = nn.Sequential(nn.Linear(channels * 49, hidden), nn.ReLU(True), nn.Dropout(0.5),
                                     nn.Linear(hidden, hidden), nn.ReLU(True), nn.Dropout(0.5),
                                     nn.Linear(hidden, num_classes))
    return fill_like_trained(model, seed=len(cfg) + batch_norm)


def full_torchvision_vgg(name: str):
    """논문 크기 torchvision VGG: meta에서 만들고(초기화 비용 없음) 값을 채운다."""
    with torch.device("meta"):
        model = getattr(torchvision.models, name)(weights=None)
    model.to_empty(device="cpu")
    return fill_like_trained(model, seed=len(name))


def assert_eval_parity(reference: nn.Module, x: torch.Tensor) -> None:
    reference.eval()
    ours = P.VGG.from_reference(reference).eval()
    with torch.no_grad():
        expected, actual = reference(x), ours(x)
    assert actual.shape == expected.shape
    assert 0.1 < float(expected.std()) < 100, "출력이 O(1)이어야 절대 오차 기준이 의미를 갖는다"
    assert float((actual - expected).abs().max()) <= F32_ATOL


# ---- Table 1과 parameter 수 ----
# 논문 Table 1을 figure의 글자 그대로 옮겨 적은 것 (모델 코드의 CONFIGS와 따로 썼다; torchvision과도 무관).
PAPER_TABLE_1 = {
    "A": "conv3-64 maxpool conv3-128 maxpool conv3-256 conv3-256 maxpool conv3-512 conv3-512 maxpool "
         "conv3-512 conv3-512 maxpool FC-4096 FC-4096 FC-1000 soft-max",
    "B": "conv3-64 conv3-64 maxpool conv3-128 conv3-128 maxpool conv3-256 conv3-256 maxpool conv3-512 conv3-512 "
         "maxpool conv3-512 conv3-512 maxpool FC-4096 FC-4096 FC-1000 soft-max",
    "D": "conv3-64 conv3-64 maxpool conv3-128 conv3-128 maxpool conv3-256 conv3-256 conv3-256 maxpool "
         "conv3-512 conv3-512 conv3-512 maxpool conv3-512 conv3-512 conv3-512 maxpool FC-4096 FC-4096 FC-1000 soft-max",
    "E": "conv3-64 conv3-64 maxpool conv3-128 conv3-128 maxpool conv3-256 conv3-256 conv3-256 conv3-256 maxpool "
         "conv3-512 conv3-512 conv3-512 conv3-512 maxpool conv3-512 conv3-512 conv3-512 conv3-512 maxpool "
         "FC-4096 FC-4096 FC-1000 soft-max",
}


@pytest.mark.parametrize("key", list("ABDE"))
def test_model_layers_equal_the_papers_table_1_as_printed(key):
    """만든 ImageNet 모델의 층을 Table 1의 표기로 다시 읽어 논문 글자와 비교한다 (CONFIGS 한 칸만 바뀌어도 실패)."""
    with torch.device("meta"):
        model = P.VGG(key)
    words = []
    for layer in model.features:
        if isinstance(layer, nn.Conv2d):
            assert layer.kernel_size == (3, 3) and layer.stride == (1, 1) and layer.padding == (1, 1)
            words.append(f"conv3-{layer.out_channels}")
        elif isinstance(layer, nn.MaxPool2d):
            words.append("maxpool")
    words += [f"FC-{m.out_features}" for m in model.classifier if isinstance(m, nn.Linear)] + ["soft-max"]
    assert " ".join(words) == PAPER_TABLE_1[key]


def test_table_1_configs_equal_torchvision():
    assert P.CONFIGS == {key: list(TV_CFGS[key]) for key in "ABDE"}
    assert [sum(v != "M" for v in P.CONFIGS[k]) + 3 for k in "ABDE"] == [11, 13, 16, 19]   # weight 층 수 = 이름


@pytest.mark.parametrize("name", TV_NAMES)
def test_parameter_count_equals_torchvision_exactly(name):
    depth, batch_norm = name.split("_")[0], name.endswith("_bn")
    with torch.device("meta"):                                     # 수만 센다: 메모리도 초기화도 필요 없다
        theirs = getattr(torchvision.models, name)(weights=None)
        ours = FACTORIES[depth](batch_norm=batch_norm)
    assert P.n_parameters(ours) == sum(p.numel() for p in theirs.parameters())
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())          # buffer까지 같은 key


def test_vgg16_has_138_357_544_parameters():
    with torch.device("meta"):
        model = P.vgg16()
    conv = sum(p.numel() for p in model.features.parameters())
    fc = sum(p.numel() for p in model.classifier.parameters())
    assert (conv, fc, conv + fc) == (14_714_688, 123_642_856, 138_357_544)


def test_parameter_count_formula_per_layer():
    """conv3 하나 = 9·C_in·C_out + C_out (+ BN 2·C_out), FC = in·out + out — Table 2의 133/134/138/144M과 같은 규칙."""
    for key in "ABDE":
        for bn in (False, True):
            with torch.device("meta"):
                model = P.VGG(key, batch_norm=bn)
            channels, total = 3, 0
            for v in P.CONFIGS[key]:
                if v != "M":
                    total += 9 * channels * v + v + (2 * v if bn else 0)
                    channels = v
            total += 512 * 49 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000
            assert P.n_parameters(model) == total
    with torch.device("meta"):
        millions = [round(P.n_parameters(P.VGG(k)) / 1e6) for k in "ABDE"]
    assert millions == [133, 133, 138, 144]


# ---- production twin: from_reference → eval 모드에서 같은 출력 ----
@pytest.mark.parametrize("batch_norm", [False, True], ids=["plain", "bn"])
@pytest.mark.parametrize("key", list("ABDE"))
def test_from_reference_small_configs_equal_torchvision_in_eval_mode(key, batch_norm):
    reference = small_torchvision_vgg(key, batch_norm)
    g = torch.Generator().manual_seed(0)
    for size in (32, 64):                                           # 1×1 / 2×2 feature map → adaptive pool 7×7
        assert_eval_parity(reference, torch.randn(2, 3, size, size, generator=g))


def test_from_reference_copies_every_tensor_and_keeps_them_separate():
    reference = small_torchvision_vgg("A", batch_norm=True)
    ours = P.VGG.from_reference(reference)
    theirs = reference.state_dict()
    assert sorted(ours.state_dict()) == sorted(theirs)
    for key, value in ours.state_dict().items():
        assert torch.equal(value, theirs[key]), key
    with torch.no_grad():
        ours.features[0].weight.add_(1.0)                           # 복사본이지 같은 메모리가 아니다
    assert not torch.equal(ours.features[0].weight, reference.features[0].weight)
    assert ours.training == reference.training


def test_from_reference_carries_dropout_p_and_bn_eps_momentum():
    """eval 모드 parity는 dropout p와 BN momentum을 보지 못한다: 속성을 비교하고, train 모드 출력(같은 RNG 상태)과
    한 번의 train forward가 갱신한 running 통계를 비교한다."""
    reference = small_torchvision_vgg("A", batch_norm=True)
    for index, layer in enumerate(reference.classifier):
        if isinstance(layer, nn.Dropout):
            reference.classifier[index] = nn.Dropout(0.3)
    for layer in reference.features:
        if isinstance(layer, nn.BatchNorm2d):
            layer.eps, layer.momentum = 1e-3, 0.3
    ours = P.VGG.from_reference(reference.train())
    assert [m.p for m in ours.classifier if isinstance(m, nn.Dropout)] == [0.3, 0.3]
    assert {(m.eps, m.momentum) for m in ours.features if isinstance(m, nn.BatchNorm2d)} == {(1e-3, 0.3)}
    x = torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        torch.manual_seed(5)
        expected = reference(x)
        torch.manual_seed(5)
        actual = ours(x)
    assert float((actual - expected).abs().max()) <= F32_ATOL
    bn_ours = [m for m in ours.features if isinstance(m, nn.BatchNorm2d)]
    bn_theirs = [m for m in reference.features if isinstance(m, nn.BatchNorm2d)]
    for a, b in zip(bn_ours, bn_theirs):
        assert float((a.running_mean - b.running_mean).abs().max()) <= F32_ATOL
        assert float((a.running_var - b.running_var).abs().max()) <= F32_ATOL


def test_from_reference_keeps_the_references_mode():
    reference = small_torchvision_vgg("A", batch_norm=True)
    assert P.VGG.from_reference(reference.eval()).training is False
    assert P.VGG.from_reference(reference.train()).training is True


def test_from_reference_refuses_batch_norm_without_affine_or_running_statistics():
    for kwargs in ({"affine": False}, {"track_running_stats": False}):
        reference = small_torchvision_vgg("A", batch_norm=True)
        reference.features[1] = nn.BatchNorm2d(reference.features[0].out_channels, **kwargs)
        with pytest.raises(ValueError, match="features.1"):
            P.VGG.from_reference(reference)


# ---- 초기화: 각 weight tensor의 경험적 분포 == torchvision의 식 ----
def assert_std_close(weight: torch.Tensor, std: float, name: str) -> None:
    """표본 n개의 표준편차는 상대 표준오차 ≈ 1/sqrt(2n)로 흔들린다: 그 5배 안이어야 한다 (잘못된 fan은 수십 % 차이)."""
    n = weight.numel()
    bound = 5 / math.sqrt(2 * n)
    weight = weight.detach()
    measured = float(weight.std())
    assert abs(measured / std - 1) <= bound, f"{name}: std {measured:.4g}, 식 {std:.4g} (허용 상대 차 {bound:.3f})"
    assert abs(float(weight.mean())) <= 5 * std / math.sqrt(n), f"{name}: 평균이 0이 아니다"


@pytest.mark.parametrize("batch_norm", [False, True], ids=["plain", "bn"])
def test_initialisation_follows_kaiming_fan_out_and_normal_0_01(batch_norm):
    """conv: N(0, 2/fan_out), fan_out = C_out·3·3 (Kaiming normal, mode="fan_out", ReLU gain √2); Linear: N(0, 0.01²);
    bias 0; BN γ = 1, β = 0. fan_in을 쓰면 첫 conv는 std가 √(C_out/C_in)배(= √(16/3))로 달라진다."""
    torch.manual_seed(0)
    model = P.VGG("A", batch_norm=batch_norm, width=0.25, hidden=256)
    convs = [m for m in model.features if isinstance(m, nn.Conv2d)]
    assert any(c.in_channels != c.out_channels for c in convs)
    for index, conv in enumerate(convs):
        assert_std_close(conv.weight, math.sqrt(2 / (conv.out_channels * 9)), f"conv {index}")
        assert torch.count_nonzero(conv.bias) == 0
    for index, linear in enumerate(m for m in model.classifier if isinstance(m, nn.Linear)):
        assert_std_close(linear.weight, 0.01, f"classifier Linear {index}")
        assert torch.count_nonzero(linear.bias) == 0
    for bn in (m for m in model.features if isinstance(m, nn.BatchNorm2d)):
        assert torch.all(bn.weight == 1) and torch.count_nonzero(bn.bias) == 0


def test_cifar_head_initialisation_is_normal_0_01():
    torch.manual_seed(1)
    model = P.VGG("A", batch_norm=True, num_classes=1000, head="cifar", width=1.0)   # Linear(512, 1000): 512,000개
    assert_std_close(model.classifier[0].weight, 0.01, "cifar Linear")


# ---- train / eval 모드: dropout > 0, BN ----
def test_dropout_is_active_in_train_mode_only_and_eval_is_deterministic():
    model = P.vgg11(batch_norm=True, num_classes=10, width=1 / 16, hidden=64, dropout=0.5)
    assert [m.p for m in model.classifier if isinstance(m, nn.Dropout)] == [0.5, 0.5], "head의 dropout 두 개 모두 p"
    x = torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(4))
    model.eval()
    before = [b.clone() for b in model.buffers()]
    with torch.no_grad():
        first, second = model(x), model(x)
    assert torch.equal(first, second), "eval 모드는 dropout을 끄고 running 통계를 쓴다: 두 번 같은 값"
    assert all(torch.equal(a, b) for a, b in zip(before, model.buffers())), "eval 모드는 running 통계를 바꾸지 않는다"
    model.train()
    with torch.no_grad():
        third, fourth = model(x), model(x)
    assert not torch.equal(third, fourth), "train 모드의 dropout(p=0.5)은 호출마다 다른 mask를 뽑는다"
    assert not all(torch.equal(a, b) for a, b in zip(before, model.buffers())), "train 모드는 running 통계를 갱신한다"
    model.classifier[2].p = model.classifier[5].p = 0.0
    with torch.no_grad():
        fifth, sixth = model(x), model(x)
    assert torch.equal(fifth, sixth), "p = 0이면 train 모드에서도 dropout은 아무것도 하지 않는다"


def test_from_reference_full_size_vgg16_equals_torchvision():
    """논문 크기 VGG-16 (138M parameter)을 32×32 입력으로: AdaptiveAvgPool2d(7)이 1×1을 7×7로 펼치므로 classifier의
    25,088개 입력을 모두 쓰고, conv 부분은 224×224보다 49배 싸다. 나머지 configuration 7개는 slow 테스트."""
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    assert_eval_parity(full_torchvision_vgg("vgg16"), x)


@pytest.mark.slow
@pytest.mark.parametrize("name", TV_NAMES)
def test_from_reference_full_size_every_config_equals_torchvision(name):
    x = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(2))
    assert_eval_parity(full_torchvision_vgg(name), x)


def test_imagenet_head_on_224_input_is_the_papers_7x7():
    """224×224에서는 다섯 번 pool 뒤 7×7이라 AdaptiveAvgPool2d(7)이 항등이다: 논문의 FC-4096이 7·7·C를 그대로 받는다."""
    model = P.vgg11(width=1 / 16).eval()
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        features = model.features(x)
        assert features.shape == (1, 32, 7, 7)
        assert torch.equal(model.avgpool(features), features)


# ---- from_reference가 옮길 수 없는 모델 ----
def test_from_reference_refuses_models_it_cannot_map():
    with torch.device("meta"):
        resnet = torchvision.models.resnet18()
    with pytest.raises(ValueError, match="VGG가 아닌 모델.*ResNet"):
        P.VGG.from_reference(resnet)

    five = small_torchvision_vgg("A", False)
    five.features[0] = nn.Conv2d(3, 4, kernel_size=5, padding=2)
    with pytest.raises(ValueError, match=r"features\.0: VGG의 conv는 3×3"):
        P.VGG.from_reference(five)

    odd = small_torchvision_vgg("A", False)
    odd.features[1] = nn.Tanh()
    with pytest.raises(ValueError, match=r"features\.1: conv 뒤에 ReLU"):
        P.VGG.from_reference(odd)

    partial = small_torchvision_vgg("A", True)
    partial.features[1] = nn.Identity()                             # 첫 conv 뒤의 BN만 없앤다
    with pytest.raises(ValueError, match="features.1"):
        P.VGG.from_reference(partial)

    head = small_torchvision_vgg("A", False)
    head.classifier = nn.Sequential(nn.Linear(32 * 49, 10))
    with pytest.raises(ValueError, match="classifier는 Linear, ReLU, Dropout"):
        P.VGG.from_reference(head)

    pool = small_torchvision_vgg("A", False)
    pool.avgpool = nn.AdaptiveAvgPool2d(1)
    with pytest.raises(ValueError, match=r"AdaptiveAvgPool2d\(\(7, 7\)\)"):
        P.VGG.from_reference(pool)


# ---- from_pretrained: 테스트는 절대 내려받지 않는다 ----
def test_from_pretrained_loads_the_weights_its_source_gives(monkeypatch):
    """가중치 source(`utils.hub.torchvision_state_dict`)를 가짜로 바꿔, 받은 state_dict가 그대로 우리 모델에
    들어가는지 본다."""
    fake = full_torchvision_vgg("vgg11").state_dict()
    calls = []

    def fake_source(name, download, progress):
        calls.append((name, download))
        return fake

    monkeypatch.setattr(P, "torchvision_state_dict", fake_source)
    model = P.from_pretrained("vgg11")
    assert calls == [("vgg11", True)] and not model.training
    for key, value in model.state_dict().items():
        assert torch.equal(value, fake[key]), key


@pytest.fixture
def empty_torch_hub(monkeypatch, tmp_path):
    """빈 torch hub cache, 그리고 '네트워크 없음'인 다운로드 함수 (불린 횟수를 센다)."""
    calls = []

    def offline(url, **kwargs):
        calls.append(url)
        raise urllib.error.URLError("no network")

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))                 # 기존 cache를 쓰지 않게
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", offline)
    return calls


def test_from_pretrained_offline_gives_one_clear_error(empty_torch_hub):
    with pytest.raises(P.PretrainedUnavailable, match="vgg16_bn.*인터넷") as error:
        P.VGG.from_pretrained("vgg16_bn")
    assert "\n" not in str(error.value) and len(empty_torch_hub) == 1
    with pytest.raises(P.PretrainedUnavailable, match="vgg11.*torch hub cache") as error:
        P.from_pretrained("vgg11", download=False)                    # cache만 보고 받으려 하지 않는다
    assert "\n" not in str(error.value) and len(empty_torch_hub) == 1
    with pytest.raises(ValueError, match="알 수 없는 pretrained 이름 'vgg17'"):
        P.from_pretrained("vgg17")


def test_from_pretrained_offline_reaches_the_cli_as_one_line_and_exit_2(empty_torch_hub, capsys):
    """`cli(main)` 안에서 부르면 traceback 없이 '오류: …' 한 줄과 exit code 2."""
    from utils.cli import cli

    with pytest.raises(SystemExit) as exit_info:
        cli(lambda: P.VGG.from_pretrained("vgg16", progress=False))
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith("오류: vgg16의 pretrained 가중치") and err.count("\n") == 1 and "Traceback" not in err


# ---- shape와 잘못된 입력 ----
def test_cifar_head_shapes_and_feature_maps():
    model = P.vgg11(batch_norm=True, num_classes=10, head="cifar", width=0.25)
    x = torch.randn(2, 3, 32, 32)
    assert model(x).shape == (2, 10)
    maps = model.feature_maps(x)
    assert [name for name in maps if name.startswith("pool")] == [f"pool{i}" for i in range(1, 6)]
    assert [maps[f"pool{i}"].shape[-1] for i in range(1, 6)] == [16, 8, 4, 2, 1]
    assert maps["conv3_2"].shape == (2, 64, 8, 8)
    assert P.n_parameters(model) == sum(9 * a * b + b + 2 * b for a, b in zip(
        [3, 16, 32, 64, 64, 128, 128, 128], [16, 32, 64, 64, 128, 128, 128, 128])) + 128 * 10 + 10


def test_wrong_inputs_are_refused():
    imagenet = P.vgg11(width=1 / 16)
    with pytest.raises(ValueError, match=r"H, W ≥ 32.*224×224.*\(1, 3, 16, 16\)"):
        imagenet(torch.zeros(1, 3, 16, 16))
    cifar = P.vgg11(num_classes=10, head="cifar", width=1 / 16)
    with pytest.raises(ValueError, match=r"CIFAR head는 shape \(N, 3, 32, 32\).*\(1, 3, 64, 64\)"):
        cifar(torch.zeros(1, 3, 64, 64))
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\).*\(1, 1, 32, 32\)"):
        cifar(torch.zeros(1, 1, 32, 32))
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\).*\(3, 32, 32\)"):
        cifar(torch.zeros(3, 32, 32))
    with pytest.raises(ValueError, match="float tensor"):
        cifar(torch.zeros(1, 3, 32, 32, dtype=torch.int64))
    with pytest.raises(ValueError, match="config는"):
        P.VGG("F")
    with pytest.raises(ValueError, match="head는"):
        P.VGG("A", head="tiny")
    with pytest.raises(ValueError, match="width는 양수"):
        P.vgg11(width=0)
    with pytest.raises(ValueError, match="max-pool이 5번"):
        P.VGG([8, "M", 16, "M"], head="cifar")


# ---- receptive field ----
@pytest.mark.parametrize("key", list("ABDE"))
def test_receptive_field_formula_equals_gradient_measurement(key):
    assert P.measure_receptive_fields(key) == [r for _, r, _ in P.receptive_fields(key)]


def test_receptive_field_facts_from_section_2_3():
    """Section 2.3: 3×3 두 개 = 5×5, 세 개 = 7×7의 receptive field. VGG-16 pool5 unit은 212×212를 본다."""
    table = {name: size for name, size, _ in P.receptive_fields("D")}
    assert (table["conv1_1"], table["conv1_2"]) == (3, 5)
    assert (table["conv3_1"], table["conv3_2"], table["conv3_3"]) == (24, 32, 40)  # pool2 뒤 jump 4: +8씩
    assert table["pool5"] == 212 and P.receptive_fields("D")[-1][2] == 32          # jump = 2⁵


# ---- 학습 sanity ----
def test_initial_loss_is_log_10():
    torch.manual_seed(0)
    model = P.vgg11(batch_norm=True, num_classes=10, head="cifar", width=0.25)
    loss = nn.functional.cross_entropy(model(torch.randn(64, 3, 32, 32)), torch.randint(0, 10, (64,)))
    assert abs(loss.item() - math.log(10)) < 0.02                   # 마지막 Linear N(0, 0.01²) → logit ≈ 0


def test_tiny_batch_can_be_overfit():
    torch.manual_seed(0)
    model = P.vgg11(batch_norm=True, num_classes=10, head="cifar", width=0.125)
    x, y = torch.randn(20, 3, 32, 32), torch.arange(20) % 10
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(40):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    model.eval()
    assert loss.item() < 0.05 and bool((model(x).argmax(1) == y).all())


def test_quick_run_writes_results_and_plots(tmp_path):
    result = S.main(["--quick", "--device", "cpu", "--out", str(tmp_path)])
    assert result["metric"] == "test_accuracy" and result["level"] == "paper"
    assert abs(result["initial_loss"] - math.log(10)) < 0.05
    names = {p.split("/")[-1] for p in result["plots"]}
    assert {"conv1_filters.png", "receptive_field.png", "feature_maps_pool5.png", "loss_curve.png"} <= names
    assert (tmp_path / "result.json").exists() and (tmp_path / "receptive_field.png").stat().st_size > 0


def test_missing_cifar10_exits_with_one_sentence(tmp_path, capsys):
    from utils.cli import cli

    with pytest.raises(SystemExit) as info:
        cli(lambda: S.main(["--data", "cifar10", "--root", str(tmp_path), "--out", str(tmp_path / "o")]))
    assert info.value.code == 2 and "CIFAR-10" in capsys.readouterr().err


# ---- 수렴 기준 (slow) ----
@pytest.mark.slow
def test_default_run_reaches_95_percent_on_shapes(tmp_path):
    """기본 실행 (VGG-11-BN, CIFAR head, width 0.25, 8 epoch, 4000장): test accuracy ≥ 95%."""
    result = S.main(["--device", "cpu", "--out", str(tmp_path)])
    assert result["value"] >= 0.95
    assert result["train_loss_last"] < 0.1 * result["train_loss_first"]
