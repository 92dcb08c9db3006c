"""ResNet — He, Zhang, Ren & Sun (2015)에 충실한 `nn.Module`: ImageNet ResNet-18/34/50/101/152와 CIFAR ResNet-20…110.

논문: K. He, X. Zhang, S. Ren & J. Sun (2015), "Deep Residual Learning for Image Recognition", arXiv:1512.03385
(CVPR 2016). residual 식은 Section 3.1 식 (1)–(2), shortcut 선택지 A/B/C는 Section 3.3과 4.1, 층 구성은 Table 1,
bottleneck은 Section 4.1 "Deeper Bottleneck Architectures"와 Fig. 5, CIFAR 구조는 Section 4.2.

Residual learning (Section 3.1–3.2):
    y = F(x, {W_i}) + x                   식 (1)   (shape가 같을 때: identity shortcut, parameter 0개)
    y = F(x, {W_i}) + W_s·x               식 (2)   (shape가 다를 때: projection shortcut)
    block 출력 = ReLU(y). F는 conv → BN → ReLU → conv → BN (BasicBlock, 3×3 두 개) 또는
    1×1 → 3×3 → 1×1 (Bottleneck, 가운데가 좁은 "병목", 출력은 planes·4 채널).

Shortcut 선택지 (Section 3.3, Table 3):
    A  차원이 늘 때 stride 2로 x를 건너 뛰어 읽고(subsampling) 새 채널은 0으로 채운다 — parameter 0개 (CIFAR 기본)
    B  차원이 늘 때만 projection W_s (1×1 conv stride 2 + BN), 나머지는 identity (ImageNet 기본, torchvision과 같다)
    C  모든 block에서 projection (논문: B보다 조금 낫지만 parameter·계산이 늘어 쓰지 않는다)

ImageNet 구조 (Table 1, 224×224 입력):
    stem     7×7 conv 64, stride 2 → BN → ReLU → 3×3 max-pool stride 2            (N, 64, 56, 56)
    layer1   planes 64,  stride 1                                                  (N, 64·e, 56, 56)
    layer2   planes 128, 첫 block stride 2                                         (N, 128·e, 28, 28)
    layer3   planes 256, 첫 block stride 2                                         (N, 256·e, 14, 14)
    layer4   planes 512, 첫 block stride 2                                         (N, 512·e, 7, 7)
    head     global average pool → fc 1000                                         (N, 1000)
    block 수: 18 = (2, 2, 2, 2) Basic, 34 = (3, 4, 6, 3) Basic, 50 = (3, 4, 6, 3) Bottleneck,
              101 = (3, 4, 23, 3) Bottleneck, 152 = (3, 8, 36, 3) Bottleneck;  e = expansion (Basic 1, Bottleneck 4)
    parameter 수: ResNet-18 11,689,512, ResNet-50 25,557,032 (torchvision과 정확히 같다, test_paper.py).

Bottleneck의 stride 위치 (`stride_on`):
    "1x1"  "v1": 첫 1×1 conv가 stride 2 — 1×1 conv가 4픽셀 중 1개만 읽고 나머지 3/4을 버린다. 논문 본문은
           conv3_1, conv4_1, conv5_1이 stride 2로 downsampling한다고만 적는다 (Section 3.4); 1×1에 두는 것은 저자들이
           공개한 Caffe 모델(prototxt)에서 온 것이다.
    "3x3"  torchvision·timm ("ResNet v1.5"): 3×3 conv가 stride 2 — 모든 픽셀이 3×3 window에 들어간다.
           같은 parameter로 ImageNet top-1이 약 0.5%p 높다고 알려져 있고(torchvision `Bottleneck` 주석이 가리키는
           NVIDIA의 v1.5 설명), 계산은 조금 늘어난다: 첫 1×1 conv가 줄이기 전의 큰 해상도에서 돈다 (theory.md §4.2).
    parameter 수와 weight shape는 같다. 기본은 "3x3": `from_reference`로 torchvision/timm 가중치를 그대로 받기 위해서다.

CIFAR 구조 (Section 4.2): 3×3 conv 16 → (16, 32, 64) 채널의 세 stage에 BasicBlock n개씩 → global avg pool → fc 10.
    깊이 6n + 2: n = 3, 5, 7, 9, 18 → ResNet-20, 32, 44, 56, 110. shortcut은 A (parameter 0개) — ResNet-20은 0.27M.
    `residual=False`면 shortcut을 뺀 "plain" net이 된다 (Fig. 6 왼쪽, degradation 실험: `degradation_paper.py`).

초기화: conv는 He et al. (2015) "Delving Deep into Rectifiers"의 N(0, 2/fan_out) (torchvision과 같은 mode),
BN은 γ = 1, β = 0.

학습 스크립트(데이터, 학습, 그림)는 옆의 `resnet_paper.py`, degradation 실험은 `degradation_paper.py`에 있다.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

SHORTCUTS = ("A", "B", "C")
STRIDE_ON = ("3x3", "1x1")


def conv3x3(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """padding 1인 3×3 conv (bias 없음: 바로 뒤 BN의 β가 bias 역할을 한다)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


def check_images(x: torch.Tensor, channels: int, name: str) -> None:
    """x가 (N, channels, H, W) float tensor인지 확인하고, 아니면 기대 shape를 말하는 ValueError.

    모델의 입구(`ResNet.features`, `CifarResNet.features`)에서 한 번만 부른다: 그 뒤의 block은 앞 층이 만든 shape를
    받으므로 다시 확인하지 않는다."""
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise ValueError(f"{name} 입력은 float tensor여야 합니다: 받은 {type(x).__name__} {getattr(x, 'dtype', '')}")
    if x.ndim != 4:
        raise ValueError(f"{name} 입력은 4차원 (N, {channels}, H, W)이어야 합니다: 받은 shape {tuple(x.shape)}")
    if x.shape[1] != channels:
        raise ValueError(f"{name} 입력의 channel 수가 다릅니다: 기대 (N, {channels}, H, W), "
                         f"받은 shape {tuple(x.shape)}")


# ---------------------------------------------------------------------------------------------------------
# Shortcut (Section 3.3)
# ---------------------------------------------------------------------------------------------------------
class ZeroPadShortcut(nn.Module):
    """Option A: x를 stride만큼 건너 뛰어 읽고(subsampling) 늘어난 채널을 0으로 채운다. parameter 0개.

    (N, C_in, H, W) → x[:, :, ::s, ::s] (N, C_in, H/s, W/s) → 뒤에 0 채널 (C_out − C_in)개 → (N, C_out, H/s, W/s)
    """

    def __init__(self, in_planes: int, out_planes: int, stride: int):
        super().__init__()
        if out_planes < in_planes:
            raise ValueError(f"option A shortcut은 채널을 늘리기만 합니다: in {in_planes} → out {out_planes}")
        self.in_planes, self.out_planes, self.stride = in_planes, out_planes, stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x[:, :, ::self.stride, ::self.stride]                                 # (N, C_in, H/s, W/s)
        return F.pad(x, (0, 0, 0, 0, 0, self.out_planes - self.in_planes))        # (N, C_out, H/s, W/s)

    def extra_repr(self) -> str:
        return f"{self.in_planes}, {self.out_planes}, stride={self.stride}"


def make_shortcut(in_planes: int, out_planes: int, stride: int, shortcut: str) -> nn.Module | None:
    """식 (1)의 identity(None), 또는 식 (2)의 W_s. A/B는 shape가 바뀔 때만, C는 항상 projection."""
    if shortcut not in SHORTCUTS:
        raise ValueError(f"shortcut은 {SHORTCUTS} 중 하나여야 합니다: {shortcut!r}")
    changes = stride != 1 or in_planes != out_planes
    if shortcut == "C" or (shortcut == "B" and changes):
        return nn.Sequential(conv1x1(in_planes, out_planes, stride), nn.BatchNorm2d(out_planes))   # W_s
    if shortcut == "A" and changes:
        return ZeroPadShortcut(in_planes, out_planes, stride)
    return None


# ---------------------------------------------------------------------------------------------------------
# Residual block (Section 3.2–3.3, Fig. 2, Fig. 5)
# ---------------------------------------------------------------------------------------------------------
class BasicBlock(nn.Module):
    """3×3 → 3×3 residual block (Fig. 2, Fig. 5 왼쪽). 출력 채널 = planes (expansion 1).

    y = ReLU( BN(conv3x3(ReLU(BN(conv3x3_s(x))))) + shortcut(x) ),  stride s는 첫 conv에.
    residual=False면 shortcut 항을 빼서 plain block이 된다 (degradation 실험용).
    """

    expansion = 1

    def __init__(self, in_planes: int, planes: int, stride: int = 1, shortcut: str = "B", residual: bool = True):
        super().__init__()
        self.in_planes, self.residual = in_planes, residual
        self.conv1 = conv3x3(in_planes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = make_shortcut(in_planes, planes, stride, shortcut) if residual else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))                 # (N, planes, H/s, W/s)
        out = self.bn2(self.conv2(out))                          # F(x): (N, planes, H/s, W/s)
        if self.residual:
            identity = x if self.downsample is None else self.downsample(x)
            out = out + identity                                 # 식 (1)/(2): F(x) + x  또는  F(x) + W_s x
        return self.relu(out)


class Bottleneck(nn.Module):
    """1×1 (줄이기) → 3×3 → 1×1 (늘리기) block (Fig. 5 오른쪽). 출력 채널 = planes·4.

    stride_on="3x3": stride s를 가운데 3×3에 (torchvision/timm, "v1.5").  "1x1": 첫 1×1에 (v1, 공개 Caffe 모델).
    """

    expansion = 4

    def __init__(self, in_planes: int, planes: int, stride: int = 1, shortcut: str = "B",
                 stride_on: str = "3x3", residual: bool = True):
        super().__init__()
        if stride_on not in STRIDE_ON:
            raise ValueError(f"stride_on은 {STRIDE_ON} 중 하나여야 합니다: {stride_on!r}")
        self.in_planes, self.residual, self.stride_on = in_planes, residual, stride_on
        out_planes = planes * self.expansion
        s1, s3 = (stride, 1) if stride_on == "1x1" else (1, stride)
        self.conv1 = conv1x1(in_planes, planes, s1)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes, s3)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv1x1(planes, out_planes)
        self.bn3 = nn.BatchNorm2d(out_planes)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = make_shortcut(in_planes, out_planes, stride, shortcut) if residual else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.relu(self.bn1(self.conv1(x)))                 # (N, planes, ·, ·)   1×1: 채널을 1/4로
        out = self.relu(self.bn2(self.conv2(out)))               # (N, planes, H/s, W/s)
        out = self.bn3(self.conv3(out))                          # F(x): (N, 4·planes, H/s, W/s)
        if self.residual:
            identity = x if self.downsample is None else self.downsample(x)
            out = out + identity
        return self.relu(out)


def init_weights(model: nn.Module) -> None:
    """conv: N(0, 2/fan_out) (He 초기화, torchvision과 같은 mode), BN: γ = 1, β = 0, fc는 PyTorch 기본."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


# ---------------------------------------------------------------------------------------------------------
# ImageNet ResNet (Table 1)
# ---------------------------------------------------------------------------------------------------------
ARCHS = {
    18: (BasicBlock, (2, 2, 2, 2)),
    34: (BasicBlock, (3, 4, 6, 3)),
    50: (Bottleneck, (3, 4, 6, 3)),
    101: (Bottleneck, (3, 4, 23, 3)),
    152: (Bottleneck, (3, 8, 36, 3)),
}


class ResNet(nn.Module):
    """ImageNet ResNet (Table 1). submodule 이름은 torchvision과 같다: conv1 bn1 relu maxpool layer1..4 avgpool fc.

    shortcut은 option B (차원이 바뀔 때만 projection). Bottleneck의 stride 위치는 `stride_on`.
    """

    def __init__(self, block: type[nn.Module], layers, num_classes: int = 1000, stride_on: str = "3x3",
                 in_channels: int = 3):
        super().__init__()
        if block not in (BasicBlock, Bottleneck):
            raise ValueError(f"block은 BasicBlock 또는 Bottleneck이어야 합니다: {block!r}")
        if len(layers) != 4 or any(int(n) < 1 for n in layers):
            raise ValueError(f"layers는 stage 네 개의 block 수(각 1 이상)여야 합니다: {layers!r}")
        if stride_on not in STRIDE_ON:
            raise ValueError(f"stride_on은 {STRIDE_ON} 중 하나여야 합니다: {stride_on!r}")
        self.block, self.layers_config, self.stride_on = block, tuple(int(n) for n in layers), stride_on
        self.in_channels = in_channels
        self.conv1 = nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        in_planes = 64
        for index, (planes, n_blocks) in enumerate(zip((64, 128, 256, 512), self.layers_config)):
            stride = 1 if index == 0 else 2                        # conv3_1, conv4_1, conv5_1에서 해상도 /2
            blocks = []
            for b in range(n_blocks):
                kwargs = {"stride_on": stride_on} if block is Bottleneck else {}
                blocks.append(block(in_planes, planes, stride if b == 0 else 1, shortcut="B", **kwargs))
                in_planes = planes * block.expansion
            setattr(self, f"layer{index + 1}", nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)
        init_weights(self)

    def features(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """stage마다의 출력. "stem"은 max-pool 뒤. 224×224 입력이면 56, 56, 28, 14, 7 픽셀."""
        check_images(x, self.in_channels, "ResNet")
        out = {"stem": self.maxpool(self.relu(self.bn1(self.conv1(x))))}        # (N, 64, H/4, W/4)
        out["layer1"] = self.layer1(out["stem"])                               # (N, 64·e, H/4, W/4)
        out["layer2"] = self.layer2(out["layer1"])                             # (N, 128·e, H/8, W/8)
        out["layer3"] = self.layer3(out["layer2"])                             # (N, 256·e, H/16, W/16)
        out["layer4"] = self.layer4(out["layer3"])                             # (N, 512·e, H/32, W/32)
        return out

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)["layer4"]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.forward_features(x))                              # (N, 512·e, 1, 1)
        return self.fc(torch.flatten(x, 1))                                    # (N, num_classes)

    # ---- production twin에서 가중치 받기 ----
    @classmethod
    def from_reference(cls, ref: nn.Module) -> ResNet:
        """torchvision `ResNet` 또는 timm `ResNet`과 같은 구성의 모델을 만들고 가중치(BN running 통계 포함)를 복사한다.

        두 라이브러리의 state_dict key는 우리 이름과 같다 (conv1.weight, layer1.0.bn2.running_mean, …,
        layer2.0.downsample.0.weight, fc.bias): 복사는 key를 그대로, shape를 하나씩 확인하며, key가 하나라도
        남거나 모자라면 ValueError. 전치는 없다. Bottleneck의 stride 위치는 ref의 conv1/conv2 stride에서 읽는다.
        동작을 바꾸는 설정도 옮긴다: BN마다 eps와 momentum, 그리고 train/eval 모드. affine=False나
        track_running_stats=False인 BN은 state_dict key가 빠지므로 key 검사에서 거부된다.
        매핑할 수 없는 변형(ResNeXt의 group conv, wide 채널, deep stem, avg-down shortcut, dilation, anti-alias)은
        무엇이 다른지 말하는 ValueError로 거부한다.
        """
        block, layers, stride_on = _reference_config(ref)
        model = cls(block, layers, num_classes=ref.fc.out_features, stride_on=stride_on,
                    in_channels=ref.conv1.in_channels)
        ours, theirs = model.state_dict(), ref.state_dict()
        missing, extra = sorted(set(ours) - set(theirs)), sorted(set(theirs) - set(ours))
        if missing or extra:
            raise ValueError(f"{type(ref).__module__}.{type(ref).__name__}의 key가 ResNet과 맞지 않습니다: "
                             f"없는 key {missing[:5]}, 남는 key {extra[:5]}")
        for key, value in theirs.items():
            if ours[key].shape != value.shape:
                raise ValueError(f"{key}의 shape가 다릅니다: 우리 {tuple(ours[key].shape)}, 참조 {tuple(value.shape)}")
        model.load_state_dict(theirs, strict=True)
        ref_modules = dict(ref.named_modules())
        for name, module in model.named_modules():          # 가중치 밖의 BN 설정: eps, momentum (train 모드 동작)
            if isinstance(module, nn.BatchNorm2d):
                module.eps, module.momentum = ref_modules[name].eps, ref_modules[name].momentum
        return model.train(ref.training)

    @classmethod
    def from_pretrained(cls, name: str = "resnet50", download: bool = True) -> ResNet:
        """torchvision의 ImageNet 가중치(DEFAULT: resnet50은 IMAGENET1K_V2)를 `from_reference`로 옮긴다.

        torch hub cache(`$TORCH_HOME/hub/checkpoints`)에 있으면 거기서 읽고, 없으면 download=True일 때 받는다
        (`utils.hub.torchvision_state_dict`). 얻을 수 없으면 DatasetUnavailable 한 문장.
        예: `ResNet.from_pretrained("resnet18")`.
        """
        import torchvision

        from utils.hub import torchvision_state_dict

        if name not in {f"resnet{d}" for d in ARCHS}:
            raise ValueError(f"name은 {[f'resnet{d}' for d in ARCHS]} 중 하나여야 합니다: {name!r}")
        state = torchvision_state_dict(name, download=download)
        with torch.device("meta"):
            reference = torchvision.models.get_model(name, weights=None)
        reference.load_state_dict(state, assign=True)            # meta tensor 자리에 읽은 tensor를 그대로 꽂는다
        return cls.from_reference(reference.eval())


def _reference_config(ref: nn.Module):
    """torchvision/timm ResNet에서 (block class, layers, stride_on)을 읽는다. 매핑할 수 없으면 ValueError."""
    kind = f"{type(ref).__module__}.{type(ref).__name__}"
    if kind not in ("torchvision.models.resnet.ResNet", "timm.models.resnet.ResNet"):
        raise ValueError(f"from_reference는 torchvision.models.resnet.ResNet 또는 timm.models.resnet.ResNet만 "
                         f"받습니다: 받은 {kind}")
    stem = ref.conv1
    if not isinstance(stem, nn.Conv2d) or stem.kernel_size != (7, 7) or stem.stride != (2, 2):
        raise ValueError(f"{kind}: stem이 7×7 stride 2 conv 하나가 아닙니다 (deep stem 변형은 매핑할 수 없음): {stem}")
    if not isinstance(getattr(ref, "maxpool", None), nn.MaxPool2d):
        raise ValueError(f"{kind}: stem 뒤 max-pool이 없습니다 (replace_stem_pool 변형은 매핑할 수 없음)")
    if not isinstance(ref.fc, nn.Linear):
        raise ValueError(f"{kind}: fc가 nn.Linear가 아닙니다 ({type(ref.fc).__name__}; timm num_classes=0처럼 "
                         f"head를 뗀 모델은 매핑할 수 없음)")
    pool_type = getattr(getattr(ref, "global_pool", None), "pool_type", "avg")
    if pool_type != "avg":
        raise ValueError(f"{kind}: global pool이 평균이 아닙니다 (pool_type={pool_type!r}); "
                         f"논문과 우리 모델은 global average pooling")
    activations = sorted({type(m).__name__ for m in ref.modules()
                          if type(m).__module__ == "torch.nn.modules.activation" and not isinstance(m, nn.ReLU)})
    if activations:
        raise ValueError(f"{kind}: ReLU가 아닌 activation {activations}이 있습니다 (act_layer 변형은 매핑할 수 없음)")
    for name, module in ref.named_modules():
        is_norm = isinstance(module, nn.modules.batchnorm._NormBase) or "Norm" in type(module).__name__
        if is_norm and type(module) is not nn.BatchNorm2d:
            raise ValueError(f"{kind}: {name}이 nn.BatchNorm2d가 아닙니다 ({type(module).__name__}; norm_layer 변형은 "
                             f"매핑할 수 없음)")
    first = ref.layer1[0]
    names = {"BasicBlock": BasicBlock, "Bottleneck": Bottleneck}
    if type(first).__name__ not in names:
        raise ValueError(f"{kind}: block 종류 {type(first).__name__}는 BasicBlock/Bottleneck이 아닙니다")
    block = names[type(first).__name__]
    layers = tuple(len(getattr(ref, f"layer{i}")) for i in range(1, 5))
    stride_on = "3x3"
    for stage in range(1, 5):
        for index, blk in enumerate(getattr(ref, f"layer{stage}")):
            convs = [m for m in blk.modules() if isinstance(m, nn.Conv2d)]
            if any(c.groups != 1 or c.dilation != (1, 1) for c in convs):
                raise ValueError(f"{kind}: layer{stage}.{index}에 group/dilated conv가 있습니다 "
                                 f"(ResNeXt·dilation 변형은 매핑할 수 없음)")
            for extra in ("aa", "se", "drop_path", "drop_block"):
                module = getattr(blk, extra, None)
                if module is not None and not isinstance(module, nn.Identity):
                    raise ValueError(f"{kind}: layer{stage}.{index}.{extra}가 Identity가 아닙니다 ({module})")
            down = blk.downsample
            if down is not None and not (isinstance(down, nn.Sequential) and len(down) == 2
                                         and isinstance(down[0], nn.Conv2d) and down[0].kernel_size == (1, 1)):
                raise ValueError(f"{kind}: layer{stage}.{index}.downsample이 (1×1 conv, BN)이 아닙니다 "
                                 f"(avg-down 변형은 매핑할 수 없음): {down}")
            if block is Bottleneck and stage > 1 and index == 0 and blk.conv1.stride == (2, 2):
                stride_on = "1x1"
    return block, layers, stride_on


def _imagenet(depth: int, num_classes: int, stride_on: str) -> ResNet:
    block, layers = ARCHS[depth]
    return ResNet(block, layers, num_classes=num_classes, stride_on=stride_on)


def resnet18(num_classes: int = 1000, stride_on: str = "3x3") -> ResNet:
    return _imagenet(18, num_classes, stride_on)


def resnet34(num_classes: int = 1000, stride_on: str = "3x3") -> ResNet:
    return _imagenet(34, num_classes, stride_on)


def resnet50(num_classes: int = 1000, stride_on: str = "3x3") -> ResNet:
    return _imagenet(50, num_classes, stride_on)


def resnet101(num_classes: int = 1000, stride_on: str = "3x3") -> ResNet:
    return _imagenet(101, num_classes, stride_on)


def resnet152(num_classes: int = 1000, stride_on: str = "3x3") -> ResNet:
    return _imagenet(152, num_classes, stride_on)


# ---------------------------------------------------------------------------------------------------------
# CIFAR ResNet (Section 4.2)
# ---------------------------------------------------------------------------------------------------------
class CifarResNet(nn.Module):
    """깊이 6n + 2의 CIFAR-10 ResNet: 3×3 conv → 세 stage (width, 2·width, 4·width) × n block → avg pool → fc.

    논문은 width 16. shortcut 기본은 A (Section 4.2: "we use identity shortcuts in all cases"). residual=False면
    같은 층의 plain net (Fig. 6 왼쪽). width는 CPU degradation 실험에서 계산을 줄이려고 바꿀 수 있다.
    """

    def __init__(self, n: int, num_classes: int = 10, shortcut: str = "A", width: int = 16, residual: bool = True,
                 in_channels: int = 3):
        super().__init__()
        if int(n) < 1 or int(width) < 1:
            raise ValueError(f"n(stage마다 block 수)과 width는 1 이상이어야 합니다: n={n}, width={width}")
        self.n, self.depth, self.in_channels = int(n), 6 * int(n) + 2, in_channels
        self.shortcut, self.residual = shortcut, residual
        self.conv1 = conv3x3(in_channels, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        in_planes = width
        for index, planes in enumerate((width, 2 * width, 4 * width)):
            stride = 1 if index == 0 else 2                        # 32×32 → 16×16 → 8×8
            blocks = []
            for b in range(self.n):
                blocks.append(BasicBlock(in_planes, planes, stride if b == 0 else 1, shortcut, residual))
                in_planes = planes
            setattr(self, f"layer{index + 1}", nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(4 * width, num_classes)
        init_weights(self)

    def features(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        check_images(x, self.in_channels, type(self).__name__)
        out = {"stem": self.relu(self.bn1(self.conv1(x)))}        # (N, w, 32, 32)
        out["layer1"] = self.layer1(out["stem"])                  # (N, w, 32, 32)
        out["layer2"] = self.layer2(out["layer1"])                # (N, 2w, 16, 16)
        out["layer3"] = self.layer3(out["layer2"])                # (N, 4w, 8, 8)
        return out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.features(x)["layer3"])              # (N, 4w, 1, 1)
        return self.fc(torch.flatten(x, 1))                       # (N, num_classes)


CIFAR_DEPTHS = {20: 3, 32: 5, 44: 7, 56: 9, 110: 18}


def cifar_resnet(depth: int, num_classes: int = 10, shortcut: str = "A", residual: bool = True,
                 width: int = 16) -> CifarResNet:
    if (depth - 2) % 6 != 0 or depth < 8:
        raise ValueError(f"CIFAR ResNet의 깊이는 6n + 2 (n ≥ 1)여야 합니다: {depth}")
    return CifarResNet((depth - 2) // 6, num_classes, shortcut, width, residual)


def resnet20(num_classes: int = 10, shortcut: str = "A") -> CifarResNet:
    return cifar_resnet(20, num_classes, shortcut)


def resnet32(num_classes: int = 10, shortcut: str = "A") -> CifarResNet:
    return cifar_resnet(32, num_classes, shortcut)


def resnet44(num_classes: int = 10, shortcut: str = "A") -> CifarResNet:
    return cifar_resnet(44, num_classes, shortcut)


def resnet56(num_classes: int = 10, shortcut: str = "A") -> CifarResNet:
    return cifar_resnet(56, num_classes, shortcut)


def resnet110(num_classes: int = 10, shortcut: str = "A") -> CifarResNet:
    return cifar_resnet(110, num_classes, shortcut)


def n_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
