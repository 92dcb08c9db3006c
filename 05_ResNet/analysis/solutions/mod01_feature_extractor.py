"""수정 과제 01 — production ResNet을 feature extractor로 바꾸기 (reference solution).

문제: `../mod01_feature_extractor.md`. 학습자 stub: `../mod01_feature_extractor.py` (이름·signature·docstring이 같다).

torchvision은 중간 feature를 돌려주는 메서드가 없으므로 torch.fx로 graph를 떠서 원하는 node를 출력으로 삼는다
(`create_feature_extractor`). timm은 모델마다 `feature_info`를 적어 두고 `FeatureListNet`이 그 module들의 출력을
list로 모은다 (`timm.create_model(..., features_only=True)`가 쓰는 바로 그 wrapper). 둘 다 forward hook을 쓰지 않는다.
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
    import torchvision.models.resnet as tv_resnet
    from torchvision.models.feature_extraction import create_feature_extractor

    if not isinstance(model, tv_resnet.ResNet):
        raise ValueError(f"torchvision.models.resnet.ResNet이 필요합니다: 받은 {type(model).__name__}")
    nodes = {"maxpool": "stem", "layer1": "layer1", "layer2": "layer2", "layer3": "layer3", "layer4": "layer4"}
    return create_feature_extractor(model, return_nodes=nodes)


def timm_stages(model: nn.Module) -> nn.Module:
    """timm ResNet → timm의 `features_only` wrapper (`FeatureListNet`), 같은 가중치.

    forward(x)는 `model.feature_info`가 적은 다섯 feature의 list: [act1 (max-pool **앞**, 1/2 해상도), layer1 (1/4),
    layer2 (1/8), layer3 (1/16), layer4 (1/32)]. 새 모델을 만들지 않고 주어진 model의 module을 감싼다.
    model이 timm ResNet이 아니면 ValueError.
    """
    import timm.models.resnet as timm_resnet
    from timm.models import FeatureListNet

    if not isinstance(model, timm_resnet.ResNet):
        raise ValueError(f"timm.models.resnet.ResNet이 필요합니다: 받은 {type(model).__name__}")
    return FeatureListNet(model, out_indices=(0, 1, 2, 3, 4))


def timm_named_stages(extractor: nn.Module, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """`timm_stages`의 extractor로 x를 돌려 `torchvision_stages`와 같은 key·같은 자리의 dict로 바꾼다.

    timm의 첫 feature는 max-pool 앞이므로 "stem"은 그 feature에 extractor 안의 max-pool을 건 값이다.
    """
    act1, *stages = extractor(x)                                             # (N, 64, H/2, W/2), stage 넷
    out = {"stem": extractor.maxpool(act1)}                                  # (N, 64, H/4, W/4)
    out.update(zip(STAGES[1:], stages))
    return out
