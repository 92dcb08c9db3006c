"""L2 (raw tensor + autograd) 검증: 손으로 쓴 Batch Normalization == `F.batch_norm` (train·eval 두 모드의 값,
gradient, running 통계 갱신), 손 backward의 `torch.autograd.gradcheck` (float64), 같은 가중치에서 L2 == L3
(train 모드 출력·gradient·running 통계, eval 모드 출력), 잘못된 입력, 실행, 수렴 기준 (slow)."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.gradcheck import F32_ATOL, F64_ATOL, F64_RTOL

from ..paper.vgg import VGG
from . import vgg_lowlevel as L

BN_SHAPES = [(4, 3, 5, 5), (2, 6, 3, 4), (8, 2, 1, 1), (1, 4, 6, 2)]   # 마지막 둘: H·W = 1, N = 1 (M = N·H·W ≥ 2)


def assert_close(actual, expected, msg=""):
    np.testing.assert_allclose(np.asarray(actual.detach()), np.asarray(expected.detach()), rtol=F64_RTOL,
                               atol=F64_ATOL, err_msg=msg)


def bn_inputs(shape, seed):
    g = torch.Generator().manual_seed(seed)
    c = shape[1]
    x = (3 * torch.randn(shape, generator=g, dtype=torch.float64) + 1).requires_grad_()   # 평균 1, 표준편차 3
    gamma = (1 + 0.5 * torch.randn(c, generator=g, dtype=torch.float64)).requires_grad_()
    beta = torch.randn(c, generator=g, dtype=torch.float64).requires_grad_()
    running_mean = torch.randn(c, generator=g, dtype=torch.float64)
    running_var = 0.5 + torch.rand(c, generator=g, dtype=torch.float64)
    return x, gamma, beta, running_mean, running_var


# ---- 손 BN == F.batch_norm ----
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("shape", BN_SHAPES, ids=str)
def test_batch_norm_values_gradients_and_running_stats_equal_torch(shape, training):
    x, gamma, beta, rm, rv = bn_inputs(shape, seed=sum(shape))
    rm_ref, rv_ref = rm.clone(), rv.clone()
    ours = L.batch_norm(x, gamma, beta, rm, rv, training, momentum=0.1, eps=1e-5)
    ref = F.batch_norm(x, rm_ref, rv_ref, gamma, beta, training=training, momentum=0.1, eps=1e-5)
    assert_close(ours, ref)
    assert_close(rm, rm_ref, "running_mean")                         # train: 같은 갱신, eval: 둘 다 그대로
    assert_close(rv, rv_ref, "running_var")
    dout = torch.randn(shape, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    grads = torch.autograd.grad(ours, (x, gamma, beta), dout)
    grads_ref = torch.autograd.grad(ref, (x, gamma, beta), dout)
    for name, a, b in zip(("x", "gamma", "beta"), grads, grads_ref):
        assert_close(a, b, name)


def test_running_statistics_follow_pytorch_momentum_and_unbiased_variance():
    """running ← (1 − m)·running + m·batch. 분산은 M/(M − 1)을 곱한 unbiased 값 — 식을 직접 세어 확인한다."""
    x, gamma, beta, rm, rv = bn_inputs((3, 2, 2, 2), seed=5)
    old_mean, old_var = rm.clone(), rv.clone()
    L.batch_norm(x, gamma, beta, rm, rv, training=True, momentum=0.3)
    values = x.detach().transpose(0, 1).reshape(2, -1)                # (C, M), M = 12
    m = values.shape[1]
    batch_mean = values.sum(1) / m
    unbiased = ((values - batch_mean[:, None]) ** 2).sum(1) / (m - 1)
    assert_close(rm, 0.7 * old_mean + 0.3 * batch_mean)
    assert_close(rv, 0.7 * old_var + 0.3 * unbiased)


def test_train_mode_normalises_with_batch_statistics_and_eval_mode_does_not_look_at_the_batch():
    x, gamma, beta, rm, rv = bn_inputs((16, 3, 4, 4), seed=6)
    ones, zeros = torch.ones(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64)
    y = L.batch_norm(x, ones, zeros, rm.clone(), rv.clone(), training=True)
    assert_close(y.mean(dim=(0, 2, 3)), zeros)                        # channel마다 평균 0
    assert_close(y.var(dim=(0, 2, 3), unbiased=False), 1 / (1 + 1e-5 / x.var(dim=(0, 2, 3), unbiased=False)))
    alone = L.batch_norm(x[:1], gamma, beta, rm, rv, training=False)  # eval: 샘플 하나의 출력이 batch와 무관
    together = L.batch_norm(x, gamma, beta, rm, rv, training=False)[:1]
    assert_close(alone, together)
    train_alone = L.batch_norm(x[:2], gamma, beta, rm.clone(), rv.clone(), training=True)[:1]
    train_together = L.batch_norm(x, gamma, beta, rm.clone(), rv.clone(), training=True)[:1]
    assert float((train_alone - train_together).detach().abs().max()) > 1e-3   # train: batch에 따라 달라진다


@pytest.mark.parametrize("shape", BN_SHAPES, ids=str)
def test_hand_written_backward_passes_gradcheck(shape):
    x, gamma, beta, _, _ = bn_inputs(shape, seed=7 + sum(shape))
    assert torch.autograd.gradcheck(lambda a, b, c: L.BatchNormFunction.apply(a, b, c, 1e-5), (x, gamma, beta))


def test_hand_written_backward_equals_autograd_of_the_forward_formula():
    """손 backward == 같은 식(μ, σ², x̂)을 그대로 쓴 forward에 autograd를 건 값 (두 보정항이 빠지면 여기서 드러난다)."""
    x, gamma, beta, _, _ = bn_inputs((4, 3, 3, 3), seed=8)
    dout = torch.randn(x.shape, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    hand = torch.autograd.grad(L.BatchNormFunction.apply(x, gamma, beta, 1e-5), (x, gamma, beta), dout)
    mean = x.mean(dim=(0, 2, 3), keepdim=True)
    var = ((x - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
    y = gamma[None, :, None, None] * (x - mean) / torch.sqrt(var + 1e-5) + beta[None, :, None, None]
    auto = torch.autograd.grad(y, (x, gamma, beta), dout)
    for name, a, b in zip(("x", "gamma", "beta"), hand, auto):
        assert_close(a, b, name)
    assert float(hand[0].sum(dim=(0, 2, 3)).abs().max()) < 1e-10      # Σ ∂L/∂x = 0: 평균을 빼는 층의 성질


# ---- parity up the ladder: 같은 가중치 → L2 == L3 ----
def paper_model_as_params(model: VGG) -> tuple[dict, dict]:
    """L3 state_dict → L2 (params, buffers). Linear weight (out, in)은 L2의 (in, out)으로 전치한다."""
    params, buffers, stage, index = {}, {}, 1, 0
    layers = list(model.features)
    for i, layer in enumerate(layers):
        if isinstance(layer, torch.nn.MaxPool2d):
            stage, index = stage + 1, 0
        elif isinstance(layer, torch.nn.Conv2d):
            index += 1
            name, bn = f"conv{stage}_{index}", layers[i + 1]
            params.update({f"{name}.W": layer.weight, f"{name}.b": layer.bias, f"{name}.gamma": bn.weight,
                           f"{name}.beta": bn.bias})
            buffers.update({f"{name}.running_mean": bn.running_mean, f"{name}.running_var": bn.running_var})
    fc = model.classifier[0]
    params.update({"fc.W": fc.weight.T, "fc.b": fc.bias})
    params = {k: v.detach().clone().requires_grad_() for k, v in params.items()}
    buffers = {k: v.detach().clone() for k, v in buffers.items()}
    return params, buffers


@pytest.mark.parametrize("config", ["A", "D"])
def test_lowlevel_equals_paper_level_in_train_and_eval_mode(config):
    torch.manual_seed(3)
    model = VGG(config, batch_norm=True, num_classes=10, head="cifar", width=1 / 16).double()
    with torch.no_grad():                                            # BN 통계와 affine을 기본값에서 옮겨 둔다
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 1.5)
        model.classifier[0].weight.normal_(0, 0.5)
    params, buffers = paper_model_as_params(model)
    assert set(params) == set(L.init_params(config, 10, 1 / 16)[0])            # 같은 key 집합
    x = torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    y = torch.tensor([1, 5, 7, 2])

    model.train()
    loss_ref = F.cross_entropy(model(x), y)
    loss_ref.backward()
    loss = F.cross_entropy(L.forward(params, buffers, x, training=True), y)
    loss.backward()
    assert_close(loss, loss_ref)
    mapped_grads = paper_model_grads(model)
    for name, p in params.items():
        assert_close(p.grad, mapped_grads[name], name)
    _, buffers_ref = paper_model_as_params(model)                    # train step 뒤의 running 통계
    for name, value in buffers.items():
        assert_close(value, buffers_ref[name], name)

    model.eval()
    with torch.no_grad():
        assert_close(L.forward(params, buffers, x, training=False), model(x))


def paper_model_grads(model: VGG) -> dict:
    """L3 parameter의 .grad를 L2 key로 (fc.W는 전치)."""
    grads = {}
    stage, index, layers = 1, 0, list(model.features)
    for i, layer in enumerate(layers):
        if isinstance(layer, torch.nn.MaxPool2d):
            stage, index = stage + 1, 0
        elif isinstance(layer, torch.nn.Conv2d):
            index += 1
            name, bn = f"conv{stage}_{index}", layers[i + 1]
            grads.update({f"{name}.W": layer.weight.grad, f"{name}.b": layer.bias.grad,
                          f"{name}.gamma": bn.weight.grad, f"{name}.beta": bn.bias.grad})
    grads.update({"fc.W": model.classifier[0].weight.grad.T, "fc.b": model.classifier[0].bias.grad})
    return grads


def test_float32_lowlevel_equals_paper_level_in_eval_mode():
    torch.manual_seed(5)
    model = VGG("B", batch_norm=True, num_classes=10, head="cifar", width=0.25).eval()
    params, buffers = paper_model_as_params(model)
    x = torch.randn(3, 3, 32, 32)
    with torch.no_grad():
        assert float((L.forward(params, buffers, x) - model(x)).abs().max()) <= F32_ATOL


# ---- shape, 초기값, 잘못된 입력 ----
def test_shapes_parameter_count_and_initial_loss():
    params, buffers = L.init_params("A", 10, width=0.25)
    logits, outputs = L.forward(params, buffers, torch.randn(64, 3, 32, 32), training=True, keep=True)
    assert logits.shape == (64, 10)
    assert [tuple(outputs[f"pool{i}"].shape[1:]) for i in range(1, 6)] == [
        (16, 16, 16), (32, 8, 8), (64, 4, 4), (128, 2, 2), (128, 1, 1)]
    paper = VGG("A", batch_norm=True, num_classes=10, head="cifar", width=0.25)
    assert sum(p.numel() for p in params.values()) == sum(p.numel() for p in paper.parameters())
    assert abs(F.cross_entropy(logits, torch.randint(0, 10, (64,))).item() - math.log(10)) < 0.02
    assert set(buffers) == {k.replace(".W", suffix) for k in params if k.startswith("conv") and k.endswith(".W")
                            for suffix in (".running_mean", ".running_var")}


def test_wrong_inputs_are_refused():
    params, buffers = L.init_params("A", 10, width=1 / 16)
    with pytest.raises(ValueError, match=r"\(N, 3, 32, 32\).*\(2, 3, 64, 64\)"):
        L.forward(params, buffers, torch.zeros(2, 3, 64, 64))
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\).*\(2, 1, 32, 32\)"):
        L.forward(params, buffers, torch.zeros(2, 1, 32, 32))
    x, gamma, beta, rm, rv = bn_inputs((1, 3, 1, 1), seed=0)
    with pytest.raises(ValueError, match="값이 2개 이상"):
        L.batch_norm(x, gamma, beta, rm, rv, training=True)
    with pytest.raises(ValueError, match=r"\(N, 4, H, W\).*\(1, 3, 1, 1\)"):
        L.batch_norm(x, torch.ones(4, dtype=torch.float64), beta, rm, rv, training=False)
    with pytest.raises(ValueError, match="config는"):
        L.init_params("Z")


def test_quick_run_writes_results(tmp_path):
    result = L.main(["--quick", "--device", "cpu", "--out", str(tmp_path)])
    assert result["level"] == "pytorch_lowlevel" and abs(result["initial_loss"] - math.log(10)) < 0.05
    assert (tmp_path / "result.json").exists() and (tmp_path / "bn_statistics.png").stat().st_size > 0


# ---- 수렴 기준 (slow) ----
@pytest.mark.slow
def test_default_run_reaches_95_percent_on_shapes(tmp_path):
    result = L.main(["--device", "cpu", "--out", str(tmp_path)])
    assert result["value"] >= 0.95


def test_initialisation_follows_kaiming_fan_out_and_normal_0_01():
    """conv W ~ N(0, 2/fan_out), fan_out = C_out·3·3; fc W ~ N(0, 0.01²); b = β = 0, γ = 1; running 0 / 1.
    표본 n개의 std는 상대 표준오차 ≈ 1/sqrt(2n)로 흔들리므로 그 5배 안을 요구한다 (fan_in이면 첫 conv가 √(16/3)배)."""
    params, buffers = L.init_params("A", 10, width=0.25, seed=0)
    for key, value in params.items():
        name, kind = key.split(".")
        value = value.detach()
        if kind == "W":
            std = math.sqrt(2 / (value.shape[0] * 9)) if name.startswith("conv") else 0.01
            bound = 5 / math.sqrt(2 * value.numel())
            assert abs(float(value.std()) / std - 1) <= bound, f"{key}: std {float(value.std()):.4g}, 식 {std:.4g}"
            assert abs(float(value.mean())) <= 5 * std / math.sqrt(value.numel()), key
        elif kind == "gamma":
            assert torch.all(value == 1), key
        else:
            assert torch.count_nonzero(value) == 0, key
    for key, value in buffers.items():
        assert torch.all(value == (1 if key.endswith("running_var") else 0)), key


def test_adapter_train_mode_updates_running_statistics_and_eval_mode_is_deterministic():
    """fit이 부르는 train()/eval()이 forward의 BN 모드를 정말 바꾸는지.

    eval은 batch를 보지 않고 buffer를 건드리지 않으며, train은 running 통계를 갱신한다."""
    params, buffers = L.init_params("A", 10, width=0.125, seed=1)
    model = L.LowLevelVGG(params, buffers)
    x = torch.randn(8, 3, 32, 32, generator=torch.Generator().manual_seed(2))
    before = {k: v.clone() for k, v in buffers.items()}
    with torch.no_grad():
        model.eval()
        first, alone = model(x), model(x[:1])
        assert all(torch.equal(before[k], buffers[k]) for k in buffers), "eval 모드는 running 통계를 바꾸지 않는다"
        assert float((first[:1] - alone).abs().max()) <= F32_ATOL, "eval 모드의 출력은 batch와 무관하다"
        model.train()
        model(x)
    assert not torch.equal(before["conv1_1.running_mean"], buffers["conv1_1.running_mean"]), "train 모드는 갱신한다"
