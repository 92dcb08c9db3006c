"""CNN 속도 측정: 우리 L3 ResNet-50·VGG-16 vs torchvision (CPU), 같은 가중치·같은 입력, 한 번의 실행 안에서.

비교하는 것 (기본: batch 8, 224×224, float32):
    resnet50   `05_ResNet/paper/resnet.py`의 `ResNet.from_reference(torchvision.models.resnet50())`
    vgg16      `04_VGG/paper/vgg.py`의 `VGG.from_reference(torchvision.models.vgg16())`
두 가지 일:
    forward            평가 모드, `torch.no_grad()` 안에서 forward 한 번 (추론)
    forward_backward   학습 모드(BN은 batch 통계, VGG의 dropout 작동)에서 cross-entropy loss의 forward + backward
가중치는 `from_reference`로 복사하므로 두 모델은 같은 함수다 — 시간을 재기 전에 평가 모드 출력의 최대 절대 차이를
재서 표에 적는다 (같은 함수를 재고 있다는 확인).

공정하게 재는 방법:
    - 두 구현을 **번갈아** 잰다 (`utils.benchmark.interleaved_times`: round마다 순서를 뒤집는다). 기계의 부하가
      시간에 따라 바뀌어도 두 구현이 같은 몫을 받고, r번째 표본끼리 같은 round의 쌍이다.
    - 비율 = round마다의 비율 우리 / torchvision의 중앙값, 그 bootstrap 95% 구간, 그리고 goal (L3 / production
      twin ≤ 1×)에 대한 판정 (met / not met / unclear).
    - 벽시계 시간과 함께 이 process의 CPU 시간(`time.process_time`)도 잰다. 기계를 다른 작업과 나눠 쓰면 벽시계
      시간에는 기다린 시간이 섞이지만, thread 1개의 CPU 시간은 실제 계산한 시간에 가깝다 (CPU 시간 비율 열).
    - thread 수(`--threads`, 기본 1)를 torch와 BLAS에 명시적으로 걸고 결과에 기록한다. 실행 전후의 load average도
      기록한다 (`os.getloadavg`) — 다른 작업과 나눠 쓰는 기계라면 그 값과 함께 읽는다.

실행:  python -m 05_ResNet.benchmark_cnn [--models resnet50 vgg16] [--batch 8] [--size 224] [--repeats 7] [--threads 1]
VGG-16의 forward+backward는 batch 8, 224×224에서 한 번에 약 0.5 TFLOP이다 — 1-thread CPU에서 몇 초씩 걸리므로
repeats는 작게 둔다. (timed test는 없다: 시간은 기계와 부하에 따라 다르므로, 테스트는 작은 크기로 한 번 돌고 비율을
돌려주는지만 본다.)
"""
from __future__ import annotations

import importlib

import torch
import torch.nn.functional as F
import torchvision

from utils.benchmark import benchmark_main, compare, interleaved_times
from utils.cli import positive_int

from .paper import resnet

MODELS = ("resnet50", "vgg16")
MODES = ("forward", "forward_backward")


def _vgg_model():
    """04장의 L3 VGG. 폴더 이름이 숫자로 시작해 `import` 문으로는 쓸 수 없으므로 importlib로 가져온다."""
    return importlib.import_module("04_VGG.paper.vgg")


def build_pair(name: str, num_classes: int, seed: int) -> tuple[torch.nn.Module, torch.nn.Module]:
    """(우리 L3 모델, torchvision 모델): torchvision을 seed로 초기화하고 `from_reference`로 같은 가중치를 복사한다."""
    torch.manual_seed(seed)
    if name == "resnet50":
        reference = torchvision.models.resnet50(num_classes=num_classes)
        ours = resnet.ResNet.from_reference(reference)
    elif name == "vgg16":
        reference = torchvision.models.vgg16(num_classes=num_classes)
        ours = _vgg_model().VGG.from_reference(reference)
    else:
        raise ValueError(f"model은 {MODELS} 중 하나여야 합니다: {name!r}")
    return ours, reference


def make_step(model: torch.nn.Module, mode: str, x: torch.Tensor, y: torch.Tensor):
    """시간을 잴 함수 하나. forward: eval + no_grad. forward_backward: train 모드, gradient를 비우고 loss.backward()."""
    if mode == "forward":
        def step():
            model.eval()
            with torch.no_grad():
                return model(x)
    elif mode == "forward_backward":
        def step():
            model.train()
            model.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            return loss
    else:
        raise ValueError(f"mode는 {MODES} 중 하나여야 합니다: {mode!r}")
    return step


def measure(name: str, modes, batch: int, size: int, repeats: int, num_classes: int, seed: int) -> list[dict]:
    ours, reference = build_pair(name, num_classes, seed)
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, 3, size, size, generator=generator)                # (B, 3, size, size)
    y = torch.randint(0, num_classes, (batch,), generator=generator)          # (B,)
    ours.eval()
    reference.eval()
    with torch.no_grad():
        diff = float((ours(x) - reference(x)).abs().max())                    # 같은 함수인지 먼저 확인
    rows = []
    for mode in modes:
        times = interleaved_times({"ours": make_step(ours, mode, x, y),
                                   "torchvision": make_step(reference, mode, x, y)}, repeats)
        rows.append(compare(f"{name} {mode}", "우리 L3", "torchvision", times["ours"], times["torchvision"], "L3",
                            model=name, mode=mode, max_abs_diff=diff))
    return rows


def measure_all(args) -> dict:
    rows = [row for name in args.models
            for row in measure(name, args.modes, args.batch, args.size, args.repeats, args.num_classes, args.seed)]
    return {"batch": args.batch, "size": args.size, "rows": rows,
            "environment": {"torchvision": torchvision.__version__}}


def options(parser) -> None:
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS), help="잴 모델 (기본 둘 다)")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES), help="잴 일 (기본 둘 다)")
    parser.add_argument("--batch", type=positive_int, default=8, help="batch 크기 (기본 8)")
    parser.add_argument("--size", type=positive_int, default=224, help="입력 해상도 (기본 224; 32 이상)")
    parser.add_argument("--num-classes", type=positive_int, default=1000, help="분류 class 수 (기본 1000)")


def check(args) -> str | None:
    if args.size < 32:
        return "--size는 32 이상이어야 합니다 (ResNet과 VGG 모두 해상도를 1/32로 줄인다)"
    return None


def main(argv=None) -> dict:
    return benchmark_main(
        measure_all, "CNN 속도: 우리 L3 ResNet-50·VGG-16 vs torchvision (같은 가중치, 번갈아 잰 중앙값)", argv,
        repeats=7, options=options, check=check,
        summary=lambda r: f"batch {r['batch']}, {r['size']}×{r['size']}, float32")


if __name__ == "__main__":
    main()
