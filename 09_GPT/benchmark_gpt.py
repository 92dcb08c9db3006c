"""GPT 속도 측정: 우리 GPT-2 (L3, `paper/gpt.py`) vs HF `GPT2LMHeadModel` (eager, sdpa)와 nanoGPT 모양의 twin, CPU.

한 번의 실행 안에서, 같은 가중치·같은 입력으로 (비교하는 것들은 `utils.benchmark.interleaved_times`로 번갈아):
    1. forward (no_grad, eval): GPT-2 small 설정 (124M, 무작위 가중치), batch 1, T = 128과 512.
       우리 vs HF sdpa, 우리 vs HF eager. [L3 / production twin ≤ 1×]
    2. greedy 생성 64 token (prompt 16 token): 우리 `generate` (미리 잡은 KV cache buffer) vs HF `generate`
       (`DynamicCache`, sdpa). 두 출력이 같은지도 본다. [L3 ≤ 1×]
    3. nanoGPT의 CPU 처방 크기 (4층, 4 head, 128 폭, block 64, batch 12, vocab 65, bias 있음, dropout 0)의 학습 한
       step (forward + loss + backward + AdamW step): 우리 vs `NanoGPTTwin` (아래), 우리 vs 같은 모양의 HF GPT-2.
       [L3 ≤ 1×]
    4. 같은 크기에서 token 하나로 시작해 63 token greedy 생성 (block 64를 채운다): 우리 `generate` (KV cache) vs
       `NanoGPTTwin.generate` (nanoGPT처럼 cache 없이 매 step 문맥 전체를 다시 계산하고 마지막 위치만 lm_head).
       [KV cache / cache 없음 ≤ 0.5×]
    5. 4의 비율을 나누어 보는 두 줄: 같은 63 step을 `one_token_steps`로 (매 step 마지막 token 하나만 cache 없이
       forward; 답은 틀리고 시간만 잰다), twin과 우리 GPT 각각. 어떤 cache라도 step마다 적어도 이만큼은 계산하므로
       twin의 줄은 이 크기에서 cache가 낼 수 있는 비율의 하한이고, 우리 GPT의 줄과 4의 차이는 cache 자체(key·value
       쓰기와 지난 key 읽기)의 비용, twin 줄과의 차이는 두 모델 한 step의 고정 비용 차이다. [같은 goal]

`NanoGPTTwin`은 이 벤치마크를 위해 쓴 최소 모델이다: nanoGPT `model.py`와 같은 구조(한 Linear로 Q·K·V, fused
causal `F.scaled_dot_product_attention`, pre-LN, 묶인 lm_head)이고 parameter 이름이 우리 GPT와 같아
`load_state_dict`로 같은 가중치를 싣는다. 활성화 함수는 같은 함수를 계산하도록 tanh 근사 GELU를 하나로 묶인
`F.gelu(x, approximate="tanh")`로 쓴다 (nanoGPT 자체는 정확한 GELU `nn.GELU()`를 쓴다).

실행:  python -m 09_GPT.benchmark_gpt [--repeats 7] [--threads 1] [--tiny]
(`--tiny`는 2층 64폭 모델로 몇 초 만에 같은 표를 만든다: 테스트용. timed test는 없다.)
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from utils.benchmark import benchmark_main, compare, interleaved_times, training_step

NANOGPT = dict(n_positions=64, vocab_size=65, n_layer=4, n_head=4, n_embd=128, batch=12)


class TwinAttention(nn.Module):
    def __init__(self, n_embd: int, n_head: int):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, C = x.shape
        q, k, v = (t.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)       # (B, nh, T, hs)
                   for t in self.c_attn(x).split(C, dim=2))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class TwinMLP(nn.Module):
    def __init__(self, n_embd: int):
        super().__init__()
        self.c_fc = nn.Linear(n_embd, 4 * n_embd)
        self.c_proj = nn.Linear(4 * n_embd, n_embd)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class TwinBlock(nn.Module):
    def __init__(self, n_embd: int, n_head: int):
        super().__init__()
        self.ln_1, self.attn = nn.LayerNorm(n_embd), TwinAttention(n_embd, n_head)
        self.ln_2, self.mlp = nn.LayerNorm(n_embd), TwinMLP(n_embd)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class NanoGPTTwin(nn.Module):
    """nanoGPT 모양의 최소 GPT (dropout 0). parameter 이름은 `paper.gpt.GPT`와 같다."""

    def __init__(self, block_size: int, vocab_size: int, n_layer: int, n_head: int, n_embd: int):
        super().__init__()
        self.block_size = block_size
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(vocab_size, n_embd), wpe=nn.Embedding(block_size, n_embd),
            h=nn.ModuleList(TwinBlock(n_embd, n_head) for _ in range(n_layer)), ln_f=nn.LayerNorm(n_embd)))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        self.lm_head.weight = self.transformer.wte.weight

    def forward(self, idx: torch.Tensor, last_only: bool = False) -> torch.Tensor:
        T = idx.size(1)
        x = self.transformer.wte(idx) + self.transformer.wpe(torch.arange(T))          # (B, T, C)
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        return self.lm_head(x[:, -1:] if last_only else x)                             # (B, 1 또는 T, V)

    @torch.no_grad()
    def generate(self, idx: torch.Tensor, max_new_tokens: int) -> torch.Tensor:
        """nanoGPT의 방식: 매 step 마지막 block_size token 전체를 다시 계산하고 마지막 위치의 argmax."""
        for _ in range(max_new_tokens):
            logits = self(idx[:, -self.block_size:], last_only=True)[:, -1]            # (B, V)
            idx = torch.cat([idx, logits.argmax(dim=-1, keepdim=True)], dim=1)
        return idx


@torch.no_grad()
def one_token_steps(model: nn.Module, idx: torch.Tensor, max_new_tokens: int) -> torch.Tensor:
    """greedy 생성과 같은 loop이지만 매 step 마지막 token 하나 (B, 1)만 cache 없이 넣는다: 앞 문맥을 보지 않으므로
    답은 틀린다. 재는 것은 시간뿐이다. cache를 쓴 step도 새 token 하나의 Q·K·V·MLP·lm_head는 계산해야 하므로,
    이것이 그 모델로 cache가 닿을 수 있는 한 step 비용의 아래쪽 끝이다 (cache는 여기에 지난 key·value를 쓰고 읽는
    일을 더한다). `NanoGPTTwin`과 우리 GPT 모두 `model(idx, last_only=True)`로 부른다."""
    for _ in range(max_new_tokens):
        logits = model(idx[:, -1:], last_only=True)[:, -1]                             # (B, V)
        idx = torch.cat([idx, logits.argmax(dim=-1, keepdim=True)], dim=1)
    return idx


def gpt2_small_rows(tiny: bool, repeats: int, seed: int) -> list[dict]:
    from transformers import GPT2Config, GPT2LMHeadModel

    from .paper.gpt import GPT

    torch.manual_seed(seed)
    shape = dict(n_layer=2, n_head=2, n_embd=64, vocab_size=1000, bos_token_id=0, eos_token_id=0) if tiny else {}
    lengths = (16, 32) if tiny else (128, 512)
    new_tokens = 8 if tiny else 64
    eager = GPT2LMHeadModel(GPT2Config(**shape, attn_implementation="eager")).eval()
    sdpa = GPT2LMHeadModel(GPT2Config(**shape, attn_implementation="sdpa")).eval()
    sdpa.load_state_dict(eager.state_dict())
    ours = GPT.from_reference(eager).eval()
    V = ours.config.vocab_size
    rows = []
    with torch.no_grad():
        for T in lengths:
            x = torch.randint(0, V, (1, T), generator=torch.Generator().manual_seed(T))
            t = interleaved_times({"ours": lambda x=x: ours(x), "sdpa": lambda x=x: sdpa(x).logits,
                                   "eager": lambda x=x: eager(x).logits}, repeats)
            diff = (ours(x) - sdpa(x).logits).abs().max().item()
            rows += [compare(f"GPT-2 forward T={T}", "우리 GPT-2", f"HF {attn}", t["ours"], t[attn], "L3",
                             max_abs_diff=diff) for attn in ("sdpa", "eager")]
    prompt = torch.randint(0, V, (1, 16), generator=torch.Generator().manual_seed(1))

    def hf_generate():
        return sdpa.generate(prompt, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                             pad_token_id=0)

    t = interleaved_times({"ours": lambda: ours.generate(prompt, new_tokens), "hf": hf_generate}, repeats)
    same = torch.equal(ours.generate(prompt, new_tokens), hf_generate())
    rows.append(compare(f"GPT-2 greedy 생성 {new_tokens} token", "우리 generate", "HF generate", t["ours"], t["hf"],
                        "L3", same_tokens=same))
    return rows


def nanogpt_rows(tiny: bool, repeats: int, seed: int) -> list[dict]:
    """nanoGPT CPU 처방 크기의 학습 step과 63 token 생성: 우리 vs NanoGPTTwin (vs HF GPT-2)."""
    from transformers import GPT2Config, GPT2LMHeadModel

    from .paper.gpt import GPT

    c = dict(NANOGPT, n_layer=2, batch=4) if tiny else NANOGPT
    torch.manual_seed(seed)
    hf = GPT2LMHeadModel(GPT2Config(n_positions=c["n_positions"], vocab_size=c["vocab_size"], n_layer=c["n_layer"],
                                    n_head=c["n_head"], n_embd=c["n_embd"], resid_pdrop=0.0, embd_pdrop=0.0,
                                    attn_pdrop=0.0, bos_token_id=0, eos_token_id=0, attn_implementation="sdpa"))
    ours = GPT.from_reference(hf)
    twin = NanoGPTTwin(c["n_positions"], c["vocab_size"], c["n_layer"], c["n_head"], c["n_embd"])
    twin.load_state_dict(ours.state_dict())
    g = torch.Generator().manual_seed(seed + 2)
    x, y = torch.randint(0, c["vocab_size"], (2, c["batch"], c["n_positions"]), generator=g)     # (B, T) 둘
    with torch.no_grad():
        diff = max((ours(x) - twin(x)).abs().max().item(), (ours(x) - hf(x).logits).abs().max().item())

    def lm_loss(logits):
        return F.cross_entropy(logits.flatten(0, 1), y.flatten())

    t = interleaved_times({"ours": training_step(ours, lambda m: lm_loss(m(x)), lr=1e-3),
                           "twin": training_step(twin, lambda m: lm_loss(m(x)), lr=1e-3),
                           "hf": training_step(hf, lambda m: lm_loss(m(x).logits), lr=1e-3)}, repeats)
    shape = f"{c['n_layer']}층 {c['n_embd']}폭, B {c['batch']}, T {c['n_positions']}"
    rows = [compare(f"nanoGPT 크기 학습 step ({shape}, AdamW)", "우리 GPT", "NanoGPTTwin", t["ours"], t["twin"], "L3",
                    max_abs_diff=diff),
            compare(f"nanoGPT 크기 학습 step ({shape}, AdamW)", "우리 GPT", "HF GPT-2 같은 모양", t["ours"], t["hf"],
                    "L3")]
    ours.eval(), twin.eval()
    twin.load_state_dict(ours.state_dict())                                   # 학습 step 뒤: 다시 같은 가중치로
    start = torch.zeros(1, 1, dtype=torch.long)
    n = c["n_positions"] - 1
    t = interleaved_times({"ours": lambda: ours.generate(start, n), "twin": lambda: twin.generate(start, n),
                           "twin_one": lambda: one_token_steps(twin, start, n),
                           "ours_one": lambda: one_token_steps(ours, start, n)}, repeats)
    same = torch.equal(ours.generate(start, n), twin.generate(start, n))
    rows += [compare(f"nanoGPT 크기 greedy 생성 {n} token", "우리 generate (KV cache)",
                     "NanoGPTTwin (cache 없음)", t["ours"], t["twin"], "cache", same_tokens=same),
             compare(f"nanoGPT 크기 greedy 생성 {n} token", "NanoGPTTwin token 하나 step만 (cache의 하한)",
                     "NanoGPTTwin (cache 없음)", t["twin_one"], t["twin"], "cache"),
             compare(f"nanoGPT 크기 greedy 생성 {n} token", "우리 GPT token 하나 step만 (cache 없이)",
                     "NanoGPTTwin (cache 없음)", t["ours_one"], t["twin"], "cache")]
    return rows


def measure_all(args) -> dict:
    rows = gpt2_small_rows(args.quick, args.repeats, args.seed) + nanogpt_rows(args.quick, args.repeats, args.seed)
    return {"tiny": args.quick, "rows": rows}


def main(argv=None) -> dict:
    return benchmark_main(measure_all, "우리 GPT-2 vs HF GPT2LMHeadModel과 nanoGPT 모양의 twin (CPU)", argv, repeats=7,
                          quick="--tiny")


if __name__ == "__main__":
    main()
