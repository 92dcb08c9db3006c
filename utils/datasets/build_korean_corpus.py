"""한국어 산문 corpus 파일 `utils/datasets/corpora/korean_prose.txt`를 만드는 script (한 번 만들어 저장소에 둔다).

`load_korean_prose`(`--data korean`)는 이 파일만 읽는다. 문서를 고쳐도 corpus는 바뀌지 않으므로 09장의 숫자가
문서 편집을 따라 흔들리지 않는다. 파일의 크기와 SHA-256은 `utils/datasets/test_datasets.py`가 확인한다.

어떤 파일을, 어떤 순서로 (`KOREAN_PROSE_GLOBS`, 저장소 루트 기준):
    README.md, 00_Overview.md, docs/*.md, NN_*/README.md, NN_*/theory.md, NN_*/exercises/*.md, NN_*/analysis/README.md
    (`*`는 경로의 한 칸 안에서만 맞는다: 하위 폴더로 내려가지 않는다). 경로 이름(`/`로 잇는 상대 경로)의 문자열 순서.

어떻게 다듬는가 (`clean_markdown`, `build_corpus`):
    1. ``` 로 열고 닫는 code block을 통째로 지운다 (들여쓴 것도).
    2. `|`로 시작하는 줄(표)을 지우고, 줄 끝 공백을 지운다.
    3. 빈 줄이 여럿 이어지면 하나로 줄이고, 파일 앞뒤의 공백을 지운다.
    4. 비지 않은 파일들을 빈 줄 하나(`\\n\\n`)로 잇는다.
    파일에는 corpus 뒤에 줄바꿈 하나를 붙여 UTF-8로 쓴다 (`load_korean_prose`가 그 줄바꿈을 뗀다).

저장된 파일은 commit `SOURCE_REV` (2026-12-06)의 문서에서 만든 515,325자다. 다시 만들거나 확인하려면
(git 저장소 안에서):

    python -m utils.datasets.build_korean_corpus                 # SOURCE_REV의 문서로 다시 쓴다
    python -m utils.datasets.build_korean_corpus --check         # 쓰지 않고 저장된 파일과 같은지만 (다르면 exit 1)
    python -m utils.datasets.build_korean_corpus --rev HEAD      # 다른 commit의 문서로
    python -m utils.datasets.build_korean_corpus --root DIR --out corpus.txt   # 폴더의 Markdown으로
"""
from __future__ import annotations

import argparse
import fnmatch
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from utils.core import DatasetUnavailable, atomic_write_text
from utils.datasets.text import KOREAN_CORPUS_FILE

REPO_ROOT = Path(__file__).resolve().parents[2]
SOURCE_REV = "f8c059297713af18408bc759c5306f23808f6813"       # 2026-12-06의 저장소

KOREAN_PROSE_GLOBS = ("README.md", "00_Overview.md", "docs/*.md", "[0-9][0-9]_*/README.md", "[0-9][0-9]_*/theory.md",
                      "[0-9][0-9]_*/exercises/*.md", "[0-9][0-9]_*/analysis/README.md")
_FENCE = re.compile(r"^[ \t]*```.*?^[ \t]*```[^\n]*$", re.S | re.M)   # ``` code block ``` 전체 (들여쓴 것도)


def _matches(path: str, pattern: str) -> bool:
    """`Path.glob`처럼: 경로와 pattern을 `/`로 나눠 칸 수가 같고 칸마다 맞아야 한다."""
    parts, pattern_parts = path.split("/"), pattern.split("/")
    return len(parts) == len(pattern_parts) and all(map(fnmatch.fnmatchcase, parts, pattern_parts))


def select_markdown(paths: Iterable[str]) -> list[str]:
    """상대 경로(`/`로 잇는 문자열)들 중 `KOREAN_PROSE_GLOBS`에 맞는 것을 경로 이름 순서로."""
    return sorted({p for p in paths if any(_matches(p, pattern) for pattern in KOREAN_PROSE_GLOBS)})


def clean_markdown(text: str) -> str:
    """Markdown 한 파일에서 code block과 표를 빼고 산문만 남긴다 (위 docstring의 1–3단계)."""
    text = _FENCE.sub("", text)
    lines = [line.rstrip() for line in text.splitlines() if not line.lstrip().startswith("|")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def build_corpus(texts: Iterable[str]) -> str:
    """Markdown 본문들(이미 정한 순서)을 다듬어 빈 줄 하나로 잇는다. 남는 산문이 없으면 ValueError."""
    corpus = "\n\n".join(part for part in map(clean_markdown, texts) if part)
    if not corpus:
        raise ValueError("Markdown 본문에서 산문이 한 줄도 남지 않았습니다: code block과 표 밖의 문장이 필요합니다")
    return corpus


def read_folder(root: str | Path) -> list[str]:
    """폴더 `root`에서 고른 Markdown 파일들의 본문 (UTF-8, `select_markdown` 순서)."""
    root = Path(root)
    found = {path.relative_to(root).as_posix() for pattern in KOREAN_PROSE_GLOBS for path in root.glob(pattern)
             if path.is_file()}
    return [(root / name).read_text(encoding="utf-8") for name in select_markdown(found)]


def read_revision(rev: str, repo: str | Path = REPO_ROOT) -> list[str]:
    """git commit `rev`의 tree에서 고른 Markdown 파일들의 본문 (작업 폴더가 아니라 commit에 저장된 내용)."""
    def git(*args: str) -> bytes:
        try:
            return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError) as error:
            raise DatasetUnavailable(f"git {' '.join(args[:2])}이 실패했습니다 ({type(error).__name__}): "
                                     f"commit {rev}이 있는 git 저장소 안에서 실행하거나 --root로 Markdown 폴더를 "
                                     "주세요") from None

    names = select_markdown(git("ls-tree", "-r", "-z", "--name-only", rev).decode("utf-8").split("\0"))
    return [git("show", f"{rev}:{name}").decode("utf-8") for name in names]


def write_corpus(corpus: str, path: str | Path = KOREAN_CORPUS_FILE) -> Path:
    """corpus 뒤에 줄바꿈 하나를 붙여 UTF-8로 원자적으로 쓴다."""
    return atomic_write_text(path, corpus + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m utils.datasets.build_korean_corpus",
                                     description="저장소의 한국어 Markdown에서 고정 corpus 파일을 만든다.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--rev", default=SOURCE_REV, help="문서를 읽을 git commit (기본: 저장된 파일의 SOURCE_REV)")
    source.add_argument("--root", help="git 대신 이 폴더의 Markdown을 읽는다")
    parser.add_argument("--out", type=Path, default=KOREAN_CORPUS_FILE, help="쓸 파일 (기본: %(default)s)")
    parser.add_argument("--check", action="store_true", help="쓰지 않고 --out의 파일과 같은지만 확인한다")
    args = parser.parse_args(argv)

    corpus = build_corpus(read_folder(args.root) if args.root else read_revision(args.rev))
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == corpus + "\n"
        print(f"{args.out}: {'같다' if same else '다르다'} ({len(corpus):,}자)")
        return 0 if same else 1
    path = write_corpus(corpus, args.out)
    print(f"{path}: {len(corpus):,}자, {path.stat().st_size:,} byte")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except DatasetUnavailable as error:
        print("오류: " + " ".join(str(error).split()), file=sys.stderr)
        sys.exit(2)
