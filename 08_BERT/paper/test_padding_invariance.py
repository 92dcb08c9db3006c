"""L3 padding 불변성: 문장 오른쪽에 [PAD]를 더 붙이고 attention_mask를 0으로 주면, 모든 head의 출력이 그대로다 —
encoder (sequence output의 진짜 위치, pooled [CLS]), MLM + NSP head, 문장 분류 head (`BERTClassifier`와 mask를
PAD id에서 만드는 `bert_paper.SentenceClassifier`), 가린 위치만 계산하는 `bert_paper.PretrainingObjective`.

가중치를 크게 흔들고 (Linear std 0.5, LayerNorm γ·β 무작위) float64로 비교한다.
"""
import torch
from torch import nn

from utils.gradcheck import F64_ATOL, F64_RTOL

from .bert import BERTClassifier, BERTConfig, BERTForPreTraining
from .bert_paper import PretrainingObjective, SentenceClassifier

PAD, EXTRA = 0, 4
CONFIG = BERTConfig(vocab_size=29, hidden_size=12, num_layers=2, num_heads=3, intermediate_size=20, max_position=16,
                    hidden_dropout=0.1, attention_dropout=0.1, pad_token_id=PAD)


def scramble_(model: nn.Module, seed: int = 0) -> nn.Module:
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                m.weight.copy_(0.5 * torch.randn(m.weight.shape, generator=g, dtype=m.weight.dtype))
                if getattr(m, "bias", None) is not None:
                    m.bias.copy_(0.5 * torch.randn(m.bias.shape, generator=g, dtype=m.bias.dtype))
            elif isinstance(m, nn.LayerNorm):
                m.weight.copy_(1 + 0.5 * torch.randn(m.weight.shape, generator=g, dtype=m.weight.dtype))
                m.bias.copy_(0.5 * torch.randn(m.bias.shape, generator=g, dtype=m.bias.dtype))
    return model


def model() -> BERTForPreTraining:
    torch.manual_seed(0)
    return scramble_(BERTForPreTraining(CONFIG)).double().eval()


def batch():
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(5, CONFIG.vocab_size, (3, 8), generator=g)
    types = torch.randint(0, 2, (3, 8), generator=g)
    mask = torch.ones(3, 8, dtype=torch.long)
    ids[2, 5:], mask[2, 5:], types[2, 5:] = PAD, 0, 0                   # 이미 padding이 있는 문장
    return ids, types, mask


def padded(ids, types, mask):
    zeros = torch.zeros(ids.shape[0], EXTRA, dtype=torch.long)
    return torch.cat([ids, zeros + PAD], 1), torch.cat([types, zeros], 1), torch.cat([mask, zeros], 1)


def close(a, b):
    torch.testing.assert_close(a, b, rtol=F64_RTOL, atol=F64_ATOL)


def test_encoder_and_pretraining_heads_are_unchanged_by_extra_right_padding():
    net = model()
    ids, types, mask = batch()
    real = mask.bool()
    seq, pooled = net.bert(ids, types, mask)
    mlm, nsp = net(ids, types, mask)
    seq_p, pooled_p = net.bert(*padded(ids, types, mask))
    mlm_p, nsp_p = net(*padded(ids, types, mask))
    close(seq_p[:, :8][real], seq[real])
    close(pooled_p, pooled)
    close(mlm_p[:, :8][real], mlm[real])
    close(nsp_p, nsp)


def test_classification_heads_are_unchanged_by_extra_right_padding():
    net = model()
    ids, types, mask = batch()
    classifier = BERTClassifier(net.bert, num_labels=3).double().eval()
    close(classifier(*padded(ids, types, mask)), classifier(ids, types, mask))
    sentence = SentenceClassifier(net.bert, pad_id=PAD, num_labels=3).double().eval()   # mask는 PAD id에서
    close(sentence(padded(ids, types, mask)[0]), sentence(ids))


def test_gathered_pretraining_objective_is_unchanged_by_extra_right_padding():
    net = model()
    ids, types, mask = batch()
    chosen = torch.zeros_like(mask, dtype=torch.bool)
    chosen[:, 2] = chosen[0, 6] = True
    objective = PretrainingObjective(net).eval()
    mlm, nsp = objective((ids, types, mask, chosen))
    ids_p, types_p, mask_p = padded(ids, types, mask)
    chosen_p = torch.cat([chosen, torch.zeros(3, EXTRA, dtype=torch.bool)], 1)
    mlm_p, nsp_p = objective((ids_p, types_p, mask_p, chosen_p))
    close(mlm_p, mlm)
    close(nsp_p, nsp)
