"""utils.core 검증: 원자적 쓰기, 데이터 검사, thread 제한, 그리고 utils의 층 구조(import cycle 없음)."""
import ast
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from .core import Timer, atomic_path, check_finite, check_positive_int, limit_threads, write_json

UTILS = Path(__file__).resolve().parent


def test_atomic_path_leaves_nothing_half_written(tmp_path):
    target = tmp_path / "result.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("중간에 실패")
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]
    write_json(target, {"값": np.float64(1.5), "n": np.int64(2), "a": np.arange(2)})
    assert json.loads(target.read_text(encoding="utf-8")) == {"값": 1.5, "n": 2, "a": [0, 1]}
    assert target.stat().st_mode & 0o777 == 0o644


def test_check_finite_names_the_array():
    check_finite(X=np.ones(3), y=torch.zeros(2))
    with pytest.raises(ValueError, match="X_train.*NaN"):
        check_finite(X_train=np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match="숫자"):
        check_finite(X=np.array(["a"]))


@pytest.mark.parametrize("value", [0, -1, 2.0, True, "3", None])
def test_check_positive_int_refuses_with_the_name(value):
    with pytest.raises(ValueError, match="n_train"):
        check_positive_int("n_train", value)


def test_check_positive_int_accepts_and_returns_int():
    assert check_positive_int("n", np.int64(3)) == 3 and type(check_positive_int("n", np.int64(3))) is int
    assert check_positive_int("n", 0, minimum=0) == 0


def test_timer_measures_the_block():
    with Timer() as t:
        sum(range(1000))
    assert t.seconds > 0


def test_limit_threads_applies_inside_and_restores():
    from threadpoolctl import threadpool_info

    outside = torch.get_num_threads()
    with limit_threads(None):
        assert torch.get_num_threads() == outside                 # None이면 그대로
    torch.set_num_threads(2)
    try:
        with limit_threads(1):
            assert torch.get_num_threads() == 1
            assert all(pool["num_threads"] == 1 for pool in threadpool_info())
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(outside)


# ---------------------------------------------------------------------------------------------------------
# 층 구조: utils 안의 import 그래프에 cycle이 없다 (함수 안의 import도 센다)
# ---------------------------------------------------------------------------------------------------------

def utils_modules() -> dict[str, Path]:
    """"utils.core" → 파일 경로. 테스트 파일은 뺀다."""
    modules = {}
    for path in UTILS.rglob("*.py"):
        if path.name.startswith("test_"):
            continue
        parts = path.relative_to(UTILS.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def import_graph() -> dict[str, set[str]]:
    """모듈 → 그 모듈이 (어디서든) import하는 utils 모듈들."""
    modules = utils_modules()
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + [base]).strip(".")
                submodules = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules]
                # `from utils.datasets import images`는 모듈 images에 기댄다; 이름을 가져올 때만 base 자신에 기댄다
                found = submodules + ([base] if len(submodules) < len(node.names) else [])
            else:
                continue
            targets |= {f for f in found if f in modules and f != name}
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """깊이 우선 탐색으로 cycle 하나를 찾는다 (없으면 None)."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_detects_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_utils_import_graph_has_no_cycle():
    graph = import_graph()
    assert {"utils.core", "utils.cli", "utils.training", "utils.datasets.registry"} <= set(graph)
    assert find_cycle(graph) is None, f"utils 안에 import cycle이 있습니다: {' → '.join(find_cycle(graph))}"


def test_core_is_the_leaf():
    graph = import_graph()
    assert graph["utils.core"] == set(), f"utils.core는 utils의 다른 모듈을 import하지 않습니다: {graph['utils.core']}"
    assert "utils.core" in graph["utils.datasets.registry"] and "utils.core" in graph["utils.visualization"]
