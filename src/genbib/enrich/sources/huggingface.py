"""Hugging Face papers API: an arXiv paper's linked GitHub repository and project page.

`/api/papers/{arxiv_id}` answers with the paper's title and authors and, when the
authors or the community linked them, `githubRepo` and `projectPage` (Papers with Code,
which used to do this, is gone). A 404 means the paper has no page there. The Hub
allows anonymous clients a budget of requests per five-minute window, not a fixed rate,
so lookups may run concurrently until the budget is spent.
"""

from __future__ import annotations

from genbib.enrich.candidate import Candidate
from genbib.enrich.clean import clean_text, clean_url
from genbib.enrich.http import Policy, Request
from genbib.enrich.sources._util import load_json, obj, person, year_of
from genbib.model import identifiers as ids
from genbib.model.entry import Entry, Link, LinkKind
from genbib.model.names import Name

NAME = "huggingface"
BASE = "https://huggingface.co/api/papers"
POLICY = Policy(concurrency=8, timeout=20.0, budget=500, window=300.0)


def lookups(entry: Entry, base: str = BASE) -> list[Request]:
    return [Request(NAME, f"{base}/{entry.arxiv}")] if entry.arxiv else []


def parse(body: str) -> list[Candidate]:
    paper = obj(load_json(body, NAME), "huggingface paper")
    ident = ids.arxiv_id(str(paper.get("id") or ""))
    title = clean_text(str(paper.get("title") or ""))
    if not ident or not title:
        return []
    authors: list[Name] = []
    for a in paper.get("authors") or []:
        n = person(str((a or {}).get("name") or "")) if isinstance(a, dict) else None
        if n:
            authors.append(n)
    links = []
    repo = clean_url(str(paper.get("githubRepo") or ""))
    if repo and ids.github_repo(repo):
        links.append(Link(LinkKind.CODE, f"https://github.com/{ids.github_repo(repo)}"))
    page = clean_url(str(paper.get("projectPage") or ""))
    if page:
        links.append(Link(LinkKind.PROJECT, page))
    return [
        Candidate(
            source=NAME,
            title=title,
            authors=tuple(authors),
            year=year_of(paper.get("publishedAt")),
            arxiv=ident,
            links=tuple(links),
            by_id=True,
        )
    ]
