"""The canonical writer: one spelling of a library, so git diffs show only real changes.

Canonical form (documented in the README):
- lower-case entry types and field names, `@type{key,`, two-space indent,
  `field = {value},` with braces (never quotes) and a trailing comma, `}` on its own line;
- known fields in `FIELD_ORDER`, then any others alphabetically;
- entries sorted by citation key (case-insensitively; `order="input"` keeps input order);
- `@string` and `@preamble` blocks first, in their input order (they must precede use);
- comments, free text and unparsed blocks stay attached to the entry that follows them
  (or at the end of the file), unparsed blocks byte for byte;
- one blank line between blocks, a newline at the end of the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Literal, cast

from genbib.bibtex.reader import _BR, _QU, parse, read_canonical
from genbib.model.entry import Entry
from genbib.model.library import Block, Comment, Library, Malformed, Preamble, StringDef, Text
from genbib.model.values import canonical_raw

Order = Literal["key", "input"]

FIELD_ORDER: tuple[str, ...] = (
    "author", "title", "shortname", "editor", "booktitle", "journal", "journaltitle",
    "series", "volume", "number", "pages", "publisher", "organization", "institution",
    "school", "address", "howpublished", "type", "edition", "chapter", "month", "year",
    "date", "note", "presentation", "doi", "eprint", "archiveprefix", "eprinttype", "primaryclass",
    "eprintclass", "isbn", "issn", "url", "pdf", "code", "project", "blog", "video",
    "links", "topics", "annotation", "abstract", "keywords", "ids",
)  # fmt: skip
_RANK = {name: i for i, name in enumerate(FIELD_ORDER)}
_UNKNOWN = len(FIELD_ORDER)


def field_sort_key(name: str) -> tuple[int, str]:
    return (_RANK.get(name, _UNKNOWN), name)


# The canonical order of each set of field names seen: a lab's entries share a few dozen
# shapes, so sorting is done once per shape rather than once per entry.
_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _order(names: tuple[str, ...]) -> tuple[str, ...]:
    order = _ORDERS.get(names)
    if order is None:
        order = tuple(sorted(names, key=field_sort_key))
        if len(_ORDERS) < 4096:
            _ORDERS[names] = order
    return order


def _canonical(raw: str) -> str:
    """`canonical_raw`, with the shapes most values have decided by a few calls in C."""
    if raw.startswith("{"):
        if raw.endswith("}") and raw.count("{") == 1 == raw.count("}"):
            return raw  # one braced group without inner braces: already canonical
    elif raw.startswith('"'):
        if (
            raw.endswith('"')
            and len(raw) > 1
            and raw.count('"') == 2
            and "{" not in raw
            and "}" not in raw
        ):
            return "{" + raw[1:-1] + "}"  # one quoted string without braces
    elif raw.isalnum():
        return "{" + raw + "}" if raw.isdecimal() else raw  # a number, or a macro name
    return canonical_raw(raw)


def format_entry(entry: Entry) -> str:
    """The canonical text of `entry` (`format_proved`'s when it has one: the same text)."""
    out = format_proved(entry)
    return out if out is not None else _format_fields(entry)


def _format_fields(entry: Entry) -> str:
    fields = entry.fields
    parts = [f"@{entry.type.lower()}{{{entry.key},\n"]
    for name in _order(tuple(fields)):
        raw = fields[name]
        # The commonest value (one braced group, no inner braces) needs no call.
        if not (raw[:1] == "{" and raw[-1:] == "}" and raw.count("{") == 1 == raw.count("}")):
            raw = _canonical(raw)
        parts.append(f"  {name} = {raw},\n")
    parts.append("}")
    return "".join(parts)


# `format_proved`'s layouts: per (entry type, field names as stored), the names in
# canonical order and the entry's text as a format string with a slot for the key and one
# per value, filled in one C call. None: a layout that did not read back (never used).
_LAYOUTS: dict[tuple[str, tuple[str, ...]], _Layout | None] = {}
_KEY_TOKEN = re.compile(r"[^\s,{}@]*+")
_BARE_TOKEN = re.compile(r'[^\s{}"#,=()%@]++')  # one macro or number (`split_parts`)
_GROUP_TOKEN = re.compile(_BR)  # one braced group nested at most three deep
_QUOTED_TOKEN = re.compile(_QU)  # one quoted string (braces inside, as the reader's)


@dataclass(frozen=True, slots=True)
class _Layout:
    order: tuple[str, ...]  # the names in canonical order
    text: str  # the entry as a format string: a slot for the key, then one per value
    values: Callable[[dict[str, str]], tuple[str, ...]]  # the values in that order


def format_proved(entry: Entry, *, read: bool = False) -> str | None:
    """The canonical text of `entry` when it is known, without reading it back, to read
    back as `entry`; None otherwise (the caller then formats it and reads it back).

    Why it is known, piece by piece. The layout (type, names, separators) is read back
    once, when made (`_layout`), with a probe value in each slot. Each value goes into
    its slot only as a token the reader reads as a whole value by itself, and means what
    the entry's value means: one braced group (`{...}`, nested at most three deep: the
    reader's own `_BR` grammar) or one bare macro, written as they are; a number or a
    quoted string braced (`2020` -> `{2020}`, `"x {Y}"` -> `{x {Y}}` when that is one
    such group: the same text to BibTeX and to `compare.value`). The key is a key token
    and the text has no `@` but the first, so no line inside can start a block. Any
    other entry (concatenations, deeper nesting, odd names) gets None. A hypothesis test
    holds this to `reader.parse` and to the general writer on random entries.

    `read`: the entry is as the reader's fast path read it (`reader.Piece.spans`), so
    each value is already one token of the reader's grammar (a group as `_BR` reads one,
    a quoted string as `_QU` does, or a bare word): only what that leaves open is
    checked (a braced quoted string's depth, a bare word's characters). A test holds it
    to the full check on the entries the fast path reads.
    """
    fields = entry.fields
    shape = (entry.type, tuple(fields))
    try:
        layout = _LAYOUTS[shape]
    except KeyError:
        layout = _layout(*shape)
    if layout is None:
        return None
    key = entry.key
    if not read and _KEY_TOKEN.fullmatch(key) is None:  # read: `_FAST_KEY`'s (`@`: below)
        return None
    values = []
    for raw in layout.values(fields):
        c = raw[:1]
        if c == "{":
            # Read by `_BR`, a group already (the commonest value costs one test).
            plain = read or (raw[-1] == "}" and raw.count("{") == 1 == raw.count("}"))
            if not plain and _GROUP_TOKEN.fullmatch(raw) is None:
                return None
        elif c == '"':
            plain = raw.count('"') == 2 and raw[-1] == '"' and "{" not in raw and "}" not in raw
            if not (plain or read) and _QUOTED_TOKEN.fullmatch(raw) is None:
                return None
            raw = "{" + raw[1:-1] + "}"
            if not plain and _GROUP_TOKEN.fullmatch(raw) is None:
                return None
        elif raw.isdecimal():
            raw = "{" + raw + "}"
        elif not raw.isalnum() and _BARE_TOKEN.fullmatch(raw) is None:
            return None
        values.append(raw)
    out = layout.text.format(key, *values)
    return out if out.find("@", 1) < 0 else None


def _layout(kind: str, names: tuple[str, ...]) -> _Layout | None:
    """The layout of `format_proved` for entries of type `kind` with fields `names`
    (stored for the next entry of that shape), or None unless it reads back exactly."""
    order = _order(names)
    lower = kind.lower()
    if any("{" in x or "}" in x for x in (lower, *order)):
        layout = None  # a brace in a type or a name never reads back (and is a slot here)
    else:
        text = "@" + lower + "{{{},\n" + "".join(f"  {n} = {{}},\n" for n in order) + "}}"
        probe = [f"{{v{i}}}" for i in range(len(order))]
        want = (lower, "k", dict(zip(order, probe, strict=True)))
        ok = (
            len(order) == len(names) == len(set(names))
            and set(order) == set(names)
            and _reads_back(text.format("k", *probe), want)
        )
        # itemgetter gives a tuple from two names on; one or none: by hand.
        values = itemgetter(*order) if len(order) > 1 else lambda f: tuple(f[n] for n in order)
        layout = _Layout(order, text, values) if ok else None
    if len(_LAYOUTS) < 4096:
        _LAYOUTS[(kind, names)] = layout
    return layout


def _reads_back(text: str, want: tuple[str, str, dict[str, str]]) -> bool:
    """Whether `text` reads back as one entry of that (type, key, fields), and nothing
    else: by `read_canonical` (held to `parse` by a test) when it answers, else `parse`."""
    got = read_canonical(text)
    if got is not None:
        return got == want
    lib = parse(text)
    if lib.problems or len(lib.blocks) != 1 or not isinstance(lib.blocks[0], Entry):
        return False
    e = lib.blocks[0]
    return (e.type, e.key, e.fields) == want


def format_block(block: Block) -> str | None:
    """The canonical text of one block; None for blocks that vanish (blank text)."""
    if isinstance(block, Entry):
        return format_entry(block)
    if isinstance(block, StringDef):
        return f"@string{{{block.name} = {canonical_raw(block.raw)}}}"
    if isinstance(block, Preamble):
        return f"@preamble{{{canonical_raw(block.raw)}}}"
    if isinstance(block, Comment):
        if not block.braced:
            return f"@comment{block.text.rstrip()}"
        return f"@comment{{{block.text}}}"
    if isinstance(block, Malformed):
        return block.raw
    text = block.text.strip("\n").rstrip()
    return text if text.strip() else None


@dataclass(slots=True)
class Formatted:
    """An entry already written out as its canonical bytes, with the key it sorts by.

    What `genbib.bibtex.store` keeps of each entry while it formats a big file a piece
    at a time: the bytes, not the entry's dict and strings (a few times their size).
    """

    key: str
    data: bytes


Item = Block | Formatted


def _ordered(blocks: list[Item], order: Order) -> list[Item]:
    head: list[Item] = []  # everything before the first entry, then hoisted @string/@preamble
    groups: list[tuple[Entry | Formatted, list[Item]]] = []
    pending: list[Item] = []
    seen_entry = False
    loose = False  # free text or an unparsed block: see `_text_before_malformed`
    for b in blocks:
        if isinstance(b, (Entry, Formatted)):
            if not seen_entry:
                head, pending = pending, []
                seen_entry = True
            groups.append((b, pending))
            pending = []
        elif seen_entry and isinstance(b, (StringDef, Preamble)):
            head.append(b)
        elif isinstance(b, Text) and not b.text.strip():
            continue  # blank text: never written
        else:
            pending.append(b)
            loose = loose or isinstance(b, (Text, Malformed))
    if order == "key":
        keys = [(g[0].key.casefold(), g[0].key, i) for i, g in enumerate(groups)]
        keys.sort()  # tuples compared in C; the index keeps equal keys in input order
        groups = [groups[i] for _, _, i in keys]
    out: list[Item] = list(head)
    for entry, lead in groups:
        out.extend(lead)
        out.append(entry)
    out.extend(pending)
    return _text_before_malformed(out) if loose else out


def _text_before_malformed(blocks: list[Item]) -> list[Item]:
    """Move free text that would follow an unparsed block to just before it.

    An unparsed block is read back up to the next line that starts a block, so free text
    written right after one would be read as part of it (and could even complete it into
    an entry). Every other block the writer emits starts on a new line with `@`.
    """
    out: list[Item] = []
    for b in blocks:
        if isinstance(b, Text) and out and isinstance(out[-1], Malformed):
            i = len(out)
            while i > 0 and isinstance(out[i - 1], Malformed):
                i -= 1
            out.insert(i, b)
        else:
            out.append(b)
    return out


def written_items(items: list[Item], order: Order = "key") -> list[Item]:
    """The blocks (or formatted entries) `dumps` writes, in its order; blank text vanishes."""
    return _ordered(items, order)


def written_blocks(library: Library, order: Order = "key") -> list[Block]:
    """The blocks `dumps` writes, in the order it writes them (blank text vanishes)."""
    return cast(list[Block], written_items(cast(list[Item], library.blocks), order))


def dumps(library: Library, order: Order = "key") -> str:
    """The canonical text of a library."""
    blocks = cast(list[Block], _ordered(cast(list[Item], library.blocks), order))
    parts = [t for b in blocks if (t := format_block(b)) is not None]
    return "\n\n".join(parts) + "\n" if parts else ""
