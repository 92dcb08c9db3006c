"""L4: Hugging Face `GPT2LMHeadModel` 읽기 — 가중치를 양방향으로 옮기고, parity를 재고, hook으로 attention을 본다.

안내서는 같은 폴더의 README.md (transformers 5.24.0의 `models/gpt2/modeling_gpt2.py`를 줄 번호와 함께 읽는다).

1. key map: HF state_dict의 key마다 우리 L3 (`paper/gpt.py`)의 key와 transpose 여부 (`key_map`).
2. HF → 우리 (`GPT.from_reference`)와 우리 → HF (`to_reference`): 두 방향 모두 logits가 같아야 한다.
3. eager와 sdpa attention 구현이 같은 값을 내는지, 그리고 우리 모델과도 같은지.
4. forward hook: eager 구현의 `GPT2Attention.forward`는 (출력, attention 확률)을 돌려준다. hook으로 그 확률을 꺼내
   우리 `CausalSelfAttention.attention_weights`와 비교하고 그림으로 그린다.

실행:  python -m 09_GPT.analysis.gpt_analysis [--quick] [--pretrained]
       --pretrained는 HF cache (또는 인터넷)의 `gpt2` 가중치와 tokenizer를 쓴다. 없으면 한 문장 + exit code 2.
"""
from __future__ import annotations

from pathlib import Path

import torch
from transformers import GPT2Config, GPT2LMHeadModel

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.hub import hf_pretrained, hf_tokenizer
from utils.visualization import plot_attention

from ..paper.gpt import GPT

READ_FROM = {"transformers": "5.24.0"}                          # 안내서가 읽은 버전
DATA_CHOICES = ("random",)
CONV1D_SUFFIXES = GPT.CONV1D_WEIGHTS                            # HF Conv1D (in, out) ↔ nn.Linear (out, in)


def tiny_config(**overrides) -> GPT2Config:
    """offline으로 만드는 작은 GPT-2 설정 (bos/eos 없음: 생성이 일찍 멈추지 않도록)."""
    kwargs = dict(n_layer=2, n_head=4, n_embd=64, n_positions=64, vocab_size=211, bos_token_id=None,
                  eos_token_id=None, attn_implementation="eager")
    kwargs.update(overrides)
    return GPT2Config(**kwargs)


def key_map(ref: GPT2LMHeadModel) -> list[tuple[str, str, bool]]:
    """(HF key, 우리 key, transpose 여부). 이름은 같고 (그렇게 지었다), Conv1D 네 종류만 transpose."""
    return [(key, key, key.endswith(CONV1D_SUFFIXES)) for key in ref.state_dict()]


def to_reference(model: GPT, attn_implementation: str = "eager") -> GPT2LMHeadModel:
    """우리 GPT (pre-LN) → HF GPT2LMHeadModel. from_reference의 역방향."""
    c = model.config
    if not c.pre_ln:
        raise ValueError("pre_ln=False (GPT-1)는 GPT2LMHeadModel로 옮길 수 없습니다: HF GPT-2 block은 pre-LN입니다")
    activation = {"gelu_tanh": "gelu_new", "gelu": "gelu"}[c.activation]
    config = GPT2Config(vocab_size=c.vocab_size, n_positions=c.block_size, n_embd=c.n_embd, n_layer=c.n_layer,
                        n_head=c.n_head, n_inner=c.n_inner, activation_function=activation,
                        resid_pdrop=c.resid_pdrop, embd_pdrop=c.embd_pdrop, attn_pdrop=c.attn_pdrop,
                        layer_norm_epsilon=c.layer_norm_eps, tie_word_embeddings=c.tie_weights,
                        bos_token_id=None, eos_token_id=None, attn_implementation=attn_implementation)
    ref = GPT2LMHeadModel(config)
    ours = model.state_dict()
    with torch.no_grad():
        for key, target in ref.state_dict().items():
            if c.tie_weights and key == "lm_head.weight":
                continue                                         # HF도 wte.weight와 같은 tensor
            source = ours[key].t() if key.endswith(CONV1D_SUFFIXES) else ours[key]
            if source.shape != target.shape:
                raise ValueError(f"{key}: shape {tuple(source.shape)}을 {tuple(target.shape)}에 넣을 수 없습니다")
            target.copy_(source)
    return ref.train(model.training)


def max_logit_diff(a, b, x: torch.Tensor) -> float:
    with torch.no_grad():
        la = a(x) if isinstance(a, GPT) else a(x).logits
        lb = b(x) if isinstance(b, GPT) else b(x).logits
    return (la - lb).abs().max().item()


def capture_attention(ref: GPT2LMHeadModel, x: torch.Tensor) -> list[torch.Tensor]:
    """forward hook으로 층마다 attention 확률 (B, nh, T, T)을 모은다. eager 구현에서만 확률이 계산된다."""
    if ref.config._attn_implementation != "eager":
        raise ValueError("attention 확률은 eager 구현만 돌려줍니다: attn_implementation='eager'로 만드세요")
    maps: list[torch.Tensor] = []

    def hook(module, inputs, output):
        maps.append(output[1].detach().clone())                  # GPT2Attention.forward → (attn_output, attn_weights)

    handles = [block.attn.register_forward_hook(hook) for block in ref.transformer.h]
    try:
        with torch.no_grad():
            ref(x)
    finally:
        for handle in handles:
            handle.remove()
    return maps


@torch.no_grad()
def our_attention(model: GPT, x: torch.Tensor) -> list[torch.Tensor]:
    """우리 모델에서 같은 확률을 층마다 직접 계산한다 (block을 하나씩 밟으며)."""
    h = model.transformer.wte(x) + model.transformer.wpe(torch.arange(x.size(1)))
    maps = []
    for block in model.transformer.h:
        maps.append(block.attn.attention_weights(block.ln_1(h)))
        h = block(h)
    return maps


def load_pretrained():
    """gpt2 모델과 tokenizer: `utils.hub`의 순서 (HF cache → 내려받기). 없으면 DatasetUnavailable."""
    from transformers import GPT2TokenizerFast

    ref = hf_pretrained(GPT2LMHeadModel, "gpt2", download=True, attn_implementation="eager")
    tokenizer = hf_tokenizer(GPT2TokenizerFast, "gpt2", download=True)
    return ref.eval(), tokenizer


def main(argv=None) -> dict:
    parser = make_parser("GPT", "analysis", "HF GPT2LMHeadModel 읽기: 가중치 양방향 옮기기, parity, attention hook",
                         DATA_CHOICES, "random", default_epochs=1)
    parser.add_argument("--pretrained", action="store_true",
                        help="HF의 gpt2 가중치와 tokenizer를 쓴다 (cache 또는 인터넷)")
    args = parse_args(parser, argv)
    seed_everything(args.seed)
    out = Path(args.out)
    with limit_threads(args.threads), Timer() as timer:
        if args.pretrained:
            ref, tokenizer = load_pretrained()
            text = "The quick brown fox jumps over the lazy dog because it"
            x = torch.tensor([tokenizer.encode(text)])
            labels = [tokenizer.decode([i]) for i in x[0].tolist()]
        else:
            torch.manual_seed(args.seed)
            ref = GPT2LMHeadModel(tiny_config() if args.quick else tiny_config(n_layer=4, n_embd=128)).eval()
            x = torch.randint(0, ref.config.vocab_size, (1, 16), generator=torch.Generator().manual_seed(args.seed))
            labels = [str(i) for i in x[0].tolist()]
        rows = key_map(ref)
        transposed = [hf for hf, _, t in rows if t]
        print(f"HF state_dict key {len(rows)}개, 그중 transpose {len(transposed)}개 (Conv1D): "
              f"{', '.join(sorted({k.split('.', 3)[-1] for k in transposed}))}")

        ours = GPT.from_reference(ref)                           # HF → 우리
        back = to_reference(ours).eval()                         # 우리 → HF
        sdpa = to_reference(ours, attn_implementation="sdpa").eval()
        diffs = {"hf_vs_ours": max_logit_diff(ref, ours, x), "ours_vs_back": max_logit_diff(ours, back, x),
                 "eager_vs_sdpa": max_logit_diff(ref, sdpa, x)}
        greedy_equal = bool(torch.equal(ref.generate(x, max_new_tokens=20, do_sample=False,
                                                     pad_token_id=ref.config.eos_token_id or 0),
                                        ours.generate(x, max_new_tokens=20)))
        hf_maps, our_maps = capture_attention(ref, x), our_attention(ours, x)
        attention_diff = max((a - b).abs().max().item() for a, b in zip(hf_maps, our_maps))
        for name, value in diffs.items():
            print(f"max |logits 차이| {name}: {value:.2e}")
        print(f"attention 확률 (hook vs 우리): {attention_diff:.2e}, greedy 20 token 같음: {greedy_equal}")
        plots = [str(plot_attention(hf_maps[-1][0, h], out / f"hf_attention_layer{len(hf_maps) - 1}_head{h}.png",
                                    title=f"HF GPT-2 마지막 층 head {h} (forward hook)", x_labels=labels,
                                    y_labels=labels)) for h in range(2)]
    result = {"model": "GPT", "level": "analysis", "data": "gpt2" if args.pretrained else "random",
              "metric": "max_abs_logit_diff", "value": max(diffs.values()), "seconds": timer.seconds,
              **diffs, "attention_diff": attention_diff, "greedy_20_equal": greedy_equal,
              "n_keys": len(rows), "n_transposed": len(transposed), "parameters": ours.num_parameters(),
              "plots": plots}
    return report(result, out)


if __name__ == "__main__":
    cli(main)
