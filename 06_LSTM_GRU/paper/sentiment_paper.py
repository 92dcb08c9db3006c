"""감성 분류 — 단어 순서를 읽는 LSTM vs 단어의 유무만 보는 bag-of-words 기준선.

데이터:
- 기본 `--data sentiment` (내장, `utils.datasets.load_negation_sentiment`): 부정어(not / never / hardly)와
  역접("A but B", 문장의 극성은 뒤 절)이 있는 생성 문장. 어떤 단어도 혼자서는 label과 무관하게 만들어서
  bag-of-words 선형 모델은 우연(50%) 근처에 머문다. 순서를 읽어야 풀린다.
- `--data imdb` (실제, Maas et al. 2011): `--root` 아래 `aclImdb/{train,test}/{pos,neg}/*.txt`. 없으면 한 문장 안내.

모델: token id (B, T) → Embedding (V, E) → LSTM (Hochreiter & Schmidhuber 1997 + forget gate, `lstm_gru.LSTM`,
batch_first) → 각 문장의 **마지막 실제 token**의 h (오른쪽 padding은 읽고 버린다) → Linear(H, 2).
기준선: 같은 tokenizer의 단어 유무(binary bag-of-words) + logistic regression (scikit-learn).

실행:  python -m 06_LSTM_GRU.paper.sentiment_paper [--quick] [--data sentiment|imdb] [--cell lstm|gru]
"""
from __future__ import annotations

import re
from collections import Counter

import numpy as np
import torch
from torch import nn

from utils.cli import cli, make_parser, parse_args, report, seed_everything
from utils.core import Timer, limit_threads
from utils.datasets import load_imdb, load_negation_sentiment

from .lstm_gru import GRU, LSTM

DATA_CHOICES = ("sentiment", "imdb")
RUNS = ("sentiment",)
PAD, UNK = 0, 1
TOKEN = re.compile(r"[a-z0-9']+")


def tokenize(text: str) -> list[str]:
    """소문자로 바꾸고 HTML 줄바꿈(<br />)을 지운 뒤 단어(영문·숫자·')만 남긴다."""
    return TOKEN.findall(text.lower().replace("<br />", " "))


def build_vocab(texts: list[list[str]], max_size: int, min_count: int = 1) -> dict[str, int]:
    """빈도순 상위 max_size개 단어 → id (0 = padding, 1 = 모르는 단어). 동점은 단어 순서로 (결정적)."""
    counts = Counter(w for tokens in texts for w in tokens)
    words = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))[:max_size]
    return {w: i + 2 for i, w in enumerate(words)}


def encode(texts: list[list[str]], vocab: dict[str, int], max_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, max_len) id 행렬 (오른쪽 0 padding, 긴 문장은 앞 max_len개)과 길이 (B,). 빈 문장은 UNK 하나."""
    ids = torch.zeros(len(texts), max_len, dtype=torch.long)
    lengths = torch.zeros(len(texts), dtype=torch.long)
    for row, tokens in enumerate(texts):
        seq = [vocab.get(w, UNK) for w in tokens[:max_len]] or [UNK]
        ids[row, :len(seq)] = torch.tensor(seq)
        lengths[row] = len(seq)
    return ids, lengths


class SentimentClassifier(nn.Module):
    def __init__(self, vocab_size: int, embed: int, hidden: int, cell: str = "lstm"):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed, padding_idx=PAD)
        self.rnn = {"lstm": LSTM, "gru": GRU}[cell](embed, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 2)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(self.embedding(ids))                                  # (B, T, H)
        last = out[torch.arange(len(ids)), lengths - 1]                         # (B, H): 마지막 실제 token
        return self.head(last)                                                  # (B, 2)


def bag_of_words_accuracy(train_tokens, y_train, test_tokens, y_test, vocab) -> float:
    """단어 유무(binary) + logistic regression. 순서를 보지 않는 기준선."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    def matrix(token_lists):
        rows, cols = [], []
        for r, tokens in enumerate(token_lists):
            ids = sorted({vocab.get(w, UNK) for w in tokens})
            rows += [r] * len(ids)
            cols += ids
        return csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(token_lists), len(vocab) + 2))

    model = LogisticRegression(max_iter=2000).fit(matrix(train_tokens), y_train)
    return float(model.score(matrix(test_tokens), y_test))


@torch.no_grad()
def accuracy(model, ids, lengths, y, batch: int = 512) -> float:
    model.eval()
    hits = sum((model(ids[i:i + batch], lengths[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
               for i in range(0, len(ids), batch))
    return hits / len(ids)


def main(argv=None) -> dict:
    parser = make_parser("06_LSTM_GRU", "paper", "감성 분류: LSTM vs bag-of-words (부정·역접 문장 / IMDB)",
                         DATA_CHOICES, "sentiment", default_epochs=3)
    parser.add_argument("--cell", default="lstm", choices=["lstm", "gru"], help="recurrent 층")
    parser.add_argument("--hidden", type=int, default=64, help="hidden 크기 H")
    parser.add_argument("--embed", type=int, default=32, help="embedding 크기 E")
    parser.add_argument("--lr", type=float, default=3e-3, help="Adam learning rate")
    parser.add_argument("--batch-size", type=int, default=64, help="mini-batch 크기")
    parser.add_argument("--max-len", type=int, default=None, help="문장 최대 token 수 (기본: sentiment 32, imdb 200)")
    parser.add_argument("--max-vocab", type=int, default=20000, help="vocabulary 크기 상한 (빈도순)")
    args = parse_args(parser, argv)
    max_len = args.max_len or (32 if args.data == "sentiment" else 200)
    epochs = min(args.epochs, 1) if args.quick else args.epochs

    seed_everything(args.seed)
    from tqdm.auto import tqdm

    with Timer() as timer, limit_threads(args.threads):
        if args.data == "imdb":
            data = load_imdb(args.root)
        else:
            data = load_negation_sentiment(seed=args.seed)
        X_train, y_train, X_test, y_test = data.X_train, data.y_train, data.X_test, data.y_test
        if args.quick:
            rng = np.random.default_rng(args.seed)                              # 양쪽 class가 다 남도록 무작위로
            keep_train, keep_test = rng.permutation(len(X_train))[:512], rng.permutation(len(X_test))[:256]
            X_train, y_train = [X_train[i] for i in keep_train], y_train[keep_train]
            X_test, y_test = [X_test[i] for i in keep_test], y_test[keep_test]
        train_tokens, test_tokens = [tokenize(t) for t in X_train], [tokenize(t) for t in X_test]
        vocab = build_vocab(train_tokens, args.max_vocab)
        ids_train, len_train = encode(train_tokens, vocab, max_len)
        ids_test, len_test = encode(test_tokens, vocab, max_len)
        yt_train, yt_test = torch.from_numpy(y_train), torch.from_numpy(y_test)
        bow = bag_of_words_accuracy(train_tokens, y_train, test_tokens, y_test, vocab)

        torch.manual_seed(args.seed)
        model = SentimentClassifier(len(vocab) + 2, args.embed, args.hidden, args.cell)
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
        generator = torch.Generator().manual_seed(args.seed)
        history = {"train_loss": [], "train_accuracy": [], "test_accuracy": []}
        for _ in tqdm(range(epochs), desc=f"sentiment/{args.cell}", leave=False):
            model.train()
            order = torch.randperm(len(ids_train), generator=generator)
            total = 0.0
            for start in range(0, len(order), args.batch_size):
                idx = order[start:start + args.batch_size]
                loss = nn.functional.cross_entropy(model(ids_train[idx], len_train[idx]), yt_train[idx])
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                total += loss.item() * len(idx)
            history["train_loss"].append(total / len(order))
            history["train_accuracy"].append(accuracy(model, ids_train, len_train, yt_train))
            history["test_accuracy"].append(accuracy(model, ids_test, len_test, yt_test))

    import matplotlib.pyplot as plt

    from utils.visualization import save_figure

    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    epochs_axis = np.arange(1, epochs + 1)
    ax.plot(epochs_axis, history["test_accuracy"], marker="o", label=f"{args.cell.upper()} test")
    ax.plot(epochs_axis, history["train_accuracy"], marker=".", linestyle="--", label=f"{args.cell.upper()} train")
    ax.axhline(bow, color="gray", linestyle=":", label=f"bag-of-words test ({bow:.3f})")
    ax.set(title=f"감성 분류 ({args.data})", xlabel="epoch", ylabel="accuracy", ylim=(0.4, 1.01))
    ax.grid(True, alpha=0.3)
    ax.legend()
    plots = [str(save_figure(fig, f"{args.out}/sentiment_accuracy.png"))]
    result = {
        "model": f"{args.cell.upper()} classifier", "level": "paper", "data": args.data, "metric": "test_accuracy",
        "value": history["test_accuracy"][-1], "bag_of_words_test_accuracy": bow,
        "train_accuracy": history["train_accuracy"][-1], "history": history, "epochs": epochs,
        "n_train": len(X_train), "n_test": len(X_test), "vocab_size": len(vocab) + 2, "max_len": max_len,
        "hidden": args.hidden, "embed": args.embed, "lr": args.lr, "batch_size": args.batch_size,
        "n_parameters": sum(p.numel() for p in model.parameters()), "threads": args.threads,
        "seconds": timer.seconds, "plots": plots,
    }
    return report(result, args.out)


if __name__ == "__main__":
    cli(main)
