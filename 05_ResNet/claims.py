"""05장의 핵심 주장: degradation — 깊은 plain net은 얕은 plain net보다 training error가 높고, shortcut이 그것을 고친다.

He et al. (2016), "Deep Residual Learning for Image Recognition", §1 / Figure 1, §4.2 / Figure 6: BN이 있어 gradient가
사라지지 않는데도 plain net은 깊어질수록 **training** error가 높다 (overfitting이 아니라 최적화의 문제). 깊은 net은
얕은 net에 identity 층을 더한 해를 표현할 수 있으므로 원리상 더 나쁠 이유가 없다. 같은 층에 shortcut만 더한
ResNet에서는 깊은 net이 얕은 net보다 나쁘지 않다.

재는 것: 장의 실험 `paper/degradation_paper.run_degradation`을 CLI 기본 처방 그대로 seed마다 한 번 돌린다:
plain-8, plain-32, ResNet-8, ResNet-32 (shortcut A, width 8, 내장 shapes 학습 2,000장, SGD lr 0.05 → cosine,
momentum 0.9, weight decay 1e-4, batch 32, crop + flip, 6 epoch). 데이터, 초기화, batch 순서가 seed를 따른다. arm은 네
모델의 마지막 2 epoch training error 평균(그 epoch의 mini-batch를 train 모드로 본 running 평균)이다.
한 번의 실행이 두 주장을 함께 잰다: 두 번째 주장은 같은 seed의 결과를 다시 쓴다 (`_experiment`의 cache).

기준 (실행 전에 적음):
    degradation:             seed마다 err(plain-32) − err(plain-8); 95% t 구간 하한이 0보다 크면 holds
    deep_resnet_not_worse:   seed마다 err(ResNet-32) − err(ResNet-8); 95% t 구간 상한이 0.02보다 작으면 holds
                             (깊은 ResNet이 얕은 ResNet보다 2%p 넘게 나쁘지 않다)

실행: python -m utils.claims 05
"""
from __future__ import annotations

from functools import cache

from utils.claims import Claim, Criterion

from .paper.degradation_paper import run_degradation

ARMS = ("plain_8", "plain_32", "resnet_8", "resnet_32")
QUICK = dict(n_train=96, n_test=64, epochs=1, depths=(8, 14))     # 파이프라인 확인용 (판정에 의미 없음; 깊은 쪽은 14층)


@cache
def _experiment(seed: int, quick: bool) -> tuple[tuple[str, float], ...]:
    settings = QUICK if quick else {}
    shallow, deep = settings.get("depths", (8, 32))
    final = run_degradation(seed, progress=False, **settings)["final_train_error"]
    return (("plain_8", final[f"plain-{shallow}"]), ("plain_32", final[f"plain-{deep}"]),
            ("resnet_8", final[f"ResNet-{shallow}"]), ("resnet_32", final[f"ResNet-{deep}"]))


def run_degradation_claim(seed: int, quick: bool) -> dict[str, float]:
    """seed 하나의 네 모델 training error. 같은 (seed, quick)은 한 번만 학습한다."""
    return dict(_experiment(seed, quick))


SOURCE = "He et al. 2016, §1 / Figure 1, §4.2 / Figure 6 (CIFAR-10 plain vs ResNet)"
METRIC = ("마지막 2 epoch의 training error 평균 (낮을수록 좋다); shapes 학습 2,000장, 6 epoch, width 8, "
          "8층과 32층 (parameter 19,218 / 116,882, plain과 ResNet이 같다)")

CLAIMS = [
    Claim(
        chapter="05_ResNet", name="degradation",
        claim="shortcut이 없는 plain net은 32층이 8층보다 training error가 높다 (깊어질수록 최적화가 나빠진다).",
        source=SOURCE, metric=METRIC, arms=ARMS, run=run_degradation_claim,
        criterion=Criterion(
            description="seed마다 err(plain-32) − err(plain-8); 그 평균의 95% t 구간 하한이 0보다 크면 holds",
            per_seed=lambda v: v["plain_32"] - v["plain_8"],
            rule="greater", threshold=0.0, statistic="training error 차이 plain-32 − plain-8"),
        default_seeds=3,
        notes="6 epoch의 짧은 학습이라 보이는 것은 주로 최적화 속도의 차이다. 논문처럼 수렴할 때까지 (64k iteration) "
              "학습해도 plain-32가 뒤처지는지는 이 재현이 보여 주지 않는다.",
    ),
    Claim(
        chapter="05_ResNet", name="deep_resnet_not_worse",
        claim="같은 층에 shortcut을 더한 ResNet은 32층의 training error가 8층보다 2%p 넘게 높지 않다.",
        source=SOURCE, metric=METRIC, arms=ARMS, run=run_degradation_claim,
        criterion=Criterion(
            description="seed마다 err(ResNet-32) − err(ResNet-8); 그 평균의 95% t 구간 상한이 0.02보다 작으면 holds",
            per_seed=lambda v: v["resnet_32"] - v["resnet_8"],
            rule="less", threshold=0.02, statistic="training error 차이 ResNet-32 − ResNet-8"),
        default_seeds=3,
        notes="degradation과 같은 실행의 값이다 (시간은 그쪽에 들어 있다). 논문의 더 강한 주장 — 깊은 ResNet이 "
              "얕은 것보다 training·test error가 **낮다** — 은 두 net이 모두 몇 %까지 내려가는 이 작은 문제에서는 "
              "가리기 어렵고, 110층이나 1202층의 행동도 재지 않았다.",
    ),
]
