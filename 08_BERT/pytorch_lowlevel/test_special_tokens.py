"""L2 pre-training batcher (`bert_lowlevel.masked_batch`): [CLS]·[SEP]·[PAD] 자리는 batch를 몇 번 뽑아도 가려지지도,
label이 붙지도 않는다 (§3.1: 특수 token은 예측 대상이 아니다). 무작위로 바꾼 token도 특수 token이 아니다."""
import torch

from ..wordpiece import SPECIAL_TOKENS, WordPieceTokenizer
from .bert_lowlevel import masked_batch
from .masking import IGNORE_INDEX

WORDS = [chr(c) for c in range(ord("a"), ord("a") + 20)]


def tokenizer() -> WordPieceTokenizer:
    return WordPieceTokenizer(list(SPECIAL_TOKENS) + WORDS)


def blocks_with_padding(tok: WordPieceTokenizer, n: int = 40, T: int = 12) -> torch.Tensor:
    """[CLS] 단어… [SEP] [PAD]… 조각들 (길이가 서로 다르다). 한 조각에 특수 token이 여러 번 나오게
    [SEP]를 가운데에도 둔다."""
    g = torch.Generator().manual_seed(0)
    V = len(tok)
    ids = torch.randint(len(SPECIAL_TOKENS), V, (n, T), generator=g)
    for row in range(n):
        length = 4 + row % (T - 3)
        ids[row, 0], ids[row, length - 1], ids[row, length:] = tok.cls_id, tok.sep_id, tok.pad_id
        if length >= 6:
            ids[row, length // 2] = tok.sep_id
    return ids


def test_special_positions_are_never_masked_or_labelled_over_many_batches():
    tok = tokenizer()
    blocks = blocks_with_padding(tok)
    specials = torch.tensor([tok.cls_id, tok.sep_id, tok.pad_id])
    g = torch.Generator().manual_seed(1)
    labelled = 0
    for _ in range(300):
        rows = torch.randint(len(blocks), (16,), generator=g)
        ids = blocks[rows]
        masked, labels = masked_batch(blocks, rows, tok, g)
        special = torch.isin(ids, specials)
        assert torch.all(labels[special] == IGNORE_INDEX), "특수 token 자리에 label이 붙었다"
        assert torch.equal(masked[special], ids[special]), "특수 token 자리가 바뀌었다"
        chosen = labels != IGNORE_INDEX
        assert torch.equal(labels[chosen], ids[chosen])
        changed = masked != ids
        assert torch.all(chosen[changed]), "고르지 않은 자리가 바뀌었다"
        replaced = masked[changed & (masked != tok.mask_id)]
        assert torch.all(replaced >= len(SPECIAL_TOKENS)), "무작위 token이 특수 token이다"
        assert torch.all(chosen.sum(1) >= 1)
        labelled += int(chosen.sum())
    assert labelled > 1000                                                   # 실제로 많이 골랐다
