"""짝(twin)끼리 나란히 재는 도구와, 결과 한 줄(row)의 모양.

시간 하나만으로는 아무것도 말할 수 없다: 기계, thread 수, 그때의 부하에 따라 두 배씩 달라진다. 그래서 이 모음의
모든 줄은 "a의 시간 / b의 시간" 비율이다. a와 b는 같은 실행 안에서 **번갈아** 잰다 (round마다 순서를 뒤집는다):
부하가 도중에 바뀌어도 두 쪽이 같은 몫을 받는다 (`utils.benchmark.interleaved_times`).

한 줄(row)에 남기는 값:
    ratio       a 중앙값 / b 중앙값 (1보다 작으면 a가 빠르다)
    ratio_min,  round별 비율 a_i / b_i의 최솟값과 최댓값 — 같은 round에서 잰 쌍이므로 흔들림의 폭을 보여 준다.
    ratio_max   (장의 벤치마크가 표본을 돌려주지 않으면 None: 표에는 "—")
    a_ms, b_ms  두 쪽의 중앙값 (ms) — 비율과 함께만 적는다.
"""
from __future__ import annotations

import numpy as np


def make_row(group: str, name: str, a: str, b: str, a_times, b_times, **extra) -> dict:
    """a와 b의 표본(초)에서 한 줄을 만든다: 중앙값 비율과 round별 비율의 min·max."""
    a_t, b_t = np.asarray(a_times, dtype=float), np.asarray(b_times, dtype=float)
    if a_t.size == 0 or b_t.size == 0:
        raise ValueError(f"{group} {name}: 표본이 비어 있습니다")
    row = {"group": group, "name": name, "a": a, "b": b,
           "a_ms": float(np.median(a_t)) * 1e3, "b_ms": float(np.median(b_t)) * 1e3,
           "ratio": float(np.median(a_t) / np.median(b_t)), "ratio_min": None, "ratio_max": None,
           "repeats": int(min(a_t.size, b_t.size))}
    if a_t.size == b_t.size and a_t.size > 1:
        per_round = a_t / b_t
        row["ratio_min"], row["ratio_max"] = float(per_round.min()), float(per_round.max())
    row.update(extra)
    return row


def row_from_medians(group: str, name: str, a: str, b: str, a_s: float, b_s: float, **extra) -> dict:
    """표본 없이 두 중앙값(초)만 있을 때의 한 줄 (ratio_min·ratio_max는 None)."""
    return make_row(group, name, a, b, [a_s], [b_s], **extra)


class Recorder:
    """`utils.benchmark.recording()`이 모은 (중앙값, 표본) 기록에서 중앙값으로 표본을 찾는다.

    장의 벤치마크는 중앙값(과 min·max)만 돌려준다. 돌려받은 중앙값과 같은 기록을 찾으면 회마다의 표본이 나오고,
    같은 회에서 잰 두 twin의 비율 범위를 계산할 수 있다 (`make_row`).
    """

    def __init__(self, records: list[tuple[float, list[float]]]):
        self.records = records

    def samples(self, median_s: float) -> list[float]:
        """중앙값이 median_s(초)인 기록의 표본. 못 찾으면 [median_s] 하나 (범위 없음)."""
        for median, times in self.records:
            if np.isclose(median, median_s, rtol=1e-9, atol=0.0):
                return times
        return [median_s]
