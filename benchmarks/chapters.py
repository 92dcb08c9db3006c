"""장마다 있는 `benchmark_*.py`를 한 process에서 부르고, 돌려준 결과를 비율 줄(row)로 바꾸는 어댑터.

각 장의 `main(argv)`를 import해서 부른다 (장마다 subprocess를 띄우지 않는다; 07의 메모리 측정만 스스로 process를
띄운다). `--quick`에서는 장마다 있는 작은 모드(`--tiny`, `--quick`, 작은 크기)를 쓴다 — 그때의 숫자는 도는지
확인용이지 비교할 값이 아니다.

장의 벤치마크가 `utils.benchmark.median_seconds`·`side_by_side`로 재면 `utils.benchmark.recording()`이 회마다의
표본을 모으고, 그것으로 round별 비율의 범위(min–max)를 계산한다. 자기 timing 함수로 재고 중앙값만 돌려주는
장(07)은 범위가 "—"다.
"""
from __future__ import annotations

import importlib
import tempfile
from dataclasses import dataclass, field

import utils.benchmark

from .timing import Recorder, make_row, row_from_medians


@dataclass
class Chapter:
    key: str                       # 명령줄에서 쓰는 이름 (예: "03")
    module: str                    # import할 module
    title: str
    quick: list[str]
    full: list[str] = field(default_factory=list)
    threads_flag: bool = True      # --threads를 받는가


def _rows_03(result, rec):
    rows = []
    for r in result["rows"]:
        a, b = rec.samples(r["im2col_fwd_bwd_ms"] / 1e3), rec.samples(r["torch_fwd_bwd_ms"] / 1e3)
        rows.append(make_row("03", f"{r['layer']} ({r['shape']}) forward+backward", "NumPy im2col (L1)",
                             "F.conv2d + autograd", a, b, rel_diff=r["rel_diff_vs_torch"]))
        rows.append(row_from_medians("03", f"{r['layer']} forward", "naive loop (1회)", "NumPy im2col (L1)",
                                     r["naive_fwd_ms"] / 1e3, r["im2col_fwd_ms"] / 1e3, rel_diff=r["rel_diff_naive"]))
    return rows


def _rows_05(result, rec):
    return [make_row("05", f"{r['model']} {r['mode']}", "우리 L3", "torchvision",
                     [t / 1e3 for t in r["ours_all_ms"]], [t / 1e3 for t in r["torchvision_all_ms"]])
            for r in result["rows"]]


def _rows_06(result, rec):
    torch_t = rec.samples(result["torch_ms"] / 1e3)
    return [make_row("06", "LSTM forward+backward", "NumPy LSTM (L1)", "nn.LSTM",
                     rec.samples(result["numpy_ms"] / 1e3), torch_t, rel_diff=result["rel_diff_numpy"]),
            make_row("06", "LSTM forward+backward", "low-level LSTM (L2)", "nn.LSTM",
                     rec.samples(result["lowlevel_ms"] / 1e3), torch_t, rel_diff=result["rel_diff_lowlevel"])]


def _rows_07(result, rec):
    rows = [row_from_medians("07", f"attention f+b {key}", "손 attention (L2)", "F.scaled_dot_product_attention",
                             r["ours"], r["sdpa"]) for key, r in result["attention"].items()]
    for key, r in result["encoder_layer"].items():
        rows.append(row_from_medians("07", f"encoder 층 학습 {key}", "우리 L3", "nn.TransformerEncoderLayer",
                                     r["train_ours"], r["train_torch"]))
        rows.append(row_from_medians("07", f"encoder 층 평가 {key}", "우리 L3", "nn.TransformerEncoderLayer",
                                     r["eval_ours"], r["eval_torch"]))
    for key, r in result["decoding"].items():      # 같은 token 수: 시간 비율 = token/s의 역비
        rows.append(row_from_medians("07", f"greedy decoding {key} (token당 시간)", "KV cache", "매 step 전체 재계산",
                                     1.0 / r["tokens_per_s_cached"], 1.0 / r["tokens_per_s_full"]))
    return rows


def _rows_08(result, rec):
    rows = []
    for r in result["rows"]:
        ours = rec.samples(r["ours_ms"] / 1e3)
        rows.append(make_row("08", f"forward T={r['length']}", "우리 BERT", "HF sdpa",
                             ours, rec.samples(r["hf_sdpa_ms"] / 1e3)))
        rows.append(make_row("08", f"forward T={r['length']}", "우리 BERT", "HF eager",
                             ours, rec.samples(r["hf_eager_ms"] / 1e3)))
    return rows


def _rows_09(result, rec):
    rows = []
    for key, r in result.items():
        if key.startswith("forward_T"):
            ours = rec.samples(r["ours_s"])
            rows.append(make_row("09", f"forward {key[8:]}", "우리 GPT-2", "HF sdpa", ours,
                                 rec.samples(r["hf_sdpa_s"])))
            rows.append(make_row("09", f"forward {key[8:]}", "우리 GPT-2", "HF eager", ours,
                                 rec.samples(r["hf_eager_s"])))
    g = result["generate"]
    ours_s, hf_s = g["new_tokens"] / g["ours_tokens_per_s"], g["new_tokens"] / g["hf_tokens_per_s"]
    rows.append(make_row("09", f"greedy 생성 {g['new_tokens']} token", "우리 generate", "HF generate",
                         rec.samples(ours_s), rec.samples(hf_s)))
    return rows


def _rows_10(result, rec):
    return [make_row("10", name, "우리 ViT", "timm", rec.samples(result[key]["ours_s"]),
                     rec.samples(result[key]["timm_s"]))
            for key, name in (("forward", "forward (no_grad)"), ("forward_backward", "forward+backward"))]


def _rows_12(result, rec):
    r = result["forward"]
    ours = rec.samples(r["ours_s"])
    return [make_row("12", "image+text forward", "우리 CLIP", "HF sdpa", ours, rec.samples(r["hf_sdpa_s"])),
            make_row("12", "image+text forward", "우리 CLIP", "HF eager", ours, rec.samples(r["hf_eager_s"]))]


CHAPTERS = {c.key: c for c in (
    Chapter("03", "03_CNN_LeNet.benchmark_conv", "LeNet convolution: NumPy im2col vs F.conv2d",
            ["--repeats", "2", "--batch", "8"]),
    Chapter("05", "05_ResNet.benchmark_cnn", "ResNet-50·VGG-16: 우리 L3 vs torchvision",
            ["--batch", "2", "--size", "32", "--repeats", "2", "--num-classes", "10", "--models", "resnet50"]),
    Chapter("06", "06_LSTM_GRU.benchmark_lstm", "LSTM: NumPy / low-level vs nn.LSTM",
            ["--repeats", "2", "--batch", "4", "--steps", "12", "--hidden", "16", "--input-size", "8"]),
    Chapter("07", "07_Transformer.benchmark_attention", "attention·encoder 층·KV cache", ["--tiny"],
            threads_flag=False),
    Chapter("08", "08_BERT.benchmark_bert", "BERT forward: 우리 vs HF",
            ["--tiny", "--lengths", "16", "--batch", "2", "--repeats", "2"]),
    Chapter("09", "09_GPT.benchmark_gpt", "GPT-2: 우리 vs HF", ["--tiny", "--repeats", "2"]),
    Chapter("10", "10_ViT.benchmark_vit", "ViT-B/16: 우리 vs timm", ["--quick", "--repeats", "2"]),
    Chapter("12", "12_CLIP.benchmark_clip", "CLIP: 우리 vs HF", ["--tiny", "--repeats", "2"]),
)}

EXTRACT = {"03": _rows_03, "05": _rows_05, "06": _rows_06, "07": _rows_07, "08": _rows_08, "09": _rows_09,
           "10": _rows_10, "12": _rows_12}


def run_chapter(key: str, quick: bool, threads: int) -> dict:
    """장 하나의 `main`을 불러 {"rows": [...], "raw": main이 돌려준 dict}를 돌려준다."""
    chapter = CHAPTERS[key]
    module = importlib.import_module(chapter.module)
    argv = list(chapter.quick if quick else chapter.full)
    if chapter.threads_flag:
        argv += ["--threads", str(threads)]
    with tempfile.TemporaryDirectory() as tmp, utils.benchmark.recording() as records:
        if key == "07":                                  # 07은 result.json을 직접 쓴다: 임시 폴더로
            argv += ["--out", tmp]
        raw = module.main(argv)
    return {"argv": argv, "rows": EXTRACT[key](raw, Recorder(records)), "raw": raw}
