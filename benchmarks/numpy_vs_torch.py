"""같은 연산을 NumPy로 손수, 그리고 PyTorch로: 나란히 잰 비율 (`docs/02_NumPy_vs_PyTorch_Comparison.md`의 표).

group마다 (괄호는 `--quick`의 작은 크기 — 도는지만 보는 값), [goal]:
    matmul     (n×n)(n×n), n = 1024 (128): NumPy `a @ b` vs `torch.mm`, 둘 다 thread 1. 둘 다 BLAS를 부른다.
               core가 2개 이상이면 threads group과 **같은 호출**에서 잰다 (`thread_rows`). [kernel ≤ 2×]
    conv       LeNet C3 (6→16, 14×14, 5×5, batch 64 (8)) forward: 03장의 NumPy im2col `Conv2D` vs `F.conv2d`.
               (forward + backward는 03장의 벤치마크가 잰다.) [kernel ≤ 2×]
    lstm       T 100 (10), B 32 (4), D = H = 128 (16) forward: 06장의 NumPy `LSTM` vs `nn.LSTM` (no_grad),
               시퀀스 전체와 한 step (T = 1). [kernel ≤ 2×]
    attention  B 1, h 8, d_k 64, T = 256, 1024 (32) forward: NumPy softmax(QKᵀ/√d_k)V vs
               `F.scaled_dot_product_attention`. [kernel ≤ 2×]
    backward   MLP 784→256→10, batch 128 (16), softmax cross-entropy의 forward + backward (모든 gradient):
               NumPy 손 backward vs torch autograd, torch로 쓴 같은 손 backward vs torch autograd. [backward ≤ 1.5×]
    memory     위 backward의 최대 메모리 증가 (MB). NumPy는 `tracemalloc` (NumPy가 버퍼 할당을 tracemalloc에
               알린다), torch는 `torch.profiler`(profile_memory=True)의 할당·해제 event를 시간 순서로 더한 최댓값.
               둘 다 "step 시작 때보다 step 도중 최대 몇 byte를 더 잡았는가"이다 (Python 객체 자체는 무시할 만큼 작다).
               한 번 잰 결정적인 값이라 구간은 한 점이다. [backward ≤ 1.5×]
    dtype      float64 / float32: NumPy matmul, torch matmul, torch conv2d (C3). [float32가 느리지 않다: ≥ 1×]
    threads    2 thread / 1 thread: NumPy matmul (threadpoolctl), torch matmul, torch conv2d (C3).
               thread 수를 호출마다 바꿔 가며 번갈아 잰다. (`--threads 1`일 때만) [≤ 1×]
    cuda       (`--device cuda`이고 GPU가 있을 때만) torch CUDA / torch CPU: matmul, conv2d, attention. [≤ 1×]

모든 시간은 `utils.benchmark.interleaved_times`로 번갈아 잰 같은 회의 쌍이고, 비율은 회별 비율의 중앙값, 구간은 그
bootstrap 95% 구간, 판정은 그 구간과 goal로 정한다 (`utils.benchmark`).
실행:  python -m benchmarks.numpy_vs_torch [--quick] [--repeats N] [--threads N] [--device cpu|cuda]
"""
from __future__ import annotations

import argparse
import importlib
import os
import tracemalloc

import numpy as np

from utils.benchmark import compare, compare_values, interleaved_times, load_average, print_rows

GROUPS = ("matmul", "conv", "lstm", "attention", "backward", "memory", "dtype", "threads", "cuda")


def _rel_diff(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.abs(a - b).max() / np.abs(b).max())


def matmul_rows(n: int, repeats: int, rng, threads: int) -> list[dict]:
    """matmul 줄 하나. thread 비교(`thread_rows`)를 하는 기계에서는 그 호출 안에서 함께 잰 1-thread 표본을 쓰므로
    여기서는 thread 비교가 없을 때만 따로 잰다."""
    import torch

    a, b = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
    at, bt = torch.from_numpy(a), torch.from_numpy(b)
    t = interleaved_times({"numpy": lambda: a @ b, "torch": lambda: torch.mm(at, bt)}, repeats)
    return [compare(f"{n}×{n} float32, thread {threads}", "NumPy a @ b", "torch.mm", t["numpy"], t["torch"],
                    "kernel", group="matmul", rel_diff=_rel_diff(a @ b, torch.mm(at, bt)))]


def conv_rows(batch: int, repeats: int, rng) -> list[dict]:
    import torch
    import torch.nn.functional as F

    Conv2D = importlib.import_module("03_CNN_LeNet.numpy.conv").Conv2D
    layer = Conv2D(6, 16, 5, rng=rng, dtype=np.float32)
    x = rng.standard_normal((batch, 6, 14, 14), dtype=np.float32)
    xt, Wt, bt = (torch.from_numpy(v) for v in (x, layer.params["W"], layer.params["b"]))
    with torch.no_grad():
        t = interleaved_times({"numpy": lambda: layer.forward(x), "torch": lambda: F.conv2d(xt, Wt, bt)}, repeats)
        diff = _rel_diff(layer.forward(x), F.conv2d(xt, Wt, bt))
    return [compare(f"C3 6→16, 14×14, batch {batch}, forward", "NumPy im2col (03장 L1)", "F.conv2d",
                    t["numpy"], t["torch"], "kernel", group="conv", rel_diff=diff)]


def lstm_rows(steps: int, batch: int, hidden: int, repeats: int, rng) -> list[dict]:
    import torch
    from torch import nn

    LSTM = importlib.import_module("06_LSTM_GRU.numpy.recurrent").LSTM
    layer = LSTM(hidden, hidden, rng=rng, dtype=np.float32)
    ref = nn.LSTM(hidden, hidden)
    with torch.no_grad():
        for ours, theirs in (("W_ih", "weight_ih_l0"), ("W_hh", "weight_hh_l0"), ("b_ih", "bias_ih_l0"),
                             ("b_hh", "bias_hh_l0")):
            getattr(ref, theirs).copy_(torch.from_numpy(layer.params[ours]))
    x = rng.standard_normal((steps, batch, hidden), dtype=np.float32)           # (T, B, D)
    rows = []
    for name, xs in ((f"시퀀스 T={steps}, B={batch}, H={hidden}", x), (f"한 step (T=1), B={batch}, H={hidden}", x[:1])):
        xt = torch.from_numpy(np.ascontiguousarray(xs))
        with torch.no_grad():
            t = interleaved_times({"numpy": lambda xs=xs: layer.forward(xs), "torch": lambda xt=xt: ref(xt)}, repeats)
            diff = _rel_diff(layer.forward(xs), ref(xt)[0])
        rows.append(compare(f"{name} forward", "NumPy LSTM (06장 L1)", "nn.LSTM", t["numpy"], t["torch"],
                            "kernel", group="lstm", rel_diff=diff))
    return rows


def numpy_attention(q, k, v):
    """softmax(q kᵀ / √d_k) v, (B, h, T, d_k): score 행렬 (B, h, T, T)를 만들어 쓴다. dtype은 q를 따른다.

    1/√d_k는 (T, T) score가 아니라 (T, d_k)인 q에 곱하고 (같은 값, T/d_k배 적은 곱셈), exp와 나누기는 score 배열
    위에서 제자리로 한다 (T² 배열을 새로 잡지 않는다). 배율은 q의 dtype으로 만든다: `np.sqrt`가 돌려주는 float64
    scalar로 나누면 NumPy 2의 형 승격 규칙(NEP 50)에 따라 float32 score가 통째로 float64가 된다.
    """
    scale = np.asarray(1.0 / np.sqrt(q.shape[-1]), dtype=q.dtype)
    scores = (q * scale) @ k.swapaxes(-1, -2)                  # (B, h, T, T)
    scores -= scores.max(axis=-1, keepdims=True)               # 안정한 softmax: 행마다 최댓값을 뺀다
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=-1, keepdims=True)
    return scores @ v                                          # (B, h, T, d_k)


def attention_rows(lengths, repeats: int, rng) -> list[dict]:
    import torch
    import torch.nn.functional as F

    rows = []
    for T in lengths:
        q, k, v = (rng.standard_normal((1, 8, T, 64), dtype=np.float32) for _ in range(3))
        qt, kt, vt = (torch.from_numpy(a) for a in (q, k, v))
        with torch.no_grad():
            t = interleaved_times({"numpy": lambda q=q, k=k, v=v: numpy_attention(q, k, v),
                             "torch": lambda qt=qt, kt=kt, vt=vt: F.scaled_dot_product_attention(qt, kt, vt)},
                            repeats)
            diff = _rel_diff(numpy_attention(q, k, v), F.scaled_dot_product_attention(qt, kt, vt))
        rows.append(compare(f"B=1, h=8, d_k=64, T={T} forward", "NumPy softmax(QKᵀ/√d)V",
                            "F.scaled_dot_product_attention", t["numpy"], t["torch"], "kernel", group="attention",
                            rel_diff=diff))
    return rows


# ---------------------------------------------------------------------------
# 손 backward vs autograd: 2층 MLP + softmax cross-entropy
# ---------------------------------------------------------------------------
def mlp_numpy_step(x, y, W1, b1, W2, b2):
    """forward + 손 backward. gradient (dW1, db1, dW2, db2)를 돌려준다. backward가 쓸 h, r, p는 forward가 남긴다."""
    h = x @ W1 + b1                                   # (B, 256)
    r = np.maximum(h, 0.0)
    logits = r @ W2 + b2                              # (B, 10)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dlogits = p
    dlogits[np.arange(len(y)), y] -= 1.0
    dlogits /= len(y)
    dW2, db2 = r.T @ dlogits, dlogits.sum(axis=0)
    dh = (dlogits @ W2.T) * (h > 0)
    return x.T @ dh, dh.sum(axis=0), dW2, db2


def mlp_torch_hand_step(x, y, W1, b1, W2, b2):
    """같은 손 backward를 torch 연산으로 (autograd 없이)."""
    import torch

    with torch.no_grad():
        h = x @ W1 + b1
        r = h.clamp_min(0.0)
        p = torch.softmax(r @ W2 + b2, dim=1)
        p[torch.arange(len(y)), y] -= 1.0
        dlogits = p / len(y)
        dW2, db2 = r.T @ dlogits, dlogits.sum(dim=0)
        dh = (dlogits @ W2.T) * (h > 0)
        return x.T @ dh, dh.sum(dim=0), dW2, db2


def mlp_autograd_step(x, y, W1, b1, W2, b2):
    """forward만 쓰고 backward는 autograd가: 같은 네 gradient."""
    import torch
    import torch.nn.functional as F

    loss = F.cross_entropy(torch.relu(x @ W1 + b1) @ W2 + b2, y)
    return torch.autograd.grad(loss, (W1, b1, W2, b2))


def tracemalloc_peak_mb(fn) -> float:
    """fn 한 번을 도는 동안 NumPy·Python이 시작 때보다 최대 몇 MB를 더 잡았는가 (tracemalloc)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return (peak - before) / 2**20


def torch_peak_mb(fn) -> float:
    """fn 한 번을 도는 동안 torch CPU allocator가 시작 때보다 최대 몇 MB를 더 잡았는가.

    `torch.profiler`(profile_memory=True)는 op마다 자기가 할당한 byte(self_cpu_memory_usage)와 해제 event
    ("[memory]", 음수)를 남긴다. 시작 시각 순으로 더해 가면 그 순간 잡혀 있는 byte가 되고, 그 최댓값이 peak다.
    """
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    current = peak = 0
    for event in sorted(prof.profiler.function_events, key=lambda e: e.time_range.start):
        current += event.self_cpu_memory_usage
        peak = max(peak, current)
    return peak / 2**20


def backward_rows(batch: int, repeats: int, rng) -> list[dict]:
    import torch

    x = rng.standard_normal((batch, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=batch)
    params = [(rng.standard_normal((784, 256)) * 0.05).astype(np.float32), np.zeros(256, np.float32),
              (rng.standard_normal((256, 10)) * 0.05).astype(np.float32), np.zeros(10, np.float32)]
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    plain = [torch.from_numpy(p) for p in params]
    leaves = [torch.from_numpy(p.copy()).requires_grad_(True) for p in params]
    fns = {"numpy": lambda: mlp_numpy_step(x, y, *params), "hand": lambda: mlp_torch_hand_step(xt, yt, *plain),
           "autograd": lambda: mlp_autograd_step(xt, yt, *leaves)}
    t = interleaved_times(fns, repeats)
    reference = mlp_autograd_step(xt, yt, *leaves)
    diff_numpy = max(_rel_diff(a, b) for a, b in zip(fns["numpy"](), reference))
    diff_hand = max(_rel_diff(a, b) for a, b in zip(fns["hand"](), reference))
    name = f"MLP 784→256→10, batch {batch}, forward+backward"
    rows = [compare(name, "NumPy 손 backward", "torch autograd", t["numpy"], t["autograd"], "backward",
                    group="backward", rel_diff=diff_numpy),
            compare(name, "torch 손 backward (no_grad)", "torch autograd", t["hand"], t["autograd"], "backward",
                    group="backward", rel_diff=diff_hand)]
    numpy_mb = tracemalloc_peak_mb(fns["numpy"])
    hand_mb, autograd_mb = torch_peak_mb(fns["hand"]), torch_peak_mb(fns["autograd"])
    for a, a_mb, how in (("NumPy 손 backward", numpy_mb, "tracemalloc / torch.profiler"),
                         ("torch 손 backward (no_grad)", hand_mb, "torch.profiler / torch.profiler")):
        rows.append(compare_values(name + " 최대 메모리 증가", a, "torch autograd", a_mb, autograd_mb, "MB",
                                   "backward", group="memory", how=how))
    return rows


def dtype_rows(n: int, batch: int, repeats: int, rng) -> list[dict]:
    import torch
    import torch.nn.functional as F

    a32, b32 = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
    a64, b64 = a32.astype(np.float64), b32.astype(np.float64)
    t = interleaved_times({"64": lambda: a64 @ b64, "32": lambda: a32 @ b32}, repeats)
    rows = [compare(f"matmul {n}×{n}", "NumPy float64", "NumPy float32", t["64"], t["32"], "float32", group="dtype")]
    at32, bt32, at64, bt64 = (torch.from_numpy(v) for v in (a32, b32, a64, b64))
    t = interleaved_times({"64": lambda: torch.mm(at64, bt64), "32": lambda: torch.mm(at32, bt32)}, repeats)
    rows.append(compare(f"matmul {n}×{n}", "torch float64", "torch float32", t["64"], t["32"], "float32",
                        group="dtype"))
    x32 = torch.randn(batch, 6, 14, 14)
    w32 = torch.randn(16, 6, 5, 5)
    x64, w64 = x32.double(), w32.double()
    t = interleaved_times({"64": lambda: F.conv2d(x64, w64), "32": lambda: F.conv2d(x32, w32)}, repeats)
    rows.append(compare(f"conv2d C3, batch {batch}", "torch float64", "torch float32", t["64"], t["32"], "float32",
                        group="dtype"))
    return rows


def thread_rows(n: int, batch: int, repeats: int, rng) -> list[dict]:
    """1 thread와 2 thread를 번갈아 잰 줄들, 그리고 1절의 matmul 줄 (NumPy 1 thread / torch 1 thread).

    matmul의 NumPy 1·2 thread와 torch 1 thread는 **한 번의** `interleaved_times` 호출에서 잰다. 그래서 1절의 표제
    비율(NumPy 1 / torch 1)과 NumPy의 thread 비율이 같은 회의 같은 표본에서 나온다. torch 2 thread는 NumPy 2 thread와
    같은 호출에 넣지 않고 torch 1 thread와 따로 번갈아 잰다: NumPy의 OpenBLAS는 2-thread 호출이 끝난 뒤에도 worker
    thread가 한동안 두 번째 core에서 돌며 일을 기다리므로, 바로 뒤의 torch 2-thread 행렬곱은 그 core를 나눠 쓰게 되어
    1 thread보다 빠르지 않다 (docs/02 7절; test_numpy_vs_torch.py의
    `test_torch_two_threads_are_not_timed_next_to_numpy_two_threads`가 이 분리를 지킨다).
    thread 수는 잴 때마다 torch와 NumPy BLAS 모두에 건다; 바꾼 직후의 첫 호출은 재지 않는다 (setup).
    """
    import torch
    import torch.nn.functional as F
    from threadpoolctl import ThreadpoolController

    a, b = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
    at, bt = torch.from_numpy(a), torch.from_numpy(b)
    x, w = torch.randn(batch, 6, 14, 14), torch.randn(16, 6, 5, 5)
    old = torch.get_num_threads()
    # NumPy BLAS의 thread 수는 library의 set_num_threads를 직접 부른다. `threadpool_limits` 문맥은 들어갈 때마다
    # library를 찾느라 ms 단위가 걸린다.
    blas = ThreadpoolController().select(user_api="blas").lib_controllers
    old_blas = [lib.num_threads for lib in blas]

    def threads(k):
        def fn():
            torch.set_num_threads(k)
            for lib in blas:
                lib.set_num_threads(k)
        return fn

    def load_label(before):
        """thread 줄의 이름에 붙이는 그 측정 전후의 1분 load average (두 번째 core가 비어 있었는가)."""
        after = load_average()
        return "" if before is None or after is None else f", load {before[0]:.1f}→{after[0]:.1f}"

    try:
        before = load_average()
        fns = {"numpy1": lambda: a @ b, "torch1": lambda: torch.mm(at, bt), "numpy2": lambda: a @ b}
        t = interleaved_times(fns, repeats, setup={name: threads(int(name[-1])) for name in fns})
        load = load_label(before)
        rows = [compare(f"{n}×{n} float32, thread 1", "NumPy a @ b", "torch.mm", t["numpy1"], t["torch1"], "kernel",
                        group="matmul", rel_diff=_rel_diff(a @ b, torch.mm(at, bt))),
                compare(f"matmul {n}×{n}{load}", "NumPy 2 thread", "NumPy 1 thread", t["numpy2"], t["numpy1"],
                        "threads", group="threads")]
        before = load_average()
        fns = {"torch1": lambda: torch.mm(at, bt), "torch2": lambda: torch.mm(at, bt)}
        t = interleaved_times(fns, repeats, setup={name: threads(int(name[-1])) for name in fns})
        rows.append(compare(f"matmul {n}×{n}{load_label(before)}", "torch 2 thread", "torch 1 thread", t["torch2"],
                            t["torch1"], "threads", group="threads"))
        before = load_average()
        op = lambda: F.conv2d(x, w)                                                  # noqa: E731
        t = interleaved_times({"2": op, "1": op}, repeats, setup={"2": threads(2), "1": threads(1)})
        rows.append(compare(f"conv2d C3, batch {batch}{load_label(before)}", "torch 2 thread", "torch 1 thread", t["2"],
                            t["1"], "threads", group="threads"))
    finally:
        torch.set_num_threads(old)
        for lib, k in zip(blas, old_blas):
            lib.set_num_threads(k)
    return rows


def cuda_rows(n: int, batch: int, lengths, repeats: int) -> list[dict]:
    """torch CUDA / torch CPU. GPU 쪽은 매번 `torch.cuda.synchronize()`까지 잰다 (kernel은 비동기로 돈다)."""
    import torch
    import torch.nn.functional as F

    def on(device, op, *tensors):
        moved = [t.to(device) for t in tensors]

        def fn():
            op(*moved)
            if device == "cuda":
                torch.cuda.synchronize()
        return fn

    cases = [(f"matmul {n}×{n}", torch.mm, (torch.randn(n, n), torch.randn(n, n))),
             (f"conv2d C3, batch {batch}", F.conv2d, (torch.randn(batch, 6, 14, 14), torch.randn(16, 6, 5, 5)))]
    cases += [(f"attention T={T}", F.scaled_dot_product_attention, tuple(torch.randn(1, 8, T, 64) for _ in range(3)))
              for T in lengths]
    rows = []
    with torch.no_grad():
        for name, op, tensors in cases:
            t = interleaved_times({"cuda": on("cuda", op, *tensors), "cpu": on("cpu", op, *tensors)}, repeats)
            rows.append(compare(name, f"torch CUDA ({torch.cuda.get_device_name()})", "torch CPU", t["cuda"], t["cpu"],
                                "gpu", group="cuda"))
    return rows


def measure(quick: bool, repeats: int, cuda: bool, seed: int = 0, threads: int = 1,
            thread_table: bool = False) -> list[dict]:
    """thread_table이면 1절의 matmul 줄은 `thread_rows`가 (같은 호출에서) 만든다."""
    rng = np.random.default_rng(seed)
    n, batch, lengths = (128, 8, (32,)) if quick else (1024, 64, (256, 1024))
    rows = [] if thread_table else matmul_rows(n, repeats, rng, threads)
    rows += conv_rows(batch, repeats, rng)
    rows += lstm_rows(*((10, 4, 16) if quick else (100, 32, 128)), repeats, rng)
    rows += attention_rows(lengths, repeats, rng)
    rows += backward_rows(16 if quick else 128, repeats, rng)
    rows += dtype_rows(n // 2, batch, repeats, rng)
    if cuda:
        rows += cuda_rows(n, batch, lengths, repeats)
    return rows


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description="같은 연산의 NumPy 손 구현 vs PyTorch: 나란히 잰 비율")
    parser.add_argument("--quick", action="store_true", help="작은 크기로 몇 초 (도는지 확인용, 숫자는 비교용 아님)")
    parser.add_argument("--repeats", type=int, default=None, help="번갈아 잰 round 수 (기본 21, --quick은 3)")
    parser.add_argument("--threads", type=int, default=1, help="threads group 밖의 측정에 쓸 thread 수 (기본 1)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="cuda: GPU가 있으면 torch CUDA / CPU 비율도 잰다")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    repeats = args.repeats if args.repeats is not None else (3 if args.quick else 21)
    if repeats < 1 or args.threads < 1:
        parser.error("--repeats와 --threads는 1 이상이어야 합니다")
    import torch

    from utils.core import limit_threads

    cuda = args.device == "cuda" and torch.cuda.is_available()
    thread_table = (os.cpu_count() or 1) >= 2 and args.threads == 1     # 1-core 기계에서는 thread 비교가 없다
    with limit_threads(args.threads):
        rows = measure(args.quick, repeats, cuda, args.seed, args.threads, thread_table)
    if thread_table:
        # limit_threads 밖에서: thread_rows가 thread 수를 직접 정하고 끝나면 되돌린다. 다른 작업이 core를 쓰고 있으면
        # 2 thread 연산은 두 번째 core가 빌 때까지 기다린다 — 그 기다림도 측정의 일부다 (load average와 함께 읽는다).
        rows = thread_rows(128 if args.quick else 1024, 8 if args.quick else 64, repeats,
                           np.random.default_rng(args.seed + 1)) + rows
    order = {group: i for i, group in enumerate(GROUPS)}
    rows.sort(key=lambda r: order[r["group"]])                               # 문서의 절 순서 (안정 정렬)
    print_rows(rows)
    return {"rows": rows, "repeats": repeats, "quick": args.quick, "cuda": cuda}


if __name__ == "__main__":
    main()
