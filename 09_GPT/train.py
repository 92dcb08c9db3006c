"""GPT 학습기: checkpoint와 재개, mixed precision, `torch.compile`, `torchrun` 아래의 DDP (nanoGPT `train.py`의 기능).

모델은 `paper/gpt.py`의 GPT-2, 데이터는 `paper/gpt_paper.py`와 같은 corpus (`korean`, `english`, UTF-8 파일)를
앞 90% train / 뒤 10% validation으로 나눈 것 (`data.split_text`). tokenizer는 문자 단위(`char`),
이 장의 byte-level BPE(`bpe`, train text에 `--merges`번 학습), 또는 `--init-from gpt2…`일 때 GPT-2의 BPE.

    python -m 09_GPT.train --out runs/ko --data korean --max-steps 2000 --lr-decay-steps 4000
    python -m 09_GPT.train --out runs/ko --data korean --resume --max-steps 4000   # 멈춘 곳에서 같은 schedule로
    torchrun --standalone --nproc_per_node=4 -m 09_GPT.train --out runs/ko ...   # GPU 4개 (NCCL), CPU면 gloo
    python -m 09_GPT.sample --ckpt runs/ko --prompt "트랜스포머는"

한 optimizer step (step s, 0부터; `train_loop` — `paper/gpt_paper.py`와 `claims.py`도 이 루프로 학습한다):
1. global batch (이 학습기가 `train_loop`에 주는 `get_batch`, `data.global_batch`): (seed, s)만으로 정한 난수로
   길이 block_size인 구간 G = batch × grad_accum × world_size개를 뽑는다. rank r은 그중
   [r·batch·grad_accum, (r+1)·batch·grad_accum) 줄을 맡는다. 그래서 global batch는 process 수와 상관없이 같고,
   재개한 run도 같은 batch를 본다 (sampler의 위치 = step 수).
2. micro-batch grad_accum개: forward (`--dtype`이 bfloat16·float16이면 `torch.autocast` 안), loss / grad_accum을
   backward. DDP면 마지막 micro-batch에서만 gradient를 all-reduce한다 (앞의 것은 `no_sync`).
   DDP의 all-reduce는 rank들의 gradient 평균이므로, 모든 줄의 token 평균 loss의 gradient와 같다
   (batch를 키운 것과 같다).
3. gradient clipping (전체 norm), AdamW step (float16이면 `GradScaler`), lr은 warm-up → cosine (`warmup_cosine_lr`).
4. rank 0만 `--out/log.jsonl`에 한 줄 (step = 끝낸 step 수, loss = global batch 평균, lr, tokens_per_second,
   평가 step이면 val_loss), `--checkpoint-every`마다와 끝에 `--out/ckpt.pt`를 원자적으로 쓴다.

dropout mask의 난수도 (seed, s, rank)로 매 step 새로 정하므로, 재개한 run은 멈추지 않은 run과 같은 mask를 쓴다.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import math
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from utils import distributed
from utils.cli import cli, report
from utils.core import DatasetUnavailable, atomic_write_text
from utils.datasets import char_vocab
from utils.schedules import warmup_cosine_lr
from utils.training import (
    DTYPES,
    autocast,
    grad_scaler,
    load_checkpoint,
    make_optimizer,
    rng_states,
    save_checkpoint,
    set_rng_states,
)

from .bpe import BPE
from .data import DATA_CHOICES, derived_seed, global_batch, load_text, random_blocks, split_text
from .paper.gpt import GPT, PRETRAINED_SIZES, GPTConfig

CHECKPOINT = "ckpt.pt"
LOG = "log.jsonl"


# ---------------------------------------------------------------------------
# tokenizer: checkpoint에 list·dict·문자열로만 담는다 (weights_only=True로 다시 읽힌다)
# ---------------------------------------------------------------------------
class CharTokenizer:
    """문자 하나 = token 하나 (`utils.datasets.char_vocab`의 정렬된 문자 목록)."""

    def __init__(self, chars):
        self.itos = list(chars)
        self.stoi = {c: i for i, c in enumerate(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text: str) -> list[int]:
        unknown = sorted(set(text) - self.stoi.keys())
        if unknown:
            raise ValueError(f"vocabulary에 없는 문자 {''.join(unknown[:10])!r}: 학습 text에 있던 문자만 씁니다")
        return [self.stoi[c] for c in text]

    def decode(self, ids) -> str:
        return "".join(self.itos[int(i)] for i in ids)


def gpt2_tokenizer(vocab: dict[str, int], merges) -> BPE:
    """GPT-2의 `vocab.json`과 `merges.txt`: merge 규칙은 이 장의 BPE, id는 GPT-2의 표 (byte 순서가 아니다)."""
    tokenizer = BPE([tuple(m) for m in merges])
    tokenizer.vocab = dict(vocab)
    tokenizer.inverse = {i: s for s, i in vocab.items()}
    return tokenizer


def tokenizer_state(kind: str, tokenizer) -> dict:
    if kind == "char":
        return {"kind": "char", "chars": tokenizer.itos}
    state = {"kind": kind, "merges": [list(m) for m in tokenizer.merges]}
    if kind == "gpt2":
        state["vocab"] = tokenizer.vocab
    return state


def tokenizer_from_state(state: dict):
    if state["kind"] == "char":
        return CharTokenizer(state["chars"])
    if state["kind"] == "bpe":
        return BPE([tuple(m) for m in state["merges"]])
    if state["kind"] == "gpt2":
        return gpt2_tokenizer(state["vocab"], state["merges"])
    raise ValueError(f"알 수 없는 tokenizer 종류 {state['kind']!r} (char, bpe, gpt2)")


def load_gpt2_tokenizer(name: str) -> BPE:
    """`--init-from`의 이름(HF cache) 또는 폴더에서 `vocab.json`과 `merges.txt`를 읽는다. 없으면 한 문장."""
    if Path(name).is_dir():
        files = [Path(name) / "vocab.json", Path(name) / "merges.txt"]
    else:
        from huggingface_hub import try_to_load_from_cache

        files = [try_to_load_from_cache(name, f) for f in ("vocab.json", "merges.txt")]
        files = [Path(f) if isinstance(f, str) else Path(f"<HF cache의 {name}>") for f in files]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise DatasetUnavailable(f"GPT-2 tokenizer 파일 {', '.join(missing)}이 없습니다: 인터넷에 연결된 곳에서 "
                                 f"{name}의 vocab.json과 merges.txt를 받아 두세요")
    vocab = json.loads(files[0].read_text(encoding="utf-8"))
    lines = files[1].read_text(encoding="utf-8").splitlines()
    merges = [tuple(line.split(" ")) for line in lines if line and not line.startswith("#version")]
    return gpt2_tokenizer(vocab, merges)


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------
def data_argument(text: str) -> str:
    if text in DATA_CHOICES or Path(text).is_file():
        return text
    raise argparse.ArgumentTypeError(f"알 수 없는 데이터 {text!r}: {', '.join(DATA_CHOICES)} 또는 존재하는 UTF-8 "
                                     "텍스트 파일 경로를 주세요")


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"1 이상의 정수가 필요합니다: {text}")
    return value


def non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"0 이상의 정수가 필요합니다: {text}")
    return value


def init_argument(text: str) -> str:
    if text == "scratch" or text in PRETRAINED_SIZES or Path(text).is_dir():
        return text
    raise argparse.ArgumentTypeError(f"--init-from은 scratch, {', '.join(PRETRAINED_SIZES)} 또는 HF "
                                     f"save_pretrained 폴더여야 합니다: {text!r}")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="GPT 학습 (checkpoint, 재개, mixed precision, torch.compile, DDP)")
    p.add_argument("--out", required=True, help="log.jsonl, ckpt.pt, sample.txt, result.json을 쓸 폴더")
    p.add_argument("--data", default="korean", type=data_argument,
                   help="korean (이 저장소의 한국어 문서), english (pydoc_data.topics) 또는 UTF-8 파일 경로")
    p.add_argument("--tokenizer", default="char", choices=["char", "bpe"],
                   help="char: 문자 단위, bpe: train text에 --merges번 학습한 byte-level BPE (--init-from gpt2…면 "
                        "GPT-2의 BPE)")
    p.add_argument("--merges", type=non_negative, default=500, help="--tokenizer bpe의 merge 수")
    p.add_argument("--n-layer", type=positive, default=4)
    p.add_argument("--n-head", type=positive, default=4)
    p.add_argument("--n-embd", type=positive, default=128)
    p.add_argument("--block-size", type=positive, default=64)
    p.add_argument("--batch-size", type=positive, default=12, help="process 하나의 micro-batch 크기")
    p.add_argument("--grad-accum", type=positive, default=1, help="한 optimizer step에 모을 micro-batch 수")
    p.add_argument("--max-steps", type=positive, default=2000, help="모두 합친 optimizer step 수 (재개해도 같은 뜻)")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--min-lr", type=float, default=1e-4, help="cosine이 끝나는 lr")
    p.add_argument("--warmup", type=non_negative, default=100, help="linear warm-up step 수")
    p.add_argument("--lr-decay-steps", type=positive, default=None,
                   help="cosine이 끝나는 step (기본 --max-steps). 멈췄다 이어 갈 run은 양쪽에 같은 값을 준다")
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--beta2", type=float, default=0.99)
    p.add_argument("--grad-clip", type=float, default=1.0, help="gradient 전체 norm의 한계 (0이면 끈다)")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--seed", type=non_negative, default=0)
    p.add_argument("--dtype", default="float32", choices=DTYPES,
                   help="forward의 autocast 정밀도 (float16은 GradScaler와 함께)")
    p.add_argument("--compile", action="store_true", help="모델을 torch.compile로 감싼다")
    p.add_argument("--eval-every", type=non_negative, default=250,
                   help="이 간격마다 (그리고 끝에) val_loss (0이면 끈다)")
    p.add_argument("--eval-iters", type=positive, default=20, help="val_loss에 평균할 batch 수")
    p.add_argument("--checkpoint-every", type=non_negative, default=500,
                   help="이 간격마다 ckpt.pt를 쓴다 (끝에는 항상 쓴다; 0이면 끝에만)")
    p.add_argument("--resume", action="store_true", help="--out/ckpt.pt에서 이어서 학습한다")
    p.add_argument("--init-from", default="scratch", type=init_argument,
                   help="scratch, gpt2, gpt2-medium, gpt2-large, gpt2-xl (HF cache) 또는 save_pretrained 폴더")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])
    p.add_argument("--threads", type=positive, default=None, help="process마다 torch의 CPU thread 수")
    p.add_argument("--sample-tokens", type=non_negative, default=100, help="끝에 sample.txt로 뽑을 token 수")
    return p


# ---------------------------------------------------------------------------
# 모델 만들기: 처음부터, GPT-2 가중치에서, checkpoint에서
# ---------------------------------------------------------------------------
def set_dropout(model: GPT, p: float) -> None:
    for name in ("embd_pdrop", "attn_pdrop", "resid_pdrop"):
        setattr(model.config, name, p)
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = p
        if hasattr(module, "attn_pdrop"):                       # attention 확률의 dropout (SDPA의 dropout_p)
            module.attn_pdrop = p


def crop_block_size(model: GPT, block_size: int) -> None:
    """position table을 앞 block_size행만 남긴다 (GPT-2의 1024보다 짧은 문맥으로 fine-tuning할 때)."""
    if block_size > model.config.block_size:
        raise ValueError(f"--block-size {block_size}는 불러온 모델의 block_size "
                         f"{model.config.block_size} 이하여야 합니다")
    wpe = model.transformer.wpe
    wpe.weight = torch.nn.Parameter(wpe.weight.detach()[:block_size].clone())   # (block_size, C)
    wpe.num_embeddings = block_size
    model.config.block_size = block_size


def prepare(args, ctx, resume_state):
    """(tokenizer 종류, tokenizer, model, train token, val token)."""
    text = load_text(args.data)
    train_text, val_text = split_text(text, 0.1)
    if resume_state is not None:
        kind = resume_state["tokenizer"]["kind"]
        tokenizer = tokenizer_from_state(resume_state["tokenizer"])
        model = GPT(GPTConfig(**resume_state["config"]))
        model.load_state_dict(resume_state["model"])
    elif args.init_from != "scratch":
        kind, tokenizer = "gpt2", load_gpt2_tokenizer(args.init_from)
        model = GPT.from_pretrained(args.init_from, local_files_only=True)
        if len(tokenizer) > model.config.vocab_size:
            raise ValueError(f"tokenizer의 vocabulary {len(tokenizer)}가 모델의 vocab_size "
                             f"{model.config.vocab_size}보다 큽니다")
        crop_block_size(model, args.block_size)
        set_dropout(model, args.dropout)
    else:
        kind = args.tokenizer
        tokenizer = CharTokenizer(char_vocab(text)[0]) if kind == "char" else BPE.train(train_text, args.merges)
        torch.manual_seed(args.seed)
        config = GPTConfig(block_size=args.block_size, vocab_size=len(tokenizer), n_layer=args.n_layer,
                           n_head=args.n_head, n_embd=args.n_embd, embd_pdrop=args.dropout,
                           attn_pdrop=args.dropout, resid_pdrop=args.dropout)
        model = GPT(config)
    try:
        train = torch.tensor(tokenizer.encode(train_text), dtype=torch.long)
        val = torch.tensor(tokenizer.encode(val_text), dtype=torch.long)
    except ValueError as error:
        raise DatasetUnavailable(f"{args.data}를 checkpoint의 tokenizer로 자르지 못했습니다 ({error}): 학습한 것과 "
                                 "같은 --data를 주세요") from None
    for name, part in (("train", train), ("validation", val)):
        if len(part) < model.config.block_size + 1:
            raise DatasetUnavailable(f"{name} token {len(part)}개가 block_size + 1 = {model.config.block_size + 1}보다 "
                                     "적습니다: 더 긴 text를 주거나 --block-size를 줄이세요")
    return kind, tokenizer, model.to(ctx.device), train, val.to(ctx.device)


# ---------------------------------------------------------------------------
# 학습 루프: 이 학습기와 `paper/gpt_paper.py`, `claims.py`가 함께 쓰는 하나뿐인 루프
# ---------------------------------------------------------------------------
def lm_cross_entropy(logits, targets):
    """언어 모델의 loss: (B, T, V) logits와 (B, T) 다음 token의 token 평균 cross-entropy."""
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))   # (B·T, V) vs (B·T,)


@torch.no_grad()
def estimate_loss(model, data, block_size, batch_size, eval_iters, seed) -> float:
    """nanoGPT `estimate_loss`: (seed로 정한) 무작위 block batch eval_iters개의 평균 loss. 모델은 eval 모드가 된다."""
    model.eval()
    g = torch.Generator().manual_seed(seed)
    losses = [lm_cross_entropy(model(x), y).item()
              for x, y in (random_blocks(data, block_size, batch_size, g) for _ in range(eval_iters))]
    return sum(losses) / len(losses)


def train_loop(model, optimizer, get_batch, *, steps: int, schedule, start: int = 0, grad_accum: int = 1,
               grad_clip: float = 1.0, dtype: str = "float32", scaler=None, compile: bool = False, ctx=None,
               seed: int = 0, evaluate=None, eval_every: int = 0, on_step=None, progress: bool = False,
               desc: str = "train") -> list[dict]:
    """optimizer step start..steps−1을 밟고, step마다 row {step, loss, lr, tokens_per_second[, val_loss]}를 돌려준다.

    get_batch(step) → (x, y): 그 step의 global batch, 둘 다 (G, T). 모든 rank가 같은 것을 받고, rank r은
    줄 [r·G/W, (r+1)·G/W)을 맡아 grad_accum개의 micro-batch (각 G/(W·grad_accum)줄)로 나눈다 (W = world_size).
    한 step: lr = schedule(step) → dropout 난수를 (seed, step, rank)로 정함 → micro-batch마다 forward
    (`autocast(dtype)` 안)와 (loss / grad_accum).backward() (DDP면 마지막 micro-batch에서만 all-reduce) →
    grad_clip > 0이면 전체 norm clipping → optimizer step (scaler가 float16이면 GradScaler) → loss의 rank 평균.
    compile이면 `torch.compile(model)`, ctx가 여러 process면 DDP로 감싸 forward한다. model 자체
    (state_dict, checkpoint)는 감싸지 않은 그대로다.
    evaluate() → float는 rank 0에서 eval_every마다와 마지막 step에 부른다 (row의 val_loss).
    on_step(row)는 모든 rank에서 step마다 부른다 (log, checkpoint).
    """
    from tqdm.auto import tqdm

    ctx = ctx if ctx is not None else distributed.Context(device=next(model.parameters()).device)
    scaler = scaler if scaler is not None else grad_scaler(ctx.device, dtype)
    step_model = torch.compile(model) if compile else model
    if ctx.distributed:
        from torch.nn.parallel import DistributedDataParallel as DDP

        step_model = DDP(step_model, device_ids=[ctx.device.index] if ctx.device.type == "cuda" else None)
    params = [p for group in optimizer.param_groups for p in group["params"]]
    K, W = grad_accum, ctx.world_size
    rows: list[dict] = []
    for step in tqdm(range(start, steps), desc=desc, leave=False, disable=None if progress and ctx.is_main else True):
        lr = schedule(step)
        for group in optimizer.param_groups:
            group["lr"] = lr
        t0 = time.perf_counter()
        x_all, y_all = get_batch(step)                                      # (G, T) 둘 다, 모든 rank가 같다
        G, T = x_all.shape
        if G % (W * K):
            raise ValueError(f"global batch {G}줄은 world_size {W} × grad_accum {K}로 나누어떨어져야 합니다")
        B = G // (W * K)                                                    # micro-batch 줄 수
        mine = slice(ctx.rank * B * K, (ctx.rank + 1) * B * K)              # 이 rank가 맡는 줄
        x_mine, y_mine = x_all[mine].to(ctx.device), y_all[mine].to(ctx.device)   # (B·K, T)
        torch.manual_seed(derived_seed(seed, step, ctx.rank))              # dropout mask의 난수
        step_model.train()
        step_loss = 0.0
        for k in range(K):
            xb, yb = x_mine[k * B:(k + 1) * B], y_mine[k * B:(k + 1) * B]  # (B, T)
            sync = k == K - 1 or not ctx.distributed
            with (contextlib.nullcontext() if sync else step_model.no_sync()):
                with autocast(ctx.device, dtype):
                    loss = lm_cross_entropy(step_model(xb), yb)
                scaler.scale(loss / K).backward()
            step_loss += loss.item() / K
        if grad_clip > 0:
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(params, grad_clip)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
        loss_mean = distributed.all_reduce_mean(step_loss, ctx)           # global batch 평균
        if not math.isfinite(loss_mean):
            raise FloatingPointError(f"step {step + 1}: loss가 {loss_mean}가 되었습니다 — lr을 줄여 보세요")
        done = step + 1
        row = {"step": done, "loss": loss_mean, "lr": lr, "tokens_per_second": G * T / (time.perf_counter() - t0)}
        if evaluate is not None and eval_every and (done % eval_every == 0 or done == steps) and ctx.is_main:
            row["val_loss"] = evaluate()
        rows.append(row)
        if on_step is not None:
            on_step(row)
    return rows


# ---------------------------------------------------------------------------
# 학습기: 준비, log와 checkpoint, 끝의 sample
# ---------------------------------------------------------------------------
def read_log(path: Path, upto: int) -> list[str]:
    """재개할 때: checkpoint의 step까지의 줄만 남긴다 (checkpoint 뒤에 죽었다면 그 뒤의 줄은 다시 쓴다)."""
    if not path.is_file():
        return []
    return [line for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and json.loads(line)["step"] <= upto]


def run(args, ctx) -> dict:
    out = Path(args.out)
    resume_state = load_checkpoint(out / CHECKPOINT) if args.resume else None   # 없거나 깨졌으면 여기서 끝난다
    kind, tokenizer, model, train, val = prepare(args, ctx, resume_state)
    config = model.config
    start = int(resume_state["step"]) if resume_state is not None else 0
    decay_steps = args.lr_decay_steps or args.max_steps
    schedule = warmup_cosine_lr(args.lr, args.warmup, decay_steps, final=min(args.min_lr, args.lr))
    optimizer = make_optimizer(model, "adamw", lr=args.lr, weight_decay=args.weight_decay, betas=(0.9, args.beta2))
    scaler = grad_scaler(ctx.device, args.dtype)
    if resume_state is not None:
        optimizer.load_state_dict(resume_state["optimizer"])
        if resume_state.get("scaler"):
            scaler.load_state_dict(resume_state["scaler"])
        set_rng_states(resume_state["rng"])

    B, K, T = args.batch_size, args.grad_accum, config.block_size
    G = B * K * ctx.world_size                                   # global batch (줄 수)

    def checkpoint(step: int) -> None:
        if not ctx.is_main:
            return
        save_checkpoint(out / CHECKPOINT, {
            "model": model.state_dict(), "config": dataclasses.asdict(config),
            "optimizer": optimizer.state_dict(), "scaler": scaler.state_dict() if scaler.is_enabled() else {},
            "step": step, "tokenizer": tokenizer_state(kind, tokenizer),
            "sampler": {"seed": args.seed, "next_step": step, "global_batch": G, "block_size": T},
            "rng": rng_states(), "args": {k: v for k, v in vars(args).items()}, "world_size": ctx.world_size})

    def evaluate() -> float:
        with autocast(ctx.device, args.dtype):
            return estimate_loss(model, val, T, B, args.eval_iters, args.seed + 1)

    log_path = out / LOG

    def log_and_checkpoint(row: dict) -> None:
        if ctx.is_main:
            with open(log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(row) + "\n")
        done = row["step"]
        if args.checkpoint_every and done % args.checkpoint_every == 0 and done != args.max_steps:
            checkpoint(done)

    if ctx.is_main:
        kept = read_log(log_path, start) if resume_state is not None else []
        atomic_write_text(log_path, "".join(line + "\n" for line in kept))
    total_timer, cpu_start = time.perf_counter(), time.process_time()
    rows = train_loop(model, optimizer, lambda step: global_batch(train, step, args.seed, T, G),
                      steps=args.max_steps, schedule=schedule, start=start, grad_accum=K, grad_clip=args.grad_clip,
                      dtype=args.dtype, scaler=scaler, compile=args.compile, ctx=ctx, seed=args.seed,
                      evaluate=evaluate, eval_every=args.eval_every, on_step=log_and_checkpoint)
    end = max(start, args.max_steps)
    if rows:                                                     # 이미 끝난 run을 재개하면 아무것도 쓰지 않는다
        checkpoint(end)
    seconds, cpu_seconds = time.perf_counter() - total_timer, time.process_time() - cpu_start
    distributed.barrier(ctx)
    result = {"step": end, "rows": rows, "seconds": seconds, "cpu_seconds": cpu_seconds, "model": model,
              "tokenizer": tokenizer}
    if ctx.is_main and rows:
        sample = ""
        if args.sample_tokens:
            prompt = val[:1].view(1, 1)                                     # (1, 1): validation의 첫 token
            n = min(args.sample_tokens, T - 1)
            generator = torch.Generator(ctx.device).manual_seed(args.seed)
            sample = tokenizer.decode(model.generate(prompt, n, do_sample=True, top_k=50, generator=generator)[0]
                                      .tolist())
            atomic_write_text(out / "sample.txt", sample + "\n")
        last_val = next((r["val_loss"] for r in reversed(rows) if "val_loss" in r), None)
        tokens = sum(G * T for _ in rows)
        report({"model": "GPT", "level": "train", "data": Path(args.data).stem,
                "metric": "val_loss" if last_val is not None else "train_loss",
                "value": last_val if last_val is not None else rows[-1]["loss"], "seconds": seconds,
                "cpu_seconds": cpu_seconds, "steps": end, "world_size": ctx.world_size, "global_batch": G,
                "tokens_per_second": tokens / seconds, "parameters": model.num_parameters(),
                "dtype": args.dtype, "compile": args.compile, "sample": sample}, out)
    return result


def parse_args(argv=None) -> argparse.Namespace:
    """인자를 읽고 서로 맞는지 본다 (틀리면 한 문장과 exit code 2). README의 명령도 이것으로 검사한다."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not 0 <= args.dropout < 1:
        parser.error(f"--dropout은 [0, 1) 안이어야 합니다: {args.dropout}")
    if args.warmup >= (args.lr_decay_steps or args.max_steps):
        parser.error(f"--warmup {args.warmup}은 lr decay step 수 (--lr-decay-steps, 기본 --max-steps)보다 "
                     "작아야 합니다")
    if not args.lr > 0:
        parser.error(f"--lr은 양수여야 합니다: {args.lr}")
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    ctx = distributed.setup(args.device)
    try:
        return run(args, ctx)
    finally:
        distributed.cleanup(ctx)


if __name__ == "__main__":
    cli(main)
