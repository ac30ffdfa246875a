"""The canonical bib on disk: read, edit under the lock, write canonically and atomically.

Every command that changes a .bib goes through `edit()`, so the lock, the canonical
form and the atomic replace are applied in one place.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from genbib.bibtex.compare import lost
from genbib.bibtex.io import locked, write_if_changed
from genbib.bibtex.reader import parse, read_file
from genbib.bibtex.writer import Order, dumps
from genbib.errors import GenbibError
from genbib.model.library import Library, Malformed
from genbib.model.problems import Problem


def load(path: str | Path, *, missing_ok: bool = False) -> Library:
    p = Path(path)
    if missing_ok and not p.exists():
        return Library(file=str(p))
    return read_file(p)


@dataclass
class FormatResult:
    path: Path
    changed: bool
    diff: str
    problems: list[Problem]


def format_file(path: str | Path, *, check: bool = False, order: Order = "key") -> FormatResult:
    """Rewrite `path` canonically (or, with `check`, only say whether it would change)."""
    p = Path(path)
    with contextlib.ExitStack() as stack:
        if not check:
            stack.enter_context(locked(p))
        original = p.read_bytes() if p.exists() else b""
        lib = read_file(p)
        text = dumps(lib, order)
        _verify_lossless(lib, text)
        changed = original != text.encode("utf-8")
        diff = ""
        if changed:
            old = original.decode("utf-8", errors="replace").splitlines(keepends=True)
            diff = "".join(
                difflib.unified_diff(
                    old, text.splitlines(keepends=True), str(p), f"{p} (canonical)"
                )
            )
            if not check:
                write_if_changed(p, text)
        return FormatResult(p, changed, diff, lib.problems)


def _verify_lossless(lib: Library, text: str) -> None:
    """Refuse to write a canonical form that would lose content (a writer bug)."""
    missing = lost(lib, parse(text, lib.file))
    if missing:
        raise GenbibError(
            f"{lib.file}: the canonical form would lose {len(missing)} block(s), "
            f"first {missing[0]!r}; the file was not changed",
            hint="please report this with the file attached",
        )


@contextlib.contextmanager
def edit(path: str | Path, *, order: Order = "key", dry_run: bool = False) -> Iterator[Library]:
    """Lock `path`, yield its library for changes, write it back canonically on success.

    Nothing is written when the body raises or `dry_run` is set.
    """
    p = Path(path)
    with locked(p):
        lib = load(p, missing_ok=True)
        unparsed = _unparsed(lib)
        yield lib
        if not dry_run:
            text = dumps(lib, order)
            if _unparsed(parse(text, str(p))) > unparsed:
                raise GenbibError(
                    f"{p}: the edited bibliography would not read back (a value set by "
                    "genbib is not valid BibTeX); the file was not changed",
                    hint="please report this; `genbib -v` shows where it happened",
                )
            write_if_changed(p, text)


def _unparsed(lib: Library) -> int:
    return sum(1 for b in lib.blocks if isinstance(b, Malformed))
