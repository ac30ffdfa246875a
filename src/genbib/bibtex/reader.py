"""The lossless BibTeX reader: a block splitter plus a field tokenizer.

Why our own: pyzotero pins bibtexparser below 2, whose parser is two orders of magnitude
too slow for a lab's file, and pybtex drops comments and raises or drops entries on
real-world input. Design (after bibtexparser 2): cut the text into blocks, each with its
start line; parse each block on its own; a block that fails is kept verbatim as
`Malformed` with a problem record, and parsing resumes at the next line that starts a
block, so one bad entry never costs the rest of the file.
"""

from __future__ import annotations

import mmap
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from genbib.bibtex.encoding import decode as decode_bytes
from genbib.bibtex.encoding import read_bytes
from genbib.model.entry import Entry
from genbib.model.library import (
    Block,
    Comment,
    Library,
    Malformed,
    Preamble,
    StringDef,
    Text,
)
from genbib.model.problems import Problem
from genbib.model.values import match_brace, match_quote
from genbib.nogc import no_gc

_AT = re.compile(r"@[ \t]*([A-Za-z][\w:.+-]*)[ \t\r\n]*([{(]?)")
# Where a block may start for recovery: a line whose first non-blank character is `@`.
_BOUNDARY = re.compile(r"^[ \t]*@[ \t]*[A-Za-z][\w:.+-]*[ \t\r\n]*[{(]", re.MULTILINE)
_SPECIAL = frozenset(("comment", "preamble", "string"))

# The fast path (see `_fast_entry`): the same grammar as the careful parser below, for
# the common entry (`{`-delimited, every value one braced group nested at most three
# deep, one quoted string or one bare word), written so that one `re.split` call reads
# all the fields of an entry in C. Anything else takes the careful path.
_BR = r"\{(?:[^{}]++|\{(?:[^{}]++|\{[^{}]*+\})*+\})*+\}"
_QU = r'"(?:[^"{}]++|' + _BR + r')*+"'
_FAST_KEY = re.compile(r"\s*+([^\s,{}]*+)\s*+,")
_FAST_FIELDS = re.compile(
    r'\s*+([^\s=,{}"#%()]++)\s*+=\s*+(' + _BR + "|" + _QU + r'|[^\s,#{}"=]++)\s*+(?:,|\Z)'
)
_WS = re.compile(r"\s*")
_KEY = {"{": re.compile(r"[^\s,{}]*"), "(": re.compile(r"[^\s,{}()]*")}
_NAME = re.compile(r"[^\s=,{}\"#%()]+")
_BARE = {"{": re.compile(r"[^\s,#{}\"=]+"), "(": re.compile(r"[^\s,#{}\"=()]+")}


class _Fail(Exception):
    def __init__(self, reason: str, offset: int, code: str = "E002-parse") -> None:
        super().__init__(reason)
        self.reason = reason
        self.offset = offset
        self.code = code


def decode(data: bytes, file: str = "") -> tuple[str, list[Problem]]:
    """Bytes to text and the encoding finding (the policy lives in `genbib.bibtex.io`)."""
    out = decode_bytes(data, file)
    return out.text, out.problems


def read_file(path: str | Path) -> Library:
    """Read a .bib file; only an unreadable file raises, bad content becomes problems."""
    path = Path(path)
    return read_data(read_bytes(path), str(path))


# Big files are decoded and parsed a piece at a time (see `read_data`): the decoded text
# of a whole file is up to four times its size in memory, a piece's is small.
PIECE = 1 << 18
_CUT = re.compile(rb"\n@[ \t]*[A-Za-z][\w:.+-]*[ \t\r\n]*[{(]")


def read_data(data: bytes | mmap.mmap, file: str = "") -> Library:
    """A library from a file's bytes, exactly as `parse(decode(data))` reads it.

    A file bigger than a few pieces is cut just before lines that start a block
    (`_BOUNDARY`: no block extends past one, so the cuts change nothing) and each piece
    is decoded and parsed in turn; a file that is not plain UTF-8 is read whole.
    """
    lib = Library(file=file)
    with no_gc():
        for piece in read_pieces(data, file):
            lib.blocks.extend(piece.blocks)
            lib.problems.extend(piece.problems)
    return lib


@dataclass(slots=True)
class Piece:
    """A run of blocks read from one piece of a file, with where each came from.

    `spans[i]` is the (start, end) of `blocks[i]` in `text` (an entry's canonical form
    equal to `text[start:end]` is written back as it is, with nothing to check) and
    whether the fast path read it (`_fast_entry`: every value then is one token of its
    grammar as it stands, which `writer.format_proved` need not check again).
    """

    text: str
    blocks: list[Block]
    spans: list[tuple[int, int, bool]]
    problems: list[Problem]
    utf8: bool  # decoded as plain UTF-8 (no byte-order mark, no fallback)


def read_pieces(data: bytes | mmap.mmap, file: str = "") -> Iterator[Piece]:
    """The blocks of a file's bytes a piece at a time (see `read_data`), so that a caller
    can turn each piece into output and drop it before reading the next one.

    `data` may be a read-only memory map of the file: the pages of each piece are then
    let go of once it is read, so the file is never resident in the process as a whole.
    """
    seen: dict[str, tuple[int, str]] = {}
    if len(data) > 2 * PIECE and data.find(b"\r") < 0 and data[:3] != b"\xef\xbb\xbf":
        # Decode every piece first: a file that is not UTF-8 is read whole (below, with
        # the Latin-1 fallback and its warning), and nothing has been yielded yet.
        cuts: list[int] = []
        start = 0
        try:
            while start < len(data):
                m = _CUT.search(data, start + PIECE)
                end = len(data) if m is None else m.start() + 1
                data[start:end].decode("utf-8")
                cuts.append(end)
                let_go(data, end)
                start = end
        except UnicodeDecodeError:
            pass
        else:
            line, start = 1, 0
            for end in cuts:
                text = data[start:end].decode("utf-8")
                piece = Piece(text, [], [], [], True)
                _parse_into(piece.blocks, piece.problems, text, file, line, seen, piece.spans)
                yield piece
                del piece  # memory: the caller is done with it before the next is read
                line += text.count("\n")
                let_go(data, end)
                start = end
            return
    text, problems = decode(data if isinstance(data, bytes) else data[:], file)
    # utf8=False: a small or unusual file is checked exactly by the caller (`require_utf8`).
    piece = Piece(text, [], [], problems, False)
    _parse_into(piece.blocks, piece.problems, text, file, 1, seen, piece.spans)
    yield piece


def let_go(data: bytes | mmap.mmap, end: int) -> None:
    """Drop the pages of a memory-mapped file before `end` from the process (they stay in
    the page cache, and a later read maps them again)."""
    if isinstance(data, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        end -= end % mmap.PAGESIZE
        if end > 0:
            data.madvise(mmap.MADV_DONTNEED, 0, end)


def parse(text: str, file: str = "") -> Library:
    """Parse BibTeX text into a library of blocks; never raises on content."""
    lib = Library(file=file)
    _parse_into(lib.blocks, lib.problems, text, file, 1, {})
    return lib


def _parse_into(
    blocks: list[Block],
    problems: list[Problem],
    text: str,
    file: str,
    line: int,
    seen_keys: dict[str, tuple[int, str]],
    spans: list[tuple[int, int, bool]] | None = None,
) -> None:
    """Append the blocks of `text` (starting on line `line` of `file`) to `blocks`, and
    where each was read to `spans` when given."""
    pos = 0  # start of text not yet given to a block
    scan = 0  # where to look for the next `@`
    n = len(text)
    while True:
        m = _AT.search(text, scan)
        if m is None:
            break
        kind, delim = m.groups()
        if not delim:  # `@` not opening a block (an e-mail address in free text)
            scan = m.end()
            continue
        start = m.start()
        if start > pos:
            chunk = text[pos:start]
            if chunk.strip():
                blocks.append(Text(chunk, line))
                if spans is not None:
                    spans.append((pos, start, False))
            line += chunk.count("\n")
        kind = kind.lower()
        fast = None
        block: Entry | StringDef | Preamble | Comment
        if delim == "{" and kind not in _SPECIAL:
            fast = _fast_entry(text, kind, start, m.end(), line, file)
        try:
            if fast is not None:
                end, block = fast
            else:
                limit = _next_boundary(text, start)
                end, block = _parse_block(text, kind, delim, m.end(), limit, line, file)
        except _Fail as fail:
            end = limit
            raw = text[start:end].rstrip()
            # The problem points at the block's first line (where an editor should jump);
            # the message says where the reader gave up when that is elsewhere.
            rel = text.count("\n", start, min(fail.offset, end))
            at = f" (noticed on line {line + rel})" if rel else ""
            blocks.append(Malformed(raw, line, fail.reason))
            if spans is not None:
                spans.append((start, end, False))
            problems.append(
                Problem(
                    fail.code,
                    f"{fail.reason}{at}; block kept as written",
                    file=file,
                    line=line,
                    key=malformed_key(raw),
                )
            )
        else:
            if isinstance(block, Entry) and block.key:
                # BibTeX and biber compare keys case-insensitively: `Ho2020` and
                # `ho2020` clash in a document even though they differ here.
                first_seen = (line, block.key)
                seen = seen_keys.setdefault(block.key.casefold(), first_seen)
                if seen is not first_seen:
                    first, spelled = seen
                    as_ = "" if spelled == block.key else f" (as {spelled!r})"
                    problems.append(
                        Problem(
                            "E003-duplicate-key",
                            f"key {block.key!r} already used on line {first}{as_}",
                            file=file,
                            line=line,
                            key=block.key,
                        )
                    )
            blocks.append(block)
            if spans is not None:
                spans.append((start, end, fast is not None))
        line += text.count("\n", start, end)
        pos = scan = end
    if pos < n and text[pos:].strip():
        blocks.append(Text(text[pos:], line))
        if spans is not None:
            spans.append((pos, n, False))


def _next_boundary(text: str, start: int) -> int:
    """Where the next block after `start` may begin: a block that fails ends there."""
    b = _BOUNDARY.search(text, start + 1)
    return len(text) if b is None else b.start()


class _Names(dict[str, str]):
    """A field name as read -> lower-cased and interned (a library's 10^5 entries share
    a few dozen names: one dict look-up each, not two calls)."""

    def __missing__(self, name: str) -> str:
        lower = sys.intern(name.lower())
        if len(self) < 4096:
            self[name] = lower
        return lower


_FIELD_NAME = _Names()


def _fast_entry(
    text: str, kind: str, start: int, i: int, line: int, file: str
) -> tuple[int, Entry] | None:
    """The entry whose body starts at `i`, when it has the common shape; else None.

    Returns exactly what `_entry` would (the grammar is the same), or None to let it
    decide: the entry must close with the last `}` before the next line starting with
    `@`, no line inside it may start a block (`_BOUNDARY`, which bounds the careful
    path), its fields must cover the body with nothing left over, and no field name may
    repeat. The bulk of the work is one `re.split` in C, not a Python loop per field.
    """
    km = _FAST_KEY.match(text, i)
    if km is None:
        return None
    body = km.end()
    lim = text.find("\n@", body)
    close = text.rfind("}", body, len(text) if lim < 0 else lim)
    if close < 0:
        return None
    if text.find("@", start + 1, close) >= 0:  # rare (e-mail addresses): check exactly
        b = _BOUNDARY.search(text, start + 1)
        if b is not None and b.start() < close:
            return None
    parts = _FAST_FIELDS.split(text[body:close])
    if len(parts) == 1:
        if parts[0].strip():
            return None
        return close + 1, Entry(kind, km.group(1), {}, line, file)
    # What the fields do not cover: nothing between them (a gap there is never blank
    # only: `\s*+` starts each field), blank after the last.
    if any(parts[:-1:3]) or parts[-1].strip():
        return None
    names = parts[1::3]
    fields = dict(zip(map(_FIELD_NAME.__getitem__, names), parts[2::3], strict=True))
    if len(fields) != len(names):
        return None  # a repeated field: the careful path reports it
    return close + 1, Entry(kind, km.group(1), fields, line, file)


# The writer's layout of an entry, read by `read_canonical`: `_FAST_FIELDS` with the
# whitespace the writer puts (and no quoted values: the writer writes braces).
_CANON_HEAD = re.compile(r"@([A-Za-z][\w:.+-]*+)\{([^\s,{}]*+),")
_CANON_FIELDS = re.compile(r'\n  ([^\s=,{}"#%()]++) = (' + _BR + r'|[^\s,#{}"=]++),')


def read_canonical(text: str) -> tuple[str, str, dict[str, str]] | None:
    """(type, key, fields) of one entry in the writer's layout, as `parse` reads it.

    The cheap half of the check that a canonical rewrite loses nothing: one `re.split`
    in C with the fast path's own value grammar. It answers only for the plain shape
    (`@type{key,`, then `  name = value,` lines, then `}`, at least one field and no
    `@` after the first character, so that no line inside can start a block); for
    anything else it returns None and the caller reads the text in full with `parse`.
    A hypothesis test holds it to `parse` on random entries.
    """
    head = _CANON_HEAD.match(text)
    if head is None or "@" in text[1:]:
        return None
    kind = head.group(1).lower()
    if kind in _SPECIAL:
        return None
    parts = _CANON_FIELDS.split(text)
    if len(parts) < 4 or parts[0] != head.group() or parts[-1] != "\n}":
        return None
    if "".join(parts[3:-1:3]):
        return None
    names = parts[1::3]
    fields = dict(zip(map(str.lower, names), parts[2::3], strict=True))
    if len(fields) != len(names):
        return None
    return kind, head.group(2), fields


_RAW_KEY = re.compile(
    r"@[ \t]*[A-Za-z][\w:.+-]*[ \t\r\n]*[{(][ \t\r\n]*([^\s,{}()=\"#%]+)[ \t\r\n]*,"
)


def malformed_key(raw: str) -> str:
    """The citation key of a block that did not parse, when one can be seen."""
    m = _RAW_KEY.match(raw)
    return m.group(1) if m else ""


def _parse_block(
    text: str, kind: str, delim: str, i: int, limit: int, line: int, file: str
) -> tuple[int, Entry | StringDef | Preamble | Comment]:
    close = "}" if delim == "{" else ")"
    if kind == "comment":
        if delim == "{":
            j = match_brace(text, i - 1, limit)
            if j >= 0:
                return j + 1, Comment(text[i:j], line)
        # Unbraced @comment: BibTeX ignores the rest of the line.
        j = text.find("\n", i)
        j = limit if j < 0 or j > limit else j
        return j, Comment(text[i - 1 : j], line, braced=False)
    if kind == "preamble":
        vstart = _WS.match(text, i).end()  # type: ignore[union-attr]
        vend, after = _value(text, vstart, limit, delim)
        if after >= limit or text[after] != close:
            raise _Fail("@preamble not closed", after)
        return after + 1, Preamble(text[vstart:vend], line)
    if kind == "string":
        j = _WS.match(text, i).end()  # type: ignore[union-attr]
        nm = _NAME.match(text, j)
        if not nm:
            raise _Fail("@string without a name", j)
        j = _WS.match(text, nm.end()).end()  # type: ignore[union-attr]
        if j >= limit or text[j] != "=":
            raise _Fail("@string without '='", j)
        vstart = _WS.match(text, j + 1).end()  # type: ignore[union-attr]
        vend, after = _value(text, vstart, limit, delim)
        if after < limit and text[after] == ",":
            after = _WS.match(text, after + 1).end()  # type: ignore[union-attr]
        if after >= limit or text[after] != close:
            raise _Fail("@string not closed", after)
        return after + 1, StringDef(nm.group(), text[vstart:vend], line)
    return _entry(text, kind, delim, close, i, limit, line, file)


def _entry(
    text: str, kind: str, delim: str, close: str, i: int, limit: int, line: int, file: str
) -> tuple[int, Entry]:
    j = _WS.match(text, i).end()  # type: ignore[union-attr]
    km = _KEY[delim].match(text, j, limit)  # a key never reads past the block
    key = km.group() if km else ""
    j = _WS.match(text, km.end() if km else j).end()  # type: ignore[union-attr]
    fields: dict[str, str] = {}
    if j >= limit:
        raise _Fail(f"@{kind}{{{key}: entry not closed", j)
    if text[j] == close:
        return j + 1, Entry(kind, key, fields, line, file)
    if text[j] != ",":
        raise _Fail(f"@{kind}{{{key}: expected ',' after the key", j)
    j += 1
    while True:
        j = _WS.match(text, j).end()  # type: ignore[union-attr]
        if j >= limit:
            raise _Fail(f"@{kind}{{{key}: entry not closed", j)
        if text[j] == close:
            return j + 1, Entry(kind, key, fields, line, file)
        nm = _NAME.match(text, j)
        if not nm:
            raise _Fail(
                f"@{kind}{{{key}: expected a field name at {text[j : min(j + 20, limit)]!r}", j
            )
        name = sys.intern(nm.group().lower())
        j = _WS.match(text, nm.end()).end()  # type: ignore[union-attr]
        if j >= limit or text[j] != "=":
            raise _Fail(f"@{kind}{{{key}: field {name!r} without '='", j)
        vstart = _WS.match(text, j + 1).end()  # type: ignore[union-attr]
        vend, j = _value(text, vstart, limit, delim)
        if name in fields:
            raise _Fail(
                f"@{kind}{{{key}: duplicate field {name!r} (both values kept)",
                vstart,
                "E004-duplicate-field",
            )
        fields[name] = text[vstart:vend]
        if j < limit and text[j] == ",":
            j += 1
        elif j >= limit or text[j] != close:
            raise _Fail(f"@{kind}{{{key}: expected ',' or '{close}' after field {name!r}", j)


def _value(text: str, i: int, limit: int, delim: str) -> tuple[int, int]:
    """Parse a value expression at `i`: (end of the value, index of the next token)."""
    bare = _BARE[delim]
    while True:
        if i >= limit:
            raise _Fail("value missing", i)
        c = text[i]
        if c == "{":
            j = match_brace(text, i, limit)
            if j < 0:
                raise _Fail("unbalanced braces in a value", i)
            end = j + 1
        elif c == '"':
            j = match_quote(text, i, limit)
            if j < 0:
                raise _Fail("unterminated quoted value", i)
            end = j + 1
        else:
            m = bare.match(text, i)
            if not m:
                raise _Fail(f"unexpected {c!r} in a value", i)
            end = m.end()
        nxt = _WS.match(text, end).end()  # type: ignore[union-attr]
        if nxt < limit and text[nxt] == "#":
            i = _WS.match(text, nxt + 1).end()  # type: ignore[union-attr]
            continue
        return end, nxt
