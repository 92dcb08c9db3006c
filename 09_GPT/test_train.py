"""09_GPT/train.py와 sample.py: 학습 루프 = 손으로 쓴 AdamW 루프, DDP = 큰 batch, 재개 = 멈추지 않은 run,
bfloat16 autocast, compile, sample 재현.

모두 아주 작은 모델 (2층, 폭 32, block 16; compile은 1층, 폭 8, block 8)과 dropout 0 (재개 테스트는 dropout 0.1도)으로
몇 step만 돈다.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from utils.cli import cli
from utils.datasets import load_dataset
from utils.training import make_optimizer

from . import sample as sample_cli
from . import train as trainer
from .data import global_batch, random_blocks
from .paper.gpt import GPT, GPTConfig
from .train import lm_cross_entropy

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--n-layer", "2", "--n-head", "2", "--n-embd", "32", "--block-size", "16", "--warmup", "1",
        "--eval-every", "0", "--sample-tokens", "0", "--device", "cpu", "--dropout", "0"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "tiny.txt"
    path.write_text(load_dataset("english")[:20_000], encoding="utf-8")
    return path


def train(out: Path, corpus: Path, *extra: str) -> dict:
    return trainer.main(["--out", str(out), "--data", str(corpus), *TINY, *extra])


def losses(out: Path) -> list[float]:
    return [json.loads(line)["loss"] for line in (out / "log.jsonl").read_text().splitlines()]


def weights(out: Path) -> dict[str, torch.Tensor]:
    return torch.load(out / "ckpt.pt", weights_only=True)["model"]


def max_weight_diff(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max((a[k] - b[k]).abs().max().item() for k in a)


# ---------------------------------------------------------------------------
# 0. 학습 루프 (train.py, paper/gpt_paper.py, claims.py가 함께 쓴다) = 손으로 쓴 AdamW 루프
# ---------------------------------------------------------------------------
def test_train_loop_equals_a_hand_written_adamw_loop():
    """lr은 step 앞에서 schedule(step), micro-batch 2개의 평균 gradient, 전체 norm clipping, AdamW step."""
    config = GPTConfig(block_size=8, vocab_size=20, n_layer=1, n_head=2, n_embd=16, embd_pdrop=0.0, attn_pdrop=0.0,
                       resid_pdrop=0.0)
    torch.manual_seed(0)
    model, ref = GPT(config), GPT(config)
    ref.load_state_dict(model.state_dict())
    data = torch.randint(0, 20, (300,), generator=torch.Generator().manual_seed(1))
    batches = [random_blocks(data, 8, 4, torch.Generator().manual_seed(10 + s)) for s in range(3)]   # (4, 8)
    lrs = [3e-2, 2e-2, 1e-2]
    evaluated = []
    rows = trainer.train_loop(model, make_optimizer(model, "adamw", lr=1.0, weight_decay=0.1),
                              lambda step: batches[step], steps=3, schedule=lambda step: lrs[step], grad_accum=2,
                              grad_clip=0.5, evaluate=lambda: evaluated.append(1) or 7.0, eval_every=2)

    optimizer = make_optimizer(ref, "adamw", lr=1.0, weight_decay=0.1)
    params = [p for group in optimizer.param_groups for p in group["params"]]
    expected = []
    for step, (x, y) in enumerate(batches):
        for group in optimizer.param_groups:
            group["lr"] = lrs[step]
        total = 0.0
        for k in range(2):                                                  # micro-batch (2, 8)마다 backward
            loss = lm_cross_entropy(ref(x[k * 2:(k + 1) * 2]), y[k * 2:(k + 1) * 2])
            (loss / 2).backward()
            total += loss.item() / 2
        torch.nn.utils.clip_grad_norm_(params, 0.5)
        optimizer.step()
        optimizer.zero_grad()
        expected.append(total)

    assert [r["step"] for r in rows] == [1, 2, 3] and [r["lr"] for r in rows] == lrs
    assert max(abs(r["loss"] - e) for r, e in zip(rows, expected)) <= 1e-6
    assert max_weight_diff(model.state_dict(), ref.state_dict()) <= 1e-6
    assert [r.get("val_loss") for r in rows] == [None, 7.0, 7.0] and len(evaluated) == 2   # step 2와 마지막 step


def test_train_loop_refuses_a_batch_it_cannot_split():
    model = GPT(GPTConfig(block_size=8, vocab_size=20, n_layer=1, n_head=1, n_embd=8))
    batch = random_blocks(torch.arange(20) % 20, 8, 3, torch.Generator().manual_seed(0))   # 3줄
    with pytest.raises(ValueError, match="grad_accum 2"):
        trainer.train_loop(model, make_optimizer(model, "adamw", lr=1e-3), lambda step: batch, steps=1,
                           schedule=lambda step: 1e-3, grad_accum=2)


# ---------------------------------------------------------------------------
# 1. DDP = 큰 batch (gradient accumulation도)
# ---------------------------------------------------------------------------
def test_grad_accumulation_equals_the_bigger_batch(tmp_path, corpus):
    train(tmp_path / "big", corpus, "--batch-size", "12", "--max-steps", "5")
    train(tmp_path / "accum", corpus, "--batch-size", "6", "--grad-accum", "2", "--max-steps", "5")
    big, accum = losses(tmp_path / "big"), losses(tmp_path / "accum")
    assert len(big) == len(accum) == 5
    assert max(abs(a - b) for a, b in zip(big, accum)) <= 1e-5
    assert max_weight_diff(weights(tmp_path / "big"), weights(tmp_path / "accum")) <= 1e-5
    assert big[-1] < big[0]                                             # 학습이 실제로 일어났다


@pytest.mark.slow
def test_torchrun_two_processes_equal_one_process_with_the_global_batch(tmp_path, corpus):
    """torchrun 2 process × batch 6 (gloo) = process 하나 × batch 12 = batch 6 × accumulation 2."""
    common = ["--data", str(corpus), *TINY, "--max-steps", "5", "--threads", "1"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                           "-m", "09_GPT.train", "--out", str(tmp_path / "ddp"), "--batch-size", "6", *common],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads((tmp_path / "ddp" / "result.json").read_text())
    assert result["world_size"] == 2 and result["global_batch"] == 12
    train(tmp_path / "big", corpus, "--batch-size", "12", "--max-steps", "5")
    train(tmp_path / "accum", corpus, "--batch-size", "6", "--grad-accum", "2", "--max-steps", "5")
    ddp = losses(tmp_path / "ddp")
    assert len(ddp) == 5
    for other in ("big", "accum"):
        assert max(abs(a - b) for a, b in zip(ddp, losses(tmp_path / other))) <= 1e-5
        assert max_weight_diff(weights(tmp_path / "ddp"), weights(tmp_path / other)) <= 1e-5


# ---------------------------------------------------------------------------
# 2. 재개 = 멈추지 않은 run
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("dropout", ["0", "0.1"])
def test_resume_equals_never_stopping(tmp_path, corpus, dropout):
    schedule = ["--batch-size", "4", "--lr-decay-steps", "20", "--warmup", "2", "--dropout", dropout,
                "--checkpoint-every", "3"]
    train(tmp_path / "straight", corpus, *schedule, "--max-steps", "20")
    train(tmp_path / "split", corpus, *schedule, "--max-steps", "10")
    train(tmp_path / "split", corpus, *schedule, "--max-steps", "20", "--resume")
    straight, split = losses(tmp_path / "straight"), losses(tmp_path / "split")
    assert [json.loads(line)["step"] for line in (tmp_path / "split" / "log.jsonl").read_text().splitlines()] \
        == list(range(1, 21))
    assert straight == split
    a, b = weights(tmp_path / "straight"), weights(tmp_path / "split")
    assert all(torch.equal(a[k], b[k]) for k in a)
    state = torch.load(tmp_path / "split" / "ckpt.pt", weights_only=True)
    assert state["step"] == 20 and state["sampler"]["next_step"] == 20


def test_resume_drops_log_rows_written_after_the_checkpoint(tmp_path, corpus):
    train(tmp_path / "run", corpus, "--batch-size", "4", "--max-steps", "4")
    log = tmp_path / "run" / "log.jsonl"
    log.write_text(log.read_text() + json.dumps({"step": 5, "loss": 0.0, "lr": 0.0}) + "\n")   # 죽기 전 줄
    train(tmp_path / "run", corpus, "--batch-size", "4", "--max-steps", "6", "--resume")
    assert [json.loads(line)["step"] for line in log.read_text().splitlines()] == [1, 2, 3, 4, 5, 6]
    assert 0.0 not in losses(tmp_path / "run")


def run_cli(argv, capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_info:
        cli(lambda: trainer.main(argv))
    return exit_info.value.code, capsys.readouterr().err


def test_resume_without_a_checkpoint_is_one_sentence_and_writes_nothing(tmp_path, corpus, capsys):
    out = tmp_path / "empty"
    code, err = run_cli(["--out", str(out), "--data", str(corpus), *TINY, "--max-steps", "2", "--resume"], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "ckpt.pt" in err
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_resume_from_a_corrupt_checkpoint_is_one_sentence_and_touches_nothing(tmp_path, corpus, capsys, damage):
    out = tmp_path / "run"
    train(out, corpus, "--batch-size", "4", "--max-steps", "2")
    ckpt = out / "ckpt.pt"
    data = ckpt.read_bytes()
    ckpt.write_bytes(b"not a checkpoint" * 10 if damage == "garbage" else data[:len(data) // 2])
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code, err = run_cli(["--out", str(out), "--data", str(corpus), *TINY, "--max-steps", "4", "--resume"], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "ckpt.pt" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


# ---------------------------------------------------------------------------
# 3. bfloat16 autocast (CPU)
# ---------------------------------------------------------------------------
BF16_TOLERANCE = 0.05        # 처음 10 step의 loss 차이 한계 (nats/token): bfloat16의 유효 숫자 ≈ 2⁻⁸ ≈ 0.4%


def test_bfloat16_autocast_trains_and_tracks_float32(tmp_path, corpus):
    common = ["--batch-size", "8", "--max-steps", "10", "--lr", "3e-3"]
    train(tmp_path / "f32", corpus, *common)
    train(tmp_path / "bf16", corpus, *common, "--dtype", "bfloat16")
    f32, bf16 = losses(tmp_path / "f32"), losses(tmp_path / "bf16")
    assert bf16[-1] < bf16[0] - 0.2                                     # bfloat16에서도 loss가 내려간다
    assert max(abs(a - b) for a, b in zip(f32, bf16)) <= BF16_TOLERANCE
    assert f32 != bf16                                                  # autocast가 실제로 걸렸다
    assert weights(tmp_path / "bf16")["lm_head.weight"].dtype == torch.float32   # parameter는 float32 그대로


# ---------------------------------------------------------------------------
# 4. torch.compile (slow)
# ---------------------------------------------------------------------------
COMPILE_TINY = ["--n-layer", "1", "--n-head", "1", "--n-embd", "8", "--block-size", "8", "--batch-size", "2",
                "--max-steps", "2"]       # 가장 작은 모델, 2 step: compile은 한 번 (같은 shape, train 모드)


@pytest.mark.slow
def test_compile_gives_the_eager_loss(tmp_path, corpus, monkeypatch):
    if shutil.which(os.environ.get("CXX", "g++")) is None and shutil.which("c++") is None:
        pytest.skip("C++ compiler(g++/c++)가 없어 torch.compile의 CPU backend(inductor)를 쓸 수 없다")
    import torch._inductor.config
    from torch._dynamo.utils import counters

    monkeypatch.setattr(torch._inductor.config, "compile_threads", 1)    # kernel compile용 worker process 없이

    train(tmp_path / "eager", corpus, *COMPILE_TINY)
    graphs = counters["stats"]["unique_graphs"]
    train(tmp_path / "compiled", corpus, *COMPILE_TINY, "--compile")
    assert counters["stats"]["unique_graphs"] > graphs                  # forward가 실제로 compile된 graph로 돌았다
    eager, compiled = losses(tmp_path / "eager"), losses(tmp_path / "compiled")
    assert len(compiled) == 2 and eager[1] != eager[0]                 # 두 번째 step은 갱신된 가중치로 계산했다
    assert max(abs(a - b) for a, b in zip(eager, compiled)) <= 1e-5
    assert max_weight_diff(weights(tmp_path / "eager"), weights(tmp_path / "compiled")) <= 1e-5
    assert json.loads((tmp_path / "compiled" / "result.json").read_text())["compile"] is True


# ---------------------------------------------------------------------------
# 5. sample.py = generate
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trained(tmp_path_factory, corpus) -> Path:
    out = tmp_path_factory.mktemp("trained")
    train(out, corpus, "--batch-size", "8", "--max-steps", "5")
    return out


def test_sample_reproduces_generate_with_the_same_seed(trained, capsys):
    state = torch.load(trained / "ckpt.pt", weights_only=True)
    model = GPT(GPTConfig(**state["config"]))
    model.load_state_dict(state["model"])
    chars = state["tokenizer"]["chars"]
    prompt = torch.tensor([[chars.index(c) for c in "The "]])
    expected = model.generate(prompt, 10, do_sample=True, temperature=0.9, top_k=5,
                              generator=torch.Generator().manual_seed(3))[0].tolist()
    result = sample_cli.main(["--ckpt", str(trained), "--prompt", "The ", "--max-new-tokens", "10",
                              "--temperature", "0.9", "--top-k", "5", "--seed", "3", "--device", "cpu"])
    assert result["ids"] == expected
    assert capsys.readouterr().out == "".join(chars[i] for i in expected) + "\n"
    other = sample_cli.main(["--ckpt", str(trained), "--prompt", "The ", "--max-new-tokens", "10",
                             "--temperature", "0.9", "--top-k", "5", "--seed", "4", "--device", "cpu"])
    assert other["ids"] != expected                                     # seed가 실제로 쓰인다


def test_sample_beyond_block_size_keeps_the_in_block_prefix(trained):
    args = ["--ckpt", str(trained), "--prompt", "The ", "--temperature", "0", "--device", "cpu"]
    short = sample_cli.main([*args, "--max-new-tokens", "12"])["ids"]       # 4 + 12 = block 16
    long = sample_cli.main([*args, "--max-new-tokens", "30"])["ids"]        # block을 넘어 문맥을 자르며 잇는다
    assert len(long) == 34 and long[:16] == short


def test_sample_refuses_a_prompt_outside_the_vocabulary(trained, capsys):
    with pytest.raises(SystemExit) as exit_info:
        sample_cli.main(["--ckpt", str(trained), "--prompt", "한글", "--device", "cpu"])
    assert exit_info.value.code == 2 and "tokenizer" in capsys.readouterr().err


# ---------------------------------------------------------------------------
# --init-from: save_pretrained 폴더 (오프라인으로 만든 작은 GPT-2)
# ---------------------------------------------------------------------------
@pytest.mark.slow
def test_init_from_a_saved_gpt2_folder_starts_from_its_weights(tmp_path, corpus):
    from transformers import GPT2Config, GPT2LMHeadModel

    from .bpe import BPE

    text = corpus.read_text(encoding="utf-8")
    bpe = BPE.train(text[:5000], 20)
    folder = tmp_path / "gpt2-tiny"
    torch.manual_seed(0)
    hf = GPT2LMHeadModel(GPT2Config(vocab_size=len(bpe), n_positions=32, n_embd=32, n_layer=2, n_head=2))
    hf.save_pretrained(folder)
    bpe.save(folder)                                                    # GPT-2 형식의 vocab.json, merges.txt
    out = tmp_path / "run"
    trainer.main(["--out", str(out), "--data", str(corpus), "--init-from", str(folder), "--block-size", "16",
                  "--batch-size", "4", "--max-steps", "1", "--warmup", "0", "--eval-every", "0",
                  "--sample-tokens", "0", "--device", "cpu", "--dropout", "0"])
    reference = GPT.from_pretrained(str(folder), local_files_only=True).eval()
    train_text = text[:len(text) - round(len(text) * 0.1)]
    data = torch.tensor(bpe.encode(train_text), dtype=torch.long)
    x, y = global_batch(data, 0, 0, 16, 4)
    expected = lm_cross_entropy(reference(x), y).item()
    assert abs(losses(out)[0] - expected) <= 1e-5
    state = torch.load(out / "ckpt.pt", weights_only=True)
    assert state["tokenizer"]["kind"] == "gpt2" and state["config"]["block_size"] == 16


@pytest.mark.slow
def test_init_from_gpt2_offline_without_weights_is_one_sentence(tmp_path, corpus):
    env = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "HF_HUB_CACHE": str(tmp_path / "hf" / "hub"),
           "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "09_GPT.train", "--out", str(tmp_path / "run"), "--data",
                           str(corpus), "--init-from", "gpt2", "--max-steps", "1", "--warmup", "0",
                           "--device", "cpu"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "gpt2" in done.stderr
    assert not (tmp_path / "run").exists()


# ---------------------------------------------------------------------------
# README·theory의 "GPU에서, 여러 GPU에서": 적힌 flag와 명령이 학습기·sampler에 있다
# ---------------------------------------------------------------------------
TORCHRUN_FLAGS = {"--standalone", "--nproc_per_node", "--nnodes", "--node_rank", "--rdzv_backend", "--rdzv_endpoint"}
GPU_SECTIONS = [(ROOT / "09_GPT" / "README.md", "## GPU에서, 여러 GPU에서"),
                (ROOT / "09_GPT" / "theory.md", "## 10. GPU에서, 여러 GPU에서")]


def section(path: Path, title: str) -> str:
    text = path.read_text(encoding="utf-8")
    start = text.index(title)
    end = text.find("\n## ", start + len(title))
    return text[start:] if end == -1 else text[start:end]


def code_commands(text: str) -> list[list[str]]:
    """4칸 들여쓴 명령 줄 (\\로 이은 줄은 하나로, # 뒤의 주석은 빼고) → 단어 list."""
    commands, pending = [], ""
    for line in text.splitlines():
        if not line.startswith("    "):
            pending = ""
            continue
        line = line.strip()
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        words = shlex.split((pending + line).split(" #")[0])
        pending = ""
        if words:
            commands.append(words)
    return commands


def test_gpu_sections_name_only_flags_the_trainer_and_sampler_have():
    flags = {option for parser in (trainer.build_parser(), sample_cli.build_parser())
             for action in parser._actions for option in action.option_strings}
    for path, title in GPU_SECTIONS:
        named = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9_-]*", section(path, title)))
        assert named, path
        assert named - flags - TORCHRUN_FLAGS == set(), f"{path.name}: 학습기에 없는 flag"


def test_readme_gpu_commands_are_accepted(tmp_path, monkeypatch):
    """README 절의 학습·sample 명령을 학습기의 인자 검사에 그대로 넣는다 (torchrun 줄의 ...는 바로 앞 명령의 인자)."""
    monkeypatch.chdir(tmp_path)
    commands = code_commands(section(*GPU_SECTIONS[0]))
    previous, checked = None, 0
    for words in commands:
        module = next((w for w in words if w in ("09_GPT.train", "09_GPT.sample")), None)
        if module is None:
            continue
        argv = words[words.index(module) + 1:]
        if "..." in argv:
            argv = previous + argv[argv.index("...") + 1:]
        elif module == "09_GPT.train":
            previous = argv
        for flag, value in zip(argv, argv[1:]):
            if flag == "--data" and value not in trainer.DATA_CHOICES:
                (tmp_path / value).write_text("text", encoding="utf-8")   # 이름만 있는 학습 text
        if module == "09_GPT.train":
            args = trainer.parse_args(argv)
            assert args.warmup < (args.lr_decay_steps or args.max_steps)
        else:
            sample_cli.build_parser().parse_args(argv)
        checked += 1
    assert checked >= 8
