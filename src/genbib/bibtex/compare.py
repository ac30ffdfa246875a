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
from genbib.model.library import Comment, Library, Malformed, Preamble, StringDef
from genbib.model.values import ValueError_, split_parts

Value = tuple[tuple[str, str], ...]


def value(raw: str) -> Value:
    """A value expression as its parts: text (braced, quoted or a number) or macro."""
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
