"""Vanilla RNN, LSTM, GRU — NumPy로 forward와 BPTT(backpropagation through time)를 모두 손으로.

모든 층은 **시간 축이 먼저인** 시퀀스 전체를 한 번에 받는다: x (T, B, D) → out (T, B, H) (`nn.LSTM`의 기본
batch_first=False와 같은 layout). 가중치는 PyTorch의 layout과 이름을 그대로 따른다:

    W_ih (G·H, D),  W_hh (G·H, H),  b_ih (G·H,),  b_hh (G·H,)       (G = gate 수: RNN 1, LSTM 4, GRU 3)
    gate 순서: LSTM (i, f, g, o),  GRU (r, z, n)

그래서 `nn.RNN / nn.LSTM / nn.GRU`의 weight_ih_l0 … 를 그대로 복사해 출력·최종 상태·모든 gradient를
비교할 수 있다 (test_numpy.py, float64, rtol 1e-6).

**Vanilla RNN** (Elman 1990):
    h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)

**LSTM** (Hochreiter & Schmidhuber 1997, forget gate는 Gers, Schmidhuber & Cummins 2000):
    [a_i, a_f, a_g, a_o] = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh
    i = σ(a_i),  f = σ(a_f),  g = tanh(a_g),  o = σ(a_o)
    c_t = f ⊙ c_{t−1} + i ⊙ g,      h_t = o ⊙ tanh(c_t)

**GRU** — PyTorch(`nn.GRU`)의 형태:
    r = σ(W_ir x + b_ir + W_hr h + b_hr),   z = σ(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
    h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
  Cho et al. (2014) 식 (8)의 원래 형태는 reset gate를 행렬곱 **앞**에서 곱한다:
    n = tanh(W_in x + U_n (r ⊙ h_{t−1}))
  같은 가중치여도 두 값은 다르다 (r ⊙ (U h) ≠ U (r ⊙ h)). PyTorch 형태는 W_hn h를 r과 상관없이 미리 계산할 수
  있어 (gate 셋의 hidden 쪽을 행렬곱 한 번에) 빠르고, cuDNN도 이 형태다. 원래 형태는 연습문제 03.

**속도를 위한 배치.** gate들을 한 행렬에 묶어 step마다 행렬곱 한 번(h @ W_hhᵀ)만 하고, 입력 쪽 투영
x @ W_ihᵀ는 모든 시각에 대해 한 번에 계산한다 (T·B × D 행렬곱 하나). LSTM은 시각에 상관없는 b_hh도 그 투영에
미리 더하고, σ를 네 gate의 (B, 4H) 한 덩어리에 한 번 부른 뒤 g 자리만 tanh로 덮어쓴다: 시각마다 도는 NumPy
호출과 임시 배열이 그만큼 준다. backward도 시각마다 gate의 gradient
da_t만 모아 두었다가 dW_ih = Σ_t da_tᵀ x_t, dW_hh = Σ_t da_tᵀ h_{t−1}를 행렬곱 한 번씩으로 계산한다.

L1 모듈 규약: `params`와 `grads`는 같은 key의 dict, `forward(x, h0, c0)`가 캐시하고 `backward(dout, dh_T, dc_T)
-> dx`가 grads와 초기 상태의 gradient(`dh0`, `dc0`)를 채운다. dtype은 입력을 따른다 (gradient check는 float64).
"""
from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^{−x}).

    x ≪ 0이면 e^{−x}가 inf로 넘쳐도 1 / inf = 0으로 정확한 극한이 나오므로 overflow 경고만 끈다. 이 형태는 x < 0에서도
    작은 σ 값의 상대 정밀도를 지킨다 ((1 + tanh(x/2)) / 2 형태는 x ≪ 0에서 1 − 0.9999…의 뺄셈으로 자릿수를 잃는다).
    """
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def check_sequence(x: np.ndarray, input_size: int, name: str) -> None:
    """x는 (T, B, D), T ≥ 1, B ≥ 1, D = input_size인 실수 배열이어야 한다."""
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"{name} 입력은 rank 3 (T, B, D) 배열이어야 합니다: 받은 shape {x.shape}")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} 입력이 비어 있습니다: T ≥ 1, B ≥ 1인 (T, B, D)가 필요한데 받은 shape {x.shape}")
    if x.shape[2] != input_size:
        raise ValueError(f"{name} 입력의 마지막 축은 input_size={input_size}여야 합니다: 받은 shape {x.shape}")
    if not np.issubdtype(x.dtype, np.floating):
        raise ValueError(f"{name} 입력은 실수(float) 배열이어야 합니다: dtype={x.dtype}")


def check_state(state, expected: tuple[int, ...], name: str) -> None:
    if np.shape(state) != expected:
        raise ValueError(f"{name}의 shape은 {expected}여야 합니다: 받은 shape {np.shape(state)}")


class _Recurrent:
    """시퀀스 층의 공통 부분: 파라미터 (PyTorch layout), 입력·상태 검사. 한 층, 한 방향."""

    n_gates = 1
    has_cell = False

    def __init__(self, input_size: int, hidden_size: int, rng: np.random.Generator | None = None,
                 dtype=np.float64):
        for label, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if int(value) != value or value < 1:
                raise ValueError(f"{label}는 1 이상의 정수여야 합니다: {label}={value}")
        rng = rng if rng is not None else np.random.default_rng(0)
        self.input_size, self.hidden_size = input_size, hidden_size
        G, H = self.n_gates, hidden_size
        bound = 1.0 / np.sqrt(H)                                  # nn.LSTM / nn.GRU와 같은 U(−1/√H, 1/√H)
        self.params = {
            "W_ih": rng.uniform(-bound, bound, (G * H, input_size)).astype(dtype),
            "W_hh": rng.uniform(-bound, bound, (G * H, H)).astype(dtype),
            "b_ih": rng.uniform(-bound, bound, G * H).astype(dtype),
            "b_hh": rng.uniform(-bound, bound, G * H).astype(dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.dh0 = self.dc0 = None

    def _start(self, x, h0, c0):
        """입력과 초기 상태를 검사하고, 모든 시각의 입력 투영 x W_ihᵀ + b_ih를 한 번에 계산한다."""
        name = type(self).__name__
        check_sequence(x, self.input_size, name)
        T, B, D = x.shape
        H = self.hidden_size
        dtype = np.result_type(x.dtype, self.params["W_ih"].dtype)
        h0 = np.zeros((B, H), dtype) if h0 is None else h0
        check_state(h0, (B, H), f"{name}의 h0")
        if self.has_cell:
            c0 = np.zeros((B, H), dtype) if c0 is None else c0
            check_state(c0, (B, H), f"{name}의 c0")
        xw = x.reshape(T * B, D) @ self.params["W_ih"].T + self.params["b_ih"]      # (T·B, G·H)
        return xw.reshape(T, B, self.n_gates * H), h0, c0                           # (T, B, G·H)

    def _finish(self, da_x: np.ndarray, da_h: np.ndarray) -> np.ndarray:
        """시각마다 모은 pre-activation gradient로 weight gradient를 행렬곱 한 번씩에 계산하고 dx를 돌려준다.

        da_x: 입력 쪽 투영 (x W_ihᵀ + b_ih)에 대한 gradient (T, B, G·H)
        da_h: hidden 쪽 투영 (h W_hhᵀ + b_hh)에 대한 gradient (T, B, G·H). RNN·LSTM은 da_x와 같다.
        """
        x, h_prev = self.cache_inputs
        T, B, D = x.shape
        GH = da_x.shape[2]
        da_x2 = da_x.reshape(T * B, GH)                                              # (T·B, G·H)
        da_h2 = da_h.reshape(T * B, GH)
        self.grads["W_ih"][...] = da_x2.T @ x.reshape(T * B, D)                      # Σ_t da_tᵀ x_t
        self.grads["W_hh"][...] = da_h2.T @ h_prev.reshape(T * B, self.hidden_size)  # Σ_t da_tᵀ h_{t−1}
        self.grads["b_ih"][...] = da_x2.sum(axis=0)
        self.grads["b_hh"][...] = da_h2.sum(axis=0)
        return (da_x2 @ self.params["W_ih"]).reshape(T, B, D)                        # dL/dx (T, B, D)

    @staticmethod
    def _final_grads(dout, dh_T, dc_T, shape):
        dh = np.zeros(shape, dout.dtype) if dh_T is None else np.array(dh_T, dtype=dout.dtype)
        dc = np.zeros(shape, dout.dtype) if dc_T is None else np.array(dc_T, dtype=dout.dtype)
        return dh, dc

    def _check_dout(self, dout):
        expected = self.cache_inputs[0].shape[:2] + (self.hidden_size,)
        if np.shape(dout) != expected:
            raise ValueError(f"dout의 shape은 forward 출력과 같은 {expected}여야 합니다: 받은 shape {np.shape(dout)}")


class RNN(_Recurrent):
    """Vanilla RNN (Elman): h_t = tanh(W_ih x_t + b_ih + W_hh h_{t−1} + b_hh)."""

    n_gates = 1

    def forward(self, x: np.ndarray, h0: np.ndarray | None = None, c0=None) -> np.ndarray:
        xw, h0, _ = self._start(x, h0, None)
        T, B, H = xw.shape
        hs = np.empty((T + 1, B, H), dtype=xw.dtype)                 # hs[0] = h0, hs[t+1] = h_t
        hs[0] = h0
        W_hh, b_hh = self.params["W_hh"], self.params["b_hh"]
        for t in range(T):
            hs[t + 1] = np.tanh(xw[t] + hs[t] @ W_hh.T + b_hh)
        self.cache_inputs = (x, hs[:-1])
        self.hs = hs
        self.h_T = hs[-1]
        return hs[1:]                                                 # (T, B, H)

    def backward(self, dout: np.ndarray, dh_T: np.ndarray | None = None, dc_T=None) -> np.ndarray:
        self._check_dout(dout)
        hs, W_hh = self.hs, self.params["W_hh"]
        T = dout.shape[0]
        dh_next, _ = self._final_grads(dout, dh_T, None, hs.shape[1:])
        da = np.empty_like(dout)                                      # (T, B, H): tanh 앞의 gradient
        for t in reversed(range(T)):
            dh = dout[t] + dh_next                                    # 출력에서 온 것 + 다음 시각에서 온 것
            da[t] = dh * (1.0 - hs[t + 1] ** 2)                       # tanh' = 1 − h²
            dh_next = da[t] @ W_hh                                    # ∂a_t/∂h_{t−1} = W_hh
        self.dh0 = dh_next
        return self._finish(da, da)


class LSTM(_Recurrent):
    """LSTM (Hochreiter & Schmidhuber 1997 + Gers et al. 2000 forget gate). gate 순서 (i, f, g, o).

    forward 뒤 `self.gates`에 시각마다의 gate 값 {"i", "f", "g", "o"} (각 (T, B, H))가 남는다 (그림용).
    """

    n_gates = 4
    has_cell = True

    def forward(self, x: np.ndarray, h0: np.ndarray | None = None, c0: np.ndarray | None = None) -> np.ndarray:
        xw, h0, c0 = self._start(x, h0, c0)
        T, B, G_H = xw.shape
        H = G_H // 4
        xw += self.params["b_hh"]                                     # 시각에 상관없는 항: W_ih x_t + b_ih + b_hh
        hs = np.empty((T + 1, B, H), dtype=xw.dtype)                 # hs[t+1] = h_t
        cs = np.empty((T + 1, B, H), dtype=xw.dtype)                 # cs[t+1] = c_t
        acts = np.empty((T, B, 4 * H), dtype=xw.dtype)               # 활성화한 gate [i, f, g, o]
        tanh_c = np.empty((T, B, H), dtype=xw.dtype)
        hs[0], cs[0] = h0, c0
        i, f, g, o = (acts[:, :, k * H:(k + 1) * H] for k in range(4))              # 각 (T, B, H) view
        # W_hhᵀ를 loop 밖에서 한 번 연속 배열로 만든다: 작은 행렬곱에서 OpenBLAS는 전치 view를 눈에 띄게 더 느리게
        # 곱한다 (docs/02 3절). 값은 같다.
        W_hh_T = np.ascontiguousarray(self.params["W_hh"].T)                        # (H, 4H)
        for t in range(T):
            a = xw[t] + hs[t] @ W_hh_T                                # (B, 4H): gate 넷을 행렬곱 한 번에
            acts[t] = sigmoid(a)                                      # i, f, o = σ(a) (g 자리는 바로 아래에서 덮는다)
            g[t] = np.tanh(a[:, 2 * H:3 * H])                         # g = tanh(a_g)
            cs[t + 1] = f[t] * cs[t] + i[t] * g[t]                    # 더하기로 이어지는 cell 경로
            tanh_c[t] = np.tanh(cs[t + 1])
            hs[t + 1] = o[t] * tanh_c[t]
        self.cache_inputs = (x, hs[:-1])
        self.hs, self.cs, self.acts, self.tanh_c = hs, cs, acts, tanh_c
        self.h_T, self.c_T = hs[-1], cs[-1]
        self.gates = {name: acts[:, :, k * H:(k + 1) * H] for k, name in enumerate("ifgo")}
        return hs[1:]                                                 # (T, B, H)

    def backward(self, dout: np.ndarray, dh_T: np.ndarray | None = None, dc_T: np.ndarray | None = None):
        self._check_dout(dout)
        cs, acts, tanh_c, W_hh = self.cs, self.acts, self.tanh_c, self.params["W_hh"]
        T, B, H = dout.shape
        dh_next, dc_next = self._final_grads(dout, dh_T, dc_T, (B, H))
        da = np.empty((T, B, 4 * H), dtype=dout.dtype)               # pre-activation gradient [a_i, a_f, a_g, a_o]
        for t in reversed(range(T)):
            i, f, g, o = acts[t, :, :H], acts[t, :, H:2 * H], acts[t, :, 2 * H:3 * H], acts[t, :, 3 * H:]
            dh = dout[t] + dh_next
            dc = dc_next + dh * o * (1.0 - tanh_c[t] ** 2)            # h = o ⊙ tanh(c)
            da[t, :, :H] = dc * g * i * (1.0 - i)                     # ∂c/∂i = g,  σ' = σ(1 − σ)
            da[t, :, H:2 * H] = dc * cs[t] * f * (1.0 - f)            # ∂c/∂f = c_{t−1}
            da[t, :, 2 * H:3 * H] = dc * i * (1.0 - g ** 2)           # ∂c/∂g = i,   tanh' = 1 − g²
            da[t, :, 3 * H:] = dh * tanh_c[t] * o * (1.0 - o)         # ∂h/∂o = tanh(c)
            dc_next = dc * f                                          # ∂c_t/∂c_{t−1} = f (곱셈 하나뿐)
            dh_next = da[t] @ W_hh
        self.dh0, self.dc0 = dh_next, dc_next
        return self._finish(da, da)


class GRU(_Recurrent):
    """GRU, PyTorch 형태: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) n + z h. 순서 (r, z, n)."""

    n_gates = 3

    def forward(self, x: np.ndarray, h0: np.ndarray | None = None, c0=None) -> np.ndarray:
        xw, h0, _ = self._start(x, h0, None)
        T, B, G_H = xw.shape
        H = G_H // 3
        hs = np.empty((T + 1, B, H), dtype=xw.dtype)
        acts = np.empty((T, B, 3 * H), dtype=xw.dtype)               # [r, z, n]
        hn = np.empty((T, B, H), dtype=xw.dtype)                     # W_hn h_{t−1} + b_hn (r이 곱해지기 전)
        hs[0] = h0
        W_hh, b_hh = self.params["W_hh"], self.params["b_hh"]
        for t in range(T):
            hw = hs[t] @ W_hh.T + b_hh                                # (B, 3H): hidden 쪽 셋을 한 번에
            acts[t, :, :2 * H] = sigmoid(xw[t, :, :2 * H] + hw[:, :2 * H])         # r, z
            r, z = acts[t, :, :H], acts[t, :, H:2 * H]
            hn[t] = hw[:, 2 * H:]
            acts[t, :, 2 * H:] = np.tanh(xw[t, :, 2 * H:] + r * hn[t])             # n
            hs[t + 1] = (1.0 - z) * acts[t, :, 2 * H:] + z * hs[t]
        self.cache_inputs = (x, hs[:-1])
        self.hs, self.acts, self.hn = hs, acts, hn
        self.h_T = hs[-1]
        self.gates = {name: acts[:, :, k * H:(k + 1) * H] for k, name in enumerate("rzn")}
        return hs[1:]

    def backward(self, dout: np.ndarray, dh_T: np.ndarray | None = None, dc_T=None) -> np.ndarray:
        self._check_dout(dout)
        hs, acts, hn, W_hh = self.hs, self.acts, self.hn, self.params["W_hh"]
        T, B, H = dout.shape
        dh_next, _ = self._final_grads(dout, dh_T, None, (B, H))
        da_x = np.empty((T, B, 3 * H), dtype=dout.dtype)             # 입력 쪽 투영의 gradient
        da_h = np.empty((T, B, 3 * H), dtype=dout.dtype)             # hidden 쪽 투영의 gradient
        for t in reversed(range(T)):
            r, z, n = acts[t, :, :H], acts[t, :, H:2 * H], acts[t, :, 2 * H:]
            dh = dout[t] + dh_next
            dn_pre = dh * (1.0 - z) * (1.0 - n ** 2)                  # n 앞 (tanh 안)의 gradient
            dz_pre = dh * (hs[t] - n) * z * (1.0 - z)                 # ∂h'/∂z = h − n
            dr_pre = dn_pre * hn[t] * r * (1.0 - r)                   # ∂(r ⊙ hn)/∂r = hn
            da_x[t, :, :H], da_x[t, :, H:2 * H], da_x[t, :, 2 * H:] = dr_pre, dz_pre, dn_pre
            da_h[t, :, :H], da_h[t, :, H:2 * H] = dr_pre, dz_pre
            da_h[t, :, 2 * H:] = dn_pre * r                           # hidden 쪽 n은 r을 거친다
            dh_next = da_h[t] @ W_hh + dh * z                         # 행렬 경로 + 직접 경로 z ⊙ h
        self.dh0 = dh_next
        return self._finish(da_x, da_h)


LAYERS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


class RecurrentStack:
    """같은 종류의 층 `num_layers`개를 쌓는다: 층 k의 출력 (T, B, H)가 층 k+1의 입력. `nn.LSTM(num_layers=L)`과 같다.

    params key는 "l{k}.W_ih"처럼 층 번호가 붙고, 각 층의 배열을 그대로 가리킨다 (복사 없음).
    초기 상태 h0, c0와 최종 상태 h_n, c_n은 (L, B, H).
    """

    def __init__(self, kind: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 rng: np.random.Generator | None = None, dtype=np.float64):
        if kind not in LAYERS:
            raise ValueError(f"kind는 {', '.join(LAYERS)} 중 하나여야 합니다: {kind!r}")
        if int(num_layers) != num_layers or num_layers < 1:
            raise ValueError(f"num_layers는 1 이상의 정수여야 합니다: {num_layers}")
        rng = rng if rng is not None else np.random.default_rng(0)
        self.kind, self.hidden_size, self.num_layers = kind, hidden_size, num_layers
        self.input_size = input_size
        self.layers = [LAYERS[kind](input_size if k == 0 else hidden_size, hidden_size, rng=rng, dtype=dtype)
                       for k in range(num_layers)]
        self.has_cell = self.layers[0].has_cell
        self.params = {f"l{k}.{n}": p for k, layer in enumerate(self.layers) for n, p in layer.params.items()}
        self.grads = {f"l{k}.{n}": g for k, layer in enumerate(self.layers) for n, g in layer.grads.items()}

    def forward(self, x: np.ndarray, h0: np.ndarray | None = None, c0: np.ndarray | None = None) -> np.ndarray:
        check_sequence(x, self.input_size, f"RecurrentStack({self.kind})")
        L, B, H = self.num_layers, x.shape[1], self.hidden_size
        if h0 is not None:
            check_state(h0, (L, B, H), "h0 (num_layers, B, H)")
        if c0 is not None:
            check_state(c0, (L, B, H), "c0 (num_layers, B, H)")
        out = x
        for k, layer in enumerate(self.layers):
            out = layer.forward(out, None if h0 is None else h0[k], None if c0 is None else c0[k])   # (T, B, H)
        self.h_n = np.stack([layer.h_T for layer in self.layers])                                   # (L, B, H)
        self.c_n = np.stack([layer.c_T for layer in self.layers]) if self.has_cell else None
        return out

    def backward(self, dout: np.ndarray, dh_n: np.ndarray | None = None, dc_n: np.ndarray | None = None):
        d = dout
        dh0, dc0 = [], []
        for k in reversed(range(self.num_layers)):
            layer = self.layers[k]
            d = layer.backward(d, None if dh_n is None else dh_n[k], None if dc_n is None else dc_n[k])
            dh0.append(layer.dh0)
            dc0.append(layer.dc0)
        self.dh0 = np.stack(dh0[::-1])                                 # (L, B, H)
        self.dc0 = np.stack(dc0[::-1]) if self.has_cell else None
        return d


# -------------------------------------------------------------------------------------------------
# Language model 부품: embedding, dense 출력, softmax cross-entropy, gradient clipping, Adam
# -------------------------------------------------------------------------------------------------

class Embedding:
    """token id (T, B) → 벡터 (T, B, E). 행 W[v]를 고르는 것이므로 backward는 고른 행에 gradient를 더한다."""

    def __init__(self, vocab_size: int, dim: int, rng: np.random.Generator | None = None, dtype=np.float64):
        rng = rng if rng is not None else np.random.default_rng(0)
        self.params = {"W": rng.normal(0.0, 1.0, (vocab_size, dim)).astype(dtype)}     # nn.Embedding과 같은 N(0, 1)
        self.grads = {"W": np.zeros_like(self.params["W"])}

    def forward(self, ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids)
        V = self.params["W"].shape[0]
        if not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"Embedding 입력은 정수 token id여야 합니다: dtype={ids.dtype}")
        if ids.size and (ids.min() < 0 or ids.max() >= V):
            raise ValueError(f"token id는 0..{V - 1} 범위여야 합니다: 받은 범위 {ids.min()}..{ids.max()}")
        self.ids = ids
        return self.params["W"][ids]                                  # (T, B, E)

    def backward(self, dout: np.ndarray) -> None:
        self.grads["W"][...] = 0.0
        np.add.at(self.grads["W"], self.ids.reshape(-1), dout.reshape(-1, dout.shape[-1]))   # 같은 id는 더해진다
        return None                                                   # 정수 입력에는 gradient가 없다


class Dense:
    """y = x @ W + b, 마지막 축에 적용 (시각마다 같은 가중치). W (in, out) — 02장 MLP의 관례."""

    def __init__(self, in_features: int, out_features: int, rng: np.random.Generator | None = None,
                 dtype=np.float64):
        rng = rng if rng is not None else np.random.default_rng(0)
        bound = 1.0 / np.sqrt(in_features)                            # nn.Linear와 같은 U(−1/√in, 1/√in)
        self.params = {"W": rng.uniform(-bound, bound, (in_features, out_features)).astype(dtype),
                       "b": rng.uniform(-bound, bound, out_features).astype(dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.shape[-1] != self.params["W"].shape[0]:
            raise ValueError(f"Dense 입력의 마지막 축은 {self.params['W'].shape[0]}이어야 합니다: 받은 shape {x.shape}")
        self.x = x
        return x @ self.params["W"] + self.params["b"]                # (..., out)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        x2 = self.x.reshape(-1, self.x.shape[-1])                     # (N, in): 앞의 축을 모두 편다
        d2 = dout.reshape(-1, dout.shape[-1])                         # (N, out)
        self.grads["W"][...] = x2.T @ d2
        self.grads["b"][...] = d2.sum(axis=0)
        return dout @ self.params["W"].T


def softmax_cross_entropy(logits: np.ndarray, targets: np.ndarray) -> tuple[float, np.ndarray]:
    """모든 위치의 평균 cross-entropy (nats). logits (..., V), targets (...) 정수 → (loss, dlogits)."""
    if logits.shape[:-1] != np.shape(targets):
        raise ValueError(f"targets의 shape은 logits의 앞 축 {logits.shape[:-1]}과 같아야 합니다: {np.shape(targets)}")
    V = logits.shape[-1]
    z = logits.reshape(-1, V)
    z = z - z.max(axis=1, keepdims=True)                              # log-sum-exp 안정화
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    y = np.asarray(targets).reshape(-1)
    N = len(y)
    loss = -log_probs[np.arange(N), y].mean()
    dz = np.exp(log_probs)
    dz[np.arange(N), y] -= 1.0
    return float(loss), (dz / N).reshape(logits.shape)


def clip_grad_norm(modules, max_norm: float) -> float:
    """모든 gradient를 한 벡터로 본 L2 norm이 max_norm을 넘으면 그 비율로 줄인다 (제자리). 자르기 전 norm을 돌려준다.

    `torch.nn.utils.clip_grad_norm_`과 같은 규칙: scale = max_norm / (norm + 1e-6), scale < 1일 때만 곱한다.
    """
    grads = [g for m in modules for g in m.grads.values()]
    norm = float(np.sqrt(sum(float((g.astype(np.float64) ** 2).sum()) for g in grads)))
    scale = max_norm / (norm + 1e-6)
    if scale < 1.0:
        for g in grads:
            g *= scale
    return norm


class Adam:
    """Adam (Kingma & Ba 2015), `torch.optim.Adam`과 같은 식 (bias correction 포함)."""

    def __init__(self, modules, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        self.modules, self.lr, self.betas, self.eps, self.t = list(modules), lr, betas, eps, 0
        self.m = [{k: np.zeros_like(v) for k, v in m.params.items()} for m in self.modules]
        self.v = [{k: np.zeros_like(v) for k, v in m.params.items()} for m in self.modules]

    def step(self) -> None:
        self.t += 1
        b1, b2 = self.betas
        for module, m, v in zip(self.modules, self.m, self.v):
            for k, p in module.params.items():
                g = module.grads[k]
                m[k] = b1 * m[k] + (1 - b1) * g
                v[k] = b2 * v[k] + (1 - b2) * g * g
                m_hat = m[k] / (1 - b1 ** self.t)
                v_hat = v[k] / (1 - b2 ** self.t)
                p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
