"""MLP (L2) 검증: 손으로 쓴 cross-entropy·Adam == torch 라이브러리, 같은 초기값·같은 batch 순서에서 L1 == L2."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.datasets import load_digits, standardize
from utils.gradcheck import F64_ATOL, F64_RTOL, numpy_to_torch, torch_to_numpy

from ..numpy import mlp_numpy
from .mlp_lowlevel import (
    adam_init,
    adam_step,
    cross_entropy,
    evaluate,
    forward,
    init_params,
    main,
    train_epochs,
    train_step,
)


def assert_close(actual, expected, err_msg=""):
    np.testing.assert_allclose(actual, expected, rtol=F64_RTOL, atol=F64_ATOL, err_msg=err_msg)


@pytest.fixture(scope="module")
def digits():
    data = load_digits(size=8, flatten=True, seed=0)
    X_train, X_test, _, _ = standardize(data.X_train.astype(np.float64), data.X_test.astype(np.float64))
    return X_train, data.y_train, X_test, data.y_test


# ---- 손으로 쓴 연산 == 라이브러리 twin ----
def test_cross_entropy_equals_torch_including_huge_logits():
    rng = np.random.default_rng(0)
    scale = np.array([[1.0], [3.0], [1e4], [1.0], [1e4]])        # 1e4: exp가 넘치는 크기
    logits = torch.tensor(rng.normal(size=(5, 10)) * scale, requires_grad=True)
    y = torch.tensor([0, 3, 9, 5, 1])
    ours = cross_entropy(logits, y)
    (grad_ours,) = torch.autograd.grad(ours, logits)
    reference = F.cross_entropy(logits, y)
    (grad_ref,) = torch.autograd.grad(reference, logits)
    assert torch.isfinite(ours) and torch.isfinite(grad_ours).all()
    assert_close(ours.item(), reference.item())
    assert_close(grad_ours.numpy(), grad_ref.numpy())


def test_cross_entropy_passes_autograd_gradcheck():
    logits = torch.randn(4, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(1), requires_grad=True)
    y = torch.tensor([0, 5, 2, 2])
    assert torch.autograd.gradcheck(lambda z: cross_entropy(z, y), (logits,))


@pytest.mark.parametrize("betas,eps", [((0.9, 0.999), 1e-8), ((0.8, 0.99), 1e-3)], ids=["default", "large-eps"])
def test_adam_step_equals_torch_optim_adam(digits, betas, eps):
    # 큰 ε 변형: ε가 √v̂ 안쪽인지 바깥쪽인지에 따라 결과가 F64_RTOL보다 훨씬 크게 달라지는 크기다
    X_train, y_train, _, _ = digits
    X, y = torch.tensor(X_train[:64]), torch.tensor(y_train[:64])
    ours = init_params([64, 32, 16, 10], seed=2)
    theirs = {k: v.detach().clone().requires_grad_() for k, v in ours.items()}
    state = adam_init(ours)
    reference = torch.optim.Adam(theirs.values(), lr=0.01, betas=betas, eps=eps)
    for step in range(15):
        cross_entropy(forward(ours, X), y).backward()
        adam_step(ours, state, lr=0.01, betas=betas, eps=eps)
        reference.zero_grad()
        cross_entropy(forward(theirs, X), y).backward()
        reference.step()
        for name in ours:
            assert_close(ours[name].detach().numpy(), theirs[name].detach().numpy(), err_msg=f"step {step}, {name}")
    assert all(p.grad.abs().max() == 0 for p in ours.values())   # step이 grad를 0으로 돌려 놓는다


def test_adam_skips_parameters_without_gradient():
    params = init_params([3, 4, 2], seed=0)
    before = params["W2"].detach().clone()
    (params["W1"] ** 2).sum().backward()                         # W1만 grad를 받는다
    adam_step(params, adam_init(params), lr=0.1)
    assert params["W2"].grad is None and torch.equal(params["W2"].detach(), before)


def test_init_params_have_the_papers_scales():
    params = init_params([400, 300, 300, 10], activation="relu", seed=0)
    assert list(params) == ["W1", "b1", "W2", "b2", "W3", "b3"] and params["W1"].shape == (400, 300)
    assert params["W1"].std().item() == pytest.approx(math.sqrt(2 / 400), rel=0.02)   # He: 12만 표본, 통계적 여유
    assert params["W3"].abs().max().item() <= 0.1 * math.sqrt(6 / 310)                # Xavier × output_gain
    sig = init_params([400, 300, 10], activation="sigmoid", seed=0)
    assert sig["W1"].abs().max().item() <= math.sqrt(6 / 700)
    assert sig["W1"].std().item() == pytest.approx(math.sqrt(2 / 700), rel=0.02)       # Xavier
    assert all(p.is_leaf and p.requires_grad for p in params.values())


# ---- parity up the ladder: L1 (손으로 쓴 backward) == L2 (autograd) ----
def l1_model_and_l2_params(activation, sizes=(64, 48, 32, 10), seed=3):
    model = mlp_numpy.MLP(list(sizes), activation=activation, output_gain=1.0, seed=seed)
    return model, numpy_to_torch(model.params)                    # 같은 초기값 (W는 둘 다 (in, out))


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "gelu"])
def test_forward_and_gradients_equal_numpy_level(digits, activation):
    X_train, y_train, _, _ = digits
    X, y = X_train[:100], y_train[:100]
    model, params = l1_model_and_l2_params(activation)
    loss_l1, dlogits = mlp_numpy.softmax_cross_entropy(model.forward(X), y)
    model.backward(dlogits)
    logits = forward(params, torch.tensor(X), activation)
    loss_l2 = cross_entropy(logits, torch.tensor(y))
    loss_l2.backward()
    assert_close(logits.detach().numpy(), model.forward(X))
    assert_close(loss_l2.item(), loss_l1)
    for name, grad in model.grads.items():
        assert_close(params[name].grad.numpy(), grad, err_msg=name)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_adam_training_equals_numpy_level(digits, activation):
    """같은 초기 가중치, 명시적으로 준 같은 mini-batch 순서, 같은 Adam → 30 step 뒤 같은 가중치와 loss 열.

    비볼록 문제라 반올림 차이가 step마다 자랄 수 있지만 (tolerance 정책 §4) Adam의 작은 step 30번에서는
    상대 1e-12 수준에 머문다. 기준을 풀지 않고 step 수를 이 정도로 둔다.
    """
    X_train, y_train, _, _ = digits
    model, params = l1_model_and_l2_params(activation)
    batches = np.random.default_rng(4).permutation(len(X_train))[:30 * 32].reshape(30, 32)   # 30 step × 32
    optimizer = mlp_numpy.Adam(model, lr=3e-3)
    state = adam_init(params)
    X, y = torch.tensor(X_train), torch.tensor(y_train)
    losses_l1 = [mlp_numpy.train_step(model, optimizer, X_train[b], y_train[b]) for b in batches]
    losses_l2 = [train_step(params, state, X[b], y[b], activation=activation, lr=3e-3) for b in batches]
    assert losses_l1[-1] < losses_l1[0]
    assert_close(losses_l2, losses_l1)
    for name, value in torch_to_numpy(params).items():
        assert_close(value, model.params[name], err_msg=name)


# ---- dropout과 학습 ----
def test_dropout_is_active_only_in_training(digits):
    X = torch.tensor(digits[0][:200])
    params = init_params([64, 512, 10], seed=5)
    plain = forward(params, X)
    np.testing.assert_array_equal(forward(params, X, dropout=0.5, training=False).detach(), plain.detach())
    torch.manual_seed(0)
    hidden = F.relu(X @ params["W1"] + params["b1"])             # dropout 직전의 은닉 층, (200, 512)
    torch.manual_seed(0)
    dropped = F.dropout(hidden, p=0.5, training=True)
    kept = dropped != 0
    assert abs(1 - kept[hidden != 0].double().mean().item() - 0.5) < 0.02
    assert_close(dropped[kept].detach().numpy(), 2.0 * hidden[kept].detach().numpy())   # 1/(1−p) = 2배
    torch.manual_seed(0)
    expected = dropped @ params["W2"] + params["b2"]
    torch.manual_seed(0)
    assert_close(forward(params, X, dropout=0.5, training=True).detach().numpy(), expected.detach().numpy())


def test_initial_loss_is_near_log_10(digits):
    X_train, y_train, _, _ = digits
    params = init_params([64, 128, 128, 10], seed=0)
    assert abs(evaluate(params, torch.tensor(X_train), torch.tensor(y_train))[0] - math.log(10)) < 0.05


def test_quick_run_writes_result_and_plots(tmp_path):
    result = main(["--quick", "--device", "cpu", "--out", str(tmp_path)])
    assert result["level"] == "pytorch_lowlevel" and result["metric"] == "test_accuracy"
    assert result["train_loss_last"] < result["initial_loss"]
    for name in ("result.json", "loss_curve.png", "accuracy_curve.png", "first_layer_weights.png"):
        assert (tmp_path / name).stat().st_size > 0, name


# ---- 잘못된 입력 ----
def test_wrong_shape_is_refused():
    params = init_params([64, 8, 10])
    with pytest.raises(ValueError, match=r"\(N, 64\)"):
        forward(params, torch.zeros(3, 65, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"\(N, 64\).*펴세요"):
        forward(params, torch.zeros(3, 1, 8, 8, dtype=torch.float64))
    with pytest.raises(ValueError, match="float"):
        forward(params, torch.zeros(3, 64, dtype=torch.int64))


def test_bad_labels_and_nan_data_are_refused():
    with pytest.raises(ValueError, match=r"0\.\.9"):
        cross_entropy(torch.zeros(2, 10), torch.tensor([0, 10]))
    params = init_params([4, 3, 2])
    X = torch.ones(5, 4, dtype=torch.float64)
    X[1, 1] = float("nan")
    before = params["W1"].detach().clone()
    with pytest.raises(ValueError, match="NaN"):
        train_epochs(params, adam_init(params), X, torch.zeros(5, dtype=torch.int64), epochs=1, batch_size=2,
                     generator=torch.Generator().manual_seed(0), progress=False)
    assert torch.equal(params["W1"].detach(), before)


def test_unknown_data_exits_2_listing_the_choices(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--data", "cifar10"])
    assert exit_info.value.code == 2 and "digits" in capsys.readouterr().err


# ---- 수렴 기준 (slow) ----
@pytest.mark.slow
def test_default_run_reaches_97_percent(tmp_path):
    assert main(["--device", "cpu", "--out", str(tmp_path)])["value"] >= 0.97


# ---- 초기화: 층마다 (He는 fan_in, Xavier는 fan_in + fan_out, 출력 층은 × output_gain), bias 0 ----
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_init_params_follow_the_formula_in_every_layer(activation):
    params = init_params([400, 300, 200, 10], activation=activation, seed=0)   # fan_in ≠ fan_out
    for i, (fan_in, fan_out) in enumerate([(400, 300), (300, 200), (200, 10)], 1):
        W = params[f"W{i}"].detach().numpy()
        normal_tol, uniform_tol = 5 / math.sqrt(2 * W.size), 5 * math.sqrt(0.2 / W.size)   # 표본 std 표준오차의 5배
        if i < 3 and activation == "relu":
            assert W.std() == pytest.approx(math.sqrt(2 / fan_in), rel=normal_tol), i
        else:
            bound = (0.1 if i == 3 else 1.0) * math.sqrt(6 / (fan_in + fan_out))
            assert np.abs(W).max() <= bound, i
            assert W.std() == pytest.approx(bound / math.sqrt(3), rel=uniform_tol), i
        assert not params[f"b{i}"].detach().any()


# ---- 학습 step은 dropout을 켜고, evaluate는 끈다 ----
def test_train_step_uses_dropout_and_evaluate_does_not(digits):
    X, y = torch.tensor(digits[0][:200]), torch.tensor(digits[1][:200])
    params = init_params([64, 128, 10], seed=2, output_gain=1.0)
    torch.manual_seed(0)
    expected = cross_entropy(forward(params, X, dropout=0.5, training=True), y).item()
    torch.manual_seed(0)
    loss = train_step(params, adam_init(params), X, y, dropout=0.5, lr=0.0)
    assert loss == pytest.approx(expected, rel=F64_RTOL)         # 같은 seed → 같은 mask: 학습 모드로 돌았다
    assert loss != pytest.approx(cross_entropy(forward(params, X), y).item(), rel=F64_RTOL)
    first = evaluate(params, X, y)
    assert first == evaluate(params, X, y)                       # 평가는 결정적 (dropout 없음)
    assert first[0] == pytest.approx(cross_entropy(forward(params, X), y).item(), rel=F64_RTOL)
