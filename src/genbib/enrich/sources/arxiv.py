"""arXiv API (Atom 1.0): title, authors, dates, categories, journal ref, DOI by arXiv id.

arXiv asks for no more than one request every three seconds on one connection
(https://info.arxiv.org/help/api/tou.html). Errors come back as a feed whose single
entry has the title `Error` and an id under `/api/errors`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from genbib.enrich.candidate import Candidate, SourceFormatError
from genbib.enrich.clean import clean_text
from genbib.enrich.http import Policy, Request
from genbib.enrich.sources._util import person, year_of
from genbib.enrich.venue import published
from genbib.model import identifiers as ids
from genbib.model.entry import Entry
from genbib.model.names import Name

NAME = "arxiv"
BASE = "https://export.arxiv.org/api/query"
POLICY = Policy(interval=3.0, concurrency=1, timeout=30.0, batch=100)
NS = {
    "a": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "os": "http://a9.com/-/spec/opensearch/1.1/",
}


def lookups(entry: Entry, base: str = BASE) -> list[Request]:
    ident = entry.arxiv
    if not ident:
        return []
    return [
        Request(
            NAME, base, (("id_list", ident), ("max_results", "1")), accept="application/atom+xml"
        )
    ]


for _prefix, _uri in (("", NS["a"]), ("arxiv", NS["arxiv"]), ("opensearch", NS["os"])):
    ET.register_namespace(_prefix, _uri)


def batch_request(items: list[Request]) -> Request:
    """One request for many ids: the API takes a comma-separated `id_list`."""
    idents = [dict(r.params)["id_list"] for r in items]
    params = (("id_list", ",".join(idents)), ("max_results", str(len(idents))))
    return Request(NAME, items[0].url, params, accept="application/atom+xml")


def split(items: list[Request], body: str) -> dict[str, str]:
    """The batched feed cut into one single-entry feed per requested id (its cache record)."""
    root = _feed(body)
    wanted = {dict(r.params)["id_list"]: r.key for r in items}
    out = {}
    for el in root.findall("a:entry", NS):
        ident = ids.arxiv_id(el.findtext("a:id", "", NS))
        if ident in wanted:
            feed = ET.Element(f"{{{NS['a']}}}feed")
            feed.append(el)
            out[wanted[ident]] = ET.tostring(feed, encoding="unicode")
    return out


def _feed(body: str) -> ET.Element:
    if "<!DOCTYPE" in body or "<!ENTITY" in body:
        raise SourceFormatError("arxiv: response declares a DTD; refused")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise SourceFormatError(f"arxiv: response is not XML ({exc})") from None
    if root.tag != f"{{{NS['a']}}}feed":
        raise SourceFormatError(f"arxiv: expected an Atom feed, got <{root.tag}>")
    return root


def parse(body: str) -> list[Candidate]:
    root = _feed(body)
    out = []
    for el in root.findall("a:entry", NS):
        ident_url = el.findtext("a:id", "", NS)
        title = clean_text(el.findtext("a:title", "", NS))
        if "/api/errors" in ident_url or title == "Error":
            raise SourceFormatError(f"arxiv: {clean_text(el.findtext('a:summary', '', NS))}")
        ident = ids.arxiv_id(ident_url)
        if not ident:
            continue
        authors: list[Name] = []
        for a in el.findall("a:author", NS):
            n = person(a.findtext("a:name", "", NS))
            if n:
                authors.append(n)
        year = year_of(el.findtext("a:published", "", NS))
        fields: list[tuple[str, str]] = []
        prim = el.find("arxiv:primary_category", NS)
        if prim is not None and prim.get("term"):
            fields.append(("primaryclass", clean_text(prim.get("term"))))
        kind = ""
        ref = clean_text(el.findtext("arxiv:journal_ref", "", NS))
        venue = published(ref, year_of(ref)) if ref else None
        if venue is not None:
            kind = venue.type
            fields.append((venue.field, venue.name))
            year = year_of(ref) or year
        out.append(
            Candidate(
                source=NAME,
                title=title,
                authors=tuple(authors),
                year=year,
                type=kind,
                fields=tuple(fields),
                arxiv=ident,
                doi=ids.doi(el.findtext("arxiv:doi", "", NS)) or "",
                url=f"https://arxiv.org/abs/{ident}",
                by_id=True,
            )
        )
    return out
