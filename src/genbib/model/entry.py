"""The entry model every part of genbib translates to and from.

An entry keeps each field's raw BibTeX value expression, in the order read, so that a
read-write cycle loses nothing; typed views (topics, links, identifiers, names) are
computed from those fields, never stored twice. genbib's own data lives in ordinary
fields (`topics`, `code`, `project`, ...), so the canonical file is the whole truth.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from genbib.model import identifiers as ids
from genbib.model.names import Name, format_names, parse_names
from genbib.model.values import _plain_cached, braced


class LinkKind(StrEnum):
    PAPER = "paper"
    PDF = "pdf"
    CODE = "code"
    PROJECT = "project"
    BLOG = "blog"
    VIDEO = "video"
    OTHER = "other"


# The field that stores each kind of link. `url` (the paper page) holds one URL; the
# others hold whitespace-separated URLs (a URL never contains whitespace).
LINK_FIELDS: dict[LinkKind, str] = {
    LinkKind.PAPER: "url",
    LinkKind.PDF: "pdf",
    LinkKind.CODE: "code",
    LinkKind.PROJECT: "project",
    LinkKind.BLOG: "blog",
    LinkKind.VIDEO: "video",
    LinkKind.OTHER: "links",
}


@dataclass(frozen=True, slots=True)
class Link:
    kind: LinkKind
    url: str


LINK_NAMES = tuple(LINK_FIELDS.values())  # the link fields, in `LINK_FIELDS` order


def arxiv_in(fields: Mapping[str, str], text: Callable[[str], str] = _plain_cached) -> str | None:
    """The version-less arXiv id of an entry, from eprint, DOI or any arXiv URL.

    `fields`: its raw values, and `text` what reads one (`Entry.get`'s reading); or,
    with `text=str`, the values' texts already (the match features have them at hand).
    Absent fields are passed over by a dictionary look-up: this runs on every entry."""

    def value(name: str) -> str | None:
        raw = fields.get(name)
        return None if raw is None else text(raw)

    eprint = value("eprint")
    if eprint:
        prefix = (value("archiveprefix") or value("eprinttype") or "arxiv").lower()
        if prefix == "arxiv":
            found = ids.arxiv_id(eprint)
            if found:
                return found
    found = ids.arxiv_id(value("doi"))
    if found:
        return found
    for name in LINK_NAMES:
        raw = fields.get(name)
        if raw is None:
            continue
        links = text(raw)
        if "arxiv.org" not in links.lower():
            continue  # most entries: no link field names arXiv, nothing to parse
        for url in links.split():
            found = ids.arxiv_id(url) if "arxiv.org" in url.lower() else None
            if found:
                return found
    return None


_YEAR = re.compile(r"\b(1[5-9]\d\d|2[01]\d\d)\b")
_LIST_SPLIT = re.compile(r"\s*[,;]\s*")


@dataclass(slots=True)
class Entry:
    """One `@type{key, ...}` block.

    `fields` maps lower-case field names to raw value expressions (`{...}`, `"..."`,
    macros, numbers, `#` concatenations), in input order. `line` and `file` say where
    the entry was read, for messages.
    """

    type: str
    key: str
    fields: dict[str, str] = field(default_factory=dict)
    line: int = 0
    file: str = ""

    # --- plain field access -------------------------------------------------------
    def get(self, name: str, default: str | None = None) -> str | None:
        """The field's text without delimiters (macros left as names)."""
        raw = self.fields.get(name)
        return default if raw is None else _plain_cached(raw)  # = plain(raw), one call less

    def set(self, name: str, text: str | None) -> None:
        """Set a field to `text` (braced), or remove it when `text` is empty or None."""
        if text is None or not text.strip():
            self.fields.pop(name, None)
        else:
            self.fields[name] = braced(text)

    def __contains__(self, name: str) -> bool:
        return name in self.fields

    # --- typed views --------------------------------------------------------------
    @property
    def title(self) -> str:
        return self.get("title") or ""

    @property
    def year(self) -> int | None:
        for name in ("year", "date"):
            text = self.get(name)
            if text:
                m = _YEAR.search(text)
                if m:
                    return int(m.group(1))
        return None

    def names(self, role: str = "author") -> list[Name]:
        text = self.get(role)
        return parse_names(text) if text else []

    def set_names(self, names: list[Name], role: str = "author") -> None:
        self.set(role, format_names(names))

    @property
    def arxiv(self) -> str | None:
        """The version-less arXiv id, from eprint, DOI or any arXiv URL of the entry."""
        return arxiv_in(self.fields)

    @property
    def doi(self) -> str | None:
        return ids.doi(self.get("doi"))

    @property
    def openreview(self) -> str | None:
        for link in self.links():
            found = ids.openreview_id(link.url)
            if found:
                return found
        return None

    @property
    def topics(self) -> list[str]:
        text = self.get("topics") or ""
        return [t for t in _LIST_SPLIT.split(text.strip()) if t]

    def set_topics(self, topics: list[str]) -> None:
        self.set("topics", ", ".join(sorted(set(topics))))

    @property
    def aliases(self) -> list[str]:
        """Former keys (biblatex `ids`), which old citations still use."""
        text = self.get("ids") if "ids" in self.fields else None  # (most entries: none)
        return [t for t in _LIST_SPLIT.split(text.strip()) if t] if text else []

    def add_alias(self, key: str) -> None:
        if key != self.key and key not in self.aliases:
            self.set("ids", ", ".join([*self.aliases, key]))

    def links(self) -> list[Link]:
        return [Link(kind, url) for kind, url in self._link_urls()]

    def _link_urls(self) -> Iterator[tuple[LinkKind, str]]:
        """(kind, URL) of each link, in `LINK_FIELDS` order (no Link objects made)."""
        fields = self.fields
        for kind, name in LINK_FIELDS.items():
            text = self.get(name) if name in fields else None
            if text:
                for url in text.split():
                    yield kind, url

    def add_link(self, link: Link) -> bool:
        """Add a link unless the same URL is already there; True when added."""
        return self.add_links([link]) == 1

    def add_links(self, links: Iterable[Link]) -> int:
        """`add_link` for each of `links` in turn, reading the entry's links once (an
        import adds every row's links to a paper); the number added."""
        held: dict[str, set[str]] = {}  # link field -> the canonical URLs it holds now
        for kind, url in self._link_urls():
            held.setdefault(LINK_FIELDS[kind], set()).add(ids.canonical_url(url))
        added = 0
        for link in links:
            canon = ids.canonical_url(link.url)
            if any(canon in urls for urls in held.values()):
                continue
            name = LINK_FIELDS[link.kind]
            if name == "url" and self.get("url"):
                name = LINK_FIELDS[LinkKind.OTHER]
            current = self.get(name)
            self.set(name, f"{current} {link.url}" if current else link.url)
            # (as stored: `set` may have dropped a stray brace)
            held[name] = {ids.canonical_url(u) for u in (self.get(name) or "").split()}
            added += 1
        return added

    def items(self) -> Iterator[tuple[str, str]]:
        return iter(self.fields.items())

    def copy(self) -> Entry:
        return Entry(self.type, self.key, dict(self.fields), self.line, self.file)
