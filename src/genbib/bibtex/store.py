"""The canonical bib on disk: read, edit under the lock, write canonically and atomically.

Every command that changes a .bib goes through `edit()`, so the lock, the canonical
form and the atomic replace are applied in one place, and so is the promise that keys are
never reused: a key that an edit removes from the bib (not kept as an alias) is recorded
in the retired-key record beside it (`retired.py`) before the bib is written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from genbib.bibtex import retired
from genbib.bibtex.compare import lost, same_blocks
from genbib.bibtex.io import atomic_write, locked, write_if_changed
from genbib.bibtex.reader import parse, read_file
from genbib.bibtex.writer import Order, dumps, written_blocks
from genbib.errors import GenbibError
from genbib.model.entry import Entry
from genbib.model.library import Library, Malformed
from genbib.model.problems import Problem


def load(path: str | Path, *, missing_ok: bool = False) -> Library:
    """The library at `path`, with the keys retired from it (`Library.retired`)."""
    p = Path(path)
    lib = Library(file=str(p)) if missing_ok and not p.exists() else read_file(p)
    lib.retired = retired.load(retired.retired_path(p))
    return lib


@dataclass
class FormatResult:
    path: Path
    changed: bool
    diff: str
    problems: list[Problem]


def format_file(
    path: str | Path, *, check: bool = False, order: Order = "key", diff: bool | None = None
) -> FormatResult:
    """Rewrite `path` canonically (or, with `check`, only say whether it would change).

    The unified diff (costly: difflib over every line) is built only when asked for,
    which by default is in check mode.
    """
    p = Path(path)
    want_diff = check if diff is None else diff
    with contextlib.ExitStack() as stack:
        if not check:
            stack.enter_context(locked(p))
        original = p.read_bytes() if p.exists() else b""
        lib = read_file(p)
        text = dumps(lib, order)
        data = text.encode("utf-8")
        changed = original != data
        result = FormatResult(p, changed, "", lib.problems)
        if not changed:
            return result
        _verify_lossless(lib, text, order)
        if want_diff:
            result.diff = unified_diff(original, text, str(p))
        if not check:
            atomic_write(p, data)  # under the lock, and known to differ from the file
        return result


def unified_diff(original: bytes, text: str, name: str) -> str:
    """The unified diff from `original` to `text`, for `fmt --check` / `--diff`."""
    import difflib

    old = original.decode("utf-8", errors="replace").splitlines(keepends=True)
    new = text.splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, name, f"{name} (canonical)"))


def _verify_lossless(lib: Library, text: str, order: Order = "key") -> None:
    """Refuse to write a canonical form that would lose content (a writer bug).

    The text is read back; block by block comparison settles the common case cheaply,
    and only when it does not is the content compared as a whole (`lost`).
    """
    again = parse(text, lib.file)
    if same_blocks(written_blocks(lib, order), again):
        return
    missing = lost(lib, again)
    if missing:
        raise GenbibError(
            f"{lib.file}: the canonical form would lose {len(missing)} block(s), "
            f"first {missing[0]!r}; the file was not changed",
            hint="please report this with the file attached",
        )


@contextlib.contextmanager
def edit(path: str | Path, *, order: Order = "key", dry_run: bool = False) -> Iterator[Library]:
    """Lock `path`, yield its library for changes, write it back canonically on success.

    Nothing is written when the body raises or `dry_run` is set. Keys that were in use
    before and are not after, and keys the body put into `Library.retired`, are added to
    the retired-key record first: a crash between the two writes leaves a key retired
    that is still in the bib (harmless), never a key gone from the bib but free again.
    """
    p = Path(path)
    with locked(p):
        lib = load(p, missing_ok=True)
        unparsed = _unparsed(lib)
        owners = lib.key_owners()
        yield lib
        if not dry_run:
            text = dumps(lib, order)
            if _unparsed(parse(text, str(p))) > unparsed:
                raise GenbibError(
                    f"{p}: the edited bibliography would not read back (a value set by "
                    "genbib is not valid BibTeX); the file was not changed",
                    hint="please report this; `genbib -v` shows where it happened",
                )
            _retire(p, lib, owners)
            write_if_changed(p, text)


def _retire(path: Path, lib: Library, owners: dict[str, Entry]) -> None:
    """Record the keys this edit removed, merged with what is on disk (the record grows)."""
    gone = owners.keys() - lib.keys_in_use()
    if not gone and not lib.retired:
        return
    rpath = retired.retired_path(path)
    record = retired.load(rpath)
    for key, note in lib.retired.items():
        record.setdefault(key, note)
    for key in gone:
        record.setdefault(key, retired.note(owners[key]))
    lib.retired = record
    retired.save(rpath, record, path.name)


def _unparsed(lib: Library) -> int:
    return sum(1 for b in lib.blocks if isinstance(b, Malformed))
