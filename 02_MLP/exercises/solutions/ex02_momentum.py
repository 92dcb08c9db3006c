"""연습문제 02 — SGD with momentum (PyTorch 형태, Nesterov 포함): reference solution.

문제: `../02_momentum.md`. 학습자 stub: `../ex02_momentum.py` (클래스·함수 이름·signature·docstring이 같다).

PyTorch `torch.optim.SGD(lr, momentum=μ, nesterov=…)` (dampening = 0, weight_decay = 0)의 갱신:
    v ← μ v + g                        (v의 초기값 0 → 첫 step의 v는 g)
    보통:      p ← p − lr · v
    Nesterov:  p ← p − lr · (g + μ v)   (갱신된 v를 쓴다)
Polyak (1964)의 heavy ball x_{k+1} = x_k − α ∇f(x_k) + β (x_k − x_{k−1}) 과 α = lr, β = μ 로 같은 식이다.
2차 함수 f(x) = ½ xᵀ A x (m I ⪯ A ⪯ L I, κ = L/m) 에서 가장 빠른 heavy ball:
    α = 4 / (√L + √m)²,   β = ((√κ − 1) / (√κ + 1))²,   수렴 속도(오차의 step당 배율) √β = (√κ − 1)/(√κ + 1)
"""
from __future__ import annotations

import numpy as np


class SGDMomentum:
    """L1 모듈의 `params` / `grads` dict를 받아 params를 제자리에서 갱신하는 SGD (+ momentum, Nesterov).

    `torch.optim.SGD(lr=lr, momentum=momentum, nesterov=nesterov)`와 step마다 같은 값을 낸다.
    """

    def __init__(self, params: dict, grads: dict, lr: float, momentum: float = 0.0, nesterov: bool = False):
        """params와 grads(같은 key, 같은 shape의 배열)를 붙잡고, key마다 0으로 채운 velocity를 만든다.

        Args:
            params: 이름 → 파라미터 배열. step()이 이 배열들을 제자리에서 바꾼다.
            grads: 이름 → gradient 배열. step()이 호출될 때의 값을 읽는다 (생성 시점의 사본이 아니다).
            lr: learning rate > 0.  momentum: μ ∈ [0, 1).  nesterov: True면 Nesterov 형태 (μ > 0 필요).
        Raises:
            ValueError: lr ≤ 0, μ가 [0, 1) 밖, μ = 0 인데 nesterov, params와 grads의 key나 shape가 다를 때.
        """
        if lr <= 0:
            raise ValueError(f"learning rate는 양수여야 합니다: lr={lr}")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum은 [0, 1) 범위여야 합니다: {momentum}")
        if nesterov and momentum == 0.0:
            raise ValueError("Nesterov momentum은 momentum > 0 이 필요합니다 (torch.optim.SGD와 같은 규칙)")
        if set(params) != set(grads):
            raise ValueError(f"params와 grads의 key가 다릅니다: {sorted(params)} vs {sorted(grads)}")
        for name in params:
            if np.shape(params[name]) != np.shape(grads[name]):
                raise ValueError(f"{name}: param shape {np.shape(params[name])} ≠ grad shape {np.shape(grads[name])}")
        self.params, self.grads = params, grads
        self.lr, self.momentum, self.nesterov = lr, momentum, nesterov
        self.velocity = {name: np.zeros_like(p) for name, p in params.items()}

    def step(self) -> None:
        """한 step: v ← μ v + g,  p ← p − lr · v  (Nesterov: p ← p − lr · (g + μ v)). 모두 제자리에서."""
        for name, param in self.params.items():
            grad, v = self.grads[name], self.velocity[name]
            v *= self.momentum
            v += grad                                             # v ← μ v + g
            direction = grad + self.momentum * v if self.nesterov else v
            param -= self.lr * direction


def quadratic(A: np.ndarray, x: np.ndarray) -> tuple[float, np.ndarray]:
    """2차 함수 f(x) = ½ xᵀ A x 와 gradient ∇f = A x (A는 대칭 양의 정부호, 최솟값 f* = 0 at x = 0).

    Args:
        A: (d, d) 대칭 양의 정부호.  x: (d,).
    Returns:
        (f, grad): f는 float, grad는 (d,).
    """
    grad = A @ x                                                  # (d, d) @ (d,) → (d,)
    return 0.5 * float(x @ grad), grad


def steps_to_tolerance(A: np.ndarray, x0: np.ndarray, lr: float, momentum: float = 0.0, nesterov: bool = False,
                       tol: float = 1e-10, max_steps: int = 10_000) -> int:
    """x0에서 출발한 `SGDMomentum`이 f(x_k) = ½ x_kᵀ A x_k ≤ tol 에 처음 닿는 step 수 k.

    k = 0 (출발점)부터 검사한다: f(x0) ≤ tol 이면 0. 검사 → (아니면) gradient를 grads에 쓰고 step() 순서로
    반복하고, max_steps 번 갱신한 뒤에도 닿지 못하면 "도달하지 못함" 표시로 max_steps + 1 을 돌려준다.
    x0은 바꾸지 않는다.

    Args:
        A: (d, d) 대칭 양의 정부호.  x0: (d,) 출발점.  lr, momentum, nesterov: `SGDMomentum`의 인자.
        tol: f의 절대 기준 (> 0).  max_steps: 최대 갱신 횟수.
    Returns:
        0 ≤ k ≤ max_steps, 또는 max_steps + 1.
    """
    params = {"x": np.array(x0, dtype=np.float64)}               # 사본: x0은 그대로 둔다
    grads = {"x": np.zeros_like(params["x"])}
    optimizer = SGDMomentum(params, grads, lr, momentum=momentum, nesterov=nesterov)
    for k in range(max_steps + 1):
        value, grad = quadratic(A, params["x"])
        if value <= tol:
            return k
        grads["x"][...] = grad
        optimizer.step()
    return max_steps + 1


def heavy_ball_parameters(L: float, m: float) -> tuple[float, float]:
    """m I ⪯ A ⪯ L I 인 2차 함수에서 수렴이 가장 빠른 heavy ball의 (lr, momentum) (02_momentum.md에서 유도한다).

    Args:
        L: Hessian의 최대 고윳값.  m: 최소 고윳값, 0 < m ≤ L.
    Returns:
        (lr, momentum).
    """
    sqrt_kappa = np.sqrt(L / m)
    return float(4.0 / (np.sqrt(L) + np.sqrt(m)) ** 2), float(((sqrt_kappa - 1.0) / (sqrt_kappa + 1.0)) ** 2)


def step_count_slopes(problems: list, rel_tol: float = 1e-10) -> dict:
    """여러 2차 문제에서 GD(lr = 1/L)와 최적 heavy ball의 step 수를 세고 log-log 기울기를 맞춘다.

    Args:
        problems: (A, x0) 목록. A는 대칭 양의 정부호, κ = λ_max / λ_min이 서로 달라야 한다.
        rel_tol: 각 문제의 tol = rel_tol · f(x0).
    Returns:
        {"gd": 기울기, "heavy_ball": 기울기} — log(step 수)를 log κ에 1차 최소제곱으로 맞춘 기울기.
    """
    log_kappa, log_steps = [], {"gd": [], "heavy_ball": []}
    for A, x0 in problems:
        eigenvalues = np.linalg.eigvalsh(A)
        m, L = float(eigenvalues[0]), float(eigenvalues[-1])
        tol = rel_tol * quadratic(A, np.asarray(x0, dtype=np.float64))[0]
        lr, momentum = heavy_ball_parameters(L, m)
        log_kappa.append(np.log(L / m))
        log_steps["gd"].append(np.log(steps_to_tolerance(A, x0, 1.0 / L, tol=tol)))
        log_steps["heavy_ball"].append(np.log(steps_to_tolerance(A, x0, lr, momentum, tol=tol)))
    return {name: float(np.polyfit(log_kappa, values, 1)[0]) for name, values in log_steps.items()}
