"""Convolution 속도 측정: NumPy im2col (L1) vs `F.conv2d` (CPU), 그리고 정의 그대로의 loop vs im2col.

LeNet-5의 세 convolution을 batch 64로 잰다 (kernel 5×5, stride 1, padding 0, float32):
    C1   1 → 6,    입력 32×32 → 출력 28×28
    C3   6 → 16,   입력 14×14 → 출력 10×10   (modern 판처럼 완전 연결)
    C5  16 → 120,  입력 5×5   → 출력 1×1
한 번의 실행 안에서 같은 입력·같은 가중치로:
    1. NumPy `Conv2D` forward + backward (dx, dW, db 모두) vs `F.conv2d` forward + `torch.autograd.grad` (같은 셋)
    2. `conv2d_naive` forward (n, f, i, j 네 겹 loop) vs NumPy `Conv2D` forward
시간은 warm-up 한 번 뒤 `--repeats`번 잰 값의 중앙값(median)이다 (naive는 느려서 한 번만 잰다).
세 구현의 결과가 서로 같은지도 함께 확인해 표에 적는다: 상대 차이 = max|a − b| / max|b| (출력, dx, dW 중 최대).
forward + backward 한 번마다 생긴 minor page fault 수(`resource.getrusage`의 ru_minflt)도 함께 센다: 큰 임시
배열(im2col의 cols, backward의 dcols — C3에서 각각 3.8 MB)을 allocator가 매번 OS에서 새로 받아 오면, 그 page를 처음
쓸 때마다 kernel이 0으로 채워 주느라 시간이 든다. 같은 코드라도 그 process가 그전에 어떤 크기를 할당·해제했는지에 따라
glibc malloc이 이 배열을 mmap으로 받을지(매번 fault) heap에서 재사용할지가 달라진다 (measurements.md).

thread 수(`--threads`, 기본 1)는 NumPy의 BLAS와 torch에 똑같이 적용한다. 환경 변수(OPENBLAS_CORETYPE 등)는
건드리지 않고 그대로 잰다 — 출력의 환경 줄에 그 값을 적는다.

실행:  python -m 03_CNN_LeNet.benchmark_conv [--repeats 20] [--batch 64] [--threads 1] [--profile]
(`--profile`: 층마다 im2col forward + backward를 im2col · 행렬곱 셋 · col2im으로 나눠 잰 표를 덧붙인다.)
(timed test는 없다: 시간은 기계와 부하에 따라 다르므로, 테스트는 `main(["--repeats", "1"])`이 돌고 비율을
돌려주는지만 본다.)
"""
from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from utils.benchmark import environment, median_seconds

from .numpy.conv import Conv2D, col2im, conv2d_naive, im2col

SHAPES = (("C1", 1, 6, 32), ("C3", 6, 16, 14), ("C5", 16, 120, 5))     # (이름, C_in, C_out, H = W), kernel 5×5


def page_faults_per_call(fn, calls: int = 5) -> float:
    """fn 한 번에 생긴 minor page fault 수의 평균 (warm-up 한 번 뒤). Linux 밖에서도 getrusage는 있다."""
    fn()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        fn()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / calls


def measure(name: str, c_in: int, c_out: int, size: int, batch: int, repeats: int, seed: int) -> dict:
    import torch
    import torch.nn.functional as F

    rng = np.random.default_rng(seed)
    layer = Conv2D(c_in, c_out, 5, rng=rng, dtype=np.float32)
    layer.params["b"][:] = rng.normal(size=c_out).astype(np.float32)
    x = rng.normal(size=(batch, c_in, size, size)).astype(np.float32)
    out_size = size - 4
    dout = rng.normal(size=(batch, c_out, out_size, out_size)).astype(np.float32)

    xt = torch.tensor(x, requires_grad=True)
    Wt = torch.tensor(layer.params["W"], requires_grad=True)
    bt = torch.tensor(layer.params["b"], requires_grad=True)
    doutt = torch.tensor(dout)

    def numpy_step():
        layer.forward(x)
        return layer.backward(dout)

    def torch_step():
        return torch.autograd.grad(F.conv2d(xt, Wt, bt), (xt, Wt, bt), doutt)

    im2col_s = median_seconds(numpy_step, repeats)
    torch_s = median_seconds(torch_step, repeats)
    faults = {"im2col": page_faults_per_call(numpy_step), "torch": page_faults_per_call(torch_step)}
    forward_s = median_seconds(lambda: layer.forward(x), repeats)
    start = time.perf_counter()
    naive_out = conv2d_naive(x, layer.params["W"], layer.params["b"])
    naive_s = time.perf_counter() - start

    out = layer.forward(x)
    dx = layer.backward(dout)
    out_t = F.conv2d(xt, Wt, bt).detach().numpy()
    dx_t, dW_t, _ = torch_step()
    pairs = ((out, out_t), (dx, dx_t.numpy()), (layer.grads["W"], dW_t.numpy()))   # float32: 합의 순서만 다르다
    diff_torch = max(float(np.abs(a - b).max() / np.abs(b).max()) for a, b in pairs)
    diff_naive = float(np.abs(naive_out - out).max() / np.abs(naive_out).max())
    return {"layer": name, "shape": f"{c_in}→{c_out}, {size}×{size}", "im2col_fwd_bwd_ms": im2col_s * 1e3,
            "torch_fwd_bwd_ms": torch_s * 1e3, "im2col_vs_torch": im2col_s / torch_s,
            "naive_fwd_ms": naive_s * 1e3, "im2col_fwd_ms": forward_s * 1e3, "naive_vs_im2col": naive_s / forward_s,
            "rel_diff_vs_torch": diff_torch, "rel_diff_naive": diff_naive,
            "page_faults_im2col": faults["im2col"], "page_faults_torch": faults["torch"]}


def profile_stages(c_in: int, c_out: int, size: int, batch: int, repeats: int, seed: int) -> dict:
    """`Conv2D` forward + backward를 단계별로 나눠 잰 중앙값 (ms): 어디서 시간이 드는가.

    im2col(복사) → forward 행렬곱 → dW 행렬곱 (dout_mat @ colsᵀ) → dcols 행렬곱 (Wᵀ @ dout_mat) → col2im(누적).
    단계마다 따로 재므로 합이 한 번에 잰 forward + backward와 조금 다를 수 있다 (bias 더하기, transpose, 할당).
    """
    rng = np.random.default_rng(seed)
    layer = Conv2D(c_in, c_out, 5, rng=rng, dtype=np.float32)
    x = rng.normal(size=(batch, c_in, size, size)).astype(np.float32)
    out = size - 4
    dout = rng.normal(size=(batch, c_out, out, out)).astype(np.float32)
    W = layer.params["W"].reshape(c_out, -1)                                          # (F, C·KH·KW)
    cols = im2col(x, (5, 5), (1, 1), (0, 0)).reshape(W.shape[1], -1)                 # (C·KH·KW, N·OH·OW)
    dout_mat = dout.transpose(1, 0, 2, 3).reshape(c_out, -1)                          # (F, N·OH·OW)
    dcols = (W.T @ dout_mat).reshape(c_in, 5, 5, batch, out, out)
    stages = {"im2col": lambda: im2col(x, (5, 5), (1, 1), (0, 0)),
              "forward matmul": lambda: W @ cols,
              "dW matmul": lambda: dout_mat @ cols.T,
              "dcols matmul": lambda: W.T @ dout_mat,
              "col2im": lambda: col2im(dcols, x.shape, (5, 5), (1, 1), (0, 0))}
    times = {name: median_seconds(fn, repeats) * 1e3 for name, fn in stages.items()}
    times["합"] = sum(times.values())
    return times


def format_table(rows: list[dict]) -> str:
    header = ("층", "shape", "im2col f+b (ms)", "F.conv2d f+b (ms)", "im2col / torch",
              "naive f (ms)", "im2col f (ms)", "naive / im2col", "상대 차이 torch", "상대 차이 naive",
              "page fault / f+b (im2col, torch)")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        lines.append(f"| {r['layer']} | {r['shape']} | {r['im2col_fwd_bwd_ms']:.2f} | {r['torch_fwd_bwd_ms']:.2f} | "
                     f"{r['im2col_vs_torch']:.2f}× | {r['naive_fwd_ms']:.0f} | {r['im2col_fwd_ms']:.2f} | "
                     f"{r['naive_vs_im2col']:.0f}× | {r['rel_diff_vs_torch']:.1e} | {r['rel_diff_naive']:.1e} | "
                     f"{r['page_faults_im2col']:.0f}, {r['page_faults_torch']:.0f} |")
    return "\n".join(lines)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(
        description="LeNet convolution 속도: NumPy im2col vs F.conv2d, naive loop vs im2col")
    parser.add_argument("--repeats", type=int, default=20, help="구현마다 잰 횟수 (중앙값을 쓴다)")
    parser.add_argument("--batch", type=int, default=64, help="batch 크기")
    parser.add_argument("--threads", type=int, default=1, help="NumPy BLAS와 torch의 thread 수 (둘 다 같게)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true", help="층마다 im2col f+b를 단계별로 나눠 잰 표도 출력")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.batch < 1 or args.threads < 1:
        parser.error("--repeats, --batch, --threads는 1 이상이어야 합니다")
    import torch
    from threadpoolctl import threadpool_limits

    old_threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    try:
        with threadpool_limits(limits=args.threads):
            rows = [measure(name, c_in, c_out, size, args.batch, args.repeats, args.seed)
                    for name, c_in, c_out, size in SHAPES]
            profile = ({name: profile_stages(c_in, c_out, size, args.batch, args.repeats, args.seed)
                        for name, c_in, c_out, size in SHAPES} if args.profile else None)
    finally:
        torch.set_num_threads(old_threads)
    env = environment(args.threads)
    print("환경: " + ", ".join(f"{k} = {v}" for k, v in env.items()))
    print(f"batch {args.batch}, float32, kernel 5×5, 중앙값 (repeats = {args.repeats}; naive는 1회)\n")
    print(format_table(rows))
    if profile:
        stages = list(next(iter(profile.values())))
        print("\n단계별 중앙값 (ms)\n| 층 | " + " | ".join(stages) + " |\n|" + "---|" * (len(stages) + 1))
        for name, times in profile.items():
            print(f"| {name} | " + " | ".join(f"{times[s]:.2f}" for s in stages) + " |")
    ratios = {r["layer"]: {"im2col_vs_torch": r["im2col_vs_torch"], "naive_vs_im2col": r["naive_vs_im2col"]}
              for r in rows}
    return {"environment": env, "batch": args.batch, "repeats": args.repeats, "rows": rows, "ratios": ratios,
            "profile": profile}


if __name__ == "__main__":
    main()
