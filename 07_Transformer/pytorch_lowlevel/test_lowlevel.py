"""Low-level attention 검증: autograd.gradcheck →
F.scaled_dot_product_attention / nn.MultiheadAttention / F.layer_norm / nn.TransformerEncoderLayer·DecoderLayer
parity (값과 gradient) → 모두 가려진 행 → dropout → 초기화 → 잘못된 입력."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from utils.gradcheck import F64_ATOL, F64_RTOL

from .attention import (
    attention_bias,
    causal_mask,
    decoder_layer,
    dropout,
    encoder_layer,
    feed_forward,
    init_layer_params,
    layer_norm,
    layer_param_shapes,
    masked_softmax,
    merge_heads,
    multi_head_attention,
    positional_encoding,
    scaled_dot_product_attention,
    split_heads,
)

B, NH, T, S, HS = 2, 3, 4, 5, 2
C = NH * HS
D64 = torch.float64


def close(ours, theirs):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=F64_RTOL, atol=F64_ATOL)


def randn(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=D64)


def padding(lengths, width):
    """bool (B, width), True = padding (길이 뒤쪽)."""
    return torch.arange(width)[None, :] >= torch.tensor(lengths)[:, None]


# mask 종류마다 (attn_mask, key_padding_mask), T = S일 때만 causal이 의미 있다
def masks(kind, T, S):
    pad = padding([S, S - 2], S)
    if kind == "none":
        return None, None
    if kind == "padding":
        return None, pad
    if kind == "causal":
        return causal_mask(T), None
    if kind == "causal+padding":
        return causal_mask(T), pad
    if kind == "float":
        return randn(T, S, seed=7), None
    if kind == "fully_masked_row":                               # query 0은 모든 key가 가려진다
        m = torch.zeros(T, S, dtype=torch.bool)
        m[0] = True
        return m, None
    raise KeyError(kind)


MASK_KINDS = ["none", "padding", "causal", "causal+padding", "float", "fully_masked_row"]


# ---------------------------------------------------------------------------
# gradcheck (float64): 손으로 쓴 연산마다
# ---------------------------------------------------------------------------
def test_masked_softmax_passes_gradcheck_with_masked_entries():
    bias = torch.zeros(3, 4, dtype=D64)
    bias[0, 1] = bias[1, :3] = float("-inf")
    x = randn(3, 4).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda s: masked_softmax(s + bias), (x,))


@pytest.mark.parametrize("kind", MASK_KINDS)
def test_scaled_dot_product_attention_passes_gradcheck(kind):
    attn_mask, kpm = masks(kind, T, T)
    bias = attention_bias(B, NH, T, T, attn_mask, kpm, dtype=D64)
    q, k, v = (randn(B, NH, T, HS, seed=s).requires_grad_(True) for s in (1, 2, 3))
    assert torch.autograd.gradcheck(lambda q, k, v: scaled_dot_product_attention(q, k, v, bias)[0], (q, k, v))


def test_multi_head_attention_layer_norm_and_ffn_pass_gradcheck():
    params = {k: v.detach().double().requires_grad_(True) for k, v in init_layer_params(C, 8, seed=1).items()}
    x = randn(B, T, C, seed=4).requires_grad_(True)
    kpm = padding([T, T - 1], T)
    attn = {k: params[f"self_attn.{k}"] for k in ("in_proj_weight", "in_proj_bias", "out_proj.weight",
                                                  "out_proj.bias")}

    def mha(x, w_in, b_in, w_out, b_out):
        p = {"in_proj_weight": w_in, "in_proj_bias": b_in, "out_proj.weight": w_out, "out_proj.bias": b_out}
        return multi_head_attention(x, x, x, p, NH, key_padding_mask=kpm, attn_mask=causal_mask(T))[0]

    assert torch.autograd.gradcheck(mha, (x, *attn.values()))
    g, b = randn(C, seed=5).requires_grad_(True), randn(C, seed=6).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda x, g, b: layer_norm(x, g, b), (x, g, b))
    ffn = [params[k] for k in ("linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias")]
    for act in ("relu", "gelu"):
        def ff(x, w1, b1, w2, b2, act=act):
            p = {"linear1.weight": w1, "linear1.bias": b1, "linear2.weight": w2, "linear2.bias": b2}
            return feed_forward(x, p, act)
        assert torch.autograd.gradcheck(ff, (x, *ffn))


def test_encoder_and_decoder_layers_pass_gradcheck():
    enc = {k: v.detach().double() for k, v in init_layer_params(C, 8, seed=2).items()}
    dec = {k: v.detach().double() for k, v in init_layer_params(C, 8, decoder=True, seed=3).items()}
    x, mem = randn(B, T, C, seed=8).requires_grad_(True), randn(B, S, C, seed=9).requires_grad_(True)
    enc["norm2.weight"].requires_grad_(True)
    dec["multihead_attn.in_proj_weight"].requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda x, w: encoder_layer(x, {**enc, "norm2.weight": w}, NH, padding([T, 2], T)), (x, enc["norm2.weight"]))
    assert torch.autograd.gradcheck(
        lambda x, m, w: decoder_layer(x, m, {**dec, "multihead_attn.in_proj_weight": w}, NH, causal_mask(T),
                                      padding([T, 3], T), padding([S, 1], S)),
        (x, mem, dec["multihead_attn.in_proj_weight"]))


# ---------------------------------------------------------------------------
# scaled dot-product attention == F.scaled_dot_product_attention (값과 gradient), mask 종류마다
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("kind", MASK_KINDS)
def test_attention_equals_torch_sdpa_values_and_gradients(kind):
    attn_mask, kpm = masks(kind, T, T)
    bias = attention_bias(B, NH, T, T, attn_mask, kpm, dtype=D64)
    if attn_mask is None and kpm is None:
        sdpa_mask = None
    elif attn_mask is not None and attn_mask.is_floating_point():
        sdpa_mask = attn_mask                                           # float: 둘 다 더한다
    else:                                                               # bool: SDPA는 True = 볼 수 있음 (반대)
        masked = torch.zeros(B, 1, T, T, dtype=torch.bool)
        if attn_mask is not None:
            masked = masked | attn_mask
        if kpm is not None:
            masked = masked | kpm[:, None, None, :]
        sdpa_mask = ~masked
    q, k, v = (randn(B, NH, T, HS, seed=s) for s in (1, 2, 3))
    w_out = randn(B, NH, T, HS, seed=11)
    grads = []
    for fn in (lambda q, k, v: scaled_dot_product_attention(q, k, v, bias)[0],
               lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=sdpa_mask)):
        leaves = [t.clone().requires_grad_(True) for t in (q, k, v)]
        out = fn(*leaves)
        (out * w_out).sum().backward()
        grads.append((out, *[t.grad for t in leaves]))
    for ours, theirs in zip(*grads):
        close(ours, theirs)


def test_fully_masked_row_returns_zero_here_and_in_sdpa_but_nan_in_multihead_attention():
    """한 query의 key가 모두 가려지면: 우리 것과 F.scaled_dot_product_attention은 출력 0,
    nn.MultiheadAttention은 NaN."""
    attn_mask, _ = masks("fully_masked_row", T, T)
    q, k, v = (randn(1, 1, T, HS, seed=s) for s in (1, 2, 3))
    out, weights = scaled_dot_product_attention(q, k, v, attention_bias(1, 1, T, T, attn_mask, dtype=D64))
    assert torch.all(out[0, 0, 0] == 0) and torch.all(weights[0, 0, 0] == 0)
    assert torch.allclose(weights[0, 0, 1:].sum(-1), torch.ones(T - 1, dtype=D64))     # 나머지 행은 합 1
    sdpa = F.scaled_dot_product_attention(q, k, v, attn_mask=~attn_mask)
    assert torch.all(sdpa[0, 0, 0] == 0)
    mha = nn.MultiheadAttention(HS, 1, batch_first=True).double()
    ref_out, _ = mha(q[0], q[0], q[0], attn_mask=attn_mask)
    assert torch.isnan(ref_out[0, 0]).all() and torch.isfinite(ref_out[0, 1:]).all()


def test_unscaled_scores_saturate_softmax_as_d_k_grows():
    """q·k의 분산은 d_k (성분이 N(0, 1)일 때): 1/√d_k가 없으면 d_k가 클수록 softmax가 one-hot에 가까워진다.

    행마다 가장 큰 weight의 평균: scale이 있으면 d_k와 무관하게 거의 같고, 없으면 d_k를 따라 커진다 (theory.md §2).
    """
    def mean_max_weight(d_k, scaled):
        q, k = randn(1, 1, 64, d_k, seed=1), randn(1, 1, 64, d_k, seed=2)
        scores = q @ k.transpose(-2, -1) / (math.sqrt(d_k) if scaled else 1.0)
        return masked_softmax(scores).amax(-1).mean().item()

    scaled = [mean_max_weight(d, True) for d in (16, 256, 1024)]
    unscaled = [mean_max_weight(d, False) for d in (16, 256, 1024)]
    assert max(scaled) / min(scaled) < 1.2
    assert unscaled[0] < unscaled[1] < unscaled[2] and unscaled[2] > 0.9 > 0.2 > max(scaled)


# ---------------------------------------------------------------------------
# dropout
# ---------------------------------------------------------------------------
def test_attention_dropout_is_inverted_dropout_on_the_weights_and_off_at_p_zero():
    q, k, v = (randn(4, 2, 16, 8, seed=s) for s in (1, 2, 3))
    plain, weights = scaled_dot_product_attention(q, k, v)
    same, _ = scaled_dot_product_attention(q, k, v, dropout_p=0.0, generator=torch.Generator().manual_seed(0))
    assert torch.equal(plain, same)                                     # p = 0: 아무것도 하지 않는다
    p = 0.25
    out, w = scaled_dot_product_attention(q, k, v, dropout_p=p, generator=torch.Generator().manual_seed(5))
    keep = torch.rand(weights.shape, generator=torch.Generator().manual_seed(5), dtype=D64) >= p
    close(out, (weights * keep / (1 - p)) @ v)                          # 같은 난수 → 같은 mask
    assert torch.equal(w, weights)                                      # 돌려주는 weights는 dropout 전
    assert abs((~keep).double().mean().item() - p) < 0.02
    x = torch.ones(200_000, dtype=D64)
    assert abs(dropout(x, p, torch.Generator().manual_seed(1)).mean().item() - 1.0) < 0.01   # 기댓값 보존


# ---------------------------------------------------------------------------
# multi-head attention == nn.MultiheadAttention (가중치 복사)
# ---------------------------------------------------------------------------
MHA_GRID = [("none", True, True), ("padding", True, True), ("causal", True, False), ("causal+padding", False, True),
            ("float", True, True), ("per_head", True, False)]


@pytest.mark.parametrize("kind,need_weights,average", MHA_GRID)
def test_multi_head_attention_equals_nn_multihead_attention(kind, need_weights, average):
    torch.manual_seed(0)
    ref = nn.MultiheadAttention(C, NH, batch_first=True).double()
    with torch.no_grad():
        ref.in_proj_bias.normal_()                                      # 0으로 시작하는 bias도 비교되도록
        ref.out_proj.bias.normal_()
    if kind == "per_head":                                              # (B·nh, T, S) bool mask
        attn_mask, kpm = torch.rand(B * NH, T, T, generator=torch.Generator().manual_seed(3)) > 0.7, None
        attn_mask[:, :, 0] = False                                      # 모든 행에 볼 key 하나는 남긴다
    else:
        attn_mask, kpm = masks(kind, T, T)
    x = randn(B, T, C, seed=1)
    w_out = randn(B, T, C, seed=2)
    ours = {name: p.detach().clone().requires_grad_(True) for name, p in ref.named_parameters()}
    assert sorted(ours) == ["in_proj_bias", "in_proj_weight", "out_proj.bias", "out_proj.weight"]

    xa, xb = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
    out, w = multi_head_attention(xa, xa, xa, ours, NH, key_padding_mask=kpm, attn_mask=attn_mask,
                                  need_weights=need_weights, average_attn_weights=average)
    ref_out, ref_w = ref(xb, xb, xb, key_padding_mask=kpm, attn_mask=attn_mask, need_weights=need_weights,
                         average_attn_weights=average)
    (out * w_out).sum().backward()
    (ref_out * w_out).sum().backward()
    close(out, ref_out)
    close(xa.grad, xb.grad)
    for name, p in ref.named_parameters():
        close(ours[name].grad, p.grad)
    if need_weights:
        assert w.shape == ref_w.shape == ((B, T, T) if average else (B, NH, T, T))
        close(w, ref_w)
    else:
        assert w is None and ref_w is None


def test_split_and_merge_heads_are_inverse_and_put_channel_blocks_in_heads():
    x = torch.arange(B * T * C, dtype=D64).reshape(B, T, C)
    h = split_heads(x, NH)
    assert h.shape == (B, NH, T, HS)
    assert torch.equal(h[1, 2, 3], x[1, 3, 2 * HS:3 * HS])              # head 2 = 채널 [2·hs, 3·hs)
    assert torch.equal(merge_heads(h), x)


# ---------------------------------------------------------------------------
# LayerNorm, positional encoding
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("eps", [1e-5, 1e-6, 0.1])
def test_layer_norm_equals_f_layer_norm_values_and_gradients(eps):
    x, g, b = randn(B, T, C, seed=1) * 3 + 1, randn(C, seed=2), randn(C, seed=3)
    w_out = randn(B, T, C, seed=4)
    results = []
    for fn in (layer_norm, lambda x, g, b, eps: F.layer_norm(x, (C,), g, b, eps)):
        leaves = [t.clone().requires_grad_(True) for t in (x, g, b)]
        out = fn(*leaves, eps=eps)
        (out * w_out).sum().backward()
        results.append((out, *[t.grad for t in leaves]))
    for ours, theirs in zip(*results):
        close(ours, theirs)


@pytest.mark.parametrize("d_model", [8, 7, 1])
def test_positional_encoding_equals_the_formula_written_with_math(d_model):
    pe = positional_encoding(12, d_model, dtype=D64)
    expected = np.zeros((12, d_model))
    for pos in range(12):
        for j in range(d_model):
            i = j // 2
            angle = pos / 10000 ** (2 * i / d_model)
            expected[pos, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    np.testing.assert_allclose(pe.numpy(), expected, rtol=F64_RTOL, atol=F64_ATOL)


def test_positional_encoding_shift_is_a_rotation_independent_of_position():
    """PE(pos + k)의 (sin, cos) 쌍 i는 PE(pos)의 쌍을 각 k·ω_i만큼 돌린 것 (§3.5의 '상대 위치를 선형으로')."""
    d, k = 16, 5
    pe = positional_encoding(64, d, dtype=D64)
    omega = 1.0 / 10000 ** (torch.arange(0, d, 2, dtype=D64) / d)       # (d/2,)
    cos, sin = torch.cos(k * omega), torch.sin(k * omega)
    for pos in (0, 9, 40):
        s, c = pe[pos, 0::2], pe[pos, 1::2]
        close(pe[pos + k, 0::2], s * cos + c * sin)                     # sin(a+b) = sin a cos b + cos a sin b
        close(pe[pos + k, 1::2], c * cos - s * sin)                     # cos(a+b) = cos a cos b − sin a sin b


# ---------------------------------------------------------------------------
# encoder 층 / decoder 층 == nn.TransformerEncoderLayer / DecoderLayer
# ---------------------------------------------------------------------------
LAYER_GRID = [(6, 3, 16, "relu", 1e-5), (5, 1, 7, "gelu", 1e-6), (6, 2, 12, "relu", 0.01)]


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")     # float tgt_mask + bool padding
@pytest.mark.parametrize("d_model,n_head,d_ff,activation,eps", LAYER_GRID)
def test_encoder_and_decoder_layers_equal_torch_layers(d_model, n_head, d_ff, activation, eps):
    torch.manual_seed(1)
    kw = dict(dim_feedforward=d_ff, dropout=0.1, activation=activation, layer_norm_eps=eps, batch_first=True)
    enc_ref = nn.TransformerEncoderLayer(d_model, n_head, **kw).double().eval()
    dec_ref = nn.TransformerDecoderLayer(d_model, n_head, **kw).double().eval()
    for ref in (enc_ref, dec_ref):
        with torch.no_grad():
            for name, p in ref.named_parameters():
                if name.endswith("bias") or name.startswith("norm"):
                    p.normal_(0, 0.5)                                    # bias, γ, β도 기본값이 아니게
    enc = {k: v.detach().clone() for k, v in enc_ref.state_dict().items()}
    dec = {k: v.detach().clone() for k, v in dec_ref.state_dict().items()}
    assert list(enc) == list(layer_param_shapes(d_model, d_ff, decoder=False))
    assert list(dec) == list(layer_param_shapes(d_model, d_ff, decoder=True))
    src, tgt = randn(B, S, d_model, seed=2), randn(B, T, d_model, seed=3)
    src_pad, tgt_pad = padding([S, 3], S), padding([T, 2], T)
    # grad를 켠 채로 부른다: no_grad + eval이면 nn 층이 fused fast path로 가서 padding 위치를 0으로 채운다
    close(encoder_layer(src, enc, n_head, src_pad, eps, activation), enc_ref(src, src_key_padding_mask=src_pad))
    for tgt_mask in (causal_mask(T), nn.Transformer.generate_square_subsequent_mask(T, dtype=D64)):
        ours = decoder_layer(tgt, src, dec, n_head, tgt_mask, tgt_pad, src_pad, eps, activation)
        theirs = dec_ref(tgt, src, tgt_mask=tgt_mask, tgt_key_padding_mask=tgt_pad, memory_key_padding_mask=src_pad)
        close(ours, theirs)


def test_layers_in_training_mode_differ_by_dropout_and_match_without_it():
    params = {k: v.detach().double() for k, v in init_layer_params(C, 8, seed=1).items()}
    x = randn(B, T, C, seed=2)
    a = encoder_layer(x, params, NH, dropout_p=0.3, generator=torch.Generator().manual_seed(0))
    b = encoder_layer(x, params, NH, dropout_p=0.3, generator=torch.Generator().manual_seed(1))
    assert not torch.allclose(a, b)                                     # 다른 mask → 다른 출력
    close(encoder_layer(x, params, NH, dropout_p=0.3, generator=torch.Generator().manual_seed(0)), a)


# ---------------------------------------------------------------------------
# 초기화: nn.Transformer와 같은 분포
# ---------------------------------------------------------------------------
def test_init_matches_xavier_uniform_formula_and_nn_layer_keys():
    d_model, d_ff = 64, 256
    params = init_layer_params(d_model, d_ff, decoder=True, seed=0)
    ref_keys = list(nn.TransformerDecoderLayer(d_model, 4, d_ff, batch_first=True).state_dict())
    assert list(params) == ref_keys
    for name, p in params.items():
        assert p.requires_grad and p.is_leaf
        if p.ndim == 2:                                                 # U(−a, a)의 std = a/√3
            fan_out, fan_in = p.shape
            expected = math.sqrt(6.0 / (fan_in + fan_out)) / math.sqrt(3.0)
            assert abs(p.std().item() / expected - 1) < 0.05, name
        elif name.startswith("norm") and name.endswith("weight"):
            assert torch.all(p == 1), name
        else:
            assert torch.all(p == 0), name


# ---------------------------------------------------------------------------
# 잘못된 입력
# ---------------------------------------------------------------------------
def test_bad_masks_are_refused_with_the_expected_shape_or_dtype():
    params = {k[len("self_attn."):]: v for k, v in init_layer_params(C, 8, seed=0).items()
              if k.startswith("self_attn.")}
    x = torch.randn(B, T, C)
    with pytest.raises(ValueError, match=r"key_padding_mask의 shape"):
        multi_head_attention(x, x, x, params, NH, key_padding_mask=torch.zeros(B, T + 1, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"key_padding_mask의 dtype은 bool"):
        multi_head_attention(x, x, x, params, NH, key_padding_mask=torch.zeros(B, T))
    with pytest.raises(ValueError, match=r"attn_mask의 shape"):
        multi_head_attention(x, x, x, params, NH, attn_mask=causal_mask(T + 1))
    with pytest.raises(ValueError, match=r"attn_mask의 dtype"):
        multi_head_attention(x, x, x, params, NH, attn_mask=torch.zeros(T, T, dtype=torch.int64))


def test_bad_shapes_heads_and_lengths_are_refused():
    params = {k[len("self_attn."):]: v for k, v in init_layer_params(C, 8, seed=0).items()
              if k.startswith("self_attn.")}
    x = torch.randn(B, T, C)
    with pytest.raises(ValueError, match=r"n_head=4"):
        multi_head_attention(x, x, x, params, 4)
    with pytest.raises(ValueError, match=r"rank 3"):
        multi_head_attention(x[0], x[0], x[0], params, NH)
    with pytest.raises(ValueError, match=r"rank 4"):
        scaled_dot_product_attention(x, x, x)
    with pytest.raises(ValueError, match=r"맞물려야"):
        scaled_dot_product_attention(torch.randn(1, 1, 2, 3), torch.randn(1, 1, 2, 4), torch.randn(1, 1, 2, 4))
    from .attention import add_positional_encoding
    with pytest.raises(ValueError, match=r"max_len"):
        add_positional_encoding(torch.randn(1, 9, 4), positional_encoding(8, 4))
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        dropout(x, 1.0)


# ---------------------------------------------------------------------------
# 레벨 스크립트
# ---------------------------------------------------------------------------
def test_quick_run_reports_result_and_plots(tmp_path, capsys):
    from pathlib import Path

    from .transformer_lowlevel import FULL_RUN_EXACT_MATCH, main

    result = main(["--quick", "--out", str(tmp_path)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-3].startswith("예") and "greedy" in lines[-3] and "정답" in lines[-3]
    assert "smoke run" in lines[-1] and FULL_RUN_EXACT_MATCH in lines[-1]
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert f"**{FULL_RUN_EXACT_MATCH}**" in readme                          # 안내가 인용하는 값이 README의 표에 있다
    assert result["model"] == "Transformer" and result["level"] == "pytorch_lowlevel" and result["data"] == "reverse"
    assert 0.0 <= result["value"] <= 1.0 and (tmp_path / "result.json").exists()
    assert all((tmp_path / name).exists() for name in ("loss_curve.png", "cross_attention.png"))


def test_initial_loss_is_near_log_vocab_and_a_few_steps_lower_it():
    """처음 logit = LayerNorm 출력 (성분 분산 1) · embedding 행 (성분 분산 1/d) → logit 분산 ≈ 1.
    logit이 N(0, σ²)이면 기대 cross-entropy ≈ ln V + σ²/2 이므로 처음 loss ≈ ln V + 0.5."""
    from .transformer_lowlevel import VOCAB, init_model, loss_fn, make_batch, random_strings

    g = torch.Generator().manual_seed(0)
    params = init_model(16, 32, 1, seed=0)
    table = positional_encoding(10, 16)
    src, tgt = make_batch(random_strings(32, g))
    first = loss_fn(params, src, tgt, 2, 1, table, 0.0, None)
    assert abs(first.item() - (math.log(VOCAB) + 0.5)) < 0.4
    optimizer = torch.optim.Adam(params.values(), lr=3e-3)
    for _ in range(30):
        loss = loss_fn(params, src, tgt, 2, 1, table, 0.0, None)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.7 * first.item()


def test_embedding_plus_positional_encoding_gets_the_section_5_4_dropout():
    """§5.4: embedding과 PE의 **합**에 dropout. p = 0이면 E[ids]·√d + PE 그대로, p > 0이면 합의 원소 중 약 p가 0이고
    남은 원소는 합 × 1/(1 − p) (PE만 남거나 embedding만 남는 원소는 없다). 같은 generator면 같은 mask."""
    from .transformer_lowlevel import embed, init_model

    params = init_model(16, 32, 1, seed=0)
    table = positional_encoding(10, 16)
    ids = torch.randint(3, 13, (64, 8), generator=torch.Generator().manual_seed(1))
    plain = params["embedding"][ids] * 4.0 + table[:8]                                      # √16 = 4
    close(embed(params, ids, table), plain)
    dropped = embed(params, ids, table, 0.25, torch.Generator().manual_seed(2))
    zero = dropped == 0
    assert abs(zero.float().mean().item() - 0.25) < 0.02                                   # 8192개 중 약 25%
    close(dropped[~zero], plain[~zero] / 0.75)
    close(embed(params, ids, table, 0.25, torch.Generator().manual_seed(2)), dropped)


def test_unknown_data_ends_with_exit_code_2(capsys):
    from .transformer_lowlevel import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--data", "imagenet"])
    assert exit_info.value.code == 2
    assert "imagenet" in capsys.readouterr().err
