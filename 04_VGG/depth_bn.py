"""깊이와 BN: 초기화 직후 신호와 gradient의 크기를 층마다 잰다 (README "깊이와 BN", theory.md §5).

같은 seed로 초기화한 VGG(CIFAR head)에 shapes 학습 이미지 한 batch를 넣고(train 모드),
cross-entropy 한 번의 backward 뒤에
    feature_std        pool5 출력(classifier 입력)의 표준편차 — forward 신호가 깊이를 지나며 얼마나 줄었나
    grad_ratio_first   첫 conv의 ‖∂L/∂W‖ / ‖W‖ — SGD 한 step이 그 층을 상대적으로 얼마나 바꾸나 (lr 곱하기 전)
    grad_ratio_last    마지막 conv의 같은 비율
    grad_ratio_fc      classifier Linear의 같은 비율
을 configuration A(11층), E(19층) × BN 유무로 표로 출력한다. 학습은 하지 않는다 (학습 결과는 README의 표).

실행:  python -m 04_VGG.depth_bn [--width 0.25] [--batch 128] [--seed 0]
"""
from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F

from utils.core import limit_threads
from utils.datasets import channel_standardize, load_shapes

from .paper.vgg import VGG


def measure(config: str, batch_norm: bool, x: torch.Tensor, y: torch.Tensor, width: float, seed: int) -> dict:
    """초기화 직후 한 batch의 forward·backward에서 신호 크기와 층별 상대 gradient."""
    torch.manual_seed(seed)
    model = VGG(config, batch_norm=batch_norm, num_classes=10, head="cifar", width=width).train()
    features = model.features(x)                                           # (B, C, 1, 1)
    loss = F.cross_entropy(model.classifier(torch.flatten(features, 1)), y)
    loss.backward()
    convs = [m for m in model.features if isinstance(m, torch.nn.Conv2d)]

    def ratio(layer) -> float:
        return float(layer.weight.grad.norm() / layer.weight.detach().norm())

    return {"config": config, "batch_norm": batch_norm, "loss": float(loss.detach()),
            "feature_std": float(features.detach().std()), "grad_ratio_first": ratio(convs[0]),
            "grad_ratio_last": ratio(convs[-1]), "grad_ratio_fc": ratio(model.classifier[0])}


def run(width: float = 0.25, batch: int = 128, seed: int = 0) -> list[dict]:
    ds = load_shapes(n_train=batch, n_test=1, seed=seed)                   # 학습 이미지 batch장 (같은 seed면 같은 그림)
    X_train, _, _, _ = channel_standardize(ds.X_train, ds.X_test)          # 그 batch의 channel 통계로 표준화
    x, y = torch.from_numpy(X_train[:batch]), torch.from_numpy(ds.y_train[:batch])
    return [measure(config, bn, x, y, width, seed) for config in ("A", "E") for bn in (False, True)]


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description="초기화 직후 VGG A/E × BN 유무의 신호·gradient 크기")
    parser.add_argument("--width", type=float, default=0.25, help="channel 배수 (기본 0.25, 기본 학습 실행과 같음)")
    parser.add_argument("--batch", type=int, default=128, help="batch 크기")
    parser.add_argument("--seed", type=int, default=0, help="초기화와 데이터 seed")
    args = parser.parse_args(argv)
    with limit_threads(1):
        rows = run(args.width, args.batch, args.seed)
    print("| config | BN | loss | pool5 std | ‖∇W‖/‖W‖ 첫 conv | 마지막 conv | FC |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['config']} | {'있음' if r['batch_norm'] else '없음'} | {r['loss']:.4f} | {r['feature_std']:.3f} | "
              f"{r['grad_ratio_first']:.2e} | {r['grad_ratio_last']:.2e} | {r['grad_ratio_fc']:.2e} |")
    return rows


if __name__ == "__main__":
    main()
