"""L3 (nn.Module) 검증: parameter 수(torchvision과 정확히 같음, CIFAR는 손으로 센 값), torchvision·timm twin과
eval 모드 parity(출력과 stage별 feature), Bottleneck stride 위치(v1 / v1.5), shortcut A/B/C의 정의,
F(x) = 0이면 identity, 실행, 잘못된 입력, 수렴 기준 (slow)."""
import functools
import math

import pytest
import timm
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

from utils.core import DatasetUnavailable
from utils.fake_datasets import write_fake_cifar10
from utils.gradcheck import F32_ATOL

from . import degradation_paper
from . import resnet as P
from . import resnet_paper as S

DEPTHS = (18, 34, 50, 101, 152)


def n_params(model) -> int:
    return sum(p.numel() for p in model.parameters())


def randomize_bn(model, seed=0):
    """BN의 γ, β, running 통계를 무작위로: 기본값(γ=1, β=0, mean 0, var 1)이면 BN 복사가 빠져도 테스트가 통과한다."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(0.5 + 0.5 * torch.rand(c, generator=g))
                m.bias.copy_(0.2 * torch.randn(c, generator=g))
                m.running_mean.copy_(0.2 * torch.randn(c, generator=g))
                m.running_var.copy_(0.5 + torch.rand(c, generator=g))
    return model.eval()


def reference_features(ref, x) -> dict:
    """torchvision/timm 모델의 stage 출력을 그 모델의 submodule로 직접 계산한다 (timm은 relu 대신 act1)."""
    act = ref.relu if hasattr(ref, "relu") else ref.act1
    out = {"stem": ref.maxpool(act(ref.bn1(ref.conv1(x))))}
    prev = out["stem"]
    for i in range(1, 5):
        prev = out[f"layer{i}"] = getattr(ref, f"layer{i}")(prev)
    return out


def assert_parity(ours, ref, x):
    with torch.no_grad():
        expected, got = ref(x), ours(x)
        feats_ref, feats = reference_features(ref, x), ours.features(x)
    assert got.shape == expected.shape
    assert (got - expected).abs().max().item() <= F32_ATOL
    assert set(feats) == set(feats_ref) == {"stem", "layer1", "layer2", "layer3", "layer4"}
    for key in feats:
        assert feats[key].shape == feats_ref[key].shape, key
        assert (feats[key] - feats_ref[key]).abs().max().item() <= F32_ATOL, key


# ---- parameter 수 ----
@pytest.mark.parametrize("depth", DEPTHS)
def test_imagenet_parameter_counts_equal_torchvision(depth):
    with torch.device("meta"):                                   # 구조만 만든다 (초기화 계산 없이 빠르게)
        ours = getattr(P, f"resnet{depth}")()
        ref = getattr(torchvision.models, f"resnet{depth}")()
        v1 = getattr(P, f"resnet{depth}")(stride_on="1x1")
    assert n_params(ours) == n_params(ref) == n_params(v1)
    if depth in (18, 50):                                        # torchvision 문서가 적은 parameter 수
        assert n_params(ours) == {18: 11_689_512, 50: 25_557_032}[depth]


def cifar_count(n, shortcut="A", width=16, classes=10):
    """CIFAR ResNet의 parameter를 층마다 센다 (모델 코드를 쓰지 않는 독립 계산). conv 3×3은 bias 없음, BN은 2·C."""
    def conv_bn(cin, cout, k=3):
        return cin * cout * k * k + 2 * cout
    total = conv_bn(3, width)
    cin = width
    for stage, cout in enumerate((width, 2 * width, 4 * width)):
        for b in range(n):
            total += conv_bn(cin, cout) + conv_bn(cout, cout)
            changes = b == 0 and stage > 0
            if shortcut == "C" or (shortcut == "B" and changes):
                total += conv_bn(cin, cout, k=1)
            cin = cout
    return total + 4 * width * classes + classes


def test_cifar_resnet20_has_0_27M_parameters():
    assert cifar_count(3) == 269_722                              # 논문 Table 6: "0.27M"
    assert n_params(P.resnet20()) == 269_722
    assert round(n_params(P.resnet20()) / 1e6, 2) == 0.27


@pytest.mark.parametrize("depth", (20, 32, 44, 56, 110))
@pytest.mark.parametrize("shortcut", ("A", "B", "C"))
def test_cifar_parameter_counts_by_arithmetic(depth, shortcut):
    with torch.device("meta"):
        model = P.cifar_resnet(depth, shortcut=shortcut)
    assert model.depth == depth
    assert n_params(model) == cifar_count((depth - 2) // 6, shortcut)
    # 층 수 = 첫 conv 1 + block마다 conv 2 + fc 1 (shortcut projection은 세지 않는다, 논문과 같다)
    convs = [m for name, m in model.named_modules() if isinstance(m, nn.Conv2d) and "downsample" not in name]
    assert len(convs) + 1 == depth


def test_paper_table6_parameter_counts():
    # 논문 Table 6: 20층 0.27M, 32층 0.46M, 44층 0.66M, 56층 0.85M, 110층 1.7M
    stated = {20: 0.27, 32: 0.46, 44: 0.66, 56: 0.85, 110: 1.7}
    for depth, millions in stated.items():
        digits = 1 if depth == 110 else 2
        assert round(cifar_count((depth - 2) // 6) / 1e6, digits) == millions, depth


def multiply_adds(model, size):
    """conv와 fc의 곱셈-덧셈 수를 forward hook으로 센다 (BN·ReLU·pool·덧셈은 세지 않는다, 논문 Table 1과 같은 관례).

    model과 입력을 meta device에 두면 값 없이 shape만 계산되어 224×224에서도 즉시 끝난다."""
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
            total += output[0].numel() * k                           # 출력 원소마다 k번
        else:
            total += module.in_features * module.out_features
    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    with torch.no_grad():
        model.eval()(torch.zeros(1, 3, size, size, device="meta"))
    for h in handles:
        h.remove()
    return total


@pytest.mark.parametrize("depth, paper_gflops", [(18, 1.8), (34, 3.6), (50, 3.8), (101, 7.6), (152, 11.3)])
def test_multiply_adds_match_paper_table1_and_torchvision(depth, paper_gflops):
    """Table 1의 FLOPs(곱셈-덧셈)는 논문 구조(stride_on="1x1")의 값이다. 논문은 한 자리로 어림했으므로 2% 안에서 비교.
    torchvision 구조("3x3", v1.5)는 torchvision weight 메타데이터의 `_ops`(GFLOPs, 소수 셋째 자리)와 같다."""
    with torch.device("meta"):
        v1 = multiply_adds(getattr(P, f"resnet{depth}")(stride_on="1x1"), 224)
        v15 = multiply_adds(getattr(P, f"resnet{depth}")(stride_on="3x3"), 224)
    assert abs(v1 / 1e9 / paper_gflops - 1) < 0.02
    meta = getattr(torchvision.models, f"ResNet{depth}_Weights").IMAGENET1K_V1.meta
    assert round(v15 / 1e9, 3) == meta["_ops"]
    assert (v15 > v1) == (depth >= 50)                                # v1.5는 Bottleneck에서만 더 비싸다


# ---- production twin parity (eval 모드, 무작위 BN 통계) ----
@pytest.mark.parametrize("depth", (18, 50))
def test_outputs_and_features_equal_torchvision(depth):
    torch.manual_seed(depth)
    ref = randomize_bn(getattr(torchvision.models, f"resnet{depth}")(num_classes=1000), seed=depth)
    ours = P.ResNet.from_reference(ref).eval()
    assert ours.stride_on == "3x3" and ours.block is (P.BasicBlock if depth == 18 else P.Bottleneck)
    assert_parity(ours, ref, torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(1)))


@pytest.mark.parametrize("name", ("resnet18", "resnet50"))
def test_outputs_and_features_equal_timm(name):
    torch.manual_seed(3)
    ref = randomize_bn(timm.create_model(name, pretrained=False, num_classes=7), seed=3)
    ours = P.ResNet.from_reference(ref).eval()
    assert ours.fc.out_features == 7
    assert_parity(ours, ref, torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(2)))


def test_from_reference_copies_every_tensor():
    torch.manual_seed(4)
    ref = randomize_bn(torchvision.models.resnet18(num_classes=5))
    ours = P.ResNet.from_reference(ref)
    theirs = ref.state_dict()
    assert list(ours.state_dict()) == list(theirs)              # 같은 이름, 같은 순서
    for key, value in ours.state_dict().items():
        assert torch.equal(value, theirs[key]), key


def v1_reference():
    """torchvision ResNet-50에서 stage 첫 block의 stride를 3×3에서 1×1로 옮긴 모델 = 논문(Caffe) v1 ResNet-50."""
    torch.manual_seed(5)
    ref = torchvision.models.resnet50()
    for name in ("layer2", "layer3", "layer4"):
        block = getattr(ref, name)[0]
        block.conv1.stride, block.conv2.stride = (2, 2), (1, 1)
    return randomize_bn(ref, seed=5)


def test_stride_on_1x1_matches_a_v1_reference_and_differs_from_v1_5():
    ref = v1_reference()
    ours = P.ResNet.from_reference(ref).eval()
    assert ours.stride_on == "1x1" and ours.layer2[0].conv1.stride == (2, 2) and ours.layer2[0].conv2.stride == (1, 1)
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(6))
    assert_parity(ours, ref, x)
    v15 = P.resnet50(stride_on="3x3")
    v15.load_state_dict(ours.state_dict())                       # 같은 weight, stride 위치만 다르다
    v15.eval()
    with torch.no_grad():
        a, b = ours.features(x), v15.features(x)
    assert torch.equal(a["layer1"], b["layer1"])                  # layer1은 stride가 없어 같다
    for key in ("layer2", "layer3", "layer4"):
        assert a[key].shape == b[key].shape
        assert (a[key] - b[key]).abs().max() > 1e-2, key          # 그 뒤로는 값이 다르다


def test_v1_bottleneck_ignores_three_quarters_of_the_pixels():
    """stride 2 1×1 conv(v1)는 짝수 좌표만 읽는다: 홀수 행·열을 바꿔도 출력이 같다. v1.5(3×3 stride 2)는 달라진다."""
    torch.manual_seed(7)
    x = torch.randn(2, 64, 8, 8)
    x_odd_changed = x.clone()
    x_odd_changed[:, :, 1::2, :] += 1.0
    x_odd_changed[:, :, :, 1::2] -= 1.0
    for stride_on, same in (("1x1", True), ("3x3", False)):
        block = randomize_bn(P.Bottleneck(64, 32, stride=2, stride_on=stride_on))
        with torch.no_grad():
            equal = torch.equal(block(x), block(x_odd_changed))
        assert equal is same, stride_on


# ---- from_reference가 옮기는 설정 (eval parity가 보지 못하는 것) ----
def test_from_reference_carries_bn_eps_momentum_and_mode():
    """eps와 momentum은 state_dict에 없다: 속성을 비교하고, train 모드 한 번의 출력과 갱신된 running 통계를 비교한다."""
    torch.manual_seed(8)
    ref = torchvision.models.resnet18(num_classes=5, norm_layer=functools.partial(nn.BatchNorm2d, eps=1e-3,
                                                                                   momentum=0.3))
    randomize_bn(ref).train()
    ours = P.ResNet.from_reference(ref)
    assert ours.training is True and P.ResNet.from_reference(ref.eval()).training is False
    ref.train()
    bns = [m for m in ours.modules() if isinstance(m, nn.BatchNorm2d)]
    assert bns and {(m.eps, m.momentum) for m in bns} == {(1e-3, 0.3)}
    x = torch.randn(4, 3, 64, 64, generator=torch.Generator().manual_seed(9))
    with torch.no_grad():
        expected, actual = ref(x), ours(x)
    assert (actual - expected).abs().max().item() <= F32_ATOL
    theirs = dict(ref.named_buffers())
    for name, buffer in ours.named_buffers():
        assert (buffer.float() - theirs[name].float()).abs().max().item() <= F32_ATOL, name


# ---- 초기화: 각 weight tensor의 경험적 분포 == 식 ----
def assert_std_close(weight: torch.Tensor, std: float, name: str) -> None:
    """표본 n개의 std는 상대 표준오차 ≈ 1/sqrt(2n)로 흔들린다: 그 5배 안 (fan_in/fan_out을 바꾸면 수십 % 차이)."""
    weight = weight.detach()
    n = weight.numel()
    bound = 5 / math.sqrt(2 * n)
    assert abs(float(weight.std()) / std - 1) <= bound, f"{name}: std {float(weight.std()):.4g}, 식 {std:.4g}"
    assert abs(float(weight.mean())) <= 5 * std / math.sqrt(n), f"{name}: 평균이 0이 아니다"


@pytest.mark.parametrize("build", [lambda: P.resnet20(), lambda: P.cifar_resnet(20, shortcut="C"),
                                   lambda: P.resnet18(), lambda: P.resnet50()],
                         ids=["resnet20-A", "resnet20-C", "resnet18", "resnet50"])
def test_initialisation_follows_he_fan_out_and_bn_gamma_one(build):
    """conv W ~ N(0, 2/fan_out), fan_out = C_out·k·k (He et al. 2015b, torchvision의 mode="fan_out"); BN γ = 1, β = 0 —
    residual branch의 마지막 BN(bn2/bn3)도 γ = 1 (논문과 torchvision 기본 zero_init_residual=False; 0으로 두면 block이
    처음에 identity); fc는 PyTorch 기본 U(−1/√fan_in, 1/√fan_in)."""
    torch.manual_seed(10)
    model = build()
    for name, m in model.named_modules():
        if isinstance(m, nn.Conv2d):
            fan_out = m.out_channels * m.kernel_size[0] * m.kernel_size[1]
            assert_std_close(m.weight, math.sqrt(2 / fan_out), name)
        elif isinstance(m, nn.BatchNorm2d):
            assert torch.all(m.weight == 1) and torch.count_nonzero(m.bias) == 0, name
            assert torch.count_nonzero(m.running_mean) == 0 and torch.all(m.running_var == 1), name
    bound = 1 / math.sqrt(model.fc.in_features)
    for tensor in (model.fc.weight.detach(), model.fc.bias.detach()):
        assert float(tensor.abs().max()) <= bound
    assert_std_close(model.fc.weight, bound / math.sqrt(3), "fc")          # U(−b, b)의 std = b/√3


# ---- train / eval 모드 (BN) ----
def test_train_mode_uses_batch_statistics_and_eval_mode_is_deterministic():
    torch.manual_seed(11)
    model = P.resnet20()
    x = torch.randn(8, 3, 32, 32)
    before = [b.clone() for b in model.buffers()]
    model.eval()
    with torch.no_grad():
        first, second, alone = model(x), model(x), model(x[:1])
    assert torch.equal(first, second)
    assert (first[:1] - alone).abs().max().item() <= F32_ATOL, "eval 모드의 출력은 batch와 무관하다"
    assert all(torch.equal(a, b) for a, b in zip(before, model.buffers())), "eval 모드는 running 통계를 바꾸지 않는다"
    model.train()
    with torch.no_grad():
        together, pair = model(x), model(x[:2])
    assert (together[:1] - pair[:1]).abs().max().item() > 1e-3, "train 모드는 batch 통계로 정규화한다"
    changed = [not torch.equal(a, b) for a, b in zip(before, model.buffers())]
    assert sum(changed) >= 2 * sum(isinstance(m, nn.BatchNorm2d) for m in model.modules()), "running 통계 갱신"


# ---- Table 1을 논문의 글자 그대로 (모델 코드의 ARCHS와 따로 옮겨 적은 것) ----
PAPER_TABLE_1 = {
    18: "conv2_x [3×3, 64; 3×3, 64]×2 | conv3_x [3×3, 128; 3×3, 128]×2 | conv4_x [3×3, 256; 3×3, 256]×2 | "
        "conv5_x [3×3, 512; 3×3, 512]×2",
    34: "conv2_x [3×3, 64; 3×3, 64]×3 | conv3_x [3×3, 128; 3×3, 128]×4 | conv4_x [3×3, 256; 3×3, 256]×6 | "
        "conv5_x [3×3, 512; 3×3, 512]×3",
    50: "conv2_x [1×1, 64; 3×3, 64; 1×1, 256]×3 | conv3_x [1×1, 128; 3×3, 128; 1×1, 512]×4 | "
        "conv4_x [1×1, 256; 3×3, 256; 1×1, 1024]×6 | conv5_x [1×1, 512; 3×3, 512; 1×1, 2048]×3",
    101: "conv2_x [1×1, 64; 3×3, 64; 1×1, 256]×3 | conv3_x [1×1, 128; 3×3, 128; 1×1, 512]×4 | "
         "conv4_x [1×1, 256; 3×3, 256; 1×1, 1024]×23 | conv5_x [1×1, 512; 3×3, 512; 1×1, 2048]×3",
    152: "conv2_x [1×1, 64; 3×3, 64; 1×1, 256]×3 | conv3_x [1×1, 128; 3×3, 128; 1×1, 512]×8 | "
         "conv4_x [1×1, 256; 3×3, 256; 1×1, 1024]×36 | conv5_x [1×1, 512; 3×3, 512; 1×1, 2048]×3",
}


@pytest.mark.parametrize("depth", DEPTHS)
def test_model_stages_equal_the_papers_table_1_as_printed(depth):
    """만든 모델의 stage를 Table 1의 표기로 다시 읽어 논문 글자와 비교한다 (block 수 하나만 바뀌어도 실패)."""
    with torch.device("meta"):
        model = getattr(P, f"resnet{depth}")()
    stages = []
    for index in range(1, 5):
        layer = getattr(model, f"layer{index}")
        first = layer[0]
        convs = [first.conv1, first.conv2] + ([first.conv3] if hasattr(first, "conv3") else [])
        text = "; ".join(f"{c.kernel_size[0]}×{c.kernel_size[1]}, {c.out_channels}" for c in convs)
        stages.append(f"conv{index + 1}_x [{text}]×{len(layer)}")
    assert " | ".join(stages) == PAPER_TABLE_1[depth]
    assert (model.conv1.kernel_size, model.conv1.stride, model.conv1.out_channels) == ((7, 7), (2, 2), 64)


# ---- block과 shortcut의 정의 ----
def test_zero_residual_branch_gives_identity_mapping():
    """Section 3.1: F(x) = 0이면 block은 identity(ReLU 뒤)다. 마지막 BN의 γ = β = 0이면 F(x) = 0."""
    x = torch.randn(2, 16, 8, 8)
    for block in (P.BasicBlock(16, 16), P.Bottleneck(16, 4)):
        last_bn = block.bn2 if isinstance(block, P.BasicBlock) else block.bn3
        nn.init.zeros_(last_bn.weight)
        nn.init.zeros_(last_bn.bias)
        block.eval()
        with torch.no_grad():
            assert torch.equal(block(x), F.relu(x))


def test_option_a_shortcut_is_subsample_plus_zero_channels():
    x = torch.randn(2, 16, 8, 8)
    shortcut = P.ZeroPadShortcut(16, 32, stride=2)
    out = shortcut(x)
    assert out.shape == (2, 32, 4, 4) and n_params(shortcut) == 0
    assert torch.equal(out[:, :16], x[:, :, ::2, ::2])
    assert torch.count_nonzero(out[:, 16:]) == 0
    block = P.BasicBlock(16, 32, stride=2, shortcut="A")
    nn.init.zeros_(block.bn2.weight)
    nn.init.zeros_(block.bn2.bias)
    with torch.no_grad():
        assert torch.equal(block.eval()(x), F.relu(out))


@pytest.mark.parametrize("shortcut, same_shape, down_stride", [
    ("A", None, "A"), ("B", None, "B"), ("C", "C", "C")])
def test_shortcut_options_choose_identity_or_projection(shortcut, same_shape, down_stride):
    def kind(block):
        d = block.downsample
        return None if d is None else ("A" if isinstance(d, P.ZeroPadShortcut) else
                                       ("B" if shortcut == "B" else "C"))
    assert kind(P.BasicBlock(16, 16, 1, shortcut)) == same_shape
    assert kind(P.BasicBlock(16, 32, 2, shortcut)) == down_stride
    if shortcut != "A":
        d = P.BasicBlock(16, 32, 2, shortcut).downsample
        assert d[0].kernel_size == (1, 1) and d[0].stride == (2, 2) and isinstance(d[1], nn.BatchNorm2d)


def test_plain_block_has_no_shortcut():
    block = P.BasicBlock(16, 32, 2, shortcut="B", residual=False).eval()
    assert block.downsample is None
    x = torch.randn(2, 16, 8, 8)
    with torch.no_grad():
        expected = F.relu(block.bn2(block.conv2(F.relu(block.bn1(block.conv1(x))))))
        assert torch.equal(block(x), expected)


def test_feature_shapes():
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        f18, f50 = P.resnet18().eval().features(x), P.resnet50().eval().features(x)
        fc = P.resnet20().eval().features(torch.randn(1, 3, 32, 32))
    assert {k: tuple(v.shape[1:]) for k, v in f18.items()} == {
        "stem": (64, 16, 16), "layer1": (64, 16, 16), "layer2": (128, 8, 8), "layer3": (256, 4, 4),
        "layer4": (512, 2, 2)}
    assert {k: tuple(v.shape[1:]) for k, v in f50.items()} == {
        "stem": (64, 16, 16), "layer1": (256, 16, 16), "layer2": (512, 8, 8), "layer3": (1024, 4, 4),
        "layer4": (2048, 2, 2)}
    assert {k: tuple(v.shape[1:]) for k, v in fc.items()} == {
        "stem": (16, 32, 32), "layer1": (16, 32, 32), "layer2": (32, 16, 16), "layer3": (64, 8, 8)}


def test_initial_loss_is_about_log_classes():
    # train 모드(batch 통계로 정규화): 첫 SGD step이 보는 loss. identity shortcut은 block마다 분산을 더하므로
    # (x_L = x_0 + Σ F_i, theory.md §2) logit이 조금 퍼져 loss는 ln 10보다 약간 크다: ln 10 + 1 안쪽.
    torch.manual_seed(0)
    model = P.resnet20().train()
    x = torch.randn(256, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    y = torch.randint(0, 10, (256,), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        logits = model(x)
    loss = F.cross_entropy(logits, y).item()
    assert math.log(10) - 0.1 < loss < math.log(10) + 1.0 and logits.std().item() < 1.5


# ---- 잘못된 입력 ----
def test_wrong_inputs_are_refused():
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\).*\(2, 1, 32, 32\)"):
        P.resnet20()(torch.zeros(2, 1, 32, 32))
    with pytest.raises(ValueError, match=r"4차원.*\(3, 32, 32\)"):
        P.resnet20()(torch.zeros(3, 32, 32))
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\).*\(1, 4, 64, 64\)"):
        P.resnet18()(torch.zeros(1, 4, 64, 64))                    # 입구에서 한 번: block까지 가기 전에 거부
    with pytest.raises(ValueError, match="float"):
        P.resnet18()(torch.zeros(1, 3, 64, 64, dtype=torch.long))
    with pytest.raises(ValueError, match="shortcut"):
        P.BasicBlock(16, 32, 2, shortcut="D")
    with pytest.raises(ValueError, match="stride_on"):
        P.Bottleneck(16, 4, stride_on="7x7")
    with pytest.raises(ValueError, match="6n"):
        P.cifar_resnet(21)
    with pytest.raises(ValueError, match="resnet18"):
        P.ResNet.from_pretrained("vgg16")                           # 이름을 먼저 확인하므로 내려받지 않는다


def test_from_pretrained_copies_the_weights_its_source_gives(monkeypatch):
    """가중치 source(`utils.hub.torchvision_state_dict`)를 가짜로 바꿔, 그 state_dict가 그대로 들어가는지 본다."""
    import utils.hub

    fake = randomize_bn(torchvision.models.resnet18(), seed=5).state_dict()
    calls = []

    def fake_source(name, download):
        calls.append((name, download))
        return fake

    monkeypatch.setattr(utils.hub, "torchvision_state_dict", fake_source)
    model = P.ResNet.from_pretrained("resnet18")
    assert calls == [("resnet18", True)] and not model.training
    ours = model.state_dict()
    assert len(ours) == len(fake)
    for key, value in fake.items():                                   # torchvision과 key 이름이 같다
        assert torch.equal(ours[key], value), key


def test_from_pretrained_offline_is_one_sentence_and_download_false_never_downloads(monkeypatch, tmp_path):
    import urllib.error

    calls = []

    def offline(url, **kwargs):
        calls.append(url)
        raise urllib.error.URLError("no network")

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))                  # 기존 cache를 쓰지 않게
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", offline)
    with pytest.raises(DatasetUnavailable, match="resnet18.*인터넷") as error:
        P.ResNet.from_pretrained("resnet18")
    assert "\n" not in str(error.value) and len(calls) == 1
    with pytest.raises(DatasetUnavailable, match="resnet50.*torch hub cache"):
        P.ResNet.from_pretrained("resnet50", download=False)
    assert len(calls) == 1


@pytest.mark.parametrize("build, match", [
    (lambda: nn.Linear(3, 4), "torchvision.models.resnet.ResNet"),
    (lambda: torchvision.models.vgg11(), "받은 torchvision.models.vgg.VGG"),
    (lambda: torchvision.models.resnext50_32x4d(), "group"),
    (lambda: torchvision.models.wide_resnet50_2(), "shape가 다릅니다"),
    (lambda: torchvision.models.resnet50(replace_stride_with_dilation=[False, True, True]), "dilat"),
    (lambda: timm.create_model("resnet50d", pretrained=False), "deep stem"),
    (lambda: timm.create_model("resnet18", pretrained=False, num_classes=0), "fc가 nn.Linear"),
    (lambda: timm.create_model("resnet18", pretrained=False, global_pool="max"), "pool_type='max'"),
    (lambda: timm.create_model("resnet18", pretrained=False, act_layer="silu"), "SiLU"),
    (lambda: torchvision.models.resnet18(norm_layer=lambda c: nn.GroupNorm(1, c)), "GroupNorm"),
])
def test_from_reference_refuses_models_it_cannot_map(build, match):
    with torch.device("meta"):
        ref = build()
    with pytest.raises(ValueError, match=match):
        P.ResNet.from_reference(ref)


# ---- 실행 ----
def test_quick_run_writes_results(tmp_path):
    result = S.main(["--quick", "--device", "cpu", "--out", str(tmp_path)])
    assert result["metric"] == "test_accuracy" and result["n_parameters"] == 269_722
    assert result["train_loss_last"] < result["train_loss_first"] + 0.5
    assert (tmp_path / "result.json").exists() and (tmp_path / "error_curve.png").stat().st_size > 0


def test_cifar10_path_runs_on_files_in_the_real_format(tmp_path):
    root = write_fake_cifar10(tmp_path / "data")
    result = S.main(["--data", "cifar10", "--root", str(root), "--quick", "--epochs", "1", "--device", "cpu",
                     "--out", str(tmp_path / "out")])
    assert result["data"] == "cifar10" and result["n_train"] == 40 and result["milestones"] == [82, 123]
    with pytest.raises(DatasetUnavailable, match="--download"):        # 없으면 한 문장으로 안내 (내려받지 않는다)
        S.main(["--data", "cifar10", "--root", str(tmp_path / "empty"), "--quick", "--out", str(tmp_path / "o2")])


def test_cifar10_flag_uses_the_papers_recipe(monkeypatch, tmp_path):
    seen = {}

    def fake_load(args):
        seen.update(vars(args))
        raise RuntimeError("stop")
    monkeypatch.setattr(S, "load_data", fake_load)
    with pytest.raises(RuntimeError, match="stop"):
        S.main(["--data", "cifar10", "--out", str(tmp_path)])
    assert (seen["epochs"], seen["milestones"], seen["lr"], seen["momentum"], seen["weight_decay"],
            seen["batch_size"]) == (164, [82, 123], 0.1, 0.9, 1e-4, 128)
    # 64k iteration × batch 128 / 50k 이미지 ≈ 164 epoch, 32k·48k iteration ≈ 82·123 epoch
    assert round(64_000 * 128 / 50_000) == 164 and round(32_000 * 128 / 50_000) == 82
    assert round(48_000 * 128 / 50_000) == 123


def test_epochs_given_on_the_command_line_are_kept(monkeypatch, tmp_path):
    """--epochs를 준 실행은 데이터와 무관하게 그 값을 쓴다: cifar10의 164는 --epochs를 주지 않았을 때만."""
    seen = []

    def fake_load(args):
        seen.append(args.epochs)
        raise RuntimeError("stop")
    monkeypatch.setattr(S, "load_data", fake_load)
    for argv in (["--data", "cifar10", "--epochs", "3"], ["--data", "cifar10", "--epochs", str(S.SHAPES_EPOCHS)],
                 ["--data", "cifar10"], [], ["--epochs", "2"]):
        with pytest.raises(RuntimeError, match="stop"):
            S.main(argv + ["--out", str(tmp_path)])
    assert seen == [3, S.SHAPES_EPOCHS, 164, S.SHAPES_EPOCHS, 2]


@pytest.mark.slow
def test_resnet20_reaches_95_percent_on_shapes(tmp_path):
    result = S.main(["--device", "cpu", "--out", str(tmp_path)])
    assert result["value"] >= 0.95, result["value"]


def test_degradation_quick_run_writes_the_plot(tmp_path):
    result = degradation_paper.main(["--quick", "--depths", "8", "14", "--device", "cpu", "--out", str(tmp_path)])
    assert set(result["final_train_error"]) == {"plain-8", "plain-14", "ResNet-8", "ResNet-14"}
    assert result["n_parameters"]["plain-14"] == result["n_parameters"]["ResNet-14"]     # option A: 같은 parameter
    assert (tmp_path / "degradation.png").stat().st_size > 0 and result["plots"] == [str(tmp_path / "degradation.png")]
    with pytest.raises(ValueError, match="6n"):
        degradation_paper.main(["--quick", "--depths", "32", "8", "--out", str(tmp_path)])
