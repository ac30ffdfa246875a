"""A .bib file as an import source: another lab's bibliography, a DBLP or Scholar export.

Entries are read with genbib's own lossless reader; each becomes a row carrying the
entry itself, so it is matched and merged by the same engine as list rows. Blocks that
do not parse are reported with their line and not imported.
"""

from __future__ import annotations

from genbib.bibtex.reader import parse as parse_bib
from genbib.importers.rows import Parsed, Row, Shape
from genbib.model.values import plain


def parse(text: str, file: str) -> Parsed:
    lib = parse_bib(text, file)
    out = Parsed(problems=list(lib.problems))
    macros = lib.macros()
    for entry in lib.entries:
        e = entry.copy()
        for name, raw in list(e.fields.items()):
            # The file's own @string macros do not exist in the target bib: expand them.
            if name != "month" and not raw.startswith(("{", '"')) and not raw.isdigit():
                e.set(name, plain(raw, macros))
        out.rows.append(Row(file, entry.line, Shape.BIB, title=e.title, entry=e))
    return out
