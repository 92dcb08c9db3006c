"""VAE (L2) 검증 사다리: 손으로 쓴 KL / BCE / Gaussian NLL == torch의 closed form·library 함수 → autograd.gradcheck →
L1 (NumPy) == L2 (같은 가중치, 같은 ε) → Adagrad == torch.optim.Adagrad → 학습 → 잘못된 입력 → 수렴 기준 (slow)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.distributions import Normal, kl_divergence

from utils.gradcheck import F64_ATOL, F64_RTOL

from ..numpy.vae_numpy import VAE as NumpyVAE
from .vae_lowlevel import (
    adagrad_step,
    bce_with_logits,
    decode,
    encode,
    gaussian_nll,
    init_params,
    kl_standard_normal,
    main,
    negative_elbo,
    reparameterize,
)


def assert_close(actual, expected, msg=""):
    actual = actual.detach().numpy() if isinstance(actual, torch.Tensor) else actual
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else expected
    np.testing.assert_allclose(actual, expected, rtol=F64_RTOL, atol=F64_ATOL, err_msg=msg)


def f64(*shape, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(*shape, generator=g, dtype=torch.float64) * scale).requires_grad_()


# ---- 손으로 쓴 연산 == closed form / library ----
def test_kl_equals_torch_distributions_kl_divergence():
    mu, logvar = f64(6, 4, seed=0), f64(6, 4, seed=1, scale=2.0)
    mine = kl_standard_normal(mu, logvar)
    ref = kl_divergence(Normal(mu, torch.exp(0.5 * logvar)), Normal(torch.zeros(6, 4, dtype=torch.float64),
                                                                     torch.ones(6, 4, dtype=torch.float64))).sum(1)
    assert mine.shape == (6,)
    assert_close(mine, ref)
    w = torch.randn(6, dtype=torch.float64)
    g_mine = torch.autograd.grad((mine * w).sum(), (mu, logvar))
    g_ref = torch.autograd.grad((ref * w).sum(), (mu, logvar))
    for a, b in zip(g_mine, g_ref):
        assert_close(a, b)


def test_kl_is_zero_exactly_at_the_prior():
    assert kl_standard_normal(torch.zeros(3, 5), torch.zeros(3, 5)).abs().max().item() == 0.0


@pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0])
def test_bce_equals_binary_cross_entropy_with_logits(scale):
    logits = f64(5, 7, seed=2, scale=scale)
    x = torch.rand(5, 7, generator=torch.Generator().manual_seed(3), dtype=torch.float64)   # 연속 target도
    x[0] = (x[0] > 0.5).double()                                                           # 0/1 target도
    mine = bce_with_logits(logits, x)
    ref = F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    assert torch.isfinite(mine).all()
    assert_close(mine, ref)
    w = torch.randn(5, 7, dtype=torch.float64)
    assert_close(torch.autograd.grad((mine * w).sum(), logits)[0], torch.autograd.grad((ref * w).sum(), logits)[0])


def test_gaussian_nll_equals_normal_log_prob_and_gaussian_nll_loss():
    x, mean, logvar = f64(4, 6, seed=4), f64(4, 6, seed=5), f64(4, 6, seed=6)
    mine = gaussian_nll(x, mean, logvar)
    assert_close(mine, -Normal(mean, torch.exp(0.5 * logvar)).log_prob(x))
    # F.gaussian_nll_loss는 var를 받고 full=True면 ½ log 2π를 더한다 (var의 clamp eps 1e-6은 여기 값보다 훨씬 작다)
    assert_close(mine, F.gaussian_nll_loss(mean, x, torch.exp(logvar), full=True, reduction="none"))


def test_hand_written_ops_pass_autograd_gradcheck():
    mu, logvar = f64(3, 2, seed=7), f64(3, 2, seed=8)
    eps = torch.randn(2, 3, 2, dtype=torch.float64)
    x01 = torch.rand(3, 4, dtype=torch.float64)
    assert torch.autograd.gradcheck(kl_standard_normal, (mu, logvar))
    assert torch.autograd.gradcheck(lambda m, v: reparameterize(m, v, eps), (mu, logvar))
    assert torch.autograd.gradcheck(lambda ell: bce_with_logits(ell, x01), (f64(3, 4, seed=9, scale=3.0),))
    assert torch.autograd.gradcheck(gaussian_nll, (f64(3, 4, seed=10), f64(3, 4, seed=11), f64(3, 4, seed=12)))


@pytest.mark.parametrize("decoder", ["bernoulli", "gaussian"])
def test_whole_negative_elbo_passes_gradcheck(decoder):
    params = init_params(5, 4, 2, decoder=decoder, init_std=0.5, seed=1, dtype=torch.float64)
    x = torch.rand(3, 5, dtype=torch.float64)
    eps = torch.randn(2, 3, 2, dtype=torch.float64)
    names = list(params)

    def f(*tensors):
        return negative_elbo(dict(zip(names, tensors)), x, eps)[0]

    assert torch.autograd.gradcheck(f, tuple(params.values()))


# ---- L1 (NumPy) == L2, 같은 가중치와 같은 ε ----
@pytest.mark.parametrize("decoder", ["bernoulli", "gaussian"])
@pytest.mark.parametrize("n_samples", [1, 3])
def test_numpy_level_equals_lowlevel(decoder, n_samples):
    rng = np.random.default_rng(0)
    model = NumpyVAE(7, 6, 3, decoder=decoder, init_std=0.4, seed=3)
    for name, value in model.params.items():
        if name.endswith(".b"):
            value[...] = 0.2 * rng.normal(size=value.shape)
    x = rng.uniform(size=(5, 7))
    eps = model.sample_noise(rng, 5, n_samples)
    loss, parts = model.loss(x, eps)
    model.backward()
    params = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}   # layout이 같다: 복사만
    loss_t, parts_t = negative_elbo(params, torch.tensor(x), torch.tensor(eps))
    loss_t.backward()
    assert_close(loss, loss_t.item())
    for key in ("reconstruction", "kl", "elbo"):
        assert_close(parts[key], parts_t[key], key)
    for name, grad in model.grads.items():
        assert_close(grad, params[name].grad, name)


def test_adagrad_step_equals_torch_optim_adagrad():
    params = init_params(5, 4, 2, init_std=0.5, seed=2, dtype=torch.float64)
    twin = {k: v.detach().clone().requires_grad_() for k, v in params.items()}
    optimizer = torch.optim.Adagrad(list(twin.values()), lr=0.05)
    sums = {k: torch.zeros_like(v) for k, v in params.items()}
    g = torch.Generator().manual_seed(0)
    for _ in range(3):
        x = torch.rand(4, 5, generator=g, dtype=torch.float64)
        eps = torch.randn(1, 4, 2, generator=g, dtype=torch.float64)
        negative_elbo(params, x, eps)[0].backward()
        adagrad_step(params, sums, lr=0.05)
        optimizer.zero_grad()
        negative_elbo(twin, x, eps)[0].backward()
        optimizer.step()
    for name in params:
        assert_close(params[name], twin[name], name)


def test_shapes():
    params = init_params(64, 20, 4)
    mu, logvar = encode(params, torch.rand(7, 64))
    assert mu.shape == logvar.shape == (7, 4)
    assert decode(params, torch.zeros(3, 7, 4)).shape == (3, 7, 64)
    assert sum(p.numel() for p in params.values()) == NumpyVAE(64, 20, 4).n_parameters


# ---- 학습 ----
def test_quick_run_improves_the_elbo_and_saves_plots(tmp_path):
    result = main(["--quick", "--out", str(tmp_path)])
    assert result["level"] == "pytorch_lowlevel" and result["value"] < 0
    assert result["train_elbo_last"] > result["train_elbo_first"]
    assert len(result["plots"]) == 3 and all((tmp_path / p).exists() for p in ("elbo_curve.png", "prior_samples.png"))


# ---- 잘못된 입력 ----
def test_bad_inputs_are_refused():
    params = init_params(6, 5, 3)
    with pytest.raises(ValueError, match=r"\[0, 1\] 범위"):
        encode(params, torch.full((2, 6), 255.0))
    with pytest.raises(ValueError, match=r"\(N, 6\).*\(2, 3\)"):
        encode(params, torch.zeros(2, 3))
    with pytest.raises(ValueError, match="float tensor"):
        encode(params, torch.zeros(2, 6, dtype=torch.long))
    with pytest.raises(ValueError, match=r"\(L, 2, 3\)"):
        negative_elbo(params, torch.zeros(2, 6), torch.zeros(2, 3))
    for z_dim in (0, -2):
        with pytest.raises(ValueError, match="z_dim"):
            init_params(6, 5, z_dim)


# ---- 수렴 기준 (slow) ----
@pytest.mark.slow
def test_default_run_improves_the_elbo_by_a_clear_margin(tmp_path):
    # 측정값(README): 첫 epoch 뒤 test ELBO −29.6, 300 epoch 뒤 −18.6 nats. 기준과 그 이유는 L1 (test_numpy.py)과 같다.
    result = main(["--out", str(tmp_path)])
    assert result["value"] >= result["test_elbo_first_epoch"] + 5.0
    assert result["value"] >= -20.5
