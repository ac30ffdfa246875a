"""The canonical bib on disk: read, edit under the lock, write canonically and atomically.

Every command that changes a .bib goes through `edit()`, so the lock, the canonical
form and the atomic replace are applied in one place, and so is the promise that keys are
never reused: a key that an edit removes from the bib (not kept as an alias) is recorded
in the retired-key record beside it (`retired.py`) before the bib is written.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from genbib.bibtex import io as bibio
from genbib.bibtex import retired
from genbib.bibtex.compare import lost, same_blocks
from genbib.bibtex.encoding import read_bytes, require_utf8
from genbib.bibtex.io import locked
from genbib.bibtex.reader import parse, read_data, read_file
from genbib.bibtex.writer import Order, format_block, written_blocks
from genbib.errors import GenbibError
from genbib.model.entry import Entry
from genbib.model.library import Block, Library, Malformed
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
    path: str | Path,
    *,
    check: bool = False,
    order: Order = "key",
    diff: bool | None = None,
    to_utf8: bool = False,
) -> FormatResult:
    """Rewrite `path` canonically (or, with `check`, only say whether it would change).

    A file that is not UTF-8 is rewritten (as UTF-8) only with `to_utf8`.

    Built for big files: the bytes are parsed a piece at a time, the output is encoded
    block by block (never one big string), and the check that nothing is lost reads the
    output back a chunk of blocks at a time. The unified diff (difflib over every line,
    the costliest part) is built only when asked for, which by default is in check mode.
    """
    p = Path(path)
    want_diff = check if diff is None else diff
    with contextlib.ExitStack() as stack:
        if not check:
            stack.enter_context(locked(p))
        original = read_bytes(p, missing_ok=True)
        lib = read_data(original, str(p))
        if not check:
            require_utf8(p, original, convert=to_utf8)
        size, digest = len(original), hashlib.sha256(original).digest()
        del original  # memory: compared by its hash; the diff, when wanted, reads it again
        blocks = written_blocks(lib, order)
        encoded = _encoded(blocks)
        data = _join(encoded)
        changed = len(data) != size or hashlib.sha256(data).digest() != digest
        result = FormatResult(p, changed, "", lib.problems)
        if not changed:
            return result
        _verify_parts(lib, blocks, encoded)
        del encoded
        if want_diff:
            result.diff = unified_diff(p.read_bytes(), data.decode("utf-8"), str(p))
        if not check:
            bibio.atomic_write(p, data)  # under the lock, and known to differ from the file
        return result


def unified_diff(original: bytes, text: str, name: str) -> str:
    """The unified diff from `original` to `text`, for `fmt --check` / `--diff`."""
    import difflib

    old = original.decode("utf-8", errors="replace").splitlines(keepends=True)
    new = text.splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, name, f"{name} (canonical)"))


_CHUNK = 2000  # blocks read back at a time by the losslessness check


def _verify_parts(lib: Library, blocks: list[Block], encoded: list[bytes]) -> None:
    """Refuse to write a canonical form that would lose content (a writer bug).

    The output is read back in chunks of blocks, each compared block by block with what
    was written (`same_blocks`: dict equality in C, values parsed only where their
    spelling changed). A chunk is cut only between two entries, which cannot run into
    each other. When a chunk does not compare equal (free text re-divided on a re-read,
    or a real loss), the whole output is compared as content (`lost`), which is exact.
    """
    if len(encoded) == len(blocks):
        i = 0
        while i < len(blocks):
            j = min(i + _CHUNK, len(blocks))
            while j < len(blocks) and not (
                isinstance(blocks[j], Entry) and isinstance(blocks[j - 1], Entry)
            ):
                j += 1
            again = parse(b"\n\n".join(encoded[i:j]).decode("utf-8"), lib.file)
            if not same_blocks(blocks[i:j], again):
                break
            i = j
        else:
            return
    _verify_lossless(lib, _join(encoded).decode("utf-8"))


def _verify_lossless(lib: Library, text: str) -> None:
    """Refuse `text` as the canonical form of `lib` if it loses content (exact, slower)."""
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

    Nothing is written when the body raises or `dry_run` is set. Keys that were in use
    before and are not after, and keys the body put into `Library.retired`, are added to
    the retired-key record first: a crash between the two writes leaves a key retired
    that is still in the bib (harmless), never a key gone from the bib but free again.
    """
    p = Path(path)
    with locked(p):
        lib = load(p, missing_ok=True)
        if not dry_run and any(x.code == "E001-encoding" for x in lib.problems):
            require_utf8(p)  # refuse before the work, not after it (a sync, a long dedupe)
        unparsed = _unparsed(lib)
        owners = lib.key_owners()
        yield lib
        if not dry_run:
            data = _encode(lib, order)
            # Read back a piece at a time (as `fmt` does), so a big bib is never held as
            # one decoded string.
            if _unparsed(read_data(data, str(p))) > unparsed:
                raise GenbibError(
                    f"{p}: the edited bibliography would not read back (a value set by "
                    "genbib is not valid BibTeX); the file was not changed",
                    hint="please report this; `genbib -v` shows where it happened",
                )
            _retire(p, lib, owners)
            try:
                same = p.read_bytes() == data
            except FileNotFoundError:
                same = False
            if not same:
                bibio.atomic_write(p, data)


def _encode(lib: Library, order: Order) -> bytes:
    """`dumps(lib, order)` as UTF-8, encoded block by block (never one big string)."""
    return _join(_encoded(written_blocks(lib, order)))


def _encoded(blocks: list[Block]) -> list[bytes]:
    return [t.encode("utf-8") for b in blocks if (t := format_block(b)) is not None]


def _join(encoded: list[bytes]) -> bytes:
    return b"\n\n".join(encoded) + b"\n" if encoded else b""


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
