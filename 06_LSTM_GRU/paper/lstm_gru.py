"""LSTM과 GRU — 논문의 식을 그대로 옮긴 `nn.Module` (그리고 비교용 vanilla RNN).

LSTM: S. Hochreiter & J. Schmidhuber (1997), "Long Short-Term Memory", Neural Computation 9(8), Section 3.2
(constant error carousel)와 Section 4 (memory cell, input / output gate) +
F. A. Gers, J. Schmidhuber & F. Cummins (2000), "Learning to Forget: Continual Prediction with LSTM",
Neural Computation 12(10), Section 3 (forget gate):

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t−1} + b_hi)          input gate
    f_t = σ(W_if x_t + b_if + W_hf h_{t−1} + b_hf)          forget gate (Gers et al. 2000)
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t−1} + b_hg)       cell 입력 (1997의 g)
    o_t = σ(W_io x_t + b_io + W_ho h_{t−1} + b_ho)          output gate
    c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t                         memory cell: 더하기로 이어지는 상태 경로
    h_t = o_t ⊙ tanh(c_t)

`forget_gate=False`면 1997년의 원래 cell이다: f_t가 없고 c_t = c_{t−1} + i_t ⊙ g_t (constant error carousel,
gate 3개). 원 논문은 g와 h의 squashing으로 [−2, 2], [−1, 1] 범위의 scaled sigmoid를 쓰고 gradient를 cell
밖에서 자르는 truncated BPTT를 썼는데, 여기서는 둘 다 tanh와 full BPTT로 둔다 (theory.md 3절).

GRU: K. Cho, B. van Merriënboer, C. Gulcehre, D. Bahdanau, F. Bougares, H. Schwenk & Y. Bengio (2014),
"Learning Phrase Representations using RNN Encoder–Decoder for Statistical Machine Translation", EMNLP,
Section 2.3, 식 (5)–(8):

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t−1} + b_hr)          reset gate
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t−1} + b_hz)          update gate
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn))
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}

reset gate의 위치는 `torch.nn.GRU`와 같은 형태다 (r이 W_hn h + b_hn 전체를 곱한다). Cho et al.의 식 (8)은
n_t = tanh(W x_t + U (r_t ⊙ h_{t−1}))로, r을 행렬곱 **앞**에서 곱한다. 두 형태는 같은 가중치로 다른 값을 낸다
(`numpy/recurrent.py`의 docstring과 연습문제 03 참고). `from_reference(nn.GRU)`로 숫자를 맞추려고
PyTorch 형태를 쓴다.

가중치 layout은 `torch.nn.LSTM` / `nn.GRU`와 같다: 층마다 `ih = nn.Linear(in, G·H)`, `hh = nn.Linear(H, G·H)`,
gate 순서 LSTM (i, f, g, o), GRU (r, z, n). 그래서 `from_reference`는 weight_ih_l{k} → cells[k].ih.weight처럼
이름만 바꿔 복사하고 transpose는 없다 (nn.Linear와 nn.LSTM 모두 (out, in) layout).
초기화도 PyTorch와 같은 U(−1/√H, 1/√H)이고, `bias=False`(bias 없는 층)와 `dropout`(마지막 층을 뺀 각 층의
출력에 학습 모드에서만 거는 dropout)도 `nn.LSTM`과 같은 뜻이다. `from_reference`는 이 설정들을 함께 옮긴다.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def check_sequence(x: torch.Tensor, input_size: int, batch_first: bool, name: str) -> None:
    """x는 (T, B, D) (batch_first면 (B, T, D)), T ≥ 1, D = input_size. 아니면 ValueError."""
    layout = "(B, T, D)" if batch_first else "(T, B, D)"
    if not isinstance(x, torch.Tensor) or x.ndim != 3:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise ValueError(f"{name} 입력은 rank 3 {layout} tensor여야 합니다: 받은 shape {shape}")
    T = x.shape[1] if batch_first else x.shape[0]
    if T == 0 or x.shape[0 if batch_first else 1] == 0:
        raise ValueError(f"{name} 입력이 비어 있습니다: 길이 T ≥ 1, batch B ≥ 1인 {layout}가 필요한데 "
                         f"받은 shape {tuple(x.shape)}")
    if x.shape[2] != input_size:
        raise ValueError(f"{name} 입력의 마지막 축은 input_size={input_size}여야 합니다: 받은 shape {tuple(x.shape)}")


def check_state(state: torch.Tensor, expected: tuple[int, ...], name: str) -> None:
    if not isinstance(state, torch.Tensor) or tuple(state.shape) != expected:
        shape = tuple(state.shape) if isinstance(state, torch.Tensor) else type(state).__name__
        raise ValueError(f"{name}의 shape은 (num_layers, B, H) = {expected}여야 합니다: 받은 shape {shape}")


class _Recurrent(nn.Module):
    """층을 쌓고, 시간 축을 돌고, 입력·상태를 검사하는 공통 틀. 셀 한 step은 하위 클래스의 `step`."""

    n_gates = 1
    has_cell = False
    reference = None                       # nn.RNN / nn.LSTM / nn.GRU

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, batch_first: bool = False,
                 bias: bool = True, dropout: float = 0.0):
        super().__init__()
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if int(value) != value or value < 1:
                raise ValueError(f"{name}는 1 이상의 정수여야 합니다: {name}={value}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout은 0 이상 1 미만의 확률이어야 합니다: dropout={dropout}")
        self.input_size, self.hidden_size = input_size, hidden_size
        self.num_layers, self.batch_first = num_layers, batch_first
        self.bias, self.dropout = bias, dropout
        G, H = self.n_gates, hidden_size
        self.cells = nn.ModuleList(
            nn.ModuleDict({"ih": nn.Linear(input_size if k == 0 else H, G * H, bias=bias),
                           "hh": nn.Linear(H, G * H, bias=bias)})
            for k in range(num_layers))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)                  # nn.LSTM / nn.GRU와 같은 U(−1/√H, 1/√H)
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound)

    def forward(self, x: torch.Tensor, state=None):
        """x (T, B, D) 또는 (B, T, D) → (output, state). output은 마지막 층의 h_t 전부 (x와 같은 layout).

        state: RNN·GRU는 h (L, B, H), LSTM은 (h, c) tuple. None이면 0. 반환하는 state는 마지막 시각의 것.
        """
        name = type(self).__name__
        check_sequence(x, self.input_size, self.batch_first, name)
        if self.batch_first:
            x = x.transpose(0, 1)                                 # (B, T, D) → (T, B, D)
        T, B, _ = x.shape
        expected = (self.num_layers, B, self.hidden_size)
        if state is None:
            zeros = x.new_zeros(expected)
            state = (zeros, zeros) if self.has_cell else zeros
        if self.has_cell:
            if not isinstance(state, (tuple, list)) or len(state) != 2:
                raise ValueError(f"{name}의 state는 (h0, c0) tuple이어야 합니다")
            check_state(state[0], expected, f"{name}의 h0")
            check_state(state[1], expected, f"{name}의 c0")
        else:
            check_state(state, expected, f"{name}의 h0")
        finals_h, finals_c = [], []
        layer_input = x
        for k, cell in enumerate(self.cells):
            h = state[0][k] if self.has_cell else state[k]               # (B, H)
            c = state[1][k] if self.has_cell else None
            projected = cell["ih"](layer_input)                          # (T, B, G·H): 입력 쪽은 한 번에
            outputs = []
            for t in range(T):
                h, c = self.step(projected[t], h, c, cell["hh"])
                outputs.append(h)
            layer_input = torch.stack(outputs)                           # (T, B, H)
            if k < self.num_layers - 1:                                  # 층 사이에만, 학습 모드에서만 (nn.LSTM과 같다)
                layer_input = F.dropout(layer_input, self.dropout, self.training)
            finals_h.append(h)
            finals_c.append(c)
        output = layer_input.transpose(0, 1) if self.batch_first else layer_input
        h_n = torch.stack(finals_h)                                      # (L, B, H)
        return output, ((h_n, torch.stack(finals_c)) if self.has_cell else h_n)

    def step(self, xw: torch.Tensor, h: torch.Tensor, c, hh: nn.Linear):
        raise NotImplementedError

    @classmethod
    def from_reference(cls, ref: nn.Module, **kwargs):
        """`torch.nn.RNN / LSTM / GRU`의 설정과 가중치를 그대로 옮긴 모델. 모든 key를 한 번씩 쓴다.

        동작을 바꾸는 설정(num_layers, batch_first, bias, 층 사이 dropout p)을 함께 옮기고, 옮길 수 없는 것
        (bidirectional, proj_size, relu RNN)은 이름을 대며 거부한다.
        """
        if cls.reference is None or not isinstance(ref, cls.reference):
            expected = cls.reference.__name__ if cls.reference else "?"
            raise ValueError(f"{cls.__name__}.from_reference는 nn.{expected}를 받습니다: 받은 {type(ref).__name__}")
        if ref.bidirectional or getattr(ref, "proj_size", 0):
            raise ValueError("bidirectional / proj_size가 있는 reference는 지원하지 않습니다 "
                             "(pytorch_lowlevel 레벨이 bidirectional을 다룬다)")
        if isinstance(ref, nn.RNN) and ref.nonlinearity != "tanh":
            raise ValueError("ElmanRNN은 tanh RNN만 옮깁니다")
        model = cls(ref.input_size, ref.hidden_size, ref.num_layers, ref.batch_first, bias=ref.bias,
                    dropout=float(ref.dropout), **kwargs)
        model.train(ref.training)
        model = model.to(dtype=next(ref.parameters()).dtype)
        source = dict(ref.named_parameters())
        used = set()
        with torch.no_grad():
            for k, cell in enumerate(model.cells):
                for ours, theirs in (("ih", "ih"), ("hh", "hh")):
                    for part in ("weight", "bias") if ref.bias else ("weight",):
                        key = f"{part}_{theirs}_l{k}"
                        target = getattr(cell[ours], part)
                        if tuple(source[key].shape) != tuple(target.shape):
                            raise ValueError(f"{key}: shape {tuple(target.shape)}가 필요한데 "
                                             f"{tuple(source[key].shape)}를 받았습니다")
                        target.copy_(source[key])                 # 둘 다 (out, in) layout: transpose 없음
                        used.add(key)
        if used != set(source):
            raise ValueError(f"옮기지 않은 reference 파라미터가 있습니다: {sorted(set(source) - used)}")
        return model


class ElmanRNN(_Recurrent):
    """Vanilla (Elman 1990) RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh). `nn.RNN`과 같은 계산."""

    n_gates = 1
    reference = nn.RNN

    def step(self, xw, h, c, hh):
        return torch.tanh(xw + hh(h)), None


class LSTM(_Recurrent):
    """LSTM (Hochreiter & Schmidhuber 1997; forget gate는 Gers et al. 2000). gate 순서 (i, f, g, o).

    `forget_gate=False`: 1997년의 원래 cell (gate (i, g, o) 3개, c_t = c_{t−1} + i_t ⊙ g_t).
    """

    has_cell = True
    reference = nn.LSTM

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, batch_first: bool = False,
                 bias: bool = True, dropout: float = 0.0, forget_gate: bool = True):
        self.forget_gate = forget_gate
        self.n_gates = 4 if forget_gate else 3
        super().__init__(input_size, hidden_size, num_layers, batch_first, bias, dropout)

    def step(self, xw, h, c, hh):
        gates = xw + hh(h)                                          # (B, G·H)
        if self.forget_gate:
            i, f, g, o = gates.chunk(4, dim=1)                      # 각각 (B, H)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)        # Gers et al. (2000)의 forget gate
        else:
            i, g, o = gates.chunk(3, dim=1)
            c = c + torch.sigmoid(i) * torch.tanh(g)                # 1997: constant error carousel
        h = torch.sigmoid(o) * torch.tanh(c)
        return h, c

    @classmethod
    def from_reference(cls, ref: nn.Module, **kwargs):
        if kwargs.get("forget_gate", True) is False:
            raise ValueError("forget gate가 없는 LSTM에는 nn.LSTM twin이 없습니다 (gate 4개 vs 3개)")
        return super().from_reference(ref, **kwargs)


class GRU(_Recurrent):
    """GRU (Cho et al. 2014), `nn.GRU`와 같은 형태: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)). 순서 (r, z, n)."""

    n_gates = 3
    reference = nn.GRU

    def step(self, xw, h, c, hh):
        xr, xz, xn = xw.chunk(3, dim=1)                             # 입력 쪽 (B, H) 셋
        hr, hz, hn = hh(h).chunk(3, dim=1)                          # 상태 쪽 (B, H) 셋 (b_hn 포함)
        r = torch.sigmoid(xr + hr)
        z = torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)                                 # reset gate가 (W_hn h + b_hn) 전체를 곱한다
        return (1 - z) * n + z * h, None


MODELS = {"rnn": ElmanRNN, "lstm": LSTM, "gru": GRU}


def n_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
