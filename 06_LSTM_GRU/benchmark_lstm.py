"""LSTM·GRU 속도 측정: 손으로 쓴 셋 (NumPy L1, low-level L2, 논문 L3) vs `nn.LSTM` / `nn.GRU`.

한 번의 실행 안에서 같은 입력·같은 가중치로 잰다. 기본 조건: batch 32, T 100, hidden 128, 입력 크기 128, float32,
CPU. 비교하는 것들은 `utils.benchmark.interleaved_times`로 번갈아 잰다 (같은 회의 쌍):
    1. forward + backward (입력, 모든 가중치의 gradient) — [goal: 손 kernel / library kernel ≤ 2×]
         NumPy `LSTM.forward` + `LSTM.backward` (손 BPTT)
         `recurrent.recurrent(..., "lstm")` + `torch.autograd.grad` (손 loop + autograd)
       vs `nn.LSTM` forward + `torch.autograd.grad` (PyTorch의 C++ 구현, CPU)
    2. L3 `paper/lstm_gru.py`의 `LSTM`·`GRU` (`from_reference`로 같은 가중치) vs `nn.LSTM`·`nn.GRU`:
       forward (no_grad)와 forward + backward — [goal: L3 / production twin ≤ 1×]
비율은 회마다의 비율의 중앙값, 구간은 bootstrap 95% 구간. 결과가 같은지도 함께 확인한다:
상대 차이 = max|a − b| / max|b| (출력, dx, dW_hh 중 최대, float32).

NumPy 쪽이 빠른 이유 (`numpy/recurrent.py`): gate 넷을 한 행렬곱으로, 입력 투영 x W_ihᵀ를 모든 시각에 대해 한 번에,
weight gradient를 시각마다가 아니라 끝에서 행렬곱 한 번으로 계산한다. Python loop는 시각마다 한 번뿐이다.

L3가 `nn.LSTM`보다 느린 만큼은 시각마다의 Python loop 값이다: `nn.LSTM`은 같은 loop를 C++ 안에서 돈다 (L3는
논문의 식을 한 줄씩 보이려고 loop를 Python에 둔다).

실행:  python -m 06_LSTM_GRU.benchmark_lstm [--repeats 15] [--batch 32] [--steps 100] [--hidden 128] [--threads 1]
(timed test는 없다: 테스트는 작은 크기로 한 번 돌고 비율을 돌려주는지만 본다.)
"""
from __future__ import annotations

import numpy as np

from utils.benchmark import benchmark_main, compare, interleaved_times
from utils.cli import positive_int


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

    t = interleaved_times({"numpy": numpy_step, "lowlevel": lowlevel_step, "torch": torch_step}, repeats)

    out_np = layer.forward(x)
    dx_np = layer.backward(dout)
    ref_out, ref_dx, ref_dwhh, *_ = torch_step()
    low_out, low_dx, low_dwhh, *_ = lowlevel_step()

    def rel(a, b):
        b = b.detach().numpy()
        return float(np.abs(np.asarray(a.detach().numpy() if hasattr(a, "detach") else a) - b).max() / np.abs(b).max())

    diff_numpy = max(rel(out_np, ref_out), rel(dx_np, ref_dx), rel(layer.grads["W_hh"], ref_dwhh))
    diff_lowlevel = max(rel(low_out, ref_out), rel(low_dx, ref_dx), rel(low_dwhh, ref_dwhh))
    name = "LSTM forward+backward"
    return [compare(name, "NumPy LSTM (L1)", "nn.LSTM", t["numpy"], t["torch"], "kernel", rel_diff=diff_numpy),
            compare(name, "low-level LSTM (L2)", "nn.LSTM", t["lowlevel"], t["torch"], "kernel",
                    rel_diff=diff_lowlevel)]


def measure_l3(kind: str, batch: int, steps: int, hidden: int, input_size: int, repeats: int, seed: int) -> list[dict]:
    """L3 `LSTM`/`GRU` vs `nn.LSTM`/`nn.GRU`: 같은 가중치 (`from_reference`), forward (no_grad)와 forward + backward."""
    import torch
    from torch import nn

    from .paper.lstm_gru import GRU, LSTM

    torch.manual_seed(seed)
    ref = {"lstm": nn.LSTM, "gru": nn.GRU}[kind](input_size, hidden)
    ours = {"lstm": LSTM, "gru": GRU}[kind].from_reference(ref)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(steps, batch, input_size, generator=g).requires_grad_(True)      # (T, B, D)
    dout = torch.randn(steps, batch, hidden, generator=g)                            # (T, B, H)

    def forward(model):
        with torch.no_grad():
            return model(x)[0]

    # 같은 순서의 parameter: (W_ih, W_hh, b_ih, b_hh)
    params = {ours: [ours.cells[0]["ih"].weight, ours.cells[0]["hh"].weight, ours.cells[0]["ih"].bias,
                     ours.cells[0]["hh"].bias],
              ref: [ref.weight_ih_l0, ref.weight_hh_l0, ref.bias_ih_l0, ref.bias_hh_l0]}

    def forward_backward(model):
        out = model(x)[0]
        return (out, *torch.autograd.grad(out, (x, *params[model]), dout))

    label = {"lstm": "LSTM", "gru": "GRU"}[kind]
    rows = []
    for mode, fn in (("forward (no_grad)", forward), ("forward+backward", forward_backward)):
        t = interleaved_times({"ours": lambda fn=fn: fn(ours), "ref": lambda fn=fn: fn(ref)}, repeats)
        a, b = fn(ours), fn(ref)
        a, b = (a, b) if isinstance(a, tuple) else ((a,), (b,))
        diff = max(float((p.detach() - q.detach()).abs().max() / q.detach().abs().max()) for p, q in zip(a, b))
        rows.append(compare(f"{label} {mode}", f"L3 {label}", f"nn.{label}", t["ours"], t["ref"], "L3",
                            rel_diff=diff))
    return rows


def measure_all(args) -> dict:
    shape = (args.batch, args.steps, args.hidden, args.input_size, args.repeats, args.seed)
    rows = measure(*shape) + measure_l3("lstm", *shape) + measure_l3("gru", *shape)
    return {"batch": args.batch, "steps": args.steps, "hidden": args.hidden, "input_size": args.input_size,
            "rows": rows}


def options(parser) -> None:
    parser.add_argument("--batch", type=positive_int, default=32, help="batch 크기 B")
    parser.add_argument("--steps", type=positive_int, default=100, help="시퀀스 길이 T")
    parser.add_argument("--hidden", type=positive_int, default=128, help="hidden 크기 H")
    parser.add_argument("--input-size", type=positive_int, default=128, help="입력 크기 D")


def main(argv=None) -> dict:
    return benchmark_main(
        measure_all, "LSTM forward+backward 속도: NumPy / low-level / L3 vs nn.LSTM·nn.GRU", argv, repeats=15,
        options=options,
        summary=lambda r: f"batch {r['batch']}, T {r['steps']}, hidden {r['hidden']}, input {r['input_size']}, float32")


if __name__ == "__main__":
    main()
