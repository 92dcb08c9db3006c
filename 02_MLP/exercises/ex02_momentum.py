"""연습문제 02 — SGD with momentum (PyTorch 형태, Nesterov 포함): 학습자가 채우는 stub.

문제 설명과 유도: `02_momentum.md`. 각 함수·메서드의 `raise NotImplementedError(...)`를 지우고 구현한다.
클래스·함수 이름·인자·docstring은 바꾸지 않는다 (채점이 이 이름으로 부른다).

    python -m pytest 02_MLP/exercises --learner -k ex02   # 이 문제만 채점
    make grade CHAPTERS=02                                # 이 장의 채점표 (문제마다 한 줄)

PyTorch `torch.optim.SGD(lr, momentum=μ, nesterov=…)` (dampening = 0, weight_decay = 0)의 갱신:
    v ← μ v + g                        (v의 초기값 0 → 첫 step의 v는 g)
    보통:      p ← p − lr · v
    Nesterov:  p ← p − lr · (g + μ v)   (갱신된 v를 쓴다)
NumPy만 쓴다 (torch는 채점에서 기준으로만 쓰인다).
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
        # 1) 인자 검사 → ValueError (torch.optim.SGD도 nesterov=True, momentum=0 을 거부한다)
        # 2) params, grads dict를 (복사하지 말고) 그대로 붙잡는다
        # 3) self.velocity = {이름: np.zeros_like(파라미터)}
        raise NotImplementedError("SGDMomentum.__init__: 인자 검사와 velocity를 만드세요 (02_momentum.md 1단계)")

    def step(self) -> None:
        """한 step: v ← μ v + g,  p ← p − lr · v  (Nesterov: p ← p − lr · (g + μ v)). 모두 제자리에서."""
        # param -= ... 처럼 제자리 연산을 쓴다 (param = param − ... 은 새 배열을 만들어 모듈과의 연결이 끊긴다)
        raise NotImplementedError("SGDMomentum.step: PyTorch 형태의 momentum 갱신 (02_momentum.md 1단계)")


def quadratic(A: np.ndarray, x: np.ndarray) -> tuple[float, np.ndarray]:
    """2차 함수 f(x) = ½ xᵀ A x 와 gradient ∇f = A x (A는 대칭 양의 정부호, 최솟값 f* = 0 at x = 0).

    Args:
        A: (d, d) 대칭 양의 정부호.  x: (d,).
    Returns:
        (f, grad): f는 float, grad는 (d,).
    """
    raise NotImplementedError("quadratic: ½ xᵀAx 와 Ax (02_momentum.md 2단계)")


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
    # params = {"x": x0의 사본}, grads = {"x": 0 배열}, optimizer = SGDMomentum(params, grads, ...)
    # for k in range(max_steps + 1): f ≤ tol 이면 k 반환;  아니면 grads["x"][...] = ∇f,  optimizer.step()
    raise NotImplementedError("steps_to_tolerance: 1·2단계로 step 수를 세세요 (02_momentum.md 3단계)")


def heavy_ball_parameters(L: float, m: float) -> tuple[float, float]:
    """m I ⪯ A ⪯ L I 인 2차 함수에서 수렴이 가장 빠른 heavy ball의 (lr, momentum) (02_momentum.md에서 유도한다).

    Args:
        L: Hessian의 최대 고윳값.  m: 최소 고윳값, 0 < m ≤ L.
    Returns:
        (lr, momentum).
    """
    raise NotImplementedError("heavy_ball_parameters: 최적 (α, β) (02_momentum.md 4단계)")


def step_count_slopes(problems: list, rel_tol: float = 1e-10) -> dict:
    """여러 2차 문제에서 GD(lr = 1/L)와 최적 heavy ball의 step 수를 세고 log-log 기울기를 맞춘다.

    Args:
        problems: (A, x0) 목록. A는 대칭 양의 정부호, κ = λ_max / λ_min이 서로 달라야 한다.
        rel_tol: 각 문제의 tol = rel_tol · f(x0).
    Returns:
        {"gd": 기울기, "heavy_ball": 기울기} — log(step 수)를 log κ에 1차 최소제곱으로 맞춘 기울기.
    """
    raise NotImplementedError("step_count_slopes: 02_momentum.md 5단계")
