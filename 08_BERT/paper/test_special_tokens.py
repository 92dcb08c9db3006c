"""L3 pre-training batcher (`bert_paper.PretrainingBatches`): [CLS]·[SEP]·[PAD] 자리는 batch를 몇 번 뽑아도 가려지지도,
label이 붙지도 않는다 (§3.1, 부록 A.1). 입력 모양 [CLS] A [SEP] B [SEP]과 token type, attention mask도 본다."""
import torch

from ..wordpiece import SPECIAL_TOKENS, WordPieceTokenizer
from .bert_paper import PretrainingBatches

WORDS = [chr(c) for c in range(ord("a"), ord("a") + 20)]


def documents(n_docs: int = 6, seed: int = 0) -> list[list[list[int]]]:
    g = torch.Generator().manual_seed(seed)
    first, V = len(SPECIAL_TOKENS), len(SPECIAL_TOKENS) + len(WORDS)
    return [[torch.randint(first, V, (int(torch.randint(2, 9, (1,), generator=g)),), generator=g).tolist()
             for _ in range(4)] for _ in range(n_docs)]


def test_special_positions_are_never_masked_or_labelled_over_many_batches():
    tok = WordPieceTokenizer(list(SPECIAL_TOKENS) + WORDS)
    batches = PretrainingBatches(documents(), tok, batch_size=8, max_len=14, seed=0)
    specials = torch.tensor([tok.cls_id, tok.sep_id, tok.pad_id])
    n_labels = n_pad = 0
    for step in range(200):
        (masked, types, attention, chosen), (labels, is_next) = batches(step)
        assert labels.shape == (int(chosen.sum()),) and is_next.shape == (8,)
        # 가리기 전의 id를 되살린다: 고른 자리는 label, 나머지는 가린 뒤에도 그대로다
        original = masked.clone()
        original[chosen] = labels
        special = torch.isin(original, specials)
        assert not torch.any(chosen & special), "특수 token 자리를 골랐다"
        assert torch.all(attention == (original != tok.pad_id).long())
        for row in range(8):                                             # [CLS] A [SEP] B [SEP] [PAD]…
            n = int(attention[row].sum())
            seps = (original[row, :n] == tok.sep_id).nonzero().flatten().tolist()
            assert original[row, 0] == tok.cls_id and len(seps) == 2 and seps[1] == n - 1
            assert torch.all(types[row, :seps[0] + 1] == 0) and torch.all(types[row, seps[0] + 1:n] == 1)
        replaced = masked[chosen & (masked != tok.mask_id)]
        assert torch.all(replaced >= len(SPECIAL_TOKENS)), "무작위 token이 특수 token이다"
        assert torch.all(labels >= len(SPECIAL_TOKENS)), "label이 특수 token이다"
        n_labels += len(labels)
        n_pad += int((attention == 0).sum())
    assert n_labels > 1000 and n_pad > 100                               # padding이 있는 batch에서 많이 골랐다
