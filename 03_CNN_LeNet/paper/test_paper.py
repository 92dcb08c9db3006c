"""L3 (nn.Module) 검증: 논문이 적은 숫자(층별 parameter 수, 합 60,000, Table I의 규칙, f(±1) = ±1, 입력 정규화),
각 층을 독립적으로 다시 계산한 값과 비교, RBF prototype이 학습되지 않음, 식 (9), L2 == L3 (modern),
실행, 잘못된 입력, 수렴 기준 (slow)."""
import itertools
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from utils.datasets import Dataset
from utils.gradcheck import F64_ATOL, F64_RTOL

from ..pytorch_lowlevel import lenet_lowlevel
from . import lenet_modern_paper
from . import lenet_paper as P


def assert_close(actual, expected, msg=""):
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=F64_RTOL, atol=F64_ATOL, err_msg=msg)


def n_params(module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


# ---- 논문 Section II.B의 숫자 ----
def test_trainable_parameter_counts_are_exactly_the_papers():
    torch.manual_seed(0)
    model = P.LeNet5()
    stated = {"C1": 156, "S2": 12, "C3": 1_516, "S4": 32, "C5": 48_120, "F6": 10_164, "output": 0}
    assert {name: n_params(getattr(model, name)) for name in stated} == stated
    assert n_params(model) == sum(stated.values()) == 60_000
    assert P.n_trainable(model) == 60_000


def test_modern_variant_parameter_count():
    # C3가 완전 연결(16·(6·25 + 1))이고 출력이 Linear(84, 10)인 것만 다르다
    assert n_params(P.LeNet5Modern()) == 156 + 16 * (6 * 25 + 1) + 48_120 + 10_164 + 10 * 85 == 61_706


def test_table_i_follows_the_papers_stated_rule():
    """Section II.B: 처음 6개는 연속한 3개, 다음 6개는 연속한 4개, 다음 3개는 연속하지 않은 4개, 마지막은 6개 모두."""
    conn = [set(c) for c in P.c3_connections()]
    assert len(conn) == 16 and all(c <= set(range(6)) for c in conn)
    cyclic = [{(start + k) % 6 for k in range(size)} for size in (3, 4) for start in range(6)]
    assert conn[:6] == cyclic[:6] and conn[6:12] == cyclic[6:]          # 연속(S2 map 5 다음은 0으로 돌아간다)
    for c in conn[12:15]:
        assert len(c) == 4 and c not in cyclic                          # 연속하지 않은 4개
    assert len({frozenset(c) for c in conn[12:15]}) == 3
    assert conn[15] == set(range(6))
    assert sum(len(c) * 25 + 1 for c in conn) == 1_516                  # 논문의 C3 parameter 수


# ---- 층마다 독립적으로 다시 계산 ----
def test_c3_equals_sum_of_per_map_convolutions_over_table_i():
    torch.manual_seed(1)
    c3 = P.PartialConv2d(P.c3_connections()).double()
    x = torch.randn(2, 6, 14, 14, dtype=torch.float64)
    dense = c3.dense_weight()
    expected = torch.zeros(2, 16, 10, 10, dtype=torch.float64)
    for j, inputs in enumerate(P.c3_connections()):                     # map j = Σ_{i ∈ 열 j} x_i * k_ji + b_j
        for i in inputs:
            expected[:, j] += F.conv2d(x[:, i:i + 1], dense[j:j + 1, i:i + 1])[:, 0]
        expected[:, j] += c3.bias[j]
    assert_close(c3(x).detach(), expected.detach())


def test_c3_output_depends_only_on_connected_s2_maps():
    torch.manual_seed(2)
    c3 = P.PartialConv2d(P.c3_connections()).double()
    x = torch.randn(1, 6, 14, 14, dtype=torch.float64, requires_grad=True)
    out = c3(x)
    for j, inputs in enumerate(P.c3_connections()):
        (grad,) = torch.autograd.grad(out[0, j].sum(), x, retain_graph=True)
        touched = {i for i in range(6) if grad[0, i].abs().sum() > 0}
        assert touched == set(inputs), j
    assert (c3.dense_weight().abs().sum(dim=(2, 3)) > 0).sum() == 60    # X가 아닌 96칸은 0


def test_subsampling_is_trainable_scaled_window_sum():
    torch.manual_seed(3)
    s2 = P.Subsampling(6).double()
    x = torch.randn(2, 6, 28, 28, dtype=torch.float64)
    window_sum = x.reshape(2, 6, 14, 2, 14, 2).sum(dim=(3, 5))         # 2×2 window 네 값의 합
    expected = window_sum * s2.coefficient[:, None, None] + s2.bias[:, None, None]
    assert_close(s2(x).detach(), expected.detach())


def test_scaled_tanh_constants_give_f_of_one_equal_one():
    a = torch.tensor([-1.0, 0.0, 1.0], dtype=torch.float64)
    f = P.squash(a)
    assert_close(f, 1.7159 * torch.tanh(a * 2 / 3))
    assert abs(f[2].item() - 1.0) < 1e-4 and abs(f[0].item() + 1.0) < 1e-4   # Appendix A: f(±1) = ±1
    assert f[1].item() == 0.0


def test_input_normalisation_maps_background_and_ink():
    assert_close(P.LeNet5.prepare(np.array([0.0, 1.0])), [-0.1, 1.175])


def test_rbf_outputs_squared_distances_to_fixed_prototypes():
    rbf = P.EuclideanRBF().double()
    assert set(rbf.prototypes.unique().tolist()) == {-1.0, 1.0} and rbf.prototypes.shape == (10, 84)
    assert len(list(rbf.parameters())) == 0 and "prototypes" in dict(rbf.named_buffers())
    x = torch.randn(5, 84, dtype=torch.float64)
    assert_close(rbf(x), torch.cdist(x, rbf.prototypes) ** 2)
    assert torch.equal(P.EuclideanRBF().prototypes, P.EuclideanRBF().prototypes)   # 같은 seed → 같은 prototype
    assert len({tuple(p) for p in rbf.prototypes.tolist()}) == 10


def test_prototypes_do_not_change_during_training():
    torch.manual_seed(4)
    model = P.LeNet5()
    before = model.output.prototypes.clone()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    x, y = torch.randn(8, 1, 32, 32), torch.arange(8)
    for _ in range(3):
        optimizer.zero_grad()
        model.loss(model(x), y).backward()
        optimizer.step()
    assert torch.equal(model.output.prototypes, before)


def test_map_loss_is_equation_9():
    torch.manual_seed(5)
    penalties = (torch.rand(4, 10, dtype=torch.float64) * 8).requires_grad_()
    y = torch.tensor([0, 3, 9, 3])
    j = 2.5
    expected = np.mean([penalties[p, y[p]].item()
                        + math.log(math.exp(-j) + sum(math.exp(-penalties[p, i].item()) for i in range(10)))
                        for p in range(4)])
    loss = P.map_loss(penalties, y, j)
    assert_close(loss.item(), expected)
    (grad,) = torch.autograd.grad(loss, penalties)
    onehot = F.one_hot(y, 10).bool()
    assert (grad[onehot] > 0).all() and (grad[~onehot] < 0).all()       # 정답은 낮추고, 나머지는 밀어 올린다
    huge = P.map_loss(torch.full((2, 10), 1e4, dtype=torch.float64), torch.tensor([1, 2]))
    assert torch.isfinite(huge) and huge.item() == pytest.approx(1e4 - P.MAP_J, rel=1e-12)


def test_faithful_layer_shapes_and_prediction_is_argmin():
    torch.manual_seed(6)
    model = P.LeNet5()
    feats = model.features(torch.randn(3, 1, 32, 32))
    assert {k: tuple(v.shape) for k, v in feats.items()} == {
        "C1": (3, 6, 28, 28), "S2": (3, 6, 14, 14), "C3": (3, 16, 10, 10), "S4": (3, 16, 5, 5),
        "C5": (3, 120, 1, 1), "F6": (3, 84), "output": (3, 10)}
    assert all(v.abs().max() <= 1.7159 for k, v in feats.items() if k != "output")   # squashing의 범위
    penalties = torch.tensor([[3.0, 1.0, 2.0]])
    assert P.LeNet5.predict(penalties).item() == 1 and P.rbf_accuracy(penalties, torch.tensor([1])) == 1.0


# ---- parity up the ladder: L2 (low-level) == L3 modern ----
def test_modern_variant_equals_lowlevel_with_same_weights():
    params = lenet_lowlevel.init_params(seed=7, dtype=torch.float64)
    with torch.no_grad():
        for name, p in params.items():
            if name.endswith(".b"):
                p.normal_(0, 0.1)
    model = P.LeNet5Modern().double()
    with torch.no_grad():
        for layer in ("C1", "C3", "C5"):
            getattr(model, layer).weight.copy_(params[f"{layer}.W"])
            getattr(model, layer).bias.copy_(params[f"{layer}.b"])
        for layer in ("F6", "output"):                                   # L2는 x @ W (in, out), nn.Linear는 (out, in)
            getattr(model, layer).weight.copy_(params[f"{layer}.W"].T)
            getattr(model, layer).bias.copy_(params[f"{layer}.b"])
    x, y = torch.randn(3, 1, 32, 32, dtype=torch.float64), torch.tensor([1, 5, 9])
    logits_l2 = lenet_lowlevel.forward(params, x)
    logits_l3 = model(x)
    assert_close(logits_l3.detach(), logits_l2.detach())
    F.cross_entropy(logits_l2, y).backward()
    model.loss(logits_l3, y).backward()
    for layer in ("C1", "C3", "C5", "F6", "output"):
        weight_grad = params[f"{layer}.W"].grad
        weight_grad = weight_grad.T if layer in ("F6", "output") else weight_grad
        assert_close(getattr(model, layer).weight.grad, weight_grad, msg=layer)
        assert_close(getattr(model, layer).bias.grad, params[f"{layer}.b"].grad, msg=layer)


def test_initial_loss_of_modern_is_near_log_10():
    torch.manual_seed(8)
    model = P.LeNet5Modern()
    x = torch.randn(64, 1, 32, 32)
    # PyTorch 기본 초기화는 logit을 작게 만들어 예측이 거의 균등하다 → loss ≈ ln 10 = 2.303
    assert abs(model.loss(model(x), torch.arange(64) % 10).item() - math.log(10)) < 0.1


# ---- 실행 ----
@pytest.mark.parametrize("variant", P.VARIANTS)
def test_quick_runs_write_results(tmp_path, variant):
    result = P.main(["--quick", "--device", "cpu", "--variant", variant, "--out", str(tmp_path)])
    assert result["variant"] == variant and result["train_loss_last"] < result["train_loss_first"]
    assert result["n_parameters"] == (60_000 if variant == "faithful" else 61_706)
    for name in ("result.json", "c1_filters.png", "feature_maps_S2.png", "accuracy_curve.png"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert (tmp_path / "rbf_prototypes.png").exists() == (variant == "faithful")


def tiny_digit_images(*args, **kwargs) -> Dataset:
    """load_digit_images 대신: 가운데 20×20에만 글씨가 있는 무작위 32×32 이미지 train 64장, test 32장."""
    rng = np.random.default_rng(11)
    images = np.zeros((96, 1, 32, 32), dtype=np.float32)
    images[:, :, 6:26, 6:26] = rng.random((96, 1, 20, 20), dtype=np.float32)
    labels = rng.integers(0, 10, size=96)
    return Dataset("digits", images[:64], labels[:64], images[64:], labels[64:])


class Interrupted(Exception):
    """학습 도중 끊긴 process 대신."""


@pytest.mark.parametrize("variant", P.VARIANTS)
def test_run_interrupted_after_one_epoch_and_resumed_equals_two_epochs_straight(monkeypatch, tmp_path, variant):
    """`--epochs 2`가 첫 epoch 뒤에 끊기고 `--resume`으로 이어 간 run == 끊기지 않은 run: 결과, epoch별 기록,
    가중치가 비트까지 같다. lr schedule은 전체 epoch 수에 기대므로 끊긴 run도 `--epochs 2`로 시작한다.
    이동 augmentation과 batch 순서의 난수가 checkpoint에서 되살아나야 같아진다 (이동도 fit의 rng에서 뽑는다)."""
    from utils.training import CHECKPOINT_NAME, fit, load_checkpoint

    trained, stop_after = [], []                                        # 실제로 학습한 epoch 번호, 끊을 epoch

    def record_or_stop(epoch, record):
        trained.append(epoch)
        if epoch in stop_after:
            raise Interrupted                                           # checkpoint는 callback 전에 쓰였다

    monkeypatch.setattr(P, "fit", lambda *args, **kwargs: fit(*args, callback=record_or_stop, **kwargs))
    monkeypatch.setattr(P, "load_digit_images", tiny_digit_images)
    monkeypatch.setattr(P, "save_plots", lambda *args, **kwargs: [])
    common = ["--quick", "--device", "cpu", "--variant", variant, "--batch-size", "16", "--epochs", "2"]
    straight = P.main(common + ["--out", str(tmp_path / "straight")])
    stop_after.append(0)
    with pytest.raises(Interrupted):
        P.main(common + ["--out", str(tmp_path / "stopped")])
    stop_after.clear()
    torch.manual_seed(7)                                                # 새 process처럼 전역 난수를 흐트러뜨린다
    np.random.seed(7)
    trained.clear()
    resumed = P.main(common + ["--resume", "--out", str(tmp_path / "stopped")])
    assert trained == [1]                                               # 두 번째 epoch만 학습했다

    def same(result):
        return {k: v for k, v in result.items() if k != "seconds"}

    assert same(resumed) == same(straight) and resumed["epochs"] == 2 and resumed["n_train"] == 64
    a, b = (load_checkpoint(tmp_path / name / CHECKPOINT_NAME) for name in ("straight", "stopped"))
    assert a["epoch"] == b["epoch"] == 2
    assert {k: v for k, v in a["history"].items() if k != "seconds"} == \
        {k: v for k, v in b["history"].items() if k != "seconds"}
    assert all(torch.equal(a["model"][k], v) for k, v in b["model"].items())


def test_modern_entry_point_runs_the_modern_variant_into_its_own_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)                                         # --out을 주지 않으면 variant별 기본 폴더
    result = lenet_modern_paper.main(["--quick", "--device", "cpu"])
    assert result["variant"] == "modern" and result["model"] == "LeNet5 (modern)"
    assert (tmp_path / "outputs" / "03_CNN_LeNet" / "paper" / "modern" / "digits" / "result.json").exists()


# ---- 잘못된 입력 ----
def test_wrong_inputs_are_refused():
    with pytest.raises(ValueError, match=r"\(N, 1, 32, 32\).*\(2, 1, 28, 28\)"):
        P.LeNet5()(torch.zeros(2, 1, 28, 28))
    with pytest.raises(ValueError, match=r"\(N, 1, 32, 32\).*\(1, 32, 32\)"):
        P.LeNet5Modern()(torch.zeros(1, 32, 32))
    with pytest.raises(ValueError, match=r"0\.\.9"):
        P.map_loss(torch.zeros(2, 10), torch.tensor([0, 10]))


def test_all_pairs_of_prototypes_are_far_apart():
    protos = P.EuclideanRBF().prototypes
    distances = [int((protos[a] != protos[b]).sum()) for a, b in itertools.combinations(range(10), 2)]
    assert min(distances) >= 20                                         # 84비트 중 최소 20비트 다르다 (평균 42)


# ---- 수렴 기준 (slow) ----
@pytest.mark.slow
def test_faithful_default_run_reaches_97_percent(tmp_path):
    assert P.main(["--device", "cpu", "--out", str(tmp_path)])["value"] >= 0.97


@pytest.mark.slow
def test_modern_default_run_reaches_98_percent(tmp_path):
    assert P.main(["--device", "cpu", "--variant", "modern", "--out", str(tmp_path)])["value"] >= 0.98


# ---- Table I를 코드와 따로 옮겨 적은 사본과 비교 ----
# LeCun et al. (1998) p. 8, Table I "Each column indicates which feature map in S2 are combined by the units in a
# particular feature map of C3". 행 = S2 map 0–5, 열 = C3 map 0–15, 논문 표의 모양 그대로 X와 빈칸(.)으로 적었다.
PAPER_TABLE_I = """
      0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15
  0   X . . . X X X . . X X  X  X  .  X  X
  1   X X . . . X X X . . X  X  X  X  .  X
  2   X X X . . . X X X . .  X  .  X  X  X
  3   . X X X . . X X X X .  .  X  .  X  X
  4   . . X X X . . X X X X  .  X  X  .  X
  5   . . . X X X . . X X X  X  .  X  X  X
"""


def paper_table_i_columns() -> list[set[int]]:
    rows = [line.split()[1:] for line in PAPER_TABLE_I.strip().splitlines()[1:]]   # 머리 줄과 행 번호를 뗀다
    assert len(rows) == 6 and all(len(row) == 16 for row in rows)
    return [{i for i, row in enumerate(rows) if row[j] == "X"} for j in range(16)]


def test_table_i_equals_an_independent_transcription_of_the_paper():
    expected = paper_table_i_columns()
    assert [set(c) for c in P.c3_connections()] == expected                  # 60개 X 하나하나가 같은 자리
    model = P.LeNet5()
    assert [set(c) for c in model.C3.connections] == expected                # 모델이 실제로 쓰는 연결
    used = model.C3.dense_weight().detach().abs().sum(dim=(2, 3)) != 0       # (16, 6): 0이 아닌 kernel 자리
    assert [set(torch.nonzero(used[j]).flatten().tolist()) for j in range(16)] == expected
    assert sum(len(c) for c in expected) == 60


# ---- 초기화: Appendix A, weight와 bias ~ U(−2.4/F_i, 2.4/F_i), F_i = 그 unit의 fan-in ----
def assert_paper_uniform(values: torch.Tensor, fan_in: int, name: str) -> None:
    """경계 2.4/F_i 안에 있고, 최댓값이 경계 가까이 가며 (n개 표본이 모두 (1 − 10/n)배 안에 들 확률 ≈ e^{−10}),
    표본이 많으면 std가 경계/√3 이다 (상대 표준오차 √(0.2/n)의 5배를 통계적 여유로)."""
    v = values.detach().double().flatten().numpy()
    bound = 2.4 / fan_in
    assert np.abs(v).max() <= bound, name
    assert np.abs(v).max() > (1 - 10 / v.size) * bound, name
    if v.size >= 1000:
        assert v.std() == pytest.approx(bound / math.sqrt(3), rel=5 * math.sqrt(0.2 / v.size)), name


def test_faithful_init_is_appendix_a_with_each_units_fan_in():
    torch.manual_seed(0)
    model = P.LeNet5()
    assert_paper_uniform(model.C1.weight, 25, "C1.weight")                   # 1 map × 5×5
    assert_paper_uniform(model.C1.bias, 25, "C1.bias")
    assert_paper_uniform(model.C5.weight, 16 * 25, "C5.weight")              # 16 maps × 5×5
    assert_paper_uniform(model.C5.bias, 16 * 25, "C5.bias")
    assert_paper_uniform(model.F6.weight, 120, "F6.weight")
    assert_paper_uniform(model.F6.bias, 120, "F6.bias")
    both = torch.cat([model.S2.coefficient, model.S4.coefficient, model.S2.bias, model.S4.bias])
    assert_paper_uniform(both, 4, "S2/S4")                                   # 2×2 window의 4개 입력
    columns = paper_table_i_columns()
    kernel_owner = [j for j, c in enumerate(columns) for _ in c]             # 60개 kernel이 속한 C3 map
    for size in (3, 4, 6):                          # C3: map마다 fan-in = 연결된 S2 map 수 · 25
        kernels = [p for p, j in enumerate(kernel_owner) if len(columns[j]) == size]
        maps = [j for j, c in enumerate(columns) if len(c) == size]
        assert_paper_uniform(model.C3.weight[kernels], size * 25, f"C3.weight ({size}개 연결)")
        assert_paper_uniform(model.C3.bias[maps], size * 25, f"C3.bias ({size}개 연결)")


def test_modern_init_is_the_torch_default_uniform_on_fan_in():
    # nn.Conv2d / nn.Linear 기본값: kaiming_uniform_(a=√5) → weight U(±1/√fan_in), bias U(±1/√fan_in)
    torch.manual_seed(0)
    model = P.LeNet5Modern()
    for name, fan_in in [("C1", 25), ("C3", 150), ("C5", 400), ("F6", 120), ("output", 84)]:
        layer = getattr(model, name)
        bound = 1 / math.sqrt(fan_in)
        for kind, values in (("weight", layer.weight), ("bias", layer.bias)):
            v = values.detach().double().flatten().numpy()
            assert np.abs(v).max() <= bound, (name, kind)
            assert np.abs(v).max() > (1 - 10 / v.size) * bound, (name, kind)
            if v.size >= 1000:
                assert v.std() == pytest.approx(bound / math.sqrt(3), rel=5 * math.sqrt(0.2 / v.size)), (name, kind)
