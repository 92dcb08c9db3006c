"""RNN / LSTM / GRU — PyTorch raw tensor + autograd. 셀과 시간 축 loop, 층 쌓기, 양방향을 손으로.

이 장이 가르치는 연산은 recurrent 층이므로 `nn.LSTM` / `nn.GRU` / `nn.RNN`(그리고 `torch._VF.lstm` 등)을 부르지 않고
셀 한 step부터 직접 쓴다. backward는 autograd가 시간 축을 거꾸로 따라가며 한다 (BPTT).

    lstm_cell:  [a_i, a_f, a_g, a_o] = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh
                c' = σ(a_f) ⊙ c + σ(a_i) ⊙ tanh(a_g),   h' = σ(a_o) ⊙ tanh(c')
    gru_cell:   r, z = σ(·),  n = tanh(x W_inᵀ + b_in + r ⊙ (h W_hnᵀ + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h
    rnn_cell:   h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)

`recurrent(params, x, mode, ...)`는 `nn.LSTM(num_layers, bidirectional, batch_first)`와 같은 일을 한다:
- 층 k의 입력은 층 k−1의 출력 (양방향이면 [정방향 h_t, 역방향 h_t]를 이어 붙인 2H).
- 역방향은 시간을 거꾸로 읽고 (t = T−1 … 0), 출력은 원래 시각 위치에 놓는다.
- 최종 상태 h_n은 (L·num_directions, B, H), 순서는 (층 0 정방향, 층 0 역방향, 층 1 정방향, …).
파라미터 dict의 key와 layout은 `nn.LSTM.state_dict()`와 같다 ("weight_ih_l0", "weight_hh_l0_reverse", …):
그래서 `nn.LSTM`의 가중치를 그대로 넣어 값과 gradient를 비교한다 (test_lowlevel.py).
"""
from __future__ import annotations

import math

import torch

GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    """x (B, D), h (B, H) → h' (B, H)."""
    return torch.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)


def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """x (B, D), h, c (B, H) → (h', c'). gate 순서 (i, f, g, o)."""
    gates = x @ W_ih.T + b_ih + h @ W_hh.T + b_hh                   # (B, 4H)
    i, f, g, o = gates.chunk(4, dim=1)                               # 각각 (B, H)
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h_next = torch.sigmoid(o) * torch.tanh(c_next)
    return h_next, c_next


def gru_cell(x, h, W_ih, W_hh, b_ih, b_hh):
    """x (B, D), h (B, H) → h' (B, H). gate 순서 (r, z, n), reset gate는 (h W_hnᵀ + b_hn) 전체를 곱한다."""
    xr, xz, xn = (x @ W_ih.T + b_ih).chunk(3, dim=1)                 # 입력 쪽 (B, H) 셋
    hr, hz, hn = (h @ W_hh.T + b_hh).chunk(3, dim=1)                 # hidden 쪽 (B, H) 셋
    r = torch.sigmoid(xr + hr)
    z = torch.sigmoid(xz + hz)
    n = torch.tanh(xn + r * hn)
    return (1 - z) * n + z * h


def param_names(num_layers: int, bidirectional: bool) -> list[str]:
    """`nn.LSTM.state_dict()`의 key 순서와 같은 이름 목록."""
    suffixes = ["", "_reverse"] if bidirectional else [""]
    return [f"{kind}_{side}_l{k}{suffix}" for k in range(num_layers) for suffix in suffixes
            for kind, side in (("weight", "ih"), ("weight", "hh"), ("bias", "ih"), ("bias", "hh"))]


def init_params(mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bidirectional: bool = False,
                seed: int = 0, dtype=torch.float32) -> dict[str, torch.Tensor]:
    """U(−1/√H, 1/√H)로 초기화한 leaf tensor dict (`nn.LSTM`과 같은 분포, 같은 key)."""
    if mode not in GATES:
        raise ValueError(f"mode는 {', '.join(GATES)} 중 하나여야 합니다: {mode!r}")
    generator = torch.Generator().manual_seed(seed)
    G, H = GATES[mode], hidden_size
    directions = 2 if bidirectional else 1
    bound = 1.0 / math.sqrt(H)
    params = {}
    for name in param_names(num_layers, bidirectional):
        k = int(name.split("_l")[1].split("_")[0])
        in_size = input_size if k == 0 else H * directions
        shape = {"weight_ih": (G * H, in_size), "weight_hh": (G * H, H)}.get(name.rsplit("_l", 1)[0], (G * H,))
        value = (torch.rand(shape, generator=generator, dtype=dtype) * 2 - 1) * bound
        params[name] = value.requires_grad_(True)
    return params


def _check_input(x, input_size: int, batch_first: bool):
    layout = "(B, T, D)" if batch_first else "(T, B, D)"
    if not isinstance(x, torch.Tensor) or x.ndim != 3:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"recurrent 입력은 rank 3 {layout} tensor여야 합니다: 받은 shape {shape}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"recurrent 입력이 비어 있습니다: T ≥ 1, B ≥ 1인 {layout}가 필요한데 "
                         f"받은 shape {tuple(x.shape)}")
    if x.shape[2] != input_size:
        raise ValueError(f"recurrent 입력의 마지막 축은 input_size={input_size}여야 합니다: "
                         f"받은 shape {tuple(x.shape)}")


def recurrent(params: dict, x: torch.Tensor, mode: str = "lstm", num_layers: int = 1, bidirectional: bool = False,
              batch_first: bool = False, hx=None):
    """`nn.RNN / nn.LSTM / nn.GRU`의 forward를 손으로. 반환 (output, h_n) 또는 LSTM은 (output, (h_n, c_n)).

    x: (T, B, D) 또는 batch_first면 (B, T, D). hx: h0 (L·dirs, B, H) (LSTM은 (h0, c0)), None이면 0.
    output: (T, B, dirs·H) (batch_first면 (B, T, dirs·H)).
    """
    if mode not in GATES:
        raise ValueError(f"mode는 {', '.join(GATES)} 중 하나여야 합니다: {mode!r}")
    directions = 2 if bidirectional else 1
    H = params["weight_hh_l0"].shape[1]
    _check_input(x, params["weight_ih_l0"].shape[1], batch_first)
    if batch_first:
        x = x.transpose(0, 1)                                        # (B, T, D) → (T, B, D)
    T, B, _ = x.shape
    expected = (num_layers * directions, B, H)
    if hx is None:
        zeros = x.new_zeros(expected)
        hx = (zeros, zeros) if mode == "lstm" else zeros
    states = hx if mode == "lstm" else (hx,)
    if mode == "lstm" and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
        raise ValueError("LSTM의 hx는 (h0, c0) tuple이어야 합니다")
    for name, state in zip(("h0", "c0"), states):
        if not isinstance(state, torch.Tensor) or tuple(state.shape) != expected:
            shape = tuple(state.shape) if isinstance(state, torch.Tensor) else type(state).__name__
            raise ValueError(f"{name}의 shape은 (num_layers·num_directions, B, H) = {expected}여야 합니다: "
                             f"받은 shape {shape}")

    layer_input = x
    h_n, c_n = [], []
    for k in range(num_layers):
        outputs = []
        for d in range(directions):
            suffix = f"l{k}" + ("_reverse" if d == 1 else "")
            W_ih, W_hh = params[f"weight_ih_{suffix}"], params[f"weight_hh_{suffix}"]
            b_ih, b_hh = params[f"bias_ih_{suffix}"], params[f"bias_hh_{suffix}"]
            index = k * directions + d
            h = states[0][index]                                     # (B, H)
            c = states[1][index] if mode == "lstm" else None
            steps = range(T - 1, -1, -1) if d == 1 else range(T)     # 역방향은 끝에서부터 읽는다
            hs = [None] * T
            for t in steps:
                if mode == "lstm":
                    h, c = lstm_cell(layer_input[t], h, c, W_ih, W_hh, b_ih, b_hh)
                elif mode == "gru":
                    h = gru_cell(layer_input[t], h, W_ih, W_hh, b_ih, b_hh)
                else:
                    h = rnn_cell(layer_input[t], h, W_ih, W_hh, b_ih, b_hh)
                hs[t] = h                                            # 원래 시각 위치에 놓는다
            outputs.append(torch.stack(hs))                          # (T, B, H)
            h_n.append(h)
            c_n.append(c)
        layer_input = torch.cat(outputs, dim=2)                      # (T, B, dirs·H)
    output = layer_input.transpose(0, 1) if batch_first else layer_input
    h_n = torch.stack(h_n)                                           # (L·dirs, B, H)
    return (output, (h_n, torch.stack(c_n))) if mode == "lstm" else (output, h_n)
