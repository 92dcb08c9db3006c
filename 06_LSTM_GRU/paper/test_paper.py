"""Paper LSTM / GRU 검증: production twin(nn.LSTM / nn.GRU / nn.RNN) parity와 파라미터 수 → 1997 cell → L2 == L3
→ 잘못된 입력 → adding problem (quick run; 수렴 기준은 06_LSTM_GRU/test_claims.py의 slow 테스트)."""
import pytest
import torch
from torch import nn

from utils.gradcheck import F32_ATOL, F64_ATOL, F64_RTOL

from ..pytorch_lowlevel.recurrent import recurrent
from . import adding_paper
from .lstm_gru import GRU, LSTM, ElmanRNN, n_parameters

TWINS = [(LSTM, nn.LSTM), (GRU, nn.GRU), (ElmanRNN, nn.RNN)]
CONFIGS = [(1, False), (2, False), (3, True)]                    # (num_layers, batch_first)


@pytest.mark.parametrize("ours_cls,ref_cls", TWINS, ids=["lstm", "gru", "rnn"])
@pytest.mark.parametrize("num_layers,batch_first", CONFIGS, ids=["L1", "L2", "L3-bf"])
def test_from_reference_gives_the_same_outputs_and_states(ours_cls, ref_cls, num_layers, batch_first):
    torch.manual_seed(0)
    ref = ref_cls(6, 8, num_layers=num_layers, batch_first=batch_first).eval()
    model = ours_cls.from_reference(ref).eval()
    assert n_parameters(model) == n_parameters(ref)               # 정확히 같은 수
    x = torch.randn((3, 7, 6) if batch_first else (7, 3, 6))
    h0 = torch.randn(num_layers, 3, 8)
    state = (h0, torch.randn(num_layers, 3, 8)) if ref_cls is nn.LSTM else h0
    with torch.no_grad():
        out_r, state_r = ref(x, state)
        out_o, state_o = model(x, state)
    assert (out_o - out_r).abs().max() <= F32_ATOL
    pairs = zip(state_o, state_r) if ref_cls is nn.LSTM else [(state_o, state_r)]
    for ours, theirs in pairs:
        assert (ours - theirs).abs().max() <= F32_ATOL


def test_paper_size_lstm_matches_twin_and_counts():
    """adding problem과 sentiment에서 쓰는 크기: 입력 2, H = 32 → 4·32·(2 + 32 + 2) = 4,608 parameters."""
    torch.manual_seed(1)
    ref = nn.LSTM(2, 32, batch_first=True)
    model = LSTM.from_reference(ref)
    assert n_parameters(model) == n_parameters(ref) == 4 * 32 * (2 + 32 + 2)
    x = torch.rand(4, 100, 2)
    with torch.no_grad():
        assert (model(x)[0] - ref(x)[0]).abs().max() <= F32_ATOL


def test_gradients_equal_twin_in_float64():
    torch.manual_seed(2)
    ref = nn.GRU(3, 5, num_layers=2).double()
    model = GRU.from_reference(ref)
    x = torch.randn(6, 2, 3, dtype=torch.float64)
    model(x)[0].sum().backward()
    ref(x)[0].sum().backward()
    ours = {f"{p}_{s}_l{k}": getattr(cell[s], "weight" if p == "weight" else "bias")
            for k, cell in enumerate(model.cells) for p in ("weight", "bias") for s in ("ih", "hh")}
    for name, p in ref.named_parameters():
        torch.testing.assert_close(ours[name].grad, p.grad, rtol=F64_RTOL, atol=F64_ATOL)


def test_original_1997_cell_has_no_forget_gate_and_adds_to_the_cell():
    torch.manual_seed(3)
    model = LSTM(2, 4, forget_gate=False)
    assert model.cells[0]["ih"].weight.shape == (3 * 4, 2)        # gate (i, g, o) 셋
    x = torch.randn(5, 1, 2)
    c0 = torch.randn(1, 1, 4)
    _, (_, c_T) = model(x, (torch.zeros(1, 1, 4), c0))
    # 식을 직접: c_t = c_{t−1} + σ(a_i) ⊙ tanh(a_g). 지우는 항이 없으므로 c_T − c0 = Σ_t i_t ⊙ g_t
    h, c, total = torch.zeros(1, 4), c0[0], torch.zeros(1, 4)
    cell = model.cells[0]
    for t in range(5):
        i, g, o = (cell["ih"](x[t]) + cell["hh"](h)).chunk(3, dim=1)
        total = total + torch.sigmoid(i) * torch.tanh(g)
        c = c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
    torch.testing.assert_close(c_T[0], c0[0] + total)
    with pytest.raises(ValueError, match="forget gate가 없는"):
        LSTM.from_reference(nn.LSTM(2, 4), forget_gate=False)


def test_lowlevel_equals_paper():
    """L2 (params dict + 손 loop) == L3 (nn.Module), 같은 가중치."""
    torch.manual_seed(4)
    model = LSTM(3, 5, num_layers=2).double()
    params = {f"{p}_{s}_l{k}": getattr(cell[s], p).detach().clone()
              for k, cell in enumerate(model.cells) for p in ("weight", "bias") for s in ("ih", "hh")}
    x = torch.randn(4, 2, 3, dtype=torch.float64)
    out_l2, (h_l2, c_l2) = recurrent(params, x, "lstm", num_layers=2)
    with torch.no_grad():
        out_l3, (h_l3, c_l3) = model(x)
    for a, b in ((out_l2, out_l3), (h_l2, h_l3), (c_l2, c_l3)):
        torch.testing.assert_close(a, b, rtol=F64_RTOL, atol=F64_ATOL)


def test_from_reference_refuses_what_it_cannot_copy():
    with pytest.raises(ValueError, match="nn.LSTM를 받습니다"):
        LSTM.from_reference(nn.GRU(2, 3))
    with pytest.raises(ValueError, match="bidirectional"):
        GRU.from_reference(nn.GRU(2, 3, bidirectional=True))
    with pytest.raises(ValueError, match="proj_size"):
        LSTM.from_reference(nn.LSTM(2, 4, proj_size=2))
    with pytest.raises(ValueError, match="tanh"):
        ElmanRNN.from_reference(nn.RNN(2, 3, nonlinearity="relu"))


@pytest.mark.parametrize("ours_cls,ref_cls", TWINS, ids=["lstm", "gru", "rnn"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
def test_from_reference_carries_dropout_bias_and_mode_and_matches_in_training(ours_cls, ref_cls, bias):
    """층 사이 dropout p, bias 여부, batch_first, train 모드를 옮기고, 같은 RNG 상태면 학습 모드 출력도 같다."""
    torch.manual_seed(3)
    ref = ref_cls(4, 6, num_layers=3, dropout=0.4, bias=bias, batch_first=True)
    model = ours_cls.from_reference(ref)
    assert (model.dropout, model.bias, model.batch_first, model.training) == (0.4, bias, True, True)
    assert n_parameters(model) == n_parameters(ref)
    x = torch.randn(2, 5, 4)
    torch.manual_seed(11)
    out_r = ref(x)[0]
    torch.manual_seed(11)
    out_o = model(x)[0]
    assert (out_o - out_r).abs().max() <= F32_ATOL                 # dropout mask까지 같은 순서로 뽑는다
    with torch.no_grad():
        out_eval = model.eval()(x)[0]
        assert (out_eval - ref.eval()(x)[0]).abs().max() <= F32_ATOL
    assert (out_eval - out_o).abs().max() > 1e-2                   # 학습 모드의 dropout이 실제로 걸렸다


@pytest.mark.parametrize("cls", [LSTM, GRU, ElmanRNN])
def test_dropout_acts_only_between_layers_only_in_training_and_eval_is_deterministic(cls):
    torch.manual_seed(4)
    x = torch.randn(5, 2, 4)
    one_layer = cls(4, 6, num_layers=1, dropout=0.5).train()
    with torch.no_grad():                            # 층이 하나면 dropout을 걸 곳이 없다 (nn.LSTM도 그렇다)
        torch.testing.assert_close(one_layer(x)[0], one_layer.eval()(x)[0], rtol=0, atol=0)
        two_layers = cls(4, 6, num_layers=2, dropout=0.5).eval()
        torch.testing.assert_close(two_layers(x)[0], two_layers(x)[0], rtol=0, atol=0)     # eval: 결정적
        eval_out = two_layers(x)[0]
        train_out = two_layers.train()(x)[0]
    assert (train_out - eval_out).abs().max() > 1e-2
    with pytest.raises(ValueError, match="dropout"):
        cls(4, 6, num_layers=2, dropout=1.0)


@pytest.mark.parametrize("cls", [LSTM, GRU, ElmanRNN])
def test_paper_models_initialise_like_the_twin(cls):
    """U(−1/√H, 1/√H) (nn.LSTM / nn.GRU / nn.RNN의 초기화): 구간 안, 구간 끝 근처까지, std = 1/√(3H)."""
    torch.manual_seed(5)
    hidden = 64
    bound = hidden ** -0.5
    for name, p in cls(32, hidden, num_layers=2).named_parameters():
        large = p.numel() >= 1000                                  # 작은 bias는 구간 끝까지 안 갈 수 있다
        assert p.abs().max() <= bound and (not large or p.abs().max() > 0.95 * bound), name
        assert abs(p.std().item() / (bound / 3 ** 0.5) - 1) < (0.1 if large else 0.25), (name, p.std().item())


# ---- 잘못된 입력 ----
@pytest.mark.parametrize("cls", [LSTM, GRU, ElmanRNN])
def test_bad_inputs_are_refused(cls):
    model = cls(2, 4)
    with pytest.raises(ValueError, match=r"rank 3 \(T, B, D\)"):
        model(torch.zeros(5, 2))
    with pytest.raises(ValueError, match="비어 있습니다"):
        model(torch.zeros(0, 3, 2))
    with pytest.raises(ValueError, match=r"h0의 shape은 \(num_layers, B, H\) = \(1, 3, 4\)"):
        bad = torch.zeros(1, 3, 5)
        model(torch.zeros(5, 3, 2), (bad, bad) if cls is LSTM else bad)


# ---- 학습 ----
def test_adding_regressor_starts_lstm_with_the_forget_bias():
    """gate 순서 (i, f, g, o)의 f 자리 [H, 2H)에서 b_if + b_hf만 forget_bias이고, 나머지 bias는 nn.LSTM 초기화."""
    torch.manual_seed(6)
    model = adding_paper.SequenceRegressor("lstm", 2, 8, forget_bias=3.0)
    cell = model.rnn.cells[0]
    with torch.no_grad():
        torch.testing.assert_close(cell["ih"].bias[8:16] + cell["hh"].bias[8:16], torch.full((8,), 3.0))
        others = torch.cat([cell["ih"].bias[:8], cell["ih"].bias[16:], cell["hh"].bias[:8], cell["hh"].bias[16:]])
    assert others.abs().max() <= 8 ** -0.5
    x = torch.rand(5, 100, 2)
    assert model(x).shape == (5,)


def test_adding_quick_run_writes_plot_and_result(tmp_path):
    result = adding_paper.main(["--quick", "--out", str(tmp_path)])
    assert set(result["test_mse"]) == {"rnn", "lstm", "gru"}
    assert all(0 < v < 1 for v in result["test_mse"].values())
    assert (tmp_path / "adding_learning_curves.png").stat().st_size > 0
    assert (tmp_path / "gradient_norm_over_time.png").stat().st_size > 0
    assert len(result["curves"]["lstm"]["test_mse"]) == 10
    assert (tmp_path / "result.json").exists()


# ---- 감성 분류 ----
def test_sentiment_tokenizer_vocab_and_encoding():
    from .sentiment_paper import PAD, UNK, build_vocab, encode, tokenize

    assert tokenize("Not <br />GOOD, isn't it?") == ["not", "good", "isn't", "it"]
    vocab = build_vocab([["b", "a", "b"], ["c", "a", "b"]], max_size=2)
    assert vocab == {"b": 2, "a": 3}                                   # 빈도순, 0과 1은 padding / unknown
    ids, lengths = encode([["a", "zzz"], []], vocab, max_len=3)
    assert ids.tolist() == [[3, UNK, PAD], [UNK, PAD, PAD]] and lengths.tolist() == [2, 1]


def test_sentiment_classifier_reads_the_last_real_token():
    """오른쪽 padding을 늘려도 분류 결과가 같다: 마지막 실제 token의 h를 쓰므로."""
    from .sentiment_paper import SentimentClassifier

    torch.manual_seed(5)
    model = SentimentClassifier(10, 4, 6).eval()
    ids = torch.tensor([[3, 4, 5, 0, 0], [6, 7, 0, 0, 0]])
    lengths = torch.tensor([3, 2])
    with torch.no_grad():
        short = model(ids[:, :3], lengths)
        long = model(torch.cat([ids, torch.zeros(2, 4, dtype=torch.long)], dim=1), lengths)
    torch.testing.assert_close(short, long)


def test_sentiment_quick_run_and_imdb_missing_is_one_sentence(tmp_path, capsys):
    from utils.core import DatasetUnavailable

    from . import sentiment_paper

    result = sentiment_paper.main(["--quick", "--out", str(tmp_path / "s")])
    assert 0.0 <= result["value"] <= 1.0 and 0.0 <= result["bag_of_words_test_accuracy"] <= 1.0
    assert (tmp_path / "s" / "sentiment_accuracy.png").stat().st_size > 0
    with pytest.raises(DatasetUnavailable, match="aclImdb"):
        sentiment_paper.main(["--quick", "--data", "imdb", "--root", str(tmp_path / "none"), "--out", str(tmp_path)])


def test_sentiment_runs_on_the_real_imdb_layout(tmp_path):
    """`--data imdb`가 진짜 aclImdb 폴더 구조(작은 가짜 파일)를 읽어 끝까지 돈다."""
    from . import sentiment_paper

    for split in ("train", "test"):
        for label, words in (("pos", "a wonderful film <br />truly great"), ("neg", "an awful film, truly bad")):
            folder = tmp_path / "aclImdb" / split / label
            folder.mkdir(parents=True)
            for k in range(3):
                (folder / f"{k}_7.txt").write_text(f"{words} {k}", encoding="utf-8")
    result = sentiment_paper.main(["--data", "imdb", "--root", str(tmp_path), "--epochs", "2",
                                   "--out", str(tmp_path / "out")])
    assert result["data"] == "imdb" and result["n_train"] == 6 and result["n_test"] == 6


@pytest.mark.slow
def test_sentiment_lstm_beats_bag_of_words(tmp_path):
    """내장 부정·역접 문장: LSTM ≥ 95%, 단어 유무만 보는 bag-of-words는 우연 근처(≤ 60%)."""
    from . import sentiment_paper

    result = sentiment_paper.main(["--out", str(tmp_path)])
    assert result["value"] >= 0.95, result["value"]
    assert result["bag_of_words_test_accuracy"] <= 0.6, result["bag_of_words_test_accuracy"]
