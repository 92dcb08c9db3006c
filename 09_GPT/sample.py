"""`train.py`가 쓴 checkpoint에서 text를 뽑는다.

    python -m 09_GPT.sample --ckpt runs/ko --prompt "트랜스포머는" --max-new-tokens 200 --top-k 50

checkpoint의 model config·가중치·tokenizer로 모델을 다시 만들고 `GPT.generate` (KV cache)로 뽑는다. 같은 `--seed`면
같은 token이다 (`torch.Generator(seed)`를 generate에 넘긴다). prompt와 새 token을 합친 길이가 block_size를 넘으면,
넘는 부분은 마지막 block_size token만 문맥으로 보며 한 token씩 잇는다 (nanoGPT `generate`의 자르기).
`--temperature 0`은 greedy (argmax).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from utils.cli import choose_device, cli
from utils.training import load_checkpoint

from .paper.gpt import GPT, GPTConfig, check_sampling_arguments
from .train import CHECKPOINT, tokenizer_from_state


def load_model(ckpt, device="cpu"):
    """checkpoint 폴더 (또는 ckpt.pt 경로) → (eval 모드 GPT, tokenizer, checkpoint dict)."""
    path = Path(ckpt)
    state = load_checkpoint(path / CHECKPOINT if path.is_dir() else path, map_location=device)
    model = GPT(GPTConfig(**state["config"]))
    model.load_state_dict(state["model"])
    return model.to(device).eval(), tokenizer_from_state(state["tokenizer"]), state


@torch.no_grad()
def sample_ids(model: GPT, prompt: torch.Tensor, max_new_tokens: int, temperature: float = 1.0,
               top_k: int | None = None, top_p: float | None = None, seed: int = 0) -> torch.Tensor:
    """prompt (1, T) → (1, T + max_new_tokens). block_size 안이면 `GPT.generate`와 token 하나까지 같다."""
    block = model.config.block_size
    do_sample = temperature > 0
    generator = torch.Generator(prompt.device).manual_seed(seed)
    options = dict(do_sample=do_sample, temperature=temperature if do_sample else 1.0, top_k=top_k, top_p=top_p)
    prompt = prompt[:, -block:]
    first = min(max_new_tokens, block - prompt.size(1))
    out = model.generate(prompt, first, generator=generator, **options)
    for _ in range(max_new_tokens - first):                                   # 문맥을 block_size로 잘라 잇는다
        logits = model(out[:, -block:], last_only=True)[:, -1, :]            # (1, V)
        out = torch.cat([out, GPT.choose_next(logits, generator=generator, **options)], dim=1)
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="train.py의 checkpoint에서 text 뽑기")
    p.add_argument("--ckpt", required=True, help="train.py의 --out 폴더 또는 ckpt.pt 경로")
    p.add_argument("--prompt", default="\n", help="이어 쓸 text (기본: 줄바꿈 하나)")
    p.add_argument("--max-new-tokens", type=int, default=200)
    p.add_argument("--temperature", type=float, default=0.8, help="0이면 greedy (argmax)")
    p.add_argument("--top-k", type=int, default=None)
    p.add_argument("--top-p", type=float, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])
    return p


def main(argv=None) -> dict:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.max_new_tokens < 0:
        parser.error(f"--max-new-tokens는 0 이상이어야 합니다: {args.max_new_tokens}")
    if args.temperature < 0:
        parser.error(f"--temperature는 0 이상이어야 합니다 (0이면 greedy): {args.temperature}")
    try:
        check_sampling_arguments(args.temperature or 1.0, args.top_k, args.top_p)
    except ValueError as error:
        parser.error(str(error))
    device = choose_device(args.device)
    model, tokenizer, _ = load_model(args.ckpt, device)
    try:
        prompt_ids = tokenizer.encode(args.prompt)
    except ValueError as error:
        parser.error(f"--prompt를 checkpoint의 tokenizer로 자르지 못했습니다: {error}")
    if not prompt_ids:
        parser.error("--prompt가 token 하나 이상이어야 합니다")
    prompt = torch.tensor([prompt_ids], dtype=torch.long, device=device)       # (1, T)
    ids = sample_ids(model, prompt, args.max_new_tokens, args.temperature, args.top_k, args.top_p, args.seed)
    text = tokenizer.decode(ids[0].tolist())
    sys.stdout.write(text + "\n")
    return {"ids": ids[0].tolist(), "text": text}


if __name__ == "__main__":
    cli(main)
