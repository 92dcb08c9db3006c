"""L4: Hugging Face transformers의 BERT(`modeling_bert.py`)와 우리 L3 BERT 사이에 가중치를 양쪽으로 옮기고,
출력이 같음을 확인하고, forward hook으로 HF의 attention 확률을 꺼내 그린다.

안내서: 같은 폴더의 README.md (설치된 transformers의 줄 번호와 함께).

- `to_ours(ref)`: HF → 우리 (`BERT.from_reference` / `BERTForPreTraining.from_reference`)
- `to_hf(model, attn)`: 우리 → HF. `WEIGHT_KEY_MAP`(우리 이름 → HF 이름)의 역방향으로 state_dict를 채운다.
  HF의 `cls.predictions.decoder.weight`와 `.bias`는 만들어질 때 이미 word embedding과 `cls.predictions.bias`에
  묶여 있으므로(tied) 따로 쓰지 않는다.
- `parity(...)`: 작은 무작위 config 여러 개 × eager/sdpa × 양방향의 최대 절대 오차.
- `capture_attention(ref, ...)`: `BertSelfAttention`의 forward hook이 돌려받는 (attn_output, attn_weights) 중
  attn_weights를 모은다 (eager일 때만 확률이 있다: sdpa는 fused kernel이라 None).

실행:  python -m 08_BERT.analysis.bert_analysis [--quick]
"""
from __future__ import annotations

import torch
import transformers
from torch import nn

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads

from ..paper.bert import BERT, BERTConfig, BERTForPreTraining

# 우리 이름 → HF 이름 (층 번호 자리는 {i}). 모든 Linear는 양쪽 다 (out, in): 전치 없음.
EMBEDDING_KEYS = {
    "embeddings.word_embeddings": "embeddings.word_embeddings",
    "embeddings.position_embeddings": "embeddings.position_embeddings",
    "embeddings.token_type_embeddings": "embeddings.token_type_embeddings",
    "embeddings.norm": "embeddings.LayerNorm",
}
LAYER_KEYS = {
    "layers.{i}.attention.query": "encoder.layer.{i}.attention.self.query",
    "layers.{i}.attention.key": "encoder.layer.{i}.attention.self.key",
    "layers.{i}.attention.value": "encoder.layer.{i}.attention.self.value",
    "layers.{i}.attention.output": "encoder.layer.{i}.attention.output.dense",
    "layers.{i}.attention.norm": "encoder.layer.{i}.attention.output.LayerNorm",
    "layers.{i}.ffn.up": "encoder.layer.{i}.intermediate.dense",
    "layers.{i}.ffn.down": "encoder.layer.{i}.output.dense",
    "layers.{i}.ffn.norm": "encoder.layer.{i}.output.LayerNorm",
}
HEAD_KEYS = {                                                          # BertForPreTraining의 head
    "mlm.dense": "cls.predictions.transform.dense",
    "mlm.norm": "cls.predictions.transform.LayerNorm",
    "nsp": "cls.seq_relationship",
}
TIED_KEYS = ("cls.predictions.decoder.weight", "cls.predictions.decoder.bias")   # HF만 가진 이름 (묶인 Parameter)


def weight_key_map(num_layers: int, pretraining: bool) -> dict[str, str]:
    """우리 state_dict key → HF state_dict key 전체 (BERT이면 BertModel, BERTForPreTraining이면 BertForPreTraining)."""
    modules = dict(EMBEDDING_KEYS)
    for i in range(num_layers):
        modules.update({ours.format(i=i): theirs.format(i=i) for ours, theirs in LAYER_KEYS.items()})
    modules["pooler.dense"] = "pooler.dense"
    keys = {f"{ours}.{p}": f"{theirs}.{p}" for ours, theirs in modules.items() for p in ("weight", "bias")}
    for name in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
        del keys[f"embeddings.{name}.bias"]                                # Embedding은 weight만 있다
    if not pretraining:
        return keys
    full = {f"bert.{ours}": f"bert.{theirs}" for ours, theirs in keys.items()}
    for ours, theirs in HEAD_KEYS.items():
        full.update({f"{ours}.{p}": f"{theirs}.{p}" for p in ("weight", "bias")})
    full["mlm.bias"] = "cls.predictions.bias"                               # 출력 전용 bias
    return full


def hf_config(config: BERTConfig, attn: str = "sdpa") -> transformers.BertConfig:
    return transformers.BertConfig(
        vocab_size=config.vocab_size, hidden_size=config.hidden_size, num_hidden_layers=config.num_layers,
        num_attention_heads=config.num_heads, intermediate_size=config.intermediate_size,
        max_position_embeddings=config.max_position, type_vocab_size=config.type_vocab_size,
        hidden_dropout_prob=config.hidden_dropout, attention_probs_dropout_prob=config.attention_dropout,
        layer_norm_eps=config.layer_norm_eps, pad_token_id=config.pad_token_id, hidden_act="gelu",
        initializer_range=config.initializer_range, attn_implementation=attn)


def to_ours(ref: nn.Module) -> nn.Module:
    if type(ref).__name__ == "BertModel":
        return BERT.from_reference(ref)
    return BERTForPreTraining.from_reference(ref)


def to_hf(model: nn.Module, attn: str = "sdpa") -> nn.Module:
    """우리 BERT / BERTForPreTraining(NSP 있음) → HF BertModel / BertForPreTraining (같은 가중치)."""
    pretraining = isinstance(model, BERTForPreTraining)
    if pretraining and model.nsp is None:
        raise ValueError("NSP head가 없는 모델은 BertForMaskedLM에 해당합니다: to_hf는 BertForPreTraining만 만듭니다")
    bert = model.bert if pretraining else model
    if bert.pooler is None:
        raise ValueError("pooler가 없는 BERT는 HF BertModel(add_pooling_layer=True)과 구조가 다릅니다")
    cls = transformers.BertForPreTraining if pretraining else transformers.BertModel
    ref = cls(hf_config(model.config, attn))
    key_map = weight_key_map(model.config.num_layers, pretraining)
    ours = model.state_dict()
    theirs = ref.state_dict()
    if set(ours) != set(key_map) or set(key_map.values()) | (set(TIED_KEYS) if pretraining else set()) != set(theirs):
        raise ValueError("weight key map이 두 state_dict를 정확히 덮지 않습니다")
    with torch.no_grad():
        for our_key, their_key in key_map.items():
            theirs[their_key].copy_(ours[our_key])                     # state_dict의 tensor는 parameter와 같은 저장소
    return ref.eval()


def max_abs(a: torch.Tensor, b: torch.Tensor) -> float:
    return (a - b).abs().max().item()


def example_inputs(config: BERTConfig, batch: int = 3, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    T = config.max_position - 1
    ids = torch.randint(0, config.vocab_size, (batch, T), generator=g)
    types = torch.randint(0, config.type_vocab_size, (batch, T), generator=g)
    mask = torch.ones(batch, T, dtype=torch.long)
    mask[batch - 1, T // 2:] = 0                                           # 마지막 문장의 뒤 절반은 padding
    return ids, types, mask


def parity(configs: list[BERTConfig], attns=("eager", "sdpa")) -> dict[str, float]:
    """HF → 우리, 우리 → HF 양방향의 최대 절대 오차 (eval 모드, padding과 token type 포함)."""
    worst = {}
    for n, config in enumerate(configs):
        ids, types, mask = example_inputs(config, seed=n)
        for attn in attns:
            torch.manual_seed(n)
            ref = transformers.BertForPreTraining(hf_config(config, attn)).eval()
            out = ref(input_ids=ids, token_type_ids=types, attention_mask=mask)
            mlm, nsp = to_ours(ref).eval()(ids, types, mask)
            back = to_hf(BERTForPreTraining.from_reference(ref), attn)(input_ids=ids, token_type_ids=types,
                                                                        attention_mask=mask)
            for key, value in {"hf_to_ours_mlm": max_abs(mlm, out.prediction_logits),
                               "hf_to_ours_nsp": max_abs(nsp, out.seq_relationship_logits),
                               "ours_to_hf_mlm": max_abs(back.prediction_logits, out.prediction_logits)}.items():
                worst[f"{attn}_{key}"] = max(worst.get(f"{attn}_{key}", 0.0), value)
    return worst


def capture_attention(ref: nn.Module, ids, types=None, mask=None) -> list[torch.Tensor]:
    """forward hook으로 각 층 `BertSelfAttention`의 attention 확률 (B, nh, T, T)을 모은다 (eager 필요)."""
    maps, handles = [], []
    for module in ref.modules():
        if type(module).__name__ == "BertSelfAttention":
            handles.append(module.register_forward_hook(lambda m, args, output: maps.append(output[1])))
    try:
        with torch.no_grad():
            ref(input_ids=ids, token_type_ids=types, attention_mask=mask)
    finally:
        for h in handles:
            h.remove()
    if any(m is None for m in maps):
        raise ValueError("attention 확률이 None입니다: sdpa 구현은 확률을 만들지 않습니다 "
                         "(attn_implementation='eager'로 만드세요)")
    return maps


ANALYSIS_CONFIGS = [
    BERTConfig(vocab_size=37, hidden_size=12, num_layers=2, num_heads=3, intermediate_size=20, max_position=11,
               type_vocab_size=3),
    BERTConfig(vocab_size=53, hidden_size=15, num_layers=1, num_heads=5, intermediate_size=7, max_position=9,
               layer_norm_eps=1e-5, pad_token_id=3),
    BERTConfig(vocab_size=64, hidden_size=32, num_layers=3, num_heads=4, intermediate_size=64, max_position=24),
]


def main(argv=None) -> dict:
    parser = make_parser("08_BERT", "analysis", "HF BERT ↔ 우리 BERT: 가중치 양방향 이식, parity, attention hook",
                         ("english",), "english", default_epochs=1)
    args = parse_args(parser, argv)
    seed_everything(args.seed)
    with Timer() as timer, limit_threads(args.threads):
        worst = parity(ANALYSIS_CONFIGS[:1] if args.quick else ANALYSIS_CONFIGS)
        config = ANALYSIS_CONFIGS[2]
        torch.manual_seed(args.seed)
        ref = transformers.BertModel(hf_config(config, "eager")).eval()
        ids, types, mask = example_inputs(config, batch=1)
        theirs = capture_attention(ref, ids, types, mask)
        ours = BERT.from_reference(ref).eval().attention_maps(ids, types, mask)
        attention_diff = max(max_abs(a, b) for a, b in zip(ours, theirs))

    from utils.visualization import plot_attention

    plot = plot_attention(theirs[-1][0, 0], f"{args.out}/hf_attention_hook.png",
                          title="HF BertSelfAttention hook: 마지막 층 head 0")
    result = {"model": "BERT (HF port)", "level": "analysis", "data": "random tiny configs",
              "metric": "max_abs_diff", "value": max(worst.values()), "parity": worst,
              "attention_hook_max_abs_diff": attention_diff, "transformers_version": transformers.__version__,
              "torch_version": torch.__version__, "threads": args.threads, "seconds": timer.seconds,
              "plots": [str(plot)]}
    result = report(result, args.out)
    if args.quick:
        print(f"이것은 smoke run이다: 무작위 구성 {len(ANALYSIS_CONFIGS)}개 중 1개만 비교했다. 전체 실행은 세 구성 "
              "모두를 비교하고, 최대 차이는 F32_ATOL(1e-5)보다 훨씬 작다 (README의 결과 표).")
    return result


if __name__ == "__main__":
    cli(main)
