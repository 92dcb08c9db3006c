"""L2 dropout의 자리와 비율 (§5.4: sub-layer 출력마다, 그리고 embedding + PE 합에; attention weight와 FFN 안쪽은
`nn.Transformer*Layer`와 같은 자리).

- 층이 0개인 모델에서 encode / decode 출력은 dropout이 걸린 embedding 합 그 자체라, 원소마다 "0 또는 1/(1−p)배"인지와
  0이 된 비율이 p인지를 잴 수 있다 (p = 0.3: keep 확률을 p로 바꿔 쓴 실수도 드러나는 값).
- 층 안의 자리는 dropout 호출을 가로채 입력 tensor의 shape로 센다: (B, T, d)는 sub-layer 출력·embedding,
  (B, h, T, S)는 attention weight, (B, T, d_ff)는 FFN 안쪽.
"""
from collections import Counter

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.gradcheck import F64_ATOL, F64_RTOL

from . import attention as A
from . import transformer_lowlevel as L2

D64 = torch.float64
B, S, T, D, D_FF, NH = 2, 6, 5, 8, 12, 2


def double(params: dict) -> dict:
    return {k: v.detach().double() for k, v in params.items()}


def binomial_ok(count: int, n: int, p: float, z: float = 5.0) -> bool:
    return abs(count - n * p) <= z * np.sqrt(n * p * (1 - p))


def check_dropped(out: np.ndarray, clean: np.ndarray, p: float) -> None:
    """out의 원소마다 0 또는 clean/(1−p)이고, 0이 된 비율이 p (5σ 안)."""
    dropped = out == 0
    assert binomial_ok(int(dropped.sum()), dropped.size, p), f"0이 된 비율 {dropped.mean():.3f} ≠ p = {p}"
    np.testing.assert_allclose(out[~dropped], clean[~dropped] / (1 - p), rtol=F64_RTOL, atol=F64_ATOL)


def test_dropout_function_drops_at_rate_p_and_scales_the_rest_by_one_over_keep():
    p = 0.2
    x = torch.linspace(1.0, 2.0, 50_000, dtype=D64)
    out = A.dropout(x, p, torch.Generator().manual_seed(0)).numpy()
    check_dropped(out, x.numpy(), p)


@pytest.mark.parametrize("p", [0.3, 0.7])
def test_encoder_input_is_dropout_of_the_embedding_sum(p):
    """§5.4: "we apply dropout to the sums of the embeddings and the positional encodings" (encoder 쪽)."""
    params = double(L2.init_model(D, D_FF, layers=0, seed=0))
    table = A.positional_encoding(L2.MAX_LEN + 2, D, dtype=D64)
    src = torch.randint(3, L2.VOCAB, (64, 8), generator=torch.Generator().manual_seed(1))
    clean, _ = L2.encode(params, src, NH, 0, table)
    out, _ = L2.encode(params, src, NH, 0, table, dropout_p=p, generator=torch.Generator().manual_seed(2))
    check_dropped(out.numpy(), clean.numpy(), p)


def test_decoder_input_is_dropout_of_the_embedding_sum():
    """decoder 쪽 embedding 합도 dropout된다. 층 0개면 logits = Y Eᵀ이므로 Y = logits · pinv(Eᵀ)로 되찾는다 (d < V)."""
    p = 0.3
    params = double(L2.init_model(D, D_FF, layers=0, seed=0))
    table = A.positional_encoding(L2.MAX_LEN + 2, D, dtype=D64)
    gen = torch.Generator().manual_seed(1)
    src, tgt = torch.randint(3, L2.VOCAB, (64, 6), generator=gen), torch.randint(3, L2.VOCAB, (64, 7), generator=gen)
    memory, src_pad = L2.encode(params, src, NH, 0, table)
    clean = L2.decode(params, tgt, memory, src_pad, NH, 0, table)
    out = L2.decode(params, tgt, memory, src_pad, NH, 0, table, dropout_p=p, generator=torch.Generator().manual_seed(3))
    pinv = np.linalg.pinv(params["embedding"].numpy().T)                          # (V, d): Eᵀ pinv = I_d
    Y, Y_clean = out.numpy() @ pinv, clean.numpy() @ pinv                          # (B, T, d)
    Y[np.abs(Y) < 1e-9] = 0.0                                                      # pinv의 반올림 잔여
    check_dropped(Y, Y_clean, p)


class Recorder:
    """dropout 함수를 감싸 p > 0으로 불린 입력의 shape을 센다 (값은 그대로 원래 함수로 계산)."""

    def __init__(self, original):
        self.original, self.shapes = original, Counter()

    def module_dropout(self, x, p, generator=None):
        if p > 0:                                                  # p = 0으로 부른 것은 dropout이 아니다
            self.shapes[tuple(x.shape)] += 1
        return self.original(x, p, generator)

    def functional_dropout(self, x, p=0.5, training=True, inplace=False):
        if training and p > 0:
            self.shapes[tuple(x.shape)] += 1
        return self.functional(x, p, training, inplace)


@pytest.fixture
def recorder(monkeypatch):
    rec = Recorder(A.dropout)
    rec.functional = F.dropout
    monkeypatch.setattr(A, "dropout", rec.module_dropout)
    if hasattr(L2, "dropout"):                                     # transformer_lowlevel이 이름으로 가져온 경우
        monkeypatch.setattr(L2, "dropout", rec.module_dropout)
    monkeypatch.setattr(F, "dropout", rec.functional_dropout)
    return rec


def test_encoder_layer_drops_each_sublayer_output_attention_weights_and_ffn_inside(recorder):
    params = double(A.init_layer_params(D, D_FF, decoder=False, seed=0))
    x = torch.randn(B, S, D, dtype=D64)
    A.encoder_layer(x, params, NH, dropout_p=0.1, generator=torch.Generator().manual_seed(0))
    assert recorder.shapes == Counter({(B, S, D): 2, (B, NH, S, S): 1, (B, S, D_FF): 1})


def test_decoder_layer_drops_all_three_sublayer_outputs_including_cross_attention(recorder):
    params = double(A.init_layer_params(D, D_FF, decoder=True, seed=0))
    x, memory = torch.randn(B, T, D, dtype=D64), torch.randn(B, S, D, dtype=D64)
    A.decoder_layer(x, memory, params, NH, A.causal_mask(T), dropout_p=0.1, generator=torch.Generator().manual_seed(0))
    assert recorder.shapes == Counter({(B, T, D): 3, (B, NH, T, T): 1, (B, NH, T, S): 1, (B, T, D_FF): 1})


def test_training_loss_drops_embeddings_and_every_sublayer_of_both_stacks(recorder):
    """loss_fn 한 번 (층 2+2): (B, S, d) = 1 + 2·2, (B, T, d) = 1 + 3·2."""
    layers = 2
    params = double(L2.init_model(D, D_FF, layers, seed=0))
    table = A.positional_encoding(L2.MAX_LEN + 2, D, dtype=D64)
    src = torch.randint(3, L2.VOCAB, (B, S), generator=torch.Generator().manual_seed(0))
    tgt = torch.randint(3, L2.VOCAB, (B, T + 1), generator=torch.Generator().manual_seed(1))
    L2.loss_fn(params, src, tgt, NH, layers, table, 0.1, torch.Generator().manual_seed(2))
    sublayer = {shape: n for shape, n in recorder.shapes.items() if shape[-1] == D and len(shape) == 3}
    assert sublayer == {(B, S, D): 1 + 2 * layers, (B, T, D): 1 + 3 * layers}
    assert recorder.shapes[(B, NH, S, S)] == layers and recorder.shapes[(B, NH, T, T)] == layers
    assert recorder.shapes[(B, NH, T, S)] == layers
