"""L2 (raw tensor + autograd) 검증: 손으로 쓴 batch_norm == `F.batch_norm` (값, gradient, running 통계,
`torch.autograd.gradcheck`), option A shortcut, 같은 가중치에서 L2 block·network == L3 (`paper/resnet.py`)를
train·eval 두 모드에서 출력·gradient·running 통계로 (float64), parameter 수, 실행, 잘못된 입력."""
import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from utils.fake_datasets import write_fake_cifar10
from utils.gradcheck import F32_ATOL, F64_ATOL, F64_RTOL

from ..paper import resnet as P
from . import resnet_lowlevel as L


def assert_close(actual, expected, msg=""):
    np.testing.assert_allclose(np.asarray(actual.detach()), np.asarray(expected.detach()), rtol=F64_RTOL,
                               atol=F64_ATOL, err_msg=msg)


def bn_inputs(seed=0, shape=(4, 3, 5, 6)):
    g = torch.Generator().manual_seed(seed)
    c = shape[1]
    x = (torch.randn(shape, generator=g, dtype=torch.float64) * 2 + 0.5).requires_grad_()
    gamma = (torch.rand(c, generator=g, dtype=torch.float64) + 0.5).requires_grad_()
    beta = torch.randn(c, generator=g, dtype=torch.float64).requires_grad_()
    running_mean = torch.randn(c, generator=g, dtype=torch.float64)
    running_var = torch.rand(c, generator=g, dtype=torch.float64) + 0.5
    return x, gamma, beta, running_mean, running_var


# ---- 손으로 쓴 BatchNorm == F.batch_norm ----
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_equals_torch_values_gradients_and_running_stats(training):
    x, gamma, beta, rm, rv = bn_inputs(1)
    rm_ref, rv_ref = rm.clone(), rv.clone()
    ours = L.batch_norm(x, gamma, beta, rm, rv, training)
    ref = F.batch_norm(x, rm_ref, rv_ref, gamma, beta, training=training, momentum=0.1, eps=1e-5)
    assert_close(ours, ref)
    assert_close(rm, rm_ref, "running_mean")                      # train이면 갱신, eval이면 그대로 — 둘 다 같아야
    assert_close(rv, rv_ref, "running_var (unbiased로 갱신)")
    if training:
        assert not torch.equal(rm, bn_inputs(1)[3])                # 실제로 갱신되었다
    dout = torch.randn_like(ref)
    grads = torch.autograd.grad(ours, (x, gamma, beta), dout)
    grads_ref = torch.autograd.grad(ref, (x, gamma, beta), dout)
    for name, a, b in zip(("x", "gamma", "beta"), grads, grads_ref):
        assert_close(a, b, name)


def test_batch_norm_train_output_is_normalized_per_channel():
    x, _, _, rm, rv = bn_inputs(2)
    c = x.shape[1]
    out = L.batch_norm(x, torch.ones(c, dtype=torch.float64), torch.zeros(c, dtype=torch.float64), rm, rv, True)
    m = out.detach().transpose(0, 1).reshape(c, -1)                # (C, N·H·W)
    np.testing.assert_allclose(m.mean(1), 0, atol=1e-12)
    np.testing.assert_allclose(m.var(1, unbiased=False), 1 - 1e-5 / (x.detach().transpose(0, 1).reshape(c, -1)
                                                                      .var(1, unbiased=False) + 1e-5), rtol=1e-10)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_passes_autograd_gradcheck(training):
    x, gamma, beta, rm, rv = bn_inputs(3, shape=(3, 2, 3, 2))

    def f(x, gamma, beta):
        return L.batch_norm(x, gamma, beta, rm.clone(), rv.clone(), training)   # 매번 같은 running 통계에서
    assert torch.autograd.gradcheck(f, (x, gamma, beta))


def test_option_a_shortcut_equals_paper_module():
    x = torch.randn(2, 4, 6, 6, dtype=torch.float64)
    ours = L.shortcut_a(x, 8, 2)
    assert ours.shape == (2, 8, 3, 3)
    assert torch.equal(ours, P.ZeroPadShortcut(4, 8, 2)(x))


# ---- parity up the ladder: 같은 가중치 → L2 == L3 ----
def randomize(module, seed):
    """L3 module의 모든 parameter와 BN 통계를 무작위로 (float64). 기본 BN 값이면 BN을 빼먹은 구현도 통과한다."""
    g = torch.Generator().manual_seed(seed)
    module.double()
    with torch.no_grad():
        for name, t in module.state_dict().items():
            if name.endswith("num_batches_tracked"):
                continue
            if name.endswith("running_var"):
                t.copy_(torch.rand(t.shape, generator=g, dtype=t.dtype) + 0.5)
            elif name.endswith(("bn1.weight", "bn2.weight", "bn3.weight", "downsample.1.weight")):
                t.copy_(torch.rand(t.shape, generator=g, dtype=t.dtype) + 0.5)
            else:
                t.copy_(torch.randn(t.shape, generator=g, dtype=t.dtype) * (0.5 if t.ndim == 4 else 0.2))
    return module


def as_params(module) -> dict:
    """L3 state_dict → L2 params dict (같은 key, num_batches_tracked만 뺀다)."""
    return L._leaves({k: v.detach().clone() for k, v in module.state_dict().items()
                      if not k.endswith("num_batches_tracked")})


def compare(module, l2_fn, params, x, training):
    module.train(training)
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    out3, out2 = module(x1), l2_fn(params, x2)
    assert_close(out2, out3, "output")
    dout = torch.randn_like(out3)
    out3.backward(dout)
    out2.backward(dout)
    assert_close(x2.grad, x1.grad, "dx")
    named = dict(module.named_parameters())
    assert set(named) == {k for k, v in params.items() if v.requires_grad}
    for name, p in named.items():
        assert_close(params[name].grad, p.grad, name)
    for name, buf in module.state_dict().items():                    # train이면 갱신된 running 통계까지 같다
        if "running" in name:
            assert_close(params[name], buf, name)


BLOCK_CASES = list(itertools.product((1, 2), ("A", "B", "C"), (True, False)))


@pytest.mark.parametrize("stride, shortcut, training", BLOCK_CASES)
def test_basic_block_equals_paper_block(stride, shortcut, training):
    planes = 4 if stride == 1 and shortcut != "C" else 6
    block = randomize(P.BasicBlock(4, planes, stride, shortcut), seed=stride)
    params = as_params(block)
    x = torch.randn(3, 4, 6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    compare(block, lambda p, t: L.basic_block(p, "", t, stride, training), params, x, training)


@pytest.mark.parametrize("stride_on, stride, training", list(itertools.product(("3x3", "1x1"), (1, 2), (True, False))))
def test_bottleneck_equals_paper_block(stride_on, stride, training):
    block = randomize(P.Bottleneck(8, 3, stride, stride_on=stride_on), seed=7)
    params = as_params(block)
    x = torch.randn(2, 8, 6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(6))

    def l2(p, t):
        return L.bottleneck(p, "", t, stride, training, stride_on)
    compare(block, l2, params, x, training)


@pytest.mark.parametrize("training", [True, False])
def test_cifar_network_equals_paper_network(training):
    net = randomize(P.CifarResNet(n=2, num_classes=5, shortcut="A", width=4), seed=8)
    params = as_params(net)
    assert set(params) == set(L.cifar_params(2, 5, width=4)) and \
        {k: v.shape for k, v in params.items()} == {k: v.shape for k, v in L.cifar_params(2, 5, width=4).items()}
    x = torch.randn(4, 3, 16, 16, dtype=torch.float64, generator=torch.Generator().manual_seed(9))
    compare(net, lambda p, t: L.cifar_forward(p, t, training), params, x, training)


def test_parameter_count_and_key_layout():
    params = L.cifar_params(3)
    assert sum(v.numel() for v in L.trainable(params)) == 269_722          # ResNet-20, test_paper.py와 같은 셈
    with torch.device("meta"):
        state = P.resnet20().state_dict()
    assert set(params) == {k for k in state if not k.endswith("num_batches_tracked")}
    assert all(not v.requires_grad for k, v in params.items() if "running" in k)
    assert all(v.requires_grad and v.is_leaf for v in L.trainable(params))


def test_initial_loss_is_about_log_classes():
    # 첫 SGD step이 보는 값: train 모드(batch 통계로 정규화). identity shortcut은 block마다 분산을 더하므로
    # (x_L = x_0 + Σ F_i, theory.md §2) logit이 0보다 조금 퍼져 loss는 ln 10보다 약간 크다: ln 10 + 1 안쪽.
    params = L.cifar_params(3, seed=1)
    x = torch.randn(256, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    y = torch.randint(0, 10, (256,), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        logits = L.cifar_forward(params, x, training=True)
    loss = F.cross_entropy(logits, y).item()
    assert np.log(10) - 0.1 < loss < np.log(10) + 1.0 and logits.std().item() < 1.5


def test_quick_run_lowers_the_loss(tmp_path):
    result = L.main(["--quick", "--device", "cpu", "--out", str(tmp_path)])
    assert result["level"] == "pytorch_lowlevel" and result["n_parameters"] == 269_722
    assert result["train_loss_last"] < result["train_loss_first"]
    assert (tmp_path / "result.json").exists() and (tmp_path / "error_curve.png").stat().st_size > 0


def test_cifar10_path_runs_on_files_in_the_real_format(tmp_path):
    root = write_fake_cifar10(tmp_path / "data")
    result = L.main(["--data", "cifar10", "--root", str(root), "--quick", "--epochs", "1", "--device", "cpu",
                     "--out", str(tmp_path / "out")])
    assert result["data"] == "cifar10" and result["n_train"] == 40


# ---- 잘못된 입력 ----
def test_wrong_inputs_are_refused():
    params = L.cifar_params(1, width=4)
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\).*\(2, 1, 8, 8\)"):
        L.cifar_forward(params, torch.zeros(2, 1, 8, 8), training=False)
    with pytest.raises(ValueError, match=r"4차원.*\(3, 8, 8\)"):
        L.cifar_forward(params, torch.zeros(3, 8, 8), training=False)
    x, gamma, beta, rm, rv = bn_inputs(0, shape=(1, 3, 1, 1))
    with pytest.raises(ValueError, match="2개 이상"):
        L.batch_norm(x, gamma, beta, rm, rv, training=True)
    with pytest.raises(ValueError, match="stride_on"):
        L.bottleneck(L.block_params("bottleneck", 8, 2, 1), "", torch.zeros(1, 8, 4, 4), 1, False, "5x5")
    with pytest.raises(ValueError, match="kind"):
        L.block_params("wide", 8, 2, 1)


def test_l2_does_not_call_torch_batch_norm(monkeypatch):
    """L2의 BatchNorm은 손으로 쓴 것이다: torch의 batch_norm을 막아도 network 전체가 train·eval에서 돈다."""
    def refuse(*args, **kwargs):
        raise AssertionError("L2가 torch의 batch_norm을 불렀습니다")
    monkeypatch.setattr(F, "batch_norm", refuse)
    monkeypatch.setattr(torch, "batch_norm", refuse)
    params = L.cifar_params(1, width=4)
    for training in (True, False):
        assert L.cifar_forward(params, torch.randn(2, 3, 8, 8), training).shape == (2, 10)
    with pytest.raises(AssertionError, match="batch_norm"):                # 막은 것이 실제로 작동한다 (대조)
        nn.BatchNorm2d(3)(torch.randn(2, 3, 4, 4))


def test_initialisation_follows_he_fan_out_bn_one_zero_and_fc_uniform():
    """conv W ~ N(0, 2/fan_out), fan_out = C_out·k·k (1×1 projection 포함); BN γ = 1, β = 0, running 0 / 1
    (residual branch의 마지막 BN도); fc ~ U(−1/√fan_in, 1/√fan_in).

    표본 n개의 std는 상대 1/sqrt(2n)로 흔들리므로 그 5배 안을 요구한다 (fan_in이면 첫 conv가 √(16/3)배)."""
    params = L.cifar_params(3, shortcut_kind="C", seed=0)
    for key, value in params.items():
        value = value.detach()
        if key.endswith("conv1.weight") or key.endswith("conv2.weight") or key.endswith("downsample.0.weight"):
            c_out, _, k, _ = value.shape
            std = math.sqrt(2 / (c_out * k * k))
            assert abs(float(value.std()) / std - 1) <= 5 / math.sqrt(2 * value.numel()), key
            assert abs(float(value.mean())) <= 5 * std / math.sqrt(value.numel()), key
        elif key.startswith("fc."):
            bound = 1 / math.sqrt(params["fc.weight"].shape[1])
            assert float(value.abs().max()) <= bound, key
        elif key.endswith(("weight", "running_var")):
            assert torch.all(value == 1), key                        # BN γ, running_var
        else:
            assert torch.count_nonzero(value) == 0, key              # BN β, running_mean


def test_adapter_train_mode_updates_running_statistics_and_eval_mode_is_deterministic():
    """fit이 부르는 train()/eval()이 forward의 BN 모드를 정말 바꾸는지."""
    params = L.cifar_params(1, seed=1)
    model = L.LowLevelResNet(params)
    x = torch.randn(8, 3, 32, 32, generator=torch.Generator().manual_seed(2))
    before = {k: v.detach().clone() for k, v in params.items() if "running" in k}
    with torch.no_grad():
        model.eval()
        first, alone = model(x), model(x[:1])
        assert all(torch.equal(before[k], params[k]) for k in before), "eval 모드는 running 통계를 바꾸지 않는다"
        assert float((first[:1] - alone).abs().max()) <= F32_ATOL, "eval 모드의 출력은 batch와 무관하다"
        model.train()
        model(x)
    assert not torch.equal(before["bn1.running_mean"], params["bn1.running_mean"]), "train 모드는 갱신한다"
