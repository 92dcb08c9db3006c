"""레벨 스크립트 규약: 공통 CLI, seed, device, 결과 보고.

모든 `<name>_<level>.py`는 같은 모양이다 (docs/00_Design.md):

    def main(argv=None) -> dict:
        args = parse_args(make_parser("02_MLP", "numpy", "설명", ("digits", "mnist"), "digits", 30), argv)
        seed_everything(args.seed)
        ...
        return report(result, args.out)

    if __name__ == "__main__":
        cli(main)

- `--data`의 선택지 설명과 "알 수 없는 데이터셋" 메시지는 `utils.datasets.DATASETS` registry에서 나온다.
- `report`는 결과 한 줄을 출력하고 `<out>/result.json`을 원자적으로(atomic) 쓴다.
- `cli`는 실제 데이터셋이나 pretrained 가중치가 없을 때(`DatasetUnavailable`과 그 하위 class) traceback 대신
  한 문장과 exit code 2로 끝낸다.
- `fit`으로 학습하는 스크립트는 `add_training_flags(parser)`로 --resume, --dtype을 더하고
  `fit(..., **fit_options(args))`로 넘긴다 (checkpoint는 `<out>/checkpoint.pt`).
- torch는 필요한 함수 안에서만 import한다: NumPy 레벨(L1) 스크립트는 torch 없이도 돈다.
"""
from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

from utils.core import DatasetUnavailable, write_json
from utils.datasets.registry import describe

REQUIRED_RESULT_KEYS = ("model", "level", "data", "metric", "value", "seconds")


def make_parser(model: str, level: str, description: str, data_choices, default_data: str,
                default_epochs: int, allow_file: bool = False) -> argparse.ArgumentParser:
    """모든 레벨 스크립트가 쓰는 parser: --quick --epochs --seed --device --data --out --root --download --threads.

    `--data`는 `data_choices` 중 하나여야 한다. 모르는 이름은 선택지마다 registry의 설명을 붙여 거부한다 (exit 2).
    `allow_file=True`면 존재하는 파일 경로도 받는다 (예: 아무 UTF-8 텍스트 파일로 언어 모델 학습).
    장마다 필요한 옵션(예: --lr)은 돌려받은 parser에 더 붙이면 된다.
    """
    choices = list(data_choices)
    if default_data not in choices:
        raise ValueError(f"default_data={default_data!r}는 data_choices {choices} 중 하나여야 합니다")

    def data_name(text: str) -> str:
        if text in choices or (allow_file and Path(text).is_file()):
            return text
        listed = "; ".join(describe(name) for name in choices)
        extra = " 또는 존재하는 텍스트 파일 경로" if allow_file else ""
        raise argparse.ArgumentTypeError(f"알 수 없는 데이터셋 {text!r}: {listed}{extra} 중 하나를 고르세요")

    data_help = "; ".join(describe(name) for name in choices)
    parser = argparse.ArgumentParser(description=description)
    parser.set_defaults(model=model, level=level)
    parser.add_argument("--quick", action="store_true", help="몇 초짜리 smoke run (epoch·데이터를 줄인다)")
    parser.add_argument("--epochs", type=positive_int, default=default_epochs,
                        help=f"학습 epoch 수 (기본 {default_epochs})")
    parser.add_argument("--seed", type=int, default=0, help="난수 seed (같은 seed, 같은 기계 → 같은 숫자)")
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"],
                        help="auto: cuda → mps → cpu 순으로 고른다 (NumPy 레벨은 무시)")
    if allow_file:
        data_help += " 또는 텍스트 파일 경로"
    parser.add_argument("--data", default=default_data, type=data_name,
                        help=f"데이터셋 (기본 {default_data}) — {data_help}")
    parser.add_argument("--out", default=None, help=f"결과 폴더 (기본 outputs/{model}/{level}/<data>)")
    parser.add_argument("--root", default="data", help="실제 데이터셋(MNIST 등)을 찾고 저장할 폴더")
    parser.add_argument("--download", action="store_true", help="실제 데이터셋이 없으면 내려받는다 (인터넷 필요)")
    parser.add_argument("--threads", type=positive_int, default=1,
                        help="torch와 NumPy BLAS의 CPU thread 수 (기본 1: 이 과정의 작은 모델은 thread 1개가 "
                             "가장 빠르고, 같은 seed의 숫자가 core 수와 상관없이 같다)")
    return parser


def add_training_flags(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """`utils.training.fit`으로 학습하는 스크립트의 flag: --resume, --dtype. `fit_options(args)`로 fit에 넘긴다."""
    from utils.training import CHECKPOINT_NAME, DTYPES

    parser.add_argument("--resume", action="store_true",
                        help=f"<out>/{CHECKPOINT_NAME}에서 이어서 학습한다 (매 epoch 끝에 쓴다; 같은 설정으로 이어야 "
                             "끊기지 않은 run과 같은 숫자가 나온다)")
    parser.add_argument("--dtype", choices=DTYPES, default="float32",
                        help="forward·loss의 정밀도 (기본 float32). bfloat16·float16은 torch.autocast 안에서 "
                             "계산한다 (float16은 loss scaling과 함께; CPU autocast는 둘 다 받는다)")
    return parser


def fit_options(args: argparse.Namespace, checkpoint_dir=None) -> dict:
    """`add_training_flags`의 값을 `fit`의 keyword로: checkpoint는 `checkpoint_dir` (기본 `args.out`)에 쓴다."""
    return {"checkpoint_dir": args.out if checkpoint_dir is None else checkpoint_dir, "resume": args.resume,
            "dtype": args.dtype}


def positive_int(text: str) -> int:
    """argparse `type=`: 1 이상의 정수."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"1 이상의 정수가 필요합니다: {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"1 이상의 정수가 필요합니다: {text}")
    return value


def parse_args(parser: argparse.ArgumentParser, argv=None) -> argparse.Namespace:
    """argv를 해석하고 `--out`의 기본값 outputs/<model>/<level>/<data>를 채운다 (파일 경로면 파일 이름으로)."""
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = str(Path("outputs") / args.model / args.level / Path(args.data).stem)
    return args


def seed_everything(seed: int) -> np.random.Generator:
    """Python random, NumPy, (import되어 있으면) torch의 seed를 고정하고 NumPy Generator를 돌려준다."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    if "torch" in sys.modules:
        import torch

        torch.manual_seed(seed)
    return np.random.default_rng(seed)


def choose_device(name: str = "auto"):
    """"auto"는 cuda → mps → cpu 순. 없는 장치를 직접 요청하면 ValueError."""
    import torch

    mps_ok = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps") if mps_ok else torch.device("cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda를 요청했지만 CUDA GPU가 없습니다 (--device cpu 또는 auto를 쓰세요)")
    if name == "mps" and not mps_ok:
        raise ValueError("--device mps를 요청했지만 Apple MPS를 쓸 수 없습니다 (--device cpu 또는 auto를 쓰세요)")
    if name not in ("cpu", "cuda", "mps"):
        raise ValueError(f"device는 auto, cpu, cuda, mps 중 하나여야 합니다: {name!r}")
    return torch.device(name)


def report(result: dict, out_dir) -> dict:
    """결과 dict를 한 줄로 출력하고 `<out_dir>/result.json`을 원자적으로 쓴 뒤 돌려준다."""
    missing = [k for k in REQUIRED_RESULT_KEYS if k not in result]
    if missing:
        raise ValueError(f"결과에 필수 key {missing}가 없습니다 (필수: {list(REQUIRED_RESULT_KEYS)})")
    out_dir = Path(out_dir)
    result = dict(result)
    result["seconds"] = round(float(result["seconds"]), 3)
    result.setdefault("plots", [])
    write_json(out_dir / "result.json", result)
    value = result["value"]
    shown = f"{value:.4f}" if isinstance(value, float) else str(value)
    print(f"[{result['model']} | {result['level']} | {result['data']}] {result['metric']} = {shown} "
          f"({result['seconds']:.1f}s) → {out_dir / 'result.json'}")
    return result


def cli(main) -> None:
    """`if __name__ == "__main__": cli(main)`. 실제 데이터셋이나 pretrained 가중치가 없으면 한 줄 + exit code 2.

    `DatasetUnavailable`과 그 하위 class (예: 04장의 `PretrainedUnavailable`)를 잡는다. 메시지에 감싼 library
    오류가 여러 줄이어도 한 줄로 이어 출력한다.
    """
    try:
        main()
    except DatasetUnavailable as error:
        print("오류: " + " ".join(str(error).split()), file=sys.stderr)
        sys.exit(2)
