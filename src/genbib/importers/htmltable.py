"""HTML `<table>`s inside a markdown list, read into the same cells as a pipe table.

Lists written as raw HTML tables (`<table class="tg">` with `rowspan`, `<a href>` links,
`<br>` breaks) are common in survey repositories. markdown-it hands them over as raw HTML
blocks, cut at every blank line, so the tables are found in the source text first (line
spans, so findings keep their line numbers) and read here with the standard library's
HTML parser: rows of cells, each cell an `Inline` like a pipe-table cell, `rowspan` and
`colspan` spread so that every body row lines up with the header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from genbib.importers.inline import Inline
from genbib.importers.rows import RawLink
from genbib.importers.text import clean

_OPEN = re.compile(r"<table\b", re.IGNORECASE)
_CLOSE = re.compile(r"</table\s*>", re.IGNORECASE)
MAX_SPAN = 200  # a rowspan larger than any real table: bounded, so a hostile file costs little


@dataclass(slots=True)
class Table:
    start: int  # 0-based line of `<table`
    end: int  # 0-based line of `</table>`
    rows: list[tuple[int, list[Inline], bool]] = field(default_factory=list)  # line, cells, header


def find(text: str) -> list[Table]:
    """The outermost `<table>...</table>` spans of `text`, read."""
    out: list[Table] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not _OPEN.search(lines[i]):
            i += 1
            continue
        depth, j = 0, i
        while j < len(lines):
            depth += len(_OPEN.findall(lines[j])) - len(_CLOSE.findall(lines[j]))
            if depth <= 0:
                break
            j += 1
        j = min(j, len(lines) - 1)
        table = Table(i, j)
        table.rows = _read("\n".join(lines[i : j + 1]), i)
        out.append(table)
        i = j + 1
    return out


def _read(html: str, first_line: int) -> list[tuple[int, list[Inline], bool]]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    grid: list[tuple[int, list[Inline], bool]] = []
    pending: dict[int, tuple[int, Inline]] = {}  # column -> (rows still to fill, cell)
    for line, cells, header in parser.rows:
        row: list[Inline] = []
        col = 0
        for cell, rowspan, colspan in cells:
            col = _carry(pending, row, col)
            for _ in range(colspan):
                row.append(cell)
                if rowspan > 1:
                    pending[col] = (rowspan - 1, cell)
                col += 1
        _carry(pending, row, col)
        if row:
            grid.append((first_line + line, row, header))
    return grid


def _carry(pending: dict[int, tuple[int, Inline]], row: list[Inline], col: int) -> int:
    """Fill `row` from column `col` with the cells that rows above span down into, using up
    one row of each span; the first column no span covers."""
    while col in pending:
        left, spanned = pending[col]
        row.append(spanned)
        if left > 1:
            pending[col] = (left - 1, spanned)
        else:
            del pending[col]
        col += 1
    return col


class _Parser(HTMLParser):
    """Rows of (cell, rowspan, colspan); a cell's text, `<br>` lines and `<a href>` links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[int, list[tuple[Inline, int, int]], bool]] = []
        self.cell: Inline | None = None
        self.href: str | None = None
        self.label: list[str] = []
        self.depth = 0  # nested tables are read as text of the outer cell

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.depth += 1
        elif tag == "tr" and self.depth == 1:
            self.rows.append((self.getpos()[0] - 1, [], False))
        elif tag in ("td", "th") and self.depth == 1:
            if not self.rows:
                self.rows.append((self.getpos()[0] - 1, [], False))
            self.cell = Inline()
            line, cells, header = self.rows[-1]
            span = (_span(a.get("rowspan")), _span(a.get("colspan")))
            cells.append((self.cell, *span))
            self.rows[-1] = (line, cells, header or tag == "th")
        elif tag == "br" and self.cell is not None:
            self.cell.lines.append("")
            self.cell.outside += " "
        elif tag == "a" and self.cell is not None:
            self.href, self.label = a.get("href", ""), []
        elif tag in ("b", "strong") and self.cell is not None and not self.cell.text:
            self.cell.starts_strong = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.depth -= 1
        elif tag in ("td", "th") and self.depth == 1:
            self._close_link()
            self.cell = None
        elif tag == "a":
            self._close_link()

    def handle_data(self, data: str) -> None:
        if self.cell is None:
            return
        self.cell.lines[-1] += data
        if self.href is not None:
            self.label.append(data)
        else:
            self.cell.outside += data

    def _close_link(self) -> None:
        if self.href is not None and self.cell is not None:
            self.cell.links.append(RawLink(clean("".join(self.label)), self.href.strip()))
        self.href = None


def _span(value: str | None) -> int:
    try:
        return max(1, min(MAX_SPAN, int(value or 1)))
    except ValueError:
        return 1
