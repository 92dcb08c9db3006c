"""연습문제 02 (momentum) 채점: torch.optim.SGD와 step마다 같음 → 2차 함수 → step 수 → κ = 100에서 momentum의 이득.

기본은 reference solution을, `--learner`를 주면 학습자 stub(`ex02_momentum.py`)을 검사한다.
기대값은 `torch.optim.SGD`(float64), 고유분해로 푼 정확한 GD 궤적, 특성 방정식의 근으로 이 파일이 따로 계산한다.
step 수의 비교 기준은 02_momentum.md에서 유도한 점근 속도에서 나온다 (solution을 돌려 얻은 숫자가 아니다).
"""
import numpy as np
import pytest
import torch

from utils.exercises import assert_close, assert_equal, assert_rel_error, load_exercise
from utils.gradcheck import F64_ATOL, F64_RTOL, GRAD_REL_TOL, numeric_gradient

KAPPA = 100.0
M, L = 1.0, KAPPA          # Hessian 고윳값의 범위 [m, L]
REL_TOL = 1e-10            # f(x_k) ≤ REL_TOL · f(x_0) 까지


@pytest.fixture
def ex(request):
    return load_exercise(request, __package__, "ex02_momentum")


@pytest.fixture(scope="module")
def problem():
    """κ = 100 인 10차원 2차 함수: 고윳값 1 … 100 (기하 간격)을 임의의 직교 기저로 돌린 A, 출발점 x0."""
    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(10, 10)))           # (10, 10) 직교 행렬
    A = q @ np.diag(np.geomspace(M, L, 10)) @ q.T
    A = 0.5 * (A + A.T)                                      # 반올림으로 생긴 비대칭 제거
    x0 = rng.normal(size=10)
    eigenvalues = np.linalg.eigvalsh(A)
    assert_close([eigenvalues[0], eigenvalues[-1]], [M, L], "고윳값의 양 끝", rtol=F64_RTOL, atol=0.0)
    return A, x0, REL_TOL * 0.5 * float(x0 @ A @ x0)


def close(actual, expected, err_msg):
    assert_close(actual, expected, err_msg, rtol=F64_RTOL, atol=F64_ATOL)


def gd_steps_from_eigen_decomposition(A, x0, lr, tol, max_steps):
    """GD를 돌리지 않고 센다: A = Q Λ Qᵀ, c = Qᵀ x0  →  f(x_k) = ½ Σ_i λ_i c_i² (1 − lr λ_i)^{2k}."""
    lam, q = np.linalg.eigh(A)
    c = q.T @ x0
    k = np.arange(max_steps + 1)[:, None]                    # (K, 1)
    values = 0.5 * np.sum(lam * c**2 * (1.0 - lr * lam) ** (2 * k), axis=1)   # (K,)
    reached = np.flatnonzero(values <= tol)
    return int(reached[0]) if reached.size else max_steps + 1


def torch_steps(A, x0, lr, momentum, nesterov, tol, max_steps):
    """같은 문제를 torch.optim.SGD로 풀어 센 step 수 (검사 → backward → step 순서)."""
    x = torch.tensor(x0, requires_grad=True)
    At = torch.tensor(A)
    optimizer = torch.optim.SGD([x], lr=lr, momentum=momentum, nesterov=nesterov)
    for k in range(max_steps + 1):
        value = 0.5 * x @ At @ x
        if value.item() <= tol:
            return k
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
    return max_steps + 1


def spectral_radius(lr, momentum, eigenvalues):
    """heavy ball의 고유 방향 오차 e_{k+1} = (1 + β − αλ) e_k − β e_{k−1} 의 특성근 중 가장 큰 |z| (λ 전체에서 최댓값).

    z² − (1 + β − αλ) z + β = 0  →  z = (t ± sqrt(t² − 4β)) / 2,  t = 1 + β − αλ.
    """
    t = 1.0 + momentum - lr * np.asarray(eigenvalues)
    root = np.sqrt(t.astype(complex) ** 2 - 4.0 * momentum)
    return float(np.max(np.maximum(np.abs((t + root) / 2), np.abs((t - root) / 2))))


# ---- 1단계: SGDMomentum == torch.optim.SGD ----
@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, False), (0.5, True), (0.9, True)])
def test_steps_equal_torch_sgd(ex, momentum, nesterov):
    rng = np.random.default_rng(1)
    params = {"W": rng.normal(size=(3, 4)), "b": rng.normal(size=4)}
    grads = {name: np.zeros_like(p) for name, p in params.items()}
    arrays = dict(params)                                    # 제자리 갱신인지 보려고 배열 객체를 기억한다
    reference = {name: torch.tensor(p.copy(), requires_grad=True) for name, p in params.items()}
    optimizer = ex.SGDMomentum(params, grads, lr=0.1, momentum=momentum, nesterov=nesterov)
    torch_optimizer = torch.optim.SGD(list(reference.values()), lr=0.1, momentum=momentum, nesterov=nesterov)
    for step in range(10):
        for name in params:
            g = rng.normal(size=params[name].shape)          # step마다 다른 gradient
            grads[name][...] = g                             # L1 규약: backward가 grads를 제자리에서 채운다
            reference[name].grad = torch.tensor(g)
        optimizer.step()
        torch_optimizer.step()
        for name in params:
            close(params[name], reference[name].detach().numpy(), f"{name}, step {step}")
            assert params[name] is arrays[name], f"{name}: 새 배열로 바꾸지 말고 제자리에서 갱신하세요"


@pytest.mark.parametrize("nesterov", [False, True])
def test_first_step_from_zero_velocity(ex, nesterov):
    # v_0 = 0 → v_1 = g.  보통: p − lr g.  Nesterov: p − lr (g + μ g) = p − lr (1 + μ) g.
    p0, g = np.array([1.0, -2.0, 3.0]), np.array([0.5, 0.25, -1.0])
    params, grads = {"p": p0.copy()}, {"p": g.copy()}
    ex.SGDMomentum(params, grads, lr=0.1, momentum=0.9, nesterov=nesterov).step()
    close(params["p"], p0 - 0.1 * (1.0 + (0.9 if nesterov else 0.0)) * g, "params['p']")


@pytest.mark.parametrize("kwargs", [{"lr": 0.0}, {"lr": -0.1}, {"lr": 0.1, "momentum": 1.0},
                                    {"lr": 0.1, "momentum": -0.1}, {"lr": 0.1, "momentum": 0.0, "nesterov": True}])
def test_bad_arguments_are_refused(ex, kwargs):
    with pytest.raises(ValueError):
        ex.SGDMomentum({"p": np.zeros(2)}, {"p": np.zeros(2)}, **kwargs)


def test_mismatched_params_and_grads_are_refused(ex):
    with pytest.raises(ValueError):
        ex.SGDMomentum({"p": np.zeros(2)}, {"q": np.zeros(2)}, lr=0.1)
    with pytest.raises(ValueError):
        ex.SGDMomentum({"p": np.zeros(2)}, {"p": np.zeros(3)}, lr=0.1)


# ---- 2단계: 2차 함수 ----
def test_quadratic_value_and_gradient(ex, problem):
    A, x0, _ = problem
    x = x0.copy()
    value, grad = ex.quadratic(A, x)
    close(value, 0.5 * float(np.einsum("i,ij,j->", x, A, x)), "value")
    assert_rel_error(grad, numeric_gradient(lambda: ex.quadratic(A, x)[0], x), "grad", GRAD_REL_TOL)


# ---- 3단계: step 수 세기 ----
@pytest.mark.parametrize("lr_scale", [1.0, 1.5])
def test_plain_sgd_steps_equal_the_eigen_decomposition_prediction(ex, problem, lr_scale):
    A, x0, tol = problem
    lr = lr_scale / L                                        # 1/L, 그리고 2/L 안쪽의 더 큰 값
    x_before = x0.copy()
    steps = ex.steps_to_tolerance(A, x0, lr, tol=tol, max_steps=5000)
    assert_equal(x0, np.asarray(x_before), "x0")              # 출발점을 바꾸지 않는다
    assert steps == gd_steps_from_eigen_decomposition(A, x0, lr, tol, 5000)


def test_step_count_starts_at_zero_and_reports_failure(ex, problem):
    A, x0, tol = problem
    f0 = 0.5 * float(x0 @ A @ x0)
    assert ex.steps_to_tolerance(A, x0, 1.0 / L, tol=1.01 * f0) == 0            # 출발점이 이미 기준 안
    assert ex.steps_to_tolerance(A, x0, 1.0 / L, tol=tol, max_steps=10) == 11   # 닿지 못함 = max_steps + 1


@pytest.mark.parametrize("momentum, nesterov", [(0.9, False), (0.9, True), (0.5, True)])
def test_momentum_steps_equal_torch_sgd_steps(ex, problem, momentum, nesterov):
    A, x0, tol = problem
    ours = ex.steps_to_tolerance(A, x0, 1.0 / L, momentum=momentum, nesterov=nesterov, tol=tol, max_steps=5000)
    assert ours == torch_steps(A, x0, 1.0 / L, momentum, nesterov, tol, 5000)


# ---- 4단계: 최적 heavy ball ----
def test_heavy_ball_parameters_minimise_the_spectral_radius(ex):
    lr, momentum = ex.heavy_ball_parameters(L, M)
    grid = np.linspace(M, L, 2001)                           # [m, L]의 모든 고윳값 후보
    rho = spectral_radius(lr, momentum, grid)
    sqrt_kappa = np.sqrt(KAPPA)
    assert_close(rho, (sqrt_kappa - 1) / (sqrt_kappa + 1), "rho", rtol=F64_RTOL, atol=0.0)   # 02_momentum.md의 속도
    for d_lr, d_momentum in [(1.05, 1.0), (0.95, 1.0), (1.0, 1.05), (1.0, 0.95)]:         # 어느 쪽으로 옮겨도 느려진다
        assert spectral_radius(lr * d_lr, momentum * d_momentum, grid) > rho * (1 + 1e-3), (d_lr, d_momentum)


# ---- 종합: κ = 100에서 momentum이 필요한 step 수 ----
def test_momentum_needs_far_fewer_steps_on_kappa_100(ex, problem):
    A, x0, tol = problem
    sqrt_kappa = np.sqrt(KAPPA)
    count = lambda lr, momentum=0.0, nesterov=False: ex.steps_to_tolerance(  # noqa: E731
        A, x0, lr, momentum=momentum, nesterov=nesterov, tol=tol, max_steps=5000)
    gd = count(1.0 / L)                                      # 02_momentum.md: 점근적으로 약 κ/2 · ln(f0/tol) step
    gd_best = count(2.0 / (L + M))                           # 고정 lr GD의 최선
    heavy_ball = count(*ex.heavy_ball_parameters(L, M))
    usual = count(1.0 / L, 0.9)                              # 흔히 쓰는 μ = 0.9
    nesterov = count(1.0 / L, (sqrt_kappa - 1) / (sqrt_kappa + 1), True)
    assert max(gd, gd_best, heavy_ball, usual, nesterov) <= 5000, (gd, gd_best, heavy_ball, usual, nesterov)
    # 점근 속도의 비 (02_momentum.md): GD(1/L) 대비 2√κ, GD(2/(L+m)) 대비 √κ, Nesterov(1/L) 대비 GD(1/L)는 √κ.
    # 초반의 전이 구간(중근에서 생기는 k·r^k의 k)을 감안해 그 1/4만 요구한다.
    assert gd >= (2 * sqrt_kappa / 4) * heavy_ball, (gd, heavy_ball)
    assert gd_best >= (sqrt_kappa / 4) * heavy_ball, (gd_best, heavy_ball)
    assert gd >= (sqrt_kappa / 4) * nesterov, (gd, nesterov)
    assert usual < gd, (usual, gd)


def test_step_count_slopes_equal_independent_counts(ex):
    """질문 5: GD step 수는 고유분해로, heavy ball은 `torch.optim.SGD`(02_momentum.md의 최적 α, β)로 이 파일이 센다."""
    rng = np.random.default_rng(3)
    problems, log_kappa, gd, heavy = [], [], [], []
    for kappa in (10.0, 30.0, 100.0, 300.0):
        q, _ = np.linalg.qr(rng.normal(size=(6, 6)))
        A = q @ np.diag(np.geomspace(1.0, kappa, 6)) @ q.T
        A = 0.5 * (A + A.T)
        x0 = rng.normal(size=6)
        problems.append((A, x0))
        eigenvalues = np.linalg.eigvalsh(A)
        m, L = eigenvalues[0], eigenvalues[-1]
        tol = REL_TOL * 0.5 * float(x0 @ A @ x0)
        sqrt_beta = (np.sqrt(L / m) - 1) / (np.sqrt(L / m) + 1)
        log_kappa.append(np.log(L / m))
        gd.append(np.log(gd_steps_from_eigen_decomposition(A, x0, 1.0 / L, tol, 10_000)))
        heavy.append(np.log(torch_steps(A, x0, 4.0 / (np.sqrt(L) + np.sqrt(m)) ** 2, sqrt_beta**2, False, tol, 10_000)))
    slopes = ex.step_count_slopes(problems, REL_TOL)
    assert sorted(slopes) == ["gd", "heavy_ball"], f"키가 다릅니다: {sorted(slopes)}"
    expected = {"gd": np.polyfit(log_kappa, gd, 1)[0], "heavy_ball": np.polyfit(log_kappa, heavy, 1)[0]}
    for name in expected:
        close(slopes[name], expected[name], f"{name} 기울기")
    assert 0.9 <= expected["gd"] <= 1.1 and 0.35 <= expected["heavy_ball"] <= 0.65, f"기울기 {expected}"
