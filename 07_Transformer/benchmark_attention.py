"""attention 속도·메모리 벤치마크: 손으로 쓴 L2 attention vs `F.scaled_dot_product_attention`, L3 encoder 층과
Transformer 전체 vs `nn.TransformerEncoderLayer` / `nn.Transformer`, KV cache가 있을 때와 없을 때의 greedy decoding.

같은 입력, CPU, thread 1개와 기본 thread 수에서 한 번에 잰다. 비교하는 구현들은 `utils.benchmark.interleaved_times`로
번갈아 잰다 (회마다 순서를 뒤집는다; r번째 표본끼리 같은 회의 쌍). 비율은 회별 비율의 중앙값, 구간은 bootstrap
95% 구간, 판정은 goal에 대해 (`utils.benchmark`). 메모리는 측정마다 새 process를 띄워 연산하는 동안 RSS가 연산
전보다 최대 얼마나 늘었는지를 표본으로 잰다 (`_peak_child`).

1. attention (B = 1, h = 8, d_k = 64, T = 64 / 256 / 1024), forward + backward [손 kernel / library kernel ≤ 2×]:
   우리 것은 (B, h, T, T) score·weight 행렬을 만들어 저장한다: 메모리 O(T²). fused kernel(flash attention의 CPU 구현)은
   query 블록마다 softmax를 온라인으로 계산하고 행마다 log-sum-exp만 남기므로 O(T) 추가 메모리로 끝나고,
   T² 행렬을 메모리에 썼다가 다시 읽는 왕복이 없다 — T가 클수록 차이가 커진다.
2. encoder 층 (d_model 512, h 8, d_ff 2048, B 8, T 64): 학습 모드 forward + backward (dropout 0.1), 평가 모드 forward.
   평가 모드에서 `nn.TransformerEncoderLayer`는 no_grad일 때 하나로 묶인 fast path
   (`torch._transformer_encoder_layer_fwd`: 첫 Linear에 ReLU를 묶은 `_addmm_activation`, Q·K·V를 한 번에 만드는
   projection 등)를 탄다. 그래서 평가 모드는 fast path를 켠 nn 층, 끈 nn 층(`fastpath_disabled`; 우리 층처럼
   연산을 하나씩 부른다)과 각각 비교한다: 두 줄의 차이가 fused kernel이 버는 몫이다. [L3 / production twin ≤ 1×]
3. Transformer 전체 (encoder–decoder stack, base 설정: 6 + 6층, d_model 512, h 8, d_ff 2048, dropout 0.1; B 8,
   S = T = 64): `Transformer.from_reference(nn.Transformer(batch_first=True))`의 학습 모드 forward + backward
   (출력과 고정된 무작위 tensor의 내적을 loss로). [L3 ≤ 1×]
4. greedy decoding (숫자 읽기 크기의 모델, batch 32, 32 token):
   - 우리 매 step 전체 재계산 (`paper.transformer.greedy_decode`) vs 같은 embedding·출력층에 `nn.Transformer`의
     encoder·decoder를 끼운 같은 loop (`reference_greedy_decode`) [L3 ≤ 1×]
   - KV cache (`exercises/solutions/ex03_kv_cache.py`) vs 매 step 전체 재계산 [KV cache / cache 없음 ≤ 0.5×]
   `nn.Transformer`에는 KV cache로 한 token씩 decoding하는 API가 없어, cache가 있는 production twin은 없다.

실행:  python -m 07_Transformer.benchmark_attention [--repeats N] [--tiny]
"""
from __future__ import annotations

import multiprocessing as mp
import resource
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import nn

from utils.benchmark import benchmark_main, compare, interleaved_times, load_average
from utils.core import limit_threads

from .exercises.solutions.ex03_kv_cache import greedy_decode_cached
from .paper.transformer import EncoderLayer, Transformer, greedy_decode, subsequent_mask
from .pytorch_lowlevel.attention import scaled_dot_product_attention


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


@contextmanager
def fastpath_disabled():
    """이 안에서는 `nn.TransformerEncoderLayer`·`nn.MultiheadAttention`이 평가 모드에서도 fast path를 타지 않는다.
    나올 때 (예외가 나도) 전의 설정으로 되돌린다."""
    before = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        yield
    finally:
        torch.backends.mha.set_fastpath_enabled(before)


def encoder_layer_times(repeats: int, d_model: int, heads: int, d_ff: int, B: int, T: int) -> list[dict]:
    torch.manual_seed(0)
    ref = nn.TransformerEncoderLayer(d_model, heads, d_ff, dropout=0.1, batch_first=True)
    ours = EncoderLayer(d_model, heads, d_ff, 0.1, "relu", 1e-5)
    copy_encoder_layer(ref, ours)
    x = torch.randn(B, T, d_model)
    ref.eval()
    ours.eval()
    with torch.no_grad():
        diff = (ref(x) - ours(x, None)).abs().max().item()
        with fastpath_disabled():
            diff_no_fastpath = (ref(x) - ours(x, None)).abs().max().item()

    def train_step(layer, call):
        layer.train()
        layer.zero_grad(set_to_none=True)
        call(layer, x).sum().backward()

    def eval_step(layer, call):
        layer.eval()
        with torch.no_grad():
            call(layer, x)

    def eval_step_without_fastpath():
        with fastpath_disabled():
            eval_step(ref, torch_call)

    ours_call, torch_call = (lambda m, x: m(x, None)), (lambda m, x: m(x))
    train = interleaved_times({"ours": lambda: train_step(ours, ours_call),
                               "torch": lambda: train_step(ref, torch_call)}, repeats)
    evals = interleaved_times({"ours": lambda: eval_step(ours, ours_call),
                               "torch": lambda: eval_step(ref, torch_call),
                               "torch_no_fastpath": eval_step_without_fastpath}, repeats)
    return [compare("encoder 층 학습 (forward+backward)", "우리 L3", "nn.TransformerEncoderLayer", train["ours"],
                    train["torch"], "L3"),
            compare("encoder 층 평가 (no_grad)", "우리 L3", "nn.TransformerEncoderLayer", evals["ours"], evals["torch"],
                    "L3", max_abs_diff=diff),
            compare("encoder 층 평가 (no_grad)", "우리 L3", "nn.TransformerEncoderLayer (fast path 끔)", evals["ours"],
                    evals["torch_no_fastpath"], "L3", max_abs_diff=diff_no_fastpath)]


def transformer_times(repeats: int, d_model: int, heads: int, d_ff: int, layers: int, B: int, T: int) -> list[dict]:
    """encoder–decoder stack 전체의 학습 모드 forward + backward: 우리 `Transformer` vs `nn.Transformer`."""
    torch.manual_seed(0)
    ref = nn.Transformer(d_model, heads, layers, layers, d_ff, dropout=0.1, batch_first=True)
    ours = Transformer.from_reference(ref)
    g = torch.Generator().manual_seed(1)
    src, tgt, dout = (torch.randn(B, T, d_model, generator=g) for _ in range(3))           # (B, T, d_model)
    mask = subsequent_mask(T)                                                              # (T, T) bool, True = 가림
    calls = {"ours": lambda: ours.decode(tgt, ours.encode(src), mask),
             "torch": lambda: ref(src, tgt, tgt_mask=mask, tgt_is_causal=True)}
    models = {"ours": ours, "torch": ref}
    ours.eval(), ref.eval()
    with torch.no_grad():
        diff = (calls["ours"]() - calls["torch"]()).abs().max().item()

    def train_step(name):
        models[name].train()
        models[name].zero_grad(set_to_none=True)
        (calls[name]() * dout).sum().backward()

    t = interleaved_times({name: lambda name=name: train_step(name) for name in models}, repeats)
    return [compare(f"Transformer {layers}+{layers}층 d_model {d_model}, B {B}, T {T} 학습 (forward+backward)",
                    "우리 L3", "nn.Transformer", t["ours"], t["torch"], "L3", max_abs_diff=diff)]


@torch.no_grad()
def reference_greedy_decode(model: Transformer, ref: nn.Transformer, src_ids: torch.Tensor, bos_id: int,
                            max_len: int) -> torch.Tensor:
    """`greedy_decode`와 같은 loop에 `nn.Transformer`의 encoder·decoder를 끼운 것 (embedding·출력층은 model의 것).
    EOS로 멈추지 않고 max_len개를 만든다 (벤치마크용)."""
    src_pad = src_ids == model.pad_id
    memory = ref.encoder(model.embed(src_ids, "src"), src_key_padding_mask=src_pad if src_pad.any() else None)
    ys = torch.full((src_ids.shape[0], 1), bos_id, dtype=torch.long)                     # (B, 1)
    for _ in range(max_len):
        T = ys.shape[1]
        h = ref.decoder(model.embed(ys, "tgt"), memory, tgt_mask=subsequent_mask(T), tgt_is_causal=True,
                        memory_key_padding_mask=src_pad if src_pad.any() else None)
        ys = torch.cat([ys, model.project(h[:, -1]).argmax(dim=-1)[:, None]], dim=1)
    return ys[:, 1:]


def decoding_rows(repeats: int, batch: int, length: int) -> list[dict]:
    torch.manual_seed(0)
    ref = nn.Transformer(64, 4, 2, 2, 256, dropout=0.1, batch_first=True).eval()
    model = Transformer(27, 64, 4, 2, 2, 256, dropout=0.1, max_len=length + 2, final_norm=True).eval()
    model.load_reference_state(ref.state_dict())                 # 같은 stack, embedding·출력층은 model의 것
    src = torch.randint(3, 27, (batch, 8), generator=torch.Generator().manual_seed(1))
    never = -1                                                   # 나올 수 없는 EOS id: 항상 length개를 만든다
    fns = {"full": lambda: greedy_decode(model, src, 1, never, length),
           "cached": lambda: greedy_decode_cached(model, src, 1, never, length),
           "reference": lambda: reference_greedy_decode(model, ref, src, 1, length)}
    outputs = {name: fn() for name, fn in fns.items()}
    same = all(torch.equal(outputs["full"], out) for out in outputs.values())
    t = interleaved_times(fns, repeats)
    name = f"greedy decoding B {batch}, {length} token"
    return [compare(f"{name}: 매 step 전체 재계산", "우리 greedy_decode", "nn.Transformer 같은 loop", t["full"],
                    t["reference"], "L3", same_tokens=same),
            compare(name, "KV cache", "매 step 전체 재계산", t["cached"], t["full"], "cache", same_tokens=same)]


def measure_all(args) -> dict:
    """thread 1과 기본 thread 수에서 attention·encoder 층 (thread 1에서만 전체 모델과 decoding), 그리고 메모리."""
    repeats = min(args.repeats, 2) if args.quick else args.repeats
    lengths = (16, 32) if args.quick else (64, 256, 1024)
    layer_cfg = dict(d_model=32, heads=4, d_ff=64, B=2, T=8) if args.quick else dict(d_model=512, heads=8, d_ff=2048,
                                                                                        B=8, T=64)
    full_cfg = dict(d_model=32, heads=4, d_ff=64, layers=2, B=2, T=8) if args.quick else dict(
        d_model=512, heads=8, d_ff=2048, layers=6, B=8, T=64)
    default_threads = torch.get_num_threads()
    result = {"load_average_before": load_average(), "rows": []}
    for threads in sorted({1, default_threads}):
        rows = []
        with limit_threads(threads):
            for T in lengths:
                qkv = attention_inputs(T)
                t = interleaved_times({impl: lambda impl=impl, qkv=qkv: run_attention(impl, *qkv)
                                       for impl in ("ours", "sdpa")}, repeats)
                rows.append(compare(f"attention f+b T={T}", "손 attention (L2)", "F.scaled_dot_product_attention",
                                    t["ours"], t["sdpa"], "kernel"))
            rows += encoder_layer_times(repeats, **layer_cfg)
            if threads == 1:                                         # 전체 모델과 decoding은 thread 1에서만
                rows += transformer_times(repeats, **full_cfg)
                rows += decoding_rows(repeats, 4 if args.quick else 32, 6 if args.quick else 32)
        for row in rows:
            row["name"] += f", thread {threads}"
        result["rows"] += rows
    memory_lengths = [] if args.no_memory else lengths[-1:] if args.quick else lengths   # tiny: 띄우는 길만 확인
    result["peak_memory_mb"] = {f"T={T}": {impl: peak_memory_mb(impl, T) for impl in ("ours", "sdpa")}
                                for T in memory_lengths}
    result["load_average_after"] = load_average()
    result["environment"] = {"default_threads": default_threads}
    return result


def summary(result: dict) -> str:
    return "\n".join(f"attention f+b 최대 메모리 증가 {key}: ours {row['ours']:.1f} MB, sdpa {row['sdpa']:.1f} MB"
                     for key, row in result["peak_memory_mb"].items())


def main(argv=None) -> dict:
    return benchmark_main(
        measure_all, "attention 속도·메모리: 손으로 쓴 것 vs fused kernel, 층, KV cache", argv, repeats=7,
        quick="--tiny", threads=False, seed=False, out="outputs/07_Transformer/benchmark", summary=summary,
        options=lambda parser: parser.add_argument("--no-memory", action="store_true",
                                                   help="process를 띄워 재는 메모리 측정을 건너뛴다"))


if __name__ == "__main__":
    main()
