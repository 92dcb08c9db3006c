"""attention 속도·메모리 벤치마크: 손으로 쓴 L2 attention vs `F.scaled_dot_product_attention`, L3 encoder 층 vs
`nn.TransformerEncoderLayer`, KV cache가 있을 때와 없을 때의 greedy decoding.

같은 입력, CPU, thread 1개와 기본 thread 수에서 한 번에 잰다. 시간은 warm-up 한 번 뒤, 비교하는 구현들을 번갈아
재서 얻은 중앙값 (`paired_medians`), 메모리는 측정마다 새 process를 띄워 연산하는 동안 RSS가 연산 전보다 최대
얼마나 늘었는지를 표본으로 잰다 (`_peak_child`).

1. attention (B = 1, h = 8, d_k = 64, T = 64 / 256 / 1024), forward + backward:
   우리 것은 (B, h, T, T) score·weight 행렬을 만들어 저장한다: 메모리 O(T²). fused kernel(flash attention의 CPU 구현)은
   query 블록마다 softmax를 온라인으로 계산하고 행마다 log-sum-exp만 남기므로 O(T) 추가 메모리로 끝나고,
   T² 행렬을 메모리에 썼다가 다시 읽는 왕복이 없다 — T가 클수록 차이가 커진다.
2. encoder 층 (d_model 512, h 8, d_ff 2048, B 8, T 64): 학습 모드 forward + backward (dropout 0.1), 평가 모드 forward.
   평가 모드에서 `nn.TransformerEncoderLayer`는 no_grad일 때 하나로 묶인 fast path
   (`torch._transformer_encoder_layer_fwd`)를 탄다.
3. greedy decoding (숫자 읽기 크기의 모델, batch 32, 32 token): 매 step 전체를 다시 계산 vs KV cache
   (`exercises/solutions/ex03_kv_cache.py`).

실행:  python -m 07_Transformer.benchmark_attention [--repeats N] [--tiny]
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import resource

import torch
import torch.nn.functional as F
from torch import nn

from utils.benchmark import environment, load_average
from utils.core import limit_threads, write_json

from .exercises.solutions.ex03_kv_cache import greedy_decode_cached
from .paper.transformer import EncoderLayer, Transformer, greedy_decode
from .pytorch_lowlevel.attention import scaled_dot_product_attention


def paired_medians(fns: dict, repeats: int) -> dict:
    """구현들을 번갈아 (ours, twin, ours, twin, …) repeats번씩 재고 각각의 중앙값 (초). warm-up 한 번씩 먼저.

    차례로 몰아서 재면 그 사이 기계의 부하가 바뀌어 비율이 흔들린다: 번갈아 재면 두 구현이 같은 부하를 나눈다.
    """
    import time

    import numpy as np

    for fn in fns.values():
        fn()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: float(np.median(t)) for name, t in times.items()}


def attention_inputs(T: int, heads: int = 8, d_k: int = 64, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(1, heads, T, d_k, generator=g).requires_grad_(True) for _ in range(3)]


def run_attention(impl: str, q, k, v) -> None:
    """forward + backward 한 번."""
    if impl == "ours":
        out, _ = scaled_dot_product_attention(q, k, v)
    else:
        out = F.scaled_dot_product_attention(q, k, v)
    out.sum().backward()


def _rss_mb() -> float:
    """지금 이 process의 resident set size (MB), /proc/self/statm (Linux)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _peak_child(impl: str, T: int, queue) -> None:
    """forward + backward 한 번 동안 RSS를 0.2 ms마다 재서, 시작 전보다 가장 많이 늘어난 양을 보낸다.

    큰 tensor는 glibc가 mmap으로 따로 받아 해제할 때 돌려주므로 RSS에 바로 나타난다. 최대 RSS(ru_maxrss)는
    torch import 때의 봉우리에 가려서 쓰지 않는다.
    """
    import threading
    import time

    torch.set_num_threads(1)
    q, k, v = attention_inputs(T)
    run_attention("sdpa" if impl == "ours" else "ours", *attention_inputs(8))     # 공통 초기화를 먼저 끝낸다
    before, peak, running = _rss_mb(), [0.0], [True]

    def sample():
        while running[0]:
            peak[0] = max(peak[0], _rss_mb())
            time.sleep(0.0002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    run_attention(impl, q, k, v)
    peak[0] = max(peak[0], _rss_mb())
    running[0] = False
    sampler.join()
    queue.put(peak[0] - before)


def peak_memory_mb(impl: str, T: int) -> float:
    """새 process에서 forward + backward 한 번이 RSS를 최대 몇 MB 올렸는지 (0.2 ms 표본)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    process = ctx.Process(target=_peak_child, args=(impl, T, queue))
    process.start()
    value = queue.get(timeout=300)
    process.join()
    return float(value)


def copy_encoder_layer(ref: nn.TransformerEncoderLayer, ours: EncoderLayer) -> None:
    """nn 층의 가중치를 우리 층으로 (in_proj (3C, C)를 W^Q, W^K, W^V로 자른다; paper/transformer.py의 대응)."""
    C = ref.self_attn.embed_dim
    with torch.no_grad():
        for ours_lin, w, b in zip((ours.self_attn.w_q, ours.self_attn.w_k, ours.self_attn.w_v),
                                  ref.self_attn.in_proj_weight.split(C), ref.self_attn.in_proj_bias.split(C)):
            ours_lin.weight.copy_(w)
            ours_lin.bias.copy_(b)
        pairs = [(ours.self_attn.w_o, ref.self_attn.out_proj), (ours.ffn.linear1, ref.linear1),
                 (ours.ffn.linear2, ref.linear2), (ours.norm1, ref.norm1), (ours.norm2, ref.norm2)]
        for a, b in pairs:
            a.weight.copy_(b.weight)
            a.bias.copy_(b.bias)


def encoder_layer_times(repeats: int, d_model: int, heads: int, d_ff: int, B: int, T: int) -> dict:
    torch.manual_seed(0)
    ref = nn.TransformerEncoderLayer(d_model, heads, d_ff, dropout=0.1, batch_first=True)
    ours = EncoderLayer(d_model, heads, d_ff, 0.1, "relu", 1e-5)
    copy_encoder_layer(ref, ours)
    x = torch.randn(B, T, d_model)
    ref.eval()
    ours.eval()
    with torch.no_grad():
        diff = (ref(x) - ours(x, None)).abs().max().item()
    def train_step(layer, call):
        layer.train()
        layer.zero_grad(set_to_none=True)
        call(layer, x).sum().backward()

    def eval_step(layer, call):
        layer.eval()
        with torch.no_grad():
            call(layer, x)

    ours_call, torch_call = (lambda m, x: m(x, None)), (lambda m, x: m(x))
    train = paired_medians({"ours": lambda: train_step(ours, ours_call),
                            "torch": lambda: train_step(ref, torch_call)}, repeats)
    evals = paired_medians({"ours": lambda: eval_step(ours, ours_call),
                            "torch": lambda: eval_step(ref, torch_call)}, repeats)
    times = {"train_ours": train["ours"], "train_torch": train["torch"], "eval_ours": evals["ours"],
             "eval_torch": evals["torch"]}
    return {**times, "train_ratio": times["train_ours"] / times["train_torch"],
            "eval_ratio": times["eval_ours"] / times["eval_torch"], "eval_max_abs_diff": diff}


def decoding_speed(repeats: int, batch: int, length: int) -> dict:
    torch.manual_seed(0)
    model = Transformer(27, 64, 4, 2, 2, 256, dropout=0.1, max_len=length + 2).eval()
    src = torch.randint(3, 27, (batch, 8), generator=torch.Generator().manual_seed(1))
    never = -1                                                   # 나올 수 없는 EOS id: 항상 length개를 만든다
    full = greedy_decode(model, src, 1, never, length)
    cached = greedy_decode_cached(model, src, 1, never, length)
    t = paired_medians({"full": lambda: greedy_decode(model, src, 1, never, length),
                        "cached": lambda: greedy_decode_cached(model, src, 1, never, length)}, repeats)
    t_full, t_cached = t["full"], t["cached"]
    tokens = batch * length
    return {"tokens_per_s_full": tokens / t_full, "tokens_per_s_cached": tokens / t_cached,
            "speedup": t_full / t_cached, "same_tokens": bool(torch.equal(full, cached))}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description="attention 속도·메모리: 손으로 쓴 것 vs fused kernel, 층, KV cache")
    parser.add_argument("--repeats", type=int, default=5, help="측정마다 잰 횟수 (중앙값을 쓴다)")
    parser.add_argument("--tiny", action="store_true", help="작은 크기로 한 번씩만 (테스트용, 숫자는 의미 없음)")
    parser.add_argument("--out", default="outputs/07_Transformer/benchmark", help="result.json을 쓸 폴더")
    args = parser.parse_args(argv)
    repeats = 1 if args.tiny else args.repeats
    lengths = (16, 32) if args.tiny else (64, 256, 1024)
    layer_cfg = dict(d_model=32, heads=4, d_ff=64, B=2, T=8) if args.tiny else dict(d_model=512, heads=8, d_ff=2048,
                                                                                       B=8, T=64)
    default_threads = torch.get_num_threads()
    result = {"load_average_before": load_average(), "attention": {}, "encoder_layer": {}, "decoding": {}}
    for threads in sorted({1, default_threads}):
        with limit_threads(threads):
            for T in lengths:
                qkv = attention_inputs(T)
                row = paired_medians({impl: lambda impl=impl, qkv=qkv: run_attention(impl, *qkv)
                                      for impl in ("ours", "sdpa")}, repeats)
                row["ratio"] = row["ours"] / row["sdpa"]
                result["attention"][f"threads={threads},T={T}"] = row
            result["encoder_layer"][f"threads={threads}"] = encoder_layer_times(repeats, **layer_cfg)
            result["decoding"][f"threads={threads}"] = decoding_speed(repeats, 4 if args.tiny else 32,
                                                                      6 if args.tiny else 32)
    memory_lengths = lengths[-1:] if args.tiny else lengths          # tiny: process를 띄우는 길만 한 번 확인
    result["peak_memory_mb"] = {f"T={T}": {impl: peak_memory_mb(impl, T) for impl in ("ours", "sdpa")}
                                for T in memory_lengths}
    result["load_average_after"] = load_average()
    result["environment"] = environment(threads=1, default_threads=default_threads)

    print(f"환경: {result['environment']['cpu']}, torch {torch.__version__}, load {result['load_average_before']} → "
          f"{result['load_average_after']}")
    print("attention forward+backward (ms): ours / F.scaled_dot_product_attention")
    for key, row in result["attention"].items():
        print(f"  {key:>18}: {1e3 * row['ours']:8.2f} / {1e3 * row['sdpa']:8.2f}  = {row['ratio']:.2f}×")
    for key, row in result["peak_memory_mb"].items():
        print(f"  최대 메모리 증가 {key}: ours {row['ours']:.1f} MB, sdpa {row['sdpa']:.1f} MB")
    for key, row in result["encoder_layer"].items():
        print(f"encoder 층 {key}: 학습 {row['train_ratio']:.2f}× nn.TransformerEncoderLayer, "
              f"평가 {row['eval_ratio']:.2f}× (max |Δ| {row['eval_max_abs_diff']:.1e})")
    for key, row in result["decoding"].items():
        print(f"greedy decoding {key}: 전체 재계산 {row['tokens_per_s_full']:.0f} token/s, KV cache "
              f"{row['tokens_per_s_cached']:.0f} token/s ({row['speedup']:.2f}×, 같은 출력: {row['same_tokens']})")
    write_json(f"{args.out}/result.json", result)
    return result


if __name__ == "__main__":
    main()
