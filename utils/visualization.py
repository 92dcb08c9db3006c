"""모든 장이 함께 쓰는 그림 도구: 학습 곡선, 이미지 grid, 결정 경계, attention, 잠재 공간.

규약 (docs/00_Design.md):
- 모든 `plot_*` 함수는 PNG 하나를 `path`에 저장하고, figure를 닫고, 저장한 `Path`를 돌려준다.
- 저장은 `utils.core.atomic_path`로 한다: 임시 파일에 쓰고 성공했을 때만 `path`로 바꿔 넣으므로,
  도중에 실패해도 반쯤 쓰인 PNG가 남지 않는다.
- 잘못된 입력은 기대하는 shape을 적은 `ValueError`로 거절한다.
- 한글 font는 한 곳에서 정하고 한 곳에서 씌운다: `_korean_rc()`가 (처음 한 번) NanumGothic을 등록하고 설정을
  돌려주며, `save_figure`가 저장할 때 그 설정을 씌운다. 그래서 `plot_*` 함수도, 장의 스크립트가 `plt.subplots`로
  직접 그린 그림도 `save_figure`에 넘기기만 하면 한글이 보인다. import만으로는 matplotlib의 전역 상태(rcParams,
  backend, font 목록)를 바꾸지 않는다. 화면이 없는 서버·CI에서는 matplotlib이 스스로 Agg backend를 고른다.
- font 목록은 [DejaVu Sans, NanumGothic]이다 (NanumGothic은 `koreanize-matplotlib`이 들고 온다): 숫자·기호(−, ², →)는
  DejaVu Sans로, 한글은 NanumGothic으로 그려지고, log 축 눈금처럼 mathtext가 첫 font만 쓰는 곳에서도 음수 부호
  (U+2212)가 네모로 깨지지 않는다.
- torch tensor를 받아도 된다: `.detach().cpu()`를 거쳐 NumPy 배열로 바꾼다 (torch를 import하지는 않는다).

    from utils.visualization import plot_curves
    plot_curves(history.to_dict(), out / "loss.png", title="MLP 학습 곡선")
"""
from __future__ import annotations

import functools
import importlib.machinery
import math
import warnings
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from utils.core import atomic_path, check_positive_int

DPI = 100
FALLBACK_FONT = "DejaVu Sans"  # matplotlib에 늘 들어 있는 font: 한글 font에 없는 기호를 대신 그린다.
UNIT_RANGE_TOL = 1e-3  # 이미지 값이 [0, 1]을 이만큼까지 벗어나는 것은 float 오차로 보고 잘라낸다.


# ---------------------------------------------------------------------------
# 한글 font
# ---------------------------------------------------------------------------
def _korean_font_file() -> Path | None:
    """koreanize-matplotlib 패키지에 든 NanumGothic.ttf의 경로 (없으면 None).

    `import koreanize_matplotlib`은 그 자체로 font를 등록하고 전역 rcParams를 바꾸므로 import하지 않는다:
    설치 폴더를 찾기만 하고(`find_spec`은 모듈을 실행하지 않는다) font 파일을 직접 등록한다.
    """
    spec = importlib.machinery.PathFinder.find_spec("koreanize_matplotlib")  # sys.path에서 찾기만, 실행은 안 함
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / "fonts" / "NanumGothic.ttf"
        if candidate.is_file():
            return candidate
    return None


@functools.cache
def _korean_rc() -> Mapping:
    """한글 font 설정: 이 모듈에서 font를 정하는 **유일한** 곳. 처음 부를 때 한 번만 실행된다 (cache).

    koreanize-matplotlib의 NanumGothic을 matplotlib의 font 목록에 등록하고, 그림에 씌울 rcParams를 읽기 전용
    mapping으로 돌려준다. 전역 rcParams는 바꾸지 않는다: 씌우는 곳은 `save_figure` 하나다.
    font를 찾지 못하면 경고 한 번을 내고 `axes.unicode_minus`만 담는다.
    """
    rc = {"axes.unicode_minus": False}
    font_file = _korean_font_file()
    if font_file is None:
        warnings.warn(
            "한글 font(koreanize-matplotlib)를 찾지 못했습니다: 그림의 한글이 네모로 보일 수 있습니다. "
            "`pip install koreanize-matplotlib`으로 설치하세요.",
            stacklevel=2,
        )
    else:
        font_manager.fontManager.addfont(str(font_file))
        name = font_manager.FontProperties(fname=str(font_file)).get_name()  # "NanumGothic"
        # DejaVu Sans를 먼저, NanumGothic을 다음에 둔다: matplotlib은 글자마다 목록에서 glyph가 있는 첫 font를
        # 쓰므로 한글은 NanumGothic으로, 숫자·기호(−, ², →)는 DejaVu Sans로 그린다. 반대 순서면 log 축 눈금의
        # `$\mathdefault{10^{-2}}$`처럼 mathtext가 첫 font만 쓰는 곳에서 음수 부호(U+2212)가 네모로 깨진다.
        rc["font.family"] = (FALLBACK_FONT, name)
    return MappingProxyType(rc)


def _apply_korean_font(fig, rc: Mapping) -> None:
    """이미 만든 글자(제목, 축 이름, 눈금, 범례) 가운데 기본 font로 만든 것만 `rc`의 font 목록으로 바꾼다.

    글자의 font는 Text를 만들 때의 rcParams로 정해지므로, 그림을 그린 뒤 저장하기 직전에 한 번 바꾼다.
    사용자가 직접 font를 정한 글자는 그대로 둔다. 한글 font를 찾지 못했으면(목록이 없으면) 아무것도 하지 않는다.
    """
    family = rc.get("font.family")
    if family is None:
        return
    default = list(plt.rcParamsDefault["font.family"])
    for text in fig.findobj(Text):
        if list(text.get_fontfamily()) == default:
            text.set_fontfamily(list(family))


# ---------------------------------------------------------------------------
# 입력 정리: torch tensor → NumPy, shape 검사
# ---------------------------------------------------------------------------
def _to_numpy(x) -> np.ndarray:
    """torch tensor(grad가 있거나 GPU에 있어도)와 list를 NumPy 배열로 바꾼다."""
    if hasattr(x, "detach"):
        x = x.detach()
    if hasattr(x, "cpu"):
        x = x.cpu()
    return np.asarray(x)


def _check_finite(array: np.ndarray, name: str) -> None:
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}에 NaN이나 inf가 있습니다: 유한한 값만 그릴 수 있습니다")


def _check_unit_range(array: np.ndarray, name: str) -> np.ndarray:
    """[0, 1] 범위의 이미지만 받는다. 정규화된(mean/std) 입력을 조용히 잘라 보여 주지 않기 위해서다."""
    _check_finite(array, name)
    lo, hi = float(array.min()), float(array.max())
    if lo < -UNIT_RANGE_TOL or hi > 1 + UNIT_RANGE_TOL:
        raise ValueError(
            f"{name}의 값은 [0, 1] 범위여야 합니다: 받은 범위 [{lo:.3g}, {hi:.3g}]. "
            "정규화(mean/std)를 되돌리거나 tanh 출력이면 (x + 1) / 2로 바꾸세요"
        )
    return np.clip(array, 0.0, 1.0)


def _check_integer_values(array: np.ndarray, name: str) -> np.ndarray:
    """정수 class label만 받는다 (0.0, 1.0 같은 정수 값의 float는 괜찮다)."""
    if array.dtype == bool:
        return array.astype(np.int64)
    if not np.issubdtype(array.dtype, np.number) or not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
        raise ValueError(f"{name}는 정수 class label이어야 합니다 (확률이나 logit이라면 argmax나 > 0.5로 바꾸세요)")
    return array.astype(np.int64)


def _as_images(images, name: str, n_expected: int | None = None) -> np.ndarray:
    """(N,H,W) · (N,1,H,W) · (N,3,H,W)를 받아 imshow가 바로 쓰는 (N,H,W) 또는 (N,H,W,3)으로 바꾼다."""
    array = _to_numpy(images).astype(np.float64)
    n_text = "N" if n_expected is None else f"N={n_expected}"
    expected = f"({n_text}, H, W), ({n_text}, 1, H, W) 또는 ({n_text}, 3, H, W)"
    ok = array.ndim == 3 or (array.ndim == 4 and array.shape[1] in (1, 3))
    if not ok or array.shape[0] == 0 or (n_expected is not None and array.shape[0] != n_expected):
        raise ValueError(f"{name}는 shape {expected}이어야 합니다: 받은 shape {array.shape}")
    if array.ndim == 4 and array.shape[1] == 1:
        array = array[:, 0]                                   # (N, H, W)
    elif array.ndim == 4:
        array = array.transpose(0, 2, 3, 1)                   # (N, 3, H, W) -> (N, H, W, 3)
    return array


def _minmax_per_tile(tiles: np.ndarray) -> np.ndarray:
    """tile마다 따로 [0, 1]로 늘린다: (x − min) / (max − min). 값이 모두 같은 tile은 0.5(회색)."""
    axes = tuple(range(1, tiles.ndim))                       # N을 뺀 모든 축
    lo = tiles.min(axis=axes, keepdims=True)
    span = tiles.max(axis=axes, keepdims=True) - lo
    flat = span == 0
    return np.where(flat, 0.5, (tiles - lo) / np.where(flat, 1.0, span))


def _tile_axes(n: int, ncols: int, title: str, tile_inches: float = 1.2):
    """n개의 tile을 놓을 subplot grid. 빈 칸과 축 눈금은 끈다. (fig, 앞쪽 n개의 axes)를 돌려준다."""
    ncols = min(check_positive_int("ncols", ncols), n)
    nrows = math.ceil(n / ncols)
    figsize = (max(2.5, ncols * tile_inches), nrows * tile_inches + (0.4 if title else 0.0))
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, layout="constrained")
    for ax in axes.flat:
        ax.axis("off")
    if title:
        fig.suptitle(title)
    return fig, list(axes.flat[:n])


def _plot_tiles(tiles: np.ndarray, path, title: str, ncols: int, cmap: str, labels=None) -> Path:
    """(N,H,W) 또는 (N,H,W,3), 값은 [0, 1]인 tile들을 grid로 그려 저장한다."""
    n = tiles.shape[0]
    if labels is not None and len(labels) != n:
        raise ValueError(f"labels는 이미지 수와 같은 길이 {n}의 list여야 합니다: 받은 길이 {len(labels)}")
    fig, axes = _tile_axes(n, ncols, title)
    for i, ax in enumerate(axes):
        ax.imshow(tiles[i], cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
        if labels is not None:
            ax.set_title(str(labels[i]), fontsize=8)
    return save_figure(fig, path)


# ---------------------------------------------------------------------------
# 저장
# ---------------------------------------------------------------------------
def save_figure(fig, path) -> Path:
    """figure를 한글 font로 PNG에 원자적으로 저장하고 닫는다. 저장에 실패해도 figure는 닫히고 `path`는 그대로다.

    font를 씌우는 곳은 여기 하나다: 기본 font로 만든 글자를 `_korean_rc()`의 font 목록으로 바꾸고, 저장하는 동안만
    `_korean_rc()`를 `plt.rc_context`로 씌운다 (그리는 중에 새로 생기는 눈금 글자와 음수 부호도 같은 설정을 쓴다).
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig는 matplotlib Figure여야 합니다: 받은 {type(fig).__name__}")
    path = Path(path)
    rc = _korean_rc()
    try:
        if path.suffix.lower() != ".png":
            raise ValueError(f"PNG로만 저장합니다: path는 .png로 끝나야 합니다 (받은 {path})")
        with plt.rc_context(rc), atomic_path(path) as tmp:
            _apply_korean_font(fig, rc)
            fig.savefig(tmp, format="png", dpi=DPI, bbox_inches="tight")
    finally:
        plt.close(fig)
    return path


# ---------------------------------------------------------------------------
# 학습 곡선 · 회귀
# ---------------------------------------------------------------------------
def plot_curves(curves: dict[str, list[float]], path, title="학습 곡선", xlabel="epoch", ylabel="loss",
                logy=False) -> Path:
    """이름 붙은 곡선 여러 개를 한 축에 그린다: {"train_loss": [...], "test_loss": [...]}.

    x축은 1부터 센다(첫 epoch = 1). 곡선마다 길이가 달라도 된다. `logy=True`면 y축을 log scale로 그린다.
    """
    if not isinstance(curves, Mapping) or len(curves) == 0:
        raise ValueError("curves는 {이름: shape (T,)의 값 list} 형태의 비어 있지 않은 dict여야 합니다")
    series = {}
    for name, values in curves.items():
        values = _to_numpy(values).astype(np.float64)
        if values.ndim != 1 or values.size == 0:
            raise ValueError(f"curves[{name!r}]는 shape (T,) (T ≥ 1)인 1차원 값이어야 합니다: "
                             f"받은 shape {values.shape}")
        if logy and np.any(values[np.isfinite(values)] <= 0):
            raise ValueError(f"logy=True에는 양수 값만 그릴 수 있습니다: curves[{name!r}]에 0 이하의 값이 있습니다")
        series[str(name)] = values

    fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    for name, values in series.items():
        epochs = np.arange(1, len(values) + 1)
        ax.plot(epochs, values, label=name, marker="o" if len(values) <= 30 else None, markersize=3)
    if logy:
        ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.grid(True, alpha=0.3)
    ax.legend()
    return save_figure(fig, path)


def plot_prediction_scatter(y_true, y_pred, path, title="예측 vs 실제") -> Path:
    """회귀의 예측값과 실제값 산점도. 점이 y = x 선에 가까울수록 좋은 예측이다. R²와 RMSE를 함께 적는다."""
    t = _to_numpy(y_true).astype(np.float64)
    p = _to_numpy(y_pred).astype(np.float64)
    t = t[:, 0] if t.ndim == 2 and t.shape[1] == 1 else t     # (N, 1) -> (N,)
    p = p[:, 0] if p.ndim == 2 and p.shape[1] == 1 else p
    if t.ndim != 1 or t.size == 0 or p.shape != t.shape:
        raise ValueError(
            f"y_true와 y_pred는 같은 shape (N,) (또는 (N, 1))이어야 합니다: 받은 shape {t.shape}, {p.shape}"
        )
    _check_finite(t, "y_true")
    _check_finite(p, "y_pred")
    rmse = float(np.sqrt(np.mean((p - t) ** 2)))
    ss_tot = float(np.sum((t - t.mean()) ** 2))
    r2 = 1.0 - float(np.sum((t - p) ** 2)) / ss_tot if ss_tot > 0 else float("nan")

    fig, ax = plt.subplots(figsize=(5, 5), layout="constrained")
    ax.scatter(t, p, s=14, alpha=0.6, edgecolors="none")
    lo, hi = float(min(t.min(), p.min())), float(max(t.max(), p.max()))
    ax.plot([lo, hi], [lo, hi], "k--", linewidth=1, label="y = x")
    ax.text(0.04, 0.96, f"$R^2$ = {r2:.3f}\nRMSE = {rmse:.3g}", transform=ax.transAxes, va="top",
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "0.7"})
    ax.set(title=title, xlabel="실제값 (y_true)", ylabel="예측값 (y_pred)")
    ax.set_aspect("equal", adjustable="datalim")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right")
    return save_figure(fig, path)


# ---------------------------------------------------------------------------
# 이미지 · 가중치 · feature map
# ---------------------------------------------------------------------------
def plot_image_grid(images, path, labels=None, title="", ncols=8, cmap="gray") -> Path:
    """이미지 N장을 grid로. images: (N,H,W), (N,1,H,W) 또는 (N,3,H,W), 값은 [0, 1].

    labels를 주면(길이 N의 str list) 각 tile 위에 적는다. 예: "정답 3 / 예측 8". RGB에는 cmap이 쓰이지 않는다.
    """
    tiles = _check_unit_range(_as_images(images, "images"), "images")
    return _plot_tiles(tiles, path, title, ncols, cmap, labels)


def plot_misclassified(images, y_true, y_pred, path, limit: int = 32) -> Path | None:
    """틀린 예제의 앞쪽 `limit`개를 "정답 / 예측" 라벨과 함께 grid로. 틀린 것이 없으면 그리지 않고 None.

    images: (N, ...) `plot_image_grid`가 받는 형식, y_true·y_pred: (N,) 정수 label.
    """
    y_true, y_pred = np.asarray(_to_numpy(y_true)), np.asarray(_to_numpy(y_pred))
    if y_true.shape != y_pred.shape or y_true.ndim != 1 or len(y_true) != len(images):
        raise ValueError(f"y_true, y_pred는 images와 길이가 같은 (N,) 배열이어야 합니다: "
                         f"{y_true.shape}, {y_pred.shape}, N={len(images)}")
    wrong_all = np.flatnonzero(y_pred != y_true)
    wrong = wrong_all[:limit]
    if len(wrong) == 0:
        return None
    labels = [f"정답 {y_true[i]} / 예측 {y_pred[i]}" for i in wrong]
    return plot_image_grid(_to_numpy(images)[wrong], path, labels=labels,
                           title=f"틀린 test 예제 ({len(wrong_all)}개 중 앞의 {len(wrong)}개)")


def plot_weight_grid(weights, path, title="가중치", ncols=8) -> Path:
    """가중치를 tile로. weights: (K,H,W) 또는 (K,C,H,W), C = 1 또는 3.

    tile마다 따로 min-max 정규화하므로 크기가 다른 filter도 모양이 보인다(밝을수록 큰 값).
    예: softmax regression의 W (64, 10)를 `W.T.reshape(10, 8, 8)`로, conv1 weight (out, in, kH, kW)를 그대로.
    """
    array = _to_numpy(weights).astype(np.float64)
    ok = array.ndim == 3 or (array.ndim == 4 and array.shape[1] in (1, 3))
    if not ok or array.shape[0] == 0:
        raise ValueError(f"weights는 shape (K, H, W) 또는 (K, C, H, W) (C = 1 또는 3)이어야 합니다: "
                         f"받은 shape {array.shape}")
    _check_finite(array, "weights")
    tiles = _minmax_per_tile(_as_images(array, "weights"))
    return _plot_tiles(tiles, path, title, ncols, "gray")


def plot_feature_maps(maps, path, title="feature maps", ncols=8) -> Path:
    """한 입력의 feature map들을 channel별 tile로. maps: (C,H,W). tile마다 따로 min-max 정규화한다."""
    array = _to_numpy(maps).astype(np.float64)
    if array.ndim != 3 or array.shape[0] == 0:
        hint = " (배치 하나를 고르려면 maps[0])" if array.ndim == 4 else ""
        raise ValueError(f"maps는 shape (C, H, W)이어야 합니다{hint}: 받은 shape {array.shape}")
    _check_finite(array, "maps")
    labels = [f"ch {c}" for c in range(array.shape[0])]
    return _plot_tiles(_minmax_per_tile(array), path, title, ncols, "viridis", labels)


# ---------------------------------------------------------------------------
# 분류 · attention · 잠재 공간
# ---------------------------------------------------------------------------
def _class_colors(k: int) -> ListedColormap:
    """class 번호(0..k-1) i → tab10의 i번째 색. contour와 scatter가 같은 색을 쓰게 한다."""
    tab10 = plt.get_cmap("tab10")
    return ListedColormap([tab10(i % 10) for i in range(k)])


def plot_decision_boundary(predict_fn, X, y, path, title="결정 경계", feature_names=("x1", "x2"),
                           resolution=200) -> Path:
    """2차원 분류기의 결정 경계: 격자 위 예측 class를 색으로 칠하고, 데이터 점을 정답 y의 색으로 찍는다.

    predict_fn: (M, 2) float64 배열 → (M,) 정수 class 예측. 격자는 데이터 범위보다 10% 넓고
    resolution × resolution 점이다 (M = resolution²).
    """
    X = _to_numpy(X).astype(np.float64)
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] == 0:
        raise ValueError(f"X는 shape (N, 2)이어야 합니다: 받은 shape {X.shape}")
    _check_finite(X, "X")
    y = _to_numpy(y)
    if y.shape != (X.shape[0],):
        raise ValueError(f"y는 shape (N,) = ({X.shape[0]},)이어야 합니다: 받은 shape {y.shape}")
    y = _check_integer_values(y, "y")
    resolution = check_positive_int("resolution", resolution, minimum=2)
    if len(feature_names) != 2:
        raise ValueError(f"feature_names는 이름 2개여야 합니다: 받은 {feature_names!r}")

    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = np.where(hi > lo, 0.1 * (hi - lo), 1.0)                # 점이 하나뿐이어도 격자가 생기게
    g1 = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    g2 = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    xx, yy = np.meshgrid(g1, g2)                                # (R, R) 둘 다
    grid = np.column_stack([xx.ravel(), yy.ravel()])            # (M, 2), M = R²
    m = grid.shape[0]
    pred = _to_numpy(predict_fn(grid))
    if pred.shape not in ((m,), (m, 1)):
        raise ValueError(f"predict_fn은 shape (M,) = ({m},)의 class 예측을 돌려줘야 합니다: 받은 shape {pred.shape}")
    pred = _check_integer_values(pred.reshape(m), "predict_fn의 출력")

    classes = np.union1d(pred, y)                               # 색 번호 i ↔ class 값 classes[i]
    colors = _class_colors(len(classes))
    zz = np.searchsorted(classes, pred).reshape(xx.shape)       # (R, R) 색 번호

    fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
    ax.contourf(xx, yy, zz, levels=np.arange(len(classes) + 1) - 0.5, cmap=colors, alpha=0.35)
    ax.scatter(X[:, 0], X[:, 1], c=colors(np.searchsorted(classes, y)), s=18, edgecolors="k", linewidths=0.5)
    for i, c in enumerate(classes):
        ax.scatter([], [], color=colors(i), edgecolors="k", linewidths=0.5, label=f"class {c}")
    ax.set(title=title, xlabel=feature_names[0], ylabel=feature_names[1])
    ax.set_xlim(g1[0], g1[-1])
    ax.set_ylim(g2[0], g2[-1])
    ax.legend(loc="best", fontsize=8)
    return save_figure(fig, path)


def plot_attention(weights, path, title="attention", x_labels=None, y_labels=None) -> Path:
    """attention weight heatmap. weights: (Tq, Tk), 행 = query, 열 = key. 색 막대(colorbar)를 붙인다.

    x_labels(길이 Tk, key 쪽 token)와 y_labels(길이 Tq, query 쪽 token)를 주면 눈금에 적는다.
    head가 여럿이면 하나씩: `plot_attention(attn[0, h], ...)`.
    """
    w = _to_numpy(weights).astype(np.float64)
    if w.ndim != 2 or 0 in w.shape:
        raise ValueError(f"weights는 shape (Tq, Tk)이어야 합니다 (head 하나, 배치 하나): 받은 shape {w.shape}")
    _check_finite(w, "weights")
    tq, tk = w.shape
    if x_labels is not None and len(x_labels) != tk:
        raise ValueError(f"x_labels는 key 수 Tk = {tk}와 같은 길이여야 합니다: 받은 길이 {len(x_labels)}")
    if y_labels is not None and len(y_labels) != tq:
        raise ValueError(f"y_labels는 query 수 Tq = {tq}와 같은 길이여야 합니다: 받은 길이 {len(y_labels)}")

    figsize = (min(12.0, max(4.0, 1.5 + 0.35 * tk)), min(12.0, max(3.5, 1.0 + 0.35 * tq)))
    fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    image = ax.imshow(w, cmap="viridis", aspect="auto", interpolation="nearest")
    fig.colorbar(image, ax=ax)
    if x_labels is not None:
        x_labels = [str(s) for s in x_labels]
        crowded = tk > 8 or max(len(s) for s in x_labels) > 4        # 길거나 많으면 세워서 겹치지 않게
        ax.set_xticks(range(tk), x_labels, rotation=90 if crowded else 0)
    if y_labels is not None:
        ax.set_yticks(range(tq), [str(s) for s in y_labels])
    ax.set(title=title, xlabel="key", ylabel="query")
    return save_figure(fig, path)


def plot_latent_scatter(z, labels, path, title="잠재 공간") -> Path:
    """2차원 잠재 벡터 z (N, 2)의 산점도를 정수 label (N,)로 색칠한다.

    class가 10개 이하면 class마다 색과 범례(legend)를, 더 많으면 연속 colormap과 colorbar를 쓴다.
    """
    z = _to_numpy(z).astype(np.float64)
    if z.ndim != 2 or z.shape[1] != 2 or z.shape[0] == 0:
        raise ValueError(f"z는 shape (N, 2)이어야 합니다: 받은 shape {z.shape}")
    _check_finite(z, "z")
    labels = _to_numpy(labels)
    if labels.shape != (z.shape[0],):
        raise ValueError(f"labels는 shape (N,) = ({z.shape[0]},)이어야 합니다: 받은 shape {labels.shape}")
    labels = _check_integer_values(labels, "labels")
    classes = np.unique(labels)

    fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
    if len(classes) <= 10:
        colors = _class_colors(len(classes))
        for i, c in enumerate(classes):
            mask = labels == c
            ax.scatter(z[mask, 0], z[mask, 1], s=8, alpha=0.7, color=colors(i), label=str(c))
        ax.legend(title="label", fontsize=8, markerscale=2)
    else:
        points = ax.scatter(z[:, 0], z[:, 1], c=labels, s=8, alpha=0.7, cmap="viridis")
        fig.colorbar(points, ax=ax, label="label")
    ax.set(title=title, xlabel="z1", ylabel="z2")
    ax.grid(True, alpha=0.3)
    return save_figure(fig, path)


def plot_latent_grid(decode_fn, path, n=15, span=3.0, title="잠재 공간 manifold") -> Path:
    """2차원 잠재 공간 [-span, span]² 위 n × n 격자점을 decode해 한 장의 그림으로 이어 붙인다 (VAE manifold).

    decode_fn: (n·n, 2) float32 배열 → (n·n, H, W) 또는 (n·n, 1, H, W) 이미지, 값은 [0, 1].
    점의 순서는 행 우선(row-major)이다: 왼쪽→오른쪽으로 z1이 커지고, 위→아래로 z2가 작아진다
    (그림의 위쪽이 z2 = +span). 축 눈금은 잠재 좌표다.
    """
    n = check_positive_int("n", n)
    if not (isinstance(span, (int, float, np.number)) and math.isfinite(span) and span > 0):
        raise ValueError(f"span은 양수여야 합니다: 받은 값 {span!r}")
    axis = np.linspace(-span, span, n)
    z1, z2 = np.meshgrid(axis, axis[::-1])                      # (n, n): [행, 열] = [z2 큰 것부터, z1 작은 것부터]
    z = np.column_stack([z1.ravel(), z2.ravel()]).astype(np.float32)  # (n·n, 2)
    images = _as_images(decode_fn(z), "decode_fn의 출력", n_expected=n * n)
    if images.ndim != 3:
        raise ValueError("decode_fn의 출력은 흑백 (n·n, H, W) 또는 (n·n, 1, H, W)이어야 합니다: "
                         "RGB는 지원하지 않습니다")
    images = _check_unit_range(images, "decode_fn의 출력")
    h, w = images.shape[1:]
    mosaic = images.reshape(n, n, h, w).transpose(0, 2, 1, 3).reshape(n * h, n * w)  # (n, n, H, W) -> (n·H, n·W)

    half = span / (n - 1) if n > 1 else span                    # tile 중심이 격자점에 오도록 반 칸 넓힌다
    fig, ax = plt.subplots(figsize=(7, 7), layout="constrained")
    ax.imshow(mosaic, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest",
              extent=(-span - half, span + half, -span - half, span + half))
    ax.set(title=title, xlabel="z1", ylabel="z2")
    return save_figure(fig, path)
