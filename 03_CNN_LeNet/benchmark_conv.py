"""Convolution 속도 측정: NumPy im2col (L1) vs `F.conv2d` (CPU), 그리고 정의 그대로의 loop vs im2col.

LeNet-5의 세 convolution을 batch 64로 잰다 (kernel 5×5, stride 1, padding 0, float32):
    C1   1 → 6,    입력 32×32 → 출력 28×28
    C3   6 → 16,   입력 14×14 → 출력 10×10   (modern 판처럼 완전 연결)
    C5  16 → 120,  입력 5×5   → 출력 1×1
한 번의 실행 안에서 같은 입력·같은 가중치로, 모두 `utils.benchmark.interleaved_times`로 번갈아 (같은 회의 쌍):
    1. NumPy `Conv2D` forward + backward (dx, dW, db 모두) vs `F.conv2d` forward + `torch.autograd.grad` (같은 셋)
       [goal: 손 kernel / library kernel ≤ 2×]
    2. 작업 배열 재사용: `Conv2D` (cols·dcols를 shape마다 한 번 잡아 다시 쓴다) vs step마다 새로 잡는 같은 층
       (`FreshConv2D`: 재사용 전의 코드와 같은 할당) [goal ≤ 1×]
    3. `conv2d_naive` forward (n, f, i, j 네 겹 loop) vs NumPy `Conv2D` forward (naive는 느려서 `--naive-repeats`회)
       [goal: naive / im2col ≥ 10×]
비율은 회마다의 비율의 중앙값, 구간은 bootstrap 95% 구간, 판정은 그 구간과 goal로 (`utils.benchmark`).
세 구현의 결과가 서로 같은지도 함께 확인해 표에 적는다: 상대 차이 = max|a − b| / max|b| (출력, dx, dW 중 최대).
forward + backward 한 번마다 생긴 minor page fault 수(`resource.getrusage`의 ru_minflt)도 함께 센다: 큰 임시
배열(im2col의 cols, backward의 dcols — C3에서 각각 3.8 MB)을 allocator가 매번 OS에서 새로 받아 오면, 그 page를 처음
쓸 때마다 kernel이 0으로 채워 주느라 시간이 든다. 같은 코드라도 그 process가 그전에 어떤 크기를 할당·해제했는지에 따라
glibc malloc이 이 배열을 mmap으로 받을지(매번 fault) heap에서 재사용할지가 달라진다 — `Conv2D`가 두 배열을 다시 쓰는
이유다 (measurements.md).

thread 수(`--threads`, 기본 1)는 NumPy의 BLAS와 torch에 똑같이 적용한다. 환경 변수(OPENBLAS_CORETYPE 등)는
건드리지 않고 그대로 잰다 — 출력의 환경 줄에 그 값을 적는다.

실행:  python -m 03_CNN_LeNet.benchmark_conv [--repeats 21] [--naive-repeats 3] [--batch 64] [--threads 1] [--profile]
(`--profile`: 층마다 im2col forward + backward를 im2col · 행렬곱 셋 · col2im으로 나눠 잰 표를 덧붙인다.)
(timed test는 없다: 시간은 기계와 부하에 따라 다르므로, 테스트는 `main(["--repeats", "1"])`이 돌고 비율을
돌려주는지만 본다.)
"""
from __future__ import annotations

import resource

import numpy as np

from utils.benchmark import benchmark_main, compare, interleaved_times
from utils.cli import positive_int

from .numpy.conv import Conv2D, col2im, conv2d_naive, im2col

SHAPES = (("C1", 1, 6, 32), ("C3", 6, 16, 14), ("C5", 16, 120, 5))     # (이름, C_in, C_out, H = W), kernel 5×5


def page_faults_per_call(fn, calls: int = 5) -> float:
    """fn 한 번에 생긴 minor page fault 수의 평균 (warm-up 한 번 뒤). Linux 밖에서도 getrusage는 있다."""
    fn()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        fn()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / calls


class FreshConv2D(Conv2D):
    """작업 배열을 다시 쓰지 않는 `Conv2D`: step마다 cols·dcols를 새로 잡는다 (재사용 전과 같은 할당, 비교용)."""

    def buffer(self, name: str, shape: tuple, dtype) -> np.ndarray:
        return np.empty(shape, dtype=dtype)


def measure(name: str, c_in: int, c_out: int, size: int, batch: int, repeats: int, seed: int,
            naive_repeats: int = 3) -> dict:
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

    fresh = FreshConv2D(c_in, c_out, 5, dtype=np.float32)
    fresh.params = {k: v.copy() for k, v in layer.params.items()}

    def numpy_step(conv=layer):
        conv.forward(x)
        return conv.backward(dout)

    def torch_step():
        return torch.autograd.grad(F.conv2d(xt, Wt, bt), (xt, Wt, bt), doutt)

    t = interleaved_times({"im2col": numpy_step, "torch": torch_step, "fresh": lambda: numpy_step(fresh)}, repeats)
    faults = {"im2col": page_faults_per_call(numpy_step), "torch": page_faults_per_call(torch_step),
              "fresh": page_faults_per_call(lambda: numpy_step(fresh))}
    naive = interleaved_times({"naive": lambda: conv2d_naive(x, layer.params["W"], layer.params["b"]),
                               "im2col": lambda: layer.forward(x)}, naive_repeats)
    naive_out = conv2d_naive(x, layer.params["W"], layer.params["b"])

    out = layer.forward(x)
    dx = layer.backward(dout)
    out_t = F.conv2d(xt, Wt, bt).detach().numpy()
    dx_t, dW_t, _ = torch_step()
    pairs = ((out, out_t), (dx, dx_t.numpy()), (layer.grads["W"], dW_t.numpy()))   # float32: 합의 순서만 다르다
    diff_torch = max(float(np.abs(a - b).max() / np.abs(b).max()) for a, b in pairs)
    diff_naive = float(np.abs(naive_out - out).max() / np.abs(naive_out).max())
    fresh_dx = numpy_step(fresh)
    diff_fresh = float(np.abs(fresh_dx - dx).max() / np.abs(dx).max())
    shape = f"{c_in}→{c_out}, {size}×{size}"
    rows = [compare(f"{name} ({shape}) forward+backward", "NumPy im2col (L1)", "F.conv2d + autograd",
                    t["im2col"], t["torch"], "kernel", rel_diff=diff_torch,
                    page_faults=(faults["im2col"], faults["torch"])),
            compare(f"{name} forward+backward: 작업 배열", "shape마다 한 번 잡아 재사용", "step마다 새로 잡기",
                    t["im2col"], t["fresh"], "buffers", rel_diff=diff_fresh,
                    page_faults=(faults["im2col"], faults["fresh"])),
            compare(f"{name} forward", "naive loop", "NumPy im2col (L1)", naive["naive"], naive["im2col"], "im2col",
                    rel_diff=diff_naive)]
    return {"layer": name, "shape": shape, "rows": rows, "rel_diff_vs_torch": diff_torch, "rel_diff_naive": diff_naive,
            "page_faults_im2col": faults["im2col"], "page_faults_torch": faults["torch"],
            "page_faults_fresh": faults["fresh"]}


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
    t = interleaved_times(stages, repeats)
    times = {name: float(np.median(t[name]["wall"])) * 1e3 for name in stages}
    times["합"] = sum(times.values())
    return times


def format_table(results: list[dict]) -> str:
    """층마다 page fault 수 (f+b 한 번당): im2col (재사용), F.conv2d, im2col (매번 새로)."""
    lines = ["| 층 | shape | page fault / f+b: im2col 재사용 | F.conv2d | im2col 매번 새로 |", "|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['layer']} | {r['shape']} | {r['page_faults_im2col']:.0f} | {r['page_faults_torch']:.0f} | "
                     f"{r['page_faults_fresh']:.0f} |")
    return "\n".join(lines)


def measure_all(args) -> dict:
    """세 층 모두 (`--profile`이면 단계별 표도)."""
    results = [measure(name, c_in, c_out, size, args.batch, args.repeats, args.seed, args.naive_repeats)
               for name, c_in, c_out, size in SHAPES]
    profile = ({name: profile_stages(c_in, c_out, size, args.batch, args.repeats, args.seed)
                for name, c_in, c_out, size in SHAPES} if args.profile else None)
    return {"batch": args.batch, "rows": [row for r in results for row in r["rows"]], "layers": results,
            "profile": profile}


def summary(result: dict) -> str:
    """측정 조건, 층마다 page fault 표, (있으면) 단계별 표."""
    lines = [f"batch {result['batch']}, float32, kernel 5×5 (naive loop vs im2col은 --naive-repeats회)", "",
             format_table(result["layers"])]
    profile = result["profile"]
    if profile:
        stages = list(next(iter(profile.values())))
        lines += ["", "단계별 중앙값 (ms)", "| 층 | " + " | ".join(stages) + " |", "|" + "---|" * (len(stages) + 1)]
        lines += [f"| {name} | " + " | ".join(f"{times[s]:.2f}" for s in stages) + " |"
                  for name, times in profile.items()]
    return "\n".join(lines)


def options(parser) -> None:
    parser.add_argument("--naive-repeats", type=positive_int, default=3,
                        help="naive loop vs im2col의 회 수 (naive는 느리다)")
    parser.add_argument("--batch", type=positive_int, default=64, help="batch 크기")
    parser.add_argument("--profile", action="store_true", help="층마다 im2col f+b를 단계별로 나눠 잰 표도 출력")


def main(argv=None) -> dict:
    return benchmark_main(measure_all, "LeNet convolution 속도: NumPy im2col vs F.conv2d, naive loop vs im2col",
                          argv, repeats=21, options=options, summary=summary)


if __name__ == "__main__":
    main()
