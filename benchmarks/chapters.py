"""장마다 있는 `benchmark_*.py`를 한 process에서 부르는 목록.

각 장의 `main(argv)`를 import해서 부른다 (장마다 subprocess를 띄우지 않는다; 07의 메모리 측정만 스스로 process를
띄운다). 모든 장의 `main`은 `utils.benchmark.compare`로 만든 줄의 목록 `rows`를 돌려준다: 같은 회의 쌍인 표본,
비율과 bootstrap 구간, CPU 시간 비율, goal과 판정이 이미 들어 있고, 여기서는 장 번호(group)만 붙인다.
`--quick`에서는 장마다 있는 작은 모드(`--tiny`, `--quick`, 작은 크기)를 쓴다 — 그때의 숫자와 판정은 도는지
확인용이지 비교할 값이 아니다.
"""
from __future__ import annotations

import importlib
import tempfile
from dataclasses import dataclass, field


@dataclass
class Chapter:
    key: str                       # 명령줄에서 쓰는 이름 (예: "03")
    module: str                    # import할 module
    title: str
    quick: list[str]
    full: list[str] = field(default_factory=list)
    threads_flag: bool = True      # --threads를 받는가


CHAPTERS = {c.key: c for c in (
    Chapter("03", "03_CNN_LeNet.benchmark_conv", "LeNet convolution: NumPy im2col vs F.conv2d, 작업 배열 재사용",
            ["--repeats", "3", "--naive-repeats", "1", "--batch", "8"]),
    Chapter("05", "05_ResNet.benchmark_cnn", "ResNet-50·VGG-16: 우리 L3 vs torchvision",
            ["--batch", "2", "--size", "32", "--repeats", "3", "--num-classes", "10", "--models", "resnet50"]),
    Chapter("06", "06_LSTM_GRU.benchmark_lstm", "LSTM·GRU: NumPy / low-level / L3 vs nn.LSTM·nn.GRU",
            ["--repeats", "3", "--batch", "4", "--steps", "12", "--hidden", "16", "--input-size", "8"]),
    Chapter("07", "07_Transformer.benchmark_attention", "attention·encoder 층·Transformer 전체·KV cache",
            ["--tiny", "--no-memory"], threads_flag=False),
    Chapter("08", "08_BERT.benchmark_bert", "BERT forward와 MLM 학습 step: 우리 vs HF",
            ["--tiny", "--lengths", "16", "--train-length", "16", "--batch", "2", "--repeats", "3"]),
    Chapter("09", "09_GPT.benchmark_gpt", "GPT-2: 우리 vs HF, nanoGPT 크기의 학습 step과 생성",
            ["--tiny", "--repeats", "3"]),
    Chapter("10", "10_ViT.benchmark_vit", "ViT-B/16: 우리 vs timm (forward, backward, 학습 step)",
            ["--quick", "--repeats", "3"]),
    Chapter("12", "12_CLIP.benchmark_clip", "CLIP: 우리 vs HF (forward, 학습 step)", ["--tiny", "--repeats", "3"]),
)}


def run_chapter(key: str, quick: bool, threads: int) -> dict:
    """장 하나의 `main`을 불러 {"argv": [...], "rows": [장 번호를 붙인 줄], "raw": main이 돌려준 dict}."""
    chapter = CHAPTERS[key]
    module = importlib.import_module(chapter.module)
    argv = list(chapter.quick if quick else chapter.full)
    if chapter.threads_flag:
        argv += ["--threads", str(threads)]
    with tempfile.TemporaryDirectory() as tmp:
        if key == "07":                                  # 07은 result.json을 직접 쓴다: 임시 폴더로
            argv += ["--out", tmp]
        raw = module.main(argv)
    return {"argv": argv, "rows": [dict(row, group=key) for row in raw["rows"]], "raw": raw}
