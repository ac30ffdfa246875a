"""What "loses nothing" means: a library's content, independent of layout and order.

`genbib fmt` may reorder entries and fields, turn quotes into braces and reindent, but
every entry, field value, macro reference, `@string`, `@preamble`, comment and unparsed
block must survive. `content()` reduces a library to exactly that, so the formatter can
verify its own output before writing it and tests can compare a file with its rewrite.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable

from genbib.model.entry import Entry
from genbib.model.library import Block, Comment, Library, Malformed, Preamble, StringDef, Text
from genbib.model.values import ValueError_, split_parts

Value = tuple[tuple[str, str], ...]


def value(raw: str) -> Value:
    """A value expression as its parts: text (braced, quoted or a number) or macro."""
    if raw.startswith("{") and raw.endswith("}") and raw.count("{") == 1 == raw.count("}"):
        return (("text", raw[1:-1]),)  # one braced group: what split_parts says, sooner
    try:
        parts = split_parts(raw)
    except ValueError_:
        return (("raw", raw),)
    return tuple(
        ("macro", p.text.lower()) if p.kind == "macro" else ("text", p.text) for p in parts
    )


def content(library: Library) -> Counter[Hashable]:
    """Every meaningful block of `library` as a hashable record, with multiplicity."""
    out: Counter[Hashable] = Counter()
    for block in library.blocks:
        if isinstance(block, Entry):
            fields = tuple(sorted((name.lower(), value(raw)) for name, raw in block.fields.items()))
            out[("entry", block.type.lower(), block.key, fields)] += 1
        elif isinstance(block, StringDef):
            out[("string", block.name.lower(), value(block.raw))] += 1
        elif isinstance(block, Preamble):
            out[("preamble", value(block.raw))] += 1
        elif isinstance(block, Comment):
            text = block.text if block.braced else block.text.rstrip()
            out[("comment", text, block.braced)] += 1
        else:
            # Free text and unparsed blocks are both written back verbatim, but a re-read
            # may draw the line between them elsewhere (an unparsed block runs to the next
            # line starting with `@`, taking free text that now follows it), so count
            # their words together: the bytes are all there, whichever block holds them.
            raw = block.raw if isinstance(block, Malformed) else block.text
            for word in raw.split():
                out[("text", word)] += 1
    return out


def lost(before: Library, after: Library) -> list[Hashable]:
    """Records of `before` missing from `after` (empty when nothing was lost)."""
    return list((content(before) - content(after)).elements())


def same_blocks(expected: list[Block], after: Library) -> bool:
    """True when `after` holds `expected`'s content block by block, in the same order.

    The cheap half of the losslessness check: a canonical rewrite re-read gives back its
    blocks one for one, and most fields byte for byte, so comparing pairwise (dict
    equality in C, the value parse only where a value's spelling changed) settles it.
    False means "not shown equal" (free text may be re-divided on a re-read): the caller
    then compares the content as multisets (`lost`), which is exact.
    """
    got = after.blocks
    if len(got) != len(expected):
        return False
    for a, b in zip(expected, got, strict=True):
        if type(a) is not type(b):
            return False
        if isinstance(a, Entry):
            assert isinstance(b, Entry)
            if a.type.lower() != b.type.lower() or a.key != b.key:
                return False
            if a.fields != b.fields and not same_fields(a.fields, b.fields):
                return False
        elif _record(a) != _record(b):
            return False
    return True


def same_fields(a: dict[str, str], b: dict[str, str]) -> bool:
    """Whether two entries' fields hold the same values (names compared lower-cased)."""
    fa = {name.lower(): raw for name, raw in a.items()}
    fb = {name.lower(): raw for name, raw in b.items()}
    if len(fa) != len(a) or fa.keys() != fb.keys():
        return False
    return all(raw == fb[name] or value(raw) == value(fb[name]) for name, raw in fa.items())


def _record(block: Block) -> Hashable:
    if isinstance(block, StringDef):
        return (block.name.lower(), value(block.raw))
    if isinstance(block, Preamble):
        return value(block.raw)
    if isinstance(block, Comment):
        return (block.text if block.braced else block.text.rstrip(), block.braced)
    if isinstance(block, Text):
        return tuple(block.text.split())
    if isinstance(block, Malformed):
        return tuple(block.raw.split())
    raise TypeError(type(block))
