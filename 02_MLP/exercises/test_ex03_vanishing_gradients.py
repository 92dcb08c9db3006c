"""연습문제 03 (vanishing gradient) 채점: 초기화 분산 → 수치 미분 → torch autograd parity → 상한과 고친 네트워크.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex03_vanishing_gradients.py`)을 검사한다.
기대값은 torch autograd(float64)·수치 미분·표본 분산의 표준오차로 이 파일이 따로 계산하고, 비율의 기준은
03_vanishing_gradients.md에서 유도한 상한과 분산 보존 논증에서 나온다 (solution을 돌려 얻은 숫자가 아니다).
"""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.exercises import assert_close, assert_equal, assert_rel_error, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, numeric_gradient

DEPTH, WIDTH, N_IN, N_CLASSES, BATCH = 10, 64, 32, 10, 128
SIZES = [N_IN] + [WIDTH] * (DEPTH - 1) + [N_CLASSES]        # Dense 층 L = 10개 (은닉 층 9개)
TORCH_ACTIVATION = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}
FIXED_RANGE = (0.1, 10.0)   # 분산을 보존하는 초기화: ‖δ_1‖/‖δ_L‖ 이 한 자릿수(10배) 안 (md "고치기")
SPECTRAL_SLACK = 1.1        # ‖W‖₂ ≈ σ(√fan_in + √fan_out) 추정에 층마다 허용하는 유한 크기 여유 (md "상한")


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex03_vanishing_gradients")


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    return rng.normal(size=(BATCH, N_IN)), rng.integers(0, N_CLASSES, size=BATCH)


def gaussian_weights(init, seed):
    """테스트가 따로 만드는 가중치 (학습자의 init_weights와 무관하게 parity를 보려고)."""
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        variance = 2.0 / (fan_in + fan_out) if init == "xavier" else 2.0 / fan_in
        weights.append(rng.normal(size=(fan_in, fan_out)) * np.sqrt(variance))
    biases = [rng.normal(size=W.shape[1]) * 0.1 for W in weights]  # 0이 아닌 bias로 + b 도 확인한다
    return weights, biases


def torch_profile(X, y, weights, biases, activation):
    """같은 가중치로 torch autograd가 계산한 층별 mean |∂L/∂W_l| 과 ‖∂L/∂Z_l‖_F."""
    Ws = [torch.tensor(W, requires_grad=True) for W in weights]
    h, zs = torch.tensor(X), []
    for index, (W, b) in enumerate(zip(Ws, biases)):
        z = h @ W + torch.tensor(b)
        z.retain_grad()
        zs.append(z)
        h = z if index == len(Ws) - 1 else TORCH_ACTIVATION[activation](z)
    F.cross_entropy(h, torch.tensor(y)).backward()
    return (np.array([W.grad.abs().mean().item() for W in Ws]),
            np.array([torch.linalg.norm(z.grad).item() for z in zs]))


def ratio(profile):
    norms = profile["delta_norm"]
    return norms[0] / norms[-1]


# ---- 1단계: 초기화 ----
@pytest.mark.parametrize("init", ["xavier", "he"])
def test_init_weights_has_the_documented_variance(ex, init):
    sizes = [400, 300, 200]
    weights, biases = ex.init_weights(sizes, init, np.random.default_rng(1))
    assert [W.shape for W in weights] == [(400, 300), (300, 200)]
    assert [b.shape for b in biases] == [(300,), (200,)]
    for W, b, (fan_in, fan_out) in zip(weights, biases, [(400, 300), (300, 200)]):
        assert W.dtype == np.float64
        assert_equal(b, np.asarray(0.0), f"{init} bias")
        expected = 2.0 / (fan_in + fan_out) if init == "xavier" else 2.0 / fan_in
        # 표본 분산의 상대 표준오차는 √(2/n) (정규분포, n = 원소 수). 5배 표준오차 안이면 통과.
        n = W.size
        assert abs(W.var() / expected - 1.0) < 5 * np.sqrt(2.0 / n), (W.var(), expected)
        assert abs(W.mean()) < 5 * np.sqrt(expected / n)


def test_unknown_init_or_activation_is_refused(ex, batch):
    X, _ = batch
    with pytest.raises(ValueError):
        ex.init_weights(SIZES, "uniform", np.random.default_rng(0))
    weights, biases = gaussian_weights("he", 0)
    with pytest.raises(ValueError):
        ex.forward(X, weights, biases, "softplus")


# ---- 2·3단계: forward / backward == 수치 미분 ----
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_backward_matches_finite_differences(ex, activation):
    rng = np.random.default_rng(2)
    sizes = [5, 7, 6, 3]
    weights = [rng.normal(size=(a, b)) * 0.8 for a, b in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=b) * 0.3 for b in sizes[1:]]
    X, dout = rng.normal(size=(4, 5)), rng.normal(size=(4, 3))
    loss = lambda: float(np.sum(ex.forward(X, weights, biases, activation)[0] * dout))  # dL/dlogits = dout
    logits, cache = ex.forward(X, weights, biases, activation)
    assert logits.shape == (4, 3)
    dW, db, deltas = ex.backward(dout, weights, cache, activation)
    assert [d.shape for d in deltas] == [(4, 7), (4, 6), (4, 3)]
    for index in range(3):
        assert_rel_error(dW[index], numeric_gradient(loss, weights[index]), f"{activation} dW[{index}]", GRAD_REL_TOL)
        assert_rel_error(db[index], numeric_gradient(loss, biases[index]), f"{activation} db[{index}]", GRAD_REL_TOL)
    assert_close(deltas[-1], dout, "deltas[-1] (= δ_L = dlogits)", rtol=F64_RTOL, atol=F64_ATOL)


# ---- 4단계: 층별 gradient 크기 == torch autograd ----
@pytest.mark.parametrize("activation, init", [("sigmoid", "xavier"), ("tanh", "xavier"), ("relu", "he")])
def test_gradient_profile_equals_torch_autograd(ex, batch, activation, init):
    X, y = batch
    weights, biases = gaussian_weights(init, 3)
    profile = ex.gradient_profile(X, y, weights, biases, activation)
    mean_abs, delta_norm = torch_profile(X, y, weights, biases, activation)
    assert profile["mean_abs_grad"].shape == profile["delta_norm"].shape == (DEPTH,)
    assert_close(profile["mean_abs_grad"], mean_abs, f"{activation}+{init} 층별 mean |dW|", rtol=F64_RTOL, atol=0)
    assert_close(profile["delta_norm"], delta_norm, f"{activation}+{init} 층별 ‖δ_l‖", rtol=F64_RTOL, atol=0)


# ---- 5단계: 상한 ----
@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_delta_ratio_bound_follows_the_definition(ex, activation):
    weights, _ = gaussian_weights("xavier", 4)
    max_derivative = 0.25 if activation == "sigmoid" else 1.0           # σ′(z) = σ(1 − σ) ≤ 1/4 (z = 0에서)
    expected = max_derivative ** (DEPTH - 1) * np.prod([np.linalg.svd(W, compute_uv=False)[0] for W in weights[1:]])
    assert_close(ex.delta_ratio_bound(weights, activation), expected, f"delta_ratio_bound({activation})",
                 rtol=F64_RTOL, atol=0.0)


# ---- 진단과 고치기 ----
def test_sigmoid_gradient_vanishes_below_the_quarter_power_bound(ex, batch):
    X, y = batch
    weights, biases = ex.init_weights(SIZES, "xavier", np.random.default_rng(5))
    r = ratio(ex.gradient_profile(X, y, weights, biases, "sigmoid"))
    # 어떤 가중치에서도 성립하는 상한 (md "상한"): ‖δ_1‖/‖δ_L‖ ≤ (1/4)^{L−1} Π_{l≥2} ‖W_l‖₂
    bound = 0.25 ** (DEPTH - 1) * np.prod([np.linalg.norm(W, 2) for W in weights[1:]])
    assert r <= bound, (r, bound)
    # Xavier에서 ‖W_l‖₂ ≈ σ_l (√fan_in + √fan_out) (정사각 층이면 ≈ 2) → 상한 ≈ (1/2)^{L−1}
    estimate = np.prod([np.sqrt(2.0 / (a + b)) * (np.sqrt(a) + np.sqrt(b)) for a, b in zip(SIZES[1:-1], SIZES[2:])])
    assert bound <= 0.25 ** (DEPTH - 1) * estimate * SPECTRAL_SLACK ** (DEPTH - 1), (bound, estimate)


@pytest.mark.parametrize("activation, init", [("relu", "he"), ("tanh", "xavier")])
def test_variance_preserving_fix_keeps_the_ratio_within_a_decade(ex, batch, activation, init):
    X, y = batch
    rng_seed = 5                                                        # 위의 sigmoid 네트워크와 같은 seed
    broken = ex.init_weights(SIZES, "xavier", np.random.default_rng(rng_seed))
    r_broken = ratio(ex.gradient_profile(X, y, *broken, "sigmoid"))
    fixed = ex.init_weights(SIZES, init, np.random.default_rng(rng_seed))
    r_fixed = ratio(ex.gradient_profile(X, y, *fixed, activation))
    low, high = FIXED_RANGE
    assert low <= r_fixed <= high, r_fixed
    bound_broken = 0.25 ** (DEPTH - 1) * np.prod([np.linalg.norm(W, 2) for W in broken[0][1:]])
    assert r_fixed / r_broken >= low / bound_broken, (r_fixed, r_broken)   # 최소 low / 상한 배 좋아진다


def test_ratio_table_equals_torch_for_each_cell(ex, batch):
    """질문 4: 네 칸의 기대값은 같은 가중치로 torch autograd가 잰 ‖δ_1‖ / ‖δ_L‖이다."""
    X, y = batch
    weights = {init: gaussian_weights(init, 7) for init in ("xavier", "he")}
    table = ex.ratio_table(X, y, weights)
    cells = [(a, i) for a in ("sigmoid", "relu") for i in ("xavier", "he")]
    assert sorted(table) == sorted(cells), f"표의 칸이 다릅니다: {sorted(table)}"
    measured = {}
    for activation, init in cells:
        delta_norm = torch_profile(X, y, *weights[init], activation)[1]
        measured[(activation, init)] = delta_norm[0] / delta_norm[-1]
        assert_close(table[(activation, init)], measured[(activation, init)], f"r[{activation}, {init}]",
                     rtol=F64_RTOL, atol=0.0)
    low, high = FIXED_RANGE
    inside = {cell: low <= r <= high for cell, r in measured.items()}
    assert inside == {cell: cell == ("relu", "he") for cell in cells}, f"[0.1, 10] 안의 칸: {inside}"
