"""OpenAlex works API: external ids and the venue, by DOI (an arXiv paper's DataCite DOI
included, which OpenAlex merges with the published version).

`/works/doi:{doi}`; 10 requests a second with a `mailto` for the polite pool
(https://docs.openalex.org/how-to-use-the-api/rate-limits-and-authentication).
"""

from __future__ import annotations

import json
from typing import Any

from genbib.enrich.candidate import Candidate, SourceFormatError
from genbib.enrich.clean import clean_text, clean_url
from genbib.enrich.http import Policy, Request
from genbib.enrich.sources._util import load_json, obj, person, published_fields
from genbib.enrich.venue import published
from genbib.model import identifiers as ids
from genbib.model.entry import Entry
from genbib.model.names import Name

NAME = "openalex"
BASE = "https://api.openalex.org"
POLICY = Policy(interval=0.1, concurrency=4, timeout=20.0, mailto_param=True, batch=50)
_KINDS = {"journal": "article", "conference": "inproceedings"}
_NUMBERS = (("volume", "volume"), ("issue", "number"))


def _biblio(work: dict[str, Any]) -> dict[str, Any]:
    """`biblio` with its page range joined; an article number (first page equal to the
    last, `100814` in Cell Genomics) is one page, not `100814--100814`."""
    biblio = dict(work.get("biblio") or {})
    first, last = biblio.get("first_page"), biblio.get("last_page")
    biblio["pages"] = f"{first}-{last}" if first and last and first != last else first or ""
    return biblio


def lookups(entry: Entry, base: str = BASE) -> list[Request]:
    doi = entry.doi or (ids.arxiv_doi(entry.arxiv) if entry.arxiv else None)
    if not doi:
        return []
    return [Request(NAME, f"{base}/works/doi:{doi}")]


def _doi_of(item: Request) -> str:
    return item.url.rsplit("/works/doi:", 1)[1]


def batch_request(items: list[Request]) -> Request:
    """One request for many DOIs: a `filter` with values OR-ed by `|` (up to 100)."""
    base = items[0].url.rsplit("/works/", 1)[0]
    dois = "|".join(f"https://doi.org/{_doi_of(r)}" for r in items)
    return Request(
        NAME, f"{base}/works", (("filter", f"doi:{dois}"), ("per-page", str(len(items))))
    )


def split(items: list[Request], body: str) -> dict[str, str]:
    """The result list cut into one work per requested DOI (its cache record)."""
    data = obj(load_json(body, NAME), "openalex list")
    results = data.get("results")
    if not isinstance(results, list):
        raise SourceFormatError("openalex: list response without results")
    wanted = {ids.doi(_doi_of(r)): r.key for r in items}
    out = {}
    for work in results:
        if isinstance(work, dict):
            key = wanted.get(ids.doi(str(work.get("doi") or "")))
            if key:
                out[key] = json.dumps(work, sort_keys=True)
    return out


def parse(body: str) -> list[Candidate]:
    work = obj(load_json(body, NAME), "openalex work")
    title = clean_text(str(work.get("title") or work.get("display_name") or ""))
    if not title:
        return []
    authors: list[Name] = []
    for a in work.get("authorships") or []:
        n = person(str(((a or {}).get("author") or {}).get("display_name") or ""))
        if n:
            authors.append(n)
    year = work.get("publication_year") if isinstance(work.get("publication_year"), int) else None
    arxiv = ""
    locations: list[Any] = [work.get("primary_location"), *(work.get("locations") or [])]
    for loc in locations:
        if isinstance(loc, dict):
            arxiv = arxiv or ids.arxiv_id(str(loc.get("landing_page_url") or "")) or ""
    doi = ids.doi(str(work.get("doi") or "")) or ""
    arxiv = arxiv or ids.arxiv_id(doi) or ""
    fields: list[tuple[str, str]] = []
    btype = ""
    url = ""
    for loc in locations:
        src = (loc or {}).get("source") if isinstance(loc, dict) else None
        if not isinstance(src, dict) or src.get("type") not in _KINDS:
            continue
        text = clean_text(str(src.get("display_name") or ""))
        if not text:
            continue
        # A journal or conference the venue table does not know keeps OpenAlex's own
        # name (PNAS, Cell Genomics in the captured answers), as every source does.
        btype = _KINDS[str(src["type"])]
        fields = published_fields(
            btype, published(text, year), text, _biblio(work), _NUMBERS, "pages"
        )
        url = clean_url(str(loc.get("landing_page_url") or ""))
        break
    return [
        Candidate(
            source=NAME,
            title=title,
            authors=tuple(authors),
            authors_complete=not work.get("is_authors_truncated"),
            year=year,
            type=btype,
            fields=tuple(fields),
            arxiv=arxiv,
            doi="" if ids.arxiv_id(doi) else doi,
            url=url,
            by_id=True,
        )
    ]
