"""문서 검사: 저장소의 모든 Markdown 상대 링크가 실제 파일·폴더를 가리키는지, 장 목록이 실제 폴더와 맞는지."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def markdown_files():
    skip = {".git", "outputs", "data", ".pytest_cache", ".ruff_cache"}
    return sorted(p for p in ROOT.rglob("*.md")
                  if not any(part in skip or part.startswith(".venv") for part in p.relative_to(ROOT).parts))


def relative_links(path: Path):
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)   # 코드 블록 안은 링크가 아니다
    for target in LINK.findall(text):
        if target.startswith(("http://", "https://", "mailto:", "#")):
            continue
        yield target.split("#")[0]


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path):
    missing = [t for t in relative_links(path) if t and not (path.parent / t).exists()]
    assert not missing, f"{path.relative_to(ROOT)}의 깨진 링크: {missing}"


def test_overview_and_readme_mark_only_existing_chapters_done():
    chapters = {p.name for p in ROOT.iterdir() if p.is_dir() and re.match(r"^\d\d_", p.name)}
    for doc in ("README.md", "00_Overview.md"):
        for line in (ROOT / doc).read_text(encoding="utf-8").splitlines():
            match = re.match(r"\|\s*(\d\d)\s*\|", line)
            if match and "✅" in line:
                assert any(c.startswith(match.group(1) + "_") for c in chapters), f"{doc}: 없는 장에 ✅ — {line}"


def repository_text_files():
    skip = {".git", "outputs", "data", ".pytest_cache", ".ruff_cache", "__pycache__"}
    suffixes = {".md", ".py", ".ini", ".toml", ".txt", ".cfg"}
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if any(part in skip or part.startswith(".venv") for part in parts):
            continue
        if path.is_file() and (path.suffix in suffixes or path.name in ("Makefile", "run")):
            yield path


def test_no_file_points_outside_the_repository():
    """설계 문서는 저장소 안의 docs/00_Design.md 하나다: 저장소 밖의 문서나 폴더를 가리키는 파일이 없다."""
    this_file = Path(__file__).resolve()
    outside = [str(path.relative_to(ROOT)) for path in repository_text_files() if path.resolve() != this_file
               and any(word in path.read_text(encoding="utf-8", errors="replace")
                       for word in ("DESIGN.md", "../shared", "shared/DESIGN"))]
    assert not outside, f"저장소 밖을 가리키는 파일: {outside}"
    assert (ROOT / "docs" / "00_Design.md").is_file()
