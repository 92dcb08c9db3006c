"""LSTM 속도 측정: NumPy LSTM (L1, 손 BPTT) vs `nn.LSTM`, low-level LSTM (L2, 손 loop + autograd) vs `nn.LSTM`.

한 번의 실행 안에서 같은 입력·같은 가중치로 forward + backward (입력, 초기 상태, 모든 가중치의 gradient)를 잰다.
기본 조건: batch 32, T 100, hidden 128, 입력 크기 128, float32, CPU.
    1. NumPy `LSTM.forward` + `LSTM.backward`
    2. `recurrent.recurrent(..., "lstm")` + `torch.autograd.grad`
    3. `nn.LSTM` forward + `torch.autograd.grad` (PyTorch의 C++ 구현, CPU)
시간은 warm-up 한 번 뒤 `--repeats`번 잰 값의 중앙값이다. 세 구현의 결과가 같은지도 함께 확인한다:
상대 차이 = max|a − b| / max|b| (출력, dx, dW_hh 중 최대, float32).

NumPy 쪽이 빠른 이유 (`numpy/recurrent.py`): gate 넷을 한 행렬곱으로, 입력 투영 x W_ihᵀ를 모든 시각에 대해 한 번에,
weight gradient를 시각마다가 아니라 끝에서 행렬곱 한 번으로 계산한다. Python loop는 시각마다 한 번뿐이다.

실행:  python -m 06_LSTM_GRU.benchmark_lstm [--repeats 10] [--batch 32] [--steps 100] [--hidden 128] [--threads 1]
(timed test는 없다: 테스트는 작은 크기로 한 번 돌고 비율을 돌려주는지만 본다.)
"""
from __future__ import annotations

import argparse

import numpy as np

from utils.benchmark import environment, median_seconds


def measure(batch: int, steps: int, hidden: int, input_size: int, repeats: int, seed: int) -> dict:
    import torch
    from torch import nn

    from .numpy.recurrent import LSTM
    from .pytorch_lowlevel.recurrent import recurrent

    rng = np.random.default_rng(seed)
    layer = LSTM(input_size, hidden, rng=rng, dtype=np.float32)
    x = rng.normal(size=(steps, batch, input_size)).astype(np.float32)       # (T, B, D)
    dout = rng.normal(size=(steps, batch, hidden)).astype(np.float32)       # (T, B, H)

    ref = nn.LSTM(input_size, hidden)
    names = {"W_ih": "weight_ih_l0", "W_hh": "weight_hh_l0", "b_ih": "bias_ih_l0", "b_hh": "bias_hh_l0"}
    with torch.no_grad():
        for ours, theirs in names.items():
            getattr(ref, theirs).copy_(torch.from_numpy(layer.params[ours]))
    params = {theirs: getattr(ref, theirs).detach().clone().requires_grad_(True) for theirs in names.values()}
    xt = torch.from_numpy(x).requires_grad_(True)
    doutt = torch.from_numpy(dout)

    def numpy_step():
        layer.forward(x)
        return layer.backward(dout)

    def lowlevel_step():
        out, _ = recurrent(params, xt, "lstm")
        return (out, *torch.autograd.grad(out, (xt, params["weight_hh_l0"], *params.values()), doutt))

    def torch_step():
        out, _ = ref(xt)
        return (out, *torch.autograd.grad(out, (xt, ref.weight_hh_l0, *ref.parameters()), doutt))

    numpy_s = median_seconds(numpy_step, repeats)
    lowlevel_s = median_seconds(lowlevel_step, repeats)
    torch_s = median_seconds(torch_step, repeats)

    out_np = layer.forward(x)
    dx_np = layer.backward(dout)
    ref_out, ref_dx, ref_dwhh, *_ = torch_step()
    low_out, low_dx, low_dwhh, *_ = lowlevel_step()

    def rel(a, b):
        b = b.detach().numpy()
        return float(np.abs(np.asarray(a.detach().numpy() if hasattr(a, "detach") else a) - b).max() / np.abs(b).max())

    diff_numpy = max(rel(out_np, ref_out), rel(dx_np, ref_dx), rel(layer.grads["W_hh"], ref_dwhh))
    diff_lowlevel = max(rel(low_out, ref_out), rel(low_dx, ref_dx), rel(low_dwhh, ref_dwhh))
    return {"numpy_ms": numpy_s * 1e3, "lowlevel_ms": lowlevel_s * 1e3, "torch_ms": torch_s * 1e3,
            "numpy_vs_torch": numpy_s / torch_s, "lowlevel_vs_torch": lowlevel_s / torch_s,
            "rel_diff_numpy": diff_numpy, "rel_diff_lowlevel": diff_lowlevel}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description="LSTM forward+backward 속도: NumPy / low-level vs nn.LSTM")
    parser.add_argument("--repeats", type=int, default=10, help="구현마다 잰 횟수 (중앙값을 쓴다)")
    parser.add_argument("--batch", type=int, default=32, help="batch 크기 B")
    parser.add_argument("--steps", type=int, default=100, help="시퀀스 길이 T")
    parser.add_argument("--hidden", type=int, default=128, help="hidden 크기 H")
    parser.add_argument("--input-size", type=int, default=128, help="입력 크기 D")
    parser.add_argument("--threads", type=int, default=1, help="NumPy BLAS와 torch의 thread 수 (둘 다 같게)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if min(args.repeats, args.batch, args.steps, args.hidden, args.input_size, args.threads) < 1:
        parser.error("--repeats, --batch, --steps, --hidden, --input-size, --threads는 1 이상이어야 합니다")
    import torch
    from threadpoolctl import threadpool_limits

    old_threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    try:
        with threadpool_limits(limits=args.threads):
            row = measure(args.batch, args.steps, args.hidden, args.input_size, args.repeats, args.seed)
    finally:
        torch.set_num_threads(old_threads)
    env = environment(args.threads)
    print("환경: " + ", ".join(f"{k} = {v}" for k, v in env.items()))
    print(f"batch {args.batch}, T {args.steps}, hidden {args.hidden}, input {args.input_size}, float32, "
          f"forward + backward, 중앙값 (repeats = {args.repeats})\n")
    print("| 구현 | f+b (ms) | / nn.LSTM | 상대 차이 vs nn.LSTM |\n|---|---|---|---|")
    print(f"| NumPy LSTM (L1) | {row['numpy_ms']:.1f} | {row['numpy_vs_torch']:.2f}× | {row['rel_diff_numpy']:.1e} |")
    print(f"| low-level LSTM (L2) | {row['lowlevel_ms']:.1f} | {row['lowlevel_vs_torch']:.2f}× | "
          f"{row['rel_diff_lowlevel']:.1e} |")
    print(f"| nn.LSTM | {row['torch_ms']:.1f} | 1.00× | — |")
    return {"environment": env, "batch": args.batch, "steps": args.steps, "hidden": args.hidden,
            "input_size": args.input_size, "repeats": args.repeats, **row}


if __name__ == "__main__":
    main()
