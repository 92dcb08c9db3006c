"""decoding_measurements: 손으로 센 distinct-n과 entropy, 측정이 뽑을 때의 logits 위치와 맞는지, 그리고
`--pretrained`가 `save_pretrained` 폴더를 읽고 (offline), 가중치가 없으면 CLI가 한 문장 + exit code 2로 끝나는지."""
from __future__ import annotations

import math
import sys

import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

from utils.cli import cli
from utils.datasets import load_dataset
from utils.gradcheck import F32_ATOL

from ..bpe import BPE
from . import decoding_measurements as D
from .gpt import GPT, GPTConfig


def test_distinct_n_by_hand():
    seqs = [[1, 2, 1, 2], [3, 3]]
    assert D.distinct_n(seqs, 1) == 3 / 6                          # {1, 2, 3} / 6 token
    assert D.distinct_n(seqs, 2) == 3 / 4                          # (1,2) (2,1) (1,2) (3,3) → 서로 다른 것 3개
    assert D.distinct_n([[5]], 2) == 0.0


def test_entropy_of_a_cut_uniform_distribution_is_log_of_what_is_kept():
    logits = torch.tensor([[0.0, 0.0, 0.0, float("-inf")], [0.0, float("-inf"), float("-inf"), float("-inf")]])
    torch.testing.assert_close(D.entropy(logits), torch.tensor([math.log(3), 0.0]))


def test_measure_reads_the_logits_each_token_was_drawn_from():
    """greedy 행의 모델 NLL = step마다 −log max p. 그 값을 generate와 따로, 한 step씩 last_only로 다시 계산해 맞춘다
    (측정이 logits를 한 칸 밀려 읽으면 뽑힌 token이 그 위치의 argmax가 아니게 되어 다르다)."""
    torch.manual_seed(0)
    model = GPT(GPTConfig(block_size=24, vocab_size=50, n_layer=2, n_head=2, n_embd=16)).eval()
    prompts = torch.randint(0, 50, (3, 5), generator=torch.Generator().manual_seed(1))
    rows = D.measure(model, prompts, 7, seed=0, settings=D.SETTINGS[:1] + D.SETTINGS[6:7])
    greedy, top_k = rows
    out = model.generate(prompts, 7)
    with torch.no_grad():
        steps = [model(out[:, :t], last_only=True)[:, -1].log_softmax(-1).max(-1).values for t in range(5, 12)]
    assert abs(greedy["nll"] + torch.stack(steps).mean().item()) <= F32_ATOL
    assert greedy["entropy"] == 0.0 and greedy["kept"] == 1.0
    assert top_k["kept"] == 10.0 and 0.0 < top_k["entropy"] <= math.log(10) + F32_ATOL


@pytest.fixture(scope="module")
def saved_folder(tmp_path_factory):
    """HF `save_pretrained`의 출력처럼 만든 폴더: 작은 무작위 GPT2LMHeadModel + 이 장의 BPE로 만든 GPT-2 tokenizer."""
    folder = tmp_path_factory.mktemp("tiny_gpt2")
    bpe = BPE.train(load_dataset("english")[:20_000], 60)
    tokenizer = GPT2TokenizerFast(vocab=dict(bpe.vocab), merges=list(bpe.merges))
    assert tokenizer.encode("hello world") == bpe.encode("hello world")        # 같은 vocab·merges → 같은 id
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    ref = GPT2LMHeadModel(GPT2Config(n_layer=1, n_head=2, n_embd=16, n_positions=32, vocab_size=len(tokenizer),
                                     bos_token_id=None, eos_token_id=None)).eval()
    ref.save_pretrained(folder)
    return folder, ref


def test_pretrained_folder_runs_offline_and_equals_the_hf_model(saved_folder, tmp_path):
    folder, ref = saved_folder
    model = GPT.from_pretrained(str(folder), local_files_only=True)
    x = torch.randint(0, ref.config.vocab_size, (2, 9))
    with torch.no_grad():
        assert (model(x) - ref(x).logits).abs().max().item() <= F32_ATOL
    result = D.main(["--pretrained", str(folder), "--offline", "--prompts", "3", "--new-tokens", "6",
                     "--threads", "1", "--out", str(tmp_path)])
    assert result["pretrained"] == str(folder) and result["new_tokens"] == 6
    assert [row["setting"] for row in result["rows"]] == [name for name, *_ in D.SETTINGS]
    assert (tmp_path / "decoding" / "result.json").exists()


def test_missing_weights_end_the_cli_in_one_sentence_with_exit_code_2(tmp_path, monkeypatch, capsys):
    """가중치가 cache에 없고 내려받지 않을 때 (--offline, 빈 cache 폴더): traceback 없이 한 문장, exit code 2."""
    monkeypatch.setattr(sys, "argv", ["decoding_measurements", "--pretrained", "gpt2", "--offline",
                                      "--cache-dir", str(tmp_path), "--out", str(tmp_path / "out")])
    with pytest.raises(SystemExit) as exit_info:
        cli(D.main)
    err = capsys.readouterr().err.strip()
    assert exit_info.value.code == 2
    assert len(err.splitlines()) == 1 and "'gpt2'" in err and "HF cache" in err


def test_folder_without_tokenizer_ends_the_cli_in_one_sentence(saved_folder, tmp_path, monkeypatch, capsys):
    """가중치만 있고 tokenizer 파일이 없는 폴더: AutoTokenizer는 오류 없이 빈 tokenizer를 만들므로 load_pretrained
    (`utils.hub.hf_tokenizer`)가 그것을 한 문장 (exit code 2)으로 바꿔야 한다 (아니면 prompt가 빈 열이 되어
    엉뚱한 곳에서 멈춘다)."""
    _, ref = saved_folder
    folder = tmp_path / "weights_only"
    ref.save_pretrained(folder)
    capsys.readouterr()                                            # 저장의 진행 표시는 버린다
    monkeypatch.setattr(sys, "argv", ["decoding_measurements", "--pretrained", str(folder), "--offline",
                                      "--out", str(tmp_path / "out")])
    with pytest.raises(SystemExit) as exit_info:
        cli(D.main)
    err = capsys.readouterr().err.strip()
    assert exit_info.value.code == 2
    last = err.splitlines()[-1]                                    # 앞 줄들: 가중치를 읽는 transformers의 진행 표시
    assert "Traceback" not in err and "tokenizer" in last and str(folder) in last


def test_descending_float32_cumsum_cuts_the_tail_at_top_p_one_but_warp_logits_does_not():
    """theory.md 7절의 표: 뾰족한 분포 (scale 4)에서 큰 것부터 더한 누적합은 top_p = 1.0에서도 token을 버린다."""
    rows = D.float32_tail_cut(scales=(1.0, 4.0), rows=2)
    assert [row["ascending"] for row in rows] == [0, 0]
    assert rows[1]["descending"] > rows[0]["descending"] and rows[1]["descending"] > 1000


def test_spaced_prompts_refuse_a_text_that_is_too_short():
    assert D.spaced_prompts(list(range(40)), 4, 5).tolist()[1] == [10, 11, 12, 13, 14]
    with pytest.raises(ValueError, match="모자랍니다"):
        D.spaced_prompts(list(range(10)), 4, 5)
