"""Citations in a LaTeX project: which keys its .tex and .aux files cite, and where,
and the rewrite that makes them follow a key change.

`genbib check --cites DIR` compares them with the bibliography, so a paper still citing
a key that `genbib rekey` or a merge retired is found before BibTeX (which does not read
`ids`) leaves a `[?]` in the PDF. `rewrite_files` changes the keys themselves: `rekey`,
`dedupe` and the provisional-key upgrade call it on the configured `[latex] sources`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
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
            for begin, _, key, _ in _tex_keys(_mask_comments(text)):
                if key != "*":
                    yield Citation(str(path), text.count("\n", 0, begin) + 1, key)
            continue
        for m in _CITE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            for key in m.group(1).split(","):
                key = key.strip()
                if key and key != "*":
                    yield Citation(str(path), line, key)


# --- following a key change into the LaTeX sources ---------------------------------------
#
# Under BibTeX there are no aliases: when `rekey`, `dedupe` or a provisional-key upgrade
# changes a key, the papers must cite the new one. The rewrite changes exactly the key
# characters inside the key arguments of cite commands and nothing else (no whitespace,
# no optional argument, no comment), so `git diff` of a paper shows only the key change.

# A cite command of natbib or biblatex (`\citet`, `\Citep*`, `\parencite`, `\textcite`,
# `\citeauthor`, `\footcite`, `\autocite`, `\nocite`, `\defcitealias`, ...) and, for the
# multicite forms (`\cites`, `\parencites`, ...), each of its key groups.
_COMMAND = re.compile(r"\\([A-Za-z]*[Cc]ite[A-Za-z]*)(\*?)")
_ARG = re.compile(r"\s*(?:\[[^\]]*\]|\([^()]*\)|\{([^{}]*)\})")
_KEY = re.compile(r"[^,\s]+")


@dataclass(frozen=True, slots=True)
class KeyChange:
    """One key rewritten in one LaTeX file."""

    file: str
    line: int
    old: str
    new: str
    command: str  # e.g. "citep"

    def describe(self) -> str:
        return f"{self.file}:{self.line}: \\{self.command}{{{self.old}}} -> {self.new}"


def tex_files(paths: Iterable[Path], directories: Iterable[Path] = ()) -> list[Path]:
    """`paths` (the configured sources) and every .tex file under `directories`, each once."""
    found = {p for p in paths if p.suffix == ".tex" and p.is_file()}
    for d in directories:
        found.update(p for p in Path(d).rglob("*.tex") if p.is_file())
    return sorted(found)


def rewrite_text(
    text: str, mapping: Mapping[str, str], file: str = ""
) -> tuple[str, list[KeyChange]]:
    """`text` with every cited key in `mapping` replaced, and the changes (in order).

    Comments are left as they are (a commented-out citation cites nothing); keys are
    compared exactly (BibTeX and biber keys are case-sensitive when they resolve).
    """
    if not mapping:
        return text, []
    edits: list[tuple[int, int, str]] = []
    changes: list[KeyChange] = []
    for begin, end, key, command in _tex_keys(_mask_comments(text)):
        new = mapping.get(key)
        if new is not None and new != key:
            edits.append((begin, end, new))
            changes.append(KeyChange(file, text.count("\n", 0, begin) + 1, key, new, command))
    if not edits:
        return text, []
    out, last = [], 0
    for begin, end, new in edits:
        out.append(text[last:begin])
        out.append(new)
        last = end
    out.append(text[last:])
    return "".join(out), changes


def _tex_keys(masked: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, key, command) of every key in a cite command's key arguments."""
    for m in _COMMAND.finditer(masked):
        name = m.group(1)
        if name.lower() in _NOT_CITE:
            continue
        multi = name.lower().endswith("cites")
        pos = m.end()
        while True:
            arg = _ARG.match(masked, pos)
            if arg is None:
                break
            pos = arg.end()
            if arg.group(1) is None:
                continue  # an optional argument: [p.~2], (pre)
            start = arg.start(1)
            for key in _KEY.finditer(arg.group(1)):
                yield start + key.start(), start + key.end(), key.group(), name
            if not multi:
                break


# `\citestyle`, `\citetext` and friends take no keys.
_NOT_CITE = frozenset({"citestyle", "citetext", "bibpunct", "setcitestyle", "citeindexfalse"})


def _mask_comments(text: str) -> str:
    """`text` with each comment's characters (from an unescaped %) replaced by spaces,
    so offsets stay those of `text`."""
    return _TEX_COMMENT.sub(lambda m: " " * len(m.group()), text)


def rewrite_files(
    paths: Iterable[Path], mapping: Mapping[str, str], *, dry_run: bool = False
) -> list[KeyChange]:
    """Rewrite the cited keys of `mapping` in each file, atomically.

    Only files with a change are written (temp file, fsync, rename: the paper is the old
    or the new text, never half). No lock file is left beside a paper (it may live in
    another repository, or on Overleaf's git): instead the file is read again just
    before the rename and, if an editor or another genbib changed it meanwhile, the
    rewrite starts over from the new text. `dry_run` writes nothing and returns the
    same changes. A file that cannot be read or is not UTF-8 is an `InputError` naming
    it (nothing is guessed: a re-encoded paper would change more than its keys).
    """
    from genbib.bibtex.io import atomic_write

    done: list[KeyChange] = []
    for path in paths:
        for _ in range(_ATTEMPTS):
            data = _read(path)
            new, changes = rewrite_text(_decode(path, data), mapping, str(path))
            if not changes or dry_run:
                break
            if _read(path) == data:
                try:
                    atomic_write(path, new)
                except OSError as exc:
                    raise InputError(f"{path}: cannot rewrite: {exc.strerror or exc}") from None
                break
        else:
            raise InputError(f"{path}: keeps changing while genbib rewrites it; try again")
        done.extend(changes)
    return done


_ATTEMPTS = 5


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"{path}:{line}: not UTF-8; its citations were not rewritten") from None
