"""MLP (L3) 검증: 파라미터 수, production twin(torchvision.ops.MLP)과 같은 함수, 같은 가중치에서 L2 == L3
(forward, gradient, optimizer 몇 step), train/eval의 dropout, 잘못된 입력."""
import math
from functools import partial

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torchvision.ops import MLP as TorchvisionMLP

from utils.datasets import load_digits, standardize
from utils.gradcheck import F32_ATOL, F64_ATOL, F64_RTOL
from utils.training import fit

from ..pytorch_lowlevel import mlp_lowlevel
from .mlp_paper import MLP, main, make_optimizer, n_parameters

TWIN_ACTIVATION = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "gelu": nn.GELU}


def assert_close(actual, expected, err_msg=""):
    np.testing.assert_allclose(actual, expected, rtol=F64_RTOL, atol=F64_ATOL, err_msg=err_msg)


@pytest.fixture(scope="module")
def digits():
    data = load_digits(size=8, flatten=True, seed=0)
    X_train, X_test, _, _ = standardize(data.X_train.astype(np.float64), data.X_test.astype(np.float64))
    return torch.tensor(X_train), torch.tensor(data.y_train), torch.tensor(X_test), torch.tensor(data.y_test)


def copy_lowlevel_into(model: MLP, params: dict) -> None:
    """L2의 W_l (in, out)은 x @ W, nn.Linear의 weight (out, in)은 x @ weight.T — 그래서 전치해서 복사한다."""
    with torch.no_grad():
        for i, layer in enumerate(model.linears, 1):
            layer.weight.copy_(params[f"W{i}"].T)
            layer.bias.copy_(params[f"b{i}"])


# ---- shape와 파라미터 수 ----
@pytest.mark.parametrize("hidden", [(128, 128), (32,), (100, 50, 25)])
def test_parameter_count_formula(hidden):
    model = MLP(64, hidden, 10)
    sizes = [64, *hidden, 10]
    counted = sum(p.numel() for p in model.parameters())
    assert counted == n_parameters(sizes)
    assert counted == sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))          # 가중치 a·b개 + bias b개
    assert counted == sum(p.numel() for p in TorchvisionMLP(64, [*hidden, 10]).parameters())
    assert model(torch.zeros(3, 64)).shape == (3, 10)


def test_default_config_counts_by_hand():
    # 기본 64 → 256 → 256 → 10:  (64·256 + 256) + (256·256 + 256) + (256·10 + 10) = 16640 + 65792 + 2570
    assert sum(p.numel() for p in MLP().parameters()) == 16640 + 65792 + 2570


# ---- production twin: torchvision.ops.MLP ----
@pytest.mark.parametrize("activation", ["relu", "gelu", "tanh"])
def test_from_reference_equals_torchvision_mlp(activation):
    torch.manual_seed(0)
    twin = TorchvisionMLP(64, [128, 128, 10], activation_layer=TWIN_ACTIVATION[activation], dropout=0.2).eval()
    model = MLP.from_reference(twin).eval()
    assert model.activation == activation and model.sizes == [64, 128, 128, 10]
    assert [k.removeprefix("net.") for k in model.state_dict()] == list(twin.state_dict())   # 같은 층 배치
    x = torch.randn(32, 64)
    assert (model(x) - twin(x)).abs().max().item() <= F32_ATOL
    assert model.net[2].p == 0.2


def test_from_reference_refuses_what_it_cannot_copy():
    with pytest.raises(ValueError, match="BatchNorm1d"):
        MLP.from_reference(TorchvisionMLP(8, [16, 4], norm_layer=nn.BatchNorm1d))
    with pytest.raises(ValueError, match="Linear"):
        MLP.from_reference(TorchvisionMLP(8, [16, 4], bias=False))


# ---- parity up the ladder: 같은 가중치에서 L2 == L3 (float64) ----
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "gelu"])
def test_forward_and_gradients_equal_lowlevel(digits, activation):
    X, y = digits[0][:100], digits[1][:100]
    params = mlp_lowlevel.init_params([64, 48, 32, 10], activation, output_gain=1.0, seed=1)
    model = MLP(64, (48, 32), 10, activation=activation).double()
    copy_lowlevel_into(model, params)
    loss_l2 = mlp_lowlevel.cross_entropy(mlp_lowlevel.forward(params, X, activation), y)
    loss_l2.backward()
    loss_l3 = F.cross_entropy(model(X), y)
    loss_l3.backward()
    assert_close(loss_l3.item(), loss_l2.item())
    for i, layer in enumerate(model.linears, 1):
        assert_close(layer.weight.grad.numpy(), params[f"W{i}"].grad.numpy().T, err_msg=f"W{i}")
        assert_close(layer.bias.grad.numpy(), params[f"b{i}"].grad.numpy(), err_msg=f"b{i}")


def test_adam_steps_with_utils_fit_equal_lowlevel(digits):
    # L3: torch.optim.Adam + utils.fit (full batch) / L2: 손으로 쓴 adam_step — 같은 초기값에서 10 step
    X, y = digits[0], digits[1]
    params = mlp_lowlevel.init_params([64, 32, 10], seed=2)
    model = MLP(64, (32,), 10).double()
    copy_lowlevel_into(model, params)
    state = mlp_lowlevel.adam_init(params)
    losses_l2 = [mlp_lowlevel.train_step(params, state, X, y, lr=0.01) for _ in range(10)]
    history = fit(model, (X, y), optimizer=make_optimizer(model, "adam", 0.01), epochs=10, batch_size=None,
                  progress=False)
    assert losses_l2[-1] < losses_l2[0]
    assert_close(history["train_loss"], losses_l2)
    for i, layer in enumerate(model.linears, 1):
        assert_close(layer.weight.detach().numpy(), params[f"W{i}"].detach().numpy().T, err_msg=f"W{i}")
        assert_close(layer.bias.detach().numpy(), params[f"b{i}"].detach().numpy(), err_msg=f"b{i}")


def test_momentum_optimizer_is_the_papers_equation_9(digits):
    # 식 (9) Δw(t) = −ε ∂E/∂w(t) + α Δw(t−1) 를 직접 적용한 궤적 == make_optimizer("momentum")
    X, y = digits[0][:200], digits[1][:200]
    torch.manual_seed(3)
    model = MLP(64, (16,), 10, activation="sigmoid").double()
    weights = [p.detach().clone() for p in model.parameters()]
    deltas = [torch.zeros_like(w) for w in weights]
    optimizer = make_optimizer(model, "momentum", 0.1)
    for _ in range(5):
        optimizer.zero_grad()
        F.cross_entropy(model(X), y).backward()
        grads = [p.grad.detach().clone() for p in model.parameters()]
        optimizer.step()
        deltas = [-0.1 * g + 0.9 * d for g, d in zip(grads, deltas)]
        weights = [w + d for w, d in zip(weights, deltas)]
        for p, w in zip(model.parameters(), weights):
            assert_close(p.detach().numpy(), w.numpy())


# ---- dropout: train에서만, L2와 같은 mask ----
def test_dropout_is_active_only_in_training_and_matches_lowlevel(digits):
    X = digits[0][:50]
    params = mlp_lowlevel.init_params([64, 256, 256, 10], seed=4)
    model = MLP(64, (256, 256), 10, dropout=0.5).double()
    copy_lowlevel_into(model, params)
    model.eval()
    assert_close(model(X).detach().numpy(), mlp_lowlevel.forward(params, X).detach().numpy())   # eval: dropout 없음
    model.train()
    torch.manual_seed(0)
    first = model(X)
    assert not torch.equal(first, model(X))                       # train: 매번 다른 mask
    torch.manual_seed(0)
    lowlevel = mlp_lowlevel.forward(params, X, dropout=0.5, training=True)
    assert_close(first.detach().numpy(), lowlevel.detach().numpy())   # 같은 seed → 같은 F.dropout mask


def test_initial_loss_is_near_log_10(digits):
    torch.manual_seed(0)
    model = MLP().double()
    assert abs(F.cross_entropy(model(digits[0]), digits[1]).item() - math.log(10)) < 0.05


def test_quick_run_writes_result_and_plots(tmp_path):
    result = main(["--quick", "--device", "cpu", "--out", str(tmp_path)])
    assert result["level"] == "paper" and result["n_parameters"] == 16640 + 65792 + 2570
    assert result["train_loss_last"] < result["initial_loss"]
    for name in ("result.json", "loss_curve.png", "accuracy_curve.png", "first_layer_weights.png"):
        assert (tmp_path / name).stat().st_size > 0, name


# ---- 잘못된 입력 ----
def test_wrong_shape_is_refused():
    with pytest.raises(ValueError, match=r"\(N, 64\)"):
        MLP()(torch.zeros(2, 63))
    with pytest.raises(ValueError, match=r"\(N, 64\).*펴세요"):
        MLP()(torch.zeros(2, 1, 8, 8))


def test_bad_configuration_is_refused():
    with pytest.raises(ValueError, match="activation"):
        MLP(activation="swish")
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        MLP(dropout=1.0)
    with pytest.raises(ValueError, match="optimizer"):
        make_optimizer(MLP(), "rmsprop", 0.1)


def test_nan_in_data_is_refused_before_training():
    model = MLP(4, (3,), 2)
    X = torch.zeros(5, 4)
    X[2, 3] = float("nan")
    before = model.linears[0].weight.detach().clone()
    with pytest.raises(ValueError, match="NaN"):
        fit(model, (X, torch.zeros(5, dtype=torch.int64)), optimizer=make_optimizer(model, "adam", 0.1),
            epochs=1, progress=False)
    assert torch.equal(model.linears[0].weight.detach(), before)


def test_unknown_data_exits_2_listing_the_choices(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--data", "cifar10"])
    assert exit_info.value.code == 2 and "mnist" in capsys.readouterr().err


# ---- 수렴 기준 (slow) ----
@pytest.mark.slow
def test_default_run_reaches_97_percent(tmp_path):
    assert main(["--device", "cpu", "--out", str(tmp_path)])["value"] >= 0.97


# ---- 초기화: 층마다 논문의 식 (He 2015 N(0, 2/fan_in), Glorot 2010 U(±√(6/(fan_in+fan_out))) × gain), bias 0 ----
def assert_init(weight, kind, gain=1.0):
    """nn.Linear weight (fan_out, fan_in)의 분포를 식과 비교한다. 표본 std의 상대 표준오차(정규 1/√(2n),
    균등 √(0.2/n))의 5배를 통계적 여유로 둔다."""
    W = weight.detach().double().numpy()
    fan_out, fan_in = W.shape
    if kind == "he":
        assert W.std() == pytest.approx(math.sqrt(2 / fan_in), rel=5 / math.sqrt(2 * W.size)), (kind, W.shape)
        assert abs(W.mean()) < 5 * W.std() / math.sqrt(W.size)
    else:
        bound = gain * math.sqrt(6 / (fan_in + fan_out))
        assert np.abs(W).max() <= bound, (kind, W.shape)
        assert W.std() == pytest.approx(bound / math.sqrt(3), rel=5 * math.sqrt(0.2 / W.size)), (kind, W.shape)


@pytest.mark.parametrize("activation,hidden_kind", [("relu", "he"), ("gelu", "he"), ("tanh", "xavier"),
                                                    ("sigmoid", "xavier")])
def test_every_layer_is_initialised_by_the_papers_formula(activation, hidden_kind):
    torch.manual_seed(0)
    model = MLP(400, (300, 200), 10, activation=activation)      # fan_in ≠ fan_out: fan_in/fan_out을 바꾸면 드러난다
    first, second, last = model.linears
    assert_init(first.weight, hidden_kind)
    assert_init(second.weight, hidden_kind)
    assert_init(last.weight, "xavier", gain=model.output_gain)    # 출력 층: Glorot × 0.1 (초기 logits ≈ 0)
    assert model.output_gain == 0.1
    for layer in model.linears:
        assert not layer.bias.detach().any()


# ---- from_reference: 행동을 바꾸는 hyper-parameter (dropout p, 활성화)를 모두 옮긴다 ----
def test_from_reference_carries_dropout_p_into_train_mode():
    torch.manual_seed(0)
    twin = TorchvisionMLP(64, [128, 96, 10], activation_layer=nn.GELU, dropout=0.35).train()
    model = MLP.from_reference(twin).train()
    assert [m.p for m in model.modules() if isinstance(m, nn.Dropout)] == [0.35, 0.35]
    x = torch.randn(32, 64)
    torch.manual_seed(1)
    ours = model(x)
    torch.manual_seed(1)
    theirs = nn.Sequential(*list(twin)[:-1])(x)   # twin의 마지막 Dropout(logits 위)만 빼면 같은 mask 열을 뽑는다
    assert (ours - theirs).abs().max().item() <= F32_ATOL
    torch.manual_seed(1)
    assert not torch.equal(ours, MLP.from_reference(twin).eval()(x))     # 학습 모드의 dropout이 실제로 일한다


def test_from_reference_refuses_settings_it_cannot_carry():
    with pytest.raises(ValueError, match="approximate"):
        MLP.from_reference(TorchvisionMLP(8, [16, 4], activation_layer=partial(nn.GELU, approximate="tanh")))
    mixed = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Dropout(0.1), nn.Linear(16, 16), nn.ReLU(), nn.Dropout(0.3),
                          nn.Linear(16, 4))
    with pytest.raises(ValueError, match="p가 같아야"):
        MLP.from_reference(mixed)
