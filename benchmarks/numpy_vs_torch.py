"""같은 연산을 NumPy로 손수, 그리고 PyTorch로: 나란히 잰 비율 (`docs/02_NumPy_vs_PyTorch_Comparison.md`의 표).

group마다 (괄호는 `--quick`의 작은 크기 — 도는지만 보는 값):
    matmul     (n×n)(n×n), n = 1024 (128): NumPy `a @ b` vs `torch.mm`. 둘 다 BLAS를 부른다.
    conv       LeNet C3 (6→16, 14×14, 5×5, batch 64 (8)) forward: 03장의 NumPy im2col `Conv2D` vs `F.conv2d`.
               (forward + backward는 03장의 벤치마크가 잰다.)
    lstm       T 100 (10), B 32 (4), D = H = 128 (16) forward: 06장의 NumPy `LSTM` vs `nn.LSTM` (no_grad),
               시퀀스 전체와 한 step (T = 1).
    attention  B 1, h 8, d_k 64, T = 256, 1024 (32) forward: NumPy softmax(QKᵀ/√d_k)V vs
               `F.scaled_dot_product_attention`.
    backward   MLP 784→256→10, batch 128 (16), softmax cross-entropy의 forward + backward (모든 gradient):
               NumPy 손 backward vs torch autograd, torch로 쓴 같은 손 backward vs torch autograd.
    memory     위 backward의 최대 메모리 증가 (MB). NumPy는 `tracemalloc` (NumPy가 버퍼 할당을 tracemalloc에
               알린다), torch는 `torch.profiler`(profile_memory=True)의 할당·해제 event를 시간 순서로 더한 최댓값.
               둘 다 "step 시작 때보다 step 도중 최대 몇 byte를 더 잡았는가"이다 (Python 객체 자체는 무시할 만큼 작다).
    dtype      float64 / float32: NumPy matmul, torch matmul, torch conv2d (C3).
    threads    2 thread / 1 thread: NumPy matmul (threadpoolctl), torch matmul, torch conv2d (C3).
               thread 수를 호출마다 바꿔 가며 번갈아 잰다.
    cuda       (`--device cuda`이고 GPU가 있을 때만) torch CUDA / torch CPU: matmul, conv2d, attention.

모든 시간은 `utils.benchmark.interleaved_times`로 번갈아 잰 표본의 중앙값, 비율 범위는 round별 비율의 min–max다.
실행:  python -m benchmarks.numpy_vs_torch [--quick] [--repeats N] [--threads N] [--device cpu|cuda]
"""
from __future__ import annotations

import argparse
import importlib
import os
import tracemalloc

import numpy as np

from utils.benchmark import interleaved_times

from .timing import make_row

GROUPS = ("matmul", "conv", "lstm", "attention", "backward", "memory", "dtype", "threads", "cuda")


def _rel_diff(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.abs(a - b).max() / np.abs(b).max())


def matmul_rows(n: int, repeats: int, rng) -> list[dict]:
    import torch

    a, b = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
    at, bt = torch.from_numpy(a), torch.from_numpy(b)
    t = interleaved_times({"numpy": lambda: a @ b, "torch": lambda: torch.mm(at, bt)}, repeats)
    return [make_row("matmul", f"{n}×{n} float32", "NumPy a @ b", "torch.mm", t["numpy"], t["torch"],
                     rel_diff=_rel_diff(a @ b, torch.mm(at, bt)))]


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
    return [make_row("conv", f"C3 6→16, 14×14, batch {batch}, forward", "NumPy im2col (03장 L1)", "F.conv2d",
                     t["numpy"], t["torch"], rel_diff=diff)]


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
        rows.append(make_row("lstm", f"{name} forward", "NumPy LSTM (06장 L1)", "nn.LSTM", t["numpy"], t["torch"],
                             rel_diff=diff))
    return rows


def numpy_attention(q, k, v):
    """softmax(q kᵀ / √d_k) v, (B, h, T, d_k): score 행렬 (B, h, T, T)를 만들어 쓴다."""
    scores = q @ k.swapaxes(-1, -2) / np.sqrt(q.shape[-1])
    scores -= scores.max(axis=-1, keepdims=True)
    weights = np.exp(scores)
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ v


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
        rows.append(make_row("attention", f"B=1, h=8, d_k=64, T={T} forward", "NumPy softmax(QKᵀ/√d)V",
                             "F.scaled_dot_product_attention", t["numpy"], t["torch"], rel_diff=diff))
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
    rows = [make_row("backward", name, "NumPy 손 backward", "torch autograd", t["numpy"], t["autograd"],
                     rel_diff=diff_numpy),
            make_row("backward", name, "torch 손 backward (no_grad)", "torch autograd", t["hand"], t["autograd"],
                     rel_diff=diff_hand)]
    numpy_mb = tracemalloc_peak_mb(fns["numpy"])
    hand_mb, autograd_mb = torch_peak_mb(fns["hand"]), torch_peak_mb(fns["autograd"])
    for a, a_mb, how in (("NumPy 손 backward", numpy_mb, "tracemalloc / torch.profiler"),
                         ("torch 손 backward (no_grad)", hand_mb, "torch.profiler / torch.profiler")):
        rows.append({"group": "memory", "name": name + " 최대 메모리 증가", "a": a, "b": "torch autograd",
                     "unit": "MB", "a_value": a_mb, "b_value": autograd_mb, "ratio": a_mb / autograd_mb,
                     "ratio_min": None, "ratio_max": None, "repeats": 1, "how": how})
    return rows


def dtype_rows(n: int, batch: int, repeats: int, rng) -> list[dict]:
    import torch
    import torch.nn.functional as F

    a32, b32 = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
    a64, b64 = a32.astype(np.float64), b32.astype(np.float64)
    t = interleaved_times({"64": lambda: a64 @ b64, "32": lambda: a32 @ b32}, repeats)
    rows = [make_row("dtype", f"matmul {n}×{n}", "NumPy float64", "NumPy float32", t["64"], t["32"])]
    at32, bt32, at64, bt64 = (torch.from_numpy(v) for v in (a32, b32, a64, b64))
    t = interleaved_times({"64": lambda: torch.mm(at64, bt64), "32": lambda: torch.mm(at32, bt32)}, repeats)
    rows.append(make_row("dtype", f"matmul {n}×{n}", "torch float64", "torch float32", t["64"], t["32"]))
    x32 = torch.randn(batch, 6, 14, 14)
    w32 = torch.randn(16, 6, 5, 5)
    x64, w64 = x32.double(), w32.double()
    t = interleaved_times({"64": lambda: F.conv2d(x64, w64), "32": lambda: F.conv2d(x32, w32)}, repeats)
    rows.append(make_row("dtype", f"conv2d C3, batch {batch}", "torch float64", "torch float32", t["64"], t["32"]))
    return rows


def thread_rows(n: int, batch: int, repeats: int, rng) -> list[dict]:
    import torch
    import torch.nn.functional as F
    from threadpoolctl import ThreadpoolController

    a, b = rng.standard_normal((n, n), dtype=np.float32), rng.standard_normal((n, n), dtype=np.float32)
    at, bt = torch.from_numpy(a), torch.from_numpy(b)
    x, w = torch.randn(batch, 6, 14, 14), torch.randn(16, 6, 5, 5)
    old = torch.get_num_threads()
    # NumPy BLAS의 thread 수는 library의 set_num_threads를 직접 부른다. `threadpool_limits` 문맥은 들어갈 때마다
    # library를 찾느라 ms 단위가 걸린다. 바꾼 직후의 첫 호출은 재지 않는다 (`interleaved_times`의 setup).
    blas = ThreadpoolController().select(user_api="blas").lib_controllers
    old_blas = [lib.num_threads for lib in blas]

    def numpy_threads(k):
        def fn():
            for lib in blas:
                lib.set_num_threads(k)
        return fn

    def torch_threads(k):
        return lambda: torch.set_num_threads(k)

    rows = []
    try:
        t = interleaved_times({"2": lambda: a @ b, "1": lambda: a @ b}, repeats,
                        setup={"2": numpy_threads(2), "1": numpy_threads(1)})
        rows.append(make_row("threads", f"matmul {n}×{n}", "NumPy 2 thread", "NumPy 1 thread", t["2"], t["1"]))
        for name, op in ((f"matmul {n}×{n}", lambda: torch.mm(at, bt)),
                         (f"conv2d C3, batch {batch}", lambda: F.conv2d(x, w))):
            t = interleaved_times({"2": op, "1": op}, repeats, setup={"2": torch_threads(2), "1": torch_threads(1)})
            rows.append(make_row("threads", name, "torch 2 thread", "torch 1 thread", t["2"], t["1"]))
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
            rows.append(make_row("cuda", name, f"torch CUDA ({torch.cuda.get_device_name()})", "torch CPU",
                                 t["cuda"], t["cpu"]))
    return rows


def measure(quick: bool, repeats: int, cuda: bool, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    n, batch, lengths = (128, 8, (32,)) if quick else (1024, 64, (256, 1024))
    rows = matmul_rows(n, repeats, rng)
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
    parser.add_argument("--repeats", type=int, default=None, help="번갈아 잰 round 수 (기본 15, --quick은 2)")
    parser.add_argument("--threads", type=int, default=1, help="threads group 밖의 측정에 쓸 thread 수 (기본 1)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                        help="cuda: GPU가 있으면 torch CUDA / CPU 비율도 잰다")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    repeats = args.repeats if args.repeats is not None else (2 if args.quick else 15)
    if repeats < 1 or args.threads < 1:
        parser.error("--repeats와 --threads는 1 이상이어야 합니다")
    import torch

    from utils.core import limit_threads

    cuda = args.device == "cuda" and torch.cuda.is_available()
    with limit_threads(args.threads):
        rows = measure(args.quick, repeats, cuda, args.seed)
    if (os.cpu_count() or 1) >= 2:                       # 1-core 기계에서는 thread 비교가 없다
        # limit_threads 밖에서: thread_rows가 thread 수를 직접 정하고 끝나면 되돌린다. 다른 작업이 core를 쓰고 있으면
        # 2 thread 연산은 두 번째 core가 빌 때까지 기다린다 — 그 기다림도 측정의 일부다 (load average와 함께 읽는다).
        rows += thread_rows(128 if args.quick else 1024, 8 if args.quick else 64, repeats,
                            np.random.default_rng(args.seed + 1))
    for r in rows:
        unit = r.get("unit", "ms")
        a, b = (r["a_value"], r["b_value"]) if unit == "MB" else (r["a_ms"], r["b_ms"])
        print(f"[{r['group']}] {r['name']}: {r['a']} {a:.3g} {unit} / {r['b']} {b:.3g} {unit} = {r['ratio']:.3g}×")
    return {"rows": rows, "repeats": repeats, "quick": args.quick, "cuda": cuda}


if __name__ == "__main__":
    main()
