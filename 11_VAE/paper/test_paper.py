"""VAE (L3) 검증 사다리: 논문 구조·파라미터 수·초기화 → L2 == L3 (같은 가중치, 같은 ε) → estimator A/B →
importance-weighted log p(x): k = 1 == estimator A, logsumexp 안정성, 답을 아는 linear-Gaussian 모델 →
학습 → 잘못된 입력 → MNIST 경로 → 수렴 기준 (slow)."""
import math

import numpy as np
import pytest
import torch
from torch.distributions import MultivariateNormal, Normal, kl_divergence

from utils.fake_datasets import write_fake_mnist
from utils.gradcheck import F64_ATOL, F64_RTOL

from ..pytorch_lowlevel import vae_lowlevel as low
from .vae_paper import VAE, main


def assert_close(actual, expected, msg=""):
    actual = actual.detach().numpy() if isinstance(actual, torch.Tensor) else actual
    expected = expected.detach().numpy() if isinstance(expected, torch.Tensor) else expected
    np.testing.assert_allclose(actual, expected, rtol=F64_RTOL, atol=F64_ATOL, err_msg=msg)


# ---- 논문 구조 ----
def test_default_is_the_papers_mnist_model_with_exact_parameter_count():
    model = VAE()
    D, H, Z = 784, 500, 20                                   # Appendix C / Section 5: MNIST, 은닉 500
    assert (model.x_dim, model.enc_hidden.out_features, model.z_dim, model.decoder) == (D, H, Z, "bernoulli")
    # encoder W₃ (H×D) + W₄, W₅ (Z×H 둘) ; decoder W₁ (H×Z) + W₂ (D×H), 모두 bias 포함
    expected = (D * H + H) + 2 * (H * Z + Z) + (Z * H + H) + (H * D + D)
    assert sum(p.numel() for p in model.parameters()) == expected
    gaussian = VAE(decoder="gaussian")                        # Gaussian decoder는 출력 head가 둘 (μ_x, log σ_x²)
    assert sum(p.numel() for p in gaussian.parameters()) == expected + H * D + D


def test_initialization_is_normal_with_std_001_and_zero_bias():
    torch.manual_seed(0)
    model = VAE()
    weight = model.dec_out.weight.detach()                   # 392,000개: 표본 표준편차의 상대 오차 ~ 1/√(2N) ≈ 0.1%
    assert abs(weight.std().item() - 0.01) < 2e-4 and abs(weight.mean().item()) < 1e-4
    assert all(m.bias.abs().max().item() == 0.0 for m in model.modules() if isinstance(m, torch.nn.Linear))


@pytest.mark.parametrize("decoder", ["bernoulli", "gaussian"])
def test_every_weight_of_every_level_has_std_001_and_every_bias_is_zero(decoder):
    """Section 5의 N(0, 0.01) (0.01 = 표준편차로 읽음)가 L1, L2, L3의 모든 weight에: 층 하나만 맞는 것으로는 부족하다.

    표본 표준편차의 상대 오차는 ~1/√(2N): 가장 작은 tensor(200 × 10 = 2,000개)에서 1.6%이므로 5%로 본다.
    """
    from ..numpy.vae_numpy import VAE as NumpyVAE
    from ..pytorch_lowlevel import vae_lowlevel as low

    torch.manual_seed(0)
    levels = {
        "L1": NumpyVAE(64, 200, 10, decoder=decoder, seed=0).params,
        "L2": {k: v.detach().numpy() for k, v in low.init_params(64, 200, 10, decoder=decoder, seed=0).items()},
        "L3": {k: v.detach().numpy() for k, v in VAE(64, 200, 10, decoder=decoder).state_dict().items()},
    }
    for level, params in levels.items():
        weights = {k: v for k, v in params.items() if k.endswith((".W", ".weight"))}
        biases = {k: v for k, v in params.items() if k.endswith((".b", ".bias"))}
        assert len(weights) == len(biases) == (5 if decoder == "bernoulli" else 6), (level, sorted(params))
        for name, w in weights.items():
            assert abs(w.std() / 0.01 - 1) < 0.05 and abs(w.mean()) < 1e-3, (level, name, w.std())
        for name, b in biases.items():
            assert (b == 0).all(), (level, name)


# ---- L2 == L3 ----
def copy_lowlevel_into_paper(params: dict, model: VAE) -> None:
    """L2는 x @ W (W: (in, out)), nn.Linear는 x @ weightᵀ (weight: (out, in)) → weight = Wᵀ. 모든 key를 한 번씩."""
    state = model.state_dict()
    assert set(state) == {k.replace(".W", ".weight").replace(".b", ".bias") for k in params}
    with torch.no_grad():
        for name, value in params.items():
            layer, kind = name.split(".")
            target = state[f"{layer}.{'weight' if kind == 'W' else 'bias'}"]
            source = value.T if kind == "W" else value
            assert target.shape == source.shape, name
            target.copy_(source)


@pytest.mark.parametrize("decoder", ["bernoulli", "gaussian"])
@pytest.mark.parametrize("n_samples", [1, 3])
def test_lowlevel_equals_paper_with_the_same_weights_and_noise(decoder, n_samples):
    params = low.init_params(7, 6, 3, decoder=decoder, init_std=0.4, seed=5, dtype=torch.float64)
    with torch.no_grad():
        for name, value in params.items():
            if name.endswith(".b"):
                value.normal_(0.0, 0.2)
    model = VAE(7, 6, 3, decoder=decoder).double()
    copy_lowlevel_into_paper(params, model)
    g = torch.Generator().manual_seed(1)
    x = torch.rand(5, 7, generator=g, dtype=torch.float64)
    eps = torch.randn(n_samples, 5, 3, generator=g, dtype=torch.float64)
    loss2, parts2 = low.negative_elbo(params, x, eps)
    loss2.backward()
    parts3 = model.elbo(x, eps=eps)
    (-parts3["elbo"].mean()).backward()
    for key in ("elbo", "reconstruction", "kl"):
        assert_close(parts3[key], parts2[key], key)
    for name, value in params.items():
        layer, kind = name.split(".")
        grad3 = getattr(model, layer).weight.grad.T if kind == "W" else getattr(model, layer).bias.grad
        assert_close(grad3, value.grad, name)


def test_estimator_b_kl_equals_torch_kl_divergence():
    model = VAE(6, 5, 3, init_std=0.5).double()
    x = torch.rand(4, 6, dtype=torch.float64)
    mu, logvar = model.encode(x)
    expected = kl_divergence(Normal(mu, torch.exp(0.5 * logvar)), Normal(0.0, 1.0)).sum(-1)
    assert_close(model.elbo(x)["kl"], expected)


def test_estimator_a_averages_to_estimator_b():
    # A는 KL까지 샘플로 추정하므로 ε마다 다르지만, 같은 ε에서 재구성 항은 같고 기댓값은 B의 analytic KL이다.
    torch.manual_seed(0)
    model = VAE(6, 5, 3, init_std=0.5).double()
    x = torch.rand(4, 6, dtype=torch.float64)
    eps = torch.randn(20000, 4, 3, dtype=torch.float64)
    a, b = model.elbo(x, eps=eps, estimator="A"), model.elbo(x, eps=eps, estimator="B")
    assert_close(a["reconstruction"], b["reconstruction"])
    kl_a, kl_b = a["kl"].detach(), b["kl"].detach()
    # MC 표준오차 = (log q − log p의 표준편차)/√L. 5 표준오차 안에 들어야 한다 (우연히 실패할 확률 ~ 1e-6).
    mu, logvar = model.encode(x)
    z = mu + torch.exp(0.5 * logvar) * eps
    per_sample = (Normal(mu, torch.exp(0.5 * logvar)).log_prob(z) - Normal(0.0, 1.0).log_prob(z)).sum(-1).detach()
    stderr = per_sample.std(0) / math.sqrt(len(eps))
    assert ((kl_a - kl_b).abs() < 5 * stderr).all()


# ---- importance-weighted log p(x) ----
def test_iw_with_one_sample_equals_single_sample_estimator_a():
    torch.manual_seed(1)
    model = VAE(6, 5, 3, init_std=0.5).double()
    x = torch.rand(4, 6, dtype=torch.float64)
    eps = torch.randn(1, 4, 3, dtype=torch.float64)
    log_w = model.log_importance_weights(x, eps)                       # (1, B)
    assert_close(log_w[0], model.elbo(x, eps=eps, estimator="A")["elbo"])
    g1, g2 = torch.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    assert_close(model.log_likelihood_iw(x, k=1, generator=g1),
                 model.elbo(x, eps=model.sample_eps(1, 4, g2), estimator="A")["elbo"])


def test_iw_combines_log_weights_with_a_stable_logsumexp(monkeypatch):
    # log w_i = c + log a_i 이면 정답은 c + log mean(a). c = −5000이면 exp(log w)는 float64에서도 0이 된다.
    model = VAE(6, 5, 3).double()
    a = torch.tensor([[0.5], [1.0], [2.0], [4.5]], dtype=torch.float64)          # (k = 4, B = 1)
    monkeypatch.setattr(model, "log_importance_weights", lambda x, eps: -5000.0 + torch.log(a))
    assert torch.exp(-5000.0 + torch.log(a)).sum().item() == 0.0                 # 그대로 계산하면 log 0 = −inf
    result = model.log_likelihood_iw(torch.zeros(1, 6, dtype=torch.float64), k=4)
    assert_close(result, torch.tensor([-5000.0 + math.log(2.0)], dtype=torch.float64))


def linear_gaussian(seed=0):
    """p(z) = N(0, I₂), p(x|z) = N(W z + b, s² I₄). W의 열이 직교라 참 posterior가 대각 Gaussian이다:
    Σ_post = (I + WᵀW / s²)⁻¹ (대각),  μ_post = Σ_post Wᵀ (x − b) / s².  log p(x) = log N(x; b, W Wᵀ + s² I)."""
    g = torch.Generator().manual_seed(seed)
    Q, _ = torch.linalg.qr(torch.randn(4, 2, generator=g, dtype=torch.float64))   # 직교 열 (4, 2)
    W = Q * torch.tensor([1.5, 0.7], dtype=torch.float64)                      # 열마다 다른 길이
    b = torch.randn(4, generator=g, dtype=torch.float64)
    s2 = 0.3
    x = torch.randn(5, 4, generator=g, dtype=torch.float64) + b
    post_var = 1.0 / (1.0 + (W * W).sum(0) / s2)                              # (2,)
    post_mu = (x - b) @ W / s2 * post_var                                      # (5, 2)
    log_px = MultivariateNormal(b, W @ W.T + s2 * torch.eye(4, dtype=torch.float64)).log_prob(x)   # (5,)
    return W, b, s2, x, post_mu, post_var, log_px


def patched_linear_gaussian_vae(monkeypatch, W, b, s2, post_mu, post_logvar):
    """Gaussian decoder VAE의 encode/decode를 linear-Gaussian 모델로 바꾼다: 나머지(log q, log p(z), log p(x|z),
    logsumexp, − log k)는 이 파일이 검사하려는 VAE의 코드 그대로다."""
    model = VAE(4, 3, 2, decoder="gaussian").double()
    monkeypatch.setattr(model, "encode", lambda x: (post_mu, post_logvar.expand_as(post_mu)))
    monkeypatch.setattr(model, "decode", lambda z: (z @ W.T + b, torch.full((*z.shape[:-1], 4), math.log(s2),
                                                                           dtype=torch.float64)))
    return model


@pytest.mark.parametrize("k", [1, 7, 100])
def test_iw_is_exact_when_q_is_the_true_posterior(monkeypatch, k):
    # q = p(z|x)이면 w = p(x, z)/p(z|x) = p(x)가 모든 z에서 같다: 어떤 k에서도 추정값 = 닫힌 꼴 log p(x) (분산 0).
    W, b, s2, x, post_mu, post_var, log_px = linear_gaussian()
    model = patched_linear_gaussian_vae(monkeypatch, W, b, s2, post_mu, torch.log(post_var))
    assert_close(model.log_likelihood_iw(x, k=k, generator=torch.Generator().manual_seed(k)), log_px)
    # estimator A의 샘플 하나 = log p(x, z) − log q(z|x) = log p(x)도 정확하다 (B는 샘플마다 흔들리고 평균만 맞는다)
    assert_close(model.elbo(x, n_samples=3, estimator="A")["elbo"], log_px)


def test_iw_tightens_towards_log_px_with_a_mismatched_posterior(monkeypatch):
    W, b, s2, x, post_mu, post_var, log_px = linear_gaussian(seed=1)
    model = patched_linear_gaussian_vae(monkeypatch, W, b, s2, post_mu + 0.3, torch.log(post_var * 1.5))
    g = torch.Generator().manual_seed(0)
    elbo = model.elbo(x, n_samples=20000, generator=g)["elbo"]       # estimator B, 샘플이 많아 잡음이 작다
    reps = {10: 200, 1000: 50}                                       # 반복해서 평균: 표준오차 ≈ 0.003–0.005 nats
    runs = {k: torch.stack([model.log_likelihood_iw(x, k=k, generator=g) for _ in range(r)]) for k, r in reps.items()}
    iw = {k: r.mean(0) for k, r in runs.items()}                     # k = 1의 기댓값이 곧 ELBO다 (위 테스트들)
    stderr = {k: r.std(0) / math.sqrt(len(r)) for k, r in runs.items()}
    assert (elbo < log_px - 0.05).all()                              # 틀린 q: ELBO는 log p(x)보다 확실히 작다
    assert (elbo < iw[10]).all()                                     # k = 10이면 이미 ELBO보다 크고
    assert iw[10].mean() < iw[1000].mean()                           # k와 함께 더 커진다 (이미지 평균)
    # 한 번의 추정값은 log p(x)를 넘을 수 있지만 (log의 Jensen) 기댓값은 넘지 않는다: 평균 ≤ log p(x) + 3 표준오차
    for k in reps:
        assert (iw[k] <= log_px + 3 * stderr[k]).all(), k
    assert ((log_px - iw[1000]).abs() < 0.02).all()                  # k = 1000이면 0.02 nats 안으로 다가간다


# ---- 학습 ----
def test_quick_run_reports_elbo_and_iw_and_saves_all_plots(tmp_path):
    result = main(["--quick", "--out", str(tmp_path)])
    assert result["metric"] == "test_log_px_iw" and result["iw_samples"] == 50
    assert result["train_elbo_last"] > result["train_elbo_first"]
    assert set(result["test_log_px_iw_by_k"]) == {"1", "10", "50"}
    names = {"elbo_curve", "reconstructions", "prior_samples", "iw_bound", "latent_manifold", "latent_means"}
    assert {p.split("/")[-1][:-4] for p in result["plots"]} == names
    assert all((tmp_path / f"{name}.png").exists() for name in names)


def test_mnist_uses_the_papers_500_hidden_units(tmp_path):
    write_fake_mnist(tmp_path)
    result = main(["--data", "mnist", "--quick", "--manifold-epochs", "0", "--root", str(tmp_path),
                   "--out", str(tmp_path / "out")])
    assert result["hidden"] == 500 and result["n_train"] == 64
    assert result["n_parameters"] == sum(p.numel() for p in VAE(784, 500, 10).parameters())
    assert "latent_manifold" not in " ".join(result["plots"])


# ---- 잘못된 입력 ----
def test_bad_inputs_are_refused():
    model = VAE(6, 5, 3)
    with pytest.raises(ValueError, match=r"\[0, 1\] 범위"):
        model.elbo(torch.full((2, 6), 2.0))
    with pytest.raises(ValueError, match=r"\(N, 6\).*\(2, 1, 2, 3\)"):
        model.elbo(torch.zeros(2, 1, 2, 3))
    with pytest.raises(ValueError, match=r"\(L, 2, 3\)"):
        model.elbo(torch.zeros(2, 6), eps=torch.zeros(2, 3))
    with pytest.raises(ValueError, match="estimator"):
        model.elbo(torch.zeros(2, 6), estimator="C")
    with pytest.raises(ValueError, match="k는 1 이상"):
        model.log_likelihood_iw(torch.zeros(2, 6), k=0)
    for z_dim in (0, -1, 1.5):
        with pytest.raises(ValueError, match="z_dim"):
            VAE(6, 5, z_dim)
    VAE(6, 5, 3, decoder="gaussian").elbo(torch.full((2, 6), 2.0))     # Gaussian decoder는 범위 제한이 없다


# ---- 수렴 기준 (slow) ----
@pytest.mark.slow
def test_default_run_improves_the_elbo_and_iw_is_above_the_elbo(tmp_path):
    # 측정값(README): 첫 epoch 뒤 test ELBO ≈ −28.9, 300 epoch 뒤 test ELBO ≈ −18.9, log p(x) (k = 1000) ≈ −18.4 nats.
    result = main(["--out", str(tmp_path)])
    assert result["test_elbo"] >= result["test_elbo_first_epoch"] + 5.0     # 첫 epoch보다 5 nats 이상
    assert result["test_elbo"] >= -20.5
    iw = [result["test_log_px_iw_by_k"][k] for k in ("1", "10", "100", "1000")]
    assert result["value"] >= result["test_elbo"]                             # IW 추정값 ≥ ELBO (그래야 한다)
    assert iw[0] < iw[1] < iw[2] < iw[3]                                      # k와 함께 커진다
    assert result["z2_test_log_px_iw"] >= result["z2_test_elbo"]
    assert all(p.endswith(".png") and (tmp_path / p.split("/")[-1]).exists() for p in result["plots"])
