"""06장의 핵심 주장: adding problem (T = 100)에서 LSTM과 GRU는 답을 찾고, vanilla RNN은 분산 기준선에 머문다.

Hochreiter & Schmidhuber (1997), §5.4 실험 4: 두 marker 위치의 값의 합을 마지막 step에서 맞히는 문제. 첫 marker는 끝에서
50–100 step 떨어져 있어, 그 값을 그만큼 기억해야 한다. 기억하지 못하는 모델은 늘 평균(1)을 예측하는 것이 최선이라
test MSE가 Var(u_a + u_b) ≈ 1/6 (이 test 집합의 "기준선")에 머문다. LSTM의 cell은 더하기로 이어지는 경로(constant error
carousel, §3.2)라 먼 과거의 오차 신호가 사라지지 않는다. GRU(Cho et al. 2014)도 같은 더하기 경로를 가진다.

재는 것: 장의 실험 `paper/adding_paper.run_adding`을 CLI 기본 처방 그대로 (H = 32, Adam lr 1e-2, batch 64, clip 1,
1,500 step, LSTM forget bias 1) seed마다 한 번 돌린다. 데이터(학습 10,000 / test 1,000), 초기화, batch 순서가 seed를
따른다. arm은 세 모델의 1,500 step 뒤 test MSE와 그 test 집합의 기준선 MSE(항상 1을 예측)이다.
한 번의 실행이 두 주장을 함께 잰다: 두 번째 주장은 같은 seed의 결과를 다시 쓴다 (`_experiment`의 cache).

기준 (실행 전에 적음; 장의 예전 slow 테스트가 seed 0 하나에 쓰던 기준을 seed 여러 개로):
    gated_solve:        seed마다 max(MSE_LSTM, MSE_GRU) / 기준선; 95% t 구간 상한이 0.1보다 작으면 holds
    rnn_stays_at_baseline: seed마다 MSE_RNN / 기준선; 95% t 구간 하한이 0.8보다 크면 holds

실행: python -m utils.claims 06
"""
from __future__ import annotations

from functools import cache

from utils.claims import Claim, Criterion

from .paper.adding_paper import run_adding

ARMS = ("mse_rnn", "mse_lstm", "mse_gru", "baseline_mse")
QUICK = dict(seq_len=20, steps=30)               # CLI의 --quick과 같은 크기 (판정에 의미 없음)


@cache
def _experiment(seed: int, quick: bool) -> tuple[tuple[str, float], ...]:
    experiment = run_adding(seed, progress=False, **(QUICK if quick else {}))
    mse = experiment["test_mse"]
    return (("mse_rnn", mse["rnn"]), ("mse_lstm", mse["lstm"]), ("mse_gru", mse["gru"]),
            ("baseline_mse", experiment["baseline_mse"]))


def run_adding_claim(seed: int, quick: bool) -> dict[str, float]:
    """seed 하나의 세 모델 test MSE와 기준선. 같은 (seed, quick)은 한 번만 학습한다."""
    return dict(_experiment(seed, quick))


SOURCE = "Hochreiter & Schmidhuber 1997, §5.4 실험 4 (adding problem); Cho et al. 2014 (GRU)"
METRIC = ("1,500 step 뒤 test MSE (1,000개; 낮을수록 좋다). baseline_mse = 항상 1을 예측할 때의 MSE ≈ 1/6, "
          "기억 없이 얻을 수 있는 최선")

CLAIMS = [
    Claim(
        chapter="06_LSTM_GRU", name="gated_solve",
        claim="T = 100인 adding problem에서 LSTM과 GRU는 둘 다 기준선 오차의 10% 아래로 내려간다 "
              "(먼 marker의 값을 기억한다).",
        source=SOURCE, metric=METRIC, arms=ARMS, run=run_adding_claim,
        criterion=Criterion(
            description="seed마다 max(MSE_LSTM, MSE_GRU) / 기준선 MSE; "
                        "그 평균의 95% t 구간 상한이 0.1보다 작으면 holds",
            per_seed=lambda v: max(v["mse_lstm"], v["mse_gru"]) / v["baseline_mse"],
            rule="less", threshold=0.1, statistic="max(MSE_LSTM, MSE_GRU) / 기준선"),
        default_seeds=3,
        notes="seed 하나에 CPU 몇 분이라 seed 3개다. H = 32, 1,500 step의 작은 재현이라, 논문처럼 T = 1,000까지 "
              "길이를 늘렸을 때 어디서 LSTM도 실패하는지, RNN이 몇 step이면 풀리는지는 재지 않았다.",
    ),
    Claim(
        chapter="06_LSTM_GRU", name="rnn_stays_at_baseline",
        claim="같은 처방에서 vanilla RNN은 T = 100인 adding problem의 test MSE가 기준선(늘 평균을 예측)에 머문다.",
        source=SOURCE, metric=METRIC, arms=ARMS, run=run_adding_claim,
        criterion=Criterion(
            description="seed마다 MSE_RNN / 기준선 MSE; 그 평균의 95% t 구간 하한이 0.8보다 크면 holds",
            per_seed=lambda v: v["mse_rnn"] / v["baseline_mse"],
            rule="greater", threshold=0.8, statistic="MSE_RNN / 기준선"),
        default_seeds=3,
        notes="gated_solve와 같은 실행의 값이다 (시간은 그쪽에 들어 있다). RNN이 기준선에 머무는 것은 이 처방의 "
              "1,500 step 안의 이야기이고, 더 작은 T나 다른 초기화(예: 단위 행렬 근처의 W_hh)에서는 다를 수 있다.",
    ),
]
