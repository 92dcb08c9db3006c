"""decoding이 분포와 글을 어떻게 바꾸는가 (theory.md 7절의 표): greedy, temperature, top-k, top-p.

모델: `gpt_paper`의 처방 그대로 학습한 BPE GPT-2 (한국어, BPE 1000 merge, 4층 128폭; `gpt_paper.train_model`)를
iteration만 800으로 줄여 (README의 L3 run은 2000) CPU 몇 분에 끝나게 했다. `--iters 2000`이면 README의 run과 같은
처방이다. `--pretrained gpt2` (또는 HF `save_pretrained` 폴더)를 주면 HF의 GPT-2 가중치를 `GPT.from_pretrained`로
옮기고 같은 폴더·이름의 tokenizer로 영어 prompt를 쓴다.

prompt: validation text를 고르게 나눈 `--prompts`곳의 앞 16 token. 설정마다 같은 seed의 generator로 새 token을
`--new-tokens`개 뽑는다 (`GPT.generate`, KV cache). 뽑은 열을 다시 한 번에 넣어 (cache = 재계산) step마다의 logits z를
얻고, 설정마다 다음을 잰다.

- entropy: 실제로 뽑은 분포 p = softmax(warp_logits(z))의 H(p) = −Σ p log p (nats), 모든 step의 평균. greedy는 0.
- 남은 token 수: p > 0인 token 수의 평균 (top-k, top-p가 자른 뒤의 크기).
- 모델 NLL: 뽑힌 token의 −log softmax(z) (자르기 전, T = 1의 모델 분포), 평균. 낮을수록 모델이 "그럴듯하다"고 본 글.
- distinct-n (Li et al. 2016, "A Diversity-Promoting Objective Function for Neural Conversation Models" §4.1):
  모든 sample의 새 token에서 서로 다른 n-gram 수 / 전체 n-gram 수 (n = 1, 2). 반복이 많을수록 낮다.

또 `--cumsum`은 top_p의 경계를 큰 확률부터 float32로 더해 찾을 때 top_p = 1.0에서도 잘리는 token 수를 잰다
(theory.md 7절; 학습 없이 몇 초).

실행:  python -m 09_GPT.paper.decoding_measurements [--quick] [--threads 1]
       python -m 09_GPT.paper.decoding_measurements --cumsum
       python -m 09_GPT.paper.decoding_measurements --pretrained gpt2     (인터넷 또는 HF cache)
"""
from __future__ import annotations

import math
from pathlib import Path

import torch

from utils.cli import cli, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.datasets import load_dataset
from utils.hub import hf_tokenizer

from .gpt import GPT, warp_logits
from .gpt_paper import build_parser, train_model

# (이름, do_sample, temperature, top_k, top_p): 측정하기 전에 정한 표의 행
SETTINGS = [
    ("greedy", False, 1.0, None, None),
    ("T = 0.5", True, 0.5, None, None),
    ("T = 0.8", True, 0.8, None, None),
    ("T = 1.0", True, 1.0, None, None),
    ("T = 1.2", True, 1.2, None, None),
    ("T = 1.5", True, 1.5, None, None),
    ("top-k 10", True, 1.0, 10, None),
    ("top-k 50", True, 1.0, 50, None),
    ("top-p 0.5", True, 1.0, None, 0.5),
    ("top-p 0.8", True, 1.0, None, 0.8),
    ("top-p 0.95", True, 1.0, None, 0.95),
    ("T 0.8 + top-k 50 + top-p 0.95", True, 0.8, 50, 0.95),
]
PROMPT_TOKENS = 16


def distinct_n(sequences: list[list[int]], n: int) -> float:
    """서로 다른 n-gram 수 / 전체 n-gram 수 (모든 열을 모아서). n-gram이 하나도 없으면 0."""
    grams = [tuple(seq[i:i + n]) for seq in sequences for i in range(len(seq) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def entropy(logits: torch.Tensor) -> torch.Tensor:
    """(N, V) logits (−∞ 허용) → (N,) H(softmax) nats. 0·log 0 = 0."""
    log_p = logits.log_softmax(dim=-1)
    p = log_p.exp()
    return -(p * log_p.masked_fill(p == 0, 0.0)).sum(dim=-1)


@torch.no_grad()
def measure(model: GPT, prompts: torch.Tensor, new_tokens: int, seed: int, settings=SETTINGS) -> list[dict]:
    """설정마다 {"setting", "entropy", "kept", "nll", "distinct_1", "distinct_2", "tokens"} (tokens: 새 token 열)."""
    model.eval()
    P = prompts.size(1)
    rows = []
    for name, do_sample, temperature, top_k, top_p in settings:
        out = model.generate(prompts, new_tokens, do_sample=do_sample, temperature=temperature, top_k=top_k,
                             top_p=top_p, generator=torch.Generator().manual_seed(seed))      # (B, P + new)
        z = model(out[:, :-1])[:, P - 1:].reshape(-1, model.config.vocab_size)           # (B·new, V): 뽑을 때의 logits
        chosen = out[:, P:].reshape(-1)                                                   # (B·new,)
        if do_sample:
            warped = warp_logits(z, temperature, top_k, top_p)
            h, kept = entropy(warped), torch.isfinite(warped).sum(dim=-1).float()
        else:                                                                             # argmax: 한 점에 몰린 분포
            h, kept = torch.zeros(len(z)), torch.ones(len(z))
        nll = -z.log_softmax(dim=-1).gather(1, chosen[:, None]).squeeze(1)
        tokens = out[:, P:].tolist()
        rows.append({"setting": name, "do_sample": do_sample, "temperature": temperature, "top_k": top_k,
                     "top_p": top_p, "entropy": h.mean().item(), "kept": kept.mean().item(), "nll": nll.mean().item(),
                     "distinct_1": distinct_n(tokens, 1), "distinct_2": distinct_n(tokens, 2), "tokens": tokens})
    return rows


def float32_tail_cut(scales=(1.0, 2.0, 4.0, 8.0), rows: int = 8, vocab: int = 50_257, seed: int = 0) -> list[dict]:
    """top_p = 1.0이 끄는 설정인데도, 큰 확률부터 float32로 더한 누적합으로 경계를 찾으면 몇 token이 잘리는가.

    무작위 logits (rows, vocab) × scale마다: {"scale", "descending": "자기보다 큰 token들의 합 ≥ 1.0"으로 버려지는 수,
    "ascending": `warp_logits(top_p=1.0)`이 버리는 수 (0이어야 한다), "total"}. scale이 클수록 분포가 뾰족해져
    큰 쪽 몇 token의 합이 일찍 1.0으로 반올림되고, 그 뒤의 token이 모두 잘린다.
    """
    out = []
    for scale in scales:
        logits = torch.randn(rows, vocab, generator=torch.Generator().manual_seed(seed)) * scale
        probs = logits.sort(dim=-1, descending=True).values.softmax(dim=-1)            # (rows, V) 큰 것부터
        larger_mass = probs.cumsum(dim=-1) - probs                                       # 자기보다 큰 token들의 합
        kept = torch.isfinite(warp_logits(logits, top_p=1.0, top_k=0))
        out.append({"scale": scale, "descending": int((larger_mass >= 1.0).sum()), "ascending": int((~kept).sum()),
                    "total": logits.numel()})
    return out


def spaced_prompts(ids: list[int], count: int, length: int) -> torch.Tensor:
    """token 열을 count 등분한 곳마다 length token (count, length)."""
    if len(ids) < count * length:
        raise ValueError(f"prompt를 만들 token이 모자랍니다: {count}곳 × {length} token이 필요한데 {len(ids)}개")
    step = len(ids) // count
    return torch.tensor([ids[i * step:i * step + length] for i in range(count)], dtype=torch.long)


def load_pretrained(name: str, offline: bool, cache_dir=None):
    """(GPT, tokenizer). 둘 다 `utils.hub`의 한 순서로 읽는다 (`GPT.from_pretrained` → `hf_pretrained`, tokenizer는
    `hf_tokenizer`): `save_pretrained` 폴더 → 로컬 HF cache (`hf_offline`: 네트워크 없이) → (offline이 아니면)
    내려받기 → `DatasetUnavailable` 한 문장. tokenizer 파일이 없는 폴더도 빈 tokenizer가 아니라 그 한 문장이 된다."""
    from transformers import AutoTokenizer

    model = GPT.from_pretrained(name, local_files_only=offline, cache_dir=cache_dir)
    tokenizer = hf_tokenizer(AutoTokenizer, name, download=not offline, cache_dir=cache_dir)
    return model, tokenizer


def main(argv=None) -> dict:
    parser = build_parser()
    parser.description = "decoding 측정: greedy, temperature, top-k, top-p에 따른 entropy와 distinct-n"
    parser.add_argument("--prompts", type=int, default=32, help="prompt 수 (validation text를 고르게 나눈 곳)")
    parser.add_argument("--new-tokens", type=int, default=48, help="prompt마다 새로 뽑을 token 수")
    parser.add_argument("--pretrained", default=None,
                        help="HF GPT-2 이름 (gpt2, gpt2-medium, …) 또는 save_pretrained 폴더: 학습 대신 그 가중치")
    parser.add_argument("--offline", action="store_true", help="--pretrained를 로컬 HF cache에서만 찾는다")
    parser.set_defaults(iters=800)
    parser.add_argument("--cache-dir", default=None, help="--pretrained의 HF cache 폴더 (기본: HF의 기본 cache)")
    parser.add_argument("--cumsum", action="store_true",
                        help="top_p = 1.0에서 float32 누적합의 방향에 따라 잘리는 token 수만 잰다 (학습 없음, 몇 초)")
    args = parse_args(parser, argv)
    if args.cumsum:
        with limit_threads(args.threads), Timer() as timer:
            cuts = float32_tail_cut()
        print("무작위 logits 8 × 50,257, top_p = 1.0: scale | 큰 것부터 더한 float32 누적합이 버리는 token | "
              "warp_logits가 버리는 token")
        for row in cuts:
            print(f"{row['scale']:4.1f} | {row['descending']:7d} / {row['total']} | {row['ascending']}")
        return report({"model": "GPT", "level": "paper", "data": "random_logits", "metric": "dropped_at_top_p_1",
                       "value": cuts[2]["descending"], "seconds": timer.seconds, "rows": cuts},
                      Path(args.out) / "cumsum")
    if args.quick:
        args.iters, args.merges, args.eval_interval, args.eval_iters = 40, 150, 20, 4
        args.n_layer, args.n_embd, args.warmup = 2, 64, 5
        args.prompts, args.new_tokens = 4, 12
    seed_everything(args.seed)
    out = Path(args.out)
    with limit_threads(args.threads), Timer() as timer:
        if args.pretrained is not None:
            model, tokenizer = load_pretrained(args.pretrained, args.offline, args.cache_dir)
            text = load_dataset("english")
            ids = tokenizer.encode(text[len(text) * 9 // 10:])                           # 영어 산문의 뒤 10%
            data_name, train_info = Path(args.pretrained).name or args.pretrained, {}
        else:
            data_name = args.data if args.data in ("korean", "english") else Path(args.data).stem
            run = train_model(args, data_name)
            model, tokenizer, ids = run["model"], run["tokenizer"], run["val"].tolist()
            train_info = {"val_loss": run["history"].last("val_loss"), "vocab_size": len(tokenizer),
                          "iters": args.iters, "merges": args.merges, "corpus_chars": len(run["train_text"]) +
                          len(run["val_text"])}
        new_tokens = min(args.new_tokens, model.config.block_size - PROMPT_TOKENS)
        prompts = spaced_prompts(ids, args.prompts, PROMPT_TOKENS)
        rows = measure(model, prompts, new_tokens, args.seed)
    print(f"decoding ({data_name}, prompt {len(prompts)}개 × {PROMPT_TOKENS} token, 새 token {new_tokens}개, "
          f"V = {model.config.vocab_size}, ln V = {math.log(model.config.vocab_size):.2f})")
    print("설정 | entropy (nats) | 남은 token | 모델 NLL | distinct-1 | distinct-2")
    for row in rows:
        print(f"{row['setting']} | {row['entropy']:.3f} | {row['kept']:.1f} | {row['nll']:.3f} | "
              f"{row['distinct_1']:.3f} | {row['distinct_2']:.3f}")
    samples = {row["setting"]: tokenizer.decode(prompts[0].tolist() + row["tokens"][0]) for row in rows}
    for name in ("greedy", "T = 1.0", "top-p 0.8"):
        print(f"--- {name} (첫 prompt) ---\n{samples[name]}")
    result = {"model": "GPT", "level": "paper", "data": data_name, "metric": "entropy_at_T1",
              "value": next(r["entropy"] for r in rows if r["setting"] == "T = 1.0"), "seconds": timer.seconds,
              "rows": [{k: v for k, v in row.items() if k != "tokens"} for row in rows], "samples": samples,
              "prompts": len(prompts), "prompt_tokens": PROMPT_TOKENS, "new_tokens": new_tokens,
              "vocab_size": model.config.vocab_size, "pretrained": args.pretrained, **train_info}
    result = report(result, out / "decoding")
    if args.quick:
        print("이것은 --quick smoke run입니다 (모델을 40 step만 학습: 표의 경향만 보이고 값은 뜻이 없습니다). "
              "전체 run의 표는 theory.md 7절에 있습니다.")
    return result


if __name__ == "__main__":
    cli(main)
