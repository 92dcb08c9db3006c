"""`save_rollout`이 그리는 지도를 답을 아는 rollout에서 본다: [CLS] 행에서 (행 r, 열 c) patch의 몫이 그림의 (r, c)에
놓인다 (행/열을 바꿔 읽거나 격자를 전치하면 다른 칸이 밝아진다)."""
import numpy as np
import torch
from matplotlib.axes import Axes

from .vit_analysis import save_rollout


def test_saved_rollout_panels_put_patch_r_c_at_pixel_r_c(tmp_path, monkeypatch):
    shown = []
    original = Axes.imshow

    def recording(self, data, *args, **kwargs):
        shown.append(np.asarray(data))
        return original(self, data, *args, **kwargs)

    monkeypatch.setattr(Axes, "imshow", recording)
    g, T = 3, 10
    R = torch.full((1, T, T), 0.01)
    R[0, 0, 1 + 1 * g + 2] = 1.0                                       # [CLS] 행: 격자 (1, 2)
    R[0, 2 + 2 * g, 0] = 5.0                                           # 열 0 (다른 token → [CLS]): 그리면 안 된다
    x = torch.zeros(1, 3, 12, 12)
    save_rollout(x, {"ours": R, "timm": R}, g, tmp_path / "rollout.png")
    maps = [m for m in shown if m.shape == (g, g)]
    assert len(maps) == 2
    for m in maps:
        assert np.unravel_index(np.argmax(m), m.shape) == (1, 2)
        assert m.max() == 1.0                                          # 최댓값 1로 나눈 지도
    assert (tmp_path / "rollout.png").exists()
