"""문서 검사: 저장소의 모든 Markdown 상대 링크가 실제 파일·폴더를 가리키는지, 장 목록이 실제 폴더와 맞는지,
문서가 저장소 자신만 말하는지 (만든 과정에 관한 말이 없다)."""
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


LEVEL_FOLDERS = ("numpy", "pytorch_lowlevel", "paper", "analysis")


def chapter_rows(doc: str) -> dict[str, list[str]]:
    """`| NN | … | L1 | L2 | L3 | L4 |` 꼴의 표 행: 장 번호 → 그 행의 칸들."""
    rows = {}
    for line in (ROOT / doc).read_text(encoding="utf-8").splitlines():
        if re.match(r"\|\s*\d\d\s*\|", line):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            rows[cells[0]] = cells
    return rows


@pytest.mark.parametrize("doc", ["README.md", "00_Overview.md"])
def test_every_chapter_is_linked_and_its_level_marks_match_the_folders(doc):
    chapters = sorted(p for p in ROOT.iterdir() if p.is_dir() and re.match(r"^\d\d_", p.name))
    rows = chapter_rows(doc)
    for chapter in chapters:
        number = chapter.name[:2]
        assert number in rows, f"{doc}의 장 표에 {chapter.name}의 행이 없다"
        assert f"]({chapter.name}/)" in " ".join(rows[number]), f"{doc}: {chapter.name}에 링크가 없다"
        marks = rows[number][-4:]
        expected = ["✅" if (chapter / level).is_dir() else "—" for level in LEVEL_FOLDERS]
        assert marks == expected, f"{doc}: {chapter.name}의 L1–L4 표시 {marks} ≠ 실제 레벨 폴더 {expected}"


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


# 저장소를 만든 과정에 관한 말: 학습자가 읽는 문서에는 저장소 자신의 내용만 있어야 한다.
# "리뷰"처럼 본문에서 다른 뜻(영화 리뷰 데이터)으로 쓰이는 낱말은 넣지 않고, 과정을 말하는 표현으로 잡는다.
PROCESS_WORDS = re.compile(
    r"(?<![A-Za-z])(helpers?|sessions?|agents?|lead|issue|TODO from)(?![A-Za-z])|"   # 한글이 바로 붙어도 잡는다
    r"이슈|세션|에이전트|원 가이드|이 장에서 utils에 추가|도중에 바꾼 import",
    flags=re.IGNORECASE)


def process_words(text: str) -> list[str]:
    """text에서 만든 과정을 말하는 표현을 줄 번호와 함께 찾는다 (코드 블록 안도 포함: 명령 예시도 학습자가 읽는다)."""
    return [f"{number}: {match.group(0)}" for number, line in enumerate(text.splitlines(), 1)
            for match in PROCESS_WORDS.finditer(line)]


def test_process_words_pattern_catches_what_it_should_and_spares_ordinary_prose():
    caught = ("다른 helper 4명과 CPU를 나눠 쓰는 동안", "이슈의 \"CPU 몇 분\"에 맞추려고", "(이 장에서 utils에 추가)",
              "원 가이드의 번역: ...", "도중에 바꾼 import 때문에 실패", "in the last session",
              "각 장의 issue에서 정하고")
    spared = ("IMDB 영화 리뷰 데이터", "leading dimension", "sessionStorage", "issues a warning")
    assert [text for text in caught if not process_words(text)] == []
    assert [text for text in spared if process_words(text)] == []


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_markdown_speaks_only_of_the_repository(path):
    found = process_words(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}: 저장소를 만든 과정에 관한 말 (줄: 낱말) {found}"
