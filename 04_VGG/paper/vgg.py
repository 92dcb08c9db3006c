"""VGG — Simonyan & Zisserman (2015)의 configuration A, B, D, E (VGG-11/13/16/19)를 `nn.Module`로.

논문: K. Simonyan & A. Zisserman (2015), "Very Deep Convolutional Networks for Large-Scale Image Recognition",
ICLR 2015 (arXiv:1409.1556). 구조는 Section 2.1–2.2와 Table 1, 3×3 stack의 이유는 Section 2.3, 학습은 Section 3.1.

Section 2.1 — 모든 층이 같은 규칙을 따른다:
    conv    3×3, stride 1, padding 1 (공간 크기 유지) → ReLU          "conv3-C"
    pool    2×2 max-pool, stride 2 (공간 크기 절반), 다섯 번          "maxpool"
    channel 64 → 128 → 256 → 512 → 512 (pool을 지날 때마다 두 배, 512에서 멈춤)
    head    FC-4096 → ReLU → dropout → FC-4096 → ReLU → dropout → FC-1000 → softmax
Table 1의 configuration (숫자 = conv3의 출력 channel, "M" = max-pool):
    A (11층, VGG-11)  64 M 128 M 256 256 M 512 512 M 512 512 M
    B (13층, VGG-13)  64 64 M 128 128 M 256 256 M 512 512 M 512 512 M
    D (16층, VGG-16)  64 64 M 128 128 M 256 256 256 M 512 512 512 M 512 512 512 M
    E (19층, VGG-19)  64 64 M 128 128 M 256 256 256 256 M 512 512 512 512 M 512 512 512 512 M
(Table 1의 A-LRN과 C(1×1 conv 포함)는 구현하지 않는다: torchvision에도 없고, 논문 Table 3에서 LRN은 도움이 되지 않았다.)

parameter 수 (Table 2는 133/133/134/138/144 million으로 반올림해 적는다): conv3 하나는 9·C_in·C_out + C_out,
FC는 in·out + out. VGG-16 = 14,714,688 (conv 13개) + 123,642,856 (FC 3개) = 138,357,544 — torchvision과 정확히 같다
(`test_paper.py`). BN을 넣으면 conv마다 γ, β 2·C_out개가 더해진다 (running mean/var는 buffer라 세지 않는다).

이 파일의 선택 (논문과 다른 점은 모두 적는다):
    - `batch_norm=True`: conv → BN → ReLU (Ioffe & Szegedy 2015). 논문 뒤에 나온 것으로, torchvision의 `vgg16_bn`과
      같은 자리다. BN 앞 conv에도 bias를 둔다 (torchvision과 같게; BN의 β가 있어 사실 중복이다 — theory.md §4).
    - head="imagenet": torchvision처럼 features 뒤에 `AdaptiveAvgPool2d((7, 7))`를 둔다. 논문의 224×224 crop에서는
      feature map이 이미 7×7이라 이 pool이 아무것도 하지 않으므로(항등) 논문과 같다. 다른 크기(≥ 32×32)에서는
      feature map을 7×7로 맞춘다. 논문은 test 때 FC를 convolution으로 바꿔 임의 크기 이미지 전체에 적용하고
      (dense evaluation, Section 3.2) class score를 공간 평균했다. 32×32보다 작으면 다섯 번째 pool에서 크기가 0이
      되므로 ValueError로 거부한다.
    - head="cifar": 논문에 없는 32×32용 head. 다섯 번 pool하면 1×1×C가 남으므로 flatten → Linear(C, num_classes)
      하나만 둔다 (FC-4096 두 층 대신; 널리 쓰이는 CIFAR용 VGG 구현들과 같은 생각). 입력은 정확히 32×32여야 한다.
    - `width`: channel 배수 (논문은 1.0). CPU에서 몇 분 안에 학습하려고 기본 실행은 0.25를 쓴다.
    - 초기화: torchvision과 같다 — conv는 Kaiming normal (fan_out, ReLU), FC는 N(0, 0.01²), bias 0, BN은 γ=1, β=0.
      논문은 얕은 A를 N(0, 10⁻²)로 학습한 뒤 그 가중치로 깊은 net의 앞 4개 conv와 FC를 초기화했고, 제출 뒤에야
      Glorot & Bengio (2010)의 초기화로 사전학습 없이도 된다는 것을 알았다고 적는다 (Section 3.1).

production twin: `torchvision.models.vgg11 … vgg19_bn`. state_dict key가 같게(`features.N.*`, `classifier.N.*`) 층을
배치했으므로 `VGG.from_reference(tv_model)`은 key를 하나씩 shape 검사하며 복사한다 (전치 없음).


학습 스크립트(데이터, 학습, 그림)는 옆의 `vgg_paper.py`에 있다.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from utils.core import DatasetUnavailable
from utils.hub import torchvision_state_dict

HEADS = ("imagenet", "cifar")

# Table 1 (Simonyan & Zisserman 2015). 숫자 = conv3 출력 channel, "M" = 2×2 max-pool (stride 2).
CONFIGS = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}
DEPTH_NAMES = {"A": "vgg11", "B": "vgg13", "D": "vgg16", "E": "vgg19"}            # weight 층 수 = conv 수 + FC 3
PRETRAINED = tuple(f"{name}{bn}" for name in DEPTH_NAMES.values() for bn in ("", "_bn"))
IMAGENET_POOL = 7                                     # 224 / 2⁵: 논문 입력에서 마지막 feature map의 크기
CIFAR_SIZE = 32                                       # CIFAR head가 받는 입력 크기 (다섯 번 pool → 1×1)


def scale_config(config, width: float = 1.0) -> list:
    """config의 channel 수에 width를 곱해 반올림한다 (최소 1). "M"은 그대로. config는 "A".."E" 또는 list."""
    if isinstance(config, str):
        if config not in CONFIGS:
            raise ValueError(f"config는 {sorted(CONFIGS)} 중 하나이거나 channel/'M' list여야 합니다: {config!r}")
        config = CONFIGS[config]
    if not width > 0:
        raise ValueError(f"width는 양수여야 합니다: {width}")
    layers = list(config)
    if not layers or not all(v == "M" or (isinstance(v, int) and v > 0) for v in layers):
        raise ValueError(f"config는 양의 정수(channel)와 'M'(max-pool)의 list여야 합니다: {layers}")
    if not any(v != "M" for v in layers):
        raise ValueError(f"config에 conv가 하나도 없습니다: {layers}")
    return [v if v == "M" else max(1, int(round(v * width))) for v in layers]


class VGG(nn.Module):
    """VGG (Table 1). `features`(conv3/BN/ReLU/max-pool의 Sequential) → `avgpool` → flatten → `classifier`.

    층의 순서와 번호가 torchvision과 같아서 state_dict key도 같다: conv는 `features.i`, BN은 `features.i+1`, ReLU는
    그다음, max-pool은 한 자리; classifier는 ImageNet head면 `0`(Linear) `1`(ReLU) `2`(Dropout) `3` `4` `5` `6`.
    """

    def __init__(self, config="D", batch_norm: bool = False, num_classes: int = 1000, head: str = "imagenet",
                 width: float = 1.0, hidden: int = 4096, dropout: float = 0.5, in_channels: int = 3,
                 init_weights: bool = True):
        super().__init__()
        if head not in HEADS:
            raise ValueError(f"head는 {HEADS} 중 하나여야 합니다: {head!r}")
        if num_classes < 1 or hidden < 1 or in_channels < 1:
            raise ValueError(f"num_classes, hidden, in_channels는 1 이상이어야 합니다: "
                             f"{num_classes}, {hidden}, {in_channels}")
        self.config = scale_config(config, width)
        self.batch_norm, self.head, self.in_channels = bool(batch_norm), head, in_channels
        self.n_pools = self.config.count("M")
        if head == "cifar" and 2 ** self.n_pools != CIFAR_SIZE:
            raise ValueError(f"CIFAR head는 max-pool이 5번인 config가 필요합니다 (32 → 1×1): 받은 {self.n_pools}번")
        layers: list[nn.Module] = []
        channels = in_channels
        for v in self.config:
            if v == "M":
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))                 # 크기 절반
                continue
            layers.append(nn.Conv2d(channels, v, kernel_size=3, padding=1))          # 크기 유지
            if batch_norm:
                layers.append(nn.BatchNorm2d(v))
            layers.append(nn.ReLU(inplace=True))                  # torchvision처럼 in-place (메모리·시간 절약)
            channels = v
        self.features = nn.Sequential(*layers)
        self.out_channels = channels
        if head == "imagenet":
            self.avgpool = nn.AdaptiveAvgPool2d((IMAGENET_POOL, IMAGENET_POOL))
            self.classifier = nn.Sequential(
                nn.Linear(channels * IMAGENET_POOL * IMAGENET_POOL, hidden), nn.ReLU(inplace=True), nn.Dropout(dropout),
                nn.Linear(hidden, hidden), nn.ReLU(inplace=True), nn.Dropout(dropout),
                nn.Linear(hidden, num_classes))
        else:
            self.avgpool = nn.Identity()                                             # 32×32 → 이미 1×1
            self.classifier = nn.Sequential(nn.Linear(channels, num_classes))
        if init_weights:
            self.reset_parameters()

    def reset_parameters(self) -> None:
        """torchvision과 같은 초기화: conv Kaiming normal(fan_out, ReLU), Linear N(0, 0.01²), bias 0, BN γ=1 β=0."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0.0, 0.01)
                nn.init.zeros_(m.bias)

    # ---- 입력 검사 ----
    def check_input(self, x: torch.Tensor) -> None:
        """rank, dtype, channel 수, head가 요구하는 공간 크기를 확인한다 (틀리면 필요한 shape를 말하는 ValueError)."""
        if not isinstance(x, torch.Tensor) or not x.is_floating_point():
            raise ValueError(f"VGG 입력은 float tensor여야 합니다: 받은 {type(x).__name__} {getattr(x, 'dtype', '')}")
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"VGG 입력은 shape (N, {self.in_channels}, H, W)이어야 합니다: "
                             f"받은 shape {tuple(x.shape)}")
        h, w = x.shape[2:]
        smallest = 2 ** self.n_pools                                                  # pool마다 절반 → 최소 1×1
        if self.head == "cifar" and (h, w) != (CIFAR_SIZE, CIFAR_SIZE):
            raise ValueError(f"CIFAR head는 shape (N, {self.in_channels}, {CIFAR_SIZE}, {CIFAR_SIZE}) 입력만 받습니다 "
                             f"(pool {self.n_pools}번 뒤 1×1): 받은 shape {tuple(x.shape)}")
        if self.head == "imagenet" and min(h, w) < smallest:
            raise ValueError(f"ImageNet head는 H, W ≥ {smallest}인 입력이 필요합니다 (논문은 224×224, max-pool "
                             f"{self.n_pools}번 뒤에도 1×1 이상 남아야 함): 받은 shape {tuple(x.shape)}")

    # ---- forward ----
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, 3, H, W) → logits (N, num_classes). softmax는 loss(F.cross_entropy)가 한다."""
        self.check_input(x)
        x = self.features(x)                                   # (N, C, H/32, W/32)
        x = self.avgpool(x)                                    # imagenet: (N, C, 7, 7), cifar: (N, C, 1, 1)
        x = torch.flatten(x, 1)                                # (N, C·7·7) 또는 (N, C)
        return self.classifier(x)                              # (N, num_classes)

    def feature_maps(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """층 이름(`conv{stage}_{i}` = ReLU 뒤, `pool{stage}`) → 그 층의 출력. 깊이별 feature map 그림에 쓴다."""
        self.check_input(x)
        maps, stage, index = {}, 1, 0
        for layer in self.features:
            x = layer(x)
            if isinstance(layer, nn.ReLU):
                index += 1
                maps[f"conv{stage}_{index}"] = x
            elif isinstance(layer, nn.MaxPool2d):
                maps[f"pool{stage}"] = x
                stage, index = stage + 1, 0
        return maps

    # ---- production twin ----
    @classmethod
    def from_reference(cls, reference: nn.Module) -> VGG:
        """torchvision VGG(`vgg11 … vgg19_bn` 또는 같은 구조의 `torchvision.models.VGG`)와 같은 설정의 모델을 만들고
        가중치·BN 통계를 복사한다. key는 같고 전치는 없다; 모든 key를 shape 검사하며 정확히 한 번 쓴다.
        동작을 바꾸는 설정도 옮긴다: classifier의 dropout p, BN의 eps와 momentum, train/eval 모드.

        구조를 읽을 수 없으면(VGG가 아님, 3×3이 아닌 conv, 모르는 층, classifier 모양이 다름) 무엇이 달랐는지
        말하는 ValueError.
        """
        config, batch_norm, in_channels = _read_reference_features(reference)
        num_classes, hidden, dropout = _read_reference_classifier(reference, config)
        with torch.device("meta"):                     # 크기가 큰 VGG도 초기화 비용 없이 틀만 만든다
            model = cls(config, batch_norm=batch_norm, num_classes=num_classes, head="imagenet", hidden=hidden,
                        dropout=dropout, in_channels=in_channels, init_weights=False)
        device = next(reference.parameters()).device
        model.to_empty(device=device)
        ours, theirs = model.state_dict(), reference.state_dict()
        missing, unexpected = sorted(set(ours) - set(theirs)), sorted(set(theirs) - set(ours))
        if missing or unexpected:
            raise ValueError(f"state_dict key가 맞지 않습니다: 우리 쪽에만 {missing}, reference에만 {unexpected}")
        with torch.no_grad():
            for key, target in ours.items():
                source = theirs[key]
                if source.shape != target.shape:
                    raise ValueError(f"{key}: shape {tuple(target.shape)}가 필요한데 reference는 {tuple(source.shape)}")
                target.copy_(source)
        for index, layer in enumerate(model.features):        # 가중치 밖의 BN 설정: eps, momentum (train 모드 동작)
            if isinstance(layer, nn.BatchNorm2d):
                layer.eps, layer.momentum = reference.features[index].eps, reference.features[index].momentum
        return model.train(reference.training)

    @classmethod
    def from_pretrained(cls, name: str, progress: bool = True, download: bool = True) -> VGG:
        """`from_pretrained(name)`과 같다 (torchvision의 ImageNet 가중치: torch hub cache, 없으면 내려받음)."""
        return from_pretrained(name, progress, download)


# ---------------------------------------------------------------------------------------------------------
# from_reference가 읽는 torchvision VGG 구조
# ---------------------------------------------------------------------------------------------------------
def _read_reference_features(reference: nn.Module) -> tuple[list, bool, int]:
    """reference.features → (config list, batch_norm, in_channels). 우리 VGG가 표현할 수 없으면 ValueError."""
    kind = type(reference).__name__
    if not all(isinstance(getattr(reference, name, None), nn.Module) for name in ("features", "avgpool", "classifier")):
        raise ValueError(f"VGG가 아닌 모델입니다: features / avgpool / classifier가 있는 torchvision VGG가 필요한데 "
                         f"{kind}를 받았습니다")
    layers = list(reference.features)
    config, bn_flags, in_channels, i = [], [], None, 0
    while i < len(layers):
        layer = layers[i]
        if isinstance(layer, nn.MaxPool2d):
            if _pair(layer.kernel_size) != (2, 2) or _pair(layer.stride) != (2, 2) or _pair(layer.padding) != (0, 0):
                raise ValueError(f"features.{i}: VGG의 max-pool은 2×2, stride 2, padding 0이어야 합니다: {layer}")
            config.append("M")
            i += 1
            continue
        if not isinstance(layer, nn.Conv2d):
            raise ValueError(f"features.{i}: Conv2d 또는 MaxPool2d가 와야 할 자리에 {type(layer).__name__}가 있습니다")
        if (layer.kernel_size, layer.stride, layer.padding, layer.dilation, layer.groups) != ((3, 3), (1, 1), (1, 1),
                                                                                           (1, 1), 1) \
                or layer.bias is None:
            raise ValueError(f"features.{i}: VGG의 conv는 3×3, stride 1, padding 1, bias 있음이어야 합니다: {layer}")
        in_channels = layer.in_channels if in_channels is None else in_channels
        has_bn = i + 1 < len(layers) and isinstance(layers[i + 1], nn.BatchNorm2d)
        if has_bn and (not layers[i + 1].affine or not layers[i + 1].track_running_stats):
            raise ValueError(f"features.{i + 1}: BatchNorm2d는 affine=True, track_running_stats=True여야 합니다 "
                             f"(우리 VGG의 BN은 γ·β와 running 통계를 가진다)")
        relu = i + 1 + has_bn
        if relu >= len(layers) or not isinstance(layers[relu], nn.ReLU):
            raise ValueError(f"features.{relu}: conv{' → BN' if has_bn else ''} 뒤에 ReLU가 있어야 합니다")
        config.append(layer.out_channels)
        bn_flags.append(has_bn)
        i = relu + 1
    if not bn_flags:
        raise ValueError(f"{kind}.features에 conv가 없습니다")
    if len(set(bn_flags)) != 1:
        raise ValueError("BatchNorm이 일부 conv 뒤에만 있습니다: 모든 conv 뒤에 있거나 하나도 없어야 합니다")
    return config, bn_flags[0], in_channels


def _read_reference_classifier(reference: nn.Module, config: list) -> tuple[int, int, float]:
    """reference.avgpool / classifier → (num_classes, hidden, dropout). torchvision의 ImageNet head만 읽는다."""
    pool = reference.avgpool
    if not isinstance(pool, nn.AdaptiveAvgPool2d) or _pair(pool.output_size) != (IMAGENET_POOL, IMAGENET_POOL):
        raise ValueError(f"avgpool은 AdaptiveAvgPool2d((7, 7))이어야 합니다: 받은 {pool}")
    head = list(reference.classifier)
    kinds = [nn.Linear, nn.ReLU, nn.Dropout, nn.Linear, nn.ReLU, nn.Dropout, nn.Linear]
    if len(head) != len(kinds) or not all(isinstance(m, k) for m, k in zip(head, kinds)):
        found = [type(m).__name__ for m in head]
        raise ValueError(f"classifier는 Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear여야 합니다: 받은 {found}")
    channels = [v for v in config if v != "M"][-1]
    expected_in = channels * IMAGENET_POOL * IMAGENET_POOL
    if head[0].in_features != expected_in:
        raise ValueError(f"classifier.0의 입력은 {channels}·7·7 = {expected_in}이어야 합니다: "
                         f"받은 {head[0].in_features}")
    hidden = head[0].out_features
    if head[3].in_features != hidden or head[3].out_features != hidden or head[6].in_features != hidden:
        raise ValueError(f"classifier의 hidden 크기가 일정하지 않습니다: {head[0]}, {head[3]}, {head[6]}")
    if head[2].p != head[5].p:
        raise ValueError(f"두 Dropout의 p가 다릅니다: {head[2].p} vs {head[5].p}")
    return head[6].out_features, hidden, head[2].p


def _pair(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


# ---------------------------------------------------------------------------------------------------------
# factory와 pretrained
# ---------------------------------------------------------------------------------------------------------
def vgg11(batch_norm: bool = False, num_classes: int = 1000, head: str = "imagenet", width: float = 1.0,
          **kwargs) -> VGG:
    """configuration A (8 conv + 3 FC = 11 weight 층)."""
    return VGG("A", batch_norm=batch_norm, num_classes=num_classes, head=head, width=width, **kwargs)


def vgg13(batch_norm: bool = False, num_classes: int = 1000, head: str = "imagenet", width: float = 1.0,
          **kwargs) -> VGG:
    """configuration B (10 conv + 3 FC = 13 weight 층)."""
    return VGG("B", batch_norm=batch_norm, num_classes=num_classes, head=head, width=width, **kwargs)


def vgg16(batch_norm: bool = False, num_classes: int = 1000, head: str = "imagenet", width: float = 1.0,
          **kwargs) -> VGG:
    """configuration D (13 conv + 3 FC = 16 weight 층). 논문의 대표 모델."""
    return VGG("D", batch_norm=batch_norm, num_classes=num_classes, head=head, width=width, **kwargs)


def vgg19(batch_norm: bool = False, num_classes: int = 1000, head: str = "imagenet", width: float = 1.0,
          **kwargs) -> VGG:
    """configuration E (16 conv + 3 FC = 19 weight 층)."""
    return VGG("E", batch_norm=batch_norm, num_classes=num_classes, head=head, width=width, **kwargs)


class PretrainedUnavailable(DatasetUnavailable):
    """pretrained 가중치를 얻을 수 없을 때 (오프라인, cache에 없음 등). 메시지는 무엇을 하면 되는지 한 문장으로.

    `DatasetUnavailable`의 하위 class라서 `utils.cli.cli`가 traceback 없이 그 문장과 exit code 2로 끝낸다.
    """


def from_pretrained(name: str, progress: bool = True, download: bool = True) -> VGG:
    """torchvision의 ImageNet pretrained VGG(`vgg16`, `vgg16_bn`, ...)를 우리 VGG로 옮긴다. **부를 때만** 내려받는다.

    가중치 파일(VGG-16은 약 528 MB)은 torch hub cache(`$TORCH_HOME/hub/checkpoints`)에 있으면 거기서 읽고, 없으면
    download=True일 때 받는다 (`utils.hub.torchvision_state_dict`). 얻을 수 없으면 `PretrainedUnavailable`(한 문장).
    입력 전처리는 torchvision과 같다: 224×224, ImageNet 평균·표준편차로 표준화.
    """
    import torchvision

    if name not in PRETRAINED:
        raise ValueError(f"알 수 없는 pretrained 이름 {name!r}: {', '.join(PRETRAINED)} 중 하나를 고르세요")
    try:
        state = torchvision_state_dict(name, download=download, progress=progress)
    except DatasetUnavailable as error:
        raise PretrainedUnavailable(str(error)) from None
    with torch.device("meta"):
        reference = getattr(torchvision.models, name)(weights=None)
    reference.load_state_dict(state, assign=True)            # meta tensor 자리에 받은 tensor를 그대로 꽂는다
    return VGG.from_reference(reference.eval()).eval()


def n_parameters(module: nn.Module) -> int:
    """학습되는 parameter 수 (BN의 running mean/var는 buffer라 들어가지 않는다)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


# ---------------------------------------------------------------------------------------------------------
# receptive field: 층마다 해석적으로, 그리고 gradient로 재서
# ---------------------------------------------------------------------------------------------------------
def layer_geometry(config) -> list[tuple[str, int, int, int]]:
    """config → [(층 이름, kernel, stride, padding)]. conv는 (3, 1, 1), max-pool은 (2, 2, 0)."""
    layers, stage, index = [], 1, 0
    for v in scale_config(config):
        if v == "M":
            layers.append((f"pool{stage}", 2, 2, 0))
            stage, index = stage + 1, 0
        else:
            index += 1
            layers.append((f"conv{stage}_{index}", 3, 1, 1))
    return layers


def receptive_fields(config) -> list[tuple[str, int, int]]:
    """층마다 (이름, receptive field 크기 r, jump j).

    r_l = r_{l−1} + (K − 1)·j_{l−1},  j_l = j_{l−1}·S  (theory.md §1).
    """
    size, jump, table = 1, 1, []
    for name, kernel, stride, _ in layer_geometry(config):
        size += (kernel - 1) * jump
        jump *= stride
        table.append((name, size, jump))
    return table


def measure_receptive_fields(config, input_size: int | None = None) -> list[int]:
    """층마다 가운데 unit 하나의 입력 gradient가 0이 아닌 열의 폭 = 실제로 잰 receptive field 크기.

    channel 1개, 가중치가 모두 1인 3×3 conv와 2×2 평균 pool(max-pool과 window가 같다)을 쌓는다. 이 net은 선형이고
    계수가 모두 양수라, gradient는 receptive field 안에서 양수(경로 수), 밖에서 정확히 0이다.
    input_size는 가장 큰 receptive field보다 커야 테두리에 잘리지 않는다. None이면 (계산한 최대 크기 + 16)을
    32의 배수로 올린 값 (VGG-19: 268 → 288).
    """
    if input_size is None:
        largest = receptive_fields(config)[-1][1]
        input_size = -(-(largest + 16) // 32) * 32
    x = torch.zeros(1, 1, input_size, input_size, dtype=torch.float64, requires_grad=True)
    ones = torch.ones(1, 1, 3, 3, dtype=torch.float64)
    sizes, h = [], x
    for _, kernel, _, _ in layer_geometry(config):
        h = F.conv2d(h, ones, padding=1) if kernel == 3 else F.avg_pool2d(h, 2)
        if h.shape[-1] < 1:
            raise ValueError(f"input_size={input_size}가 너무 작습니다: 층을 지나며 크기가 0이 됩니다")
        center = h.shape[-1] // 2
        (grad,) = torch.autograd.grad(h[0, 0, center, center], x, retain_graph=True)
        columns = torch.nonzero(grad[0, 0].abs().sum(dim=0)).flatten()             # 0이 아닌 열
        sizes.append(int(columns.max() - columns.min() + 1))
    return sizes
