"""What a source yields before it becomes an entry: a row, with where it was read.

Every source format (markdown tables and lists, .bib, Zotero JSON, identifier lists)
produces `Row`s; turning rows into entries, grouping the rows that name one paper and
choosing among their values is shared (`genbib.importers.papers`), so a finding means
the same whatever the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from genbib.model.entry import Entry
from genbib.model.problems import Problem


class Shape(StrEnum):
    TABLE = "table"
    LIST = "list"
    BLOCK = "block"  # bold title + authors + links separated by line breaks
    PARAGRAPH = "paragraph"  # a paragraph that is only a link
    BIB = "bib"
    ZOTERO = "zotero"
    CSL = "csl"
    IDENTIFIER = "identifier"


@dataclass(frozen=True, slots=True)
class RawLink:
    label: str  # link text or badge alt text ("arXiv", "code", "[Project]")
    url: str  # as written (may be relative, empty, javascript:...)


@dataclass(slots=True)
class Row:
    """One paper-like record as a source wrote it, fields still as text."""

    file: str
    line: int
    shape: Shape
    section: tuple[str, ...] = ()  # heading path, outermost first, cleaned
    titled: bool = False  # section[0] is the document's title (its first, level-1 heading)
    labelled: bool = False  # section[-1] is a label line ("Backbones:"), not a heading
    title: str = ""
    title_url: str = ""
    shortname: str = ""
    when: list[str] = field(default_factory=list)  # venue/date/year cell parts
    authors: str = ""
    links: list[RawLink] = field(default_factory=list)
    summary: str = ""
    entry: Entry | None = None  # structured sources (.bib, Zotero) give an entry directly

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(slots=True)
class Parsed:
    """A source's rows and the findings made while reading it."""

    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)  # non-paper rows
