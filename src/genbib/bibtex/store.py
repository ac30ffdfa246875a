"""The canonical bib on disk: read, edit under the lock, write canonically and atomically.

Every command that changes a .bib goes through `edit()` (or `edit_entry()`, its streamed
form for a change to one entry, which `rekey` uses), so the lock, the canonical form and
the atomic replace are applied in one place, and so is the promise that keys are never
reused: a key that an edit removes from the bib (not kept as an alias) is recorded in the
retired-key record beside it (`retired.py`) before the bib is written.
"""

from __future__ import annotations

import contextlib
import mmap
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from genbib.bibtex import io as bibio
from genbib.bibtex import reader, retired, writer
from genbib.bibtex.compare import lost, same_blocks, same_fields
from genbib.bibtex.encoding import require_utf8
from genbib.bibtex.io import locked
from genbib.bibtex.reader import (
    parse,
    read_canonical,
    read_data,
    read_pieces,
)
from genbib.bibtex.writer import Formatted, Item, Order, written_blocks, written_items
from genbib.errors import FileError, GenbibError
from genbib.model.entry import Entry
from genbib.model.library import Block, Library, Malformed
from genbib.model.problems import Problem
from genbib.nogc import no_gc


def load(path: str | Path, *, missing_ok: bool = False) -> Library:
    """The library at `path`, with the keys retired from it (`Library.retired`)."""
    p = Path(path)
    if missing_ok and not p.exists():
        lib = Library(file=str(p))
    else:
        with _mapped(p, missing_ok=False) as data:  # memory: never resident whole
            lib = read_data(data, str(p))
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

    Built for big files, in time and memory: the bytes are read a piece at a time and
    each entry is turned into its canonical bytes at once (`_format_pieces`), checked
    and dropped, so the file is never held as entries and output together; the output
    is written as a list of parts, never joined. The unified diff (difflib over every
    line, the costliest part) is built only when asked for, by default in check mode.
    """
    p = Path(path)
    want_diff = check if diff is None else diff
    with contextlib.ExitStack() as stack:
        if not check:
            stack.enter_context(locked(p))
        with no_gc():
            with _mapped(p) as original:  # memory: the diff, when wanted, reads it again
                size = len(original)
                items, problems, utf8 = _format_pieces(original, str(p))
            if not check and not utf8:
                require_utf8(p, convert=to_utf8)
            written = written_items(items, order)
            del items
            parts = [x.data if isinstance(x, Formatted) else _encode_block(x) for x in written]
            changed = _differs(parts, size, lambda: _file_digest(p))
            result = FormatResult(p, changed, "", problems)
            if not changed:
                return result
            _verify_seams(written, str(p))
            del written
        if want_diff:
            result.diff = unified_diff(p.read_bytes(), _join(parts).decode("utf-8"), str(p))
        if not check:
            bibio.atomic_write(p, _with_separators(parts))  # under the lock, known to differ
        return result


@contextlib.contextmanager
def _mapped(path: Path, *, missing_ok: bool = True) -> Iterator[bytes | mmap.mmap]:
    """The bytes of `path` (b"" when missing), memory-mapped when big enough to matter,
    so that reading it a piece at a time never holds it whole (`read_pieces`).

    The map is closed before anything is written. Another program truncating the file in
    place while it is mapped (genbib's own writers wait for the lock and replace the file
    by rename, as most editors do) ends the process with SIGBUS: nothing is written then,
    where a plain read could have formatted and written back a torn file.
    """
    try:
        f = path.open("rb")
    except FileNotFoundError as exc:
        if not missing_ok:
            raise FileError.from_os(exc, path, "read") from None
        yield b""
        return
    except OSError as exc:
        raise FileError.from_os(exc, path, "read") from None
    with f:
        try:
            if os.fstat(f.fileno()).st_size <= 2 * reader.PIECE:
                yield f.read()
                return
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except OSError as exc:
            raise FileError.from_os(exc, path, "read") from None
        with mapped:
            yield mapped


def _format_pieces(
    data: bytes | mmap.mmap, file: str, keep: Callable[[Entry], bool] | None = None
) -> tuple[list[Item], list[Problem], bool]:
    """Every block of `data`, entries already as canonical bytes (`Formatted`), the
    problems found reading, and whether the bytes were plain UTF-8.

    Most entries are written by `writer.format_proved`, whose text is known to read back
    as the entry (layouts read back once, values only as tokens that read back as
    themselves). An entry it does not cover is kept as it is when its canonical text is
    what the file holds already; any other is read back on its own and compared with
    the entry (`_verify_entry`); how the blocks read back side by side is
    `_verify_seams`'s part. An entry for which `keep` says True stays an `Entry` (for
    `edit_entry` to change).
    """
    # Looked up once (and where a test can replace them).
    proved, fmt = writer.format_proved, writer.format_entry
    items: list[Item] = []
    problems: list[Problem] = []
    utf8 = True
    for piece in read_pieces(data, file):
        problems.extend(piece.problems)
        utf8 = utf8 and piece.utf8
        text = piece.text
        for block, (start, end, read) in zip(piece.blocks, piece.spans, strict=True):
            if isinstance(block, Entry):
                if keep is not None and keep(block):
                    items.append(block)
                    continue
                out = proved(block, read=read)  # known to read back as `block` (see there)
                if out is None:
                    out = fmt(block)
                    if len(out) != end - start or not text.startswith(out, start):
                        _verify_entry(block, out, file)
                items.append(Formatted(block.key, out.encode("utf-8")))
            else:
                items.append(block)
        del piece, text  # memory: one piece's entries alive at a time
    return items, problems, utf8


def _verify_entry(entry: Entry, out: str, file: str) -> None:
    """Refuse `out` as `entry`'s canonical text unless it reads back as the same entry.

    Most entries are read back by `read_canonical` (one split in C, the reader's own
    grammar) and compared as dicts, values parsed only where their spelling changed;
    any other shape is read by the full reader.
    """
    got = read_canonical(out)
    if got is not None:
        kind, key, fields = got
        if (
            kind == entry.type.lower()
            and key == entry.key
            and (fields == entry.fields or same_fields(entry.fields, fields))
        ):
            return
    again = parse(out, file)
    if not same_blocks([entry], again):
        _verify_lossless(Library([entry], file=file), out)


def _verify_seams(written: list[Item], file: str) -> None:
    """Refuse an output whose blocks would not read back as written, side by side.

    Each entry was checked on its own (`_verify_entry`), and an entry's canonical text
    reads the same whatever follows it (it ends with its own `}`, and the next block
    starts a new line with `@`). What may read differently in place are the other blocks
    (free text, comments, unparsed blocks) and their neighbours, so each run of them is
    read back with the entries around it and compared block by block (`same_blocks`);
    a window that does not compare equal (free text re-divided on a re-read, or a real
    loss) is compared as content (`lost`), which is exact.
    """
    n = len(written)
    near = [False] * n
    for i, x in enumerate(written):
        if not isinstance(x, Formatted):
            near[max(i - 1, 0) : i + 2] = [True] * (min(i + 2, n) - max(i - 1, 0))
    i = 0
    while i < n:
        if not near[i]:
            i += 1
            continue
        j = i
        while j < n and near[j]:
            j += 1
        window = written[i:j]
        expected: list[Block] = [
            _entry_of(x, file) if isinstance(x, Formatted) else x for x in window
        ]
        text = _join([x.data if isinstance(x, Formatted) else _encode_block(x) for x in window])
        if not same_blocks(expected, parse(text.decode("utf-8"), file)):
            _verify_lossless(Library(expected, file=file), text.decode("utf-8"))
        i = j


def _entry_of(item: Formatted, file: str) -> Block:
    """The entry a formatted entry reads back as on its own (checked by `_verify_entry`):
    by `read_canonical` (held to `parse` by a test) when it answers, else `parse`."""
    text = item.data.decode("utf-8")
    got = read_canonical(text)
    if got is not None:
        return Entry(*got, 1, file)
    blocks = parse(text, file).blocks
    return blocks[0] if len(blocks) == 1 else Malformed(text)


def _encode_block(block: Block) -> bytes:
    text = writer.format_block(block)
    assert text is not None  # blank text is not among the written blocks
    return text.encode("utf-8")


def _differs(parts: list[bytes], size: int, digest: bytes | Callable[[], bytes]) -> bool:
    """Whether `_join(parts)` differs from the bytes of that size and SHA-256 digest
    (`digest` may be a function giving it: called only when the sizes agree)."""
    if sum(map(len, parts)) + 2 * len(parts) - 1 + (not parts) != size:
        return True
    import hashlib  # here: a rewrite that changes the size never loads it

    if not isinstance(digest, bytes):
        digest = digest()
    h = hashlib.sha256()
    for chunk in _with_separators(parts):
        h.update(chunk)
    return h.digest() != digest


def _file_digest(path: Path) -> bytes:
    """The SHA-256 digest of the file at `path` (of b"" when there is none), read in
    buffers: the file is never resident whole."""
    import hashlib

    try:
        with path.open("rb") as f:
            return hashlib.file_digest(f, "sha256").digest()
    except FileNotFoundError:
        return hashlib.sha256(b"").digest()
    except OSError as exc:
        raise FileError.from_os(exc, path, "read") from None


def _with_separators(parts: list[bytes]) -> list[bytes]:
    """The pieces of `_join(parts)`, not joined (a big file is never copied whole)."""
    out = [b"\n\n"] * (2 * len(parts))
    out[::2] = parts
    if out:
        out[-1] = b"\n"
    return out


def unified_diff(original: bytes, text: str, name: str) -> str:
    """The unified diff from `original` to `text`, for `fmt --check` / `--diff`."""
    import difflib

    old = original.decode("utf-8", errors="replace").splitlines(keepends=True)
    new = text.splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, name, f"{name} (canonical)"))


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
        owners = lib.key_owners()
        yield lib
        if not dry_run:
            with no_gc(), _as_on_disk(p) as (verbatim, size):
                try:
                    parts = _checked_parts(lib, order, verbatim)
                except GenbibError:
                    raise _unreadable(p) from None
            _retire(p, lib, owners)
            # (the file is read again only when the sizes agree; an empty bib is made too)
            if _differs(parts, size, lambda: _file_digest(p)) or not p.exists():
                bibio.atomic_write(p, _with_separators(parts))


@dataclass
class Picked:
    """What `edit_entry` gives its body: the entry to change (None when no entry was
    picked) and the bib's retired-key record (`Library.retired`)."""

    entry: Entry | None
    retired: dict[str, str]


@contextlib.contextmanager
def edit_entry(
    path: str | Path,
    pick: Callable[[Entry], bool],
    *,
    order: Order = "key",
    dry_run: bool = False,
) -> Iterator[Picked]:
    """`edit` for a change to one entry, streamed: the same lock, checks and bytes as
    `edit` whose body changes that entry only, in the time and memory of `format_file`.

    One pass reads the file a piece at a time and shows every entry to `pick`; the
    first one it says True for is given to the body, every other is turned into its
    canonical bytes at once (kept as they stand when the file holds them already, else
    read back and compared, as `edit` does). On success the changed entry is written and
    read back, the blocks are put in order, and the file is replaced atomically if it
    changed. Keys the entry no longer has are retired (`edit`'s promise); `pick` sees all
    the other entries, so a caller can note what it needs of them (a key clash).
    """
    p = Path(path)
    file = str(p)
    kept: list[Entry] = []

    def keep(entry: Entry) -> bool:
        if pick(entry) and not kept:
            kept.append(entry)
            return True
        return False

    with locked(p):
        with no_gc(), _mapped(p) as data:
            size = len(data)
            try:
                items, problems, _ = _format_pieces(data, file, keep)
            except GenbibError:
                raise _unreadable(p) from None
        if not dry_run and any(x.code == "E001-encoding" for x in problems):
            require_utf8(p)  # as `edit`: refuse before the work
        entry = kept[0] if kept else None
        before = _names(entry)
        as_was = entry.copy() if entry is not None else None  # for the note of a key it drops
        picked = Picked(entry, retired.load(retired.retired_path(p)))
        yield picked
        if dry_run:
            return
        with no_gc():
            try:
                if entry is not None:
                    at = next(i for i, x in enumerate(items) if x is entry)
                    out = writer.format_entry(entry)
                    _verify_entry(entry, out, file)
                    items[at] = Formatted(entry.key, out.encode("utf-8"))
                written = written_items(items, order)
                del items
                _verify_seams(written, file)
            except GenbibError:
                raise _unreadable(p) from None
            parts = [x.data if isinstance(x, Formatted) else _encode_block(x) for x in written]
            del written
        gone = before - _names(entry)
        if gone or picked.retired:
            assert as_was is not None or not gone  # `before` is empty without an entry
            _record(p, picked.retired, dict.fromkeys(gone, as_was))
        if _differs(parts, size, lambda: _file_digest(p)) or not p.exists():
            bibio.atomic_write(p, _with_separators(parts))


def _names(entry: Entry | None) -> set[str]:
    """The key and aliases of `entry` (none for None)."""
    return set() if entry is None else {entry.key, *entry.aliases} - {""}


def _unreadable(path: Path) -> GenbibError:
    return GenbibError(
        f"{path}: the edited bibliography would not read back (a value set by "
        "genbib is not valid BibTeX); the file was not changed",
        hint="please report this; `genbib -v` shows where it happened",
    )


def _checked_parts(lib: Library, order: Order, verbatim: Callable[[bytes], bool]) -> list[bytes]:
    """The canonical bytes of `lib`'s blocks, each entry read back unless it is known to
    read back (`writer.format_proved`) or the file holds exactly those bytes as a block
    already (`verbatim`: what an edit left untouched)."""
    file = lib.file
    items: list[Item] = []
    for block in written_blocks(lib, order):
        if isinstance(block, Entry):
            out = writer.format_proved(block)  # known to read back as `block` (see there)
            if out is not None:
                items.append(Formatted(block.key, out.encode("utf-8")))
                continue
            out = writer.format_entry(block)
            data = out.encode("utf-8")
            if not verbatim(data):
                _verify_entry(block, out, file)
            items.append(Formatted(block.key, data))
        else:
            items.append(block)
    _verify_seams(items, file)
    return [x.data if isinstance(x, Formatted) else _encode_block(x) for x in items]


@contextlib.contextmanager
def _as_on_disk(path: Path) -> Iterator[tuple[Callable[[bytes], bool], int]]:
    """What `path` holds now: a test of whether some bytes are one of its blocks as they
    stand (between blank lines, as the writer separates them), and its size.

    The blocks are known by their BLAKE2b digests (16 bytes each, collisions out of
    reach), so the file's pages are let go of once indexed and never read again. They
    are indexed at the first question: most edits ask none (every entry they write is
    `writer.format_proved`'s), and a 20,000-entry file costs 50 ms to index.
    """
    import hashlib

    with _mapped(path) as data:
        n = len(data)
        seen: set[bytes] | None = None

        def index() -> set[bytes]:
            found: set[bytes] = set()
            start = done = 0
            while start < n:
                cut = data.find(b"\n\n@", start)
                stop = (n - 1 if data[n - 1 : n] == b"\n" else n) if cut < 0 else cut
                found.add(hashlib.blake2b(data[start:stop], digest_size=16).digest())
                start = n if cut < 0 else cut + 2
                if start - done >= reader.PIECE or start >= n:
                    reader.let_go(data, start)
                    done = start
            return found

        def verbatim(part: bytes) -> bool:
            nonlocal seen
            if seen is None:
                seen = index()
            return hashlib.blake2b(part, digest_size=16).digest() in seen

        yield verbatim, n


def _join(encoded: list[bytes]) -> bytes:
    return b"\n\n".join(encoded) + b"\n" if encoded else b""


def _retire(path: Path, lib: Library, owners: dict[str, Entry]) -> None:
    """Record the keys this edit removed, merged with what is on disk (the record grows)."""
    gone = owners.keys() - lib.keys_in_use()
    if not gone and not lib.retired:
        return
    lib.retired = _record(path, lib.retired, {key: owners[key] for key in gone})


def _record(path: Path, now: dict[str, str], gone: Mapping[str, Entry | None]) -> dict[str, str]:
    """The retired-key record beside `path` with `now`'s keys and the `gone` ones (each
    noted from the entry that had it), saved; the record only grows."""
    rpath = retired.retired_path(path)
    record = retired.load(rpath)
    for key, note in now.items():
        record.setdefault(key, note)
    for key, owner in gone.items():
        assert owner is not None
        record.setdefault(key, retired.note(owner))
    retired.save(rpath, record, path.name)
    return record
