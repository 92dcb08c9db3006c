"""L4 — production ResNet 읽기: torchvision·timm·우리 L3 `ResNet` 사이에서 가중치를 옮기고 같은 함수임을 보인다.

논문: K. He, X. Zhang, S. Ren & J. Sun (2016), "Deep Residual Learning for Image Recognition", CVPR.
    - 식 (1): y = F(x, {W_i}) + x          (shortcut이 identity일 때)
    - 식 (2): y = F(x, {W_i}) + W_s x      (channel 수나 해상도가 바뀔 때 projection shortcut, 1×1 conv)
    - Section 3.3·Table 1: 7×7/2 stem conv → 3×3/2 max-pool → conv2_x … conv5_x (= layer1 … layer4) → global
      average pool → 1000-way fc. 해상도를 줄이는 stride 2는 conv3_1, conv4_1, conv5_1에서.
    - Section 3.4: conv 뒤, 활성화 앞에 BatchNorm.

읽은 코드 (설치된 버전; 안내서는 같은 폴더의 README.md):
    torchvision 0.29.1   torchvision/models/resnet.py    `ResNet`, `BasicBlock`, `Bottleneck`, `_make_layer`
    timm 1.0.31          timm/models/resnet.py           `ResNet`, `BasicBlock`, `Bottleneck`, `make_blocks`

세 구현은 parameter·buffer 이름이 모두 torchvision의 이름과 같다 (timm은 주석에서 "weight compat"을 위해 이름을
지켰다고 말한다). 그래서 가중치를 옮기는 일은 이름을 바꾸는 일이 아니라, **이름이 같은 두 모델이 정말 같은 계산을
하는지** 확인하는 일이 된다. `port_weights`는 다음을 차례로 확인한 뒤에만 복사한다:
    1. key: 양쪽 state_dict의 key 집합이 정확히 같다 (빠진 key, 남는 key를 이름으로 말한다).
    2. shape: key마다 shape가 같다.
    3. 계산: 이름이 같은 conv의 kernel/stride/padding/dilation/groups, BatchNorm의 eps, stem max-pool, head pooling,
       활성 함수가 같다. v1(stride를 1×1 conv1에)과 v1.5(stride를 3×3 conv2에)는 key와 shape가 똑같지만 다른
       함수이므로, 여기서 stride 차이로 거부된다.

실행:  python -m 05_ResNet.analysis.resnet_analysis [--arch resnet50] [--data sample_images|synthetic] [--quick]
       python -m 05_ResNet.analysis.resnet_analysis --pretrained      # torchvision의 ImageNet 가중치 (인터넷 필요)
기본 실행은 오프라인이다: 무작위 가중치(BatchNorm의 통계와 affine도 무작위로 채워 모든 parameter가 출력에 영향을
주게 한다)와 scikit-learn에 들어 있는 사진 두 장(`load_sample_images`: china.jpg, flower.jpg).
"""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import timm
import timm.models.resnet as timm_resnet
import torch
import torch.nn.functional as F
import torchvision
import torchvision.models.resnet as tv_resnet
from torch import nn

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import DatasetUnavailable, Timer, limit_threads
from utils.visualization import plot_feature_maps

from ..paper import resnet

READ_FROM = {"torchvision": "0.29.1", "timm": "1.0.31"}        # 안내서(README.md)가 읽은 버전
DATA_CHOICES = ("sample_images", "synthetic")
ARCHS = {                                                       # 이름 → (block 종류, stage마다 block 수)  Table 1
    "resnet18": ("basic", (2, 2, 2, 2)),
    "resnet34": ("basic", (3, 4, 6, 3)),
    "resnet50": ("bottleneck", (3, 4, 6, 3)),
    "resnet101": ("bottleneck", (3, 4, 23, 3)),
    "resnet152": ("bottleneck", (3, 8, 36, 3)),
}
STAGES = ("maxpool", "layer1", "layer2", "layer3", "layer4")    # forward hook을 거는 곳: stem의 끝과 네 stage
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
BLOCK_PREFIX = re.compile(r"^layer\d+\.\d+\.")              # "layer3.5." → 같은 종류의 block끼리 묶을 때
REQUIRED_SUBMODULES = ("conv1", "bn1", "maxpool", "layer1", "layer2", "layer3", "layer4", "fc")


# ---------------------------------------------------------------------------
# 1. 설정 읽기와 모델 만들기
# ---------------------------------------------------------------------------
def resnet_config(model: nn.Module) -> dict:
    """ResNet 모양의 모델(torchvision, timm, 우리 L3)에서 {"block", "layers", "num_classes"}를 읽어 낸다.

    block은 첫 block에 conv3가 있으면 "bottleneck", 없으면 "basic". layers는 layer1..layer4의 block 수.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"nn.Module이 필요합니다: 받은 {type(model).__name__}")
    children = dict(model.named_children())
    missing = [name for name in REQUIRED_SUBMODULES if name not in children]
    if missing:
        raise ValueError(f"ResNet 구조가 아닙니다 ({type(model).__name__}): submodule {missing}이 없습니다 "
                         f"(필요: {', '.join(REQUIRED_SUBMODULES)})")
    block = "bottleneck" if hasattr(model.layer1[0], "conv3") else "basic"
    layers = tuple(len(children[f"layer{i}"]) for i in range(1, 5))
    return {"block": block, "layers": layers, "num_classes": int(model.fc.out_features)}


def arch_name(config: dict) -> str:
    """Table 1의 이름 (resnet18 … resnet152), 표에 없는 조합이면 "custom"."""
    for name, (block, layers) in ARCHS.items():
        if config["block"] == block and tuple(config["layers"]) == layers:
            return name
    return "custom"


def build_torchvision(config: dict) -> nn.Module:
    """torchvision `ResNet(block, layers, num_classes)`: 공장 함수 resnet50() 등이 부르는 바로 그 생성자."""
    block = tv_resnet.Bottleneck if config["block"] == "bottleneck" else tv_resnet.BasicBlock
    return tv_resnet.ResNet(block, list(config["layers"]), num_classes=config["num_classes"])


def build_timm(config: dict) -> nn.Module:
    """timm `ResNet(block, layers, num_classes)`: timm.create_model("resnet50")가 부르는 생성자 (기본 인자 그대로)."""
    block = timm_resnet.Bottleneck if config["block"] == "bottleneck" else timm_resnet.BasicBlock
    return timm_resnet.ResNet(block=block, layers=tuple(config["layers"]), num_classes=config["num_classes"])


def randomize_batchnorm_(model: nn.Module, seed: int = 0) -> nn.Module:
    """모든 BatchNorm의 weight·bias·running_mean·running_var를 무작위 값으로 채운다 (제자리, seed 고정).

    갓 만든 모델의 BN은 평가 모드에서 거의 항등 함수이고(running 통계 0과 1, weight 1, bias 0), timm은 게다가
    residual branch의 마지막 BN weight를 0으로 둔다 (`zero_init_last`). 그대로 parity를 재면 BN 가중치를 잘못
    옮겨도 통과할 수 있다. 그래서 비교 전에 모든 BN 값을 서로 다르게 만든다.
    """
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                c = module.num_features
                module.weight.copy_(0.5 + 0.5 * torch.rand(c, generator=generator))
                module.bias.copy_(0.1 * torch.randn(c, generator=generator))
                module.running_mean.copy_(0.1 * torch.randn(c, generator=generator))
                module.running_var.copy_(0.75 + 0.5 * torch.rand(c, generator=generator))
    return model


# ---------------------------------------------------------------------------
# 2. key map과 가중치 옮기기
# ---------------------------------------------------------------------------
def key_map(source: nn.Module, target: nn.Module) -> list[tuple[str, str, tuple[int, ...]]]:
    """source state_dict의 key → target key 목록 [(source key, target key, shape)].

    세 구현의 이름이 같으므로 target key는 source key와 같다. 대신 모든 key가 정확히 한 번 쓰이는지(빠짐·남음),
    shape가 같은지를 확인하고, 아니면 무엇이 어긋났는지 이름으로 말하는 ValueError를 낸다.
    """
    source_state, target_state = source.state_dict(), target.state_dict()
    missing = [k for k in target_state if k not in source_state]        # target에 있는데 source에 없음
    unexpected = [k for k in source_state if k not in target_state]     # source에 있는데 target에 없음
    if missing or unexpected:
        raise ValueError(f"{type(source).__name__} → {type(target).__name__}: state_dict key가 맞지 않습니다 — "
                         f"target에만 있는 key {_short_list(missing)}, source에만 있는 key {_short_list(unexpected)}")
    mapping = []
    for name, tensor in source_state.items():
        shape = tuple(tensor.shape)
        if tuple(target_state[name].shape) != shape:
            raise ValueError(f"{name}: shape가 다릅니다 — source {shape}, target {tuple(target_state[name].shape)}")
        mapping.append((name, name, shape))
    return mapping


def _short_list(names: list[str], limit: int = 6) -> str:
    shown = ", ".join(names[:limit])
    return f"[{shown}{', …' if len(names) > limit else ''}] ({len(names)}개)"


def head_pool_type(model: nn.Module) -> str:
    """마지막 global pooling의 종류. torchvision·L3: `avgpool`(AdaptiveAvgPool2d(1)), timm: `global_pool.pool_type`."""
    pool = getattr(model, "global_pool", None)
    if pool is not None and hasattr(pool, "pool_type"):
        return str(pool.pool_type)
    pool = getattr(model, "avgpool", None)
    if isinstance(pool, nn.AdaptiveAvgPool2d) and pool.output_size in (1, (1, 1)):
        return "avg"
    return f"알 수 없음 ({type(pool).__name__})"


def _computation(model: nn.Module) -> dict[str, tuple]:
    """이름이 같은 module마다 출력에 영향을 주는 hyper-parameter. key가 같아도 이것이 다르면 다른 함수다."""
    facts: dict[str, tuple] = {}
    for name, module in model.named_modules():
        if isinstance(module, nn.Conv2d):
            facts[name] = ("Conv2d", "kernel", module.kernel_size, "stride", module.stride, "padding", module.padding,
                           "dilation", module.dilation, "groups", module.groups)
        elif isinstance(module, nn.BatchNorm2d):
            facts[name] = ("BatchNorm2d", "eps", module.eps)
    stem_pool = dict(model.named_children()).get("maxpool")
    if isinstance(stem_pool, nn.MaxPool2d):
        facts["maxpool"] = ("MaxPool2d", "kernel", stem_pool.kernel_size, "stride", stem_pool.stride,
                            "padding", stem_pool.padding, "ceil_mode", stem_pool.ceil_mode)
    else:
        facts["maxpool"] = (type(stem_pool).__name__,)
    facts["(head pooling)"] = (head_pool_type(model),)
    activations = sorted({type(m).__name__ for m in model.modules()
                          if type(m).__module__ == "torch.nn.modules.activation"})
    facts["(활성 함수)"] = tuple(activations)
    return facts


def check_same_computation(source: nn.Module, target: nn.Module) -> None:
    """key·shape가 같은 두 모델이 같은 계산을 하는지 확인한다. 다르면 module 이름과 두 값을 말하는 ValueError."""
    a, b = _computation(source), _computation(target)
    problems = []
    for name in sorted(set(a) | set(b)):
        if a.get(name) != b.get(name):
            problems.append(f"{name}: source {a.get(name)} / target {b.get(name)}")
    if problems:
        hint = ""
        if any("stride" in p for p in problems):
            hint = " (stride 위치가 다르면 v1(conv1에 stride)과 v1.5(conv2에 stride)처럼 key는 같아도 다른 함수입니다)"
        raise ValueError(f"{type(source).__name__} → {type(target).__name__}: 이름은 같지만 계산이 다릅니다{hint} — "
                         + "; ".join(problems[:4]) + (f"; … ({len(problems)}곳)" if len(problems) > 4 else ""))


def port_weights(source: nn.Module, target: nn.Module) -> list[tuple[str, str, tuple[int, ...]]]:
    """source의 parameter·buffer를 target에 복사하고 key map을 돌려준다 (key → 계산 → 복사 순서로 확인).

    num_batches_tracked 같은 buffer도 state_dict의 일부이므로 함께 옮긴다: "모든 key를 정확히 한 번".
    """
    resnet_config(source)
    resnet_config(target)
    mapping = key_map(source, target)
    check_same_computation(source, target)
    source_state, target_state = source.state_dict(), target.state_dict()
    with torch.no_grad():
        for source_key, target_key, _ in mapping:
            target_state[target_key].copy_(source_state[source_key])
    return mapping


def torchvision_to_timm(tv_model: nn.Module) -> tuple[nn.Module, list]:
    """torchvision ResNet → 같은 설정의 timm ResNet (가중치 복사). (timm 모델, key map)."""
    timm_model = build_timm(resnet_config(tv_model))
    return timm_model, port_weights(tv_model, timm_model)


def timm_to_torchvision(timm_model: nn.Module) -> tuple[nn.Module, list]:
    """timm ResNet → 같은 설정의 torchvision ResNet (가중치 복사). (torchvision 모델, key map)."""
    tv_model = build_torchvision(resnet_config(timm_model))
    return tv_model, port_weights(timm_model, tv_model)


def summarize_key_map(mapping) -> list[str]:
    """key map을 block 번호를 지운 pattern으로 묶는다: "layer*.*.conv1.weight → layer*.*.conv1.weight ×16"."""
    def pattern(key: str) -> str:
        return BLOCK_PREFIX.sub("layer*.*.", key)

    counts = Counter((pattern(s), pattern(t)) for s, t, _ in mapping)
    first_shape = {}
    for s, t, shape in mapping:
        first_shape.setdefault((pattern(s), pattern(t)), shape)
    width = max(len(s) for s, _ in counts)
    return [f"{s:<{width}} → {t:<{width}} ×{n:<3d} 예: {first_shape[(s, t)]}" for (s, t), n in counts.items()]


def module_name_differences(a: nn.Module, b: nn.Module) -> tuple[list[str], list[str]]:
    """parameter가 없는 module까지 포함한 module 이름 집합의 차이 (a에만, b에만). key가 같아도 module 나무는 다르다."""
    names_a = {n for n, _ in a.named_modules() if n}
    names_b = {n for n, _ in b.named_modules() if n}
    return sorted(names_a - names_b), sorted(names_b - names_a)


# ---------------------------------------------------------------------------
# 3. forward hook
# ---------------------------------------------------------------------------
def capture_features(model: nn.Module, x: torch.Tensor, names=STAGES, clone: bool = True) -> dict[str, torch.Tensor]:
    """`register_forward_hook`으로 이름 붙은 module들의 출력을 잡는다 (평가 모드, no_grad). 끝나면 hook을 지운다.

    clone=True가 기본인 이유: torchvision과 timm의 ReLU는 `inplace=True`라서, 예를 들어 `bn1`의 출력 tensor를
    바로 다음 ReLU가 제자리에서 덮어쓴다. 복사하지 않고 참조만 잡아 두면 BN 출력이 아니라 ReLU 출력을 보게 된다.
    """
    modules = dict(model.named_modules())
    unknown = [name for name in names if name not in modules]
    if unknown:
        raise ValueError(f"{type(model).__name__}에 module {unknown}이 없습니다")
    captured: dict[str, torch.Tensor] = {}
    handles = []
    for name in names:
        def hook(module, inputs, output, name=name):
            captured[name] = output.detach().clone() if clone else output.detach()
        handles.append(modules[name].register_forward_hook(hook))
    model.eval()
    try:
        with torch.no_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    return captured


def count_calls(model: nn.Module, name: str, x: torch.Tensor) -> int:
    """forward 한 번에 module `name`이 몇 번 불리는지. torchvision block의 `relu`는 한 module을 여러 번 쓴다."""
    calls = []
    handle = dict(model.named_modules())[name].register_forward_hook(lambda *_: calls.append(1))
    model.eval()
    try:
        with torch.no_grad():
            model(x)
    finally:
        handle.remove()
    return len(calls)


# ---------------------------------------------------------------------------
# 4. 입력과 비교
# ---------------------------------------------------------------------------
def load_input(data: str, size: int, batch: int, seed: int) -> torch.Tensor:
    """(batch, 3, size, size) float32 입력. ImageNet 평균·표준편차로 정규화한다.

    sample_images: scikit-learn에 들어 있는 사진 두 장(china.jpg, flower.jpg)의 가운데 정사각형을 size로 줄인 것
    (batch가 2보다 크면 번갈아 쓴다). synthetic: 표준 정규 난수.
    """
    if size < 32:
        raise ValueError(f"image size는 32 이상이어야 합니다 (stem과 네 stage가 해상도를 1/32로 줄인다): {size}")
    if batch < 1:
        raise ValueError(f"batch는 1 이상이어야 합니다: {batch}")
    if data == "synthetic":
        generator = torch.Generator().manual_seed(seed)
        return torch.randn(batch, 3, size, size, generator=generator)
    if data != "sample_images":
        raise ValueError(f"data는 {DATA_CHOICES} 중 하나여야 합니다: {data!r}")
    from sklearn.datasets import load_sample_images

    tensors = []
    for image in load_sample_images().images:                        # (H, W, 3) uint8
        h, w, _ = image.shape
        side = min(h, w)
        top, left = (h - side) // 2, (w - side) // 2
        square = torch.from_numpy(np.ascontiguousarray(image[top:top + side, left:left + side]))
        chw = square.permute(2, 0, 1).float().div(255.0)[None]       # (1, 3, side, side)
        tensors.append(F.interpolate(chw, size=(size, size), mode="bilinear", antialias=True, align_corners=False))
    images = torch.cat([tensors[i % len(tensors)] for i in range(batch)])     # (B, 3, size, size)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (images - mean) / std


def max_abs_diff(a: nn.Module, b: nn.Module, x: torch.Tensor) -> float:
    """평가 모드에서 두 모델의 출력 최대 절대 차이."""
    a.eval()
    b.eval()
    with torch.no_grad():
        return float((a(x) - b(x)).abs().max())


def n_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def _pretrained_torchvision(arch: str) -> tuple[nn.Module, list[str]]:
    """torchvision의 IMAGENET1K_V1 가중치. 받을 수 없으면 traceback 대신 한 문장 (DatasetUnavailable)."""
    builder = getattr(torchvision.models, arch)
    weights = torchvision.models.get_model_weights(builder).IMAGENET1K_V1
    try:
        model = builder(weights=weights)
    except Exception as error:                                    # URLError, HTTPError, hash 불일치 등
        raise DatasetUnavailable(f"{arch}의 pretrained 가중치({weights.url})를 받을 수 없습니다 "
                                 f"({type(error).__name__}): 인터넷 연결을 확인하거나 --pretrained 없이 실행하세요"
                                 ) from error
    return model, list(weights.meta["categories"])


# ---------------------------------------------------------------------------
# 5. main
# ---------------------------------------------------------------------------
def main(argv=None) -> dict:
    parser = make_parser("05_ResNet", "analysis",
                         "L4: torchvision ↔ timm ↔ L3 ResNet 가중치 옮기기, parity, forward hook feature map",
                         DATA_CHOICES, "sample_images", default_epochs=1)
    parser.add_argument("--arch", choices=tuple(ARCHS), default="resnet50", help="Table 1의 깊이 (기본 resnet50)")
    parser.add_argument("--image-size", type=int, default=224, help="입력 해상도 (기본 224; 32 이상)")
    parser.add_argument("--batch", type=int, default=2, help="입력 이미지 수 (기본 2)")
    parser.add_argument("--pretrained", action="store_true",
                        help="무작위 대신 torchvision의 ImageNet 가중치 IMAGENET1K_V1에서 시작 (인터넷 필요)")
    args = parse_args(parser, argv)
    if args.quick:
        args.arch, args.image_size = "resnet18", 64
    out = Path(args.out)
    for flag, installed in (("torchvision", torchvision.__version__), ("timm", timm.__version__)):
        if not installed.startswith(READ_FROM[flag]):
            print(f"참고: 안내서는 {flag} {READ_FROM[flag]}을 읽고 썼습니다. 설치된 버전은 {installed}입니다 — "
                  f"test_analysis.py가 안내서가 기대는 사실을 확인합니다.")

    with limit_threads(args.threads), Timer() as timer:
        seed_everything(args.seed)
        x = load_input(args.data, args.image_size, args.batch, args.seed)
        categories = None
        if args.pretrained:
            tv_model, categories = _pretrained_torchvision(args.arch)
        else:
            block, layers = ARCHS[args.arch]
            tv_model = randomize_batchnorm_(build_torchvision({"block": block, "layers": layers, "num_classes": 1000}),
                                            seed=args.seed)
        tv_model.eval()

        # (1) torchvision → timm, (2) timm → torchvision (새로 만든, 다른 초기값의 모델로)
        timm_model, mapping = torchvision_to_timm(tv_model)
        tv_back, _ = timm_to_torchvision(timm_model)
        # (3) torchvision → 우리 L3 (`ResNet.from_reference`), (4) L3 → torchvision (이 파일의 `port_weights`)
        ours = resnet.ResNet.from_reference(tv_model)
        tv_from_ours = build_torchvision(resnet_config(ours))
        port_weights(ours, tv_from_ours)
        models = {"torchvision": tv_model, "timm": timm_model, "paper": ours}
        ports = {
            "torchvision→timm": max_abs_diff(tv_model, timm_model, x),
            "timm→torchvision": max_abs_diff(timm_model, tv_back, x),
            "torchvision→paper": max_abs_diff(tv_model, ours, x),
            "paper→torchvision": max_abs_diff(ours, tv_from_ours, x),
        }
        counts = {name: n_parameters(model) for name, model in models.items()}

        # forward hook: stem의 끝(maxpool)과 layer1..layer4의 출력을 세 모델에서 잡아 비교한다
        features = {name: capture_features(model, x) for name, model in models.items()}
        feature_diffs = {stage: max(float((features[name][stage] - features["torchvision"][stage]).abs().max())
                                    for name in ("timm", "paper"))
                         for stage in STAGES}
        relu_calls = {"torchvision layer1.0.relu": count_calls(tv_model, "layer1.0.relu", x),
                      "timm layer1.0.act1": count_calls(timm_model, "layer1.0.act1", x)}
        predictions = None
        if categories is not None:
            with torch.no_grad():
                top5 = tv_model(x).softmax(dim=1).topk(5, dim=1)
            predictions = [[(categories[int(i)], round(float(p), 4)) for p, i in zip(ps, idx)]
                           for ps, idx in zip(top5.values, top5.indices)]

    only_tv, only_timm = (sorted({BLOCK_PREFIX.sub("layer*.*.", n) for n in names})
                          for names in module_name_differences(tv_model, timm_model))
    print(f"\n{args.arch}: state_dict key {len(mapping)}개 — torchvision → timm key map (block 번호를 *로 묶음):")
    for line in summarize_key_map(mapping):
        print("  " + line)
    print("\nparameter가 없는 module은 이름이 다르다 (key에는 나타나지 않는다):")
    print(f"  torchvision에만: {_short_list(only_tv, limit=12)}")
    print(f"  timm에만:        {_short_list(only_timm, limit=12)}")
    print(f"\nforward 한 번에 불리는 횟수: {relu_calls}")
    print("\n옮긴 뒤 출력(logits) 최대 절대 차이:")
    for name, diff in ports.items():
        print(f"  {name:<20} {diff:.3e}")
    print("stage별 feature map 최대 절대 차이 (timm, L3 vs torchvision): "
          + ", ".join(f"{stage} {diff:.1e}" for stage, diff in feature_diffs.items()))
    print(f"parameter 수: {counts}")
    if predictions is not None:
        for i, top in enumerate(predictions):
            print(f"  이미지 {i} top-5: {top}")

    plots = []
    for stage in STAGES:
        maps = features["torchvision"][stage][0, :16]                 # (16, H, W): 첫 이미지의 앞 16개 channel
        shape = tuple(features["torchvision"][stage].shape[1:])
        plots.append(str(plot_feature_maps(maps, out / f"features_{stage}.png",
                                           title=f"{args.arch} {stage} 출력 {shape}의 앞 16 channel (forward hook)")))
    value = max(ports.values())
    result = {
        "model": f"ResNet ({args.arch})", "level": "analysis", "data": args.data, "metric": "max_abs_logit_diff",
        "value": value, "ports": ports, "feature_diffs": feature_diffs, "n_parameters": counts,
        "n_state_keys": len(mapping), "relu_calls": relu_calls, "pretrained": args.pretrained,
        "image_size": args.image_size, "batch": args.batch, "threads": args.threads,
        "versions": {"torchvision": torchvision.__version__, "timm": timm.__version__, "torch": torch.__version__},
        "predictions": predictions, "seconds": timer.seconds, "plots": plots,
    }
    return report(result, out)


if __name__ == "__main__":
    cli(main)
