"""A local BibTeX file as a metadata source (`--from-bib`): a DBLP export, a coauthor's
bib, or the lab's committed `seed-metadata.bib`.

Its entries are candidates like any API's: found by arXiv id, DOI or title, and accepted
only through the same guard. It never adds papers: an entry of the file that no entry
of the library matches is simply not used.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from rapidfuzz import fuzz, process

from genbib.enrich.apply import has_published_venue
from genbib.enrich.candidate import Candidate
from genbib.enrich.guard import norm_title
from genbib.model import identifiers as ids
from genbib.model.entry import Entry, Link, LinkKind
from genbib.model.library import Library

COPIED = (
    "booktitle",
    "journal",
    "series",
    "volume",
    "number",
    "pages",
    "publisher",
    "primaryclass",
    "presentation",
)


def candidate(entry: Entry, source: str, by_id: bool) -> Candidate:
    names = entry.names()
    truncated = bool(names) and names[-1].is_others
    published = has_published_venue(entry)
    fields = tuple((n, entry.get(n) or "") for n in COPIED if entry.get(n))
    links = tuple(
        Link(link.kind, link.url)
        for link in entry.links()
        if link.kind in (LinkKind.CODE, LinkKind.PROJECT) and ids.is_http_url(link.url)
    )
    url = entry.get("url") or ""
    return Candidate(
        source=source,
        title=entry.title,
        authors=tuple(n for n in names if not n.is_others),
        authors_complete=not truncated,
        year=entry.year,
        type=entry.type.lower() if published else "",
        fields=fields,
        arxiv=entry.arxiv or "",
        doi=entry.doi or "",
        url=url if ids.is_http_url(url) else "",
        links=links,
        by_id=by_id,
    )


class BibIndex:
    """Entries of one or more bib files, findable by identifier and normalised title."""

    def __init__(self, libraries: list[Library]) -> None:
        self._by_id: dict[str, list[tuple[Entry, str]]] = defaultdict(list)
        self._by_title: dict[str, list[tuple[Entry, str]]] = defaultdict(list)
        for lib in libraries:
            source = Path(lib.file).name or "from-bib"
            for e in lib:
                for ident in (e.arxiv and f"arxiv:{e.arxiv}", e.doi and f"doi:{e.doi}"):
                    if ident:
                        self._by_id[ident].append((e, source))
                t = norm_title(e.title)
                if t:
                    self._by_title[t].append((e, source))

        self._titles = sorted(self._by_title)

    def __bool__(self) -> bool:
        return bool(self._by_title or self._by_id)

    def find(self, entry: Entry) -> list[Candidate]:
        out: list[Candidate] = []
        seen: set[int] = set()
        for ident in (entry.arxiv and f"arxiv:{entry.arxiv}", entry.doi and f"doi:{entry.doi}"):
            for e, src in self._by_id.get(ident or "", []):
                if id(e) not in seen:
                    seen.add(id(e))
                    out.append(candidate(e, src, True))
        title = norm_title(entry.title)
        if title and title not in self._by_title and not out:
            best = process.extractOne(title, self._titles, scorer=fuzz.ratio, score_cutoff=90)
            title = best[0] if best else title
        for e, src in self._by_title.get(title, []):
            if id(e) not in seen:
                seen.add(id(e))
                out.append(candidate(e, src, False))
        return out
