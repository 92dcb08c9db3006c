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


def chapter_folders() -> list[Path]:
    return sorted(p for p in ROOT.iterdir() if p.is_dir() and re.match(r"^\d\d_", p.name))


def test_readme_chapter_table_links_every_chapter_and_its_level_marks_match_the_folders():
    rows = chapter_rows("README.md")
    for chapter in chapter_folders():
        number = chapter.name[:2]
        assert number in rows, f"README.md의 장 표에 {chapter.name}의 행이 없다"
        assert f"]({chapter.name}/)" in " ".join(rows[number]), f"README.md: {chapter.name}에 링크가 없다"
        marks = rows[number][-4:]
        expected = ["✅" if (chapter / level).is_dir() else "—" for level in LEVEL_FOLDERS]
        assert marks == expected, f"README.md: {chapter.name}의 L1–L4 표시 {marks} ≠ 실제 레벨 폴더 {expected}"


def test_overview_links_every_chapter_folder_and_its_readme():
    text = (ROOT / "00_Overview.md").read_text(encoding="utf-8")
    missing = [c.name for c in chapter_folders()
               if f"]({c.name}/)" not in text and f"](`{c.name}/`)" not in text]
    missing += [f"{c.name}/README.md" for c in chapter_folders() if f"]({c.name}/README.md)" not in text]
    assert not missing, f"00_Overview.md가 링크하지 않는 장: {missing}"


# 루트 문서가 같은 측정을 다른 숫자로 말하지 않는다. 측정 하나 = (명령, 날짜, 양의 종류):
# 숫자 앞에서 가장 가까운 backtick 명령(`make …`, `python -m …`)과 날짜(YYYY-MM-DD)가 같은 문단에 있을 때만 센다.
ROOT_DOCS = ("README.md", "00_Overview.md", "docs/00_Design.md", "docs/01_Implementation_Philosophy.md",
             "docs/06_Results.md")
QUANTITIES = {
    "passed": re.compile(r"(\d[\d,]*) passed"),
    "deselected": re.compile(r"(\d[\d,]*) deselected"),
    "실행 수": re.compile(r"(\d[\d,]*)개 실행"),
    "전체 초": re.compile(r"전체 (\d[\d,]*(?:\.\d+)?) ?(?:초|s\b)"),
}
COMMAND = re.compile(r"`((?:make|python -m|python3 -m|pytest)[^`]*)`")
DATE = re.compile(r"(?<!\d)(20\d\d-\d\d-\d\d)(?!\d)")


def make_aliases() -> dict[str, str]:
    """Makefile에서: `make 타깃` → 그 타깃이 부르는 `python -m …` (같은 측정을 두 이름으로 적어도 한 key가 된다)."""
    aliases, target = {}, None
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        header = re.match(r"^([\w-]+):", line)
        if header:
            target = header.group(1)
        elif target and line.startswith("\t$(PYTHON) -m ") and "pip install" not in line:
            command = line.strip().replace("$(PYTHON)", "python").replace("$(CHAPTERS)", "")
            aliases.setdefault(f"make {target}", " ".join(command.split()))
    return aliases


MAKE_ALIASES = make_aliases()


def measured_statements(text: str, source: str) -> list[tuple[tuple[str, str, str], str, str]]:
    """((명령, 날짜, 종류), 숫자, 출처) 목록. 코드 블록은 빼고 문단마다 본다."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    found = []
    for paragraph in re.split(r"\n\s*\n", text):
        for kind, pattern in QUANTITIES.items():
            for match in pattern.finditer(paragraph):
                before = paragraph[:match.start()]
                commands, dates = COMMAND.findall(before), DATE.findall(before)
                if commands and dates:
                    command = " ".join(commands[-1].split())
                    command = MAKE_ALIASES.get(command, command)
                    found.append(((command, dates[-1], kind), match.group(1).replace(",", ""), source))
    return found


def conflicts(statements) -> list[str]:
    seen: dict = {}
    for key, number, source in statements:
        seen.setdefault(key, set()).add((number, source))
    return [f"{key}: {sorted(values)}" for key, values in seen.items() if len({n for n, _ in values}) > 1]


def test_conflict_finder_sees_one_measurement_quoted_with_two_numbers():
    a = "2026-12-06에 `make test`로 잰 값: 3066 passed, 60 deselected."
    b = "`make test` (2026-12-06): 3,066 passed.\n\n다른 날 2026-12-01의 `make test`는 2476 passed."
    c = "2026-12-06, `make test`: 3065 passed."
    assert conflicts(measured_statements(a, "a") + measured_statements(b, "b")) == []
    assert len(conflicts(measured_statements(a, "a") + measured_statements(c, "c"))) == 1
    assert measured_statements("`make test`: 3066 passed (날짜 없음)", "d") == []
    # `make test`와 `python -m pytest -n 2`는 Makefile에서 같은 명령이다
    e = "2026-12-06의 `python -m pytest -n 2`: 3065 passed."
    assert MAKE_ALIASES["make test"] == "python -m pytest -n 2"
    assert MAKE_ALIASES["make quick"] == "python -m utils.run --all --quick"
    assert len(conflicts(measured_statements(a, "a") + measured_statements(e, "e"))) == 1


def test_root_docs_do_not_state_one_measurement_with_two_numbers():
    statements = [s for doc in ROOT_DOCS
                  for s in measured_statements((ROOT / doc).read_text(encoding="utf-8"), doc)]
    assert statements, "루트 문서에서 날짜와 명령이 붙은 측정을 하나도 찾지 못했다: 추출 규칙이 문서와 맞지 않는다"
    found = conflicts(statements)
    assert not found, f"루트 문서가 같은 측정을 다른 숫자로 말한다: {found}"


def test_test_counts_in_the_readme_are_dated():
    """README의 'N passed'와 'N개 실행'은 같은 문단에 날짜가 있다 (언제 잰 숫자인지 모르면 비교할 수 없다)."""
    text = re.sub(r"```.*?```", "", (ROOT / "README.md").read_text(encoding="utf-8"), flags=re.S)
    undated = [m.group(0) for paragraph in re.split(r"\n\s*\n", text) if not DATE.search(paragraph)
               for pattern in (QUANTITIES["passed"], QUANTITIES["실행 수"]) for m in pattern.finditer(paragraph)]
    assert not undated, f"README에 날짜 없는 측정: {undated}"


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
# 문장을 옮겨 적지 않고 말의 종류를 pattern으로 적는다. 영어 낱말은 앞뒤가 글자·밑줄이 아닐 때만 잡아
# (`review_corpus`, "leading", "sessionStorage", "issues a warning"은 지나간다), 한글 조사가 바로 붙어도 잡는다.
# "리뷰"처럼 본문에서 다른 뜻(영화 리뷰 데이터)으로 쓰이는 낱말은 넣지 않는다.
_EN = r"(?<![A-Za-z_])(?:{})(?![A-Za-z_])"
PROCESS_KINDS = {
    # 저장소를 만든 사람·역할
    "역할": _EN.format(r"helpers?|sessions?|agents?|lead|leads|reviewers?|auditors?|maintainer notes?")
            + r"|세션|에이전트|리뷰어|담당 엔지니어",
    # 작업을 나눈 단위와 그 기록
    "작업 기록": _EN.format(r"issue|issue\s*#\s*\d+|tickets?|audit(?:ed)?|code review|reviewed by")
                 + r"|이슈|티켓",
    # 다른 문서를 옮겨 온 흔적
    "출처 문서": r"원(?:본)? ?(?:가이드|안내서)|(?:가이드|안내서|문서)(?:의|를) (?:번역|옮긴)",
    # 만드는 도중의 서술: 언제·무엇을 바꾸었는지
    "만드는 과정": r"(?:작업|구현|수정) 도중|도중에 (?:바꾼|고친|바뀐)|(?:이번|지난|앞선) (?:작업|변경|수정|단계)에서"
                   r"|utils에 (?:새로 )?(?:추가|더)(?:했|한|함|하였)",
    # 스스로에게 남긴 메모
    "메모": r"(?<![A-Za-z_])(?:TODO|FIXME|XXX)(?![A-Za-z_])",
}
PROCESS_WORDS = re.compile("|".join(f"(?:{pattern})" for pattern in PROCESS_KINDS.values()), flags=re.IGNORECASE)


def process_words(text: str) -> list[str]:
    """text에서 만든 과정을 말하는 표현을 줄 번호와 함께 찾는다 (코드 블록 안도 포함: 명령 예시도 학습자가 읽는다)."""
    return [f"{number}: {match.group(0)}" for number, line in enumerate(text.splitlines(), 1)
            for match in PROCESS_WORDS.finditer(line)]


def test_process_words_pattern_catches_each_kind_and_spares_ordinary_prose():
    # 종류마다 새로 지은 예 (저장소에 있던 문장을 옮긴 것이 아니다)
    caught = {
        "역할": ("다른 helper들과 CPU를 나눠 쓰며 쟀다", "the lead merged it", "세션이 끝나기 전에",
                 "리뷰어가 고치라고 한 곳"),
        "작업 기록": ("이슈에 적힌 기준", "see issue #12", "issue의 기준을 따른다", "audited on Monday"),
        "출처 문서": ("원 가이드의 절 순서", "원본 안내서에 따르면", "가이드의 번역이다"),
        "만드는 과정": ("구현 도중 바뀐 이름", "도중에 고친 import", "지난 작업에서 늘린 값", "utils에 새로 추가했다"),
        "메모": ("TODO: 나중에 채운다", "FIXME 값 확인"),
    }
    spared = ("IMDB 영화 리뷰 데이터", "leading dimension", "sessionStorage", "issues a warning", "`review_corpus`",
              "학습 도중의 loss", "원본 크기의 파일은 MD5와 비교합니다", "이 장의 번역 과제", "lead_time = 3",
              "registry.py에 한 줄을 더합니다")
    for kind, texts in caught.items():
        assert [text for text in texts if not re.search(PROCESS_KINDS[kind], text, flags=re.IGNORECASE)] == [], kind
        assert [text for text in texts if not process_words(text)] == [], kind
    assert [text for text in spared if process_words(text)] == []


def test_a_planted_sentence_in_a_markdown_file_is_found(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# 제목\n\n본문입니다.\n\n이 절은 세션 도중에 바꾼 값을 씁니다.\n", encoding="utf-8")
    found = process_words(page.read_text(encoding="utf-8"))
    assert found and all(item.startswith("5: ") for item in found)


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_markdown_speaks_only_of_the_repository(path):
    found = process_words(path.read_text(encoding="utf-8"))
    assert not found, f"{path.relative_to(ROOT)}: 저장소를 만든 과정에 관한 말 (줄: 낱말) {found}"
