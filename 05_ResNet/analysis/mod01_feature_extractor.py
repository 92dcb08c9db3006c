"""수정 과제 01 — production ResNet을 feature extractor로 바꾸기: 학습자가 채우는 stub.

문제 설명: `mod01_feature_extractor.md`. 각 함수의 `raise NotImplementedError(...)`를 지우고 구현한다.
함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 05_ResNet/analysis/test_mod01_feature_extractor.py --learner   # 이 과제만 채점
    python -m pytest 05_ResNet/analysis --learner -k mod                            # 이 장의 수정 과제 모두
    make grade CHAPTERS=05                                                          # 이 장의 채점표
"""
from __future__ import annotations

import torch
from torch import nn

STAGES = ("stem", "layer1", "layer2", "layer3", "layer4")


def torchvision_stages(model: nn.Module) -> nn.Module:
    """torchvision ResNet → forward(x)가 dict {"stem", "layer1", …, "layer4"}를 돌려주는 모듈 (같은 가중치).

    "stem"은 max-pool **뒤** (우리 L3 `ResNet.features`의 "stem"과 같은 자리), 나머지는 stage 출력이다.
    `torchvision.models.feature_extraction.create_feature_extractor`로 만든다 (forward hook 없이). model 자체는
    바꾸지 않는다. model이 torchvision ResNet이 아니면 ValueError.
    """
    raise NotImplementedError("torchvision_stages: mod01_feature_extractor.md의 할 일을 보세요")


def timm_stages(model: nn.Module) -> nn.Module:
    """timm ResNet → timm의 `features_only` wrapper (`FeatureListNet`), 같은 가중치.

    forward(x)는 `model.feature_info`가 적은 다섯 feature의 list: [act1 (max-pool **앞**, 1/2 해상도), layer1 (1/4),
    layer2 (1/8), layer3 (1/16), layer4 (1/32)]. 새 모델을 만들지 않고 주어진 model의 module을 감싼다.
    model이 timm ResNet이 아니면 ValueError.
    """
    raise NotImplementedError("timm_stages: mod01_feature_extractor.md의 할 일을 보세요")


def timm_named_stages(extractor: nn.Module, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """`timm_stages`의 extractor로 x를 돌려 `torchvision_stages`와 같은 key·같은 자리의 dict로 바꾼다.

    timm의 첫 feature는 max-pool 앞이므로 "stem"은 그 feature에 extractor 안의 max-pool을 건 값이다.
    """
    raise NotImplementedError("timm_named_stages: mod01_feature_extractor.md의 할 일을 보세요")
