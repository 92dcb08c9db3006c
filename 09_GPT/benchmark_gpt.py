"""GPT 속도 측정: 우리 GPT-2 (L3, `paper/gpt.py`) vs HF `GPT2LMHeadModel` (eager, sdpa), CPU, 같은 가중치·같은 입력.

한 번의 실행 안에서:
    1. forward (no_grad, eval): GPT-2 small 설정 (124M, 무작위 가중치), batch 1, T = 128과 512.
       우리 / HF sdpa, 우리 / HF eager 시간 비율 (1보다 작으면 우리가 빠르다). logits 차이도 함께 본다.
    2. greedy 생성 64 token (prompt 16 token): 우리 `generate` (미리 잡은 KV cache buffer) vs HF `generate`
       (`DynamicCache`, sdpa) — token/s와 비율, 두 출력이 같은지.
    3. nanoGPT CPU 처방 크기 (4층, 4 head, 128 폭, block 64, batch 12, vocab 65)의 학습 한 step (forward + backward
       + AdamW): token/s.
시간은 warm-up 한 번 뒤 `--repeats`번 잰 값의 중앙값. 비교하는 twin들은 번갈아 잰다 (`utils.benchmark.side_by_side`:
회마다 모두 한 번씩, 순서는 회마다 뒤집는다): 재는 사이 기계의 부하가 바뀌어도 twin들이 같은 부하를 나눠 받는다.

실행:  python -m 09_GPT.benchmark_gpt [--repeats 5] [--threads 1] [--tiny]
(`--tiny`는 2층 64폭 모델로 몇 초 만에 같은 표를 만든다: 테스트용. timed test는 없다.)
"""
from __future__ import annotations

import argparse

import torch

from utils.benchmark import environment, load_average, median_seconds, side_by_side
from utils.core import limit_threads


def measure(tiny: bool, repeats: int, seed: int = 0) -> dict:
    from transformers import GPT2Config, GPT2LMHeadModel

    from .paper.gpt import GPT, GPTConfig

    torch.manual_seed(seed)
    shape = dict(n_layer=2, n_head=2, n_embd=64, vocab_size=1000) if tiny else {}
    lengths = (16, 32) if tiny else (128, 512)
    new_tokens = 8 if tiny else 64
    eager = GPT2LMHeadModel(GPT2Config(**shape, attn_implementation="eager")).eval()
    sdpa = GPT2LMHeadModel(GPT2Config(**shape, attn_implementation="sdpa")).eval()
    sdpa.load_state_dict(eager.state_dict())
    ours = GPT.from_reference(eager).eval()
    V = ours.config.vocab_size
    result = {"parameters": ours.num_parameters()}
    with torch.no_grad():
        for T in lengths:
            x = torch.randint(0, V, (1, T), generator=torch.Generator().manual_seed(T))
            t = side_by_side({"ours": lambda x=x: ours(x), "sdpa": lambda x=x: sdpa(x).logits,
                              "eager": lambda x=x: eager(x).logits}, repeats)
            t_ours, t_sdpa, t_eager = (t[name]["median"] for name in ("ours", "sdpa", "eager"))
            result[f"forward_T{T}"] = {
                "ours_s": t_ours, "hf_sdpa_s": t_sdpa, "hf_eager_s": t_eager,
                "ours_over_sdpa": t_ours / t_sdpa, "ours_over_eager": t_ours / t_eager, "min_max_s": t,
                "max_abs_diff": (ours(x) - sdpa(x).logits).abs().max().item()}
    prompt = torch.randint(0, V, (1, 16), generator=torch.Generator().manual_seed(1))
    t = side_by_side({"ours": lambda: ours.generate(prompt, new_tokens),
                      "hf": lambda: sdpa.generate(prompt, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                                                  do_sample=False, pad_token_id=0)}, repeats)
    t_gen, t_hf = t["ours"]["median"], t["hf"]["median"]
    same = torch.equal(ours.generate(prompt, new_tokens),
                       sdpa.generate(prompt, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                                     pad_token_id=0))
    result["generate"] = {"new_tokens": new_tokens, "ours_tokens_per_s": new_tokens / t_gen,
                          "hf_tokens_per_s": new_tokens / t_hf, "ours_over_hf_speed": t_hf / t_gen,
                          "same_tokens": same}

    torch.manual_seed(seed)
    recipe = GPTConfig(block_size=64, vocab_size=65, n_layer=4, n_head=4, n_embd=128, embd_pdrop=0.0,
                       attn_pdrop=0.0, resid_pdrop=0.0)
    model = GPT(recipe)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.99))
    x, y = torch.randint(0, 65, (2, 12, 64), generator=torch.Generator().manual_seed(2))

    def train_step():
        loss = torch.nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    t_step = median_seconds(train_step, repeats)
    result["train_step"] = {"seconds": t_step, "tokens_per_s": 12 * 64 / t_step}
    return result


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description="우리 GPT-2 vs HF GPT2LMHeadModel: forward, 생성, 학습 step (CPU)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--tiny", action="store_true", help="작은 모델로 몇 초 (테스트용)")
    args = parser.parse_args(argv)
    with limit_threads(args.threads):
        load_before = load_average()
        result = measure(args.tiny, args.repeats)
        result["environment"] = environment(args.threads, load_before=load_before, load_after=load_average())
    for key, row in result.items():
        if key.startswith("forward_T"):
            print(f"{key}: 우리 {row['ours_s'] * 1e3:.1f} ms, HF sdpa {row['hf_sdpa_s'] * 1e3:.1f} ms, "
                  f"HF eager {row['hf_eager_s'] * 1e3:.1f} ms → 우리/sdpa {row['ours_over_sdpa']:.3f}, "
                  f"우리/eager {row['ours_over_eager']:.3f} (logits 차이 {row['max_abs_diff']:.1e})")
    g = result["generate"]
    print(f"greedy {g['new_tokens']} token: 우리 {g['ours_tokens_per_s']:.1f} tok/s, HF generate "
          f"{g['hf_tokens_per_s']:.1f} tok/s → {g['ours_over_hf_speed']:.2f}× (같은 token: {g['same_tokens']})")
    print(f"학습 step (nanoGPT CPU 처방): {result['train_step']['tokens_per_s']:.0f} tok/s")
    print(f"환경: {result['environment']}")
    return result


if __name__ == "__main__":
    main()
