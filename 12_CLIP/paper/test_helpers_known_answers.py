"""평가 도우미를 답을 아는 손으로 만든 입력에서 본다: 검색 recall@k (`clip_paper.recall_at_k`), prompt ensemble
분류기 (`zero_shot_weights`), zero-shot 예측 (`zero_shot_predict`). 정렬 방향, 행/열, reshape 순서를 바꾸면
답이 달라지는 입력이다."""
import numpy as np
import pytest
import torch

from .clip import zero_shot_predict, zero_shot_weights
from .clip_paper import recall_at_k


def test_identity_similarity_gives_recall_one_and_reversed_similarity_gives_zero():
    same = torch.eye(6, dtype=torch.bool)
    assert recall_at_k(torch.eye(6), same, ks=(1, 5)) == {1: 1.0, 5: 1.0}
    # 정답의 유사도가 가장 낮다: 6개 중 6위 → @1 = @5 = 0 (오름차순으로 정렬하면 1이 된다)
    assert recall_at_k(-torch.eye(6), same, ks=(1, 5)) == {1: 0.0, 5: 0.0}


def test_known_ranks_give_the_counted_recall():
    """query q의 정답이 rank r_q (1부터)에 오도록 만든 유사도: recall@k = #{q : r_q ≤ k} / Q."""
    ranks = [1, 2, 3, 7, 4, 5, 1]                                       # Q = 7 query, N = 7 후보
    Q = N = len(ranks)
    sim = torch.zeros(Q, N)
    same = torch.zeros(Q, N, dtype=torch.bool)
    for q, r in enumerate(ranks):
        answer = (q + 3) % N                                            # 정답이 대각선에 있지 않게
        others = [n for n in range(N) if n != answer]
        order = others[:r - 1] + [answer] + others[r - 1:]              # 높은 유사도부터
        for position, n in enumerate(order):
            sim[q, n] = 10.0 - position
        same[q, answer] = True
    got = recall_at_k(sim, same, ks=(1, 2, 3, 5, 7))
    for k in (1, 2, 3, 5, 7):
        assert got[k] == pytest.approx(sum(r <= k for r in ranks) / Q), k


def test_rectangular_similarity_with_several_correct_items_reads_rows_as_queries():
    """query 2개 × 후보 5개, 정답이 여럿: 행이 query다. 전치해서 (문장 → 이미지) 부르면 그쪽의 답."""
    sim = torch.tensor([[0.9, 0.1, 0.8, 0.2, 0.3],
                        [0.1, 0.2, 0.3, 0.4, 0.95]])
    same = torch.tensor([[False, False, True, False, True],            # query 0: 정답은 2위 (0.8)
                         [True, False, False, False, False]])          # query 1: 정답은 5위 (0.1)
    assert recall_at_k(sim, same, ks=(1, 2, 5)) == {1: 0.0, 2: 0.5, 5: 1.0}
    # 전치: 후보 5개가 query, query 2개가 후보. 1위는 [0, 1, 0, 1, 1]이고 그중 정답은 후보 2 → 0뿐 (0.8 > 0.3)
    assert recall_at_k(sim.t(), same.t(), ks=(1, 2)) == {1: pytest.approx(0.2), 2: pytest.approx(0.6)}


class StubText:
    """encode_text: token 0 = class k, token 1 = template m → (1 + m)·(e_k + ½ e_{K+m}) (K + M 차원)."""

    def __init__(self, K, M):
        self.K, self.M = K, M

    def encode_text(self, ids, mask=None):
        k, m = ids[:, 0], ids[:, 1]
        f = torch.zeros(len(ids), self.K + self.M, dtype=torch.float64)
        f[torch.arange(len(ids)), k] = 1.0
        f[torch.arange(len(ids)), self.K + m] = 0.5
        return f * (1 + m)[:, None].double()


def test_prompt_ensemble_averages_templates_within_each_class():
    K, M, T = 3, 4, 5
    ids = torch.zeros(K, M, T, dtype=torch.long)
    ids[:, :, 0] = torch.arange(K)[:, None]
    ids[:, :, 1] = torch.arange(M)[None, :]
    weights = zero_shot_weights(StubText(K, M), ids).numpy()
    for k in range(K):
        v = np.zeros(K + M)
        v[k] = 1.0
        v[K:] = 0.5 / M                                                 # 정규화한 template feature들의 평균
        v /= np.linalg.norm(v)
        np.testing.assert_allclose(weights[k], v, rtol=1e-12, atol=1e-12)


class StubImage:
    def __init__(self, features):
        self.features = features

    def encode_image(self, pixel_values):
        return self.features


def test_zero_shot_predicts_the_class_with_the_highest_cosine_for_each_image():
    """이미지 5장, class 3개: 이미지 i의 답은 [2, 0, 1, 2, 0] (class 쪽으로 argmax; B ≠ K)."""
    W = torch.nn.functional.normalize(torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]), dim=-1)
    images = torch.tensor([[0.1, 0.2, 3.0], [5.0, 0.1, 0.2], [0.0, 0.4, 0.1], [-1.0, 0.0, 0.2], [0.3, -2.0, -1.0]])
    assert zero_shot_predict(StubImage(images), None, W).tolist() == [2, 0, 1, 2, 0]
