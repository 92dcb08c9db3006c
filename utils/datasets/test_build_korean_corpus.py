"""고정 한국어 corpus 검증: 저장된 파일이 그대로인지 (크기, SHA-256), 그리고 builder가 정한 규칙대로 만드는지
(작은 Markdown으로: 어떤 파일을, 어떤 순서로, 어떻게 다듬는지)."""
import hashlib
import subprocess

import pytest

from utils.core import DatasetUnavailable
from utils.datasets import build_korean_corpus as builder
from utils.datasets.text import KOREAN_CORPUS_FILE, load_korean_prose

# 저장된 파일에서 한 번 잰 값 (`sha256sum`, `stat -c %s`). 파일이 한 글자라도 바뀌면 이 테스트가 실패한다:
# 일부러 바꿨다면 09장의 숫자도 다시 재야 한다.
CORPUS_BYTES = 773_429
CORPUS_SHA256 = "d782270e8a4c3925f669bc938854e7514de3bcf1ddffbdab6b8a9b518616eea4"
CORPUS_CHARS = 515_325


def test_stored_corpus_file_is_unchanged():
    data = KOREAN_CORPUS_FILE.read_bytes()
    assert len(data) == CORPUS_BYTES
    assert hashlib.sha256(data).hexdigest() == CORPUS_SHA256
    assert len(load_korean_prose()) == CORPUS_CHARS


def test_selects_the_documented_markdown_files_in_path_order():
    paths = ["README.md", "docs/02_Bench.md", "docs/sub/deep.md", "00_Overview.md", "notes.md",
             "01_A/README.md", "01_A/theory.md", "01_A/notes.md", "01_A/exercises/01_task.md",
             "01_A/exercises/solutions/x.md", "01_A/analysis/README.md", "01_A/analysis/guide.md",
             "1_B/README.md", "utils/README.md", "02_B/paper/README.md"]
    assert builder.select_markdown(paths) == [
        "00_Overview.md", "01_A/README.md", "01_A/analysis/README.md", "01_A/exercises/01_task.md",
        "01_A/theory.md", "README.md", "docs/02_Bench.md"]


def test_clean_drops_code_blocks_tables_and_extra_blank_lines():
    markdown = ("\n# 제목  \n\n첫 문장입니다.\n\n```python\nprint('코드')\n```\n\n| 표 | 줄 |\n|---|---|\n"
                "  ```\n  들여쓴 코드\n  ```\n둘째 문장.\n\n\n\n셋째.   \n\n")
    assert builder.clean_markdown(markdown) == "# 제목\n\n첫 문장입니다.\n\n둘째 문장.\n\n셋째."


def test_build_joins_non_empty_files_with_one_blank_line():
    texts = ["가나.\n\n\n다라.", "```\n코드만\n```\n", "| 표 |", "마바."]
    assert builder.build_corpus(texts) == "가나.\n\n다라.\n\n마바."
    with pytest.raises(ValueError, match="산문"):
        builder.build_corpus(["```\n코드\n```", "| 표 |"])


def _write_tree(root, files: dict):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


TREE = {"README.md": "# 뿌리\n\n루트 문장.\n", "01_Test/theory.md": "이론.\n\n```\nx = 1\n```\n끝.",
        "01_Test/notes.md": "읽지 않는 파일", "docs/00_Design.md": "| a | b |\n설계."}
EXPECTED = "이론.\n\n끝.\n\n# 뿌리\n\n루트 문장.\n\n설계."          # 01_Test/… < README.md < docs/…


def test_main_writes_the_corpus_from_a_folder_and_check_compares(tmp_path, capsys):
    _write_tree(tmp_path / "repo", TREE)
    out = tmp_path / "corpus.txt"
    assert builder.main(["--root", str(tmp_path / "repo"), "--out", str(out)]) == 0
    assert out.read_bytes() == (EXPECTED + "\n").encode("utf-8")
    assert builder.main(["--root", str(tmp_path / "repo"), "--out", str(out), "--check"]) == 0
    out.write_text(EXPECTED + " \n", encoding="utf-8")                   # 한 글자 다른 파일
    assert builder.main(["--root", str(tmp_path / "repo"), "--out", str(out), "--check"]) == 1
    assert "다르다" in capsys.readouterr().out


def test_reads_a_git_revision_not_the_working_tree(tmp_path):
    repo = tmp_path / "repo"
    _write_tree(repo, TREE)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run(git + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "docs"], check=True)
    (repo / "README.md").write_text("commit하지 않은 문장.", encoding="utf-8")
    assert builder.build_corpus(builder.read_revision("HEAD", repo)) == EXPECTED
    with pytest.raises(DatasetUnavailable, match="--root"):
        builder.read_revision("no-such-revision", repo)
