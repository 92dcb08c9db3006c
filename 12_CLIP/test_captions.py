"""장의 데이터 도구 (`captions.py`) 검증: tokenizer의 규약 ([SOS] … [EOS], EOS = 가장 큰 id, 오른쪽 padding) →
모든 caption을 읽는다 → 뺀 조합과 prompt → 잘못된 입력."""
import numpy as np
import pytest

from utils.datasets import load_shapes
from utils.datasets.images import COLOUR_NAMES, SHAPE_NAMES

from .captions import (
    COMBINATIONS,
    HELD_OUT,
    KOREAN,
    WordTokenizer,
    caption,
    caption_words,
    combination_labels,
    held_out_mask,
    prompts,
)


def test_encode_wraps_in_sos_eos_and_pads_right():
    tok = WordTokenizer()
    ids, mask = tok.encode(["a red circle at the center", "a large blue ring at the top left"])
    assert ids.dtype == np.int64 and ids.shape == mask.shape == (2, 10)
    assert ids[0, 0] == tok.sos_id and ids[0, 7] == tok.eos_id and list(ids[0, 8:]) == [tok.pad_id] * 2
    assert mask[0].tolist() == [1] * 8 + [0] * 2 and mask[1].all()
    assert tok.decode(ids[1]) == "a large blue ring at the top left"


def test_eos_is_the_largest_id_so_both_pooling_rules_agree():
    tok = WordTokenizer()
    ids, _ = tok.encode(["a small white plus at the bottom right", "a cyan frame"])
    assert tok.eos_id == tok.vocab_size - 1
    first_eos = (ids == tok.eos_id).argmax(axis=1)
    assert np.array_equal(first_eos, ids.argmax(axis=1))


def test_every_generated_caption_fits_the_context():
    ds = load_shapes(n_train=400, n_test=100, seed=3)
    tok = WordTokenizer(context_length=12)
    ids, mask = tok.encode(ds.info["captions_train"] + ds.info["captions_test"])
    assert ids.shape[1] <= 12
    assert [tok.decode(row) for row in ids[:5]] == ds.info["captions_train"][:5]


def test_held_out_combinations_cover_every_colour_and_distinct_shapes():
    assert len({c for c, _ in HELD_OUT}) == len(HELD_OUT) == len({s for _, s in HELD_OUT})
    assert len(COMBINATIONS) == len(COLOUR_NAMES) * len(SHAPE_NAMES) == 80
    attributes = [{"colour": "red", "shape": "circle"}, {"colour": "red", "shape": "ring"},
                  {"colour": "blue", "shape": "circle"}]
    assert held_out_mask(attributes).tolist() == [True, False, False]
    assert combination_labels(attributes).tolist() == [COMBINATIONS.index(("red", "circle")),
                                                       COMBINATIONS.index(("red", "ring")),
                                                       COMBINATIONS.index(("blue", "circle"))]


def test_prompts_name_the_class_and_enumerate_size_and_position():
    ensemble = prompts("green", "vertical bar")
    assert len(ensemble) == 27 and len(set(ensemble)) == 27
    assert all(" green vertical bar at the " in p for p in ensemble)
    assert prompts("green", "vertical bar", ensemble=False) == ["a medium green vertical bar at the center"]
    WordTokenizer().encode(ensemble)                                       # 모든 단어가 vocabulary에 있다


def test_english_caption_is_the_dataset_caption_and_korean_names_every_attribute():
    ds = load_shapes(n_train=50, n_test=10, seed=4)
    assert [caption(a) for a in ds.info["attributes_train"]] == ds.info["captions_train"]
    a = {"size": "large", "colour": "red", "shape": "horizontal bar", "position": "top left"}
    assert caption(a, "ko") == "왼쪽 위에 있는 큰 빨간 가로 막대"
    assert len(set(KOREAN.values())) == len(KOREAN)                         # 서로 다른 속성은 서로 다른 말
    tok = WordTokenizer(context_length=12, language="ko")
    ids, _ = tok.encode([caption(x, "ko") for x in ds.info["attributes_train"]])
    assert [tok.decode(row) for row in ids[:3]] == [caption(x, "ko") for x in ds.info["attributes_train"][:3]]
    assert "한가운데에" in caption_words("ko") and "the" not in caption_words("ko")
    assert prompts("blue", "ring", ensemble=False, language="ko") == ["한가운데에 있는 중간 파란 고리"]


def test_bad_input_is_a_clear_value_error():
    tok = WordTokenizer(context_length=5)
    with pytest.raises(ValueError, match="vocabulary에 없는 단어"):
        tok.encode(["a purple circle"])
    with pytest.raises(ValueError, match="context_length=5"):
        tok.encode(["a large red circle at the center"])
    with pytest.raises(ValueError, match="목록"):
        tok.encode("a red circle")
    with pytest.raises(ValueError, match="모르는"):
        held_out_mask([], held_out=(("purple", "circle"),))
    with pytest.raises(ValueError, match="language"):
        caption({"size": "large", "colour": "red", "shape": "ring", "position": "center"}, "fr")


def test_duplicate_caption_pairs_counts_identical_sentences_in_a_batch():
    """손으로 센 값: 한 batch에 "a" 3개, "b" 2개 → 쌍 3 + 1 = 4, 그 caption 5개, 하한 (3 ln 3 + 2 ln 2) / 6."""
    import math

    from .captions import duplicate_caption_pairs

    stats = duplicate_caption_pairs(["a", "a", "b", "c", "a", "b"], batch_size=6, epochs=2, seed=3)
    assert stats["batches"] == 2 and stats["pairs_per_batch"] == 4 and stats["max_pairs"] == 4
    assert stats["rows_per_batch"] == 5
    assert stats["loss_floor"] == pytest.approx((3 * math.log(3) + 2 * math.log(2)) / 6)
    none = duplicate_caption_pairs(["a", "b", "c", "d"], batch_size=2, epochs=3)
    assert none["batches"] == 6 and none["pairs_per_batch"] == 0 and none["loss_floor"] == 0
    with pytest.raises(ValueError, match="batch_size"):
        duplicate_caption_pairs(["a", "b"], batch_size=3)


def test_duplicate_caption_floor_is_what_the_best_logits_reach():
    """하한이 실제로 대칭 InfoNCE의 최솟값인지: 같은 문장의 text feature는 같으므로 logit 행렬의 열(이미지 → 문장)과
    행(문장 → 이미지)이 같은 문장끼리 같아야 한다. 그 제약 안의 최선(같은 문장 블록에만 큰 logit s)을 torch의
    cross entropy로 직접 계산하면 s가 커질수록 Σ k ln k / N에 다가간다."""
    import math

    import torch
    import torch.nn.functional as F

    from .captions import duplicate_caption_pairs

    texts = ["a", "a", "b", "c", "a", "b"]
    same = torch.tensor([[float(u == v) for v in texts] for u in texts])          # (N, N) 같은 문장 블록
    logits = 60.0 * same
    targets = torch.arange(len(texts))
    symmetric = (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2
    floor = duplicate_caption_pairs(texts, batch_size=6, epochs=1, seed=0)["loss_floor"]
    assert floor == pytest.approx((3 * math.log(3) + 2 * math.log(2)) / 6)
    assert symmetric.item() == pytest.approx(floor, abs=1e-6)
