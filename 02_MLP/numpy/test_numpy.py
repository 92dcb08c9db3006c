"""MLP (L1) 검증 사다리: shape → 수치 미분 → torch autograd parity → optimizer parity → 학습 → 잘못된 입력."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.core import DatasetUnavailable
from utils.datasets import load_digits, standardize
from utils.gradcheck import (
    F64_ATOL,
    F64_RTOL,
    GRAD_REL_TOL,
    check_loss_gradient,
    check_module_gradients,
)

from .mlp_numpy import (
    GELU,
    MLP,
    SGD,
    Adam,
    Dense,
    Dropout,
    Momentum,
    ReLU,
    Sigmoid,
    Tanh,
    erf,
    evaluate,
    gradient_flow,
    he_init,
    main,
    softmax_cross_entropy,
    train_epochs,
    train_step,
    xavier_init,
)

TORCH_ACTIVATION = {"relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "gelu": F.gelu}


def assert_close(actual, expected, err_msg=""):
    np.testing.assert_allclose(actual, expected, rtol=F64_RTOL, atol=F64_ATOL, err_msg=err_msg)


def off_kink(rng, shape, margin=0.1):
    """|x| ≥ margin인 난수: ReLU의 kink(0)에서 떨어뜨려 x ± h가 kink를 넘지 않게 한다 (h = 1e-5 ≪ margin)."""
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(margin, 2.0, size=shape)


@pytest.fixture(scope="module")
def digits():
    data = load_digits(size=8, flatten=True, seed=0)
    X_train, X_test, _, _ = standardize(data.X_train.astype(np.float64), data.X_test.astype(np.float64))
    return X_train, data.y_train, X_test, data.y_test


def torch_mlp_loss(model: MLP, X: np.ndarray, y: np.ndarray):
    """같은 가중치로 torch에서 MLP를 다시 계산한다 (F.linear는 x Wᵀ + b 이므로 W (D, K)를 전치해 넘긴다)."""
    params = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}
    x = torch.tensor(X, requires_grad=True)
    h, n_dense = x, len(model.dense)
    for i in range(1, n_dense + 1):
        h = F.linear(h, params[f"W{i}"].T, params[f"b{i}"])     # (N, n_{i−1}) → (N, n_i)
        if i < n_dense:
            h = TORCH_ACTIVATION[model.activation](h)
    loss = F.cross_entropy(h, torch.tensor(y))
    loss.backward()
    return loss, h, x, params


# ---- shape ----
def test_shapes_and_parameter_count():
    model = MLP([64, 32, 16, 10])
    x = np.random.default_rng(0).normal(size=(5, 64))
    assert model.forward(x).shape == (5, 10)
    assert model.backward(np.ones((5, 10))).shape == (5, 64)
    assert list(model.params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert model.params["W2"].shape == (32, 16) and model.grads["b3"].shape == (10,)
    assert model.n_parameters == (64 * 32 + 32) + (32 * 16 + 16) + (16 * 10 + 10)


def test_dtype_follows_the_input():
    x = np.random.default_rng(0).normal(size=(4, 6)).astype(np.float32)
    for layer in (ReLU(), Sigmoid(), Tanh(), GELU(), Dropout(0.5, seed=0)):
        assert layer.forward(x).dtype == np.float32, type(layer).__name__
        assert layer.backward(x).dtype == np.float32, type(layer).__name__
    model = MLP([6, 5, 3], activation="gelu", dtype=np.float32)
    assert model.forward(x).dtype == np.float32 and model.backward(np.ones((4, 3), np.float32)).dtype == np.float32


# ---- gradient: 수치 미분 (float64) ----
@pytest.mark.parametrize("make_layer", [
    lambda rng: Dense(5, 4, rng),
    lambda rng: ReLU(),
    lambda rng: Sigmoid(),
    lambda rng: Tanh(),
    lambda rng: GELU(),
], ids=["Dense", "ReLU", "Sigmoid", "Tanh", "GELU"])
def test_layer_backward_matches_finite_differences(make_layer):
    rng = np.random.default_rng(0)
    layer = make_layer(rng)
    for value in layer.params.values():                          # bias도 0이 아닌 값에서 확인한다
        value[...] = rng.normal(size=value.shape)
    x = off_kink(rng, (6, 5)) * 1.5                               # GELU·sigmoid의 꼬리(|x| 최대 3)까지 포함
    errors = check_module_gradients(layer, x, seed=1)
    assert set(errors) == {"x", *layer.params}
    assert max(errors.values()) < GRAD_REL_TOL, errors


class ReseededDropout:
    """forward마다 같은 seed로 난수열을 되돌리는 Dropout: 수치 미분의 2·(원소 수)번 forward가 모두 같은 mask를 쓴다."""

    def __init__(self, p, seed):
        self.layer, self.seed = Dropout(p), seed
        self.params, self.grads = self.layer.params, self.layer.grads

    def forward(self, x):
        self.layer.rng = np.random.default_rng(self.seed)
        return self.layer.forward(x)

    def backward(self, dout):
        return self.layer.backward(dout)


def test_dropout_backward_matches_finite_differences():
    x = np.random.default_rng(0).normal(size=(8, 7))
    errors = check_module_gradients(ReseededDropout(0.4, seed=3), x)
    assert errors["x"] < GRAD_REL_TOL


def test_softmax_cross_entropy_gradient_matches_finite_differences():
    # 수치 미분의 반올림 오차는 ε·|L|/h ≈ 5e-11로 원소마다 같다. 평균 loss의 gradient는 (p − onehot)/N이라
    # N이 크고 확률 p가 아주 작으면 원소가 그 오차에 가까워지므로, 작은 N과 O(1) logits로 판정할 수 있게 한다.
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(3, 10))
    assert check_loss_gradient(softmax_cross_entropy, logits, rng.integers(0, 10, size=3)) < GRAD_REL_TOL


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "gelu"])
def test_whole_mlp_backward_matches_finite_differences(activation):
    # MLP 전체를 하나의 L1 모듈로: L = Σ logits ⊙ dout 에 대해 dx와 모든 W_l, b_l (loss는 위에서 따로 확인했다)
    rng = np.random.default_rng(2)
    model = MLP([5, 7, 6, 4], activation=activation, output_gain=1.0, seed=2)
    for name, value in model.params.items():
        if name.startswith("b"):
            value[...] = 0.1 * rng.normal(size=value.shape)
    X = rng.normal(size=(6, 5))
    # 입력을 kink에서 떼어 놓았는지 직접 확인: 모든 은닉 pre-activation이 h = 1e-5보다 훨씬 멀리 있어야 한다.
    h = X
    for dense, act in zip(model.dense[:-1], model.layers[1::2]):
        z = dense.forward(h)
        assert np.abs(z).min() > 1e-3, "이 seed는 pre-activation이 kink에 너무 가깝다: seed를 바꿔야 한다"
        h = act.forward(z)
    errors = check_module_gradients(model, X, seed=3)
    assert set(errors) == {"x", "W1", "b1", "W2", "b2", "W3", "b3"}
    assert max(errors.values()) < GRAD_REL_TOL, errors


# ---- parity: 같은 가중치·입력에서 NumPy == torch autograd (float64) ----
def test_dense_equals_torch_linear():
    rng = np.random.default_rng(3)
    layer = Dense(6, 4, rng)
    layer.params["b"][...] = rng.normal(size=4)
    x, dout = rng.normal(size=(5, 6)), rng.normal(size=(5, 4))
    xt = torch.tensor(x, requires_grad=True)
    W = torch.tensor(layer.params["W"].T.copy(), requires_grad=True)   # nn.Linear 관례: (out, in)
    b = torch.tensor(layer.params["b"], requires_grad=True)
    out = F.linear(xt, W, b)
    out.backward(torch.tensor(dout))
    assert_close(layer.forward(x), out.detach().numpy())
    assert_close(layer.backward(dout), xt.grad.numpy())
    assert_close(layer.grads["W"], W.grad.numpy().T)
    assert_close(layer.grads["b"], b.grad.numpy())


@pytest.mark.parametrize("name,layer", [("relu", ReLU()), ("sigmoid", Sigmoid()), ("tanh", Tanh()),
                                        ("gelu", GELU())])
def test_activation_equals_torch(name, layer):
    rng = np.random.default_rng(4)
    x = np.concatenate([off_kink(rng, (50,)) * 4, [-40.0, -9.0, 9.0, 40.0]])   # 꼬리까지
    dout = rng.normal(size=x.shape)
    xt = torch.tensor(x, requires_grad=True)
    out = TORCH_ACTIVATION[name](xt)                              # F.gelu의 기본값은 approximate="none" (erf 형태)
    out.backward(torch.tensor(dout))
    assert_close(layer.forward(x), out.detach().numpy(), err_msg=name)
    assert_close(layer.backward(dout), xt.grad.numpy(), err_msg=name)


def test_erf_equals_math_erf():
    x = np.concatenate([np.linspace(-8.0, 8.0, 4001), [2.5 - 1e-12, 2.5, -2.5, 1e-300, 0.0, 30.0, -30.0]])
    assert_close(erf(x), [math.erf(v) for v in x])


def test_sigmoid_and_loss_do_not_overflow():
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        p = Sigmoid().forward(np.array([-1e4, 0.0, 1e4]))
        loss, dlogits = softmax_cross_entropy(np.array([[1e4, 0.0, -1e4]]), np.array([1]))
    np.testing.assert_array_equal(p, [0.0, 0.5, 1.0])
    assert loss == pytest.approx(1e4, rel=1e-12) and np.isfinite(dlogits).all()


def test_softmax_cross_entropy_equals_torch():
    rng = np.random.default_rng(5)
    logits, y = rng.normal(size=(9, 10)) * 3, rng.integers(0, 10, size=9)
    lt = torch.tensor(logits, requires_grad=True)
    reference = F.cross_entropy(lt, torch.tensor(y))
    reference.backward()
    loss, dlogits = softmax_cross_entropy(logits, y)
    assert_close(loss, reference.item())
    assert_close(dlogits, lt.grad.numpy())


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "gelu"])
def test_whole_mlp_equals_torch_autograd(activation, digits):
    X_train, y_train, _, _ = digits
    X, y = X_train[:50], y_train[:50]
    model = MLP([64, 32, 24, 10], activation=activation, seed=4)
    loss, dlogits = softmax_cross_entropy(model.forward(X), y)
    dx = model.backward(dlogits)
    loss_t, logits_t, x_t, params_t = torch_mlp_loss(model, X, y)
    assert_close(model.forward(X), logits_t.detach().numpy())
    assert_close(loss, loss_t.item())
    assert_close(dx, x_t.grad.numpy())
    for name, grad in model.grads.items():
        assert_close(grad, params_t[name].grad.numpy(), err_msg=name)


# ---- Dropout ----
def test_dropout_train_scales_kept_units_and_eval_is_identity():
    x = np.random.default_rng(6).uniform(1.0, 2.0, size=(200, 500))   # 0이 없는 입력: 0인 출력 = 떨어진 unit
    layer = Dropout(0.3, seed=0)
    out = layer.forward(x)
    dropped = out == 0
    assert abs(dropped.mean() - 0.3) < 0.01                      # 10만 개 중 비율: 표준오차 ≈ 0.0015
    assert_close(out[~dropped], x[~dropped] / (1 - 0.3))          # inverted dropout: 남은 unit은 1/(1−p)배
    dx = layer.backward(np.ones_like(x))                         # backward는 forward의 mask를 그대로 쓴다
    np.testing.assert_array_equal(dx == 0, dropped)
    assert_close(dx[~dropped], np.full((~dropped).sum(), 1 / (1 - 0.3)))
    layer.training = False
    assert layer.forward(x) is x and layer.backward(x) is x       # eval: identity


def test_dropout_masks_are_seeded_and_fresh_each_call():
    x = np.ones((20, 30))
    a, b = Dropout(0.5, seed=1), Dropout(0.5, seed=1)
    first = a.forward(x)
    np.testing.assert_array_equal(first, b.forward(x))           # 같은 seed → 같은 mask
    assert not np.array_equal(first, a.forward(x))               # 다음 forward는 새 mask


def test_mlp_train_and_eval_modes_switch_dropout():
    model = MLP([8, 16, 3], dropout=0.5, seed=0)
    x = np.random.default_rng(0).normal(size=(4, 8))
    model.eval()
    np.testing.assert_array_equal(model.forward(x), model.forward(x))   # eval은 결정적
    model.train()
    assert not np.array_equal(model.forward(x), model.forward(x))       # train은 매번 다른 mask
    assert model.training and not model.eval().training


# ---- 초기화: 분포가 논문의 식과 torch.nn.init과 같다 ----
def test_xavier_and_he_init_have_the_papers_variance():
    rng = np.random.default_rng(7)
    fan_in, fan_out = 400, 300
    W = xavier_init(fan_in, fan_out, rng)
    bound = math.sqrt(6 / (fan_in + fan_out))
    torch_w = torch.nn.init.xavier_uniform_(torch.empty(fan_out, fan_in, dtype=torch.float64))
    # 12만 개 표본의 표준편차는 상대 표준오차 ≈ 0.2%이므로 2%는 통계적 여유다 (반올림 기준이 아니다).
    assert np.abs(W).max() <= bound and np.abs(W).max() > 0.99 * bound
    assert W.std() == pytest.approx(math.sqrt(2 / (fan_in + fan_out)), rel=0.02)
    assert W.std() == pytest.approx(torch_w.std().item(), rel=0.02)
    W = he_init(fan_in, fan_out, rng)
    torch_w = torch.nn.init.kaiming_normal_(torch.empty(fan_out, fan_in, dtype=torch.float64), nonlinearity="relu")
    assert abs(W.mean()) < 0.01 * W.std()
    assert W.std() == pytest.approx(math.sqrt(2 / fan_in), rel=0.02)
    assert W.std() == pytest.approx(torch_w.std().item(), rel=0.02)


# ---- optimizer: 같은 params·grads로 N step → torch.optim과 step마다 같다 ----
class Bag:
    """optimizer가 다루는 최소 모듈: params / grads dict만 있다. grads는 테스트가 매 step 채운다."""

    def __init__(self, rng):
        self.params = {"a": rng.normal(size=(4, 3)), "b": rng.normal(size=5)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}


@pytest.mark.parametrize("ours,theirs", [
    (lambda m: SGD(m, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    (lambda m: Momentum(m, lr=0.05, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    (lambda m: Adam(m, lr=0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    (lambda m: Adam(m, lr=0.02, betas=(0.8, 0.99), eps=1e-3),
     lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-3)),
], ids=["sgd", "momentum", "adam", "adam-large-eps"])
def test_optimizer_steps_equal_torch_optim(ours, theirs):
    rng = np.random.default_rng(8)
    bag = Bag(rng)
    tensors = {k: torch.tensor(v.copy(), requires_grad=True) for k, v in bag.params.items()}
    optimizer, reference = ours([bag]), theirs(list(tensors.values()))
    for step in range(10):
        for name in bag.params:
            # gradient scale을 step마다 크게 바꿔 Adam의 2차 moment와 ε 위치가 결과에 드러나게 한다
            grad = rng.normal(size=bag.params[name].shape) * 10.0 ** rng.integers(-4, 2)
            bag.grads[name][...] = grad
            tensors[name].grad = torch.tensor(grad.copy())
        optimizer.step()
        reference.step()
        for name, value in bag.params.items():
            assert_close(value, tensors[name].detach().numpy(), err_msg=f"step {step}, {name}")


def test_momentum_is_the_papers_equation_9():
    # 논문 식 (9): Δw(t) = −ε g(t) + α Δw(t−1). PyTorch 형태 v = μv + g, w −= lr·v 와 같은 궤적이어야 한다.
    rng = np.random.default_rng(9)
    bag = Bag(rng)
    w, delta = bag.params["a"].copy(), np.zeros((4, 3))
    optimizer = Momentum(bag, lr=0.1, momentum=0.8)
    for _ in range(8):
        grad = rng.normal(size=(4, 3))
        bag.grads["a"][...] = grad
        optimizer.step()
        delta = -0.1 * grad + 0.8 * delta
        w = w + delta
        assert_close(bag.params["a"], w)


# ---- 학습의 sanity check ----
def test_initial_loss_is_near_log_10(digits):
    X_train, y_train, _, _ = digits
    loss = evaluate(MLP([64, 128, 128, 10], seed=0), X_train, y_train)[0]
    assert abs(loss - math.log(10)) < 0.05
    # 출력 층을 줄이지 않으면(output_gain=1) logits의 분산이 O(1)이라 초기 loss가 ln 10보다 눈에 띄게 크다
    assert evaluate(MLP([64, 128, 128, 10], output_gain=1.0, seed=0), X_train, y_train)[0] > math.log(10) + 0.3


@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_tiny_batch_can_be_overfit(digits, activation):
    X_train, y_train, _, _ = digits
    X, y = X_train[:20], y_train[:20]
    model = MLP([64, 64, 64, 10], activation=activation, seed=1)
    optimizer = Adam(model, lr=1e-2)
    losses = [train_step(model, optimizer, X, y) for _ in range(150)]
    assert losses[-1] < 0.01 * losses[0]
    assert (model.forward(X).argmax(axis=1) == y).all()


def test_training_lowers_the_loss_with_every_optimizer(digits):
    X_train, y_train, _, _ = digits
    for make in (lambda m: SGD(m, lr=0.1), lambda m: Momentum(m, lr=0.05), lambda m: Adam(m, lr=5e-3)):
        model = MLP([64, 32, 10], seed=0)
        before = evaluate(model, X_train, y_train)[0]
        train_epochs(model, make(model), X_train, y_train, epochs=3, batch_size=64, rng=np.random.default_rng(0),
                     progress=False)
        assert evaluate(model, X_train, y_train)[0] < 0.5 * before


def test_sigmoid_gradient_vanishes_with_depth_but_relu_does_not(digits):
    X_train, y_train, _, _ = digits
    X, y = X_train[:256], y_train[:256]
    sigmoid = gradient_flow(X, y, "sigmoid", depth=10)
    relu = gradient_flow(X, y, "relu", depth=10)
    assert sigmoid.shape == relu.shape == (11,)
    assert sigmoid[0] < 1e-2 * relu[0]                           # 첫 층: sigmoid가 100배 넘게 작다
    assert sigmoid[0] < 1e-3 * sigmoid[-2]                       # sigmoid: 층을 내려갈수록 사라진다
    assert 0.1 < relu[0] / relu[-2] < 10                         # ReLU + He: 같은 자릿수를 유지한다
    shallow = gradient_flow(X, y, "sigmoid", depth=1)            # 얕으면 그런 일이 없다
    assert shallow[0] > 1e-2 * gradient_flow(X, y, "relu", depth=1)[0]


def test_quick_run_writes_result_and_plots(tmp_path):
    result = main(["--quick", "--out", str(tmp_path)])
    assert result["model"] == "MLP" and result["level"] == "numpy" and result["metric"] == "test_accuracy"
    assert 0.0 <= result["value"] <= 1.0 and result["train_loss_last"] < result["initial_loss"]
    assert (tmp_path / "result.json").exists()
    for name in ("loss_curve", "accuracy_curve", "first_layer_weights", "gradient_flow"):
        assert (tmp_path / f"{name}.png").stat().st_size > 0, name
    assert result["gradient_flow"]["sigmoid"][0] < result["gradient_flow"]["relu"][0]


# ---- 잘못된 입력 ----
def test_wrong_feature_count_is_refused():
    with pytest.raises(ValueError, match=r"\(N, 64\)"):
        MLP([64, 8, 10]).forward(np.zeros((2, 63)))


def test_unflattened_images_are_refused_with_the_expected_shape():
    with pytest.raises(ValueError, match=r"\(N, 64\).*펴세요"):
        MLP([64, 8, 10]).forward(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match=r"\(N, 64\)"):
        MLP([64, 8, 10]).forward(np.zeros(64))


def test_integer_input_is_refused():
    with pytest.raises(ValueError, match="float"):
        MLP([4, 3, 2]).forward(np.zeros((2, 4), dtype=np.int64))


def test_nan_in_data_is_refused_before_training():
    X = np.ones((6, 4))
    X[3, 2] = np.nan
    model = MLP([4, 5, 3])
    before = model.params["W1"].copy()
    with pytest.raises(ValueError, match="NaN"):
        train_epochs(model, Adam(model), X, np.zeros(6, dtype=np.int64), epochs=1, batch_size=2,
                     rng=np.random.default_rng(0), progress=False)
    np.testing.assert_array_equal(model.params["W1"], before)    # 학습이 시작되지 않았다


def test_bad_labels_and_hyperparameters_are_refused():
    with pytest.raises(ValueError, match=r"0\.\.2"):
        softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        Dropout(1.0)
    with pytest.raises(ValueError, match="activation"):
        MLP([4, 3, 2], activation="swish")
    with pytest.raises(ValueError, match="learning rate"):
        Adam(MLP([4, 3, 2]), lr=0.0)


def test_unknown_data_exits_2_listing_the_choices(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--data", "imagenet"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "digits" in err and "mnist" in err


def test_missing_mnist_says_what_to_do(tmp_path):
    with pytest.raises(DatasetUnavailable, match="--download"):
        main(["--data", "mnist", "--root", str(tmp_path), "--out", str(tmp_path / "out")])


# ---- 수렴 기준 (slow) ----
@pytest.mark.slow
def test_default_run_reaches_97_percent(tmp_path):
    # 기준 97%: digits test 360장 중 오답 10장 이하.
    result = main(["--out", str(tmp_path)])
    assert result["value"] >= 0.97


# ---- MLP이 층마다 고르는 초기화: 은닉 층은 활성화에 맞춰, 출력 층은 Xavier × output_gain, bias 0 ----
def assert_init(W, kind, gain=1.0):
    """W (fan_in, fan_out)의 분포를 식과 비교한다. 표본 std의 상대 표준오차(정규 1/√(2n), 균등 √(0.2/n))의
    5배를 통계적 여유로 둔다."""
    fan_in, fan_out = W.shape
    if kind == "he":
        assert W.std() == pytest.approx(math.sqrt(2 / fan_in), rel=5 / math.sqrt(2 * W.size)), (kind, W.shape)
    else:
        bound = gain * math.sqrt(6 / (fan_in + fan_out))
        assert np.abs(W).max() <= bound, (kind, W.shape)
        assert W.std() == pytest.approx(bound / math.sqrt(3), rel=5 * math.sqrt(0.2 / W.size)), (kind, W.shape)


@pytest.mark.parametrize("activation,init,hidden_kind", [("relu", None, "he"), ("gelu", None, "he"),
                                                         ("tanh", None, "xavier"), ("sigmoid", None, "xavier"),
                                                         ("relu", "xavier", "xavier"), ("tanh", "he", "he")])
def test_mlp_initialises_every_layer_by_the_chosen_formula(activation, init, hidden_kind):
    model = MLP([400, 300, 200, 10], activation=activation, init=init, seed=0)   # fan_in ≠ fan_out
    first, second, last = model.dense
    assert_init(first.params["W"], hidden_kind)
    assert_init(second.params["W"], hidden_kind)
    assert_init(last.params["W"], "xavier", gain=0.1)            # 출력 층: 기본 output_gain 0.1
    for layer in model.dense:
        np.testing.assert_array_equal(layer.params["b"], 0.0)


# ---- evaluate: dropout > 0 이어도 평가는 dropout 없이, 결정적으로, 원래 모드로 돌아온다 ----
def test_evaluate_turns_dropout_off_and_restores_the_mode(digits):
    X, y = digits[0][:300], digits[1][:300]
    dropped = MLP([64, 128, 128, 10], dropout=0.5, output_gain=1.0, seed=3)
    plain = MLP([64, 128, 128, 10], dropout=0.0, output_gain=1.0, seed=3)     # 같은 seed → 같은 가중치
    for name, value in plain.params.items():
        np.testing.assert_array_equal(dropped.params[name], value, err_msg=name)
    dropped.train()
    first = evaluate(dropped, X, y)
    assert first == evaluate(dropped, X, y)                      # 결정적
    assert first == evaluate(plain, X, y)                        # dropout이 없는 같은 네트워크와 같은 값
    assert dropped.training                                      # 학습 모드로 돌려 놓았다
    train_loss = softmax_cross_entropy(dropped.forward(X), y)[0]
    assert train_loss != pytest.approx(first[0], rel=F64_RTOL)   # 학습 모드의 forward는 실제로 dropout을 건다
    dropped.eval()
    evaluate(dropped, X, y)
    assert not dropped.training                                  # 평가 모드였으면 평가 모드 그대로


class NoStep:
    """가중치를 바꾸지 않는 optimizer: 두 모델의 train loss 차이가 dropout에서만 오게 한다."""

    def step(self) -> None:
        pass


def test_train_epochs_trains_with_dropout_on(digits):
    # train_epochs가 model.train()을 빼먹으면 eval 모드로 건넨 모델은 dropout 없이 학습된다
    X, y = digits[0][:200], digits[1][:200]
    with_dropout = MLP([64, 64, 10], dropout=0.5, seed=1).eval()
    without = MLP([64, 64, 10], dropout=0.0, seed=1)
    history = train_epochs(with_dropout, NoStep(), X, y, epochs=1, batch_size=200,
                           rng=np.random.default_rng(0), progress=False)
    reference = train_epochs(without, NoStep(), X, y, epochs=1, batch_size=200,
                             rng=np.random.default_rng(0), progress=False)
    assert history["train_loss"][0] != pytest.approx(reference["train_loss"][0], rel=F64_RTOL)
