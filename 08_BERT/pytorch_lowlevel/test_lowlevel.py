"""L2 검증: 손으로 쓴 연산 ↔ library 쌍둥이 → L2 == L3 (같은 가중치) → MLM loss → masking·NSP의 통계."""
import math

import pytest
import torch
import torch.nn.functional as F

from utils.gradcheck import F32_ATOL, F64_RTOL

from ..paper.bert import BERTConfig, BERTForPreTraining
from . import encoder as E
from .masking import IGNORE_INDEX, make_nsp_pairs, mask_tokens, pair_input


# ---- 1. 손으로 쓴 연산 ----
def test_attention_equals_scaled_dot_product_attention_with_padding_mask():
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(3, 4, 7, 5, generator=g) for _ in range(3))
    keep = torch.ones(3, 7, dtype=torch.long)
    keep[0, 4:] = 0
    keep[2, 1:] = 0
    mask = E.additive_mask(keep)
    ours, probs = E.attention(q, k, v, mask)
    theirs = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert (ours - theirs).abs().max() <= F32_ATOL
    assert probs[0, :, :, 4:].abs().max() == 0                    # padding key는 확률 0
    assert torch.allclose(probs.sum(-1), torch.ones(()), atol=F32_ATOL)


def test_hand_written_ops_equal_their_library_twins_in_float64():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(4, 6, dtype=torch.float64, generator=g)
    gamma, beta = torch.randn(6, dtype=torch.float64, generator=g), torch.randn(6, dtype=torch.float64, generator=g)
    torch.testing.assert_close(E.layer_norm(x, gamma, beta, 1e-12), F.layer_norm(x, (6,), gamma, beta, 1e-12),
                               rtol=F64_RTOL, atol=0)
    torch.testing.assert_close(E.gelu(x), F.gelu(x), rtol=F64_RTOL, atol=0)
    assert (E.gelu(x) - F.gelu(x, approximate="tanh")).abs().max() > 1e-6   # tanh 근사와는 다르다


def test_hand_written_ops_pass_autograd_gradcheck():
    g = torch.Generator().manual_seed(2)

    def leaf(*shape):
        return torch.randn(*shape, dtype=torch.float64, generator=g).requires_grad_(True)

    mask = E.additive_mask(torch.tensor([[1, 1, 0], [1, 1, 1]]), torch.float64)
    assert torch.autograd.gradcheck(lambda q, k, v: E.attention(q, k, v, mask)[0], (leaf(2, 2, 3, 4),) * 1
                                    + (leaf(2, 2, 3, 4), leaf(2, 2, 3, 4)))
    assert torch.autograd.gradcheck(lambda x, a, b: E.layer_norm(x, a, b, 1e-5), (leaf(3, 5), leaf(5), leaf(5)))
    assert torch.autograd.gradcheck(E.gelu, (leaf(4, 3),))


# ---- 2. L2 == L3 ----
def params_from_paper(model: BERTForPreTraining) -> dict:
    """L3 state_dict → L2 parameter dict. nn.Linear의 (out, in) 가중치는 x W 관례를 위해 전치한다."""
    s = {k: v.detach().clone() for k, v in model.state_dict().items()}
    p = {"word": s["bert.embeddings.word_embeddings.weight"],
         "position": s["bert.embeddings.position_embeddings.weight"],
         "token_type": s["bert.embeddings.token_type_embeddings.weight"],
         "emb_ln_g": s["bert.embeddings.norm.weight"], "emb_ln_b": s["bert.embeddings.norm.bias"],
         "pool_W": s["bert.pooler.dense.weight"].T, "pool_b": s["bert.pooler.dense.bias"],
         "mlm_W": s["mlm.dense.weight"].T, "mlm_b": s["mlm.dense.bias"],
         "mlm_ln_g": s["mlm.norm.weight"], "mlm_ln_b": s["mlm.norm.bias"], "mlm_bias": s["mlm.bias"],
         "nsp_W": s["nsp.weight"].T, "nsp_b": s["nsp.bias"]}
    linear = {"Wq": "attention.query", "Wk": "attention.key", "Wv": "attention.value", "Wo": "attention.output",
              "W1": "ffn.up", "W2": "ffn.down"}
    for i in range(model.config.num_layers):
        for ours, theirs in linear.items():
            p[f"{i}.{ours}"] = s[f"bert.layers.{i}.{theirs}.weight"].T
            p[f"{i}.b{ours[1:]}"] = s[f"bert.layers.{i}.{theirs}.bias"]
        for ours, theirs in (("ln1", "attention.norm"), ("ln2", "ffn.norm")):
            p[f"{i}.{ours}_g"] = s[f"bert.layers.{i}.{theirs}.weight"]
            p[f"{i}.{ours}_b"] = s[f"bert.layers.{i}.{theirs}.bias"]
    return {k: v.contiguous().requires_grad_(True) for k, v in p.items()}


@pytest.fixture(scope="module")
def twin():
    torch.manual_seed(0)
    config = BERTConfig(vocab_size=41, hidden_size=12, num_layers=2, num_heads=3, intermediate_size=20,
                        max_position=16, type_vocab_size=2, layer_norm_eps=1e-12)
    model = BERTForPreTraining(config).eval()
    with torch.no_grad():                                         # LayerNorm·bias도 0/1이 아닌 값으로
        for name, p in model.named_parameters():
            if "norm" in name or name.endswith("bias"):
                p.add_(0.1 * torch.randn_like(p))
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, 41, (3, 10), generator=g)
    types = torch.randint(0, 2, (3, 10), generator=g)
    keep = torch.ones(3, 10, dtype=torch.long)
    keep[1, 6:] = 0
    return model, params_from_paper(model), ids, types, keep


def test_lowlevel_forward_equals_paper_model(twin):
    model, params, ids, types, keep = twin
    mlm, nsp = model(ids, types, keep)
    seq, pooled, maps = E.bert_forward(params, ids, types, keep, num_heads=3)
    assert (seq - model.bert(ids, types, keep)[0]).abs().max() <= F32_ATOL
    assert (E.mlm_logits(params, seq) - mlm).abs().max() <= F32_ATOL
    assert (E.nsp_logits(params, pooled) - nsp).abs().max() <= F32_ATOL
    for ours, theirs in zip(maps, model.bert.attention_maps(ids, types, keep)):
        assert (ours - theirs).abs().max() <= F32_ATOL


def test_lowlevel_gradients_equal_paper_model(twin):
    model, params, ids, types, keep = twin
    labels = torch.full_like(ids, IGNORE_INDEX)
    labels[:, 2] = ids[:, 2]
    model.zero_grad()
    mlm, _ = model(ids, types, keep)
    F.cross_entropy(mlm.reshape(-1, 41), labels.reshape(-1), ignore_index=IGNORE_INDEX).backward()
    seq, _, _ = E.bert_forward(params, ids, types, keep, num_heads=3)
    E.mlm_loss(E.mlm_logits(params, seq), labels).backward()
    grads = dict(model.named_parameters())
    assert (params["word"].grad - grads["bert.embeddings.word_embeddings.weight"].grad).abs().max() <= F32_ATOL
    assert (params["1.W1"].grad - grads["bert.layers.1.ffn.up.weight"].grad.T).abs().max() <= F32_ATOL
    assert (params["0.bq"].grad - grads["bert.layers.0.attention.query.bias"].grad).abs().max() <= F32_ATOL


def test_lowlevel_refuses_sequences_longer_than_the_position_table(twin):
    _, params, _, _, _ = twin
    with pytest.raises(ValueError, match="position table 크기 16"):
        E.bert_forward(params, torch.zeros(1, 17, dtype=torch.long), num_heads=3)
    with pytest.raises(ValueError, match=r"\(B, T\)"):
        E.bert_forward(params, torch.zeros(17, dtype=torch.long), num_heads=3)


def test_init_params_has_the_paper_init():
    p = E.init_params(vocab_size=500, hidden=64, num_layers=1, num_heads=4, intermediate=128, max_position=64)
    for name in ("word", "0.Wq", "0.W1", "mlm_W"):
        assert abs(p[name].std().item() - 0.02) < 5 * 0.02 / math.sqrt(2 * p[name].numel()), name
    assert torch.equal(p["0.ln1_g"], torch.ones(64)) and torch.equal(p["mlm_bias"], torch.zeros(500))
    assert all(t.is_leaf and t.requires_grad for t in p.values())


# ---- 3. MLM loss: 가려진 위치만 ----
def test_mlm_loss_averages_over_masked_positions_only():
    g = torch.Generator().manual_seed(3)
    logits = torch.randn(2, 6, 9, generator=g)
    labels = torch.full((2, 6), IGNORE_INDEX)
    labels[0, 1], labels[1, 4], labels[1, 5] = 3, 0, 8
    loss = E.mlm_loss(logits, labels)
    by_hand = -(logits[0, 1].log_softmax(-1)[3] + logits[1, 4].log_softmax(-1)[0] + logits[1, 5].log_softmax(-1)[8]) / 3
    assert torch.allclose(loss, by_hand, atol=F32_ATOL)
    other = logits.clone()
    other[0, 0] += 100.0                                           # 가리지 않은 위치의 예측을 바꿔도
    assert torch.equal(E.mlm_loss(other, labels), loss)            # loss는 그대로
    with pytest.raises(ValueError, match="가려진 위치가 하나도"):
        E.mlm_loss(logits, torch.full((2, 6), IGNORE_INDEX))


# ---- 4. MLM masking의 통계 ----
V, FIRST_NORMAL, MASK_ID, CLS, SEP, PAD = 1000, 5, 4, 2, 3, 0


@pytest.fixture(scope="module")
def masked_batch():
    g = torch.Generator().manual_seed(10)
    B, T = 2000, 30
    ids = torch.randint(FIRST_NORMAL, V, (B, T), generator=g)
    lengths = torch.randint(5, T + 1, (B,), generator=g)
    for row, n in enumerate(lengths.tolist()):
        ids[row, 0], ids[row, n - 1], ids[row, n:] = CLS, SEP, PAD
    special = (ids == CLS) | (ids == SEP) | (ids == PAD)
    masked, labels = mask_tokens(ids, special, MASK_ID, V, FIRST_NORMAL, torch.Generator().manual_seed(11))
    return ids, special, masked, labels


def within_binomial(count: int, n: int, p: float, z: float = 5.0) -> bool:
    return abs(count - n * p) <= z * math.sqrt(n * p * (1 - p))


def test_masking_chooses_exactly_round_15_percent_of_the_ordinary_tokens(masked_batch):
    ids, special, masked, labels = masked_batch
    chosen = labels != IGNORE_INDEX
    candidates = (~special).sum(1)
    expected = torch.tensor([max(1, round(0.15 * int(n))) for n in candidates])
    assert torch.equal(chosen.sum(1), expected)
    assert not (chosen & special).any()                            # 특수 token·padding은 절대 고르지 않는다
    assert torch.equal(masked[special], ids[special])              # 그리고 바뀌지도 않는다
    assert torch.equal(labels[chosen], ids[chosen])                # label은 원래 token
    assert torch.equal(masked[~chosen], ids[~chosen])              # 고르지 않은 위치는 그대로


def test_masking_splits_80_10_10(masked_batch):
    ids, special, masked, labels = masked_batch
    chosen = labels != IGNORE_INDEX
    n = int(chosen.sum())
    n_mask = int((masked[chosen] == MASK_ID).sum())
    n_kept = int((masked[chosen] == ids[chosen]).sum())
    n_random = n - n_mask - n_kept
    collide = 1 / (V - FIRST_NORMAL)                              # 무작위 token이 우연히 원래 token일 확률
    assert within_binomial(n_mask, n, 0.8), n_mask / n
    assert within_binomial(n_kept, n, 0.1 + 0.1 * collide), n_kept / n
    assert within_binomial(n_random, n, 0.1 * (1 - collide)), n_random / n
    replaced = masked[chosen & (masked != MASK_ID) & (masked != ids)]
    assert replaced.min() >= FIRST_NORMAL and replaced.max() < V   # 무작위 token도 특수 token이 아니다
    # 무작위 token은 [FIRST_NORMAL, V)에서 균등: 평균이 중앙값 근처 (균등분포의 표준편차/√n의 5배 안)
    spread = (V - FIRST_NORMAL) / math.sqrt(12)
    assert abs(replaced.float().mean().item() - (FIRST_NORMAL + V - 1) / 2) < 5 * spread / math.sqrt(len(replaced))


def test_every_ordinary_position_is_equally_likely(masked_batch):
    ids, special, masked, labels = masked_batch
    chosen = (labels != IGNORE_INDEX).float()
    n_cand = (~special).sum(1, keepdim=True).float()
    rate = torch.tensor([max(1, round(0.15 * int(n))) for n in n_cand.flatten()]).float()[:, None] / n_cand
    per_position = chosen[:, 1:6].sum(0)                           # 길이 ≥ 5라 1..3은 늘 후보; 4, 5도 대부분
    expected = (rate * (~special).float())[:, 1:6].sum(0)
    var = (rate * (1 - rate) * (~special).float())[:, 1:6].sum(0)
    assert ((per_position - expected).abs() <= 5 * var.sqrt()).all()


def test_masking_is_repeatable_under_a_seed_and_changes_with_it(masked_batch):
    ids, special, masked, labels = masked_batch
    again = mask_tokens(ids, special, MASK_ID, V, FIRST_NORMAL, torch.Generator().manual_seed(11))
    other = mask_tokens(ids, special, MASK_ID, V, FIRST_NORMAL, torch.Generator().manual_seed(12))
    assert torch.equal(again[0], masked) and torch.equal(again[1], labels)
    assert not torch.equal(other[1], labels)


def test_masking_refuses_bad_arguments():
    g = torch.Generator()
    with pytest.raises(ValueError, match="같은 \\(B, T\\)"):
        mask_tokens(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 4, dtype=torch.bool), 4, 10, 5, g)
    with pytest.raises(ValueError, match="first_normal_id"):
        mask_tokens(torch.zeros(2, 3, dtype=torch.long), torch.zeros(2, 3, dtype=torch.bool), 4, 10, 10, g)


def test_a_row_with_nothing_to_choose_is_left_alone():
    ids = torch.tensor([[CLS, SEP, PAD]])
    masked, labels = mask_tokens(ids, torch.ones(1, 3, dtype=torch.bool), MASK_ID, V, FIRST_NORMAL, torch.Generator())
    assert torch.equal(masked, ids) and (labels == IGNORE_INDEX).all()


# ---- 5. NSP 문장 쌍 ----
def test_nsp_pairs_are_half_next_and_next_means_the_following_sentence():
    # 문서 d의 문장 s = [d, s] → 쌍을 보고 어디서 왔는지 알 수 있다
    documents = [[[d, s] for s in range(2 + d % 4)] for d in range(20)]
    pairs = make_nsp_pairs(documents, 4000, torch.Generator().manual_seed(0))
    n_next = sum(label for _, _, label in pairs)
    assert within_binomial(n_next, len(pairs), 0.5)
    other_docs = []
    for a, b, label in pairs:
        if label == 1:
            assert b == [a[0], a[1] + 1]                            # 같은 문서의 바로 다음 문장
        else:
            assert b[0] != a[0]                                    # 반드시 다른 문서
            other_docs.append(b[0])
    counts = torch.bincount(torch.tensor(other_docs), minlength=20).float()   # 다른 문서는 고르게 (±5σ)
    expected = counts.sum() / 20
    assert ((counts - expected).abs() <= 5 * expected.sqrt() + 5).all()


def test_nsp_refuses_a_single_document():
    with pytest.raises(ValueError, match="문서가 2개 이상"):
        make_nsp_pairs([[[1], [2]]], 3, torch.Generator())


def test_pair_input_layout_and_truncation():
    ids, types = pair_input([7, 8], [9], cls_id=CLS, sep_id=SEP, max_len=10)
    assert ids == [CLS, 7, 8, SEP, 9, SEP] and types == [0, 0, 0, 0, 1, 1]
    ids, types = pair_input(list(range(10, 20)), [30, 31, 32], cls_id=CLS, sep_id=SEP, max_len=9)
    assert len(ids) == 9 and ids[-1] == SEP and ids.count(SEP) == 2
    assert ids == [CLS, 10, 11, 12, SEP, 30, 31, 32, SEP]          # 긴 쪽(A)의 끝부터 잘렸다
    with pytest.raises(ValueError, match="5 이상"):
        pair_input([1], [2], CLS, SEP, 4)


# ---- 6. 학습 스크립트 ----
def test_lowlevel_quick_run_starts_near_ln_v_and_learns(tmp_path, capsys):
    from . import bert_lowlevel

    result = bert_lowlevel.main(["--quick", "--out", str(tmp_path), "--vocab-size", "150"])
    assert abs(result["initial_val_loss"] - result["ln_vocab"]) < 0.3      # 작은 가중치 → 거의 균등한 예측
    assert result["final_val_loss"] < result["initial_val_loss"]
    assert (tmp_path / "mlm_loss_lowlevel.png").exists() and (tmp_path / "result.json").exists()
    printed = capsys.readouterr().out.strip().splitlines()
    assert "smoke run" in printed[-1]                                       # 마지막 줄이 smoke run이라고 말한다
    assert any(f"ln V = {result['ln_vocab']:.3f}" in line for line in printed)   # 처음 loss 옆에 ln V


def test_make_blocks_layout_and_short_corpus():
    from ..wordpiece import WordPieceTokenizer, train_wordpiece
    from .bert_lowlevel import make_blocks

    text = "the cat sat on the mat and the dog sat on the log " * 4
    tok = WordPieceTokenizer(train_wordpiece([text], 60))
    blocks = make_blocks(text, tok, max_len=8)
    assert blocks.shape[1] == 8 and (blocks[:, 0] == tok.cls_id).all() and (blocks[:, -1] == tok.sep_id).all()
    with pytest.raises(ValueError, match="너무 짧습니다"):
        make_blocks("the cat", tok, max_len=8)


@pytest.mark.slow
def test_lowlevel_default_run_lowers_the_mlm_loss(tmp_path):
    from . import bert_lowlevel

    result = bert_lowlevel.main(["--out", str(tmp_path)])
    assert abs(result["initial_val_loss"] - result["ln_vocab"]) < 0.3
    assert result["final_val_loss"] < result["initial_val_loss"] - 1.5
    assert result["value"] > 0.15
