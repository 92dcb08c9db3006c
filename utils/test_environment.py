"""환경 파일들이 서로 맞는지: requirements.txt의 범위, constraints.txt의 고정 버전, pyproject.toml, .ci/run."""
import importlib
import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent

if sys.version_info >= (3, 11):
    import tomllib
else:                                                      # Python 3.10: tomllib이 없다
    tomllib = None


def _requirements() -> list[Requirement]:
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_every_requirement_is_pinned_inside_its_range():
    pins = _constraints()
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"constraints.txt에 {requirement.name}의 고정 버전이 없다"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt의 {requirement.name}=={pins[name]}가 "
            f"requirements.txt의 범위 {requirement.specifier} 밖이다")


def test_guides_libraries_are_pinned_exactly():
    # 안내서(docs/03, docs/04, 각 장의 analysis/)가 줄 번호로 인용하는 라이브러리는 범위가 아니라 한 버전이다.
    exact = {canonicalize_name(r.name): str(r.specifier) for r in _requirements()}
    for name in ("transformers", "timm", "huggingface-hub"):
        assert re.fullmatch(r"==[\d.]+", exact[name]), f"{name}은 ==로 고정해야 한다: {exact[name]!r}"


def test_pytest_lower_bound_knows_the_options_pytest_ini_uses():
    # consider_namespace_packages는 pytest 8.1에서 생겼다.
    pytest_req = next(r for r in _requirements() if r.name == "pytest")
    assert not pytest_req.specifier.contains("8.0.2")
    assert "consider_namespace_packages" in (ROOT / "pytest.ini").read_text(encoding="utf-8")


@pytest.mark.skipif(tomllib is None, reason="tomllib은 Python 3.11부터 있다 (이 검사는 3.11 이상에서 돈다)")
def test_pyproject_reads_requirements_and_lists_real_entry_points():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["requires-python"] == ">=3.10"
    assert project["tool"]["setuptools"]["dynamic"]["dependencies"]["file"] == ["requirements.txt"]
    targets = list(project["project"]["scripts"].values())
    modules = project["tool"]["model-implementations"]["python-m"]
    assert {t.split(":")[0] for t in targets} <= set(modules)
    for module_name in modules:
        module = importlib.import_module(module_name)
        assert callable(getattr(module, "main", None)), f"{module_name}에 main이 없다"


def test_ci_lints_before_it_tests_and_installs_the_constraints():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    install = next(i for i, c in enumerate(commands) if "pip install" in c)
    ruff = next(i for i, c in enumerate(commands) if "ruff check" in c and not c.startswith("echo"))
    first_test = next(i for i, c in enumerate(commands) if ("pytest" in c or "make test" in c)
                      and not c.startswith("echo") and "()" not in c and '"$@"' not in c)
    assert "-c constraints.txt" in commands[install]
    assert install < ruff < first_test
