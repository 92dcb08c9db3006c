"""Gradient check와 parity 도구. 허용 오차(tolerance) 정책의 상수는 모두 여기 한 곳에 있다.

근거와 표는 docs/01_Implementation_Philosophy.md 에 있다. 모든 테스트는 이 상수를 import해서 쓴다.

수치 미분 (central difference):
    ∂f/∂x_i ≈ (f(x + h e_i) − f(x − h e_i)) / (2h),    절단 오차 O(h²)
상대 오차 (CS231n gradient_check와 같은 판정):
    rel_error(a, b) = max_i |a_i − b_i| / max(1e-8, |a_i| + |b_i|)

L1 모듈 규약: `params`와 `grads`는 같은 key의 dict, `forward(x)`가 캐시하고 `backward(dout) -> dx`가 grads를 채운다.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

# ---- tolerance 정책 (docs/01_Implementation_Philosophy.md의 표와 같은 값) ----
FD_STEP = 1e-5                   # central difference의 h
GRAD_REL_TOL = 1e-7              # float64 gradient check: rel_error 상한
F64_RTOL = 1e-6                  # float64 NumPy vs torch autograd (같은 가중치·입력)
F64_ATOL = 1e-12                 # 정확히 0인 원소만 보호하는 절대 오차
F32_ATOL = 1e-5                  # float32 모듈 parity (eval 모드, 같은 가중치): 최대 절대 오차
SKLEARN_CLOSED_FORM_ATOL = 1e-8  # closed-form least squares vs scikit-learn LinearRegression
SKLEARN_ITERATIVE_ATOL = 1e-4    # 수렴까지 학습한 반복 최적화 vs scikit-learn (멈춤 기준이 지배)


def rel_error(a, b) -> float:
    """원소별 상대 오차의 최댓값: max |a−b| / max(1e-8, |a|+|b|)."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"비교하는 두 배열의 shape가 다릅니다: {a.shape} vs {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numeric_gradient(f: Callable[[], float], x: np.ndarray, h: float = FD_STEP) -> np.ndarray:
    """스칼라 함수 f()의 x에 대한 gradient를 central difference로 구한다.

    x는 제자리에서(in place) 한 원소씩 ±h 흔들었다가 되돌린다. f는 인자 없이 현재 x로 loss를 계산해야 한다.
    float64가 아니면 ε/h 반올림 오차가 h² 절단 오차를 압도하므로 거부한다.
    """
    if x.dtype != np.float64:
        raise ValueError(f"gradient check는 float64 배열에서만 의미가 있습니다: dtype={x.dtype}")
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        plus = f()
        x[index] = original - h
        minus = f()
        x[index] = original
        grad[index] = (plus - minus) / (2 * h)
    return grad


def check_module_gradients(module, x: np.ndarray, dout: np.ndarray | None = None, seed: int = 0,
                           forward_kwargs: dict | None = None) -> dict[str, float]:
    """L1 모듈의 backward를 수치 미분과 비교해 {"x": err, "<param>": err, ...} 상대 오차를 돌려준다.

    스칼라 loss L = Σ forward(x) ⊙ dout 을 쓰면 dL/d(out) = dout 이 되어, backward(dout)가
    그대로 dL/dx와 dL/dθ를 내야 한다. 정수 입력(예: 토큰 id)은 x의 gradient를 건너뛴다.
    """
    forward_kwargs = forward_kwargs or {}
    out = module.forward(x, **forward_kwargs)
    if dout is None:
        dout = np.random.default_rng(seed).normal(size=np.shape(out)).astype(np.float64)

    def loss() -> float:
        return float(np.sum(module.forward(x, **forward_kwargs) * dout))

    module.forward(x, **forward_kwargs)
    dx = module.backward(dout)
    analytic = {name: g.copy() for name, g in module.grads.items()}
    errors = {}
    if np.issubdtype(np.asarray(x).dtype, np.floating):
        errors["x"] = rel_error(dx, numeric_gradient(loss, x))
    for name, param in module.params.items():
        errors[name] = rel_error(analytic[name], numeric_gradient(loss, param))
    return errors


def check_loss_gradient(loss_fn: Callable, logits: np.ndarray, *args) -> float:
    """(loss, dlogits)를 돌려주는 loss 함수의 dlogits를 수치 미분과 비교한 상대 오차."""
    _, analytic = loss_fn(logits, *args)
    numeric = numeric_gradient(lambda: float(loss_fn(logits, *args)[0]), logits)
    return rel_error(analytic, numeric)


# ---- NumPy ↔ torch 파라미터 복사 (parity 테스트용) ----
def numpy_to_torch(params: dict[str, np.ndarray], requires_grad: bool = True) -> dict:
    """NumPy 파라미터 dict를 같은 dtype의 torch leaf tensor dict로 복사한다 (메모리 공유 없음)."""
    import torch

    return {name: torch.tensor(np.array(value), requires_grad=requires_grad) for name, value in params.items()}


def torch_to_numpy(tensors: dict) -> dict[str, np.ndarray]:
    """torch tensor dict를 NumPy 배열 dict로 복사한다."""
    return {name: t.detach().cpu().numpy().copy() for name, t in tensors.items()}

