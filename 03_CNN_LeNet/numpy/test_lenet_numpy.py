"""LeNet-5 (L1) 검증 사다리: 부품의 gradient → 모델 shape·파라미터 수 → 모델 전체 torch parity →
Adam trajectory parity → 학습 sanity (ln C, tiny batch) → 실행 → 잘못된 입력 → MNIST 경로 → 수렴 기준 (slow)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.core import DatasetUnavailable
from utils.fake_datasets import write_fake_mnist
from utils.gradcheck import (
    F64_ATOL,
    F64_RTOL,
    GRAD_REL_TOL,
    check_loss_gradient,
    check_module_gradients,
    numeric_gradient,
    rel_error,
)

from .layers import Adam, Dense, Flatten, ReLU, Tanh, softmax_cross_entropy
from .lenet_numpy import LeNet5, main


def assert_close(actual, expected, msg=""):
    np.testing.assert_allclose(actual, expected, rtol=F64_RTOL, atol=F64_ATOL, err_msg=msg)


def torch_reference(params: dict, x: torch.Tensor) -> torch.Tensor:
    """같은 가중치로 F.conv2d / F.max_pool2d / F.relu를 써서 독립적으로 쓴 LeNet-5 (Dense W는 (in, out))."""
    h = x
    for conv, pool in (("C1", True), ("C3", True), ("C5", False)):
        h = F.relu(F.conv2d(h, params[f"{conv}.W"], params[f"{conv}.b"]))
        h = F.max_pool2d(h, 2) if pool else h
    h = F.relu(h.flatten(1) @ params["F6.W"] + params["F6.b"])
    return h @ params["output.W"] + params["output.b"]


def flat_params(model: LeNet5) -> dict:
    return {f"{name}.{k}": v for name, layer in model.layers.items() for k, v in layer.params.items()}


def flat_grads(model: LeNet5) -> dict:
    return {f"{name}.{k}": v for name, layer in model.layers.items() for k, v in layer.grads.items()}


# ---- 부품 ----
def test_dense_relu_tanh_flatten_gradients():
    rng = np.random.default_rng(0)
    dense = Dense(5, 3, rng=rng)
    dense.params["b"][:] = rng.normal(size=3)
    assert max(check_module_gradients(dense, rng.normal(size=(4, 5))).values()) < GRAD_REL_TOL
    x = rng.normal(size=(4, 6))
    x[np.abs(x) < 1e-3] = 0.5                                          # ReLU의 kink(0)에서 떨어뜨린다
    assert check_module_gradients(ReLU(), x)["x"] < GRAD_REL_TOL
    assert check_module_gradients(Tanh(), rng.normal(size=(4, 6)))["x"] < GRAD_REL_TOL
    assert check_module_gradients(Flatten(), rng.normal(size=(2, 3, 2, 2)))["x"] < GRAD_REL_TOL


def test_softmax_cross_entropy_matches_finite_differences_and_torch():
    rng = np.random.default_rng(1)
    # logit을 작게(σ = 0.5) 두어 softmax 확률이 모두 1e-2 근처: 아주 작은 gradient 원소에서는 loss의 반올림 오차
    # (ε·L/h ≈ 4e-11)가 원소별 상대 오차를 키우므로, 판정 가능한 크기의 gradient로 검사한다.
    logits, y = rng.normal(size=(6, 10)) * 0.5, rng.integers(0, 10, size=6)
    assert check_loss_gradient(softmax_cross_entropy, logits, y) < GRAD_REL_TOL
    loss, dlogits = softmax_cross_entropy(logits, y)
    lt = torch.tensor(logits, requires_grad=True)
    ref = F.cross_entropy(lt, torch.tensor(y))
    ref.backward()
    assert_close(loss, ref.item())
    assert_close(dlogits, lt.grad.numpy())


def test_adam_matches_torch_adam():
    rng = np.random.default_rng(2)
    dense = Dense(4, 3, rng=rng)
    W0 = torch.tensor(dense.params["W"], requires_grad=True)
    b0 = torch.tensor(dense.params["b"], requires_grad=True)
    ours, theirs = Adam([dense], lr=0.05), torch.optim.Adam([W0, b0], lr=0.05)
    for _ in range(5):
        x, target = rng.normal(size=(8, 4)), rng.normal(size=(8, 3))
        out = dense.forward(x)
        dense.backward(2 * (out - target) / out.size)                   # d mean((out − t)²)
        ours.step()
        theirs.zero_grad()
        ((torch.tensor(x) @ W0 + b0 - torch.tensor(target)) ** 2).mean().backward()
        theirs.step()
    assert_close(dense.params["W"], W0.detach().numpy())
    assert_close(dense.params["b"], b0.detach().numpy())


# ---- 모델 ----
def test_layer_shapes_and_parameter_count():
    model = LeNet5()
    _, outputs = model.forward(np.zeros((2, 1, 32, 32)), keep=True)
    shapes = {name: outputs[name].shape for name in ("C1", "S2", "C3", "S4", "C5", "F6", "output")}
    assert shapes == {"C1": (2, 6, 28, 28), "S2": (2, 6, 14, 14), "C3": (2, 16, 10, 10), "S4": (2, 16, 5, 5),
                      "C5": (2, 120, 1, 1), "F6": (2, 84), "output": (2, 10)}
    # (kernel 원소 + bias) × 출력 수: C1 6·26, C3 16·(6·25+1), C5 120·(16·25+1), F6 84·121, 출력 10·85
    assert model.n_parameters() == 6 * 26 + 16 * 151 + 120 * 401 + 84 * 121 + 10 * 85 == 61_706


def test_full_model_output_and_gradients_equal_torch_autograd():
    rng = np.random.default_rng(3)
    model = LeNet5(seed=3)
    for layer in model.modules():                                       # bias도 0이 아닌 값으로
        layer.params["b"][:] = 0.1 * rng.normal(size=layer.params["b"].shape)
    x, y = rng.normal(size=(4, 1, 32, 32)), rng.integers(0, 10, size=4)
    logits = model.forward(x)
    loss, dlogits = softmax_cross_entropy(logits, y)
    dx = model.backward(dlogits)

    params = {k: torch.tensor(v, requires_grad=True) for k, v in flat_params(model).items()}
    xt = torch.tensor(x, requires_grad=True)
    logits_ref = torch_reference(params, xt)
    loss_ref = F.cross_entropy(logits_ref, torch.tensor(y))
    loss_ref.backward()
    assert_close(logits, logits_ref.detach().numpy())
    assert_close(loss, loss_ref.item())
    assert_close(dx, xt.grad.numpy())
    grads = flat_grads(model)
    for name, p in params.items():
        assert_close(grads[name], p.grad.numpy(), msg=name)


def test_full_model_gradient_matches_finite_differences_on_sampled_coordinates():
    """파라미터 6만 개를 모두 흔들기엔 느리므로, 텐서마다 무작위 6개 좌표만 central difference로 확인한다."""
    rng = np.random.default_rng(4)
    model = LeNet5(seed=4)
    x, y = rng.normal(size=(2, 1, 32, 32)), rng.integers(0, 10, size=2)
    model.loss_and_grads(x, y)
    analytic = {k: v.copy() for k, v in flat_grads(model).items()}
    h = 1e-5
    for name, param in flat_params(model).items():
        for _ in range(6):
            index = tuple(int(rng.integers(0, s)) for s in param.shape)
            original = param[index]
            param[index] = original + h
            plus = softmax_cross_entropy(model.forward(x), y)[0]
            param[index] = original - h
            minus = softmax_cross_entropy(model.forward(x), y)[0]
            param[index] = original
            numeric = (plus - minus) / (2 * h)
            assert rel_error(analytic[name][index], numeric) < GRAD_REL_TOL, (name, index)


def test_training_steps_equal_torch_adam_trajectory():
    """같은 초기값·같은 batch로 3 step: NumPy (손 backward + 손 Adam) == torch (autograd + torch.optim.Adam)."""
    rng = np.random.default_rng(5)
    model = LeNet5(seed=5)
    params = {k: torch.tensor(v, requires_grad=True) for k, v in flat_params(model).items()}
    ours, theirs = Adam(model.modules(), lr=1e-3), torch.optim.Adam(params.values(), lr=1e-3)
    for _ in range(3):
        x, y = rng.normal(size=(4, 1, 32, 32)), rng.integers(0, 10, size=4)
        model.loss_and_grads(x, y)
        ours.step()
        theirs.zero_grad()
        F.cross_entropy(torch_reference(params, torch.tensor(x)), torch.tensor(y)).backward()
        theirs.step()
    for name, value in flat_params(model).items():
        assert_close(value, params[name].detach().numpy(), msg=name)


def test_input_gradient_via_numeric_gradient_on_a_small_patch():
    rng = np.random.default_rng(6)
    model = LeNet5(seed=6)
    x, y = rng.normal(size=(1, 1, 32, 32)), np.array([3])
    _, dlogits = softmax_cross_entropy(model.forward(x), y)
    dx = model.backward(dlogits)
    patch = x[0, 0, 10:14, 10:14].copy()

    def loss():
        x[0, 0, 10:14, 10:14] = patch
        return softmax_cross_entropy(model.forward(x), y)[0]

    assert rel_error(dx[0, 0, 10:14, 10:14], numeric_gradient(loss, patch)) < GRAD_REL_TOL


# ---- 학습 sanity ----
def test_initial_loss_is_log_num_classes_with_zero_output_weights():
    model = LeNet5()
    model.layers["output"].params["W"][:] = 0.0                         # 모든 class 점수가 같다 → 균등 분포
    x = np.random.default_rng(7).normal(size=(10, 1, 32, 32))
    assert model.loss_and_grads(x, np.arange(10)) == pytest.approx(np.log(10), rel=1e-12)


def test_tiny_batch_can_be_overfit():
    rng = np.random.default_rng(8)
    model = LeNet5(seed=8)
    x, y = rng.normal(size=(10, 1, 32, 32)), np.arange(10)
    optimizer = Adam(model.modules(), lr=1e-3)
    first = model.loss_and_grads(x, y)
    for _ in range(60):
        optimizer.step()
        last = model.loss_and_grads(x, y)
    assert (model.forward(x).argmax(axis=1) == y).all() and last < 0.05 * first



def test_quick_run_writes_results_and_plots(tmp_path):
    result = main(["--quick", "--out", str(tmp_path)])
    assert result["metric"] == "test_accuracy" and 0.0 <= result["value"] <= 1.0
    assert result["train_loss_last"] < result["train_loss_first"]
    assert result["n_parameters"] == 61_706
    for name in ("result.json", "loss_curve.png", "c1_filters.png", "feature_maps_C1.png", "feature_maps_S4.png"):
        assert (tmp_path / name).stat().st_size > 0, name


# ---- 잘못된 입력 ----
def test_wrong_image_size_is_refused():
    with pytest.raises(ValueError, match=r"\(N, 1, 32, 32\).*\(2, 1, 28, 28\)"):
        LeNet5().forward(np.zeros((2, 1, 28, 28)))
    with pytest.raises(ValueError, match=r"\(N, 1, H, W\).*\(2, 3, 32, 32\)"):
        LeNet5().forward(np.zeros((2, 3, 32, 32)))


def test_missing_mnist_raises_one_sentence_error(tmp_path):
    with pytest.raises(DatasetUnavailable, match="--download"):
        main(["--data", "mnist", "--root", str(tmp_path), "--out", str(tmp_path / "out")])


def test_mnist_is_padded_to_32_and_trains(tmp_path):
    write_fake_mnist(tmp_path)
    result = main(["--data", "mnist", "--quick", "--root", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result["data"] == "mnist" and result["n_train"] == 64
    assert result["train_loss_last"] < result["train_loss_first"]


# ---- 수렴 기준 (slow) ----
@pytest.mark.slow
def test_default_run_on_digits_reaches_98_percent(tmp_path):
    # 기준 98%: 같은 처방의 paper 레벨 modern과 같은 기준 (측정값은 README). test는 360장이라 1장 = 0.28%p.
    assert main(["--out", str(tmp_path)])["value"] >= 0.98


# ---- 초기화: 모든 conv·dense가 He N(0, 2/fan_in), bias 0 ----
def test_every_layer_is_he_initialised_on_fan_in():
    model = LeNet5(seed=0)
    fan_ins = {"C1": 25, "C3": 6 * 25, "C5": 16 * 25, "F6": 120, "output": 84}
    for name, fan_in in fan_ins.items():
        W, b = model.layers[name].params["W"], model.layers[name].params["b"]
        # 표본 std의 상대 표준오차 1/√(2n)의 5배 (통계적 여유). C1은 150개뿐이라 넉넉하지만 fan_in을 틀리면
        # (예: fan_out 6·25) std가 √6배 달라진다.
        assert W.std() == pytest.approx(np.sqrt(2 / fan_in), rel=5 / np.sqrt(2 * W.size)), name
        np.testing.assert_array_equal(b, 0.0, err_msg=name)


def test_parameter_free_layers_do_not_share_state():
    a, b = ReLU(), ReLU()
    a.params["x"] = np.zeros(1)                                 # 클래스 속성 dict였다면 b에도 생긴다
    assert b.params == {} and Flatten().params == {} and Tanh().grads == {}
