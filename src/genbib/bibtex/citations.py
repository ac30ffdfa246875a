"""Citations in a LaTeX project: which keys its .tex and .aux files cite, and where.

`genbib check --cites DIR` compares them with the bibliography's aliases (`ids`), so a
paper still citing a key that `genbib rekey` or a merge retired is found before BibTeX
(which does not read `ids`) leaves a `[?]` in the PDF.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from genbib.errors import InputError

_CITE = re.compile(
    r"\\(?:citation|[A-Za-z]*cite[A-Za-z]*\*?(?:\s*\[[^\]]*\])*|abx@aux@cite(?:\{\d+\})?)\s*\{([^{}]*)\}",
    re.IGNORECASE,
)
_TEX_COMMENT = re.compile(r"(?<!\\)%.*")


@dataclass(frozen=True, slots=True)
class Citation:
    file: str
    line: int
    key: str


def scan_citations(directory: str | Path) -> Iterator[Citation]:
    """Every key cited by `\\cite...{}` in .tex files and `\\citation{}` in .aux files."""
    root = Path(directory)
    paths = sorted(p for p in root.rglob("*") if p.suffix in (".tex", ".aux") and p.is_file())
    return scan_files(paths)


def cited_keys(paths: Iterable[Path]) -> set[str]:
    """The keys the given LaTeX files cite (e.g. `Config.latex_sources()`)."""
    return {c.key for c in scan_files(paths)}


def scan_files(paths: Iterable[Path]) -> Iterator[Citation]:
    """Every key cited in the given files (a `.aux` file is read as an aux file)."""
    for path in paths:
        try:
            text = path.read_text("utf-8", errors="replace")
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
        if path.suffix == ".tex":
            text = _TEX_COMMENT.sub("", text)
        for m in _CITE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            for key in m.group(1).split(","):
                key = key.strip()
                if key and key != "*":
                    yield Citation(str(path), line, key)
