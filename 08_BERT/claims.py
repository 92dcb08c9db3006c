"""08장 BERT의 핵심 주장: label이 적을 때, label 없는 글로 사전학습한 encoder를 fine-tuning하면 처음부터 학습한
encoder보다 정확하다. 작은 재현은 `paper/few_labels_paper.py`의 실험을 seed마다 한 번 돌린다: 과제 단어를 여러
문맥에 담은 리뷰 corpus로 MLM + NSP 사전학습 → label 16 / 64 / 256개로 fine-tuning (lr은 dev로 grid에서) →
label에 한 번도 나오지 않은 형용사의 문장으로 test. 대조군은 처음부터(scratch), 관련 없는 산문으로 사전학습
(unrelated), 고정한 encoder 위의 linear probe(probe). 실행: python -m utils.claims 08

판정 기준(아래 Criterion: label 수 세 개의 평균 차이, 기준선 0.05)은 처음 적은 그대로다. 설계는 한 번 바뀌었다:
처음 설계(리뷰 문장의 네 꼴을 같은 비율로, 사전학습 batch 64)를 seed 0에서 한 번 돌려 시간을 재면서 arm 값도 보았고,
그 뒤 (1) "and"와 "but"이 같은 비율이면 한 문장의 두 형용사가 같은 극성일 확률이 정확히 반이 되어 형용사 쌍의 통계가
극성을 나르지 못한다는 것을 알고 "and"를 "but"의 세 배로 (`few_labels_paper.TEMPLATE_WEIGHTS`), (2) CPU 예산
(seed 5개 5분)에 맞추려고 사전학습 batch를 32로 바꿨다. 그 뒤로는 설계도 seed도 바꾸지 않았다.
"""
from __future__ import annotations

import importlib
import statistics

from utils.claims import Claim, Criterion

few_labels = importlib.import_module("08_BERT.paper.few_labels_paper")
LABEL_COUNTS = few_labels.LABEL_COUNTS
ARMS = tuple(f"{arm}_{k}" for arm in ("pretrained", "scratch", "unrelated", "probe") for k in LABEL_COUNTS)


def run_pretraining_vs_scratch(seed: int, quick: bool) -> dict[str, float]:
    """seed 하나로 모든 arm: label 수마다 '라벨에 없던 형용사' test 정답률. quick이면 몇 초짜리 smoke 설정."""
    return few_labels.unseen_accuracies(few_labels.run_experiment(seed, quick=quick))


def pretrained_minus_scratch(values: dict[str, float]) -> float:
    """label 수 16, 64, 256에서의 (pretrained − scratch) 정확도 차이의 평균."""
    return statistics.fmean(values[f"pretrained_{k}"] - values[f"scratch_{k}"] for k in LABEL_COUNTS)


CLAIMS = [Claim(
    chapter="08_BERT", name="pretraining_few_labels",
    claim="label이 적을 때 과제의 단어를 담은 글로 MLM + NSP 사전학습한 encoder는 처음부터 학습한 encoder보다 "
          "label에 없던 단어의 문장을 더 정확히 분류한다.",
    source="Devlin et al. 2018, §5.2 (과제 데이터가 아주 작아도 사전학습한 표현에서 이득), "
           "§4.1 / Table 1 (작은 GLUE 과제)",
    metric="label에 한 번도 나오지 않은 형용사 12개의 문장 400개에서 잰 test 정답률 (높을수록 좋다); "
           "arm 이름의 숫자는 label 수",
    arms=ARMS,
    run=run_pretraining_vs_scratch,
    criterion=Criterion(
        description="seed마다 label 수 16·64·256에서의 (pretrained − scratch) 정확도 차이를 평균한다; seed들의 평균의 "
                    "95% t 구간 하한이 0.05보다 크면 holds, 상한이 0.05 이하면 does not hold",
        per_seed=pretrained_minus_scratch, rule="greater", threshold=0.05,
        statistic="정확도 차이 pretrained − scratch (label 수 세 개의 평균)"),
    default_seeds=5,
    notes="과제는 형용사 24개짜리 닫힌 문법이고 corpus는 그 단어들이 'A and B'(같은 극성)·'A but B'(반대 극성)로 "
          "묶이도록 만든 것이다. 측정한 이유: 300 step(2,000 step도) MLM + NSP 사전학습은 형용사의 극성을 배우지 "
          "못했다 (seed 0에서 같은 극성·다른 극성 embedding cosine 차와 'loved'/'hated' 문맥의 MLM 긍정 확률 차가 "
          "0.001 이하, few_labels_paper가 출력). 옮길 지식이 없으니 모든 arm이 우연 근처다. 큰 규모의 사전학습이 "
          "배우는 의미 구조와 그 이득의 크기는 이 재현이 보여 주지 못한다.",
)]
