"""BERT forward 속도: 우리 L3 `BERT` vs HF `BertModel`(eager attention, sdpa attention).

한 번의 실행 안에서 같은 가중치(`BERT.from_reference`로 옮김), 같은 입력으로 eval 모드 forward만 잰다
(`torch.no_grad`). 기본 조건: BERT-base (L=12, H=768, A=12), batch 8, T = 128과 512, 오른쪽 padding이 있는
입력 (문장 길이를 T/2 … T에서 고르게), float32, CPU, 1 thread.
시간은 warm-up 한 번 뒤 `--repeats`번 잰 값의 중앙값이고, 세 구현을 회마다 번갈아 잰다 (`utils.benchmark.side_by_side`).
세 출력이 같은지(최대 절대 차이)도 함께 확인한다.

우리 모델은 attention에 `F.scaled_dot_product_attention`과 (B, 1, 1, T) 더하기 mask를 쓰므로 HF sdpa와 같은
kernel을 부른다. HF eager는 softmax(QKᵀ)V를 행렬곱으로 직접 계산한다.

실행:  python -m 08_BERT.benchmark_bert [--lengths 128 512] [--batch 8] [--repeats 3] [--threads 1]
       python -m 08_BERT.benchmark_bert --tiny      # 작은 config로 한 번 (테스트가 쓴다)
(timed test는 없다: 테스트는 작은 크기로 한 번 돌고 비율을 돌려주는지만 본다.)
"""
from __future__ import annotations

import argparse

from utils.benchmark import environment, load_average, side_by_side


def measure(config_kwargs: dict, batch: int, length: int, repeats: int, seed: int) -> dict:
    import torch
    import transformers

    from .paper.bert import BERT

    torch.manual_seed(seed)
    refs = {attn: transformers.BertModel(transformers.BertConfig(**config_kwargs, attn_implementation=attn)).eval()
            for attn in ("eager", "sdpa")}
    refs["sdpa"].load_state_dict(refs["eager"].state_dict())
    ours = BERT.from_reference(refs["eager"]).eval()
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(1, config_kwargs["vocab_size"], (batch, length), generator=g)
    lengths = torch.linspace(length // 2, length, batch).long()
    mask = (torch.arange(length)[None, :] < lengths[:, None]).long()          # (B, T) 1 = 읽음
    ids = ids * mask                                                           # padding 위치는 [PAD] = 0

    with torch.no_grad():
        def run_ours():
            return ours(ids, attention_mask=mask)[0]

        def run_eager():
            return refs["eager"](input_ids=ids, attention_mask=mask).last_hidden_state

        def run_sdpa():
            return refs["sdpa"](input_ids=ids, attention_mask=mask).last_hidden_state

        timed = side_by_side({"ours": run_ours, "hf_eager": run_eager, "hf_sdpa": run_sdpa}, repeats)  # 번갈아 잰다
        seconds = {name: t["median"] for name, t in timed.items()}
        real = mask.bool()
        out = run_ours()[real]
        diff = {"max_abs_diff_vs_eager": (out - run_eager()[real]).abs().max().item(),
                "max_abs_diff_vs_sdpa": (out - run_sdpa()[real]).abs().max().item()}
    return {"length": length, **{f"{k}_ms": v * 1e3 for k, v in seconds.items()},
            "ours_vs_hf_sdpa": seconds["ours"] / seconds["hf_sdpa"],
            "ours_vs_hf_eager": seconds["ours"] / seconds["hf_eager"], **diff}


BASE = dict(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
            max_position_embeddings=512)
TINY = dict(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
            max_position_embeddings=64)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description="BERT forward 속도: 우리 BERT vs HF BertModel (eager, sdpa)")
    parser.add_argument("--lengths", type=int, nargs="+", default=[128, 512], help="sequence 길이 T (여러 개)")
    parser.add_argument("--batch", type=int, default=8, help="batch 크기 B")
    parser.add_argument("--repeats", type=int, default=3, help="구현마다 잰 횟수 (중앙값을 쓴다)")
    parser.add_argument("--threads", type=int, default=1, help="torch thread 수")
    parser.add_argument("--tiny", action="store_true", help="BERT-base 대신 작은 config (H 32, L 2)로 한 번")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    config = TINY if args.tiny else BASE
    if min(args.batch, args.repeats, args.threads, *args.lengths) < 1:
        parser.error("--batch, --repeats, --threads, --lengths는 1 이상이어야 합니다")
    if max(args.lengths) > config["max_position_embeddings"]:
        parser.error(f"--lengths는 position table 크기 {config['max_position_embeddings']} 이하여야 합니다")
    import torch

    old_threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    load_before = load_average()
    try:
        rows = [measure(config, args.batch, length, args.repeats, args.seed) for length in args.lengths]
    finally:
        torch.set_num_threads(old_threads)
    env = environment(args.threads, load_before=load_before, load_after=load_average())
    print("환경: " + ", ".join(f"{k} = {v}" for k, v in env.items()))
    print(f"{'tiny' if args.tiny else 'BERT-base'}, batch {args.batch}, padding 있음, float32, forward (no_grad), "
          f"중앙값 (repeats = {args.repeats})\n")
    print("| T | 우리 BERT (ms) | HF eager (ms) | HF sdpa (ms) | 우리 / HF sdpa | 우리 / HF eager | 최대 차이 |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['length']} | {r['ours_ms']:.1f} | {r['hf_eager_ms']:.1f} | {r['hf_sdpa_ms']:.1f} | "
              f"{r['ours_vs_hf_sdpa']:.3f}× | {r['ours_vs_hf_eager']:.3f}× | "
              f"{max(r['max_abs_diff_vs_eager'], r['max_abs_diff_vs_sdpa']):.1e} |")
    return {"environment": env, "batch": args.batch, "repeats": args.repeats, "tiny": args.tiny, "rows": rows}


if __name__ == "__main__":
    main()
