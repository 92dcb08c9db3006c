"""utils/visualization.py 검사: 유효한 PNG → 원자적 저장 → 한글 font → 그림 내용 → 잘못된 입력."""
import os
import sys
import warnings
from pathlib import Path

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

from utils import visualization as viz

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def read_png(path) -> np.ndarray:
    """PNG signature를 확인하고 (H, W, 4) RGBA float 배열로 읽는다."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"PNG가 아닙니다: {data[:8]!r}"
    image = mpimg.imread(path, format="png")
    assert image.ndim == 3 and image.shape[2] in (3, 4), image.shape
    return image


def capture_figure(monkeypatch):
    """plot_* 함수가 저장하려는 Figure를 가로채 돌려받는다 (축·범례·눈금을 직접 검사하려고)."""
    figures = []

    def fake_save(fig, path):
        figures.append(fig)
        plt.close(fig)
        return path

    monkeypatch.setattr(viz, "save_figure", fake_save)
    return figures


@pytest.fixture(autouse=True)
def no_figure_leaks():
    """각 테스트가 끝난 뒤 열려 있는 figure가 없어야 한다: 모든 함수는 figure를 닫아야 한다."""
    before = set(plt.get_fignums())
    yield
    assert set(plt.get_fignums()) == before, "figure가 닫히지 않았습니다"


rng = np.random.default_rng(0)
IMAGES = rng.random((6, 8, 8))
WEIGHTS = rng.normal(size=(10, 8, 8))

# 이름 → (path를 받아 그림을 저장하는 호출, 기대하는 가로/세로 비: "wide" · "tall" · "any")
CASES = {
    "save_figure": (lambda p: viz.save_figure(plt.subplots(figsize=(6, 2))[0], p), "wide"),
    "curves": (lambda p: viz.plot_curves({"train_loss": [1.0, 0.5, 0.3], "test_loss": [1.1, 0.7]}, p), "wide"),
    "curves_logy": (lambda p: viz.plot_curves({"loss": list(np.exp(-np.arange(50.0)))}, p, logy=True), "wide"),
    "image_grid": (lambda p: viz.plot_image_grid(rng.random((16, 8, 8)), p, ncols=8, title="샘플"), "wide"),
    "image_grid_1ch": (lambda p: viz.plot_image_grid(rng.random((4, 1, 8, 8)), p, labels=list("abcd")), "wide"),
    "image_grid_rgb_torch": (
        lambda p: viz.plot_image_grid(torch.rand(2, 3, 8, 8, requires_grad=True), p, ncols=1), "tall"),
    "decision_boundary": (
        lambda p: viz.plot_decision_boundary(lambda g: (g[:, 0] > 0).astype(int), rng.normal(size=(30, 2)),
                                             rng.integers(0, 2, 30), p, resolution=50), "any"),
    "prediction_scatter": (lambda p: viz.plot_prediction_scatter(np.arange(20.0), np.arange(20.0) + 1, p), "any"),
    "weight_grid": (lambda p: viz.plot_weight_grid(WEIGHTS, p, ncols=5), "wide"),
    "weight_grid_conv": (lambda p: viz.plot_weight_grid(torch.randn(4, 3, 5, 5), p, ncols=4), "wide"),
    "feature_maps": (lambda p: viz.plot_feature_maps(rng.normal(size=(3, 6, 6)), p, ncols=1), "tall"),
    "attention": (lambda p: viz.plot_attention(rng.random((4, 5)), p, x_labels=list("abcde"), y_labels=list("wxyz")),
                  "any"),
    "latent_scatter": (lambda p: viz.plot_latent_scatter(rng.normal(size=(40, 2)), rng.integers(0, 3, 40), p), "any"),
    "latent_grid": (lambda p: viz.plot_latent_grid(lambda z: np.full((len(z), 4, 4), 0.5), p, n=5), "any"),
}


# ---------------------------------------------------------------------------
# 1. 모든 함수가 유효한 PNG를 쓰고 Path를 돌려준다
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", CASES)
def test_writes_valid_png_and_returns_path(tmp_path, name):
    make, aspect = CASES[name]
    target = tmp_path / "sub" / f"{name}.png"                   # 없는 폴더도 만든다
    returned = make(target)
    assert returned == target
    assert target.is_file() and target.stat().st_size > 0
    image = read_png(target)
    height, width = image.shape[:2]
    assert height > 50 and width > 50, image.shape
    if aspect == "wide":
        assert width > 1.3 * height, image.shape
    elif aspect == "tall":
        assert height > 1.3 * width, image.shape
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name], "임시 파일이 남았습니다"


def test_returns_path_for_str_argument(tmp_path):
    returned = viz.plot_curves({"loss": [1.0, 0.5]}, str(tmp_path / "a.png"))
    assert returned == tmp_path / "a.png" and returned.is_file()


# ---------------------------------------------------------------------------
# 2. 원자적 저장: savefig가 실패하면 target도 임시 파일도 남지 않는다
# ---------------------------------------------------------------------------
def _failing_savefig(self, fname, *args, **kwargs):
    """반쯤 쓰다가 실패하는 savefig: 원자적으로 저장하지 않으면 깨진 파일이 남는다."""
    with open(fname, "wb") as f:
        f.write(PNG_SIGNATURE + b"partial")
    raise RuntimeError("disk full (테스트용)")


@pytest.mark.parametrize("name", ["save_figure", "curves", "image_grid", "latent_grid"])
def test_failed_save_leaves_no_file(tmp_path, monkeypatch, name):
    monkeypatch.setattr(Figure, "savefig", _failing_savefig)
    target = tmp_path / "out.png"
    with pytest.raises(RuntimeError, match="disk full"):
        CASES[name][0](target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [], "임시 파일이 남았습니다"


def test_failed_save_keeps_previous_file(tmp_path, monkeypatch):
    target = tmp_path / "out.png"
    viz.plot_curves({"loss": [1.0, 0.5]}, target)
    before = target.read_bytes()
    monkeypatch.setattr(Figure, "savefig", _failing_savefig)
    with pytest.raises(RuntimeError):
        viz.plot_curves({"loss": [3.0, 2.0, 1.0]}, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]


def test_save_figure_refuses_non_png_suffix_and_closes(tmp_path):
    fig = plt.figure()
    with pytest.raises(ValueError, match=r"\.png"):
        viz.save_figure(fig, tmp_path / "a.jpg")
    assert not plt.fignum_exists(fig.number)
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------
# 3. 한글 font
# ---------------------------------------------------------------------------
def _glyph_warnings(render) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render()
    return [str(w.message) for w in caught
            if "missing from font" in str(w.message) or "does not have a glyph" in str(w.message)]


def test_configured_fonts_cover_hangul_and_the_minus_sign():
    rc = viz._korean_rc()                                         # 그림마다 씌우는 설정 (전역 rcParams는 그대로)
    family = rc["font.family"]
    assert rc["axes.unicode_minus"] is False
    fonts = [FT2Font(font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False))
             for name in family]
    for char in "한글학습곡선":                                   # 목록 중 어느 font엔가 한글이 있다
        assert any(font.get_char_index(ord(char)) != 0 for font in fonts), char
    # mathtext(log 축 눈금 `$\mathdefault{10^{-2}}$`)는 목록의 첫 font만 쓰므로 거기에 U+2212가 있어야 한다
    assert fonts[0].get_char_index(0x2212) != 0, family[0]


def test_log_axis_with_negative_exponents_renders_every_glyph(tmp_path):
    render = lambda: viz.plot_curves({"손실": [1.0, 1e-2, 1e-5]}, tmp_path / "log.png", title="로그 축", logy=True)
    assert _glyph_warnings(render) == []


def test_korean_text_renders_without_missing_glyph(tmp_path):
    def render():
        viz.plot_curves({"훈련 손실": [1.0, -0.5], "검증 손실": [0.9, 0.4]}, tmp_path / "ko.png",
                        title="한글 제목: 학습 곡선", xlabel="에폭", ylabel="손실 −1")
        viz.plot_image_grid(IMAGES[:2], tmp_path / "grid.png", labels=["정답 3", "예측 8"], title="숫자 샘플")

    assert _glyph_warnings(render) == []
    assert read_png(tmp_path / "ko.png").shape[0] > 50


def test_missing_glyph_detection_works_with_a_latin_only_font():
    """대조군: 한글이 없는 font로 그리면 위 테스트가 잡는 경고가 실제로 난다."""
    def render():
        with plt.rc_context({"font.family": ["DejaVu Sans"]}):
            fig, ax = plt.subplots()
            ax.set_title("한글")
            fig.canvas.draw()
            plt.close(fig)

    assert _glyph_warnings(render)


def test_plots_stay_korean_after_rcdefaults(tmp_path):
    """사용자가 rcParams를 초기화해도 plot_* 함수는 한글 font로 그린다."""
    with plt.rc_context():
        plt.rcdefaults()
        assert _glyph_warnings(lambda: viz.plot_curves({"손실": [1.0]}, tmp_path / "a.png", title="한글")) == []


def test_font_found_without_importing_koreanize(monkeypatch):
    """koreanize_matplotlib import가 실패해도 (예: Python 3.12의 distutils) 설치 폴더에서 font를 찾는다."""
    monkeypatch.setitem(sys.modules, "koreanize_matplotlib", None)  # None이면 import가 ImportError
    with pytest.raises(ImportError):
        import koreanize_matplotlib  # noqa: F401
    font_file = viz._korean_font_file()
    assert font_file is not None and font_file.name == "NanumGothic.ttf"
    assert FT2Font(str(font_file)).get_char_index(ord("한")) != 0


def test_font_setup_runs_once_and_leaves_global_rcparams_alone(monkeypatch, tmp_path):
    """`_korean_rc`를 몇 번 부르든 font 등록은 한 번이고 같은 설정이 나온다.

    설정도 저장도 전역 rcParams를 바꾸지 않는다."""
    calls = []
    register = font_manager.fontManager.addfont
    monkeypatch.setattr(font_manager.fontManager, "addfont", lambda path: (calls.append(path), register(path)))
    viz._korean_rc.cache_clear()
    try:
        before = dict(plt.rcParams)
        first = viz._korean_rc()
        assert viz._korean_rc() is first
        viz.plot_curves({"손실": [1.0, 0.5]}, tmp_path / "a.png", title="한글")
        viz.save_figure(plt.subplots()[0], tmp_path / "b.png")
        assert len(calls) == 1, calls
        assert [k for k, v in before.items() if plt.rcParams[k] != v] == []
        with pytest.raises(TypeError):
            first["font.family"] = ("serif",)                            # 읽기 전용: 한 곳에서만 정한다
    finally:
        viz._korean_rc.cache_clear()


FONT_NAMES = {"rcParams", "rcParamsDefault", "rc_context", "rc", "rcdefaults", "rc_file", "style", "font_manager",
              "fontManager", "addfont", "set_fontfamily", "set_family", "FontProperties"}


def test_font_is_set_in_korean_rc_and_applied_only_in_save_figure():
    """이 모듈에서 font·rcParams를 만지는 코드는 `_korean_rc`(정하기), `_apply_korean_font`·`save_figure`(씌우기)뿐이다.
    font 설정 key("font.…", "axes.unicode_minus")는 `_korean_rc`가 정하고 `_apply_korean_font`가 읽을 뿐이다."""
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(viz))
    owner = {}                                                        # node → 그 node를 담은 최상위 함수 이름
    for top in tree.body:
        for node in ast.walk(top):
            owner[node] = top.name if isinstance(top, ast.FunctionDef) else "<module>"
    touches, keys = set(), set()
    for node, where in owner.items():
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
        if name in FONT_NAMES and not (isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)):
            touches.add(where)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                (node.value.startswith("font.") or node.value == "axes.unicode_minus"):
            keys.add(where)
    assert touches == {"_korean_rc", "_apply_korean_font", "save_figure"}, touches
    assert keys == {"_korean_rc", "_apply_korean_font"}, keys          # 값을 정하는 곳과 읽는 곳


def test_a_figure_drawn_outside_this_module_is_saved_in_korean(tmp_path):
    """장의 스크립트처럼 `plt.subplots`로 직접 그린 그림도 `save_figure`만 거치면 한글 glyph가 빠지지 않는다."""
    def render():
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot([1, 2, 3], [1e-3, 1e-1, 1.0], label="검증 손실")
        ax.set_yscale("log")
        ax.set(title="직접 그린 그림", xlabel="단계", ylabel="손실")
        ax.legend()
        viz.save_figure(fig, tmp_path / "direct.png")

    assert _glyph_warnings(render) == []


def test_save_figure_gives_korean_text_the_korean_font_list(tmp_path):
    """rc_context 없이 기본 설정으로 만든 글자는 저장 뒤 `_korean_rc`의 font 목록을 쓴다.
    사용자가 직접 정한 font는 그대로 둔다."""
    family = list(viz._korean_rc()["font.family"])
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([1, 2], [0.5, -0.5], label="훈련 손실")
    ax.set(title="장에서 그린 그림", xlabel="에폭")
    mine = ax.text(1, 0, "serif label", fontfamily="serif")
    legend = ax.legend()
    viz.save_figure(fig, tmp_path / "chapter.png")
    korean = [t for t in fig.findobj(Text) if any("가" <= c <= "힣" for c in t.get_text())]
    assert {t.get_text() for t in korean} >= {"장에서 그린 그림", "에폭", "훈련 손실"}
    assert [t.get_text() for t in korean if list(t.get_fontfamily()) != family] == []
    assert list(legend.get_texts()[0].get_fontfamily()) == family
    assert list(mine.get_fontfamily()) == ["serif"]


FONT_SHIMS = ("KOREAN_RC", "setup_korean_font", "korean_font", "korean_rc", "rc_context", "koreanize", "font.family",
              "set_fontfamily")


def test_chapter_scripts_leave_the_font_to_save_figure():
    """장의 코드(test가 아닌 .py)는 font를 스스로 정하지 않는다: 그림을 그려 `save_figure`에 넘길 뿐이다.
    font를 정하는 옛 이름(KOREAN_RC, setup_korean_font, @korean_font, korean_rc)도 모듈에 남아 있지 않다."""
    root = Path(viz.__file__).resolve().parent.parent
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [d for d in subfolders if not d.startswith(".") and d not in {"outputs", "data", "__pycache__"}]
        for name in files:
            rel = (Path(folder) / name).relative_to(root)
            if name.endswith(".py") and not name.startswith("test_") and rel != Path("utils/visualization.py"):
                text = (root / rel).read_text(encoding="utf-8")
                found += [f"{rel}: {shim}" for shim in FONT_SHIMS if shim in text]
    assert found == [], found
    assert [name for name in ("KOREAN_RC", "setup_korean_font", "korean_font", "korean_rc") if hasattr(viz, name)] == []


# ---------------------------------------------------------------------------
# 4. 그림 내용
# ---------------------------------------------------------------------------
def _mean_rgb(image, rows, cols):
    h, w = image.shape[:2]
    return image[int(rows[0] * h):int(rows[1] * h), int(cols[0] * w):int(cols[1] * w), :3].mean(axis=(0, 1))


def test_decision_boundary_calls_predict_fn_on_data_range_and_colours_halves(tmp_path):
    X = np.array([[-2.0, -1.0], [-1.5, 1.0], [1.5, -1.0], [2.0, 1.0]])
    y = np.array([0, 0, 1, 1])
    calls = []

    def split_on_x1(grid):
        calls.append(grid.copy())
        return (grid[:, 0] > 0).astype(np.int64)

    def constant(grid):
        return np.zeros(len(grid), dtype=np.int64)

    viz.plot_decision_boundary(split_on_x1, X, y, tmp_path / "split.png", resolution=40)
    viz.plot_decision_boundary(constant, X, y, tmp_path / "const.png", resolution=40)
    (grid,) = calls
    assert grid.shape == (40 * 40, 2) and grid.dtype == np.float64
    assert np.all(grid.min(axis=0) <= X.min(axis=0)) and np.all(grid.max(axis=0) >= X.max(axis=0))

    def left_right_gap(path):
        image = read_png(path)
        rows = (0.35, 0.65)
        return np.abs(_mean_rgb(image, rows, (0.2, 0.4)) - _mean_rgb(image, rows, (0.6, 0.8))).sum()

    assert left_right_gap(tmp_path / "split.png") > 0.15
    assert left_right_gap(tmp_path / "const.png") < 0.05      # 대조군: 한 class만 예측하면 좌우가 같은 색


def test_decision_boundary_accepts_torch_predictions(tmp_path):
    def predict(grid):
        return torch.from_numpy(grid[:, 1] > 0).long().unsqueeze(1)  # (M, 1) tensor

    X = torch.randn(10, 2)
    viz.plot_decision_boundary(predict, X, torch.arange(10) % 2, tmp_path / "t.png", resolution=20)
    assert read_png(tmp_path / "t.png").shape[0] > 50


def test_weight_grid_normalises_each_tile(tmp_path):
    """값 범위가 아주 작은 filter도 검정부터 흰색까지 보인다 (tile별 min-max)."""
    ramp = np.linspace(0.0, 1e-3, 64).reshape(1, 8, 8)
    image = read_png(viz.plot_weight_grid(ramp, tmp_path / "w.png", title=""))
    top = _mean_rgb(image, (0.3, 0.45), (0.3, 0.7)).mean()     # ramp는 위에서 아래로 밝아진다
    bottom = _mean_rgb(image, (0.55, 0.7), (0.3, 0.7)).mean()
    assert bottom - top > 0.15, (top, bottom)                  # 정규화하지 않으면 둘 다 검정(≈ 0)
    tiles = viz._minmax_per_tile(np.stack([np.arange(4.0).reshape(2, 2) * 1e-4, np.arange(4.0).reshape(2, 2) * 1e4,
                                           np.full((2, 2), 7.0)]))
    np.testing.assert_allclose(tiles[0], tiles[1])
    np.testing.assert_allclose([tiles[0].min(), tiles[0].max()], [0.0, 1.0])
    np.testing.assert_allclose(tiles[2], 0.5)                  # 값이 모두 같은 tile: NaN 대신 회색


def test_latent_grid_orders_points_and_tiles_images(tmp_path):
    n, span, seen = 6, 2.0, []

    def decode(z):
        seen.append(z.copy())
        brightness = (z[:, 0] + span) / (2 * span)            # z1이 클수록 밝다
        return torch.from_numpy(np.repeat(brightness[:, None, None, None], 16, axis=2).repeat(4, axis=3))

    image = read_png(viz.plot_latent_grid(decode, tmp_path / "m.png", n=n, span=span))
    (z,) = seen
    assert z.shape == (n * n, 2)
    np.testing.assert_allclose(z[0], [-span, span])             # 왼쪽 위 = (z1 최소, z2 최대)
    np.testing.assert_allclose(z[-1], [span, -span])
    np.testing.assert_allclose([z.min(), z.max()], [-span, span])
    gray = image[..., :3].mean(axis=2)
    rows = (0.3, 0.7)
    left = _mean_rgb(image, rows, (0.2, 0.35)).mean()
    right = _mean_rgb(image, rows, (0.7, 0.85)).mean()
    assert right - left > 0.3, (left, right)
    assert gray.min() < 0.1


def test_attention_has_colorbar_and_tick_labels(tmp_path, monkeypatch):
    figures = capture_figure(monkeypatch)
    viz.plot_attention(np.eye(3), tmp_path / "a.png", x_labels=["나는", "학생", "이다"], y_labels=["I", "am", "x"])
    (fig,) = figures
    assert len(fig.axes) == 2                                   # heatmap + colorbar
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["나는", "학생", "이다"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["I", "am", "x"]


def test_latent_scatter_legend_or_colorbar(tmp_path, monkeypatch):
    figures = capture_figure(monkeypatch)
    viz.plot_latent_scatter(rng.normal(size=(30, 2)), np.arange(30) % 3, tmp_path / "a.png")
    viz.plot_latent_scatter(rng.normal(size=(30, 2)), np.arange(30) % 15, tmp_path / "b.png")
    few, many = figures
    assert [t.get_text() for t in few.axes[0].get_legend().get_texts()] == ["0", "1", "2"]
    assert len(few.axes) == 1
    assert len(many.axes) == 2 and many.axes[0].get_legend() is None


def test_curves_plot_every_series_with_names(tmp_path, monkeypatch):
    figures = capture_figure(monkeypatch)
    viz.plot_curves({"train_loss": [3.0, 2.0, 1.0], "test_loss": torch.tensor([3.5, 2.5])}, tmp_path / "a.png",
                    logy=True)
    (fig,) = figures
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines()] == ["train_loss", "test_loss"]
    np.testing.assert_array_equal(ax.get_lines()[1].get_xdata(), [1, 2])
    assert ax.get_yscale() == "log"


def test_image_grid_labels_appear_as_tile_titles(tmp_path, monkeypatch):
    figures = capture_figure(monkeypatch)
    viz.plot_image_grid(IMAGES[:3], tmp_path / "a.png", labels=["가", "나", "다"], ncols=2)
    (fig,) = figures
    assert len(fig.axes) == 4                                   # 2 × 2 grid, 마지막 칸은 비어 있다
    assert [ax.get_title() for ax in fig.axes] == ["가", "나", "다", ""]


# ---------------------------------------------------------------------------
# 5. 잘못된 입력은 기대하는 shape을 적은 ValueError
# ---------------------------------------------------------------------------
BAD_INPUTS = {
    "curves_empty": (lambda p: viz.plot_curves({}, p), "비어 있지 않은 dict"),
    "curves_2d": (lambda p: viz.plot_curves({"loss": np.zeros((2, 2))}, p), r"shape \(T,\)"),
    "curves_logy_negative": (lambda p: viz.plot_curves({"loss": [1.0, -1.0]}, p, logy=True), "양수"),
    "image_2d": (lambda p: viz.plot_image_grid(np.zeros((8, 8)), p), r"\(N, H, W\)"),
    "image_2ch": (lambda p: viz.plot_image_grid(np.zeros((2, 2, 8, 8)), p), r"\(N, 3, H, W\)"),
    "image_range": (lambda p: viz.plot_image_grid(np.full((2, 8, 8), 2.0), p), r"\[0, 1\]"),
    "image_labels": (lambda p: viz.plot_image_grid(IMAGES, p, labels=["a"]), "길이 6"),
    "image_ncols": (lambda p: viz.plot_image_grid(IMAGES, p, ncols=0), "ncols"),
    "boundary_X": (lambda p: viz.plot_decision_boundary(lambda g: g[:, 0] > 0, np.zeros((5, 3)), np.zeros(5), p),
                   r"\(N, 2\)"),
    "boundary_y": (lambda p: viz.plot_decision_boundary(lambda g: g[:, 0] > 0, np.zeros((5, 2)), np.zeros(4), p),
                   r"\(N,\) = \(5,\)"),
    "boundary_pred_shape": (
        lambda p: viz.plot_decision_boundary(lambda g: np.zeros((len(g), 2)), np.zeros((5, 2)), np.zeros(5), p,
                                             resolution=10), r"\(M,\) = \(100,\)"),
    "boundary_pred_prob": (
        lambda p: viz.plot_decision_boundary(lambda g: np.full(len(g), 0.7), np.zeros((5, 2)), np.zeros(5), p,
                                             resolution=10), "정수 class"),
    "scatter_mismatch": (lambda p: viz.plot_prediction_scatter(np.zeros(5), np.zeros(4), p), r"\(N,\)"),
    "weights_2d": (lambda p: viz.plot_weight_grid(np.zeros((64, 10)), p), r"\(K, H, W\)"),
    "weights_4ch": (lambda p: viz.plot_weight_grid(np.zeros((8, 4, 3, 3)), p), r"\(K, C, H, W\)"),
    "feature_maps_4d": (lambda p: viz.plot_feature_maps(np.zeros((1, 4, 6, 6)), p), r"\(C, H, W\)"),
    "attention_3d": (lambda p: viz.plot_attention(np.zeros((2, 4, 4)), p), r"\(Tq, Tk\)"),
    "attention_labels": (lambda p: viz.plot_attention(np.zeros((2, 3)), p, x_labels=["a", "b"]), "Tk = 3"),
    "latent_z": (lambda p: viz.plot_latent_scatter(np.zeros((5, 3)), np.zeros(5, dtype=int), p), r"\(N, 2\)"),
    "latent_labels": (lambda p: viz.plot_latent_scatter(np.zeros((5, 2)), np.zeros(6, dtype=int), p),
                      r"\(N,\) = \(5,\)"),
    "latent_grid_count": (lambda p: viz.plot_latent_grid(lambda z: np.zeros((3, 4, 4)), p, n=4), r"\(N=16, H, W\)"),
    "latent_grid_span": (lambda p: viz.plot_latent_grid(lambda z: np.zeros((len(z), 4, 4)), p, span=0.0), "span"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_raises_value_error_naming_expected_shape(tmp_path, name):
    call, pattern = BAD_INPUTS[name]
    with pytest.raises(ValueError, match=pattern):
        call(tmp_path / "bad.png")
    assert list(tmp_path.iterdir()) == []


def test_save_figure_refuses_non_figure(tmp_path):
    with pytest.raises(TypeError, match="Figure"):
        viz.save_figure(np.zeros((4, 4)), tmp_path / "a.png")


def test_plot_misclassified_draws_only_wrong_examples(tmp_path):
    images = np.zeros((5, 1, 8, 8))
    y_true, y_pred = np.array([0, 1, 2, 3, 4]), np.array([0, 9, 2, 8, 4])
    path = viz.plot_misclassified(images, y_true, y_pred, tmp_path / "wrong.png")
    assert path == tmp_path / "wrong.png" and read_png(path).shape[0] > 20
    assert viz.plot_misclassified(images, y_true, y_true, tmp_path / "none.png") is None
    assert not (tmp_path / "none.png").exists()
    with pytest.raises(ValueError, match=r"\(N,\)"):
        viz.plot_misclassified(images, y_true[:3], y_pred[:3], tmp_path / "bad.png")


def test_importing_the_module_leaves_matplotlib_global_settings_alone():
    import subprocess
    import sys
    from pathlib import Path

    code = ("import matplotlib; before = dict(matplotlib.rcParams); import utils.visualization; "
            "print([k for k, v in before.items() if matplotlib.rcParams[k] != v])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "[]"
