"""Crossref REST API: a DOI's published metadata, or a title search guarded by author.

Lookups: `/works/{doi}` when the entry has a (non-arXiv) DOI; otherwise, for an entry
without a published venue, `/works?query.bibliographic=...&query.author=...` whose hits
the engine's guard must accept. Crossref's polite pool asks for a `mailto`
(https://api.crossref.org/swagger-ui/index.html, "Etiquette").
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from genbib.enrich.apply import has_published_venue
from genbib.enrich.candidate import Candidate, SourceFormatError
from genbib.enrich.clean import clean_text
from genbib.enrich.http import Policy, Request
from genbib.enrich.sources._util import load_json, obj, person, published_fields
from genbib.enrich.venue import published
from genbib.model import identifiers as ids
from genbib.model.entry import Entry
from genbib.model.names import Name

NAME = "crossref"
BASE = "https://api.crossref.org"
POLICY = Policy(interval=0.1, concurrency=3, timeout=20.0, mailto_param=True)
SELECT = "DOI,title,author,issued,container-title,type,volume,issue,page,publisher,URL"
SERIES = {"lecture notes in computer science", "proceedings of machine learning research"}
_NUMBERS = (("volume", "volume"), ("issue", "number"), ("publisher", "publisher"))


def lookups(entry: Entry, base: str = BASE) -> list[Request]:
    doi = entry.doi
    if doi and not ids.arxiv_id(doi):
        return [Request(NAME, f"{base}/works/{quote(doi, safe='/')}")]
    if not entry.title or has_published_venue(entry):
        return []
    params = [("query.bibliographic", entry.title), ("rows", "5"), ("select", SELECT)]
    names = entry.names()
    if names and not names[0].is_others:
        params.append(("query.author", names[0].last))
    return [Request(NAME, f"{base}/works", tuple(params))]


def parse(body: str) -> list[Candidate]:
    data = obj(load_json(body, NAME), "crossref response")
    if data.get("status") != "ok":
        raise SourceFormatError(f"crossref: status {data.get('status')!r}")
    message = obj(data.get("message"), "crossref message")
    if data.get("message-type") == "work-list":
        items = message.get("items")
        if not isinstance(items, list):
            raise SourceFormatError("crossref: work-list without items")
        return [c for item in items if (c := _work(obj(item, "crossref item"), False))]
    c = _work(message, True)
    return [c] if c else []


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return clean_text(str(value or ""))


def _work(item: dict[str, Any], by_id: bool) -> Candidate | None:
    title = _first(item.get("title"))
    if not title:
        return None
    authors: list[Name] = []
    for a in item.get("author") or []:
        if not isinstance(a, dict):
            continue
        if a.get("family"):
            given = clean_text(str(a.get("given") or ""))
            n = Name(first=given, last=clean_text(str(a["family"])))
        else:
            n = person(str(a.get("name") or "")) or Name()
        if n.last:
            authors.append(n)
    parts = (item.get("issued") or {}).get("date-parts") or [[None]]
    year = parts[0][0] if parts and parts[0] and isinstance(parts[0][0], int) else None
    kind = str(item.get("type") or "")
    containers = [clean_text(str(c)) for c in item.get("container-title") or []]
    containers = [c for c in containers if c.lower() not in SERIES] or containers
    container = containers[-1] if containers else ""
    fields: list[tuple[str, str]] = []
    btype = ""
    if kind in ("proceedings-article", "book-chapter", "journal-article") and container:
        btype = "article" if kind == "journal-article" else "inproceedings"
        fields += published_fields(
            btype, published(container, year), container, item, _NUMBERS, "page"
        )
    doi = ids.doi(str(item.get("DOI") or "")) or ""
    return Candidate(
        source=NAME,
        title=title,
        authors=tuple(authors),
        year=year,
        type=btype,
        fields=tuple(fields),
        doi=doi,
        arxiv=ids.arxiv_id(doi) or "",
        url=f"https://doi.org/{doi}" if doi and btype else "",
        by_id=by_id,
    )
