"""BERT 속도: 우리 L3 `BERT` vs HF `BertModel`(eager attention, sdpa attention), 그리고 MLM 학습 한 step.

한 번의 실행 안에서 같은 가중치(`from_reference`로 옮김), 같은 입력으로:
    1. eval 모드 forward (`torch.no_grad`): T = 128과 512. 세 구현(우리, HF eager, HF sdpa)을 번갈아 잰다.
    2. MLM 학습 한 step (forward + loss + backward + AdamW step, 학습 모드의 dropout 0.1): 우리
       `BERTForPreTraining(next_sentence=False)` vs HF `BertForMaskedLM` (sdpa), T = 128, 위치의 15%에 label.
기본 조건: BERT-base (L=12, H=768, A=12), batch 8, 오른쪽 padding이 있는 입력 (문장 길이를 T/2 … T에서 고르게),
float32, CPU, 1 thread. 번갈아 재기·비율·구간·판정은 `utils.benchmark` [goal: L3 / production twin ≤ 1×].
세 출력이 같은지(최대 절대 차이)도 함께 확인한다.

우리 모델은 attention에 `F.scaled_dot_product_attention`과 (B, 1, 1, T) 더하기 mask를 쓰므로 HF sdpa와 같은
kernel을 부른다. HF eager는 softmax(QKᵀ)V를 행렬곱으로 직접 계산한다.

실행:  python -m 08_BERT.benchmark_bert [--lengths 128 512] [--train-length 128] [--batch 8] [--repeats 5] [--threads 1]
       python -m 08_BERT.benchmark_bert --tiny      # 작은 config로 한 번 (테스트가 쓴다)
(timed test는 없다: 테스트는 작은 크기로 한 번 돌고 비율을 돌려주는지만 본다.)
"""
from __future__ import annotations

from utils.benchmark import benchmark_main, compare, interleaved_times, training_step
from utils.cli import positive_int


def inputs(config_kwargs: dict, batch: int, length: int, seed: int):
    """(ids, mask): 오른쪽 padding이 있는 (B, T) token id와 1 = 읽음 mask."""
    import torch

    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(1, config_kwargs["vocab_size"], (batch, length), generator=g)
    lengths = torch.linspace(length // 2, length, batch).long()
    mask = (torch.arange(length)[None, :] < lengths[:, None]).long()          # (B, T) 1 = 읽음
    return ids * mask, mask                                                    # padding 위치는 [PAD] = 0


def measure(config_kwargs: dict, batch: int, length: int, repeats: int, seed: int) -> list[dict]:
    import torch
    import transformers

    from .paper.bert import BERT

    torch.manual_seed(seed)
    refs = {attn: transformers.BertModel(transformers.BertConfig(**config_kwargs, attn_implementation=attn)).eval()
            for attn in ("eager", "sdpa")}
    refs["sdpa"].load_state_dict(refs["eager"].state_dict())
    ours = BERT.from_reference(refs["eager"]).eval()
    ids, mask = inputs(config_kwargs, batch, length, seed)

    with torch.no_grad():
        def run_ours():
            return ours(ids, attention_mask=mask)[0]

        def run_eager():
            return refs["eager"](input_ids=ids, attention_mask=mask).last_hidden_state

        def run_sdpa():
            return refs["sdpa"](input_ids=ids, attention_mask=mask).last_hidden_state

        t = interleaved_times({"ours": run_ours, "hf_eager": run_eager, "hf_sdpa": run_sdpa}, repeats)
        real = mask.bool()
        out = run_ours()[real]
        diff = {"eager": (out - run_eager()[real]).abs().max().item(),
                "sdpa": (out - run_sdpa()[real]).abs().max().item()}
    return [compare(f"forward T={length}", "우리 BERT", f"HF {attn}", t["ours"], t[f"hf_{attn}"], "L3",
                    max_abs_diff=diff[attn]) for attn in ("sdpa", "eager")]


def measure_training(config_kwargs: dict, batch: int, length: int, repeats: int, seed: int) -> list[dict]:
    """MLM 학습 한 step: 우리 `BERTForPreTraining(next_sentence=False)` vs HF `BertForMaskedLM` (같은 가중치)."""
    import torch
    import torch.nn.functional as F
    import transformers

    from .paper.bert import BERTForPreTraining

    torch.manual_seed(seed)
    ref = transformers.BertForMaskedLM(transformers.BertConfig(**config_kwargs, attn_implementation="sdpa"))
    ours = BERTForPreTraining.from_reference(ref)
    ids, mask = inputs(config_kwargs, batch, length, seed)
    g = torch.Generator().manual_seed(seed + 1)
    chosen = (torch.rand(ids.shape, generator=g) < 0.15) & mask.bool()          # (B, T) 예측할 위치
    labels = torch.where(chosen, ids, torch.full_like(ids, -100))               # -100 = loss에서 뺀다
    V = config_kwargs["vocab_size"]
    ours.eval(), ref.eval()
    with torch.no_grad():
        diff = (ours(ids, attention_mask=mask)[0] - ref(input_ids=ids, attention_mask=mask).logits).abs().max().item()

    def ours_loss(model):
        logits = model(ids, attention_mask=mask)[0]                             # (B, T, V)
        return F.cross_entropy(logits.view(-1, V), labels.view(-1), ignore_index=-100)

    t = interleaved_times({"ours": training_step(ours, ours_loss),
                           "hf": training_step(ref, lambda m: m(input_ids=ids, attention_mask=mask,
                                                                labels=labels).loss)}, repeats)
    return [compare(f"MLM 학습 step T={length} (AdamW)", "우리 BERT", "HF BertForMaskedLM", t["ours"], t["hf"], "L3",
                    max_abs_diff=diff)]


BASE = dict(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072,
            max_position_embeddings=512)
TINY = dict(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
            max_position_embeddings=64)


def measure_all(args) -> dict:
    config = TINY if args.quick else BASE
    rows = [row for length in args.lengths for row in measure(config, args.batch, length, args.repeats, args.seed)]
    rows += measure_training(config, args.batch, args.train_length, args.repeats, args.seed)
    return {"batch": args.batch, "tiny": args.quick, "rows": rows}


def options(parser) -> None:
    parser.add_argument("--lengths", type=positive_int, nargs="+", default=[128, 512], help="sequence 길이 T (여러 개)")
    parser.add_argument("--batch", type=positive_int, default=8, help="batch 크기 B")
    parser.add_argument("--train-length", type=positive_int, default=128, help="MLM 학습 step의 T")


def check(args) -> str | None:
    limit = (TINY if args.quick else BASE)["max_position_embeddings"]
    if max(*args.lengths, args.train_length) > limit:
        return f"--lengths와 --train-length는 position table 크기 {limit} 이하여야 합니다"
    return None


def main(argv=None) -> dict:
    return benchmark_main(
        measure_all, "BERT forward 속도: 우리 BERT vs HF BertModel (eager, sdpa), MLM 학습 step", argv, repeats=5,
        quick="--tiny", options=options, check=check,
        summary=lambda r: f"{'tiny' if r['tiny'] else 'BERT-base'}, batch {r['batch']}, padding 있음, float32")


if __name__ == "__main__":
    main()
