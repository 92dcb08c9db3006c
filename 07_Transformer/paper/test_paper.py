"""L3 Transformer 검증: nn.Transformer parity (여러 설정, 모든 mask) → 옮기지 못하는 설정 거부 → 파라미터 수
(논문 base, theory.md의 유도) → 초기화 → dropout train/eval → label smoothing → decoding → 잘못된 입력."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from utils.gradcheck import F32_ATOL, F64_ATOL, F64_RTOL

from .transformer import (
    Transformer,
    attention_mask,
    beam_search,
    greedy_decode,
    label_smoothed_cross_entropy,
    length_penalty,
)

B, S, T = 3, 7, 5


def padding(lengths, width):
    return torch.arange(width)[None, :] >= torch.tensor(lengths)[:, None]          # bool (B, width), True = pad


@pytest.fixture(autouse=True)
def _quiet_nested_tensor_warnings(recwarn):
    """nn.Transformer가 head 수가 홀수일 때 내는 enable_nested_tensor 경고 등은 이 테스트들의 관심사가 아니다."""
    yield


def make_reference(d_model, nhead, n_enc, n_dec, d_ff, activation="relu", eps=1e-5, dropout=0.1, seed=0, **kw):
    torch.manual_seed(seed)
    ref = nn.Transformer(d_model, nhead, n_enc, n_dec, d_ff, dropout=dropout, activation=activation,
                         layer_norm_eps=eps, batch_first=True, **kw)
    with torch.no_grad():                                   # bias·γ·β도 기본값(0, 1)이 아니게: 빠진 복사가 드러난다
        for name, p in ref.named_parameters():
            if p.ndim == 1:
                p.normal_(0, 0.3).add_(1.0 if name.endswith("norm1.weight") else 0.0)
    return ref


CONFIGS = [  # d_model, nhead, enc, dec, d_ff, activation, eps
    (16, 4, 2, 2, 32, "relu", 1e-5),
    (10, 1, 1, 1, 7, "gelu", 1e-6),        # d_model가 2의 거듭제곱이 아님, head 1개, 층 1개
    (12, 3, 3, 1, 20, "relu", 1e-5),       # encoder와 decoder의 깊이가 다름
    (6, 2, 1, 3, 9, "gelu", 1e-3),
]


def compare(ours, theirs, atol=F32_ATOL):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=0, atol=atol)


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask")
@pytest.mark.parametrize("d_model,nhead,n_enc,n_dec,d_ff,activation,eps", CONFIGS)
def test_from_reference_encode_and_decode_equal_nn_transformer(d_model, nhead, n_enc, n_dec, d_ff, activation, eps):
    ref = make_reference(d_model, nhead, n_enc, n_dec, d_ff, activation, eps).eval()
    model = Transformer.from_reference(ref).eval()
    g = torch.Generator().manual_seed(1)
    src, tgt = torch.randn(B, S, d_model, generator=g), torch.randn(B, T, d_model, generator=g)
    src_pad, tgt_pad = padding([S, 4, 1], S), padding([T, T, 2], T)
    # grad를 켠 채로 부른다: no_grad + eval의 fast path는 padding 위치를 0으로 채운다 (아래 별도 테스트)
    memory, ref_memory = model.encode(src, src_pad), ref.encoder(src, src_key_padding_mask=src_pad)
    compare(memory, ref_memory)
    compare(model.encode(src), ref.encoder(src))
    for tgt_mask in (torch.ones(T, T, dtype=torch.bool).triu(1), nn.Transformer.generate_square_subsequent_mask(T)):
        ours = model.decode(tgt, ref_memory, tgt_mask=tgt_mask, tgt_key_padding_mask=tgt_pad,
                            memory_key_padding_mask=src_pad)
        theirs = ref.decoder(tgt, ref_memory, tgt_mask=tgt_mask, tgt_key_padding_mask=tgt_pad,
                             memory_key_padding_mask=src_pad)
        compare(ours, theirs)
    compare(model.decode(tgt, ref_memory), ref.decoder(tgt, ref_memory))


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
@pytest.mark.parametrize("d_model,nhead,n_enc,n_dec,d_ff,activation,eps", CONFIGS[:3])
def test_from_reference_pre_ln_encode_and_decode_equal_nn_transformer(d_model, nhead, n_enc, n_dec, d_ff, activation,
                                                                     eps):
    """norm_first=True (pre-LN, Xiong et al. 2020): 같은 parity (≤ F32_ATOL), 그리고 post-LN과는 다른 값."""
    ref = make_reference(d_model, nhead, n_enc, n_dec, d_ff, activation, eps, norm_first=True).eval()
    model = Transformer.from_reference(ref).eval()
    assert model.config["norm_first"] is True and model.config["final_norm"] is True
    g = torch.Generator().manual_seed(3)
    src, tgt = torch.randn(B, S, d_model, generator=g), torch.randn(B, T, d_model, generator=g)
    src_pad, tgt_pad, causal = padding([S, 3, 2], S), padding([T, 4, 1], T), torch.ones(T, T, dtype=torch.bool).triu(1)
    memory, ref_memory = model.encode(src, src_pad), ref.encoder(src, src_key_padding_mask=src_pad)
    compare(memory, ref_memory)
    ours = model.decode(tgt, ref_memory, tgt_mask=causal, tgt_key_padding_mask=tgt_pad, memory_key_padding_mask=src_pad)
    theirs = ref.decoder(tgt, ref_memory, tgt_mask=causal, tgt_key_padding_mask=tgt_pad,
                         memory_key_padding_mask=src_pad)
    compare(ours, theirs)
    post = Transformer(None, d_model, nhead, n_enc, n_dec, d_ff, 0.1, activation, eps, final_norm=True).eval()
    post.load_state_dict(model.state_dict())                               # 같은 가중치, post-LN 층
    assert (post.encode(src, src_pad) - memory).abs().max() > 1e-3


def test_pre_ln_defaults_to_a_final_layer_norm_and_post_ln_does_not():
    assert Transformer(None, 8, 2, 1, 1, 16, norm_first=True).encoder_norm is not None
    assert Transformer(None, 8, 2, 1, 1, 16).encoder_norm is None
    assert Transformer(None, 8, 2, 1, 1, 16, norm_first=True, final_norm=False).encoder_norm is None


@pytest.mark.slow
def test_from_reference_equals_nn_transformer_at_the_paper_base_config():
    """Table 3 base (N = 6, d_model 512, h 8, d_ff 2048): encode/decode가 nn.Transformer와 F32_ATOL 안에서 같다."""
    test_from_reference_encode_and_decode_equal_nn_transformer(512, 8, 6, 6, 2048, "relu", 1e-5)


def test_from_reference_gradients_equal_in_float64():
    ref = make_reference(12, 3, 2, 2, 20, dropout=0.0).double()
    model = Transformer.from_reference(ref).double()
    g = torch.Generator().manual_seed(2)
    src, tgt = torch.randn(B, S, 12, generator=g, dtype=torch.float64), torch.randn(B, T, 12, generator=g,
                                                                                     dtype=torch.float64)
    src_pad, causal = padding([S, 5, 3], S), torch.ones(T, T, dtype=torch.bool).triu(1)
    w = torch.randn(B, T, 12, generator=g, dtype=torch.float64)
    grads = []
    for enc, dec in ((model.encode, model.decode), (ref.encoder, ref.decoder)):
        s, t = src.clone().requires_grad_(True), tgt.clone().requires_grad_(True)
        if enc is model.encode:
            out = dec(enc(s, src_pad), t, tgt_mask=causal, memory_key_padding_mask=src_pad)
        else:
            out = dec(t, enc(s, src_key_padding_mask=src_pad), tgt_mask=causal, memory_key_padding_mask=src_pad)
        (out * w).sum().backward()
        grads.append((s.grad, t.grad))
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=F64_RTOL, atol=F64_ATOL)
    # 파라미터 gradient: 우리 W^Q·W^K·W^V를 이어 붙이면 reference의 in_proj_weight gradient
    ours_q = model.decoder_layers[1].cross_attn
    stacked = torch.cat([ours_q.w_q.weight.grad, ours_q.w_k.weight.grad, ours_q.w_v.weight.grad])
    np.testing.assert_allclose(stacked.numpy(), ref.decoder.layers[1].multihead_attn.in_proj_weight.grad.numpy(),
                               rtol=F64_RTOL, atol=F64_ATOL)


def test_reference_fast_path_puts_layernorm_beta_at_padded_positions_under_no_grad():
    """no_grad + eval에서 nn.TransformerEncoder는 nested tensor fast path를 타고 padding 위치를 0으로 채운 뒤
    마지막 LayerNorm을 건다: padding 위치의 출력은 LayerNorm(0) = β. padding이 아닌 위치는 그대로 같다.
    우리 encode는 모드와 무관하게 같은 식이다 (padding 위치에도 값이 있고, 뒤의 attention이 그 key를 가린다)."""
    ref = make_reference(16, 4, 2, 1, 32).eval()
    model = Transformer.from_reference(ref).eval()
    src, src_pad = torch.randn(B, S, 16), padding([S, 4, 2], S)
    with torch.no_grad():
        fast, ours = ref.encoder(src, src_key_padding_mask=src_pad), model.encode(src, src_pad)
    compare(ours[~src_pad], fast[~src_pad])
    beta = ref.encoder.norm.bias.detach()
    assert torch.all(fast[src_pad] == beta) and not torch.allclose(ours[src_pad], beta.expand_as(ours[src_pad]))


def test_from_reference_carries_every_hyper_parameter():
    ref = make_reference(12, 3, 2, 3, 20, "gelu", 1e-4, dropout=0.25)
    model = Transformer.from_reference(ref)
    assert model.config["activation"] == "gelu" and model.config["final_norm"] is True
    dropouts = [m.p for m in model.modules() if isinstance(m, nn.Dropout)]
    attn = [m.dropout for m in model.modules() if type(m).__name__ == "MultiHeadAttention"]
    assert len(dropouts) == 2 * 3 + 3 * 4 and set(dropouts) == {0.25}        # encoder 층 3개씩, decoder 층 4개씩
    assert len(attn) == 2 + 2 * 3 and set(attn) == {0.25}
    assert {m.eps for m in model.modules() if isinstance(m, nn.LayerNorm)} == {1e-4}
    n_ref = sum(p.numel() for p in ref.parameters())
    assert sum(p.numel() for p in model.parameters()) == n_ref
    for a, b in zip(model.parameters(), ref.parameters()):                  # 같은 tensor를 나눠 쓰지 않는다
        assert a.data_ptr() != b.data_ptr()


@pytest.mark.parametrize("kwargs,named", [
    (dict(activation=F.silu), "activation="),
    (dict(activation=lambda x: torch.tanh(x)), "activation="),
    (dict(bias=False), "bias=False"),
    (dict(batch_first=False), "batch_first=False"),
])
def test_from_reference_refuses_settings_it_cannot_map(kwargs, named):
    kw = dict(dim_feedforward=16, dropout=0.1, batch_first=True)
    kw.update(kwargs)
    ref = nn.Transformer(8, 2, 1, 1, **kw)
    with pytest.raises(ValueError, match=named):
        Transformer.from_reference(ref)


def test_from_reference_refuses_layers_that_mix_post_ln_and_pre_ln():
    ref = nn.Transformer(8, 2, 2, 1, dim_feedforward=16, batch_first=True)
    ref.encoder.layers[1].norm_first = True
    with pytest.raises(ValueError, match="norm_first"):
        Transformer.from_reference(ref)


def test_from_reference_refuses_a_model_that_is_not_nn_transformer():
    with pytest.raises(ValueError, match="nn.Transformer"):
        Transformer.from_reference(nn.TransformerEncoderLayer(8, 2, batch_first=True))


# ---------------------------------------------------------------------------
# 파라미터 수: theory.md §7의 유도와 nn.Transformer
# ---------------------------------------------------------------------------
def count(model):
    return sum(p.numel() for p in model.parameters())


def paper_count(d, h, n_enc, n_dec, d_ff, V=None, shared=True, final_norm=False):
    """theory.md §7의 식을 따로 쓴 것."""
    attn = 4 * (d * d + d)
    ffn = d * d_ff + d_ff + d_ff * d + d
    enc = attn + ffn + 2 * (2 * d)
    dec = 2 * attn + ffn + 3 * (2 * d)
    total = n_enc * enc + n_dec * dec + (2 * 2 * d if final_norm else 0)
    if V is not None:
        total += V * d if shared else 3 * V * d
    return total


def test_base_model_parameter_counts_match_theory_and_nn_transformer():
    with torch.device("meta"):
        stack = Transformer()                                    # Table 3 base, 논문대로 마지막 LayerNorm 없음
        stack_final = Transformer(final_norm=True)
        shared = Transformer(vocab_size=37000)                   # §5.1: 영어–독일어 공유 BPE vocabulary 약 37000
        unshared = Transformer(vocab_size=37000, share_embeddings=False)
        ref = nn.Transformer(batch_first=True)
    assert count(stack) == paper_count(512, 8, 6, 6, 2048) == 44_138_496
    assert count(stack_final) == count(ref) == 44_140_544
    assert count(shared) == paper_count(512, 8, 6, 6, 2048, 37000) == 63_082_496
    assert count(unshared) == paper_count(512, 8, 6, 6, 2048, 37000, shared=False) == 100_970_496


@pytest.mark.parametrize("d,h,ne,nd,dff,V", [(10, 2, 1, 3, 7, 31), (64, 4, 2, 2, 256, 40)])
def test_small_parameter_counts_match_the_formula(d, h, ne, nd, dff, V):
    for shared in (True, False):
        model = Transformer(V, d, h, ne, nd, dff, share_embeddings=shared)
        assert count(model) == paper_count(d, h, ne, nd, dff, V, shared)


def test_shared_embedding_is_one_matrix_used_three_times():
    model = Transformer(20, 8, 2, 1, 1, 16, dropout=0.0)
    assert model.src_embedding.weight is model.tgt_embedding.weight and model.output is None
    src, tgt = torch.randint(1, 20, (2, 4)), torch.randint(1, 20, (2, 3))
    logits = model(src, tgt)
    h = torch.randn(2, 3, 8)
    torch.testing.assert_close(model.project(h), h @ model.src_embedding.weight.T, rtol=0, atol=0)
    logits.sum().backward()
    assert model.src_embedding.weight.grad.abs().sum() > 0


def test_initialisation_follows_the_documented_formulas():
    d, dff, V = 64, 256, 500
    model = Transformer(V, d, 4, 2, 2, dff, share_embeddings=False)
    for name, p in model.named_parameters():
        if name.endswith("embedding.weight"):
            assert abs(p.std().item() / d ** -0.5 - 1) < 0.05, name
            assert abs(p.mean().item()) < 0.01, name
        elif p.ndim == 2:
            fan_out, fan_in = p.shape
            assert abs(p.std().item() / (math.sqrt(6 / (fan_in + fan_out)) / math.sqrt(3)) - 1) < 0.06, name
        elif "norm" in name and name.endswith("weight"):
            assert torch.all(p == 1), name
        else:
            assert torch.all(p == 0), name


def test_embedding_is_scaled_by_sqrt_d_model_and_gets_the_positional_table():
    model = Transformer(30, 16, 2, 1, 1, 32, dropout=0.0, max_len=10).eval()
    ids = torch.tensor([[3, 4, 5]])
    expected = model.src_embedding.weight[ids] * 4.0 + model.positional.pe[:3]
    torch.testing.assert_close(model.embed(ids), expected, rtol=0, atol=0)


def test_dropout_makes_training_mode_stochastic_and_eval_mode_deterministic():
    model = Transformer(25, 16, 4, 2, 2, 32, dropout=0.3)
    src, tgt = torch.randint(1, 25, (2, 6)), torch.randint(1, 25, (2, 4))
    model.train()
    a, b = model(src, tgt), model(src, tgt)
    assert not torch.allclose(a, b)
    model.eval()
    torch.testing.assert_close(model(src, tgt), model(src, tgt), rtol=0, atol=0)
    quiet = Transformer(25, 16, 4, 2, 2, 32, dropout=0.0).train()            # p = 0: 학습 모드도 결정적
    torch.testing.assert_close(quiet(src, tgt), quiet(src, tgt), rtol=0, atol=0)


def test_keep_attention_path_equals_the_sdpa_path_and_rows_sum_to_one():
    model = Transformer(25, 12, 3, 2, 2, 24, dropout=0.0).eval()
    src = torch.tensor([[5, 6, 7, 0], [8, 9, 0, 0]])
    tgt = torch.tensor([[1, 4, 4], [1, 3, 0]])
    fast = model(src, tgt)
    for modules in model.attention_modules().values():
        for m in modules:
            m.keep_attention = True
    slow = model(src, tgt)
    torch.testing.assert_close(slow, fast, rtol=0, atol=F32_ATOL)
    cross = model.decoder_layers[0].cross_attn.attention                      # (B, nh, T, S)
    assert cross.shape == (2, 3, 3, 4)
    torch.testing.assert_close(cross.sum(-1), torch.ones(2, 3, 3))
    assert torch.all(cross[0, :, :, 3] == 0) and torch.all(cross[1, :, :, 2:] == 0)   # padding key는 0


# ---------------------------------------------------------------------------
# label smoothing, decoding
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("epsilon", [0.0, 0.1, 0.4])
def test_label_smoothing_equals_torch_cross_entropy(epsilon):
    g = torch.Generator().manual_seed(0)
    logits, target = torch.randn(12, 9, generator=g, dtype=torch.float64), torch.randint(0, 9, (12,), generator=g)
    target[:3] = 0                                                            # padding 위치는 빠진다
    ours = label_smoothed_cross_entropy(logits, target, epsilon, ignore_index=0)
    theirs = F.cross_entropy(logits, target, label_smoothing=epsilon, ignore_index=0)
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=F64_RTOL)


def test_length_penalty_is_the_gnmt_formula():
    assert length_penalty(torch.tensor(1.0), 0.6).item() == pytest.approx(1.0)
    assert length_penalty(torch.tensor(7.0), 0.6).item() == pytest.approx(2.0 ** 0.6)
    assert length_penalty(torch.tensor(7.0), 0.0).item() == 1.0


def test_beam_of_one_without_length_penalty_is_greedy():
    torch.manual_seed(3)
    model = Transformer(15, 16, 4, 2, 2, 32)
    src = torch.randint(3, 15, (6, 5))
    src[2, 3:] = 0
    greedy = greedy_decode(model, src, bos_id=1, eos_id=2, max_len=7)
    beam = beam_search(model, src, bos_id=1, eos_id=2, max_len=7, beam_size=1, alpha=0.0)
    assert torch.equal(greedy, beam)


def test_beam_search_finds_a_sequence_at_least_as_likely_as_greedy():
    """α = 0이면 beam의 점수는 log p의 합: beam 4가 고른 가설의 log p ≥ greedy 가설의 log p (이 seed에서)."""
    torch.manual_seed(4)
    model = Transformer(12, 16, 4, 2, 2, 32).eval()
    src = torch.randint(3, 12, (8, 5))

    def log_prob(seqs):
        total = torch.zeros(len(seqs))
        for i, seq in enumerate(seqs):
            tokens = [1] + [t for t in seq.tolist() if t != 0]
            ys = torch.tensor([tokens])
            with torch.no_grad():
                lp = F.log_softmax(model(src[i:i + 1], ys[:, :-1]), dim=-1)[0]
            total[i] = lp.gather(1, ys[0, 1:, None]).sum()
        return total

    greedy = greedy_decode(model, src, 1, 2, max_len=6)
    beam = beam_search(model, src, 1, 2, max_len=6, beam_size=4, alpha=0.0)
    assert torch.all(log_prob(beam) >= log_prob(greedy) - 1e-5)


# ---------------------------------------------------------------------------
# 잘못된 입력
# ---------------------------------------------------------------------------
def test_bad_masks_are_refused_with_the_expected_shape_or_dtype():
    model = Transformer(None, 8, 2, 1, 1, 16)
    src, tgt = torch.randn(2, 5, 8), torch.randn(2, 3, 8)
    with pytest.raises(ValueError, match=r"padding mask는 \(B, S\) = \(2, 5\)"):
        model.encode(src, torch.zeros(2, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"padding mask의 dtype은 bool"):
        model.encode(src, torch.zeros(2, 5))
    with pytest.raises(ValueError, match=r"attention mask는 \(T, S\) = \(3, 3\)"):
        model.decode(tgt, src, tgt_mask=torch.zeros(4, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match=r"bool\(True = 가림\) 또는 float"):
        model.decode(tgt, src, tgt_mask=torch.zeros(3, 3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"d_model=8"):
        model.encode(torch.randn(2, 5, 6))
    with pytest.raises(ValueError, match="attention mask는"):
        attention_mask(1, 2, 2, attn_mask=[[True]])


def test_bad_config_lengths_and_ids_are_refused():
    with pytest.raises(ValueError, match=r"d_model=10은 head 수 n_head=4"):
        Transformer(None, 10, 4)
    model = Transformer(20, 8, 2, 1, 1, 16, max_len=6)
    with pytest.raises(ValueError, match=r"max_len=6"):
        model(torch.randint(1, 20, (1, 7)), torch.randint(1, 20, (1, 3)))
    with pytest.raises(ValueError, match=r"\[0, vocab_size=20\)"):
        model(torch.tensor([[3, 20]]), torch.tensor([[1, 2]]))
    with pytest.raises(ValueError, match=r"\[0, vocab_size=20\)"):
        model(torch.tensor([[3, 4]]), torch.tensor([[1, -1]]))
    with pytest.raises(ValueError, match="정수 token id"):
        model(torch.randn(1, 3), torch.tensor([[1, 2]]))


# ---------------------------------------------------------------------------
# 숫자 읽기 스크립트
# ---------------------------------------------------------------------------
def test_quick_run_reports_both_decodings_and_every_plot(tmp_path, capsys):
    from pathlib import Path

    from .transformer_paper import FULL_RUN_EXACT_MATCH, main

    result = main(["--quick", "--out", str(tmp_path)])
    lines = capsys.readouterr().out.strip().splitlines()
    sample, note = lines[-3], lines[-1]                                     # 예 → report 한 줄 → smoke run 안내
    expected = result["sample"]["expected"]
    assert "greedy" in sample and "beam" in sample and f"정답 {expected!r}" in sample
    assert "smoke run" in note and FULL_RUN_EXACT_MATCH in note
    assert f"**{FULL_RUN_EXACT_MATCH}**" in (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert result["metric"] == "test_exact_match_greedy" and result["data"] == "number_reading"
    assert set(result["exact_match"]) == {"greedy", "beam"}
    assert result["config"]["norm_first"] is False                          # 기본은 논문의 post-LN
    for name in ("attention_encoder_self", "attention_decoder_self", "attention_cross", "positional_encoding",
                 "learning_rate", "loss_curves"):
        assert (tmp_path / f"{name}.png").exists(), name
    assert (tmp_path / "result.json").exists()


def test_attention_map_example_is_a_number_no_split_contains():
    """README와 그림이 쓰는 30500427은 기본 분할 (seed 0)의 train·validation·test 어디에도 없다: 처음 보는 수."""
    from ..number_reading import split_numbers
    from .transformer_paper import EXAMPLE_NUMBER

    assert all(EXAMPLE_NUMBER not in set(part.tolist()) for part in split_numbers(20000, 500, 2000, seed=0))


def test_unknown_data_ends_with_exit_code_2(capsys):
    from .transformer_paper import main

    with pytest.raises(SystemExit) as exit_info:
        main(["--data", "wmt14"])
    assert exit_info.value.code == 2 and "wmt14" in capsys.readouterr().err


@pytest.mark.slow
def test_number_reading_reaches_99_percent_exact_match_within_five_cpu_minutes(tmp_path):
    """기본 설정 (seed 0): 학습과 겹치지 않는 test 2000개에서 greedy exact match ≥ 99%, beam ≥ greedy,
    학습에 든 CPU 시간 ≤ 300초."""
    from .transformer_paper import main

    result = main(["--out", str(tmp_path)])
    assert result["exact_match"]["greedy"] >= 0.99
    assert result["exact_match"]["beam"] >= result["exact_match"]["greedy"]
    assert result["train_cpu_seconds"] <= 300
