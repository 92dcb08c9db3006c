"""raw tensor BERT로 Masked LM pre-training — parameter dict, 손으로 쓴 attention, 손으로 쓴 학습 루프.

Devlin et al. (2018) §3.1 Task #1: token의 15%를 골라 80/10/10으로 가리고 (`masking.mask_tokens`), 가린
위치에서만 원래 token을 맞히는 cross-entropy를 줄인다 (`encoder.mlm_loss`). 이 레벨은 NSP 없이 MLM만.
데이터는 영어 산문(`utils.datasets.load_english_prose`)을 WordPiece(`08_BERT/wordpiece.py`)로 자른 token 열을
길이 max_len−2의 조각으로 나눈 [CLS] 조각 [SEP]이다.

확인하는 것: 처음 loss ≈ ln V (가중치가 작아 예측이 거의 균등), 학습하면 떨어지고, 가린 token 정답률이 오른다.

실행:  python -m 08_BERT.pytorch_lowlevel.bert_lowlevel [--quick] [--steps 300]
"""
from __future__ import annotations

import math

import torch

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.datasets import load_english_prose

from ..wordpiece import SPECIAL_TOKENS, WordPieceTokenizer, train_wordpiece
from . import encoder as E
from .masking import IGNORE_INDEX, mask_tokens


def make_blocks(text: str, tokenizer: WordPieceTokenizer, max_len: int) -> torch.Tensor:
    """전체 token 열을 (N, max_len) [CLS] … [SEP] 조각으로. 남는 꼬리는 버린다."""
    stream = [tokenizer.token_to_id[t] for t in tokenizer.tokenize(text)]
    body = max_len - 2
    n = len(stream) // body
    if n < 2:
        raise ValueError(f"corpus가 너무 짧습니다: token {len(stream)}개로 길이 {max_len}의 조각을 2개도 못 만듭니다")
    blocks = torch.tensor(stream[:n * body]).view(n, body)                     # (N, max_len − 2)
    cls = torch.full((n, 1), tokenizer.cls_id)
    sep = torch.full((n, 1), tokenizer.sep_id)
    return torch.cat([cls, blocks, sep], dim=1)                                 # (N, max_len)


def masked_batch(blocks: torch.Tensor, rows: torch.Tensor, tokenizer: WordPieceTokenizer, generator):
    ids = blocks[rows]                                                          # (B, T)
    special = (ids == tokenizer.cls_id) | (ids == tokenizer.sep_id) | (ids == tokenizer.pad_id)
    return mask_tokens(ids, special, tokenizer.mask_id, len(tokenizer), len(SPECIAL_TOKENS), generator)


def masked_loss_and_accuracy(params, masked, labels, num_heads: int):
    """가린 위치의 hidden만 MLM head에 넣는다 (공개 코드의 gather_indexes): (|M|, V) logits."""
    sequence_output, _, _ = E.bert_forward(params, masked, num_heads=num_heads)    # (B, T, H)
    chosen = labels != IGNORE_INDEX
    logits = E.mlm_logits(params, sequence_output[chosen][None])[0]            # (|M|, V)
    loss = E.mlm_loss(logits[None], labels[chosen][None])
    return loss, (logits.argmax(-1) == labels[chosen]).float().mean().item()


def main(argv=None) -> dict:
    parser = make_parser("08_BERT", "pytorch_lowlevel", "raw tensor BERT: 영어 산문으로 Masked LM pre-training",
                         ("english",), "english", default_epochs=1)
    parser.add_argument("--steps", type=int, default=300, help="학습 step 수")
    parser.add_argument("--vocab-size", type=int, default=1000, help="WordPiece vocabulary 크기")
    parser.add_argument("--hidden", type=int, default=64, help="H")
    parser.add_argument("--layers", type=int, default=2, help="L")
    parser.add_argument("--heads", type=int, default=2, help="A")
    parser.add_argument("--max-len", type=int, default=32, help="조각 길이 ([CLS]·[SEP] 포함)")
    parser.add_argument("--batch-size", type=int, default=32, help="mini-batch 크기")
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate")
    args = parse_args(parser, argv)
    if args.quick:
        args.steps, args.vocab_size = min(args.steps, 20), min(args.vocab_size, 300)
    seed_everything(args.seed)

    with Timer() as timer, limit_threads(args.threads):
        text = load_english_prose(max_chars=15_000 if args.quick else 200_000)
        tokenizer = WordPieceTokenizer(train_wordpiece(text.split("\n\n"), args.vocab_size))
        blocks = make_blocks(text, tokenizer, args.max_len)
        n_val = max(1, len(blocks) // 10)
        train_blocks, val_blocks = blocks[:-n_val], blocks[-n_val:]
        V = len(tokenizer)
        params = E.init_params(V, args.hidden, args.layers, args.heads, 4 * args.hidden, args.max_len,
                               seed=args.seed)
        optimizer = torch.optim.Adam(params.values(), lr=args.lr)
        generator = torch.Generator().manual_seed(args.seed)
        val_masked, val_labels = masked_batch(val_blocks, torch.arange(len(val_blocks)), tokenizer,
                                              torch.Generator().manual_seed(args.seed + 1))

        def validate():
            with torch.no_grad():
                loss, acc = masked_loss_and_accuracy(params, val_masked, val_labels, args.heads)
            return loss.item(), acc

        initial_loss, initial_acc = validate()
        history = {"step": [], "train_loss": [], "val_step": [0], "val_loss": [initial_loss],
                   "val_masked_accuracy": [initial_acc]}
        for step in range(args.steps):
            rows = torch.randint(len(train_blocks), (args.batch_size,), generator=generator)
            masked, labels = masked_batch(train_blocks, rows, tokenizer, generator)
            loss, _ = masked_loss_and_accuracy(params, masked, labels, args.heads)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            history["step"].append(step + 1)
            history["train_loss"].append(loss.item())
            if (step + 1) % max(1, args.steps // 10) == 0 or step + 1 == args.steps:
                val_loss, val_acc = validate()
                history["val_step"].append(step + 1)
                history["val_loss"].append(val_loss)
                history["val_masked_accuracy"].append(val_acc)

    from utils.visualization import plot_curves

    plot = plot_curves({"train MLM loss": history["train_loss"]}, f"{args.out}/mlm_loss_lowlevel.png",
                       title=f"raw tensor BERT, Masked LM (ln V = {math.log(V):.2f})", xlabel="step")
    result = {"model": "BERT (raw tensors)", "level": "pytorch_lowlevel", "data": args.data,
              "metric": "val_masked_accuracy", "value": history["val_masked_accuracy"][-1],
              "initial_val_loss": initial_loss, "final_val_loss": history["val_loss"][-1], "ln_vocab": math.log(V),
              "vocab_size": V, "steps": args.steps, "n_blocks": len(blocks), "history": history,
              "threads": args.threads, "seconds": timer.seconds, "plots": [str(plot)]}
    print(f"MLM: 처음 검증 loss {initial_loss:.3f} (균등 예측이면 ln V = {math.log(V):.3f}) → "
          f"{history['val_loss'][-1]:.3f}, 가린 token 정답률 {history['val_masked_accuracy'][-1]:.3f}")
    result = report(result, args.out)
    if args.quick:
        print(QUICK_NOTE)
    return result


QUICK_NOTE = ("이것은 smoke run이다 (20 step, vocabulary 300): loss가 ln V에서 조금만 내려가도 정상이다. 기본 설정"
              "(300 step)의 전체 실행은 README의 결과 표에 있다.")


if __name__ == "__main__":
    cli(main)
