"""GitHub REST API: does a linked repository exist, what is it called now, is it archived.

`/repos/{owner}/{name}` follows renames and transfers with a 301 to the repository's
new home (the reply's `full_name` is the current name); 404 means deleted or private.
`/repos/{owner}/{name}/readme` lets `genbib add` find the paper a repository belongs to.
GitHub's secondary limits allow 900 REST points (GET requests) a minute, so requests are
spaced 1/15 s apart; the primary limit (60 requests an hour anonymously, 5,000 with a
token in GITHUB_TOKEN) answers 403 with the time it resets
(https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter

from genbib.enrich.cache import Reply
from genbib.enrich.candidate import RepoFacts, SourceFormatError
from genbib.enrich.clean import clean_text, clean_url
from genbib.enrich.http import Policy, Request
from genbib.enrich.sources._util import load_json, obj
from genbib.model import identifiers as ids

NAME = "github"
BASE = "https://api.github.com"
POLICY = Policy(interval=1 / 15, concurrency=4, timeout=20.0, token_env="GITHUB_TOKEN")
ACCEPT = "application/vnd.github+json"
_ARXIV_LINK = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5})", re.IGNORECASE)


def repo_request(repo: str, base: str = BASE) -> Request:
    return Request(NAME, f"{base}/repos/{repo}", accept=ACCEPT)


def readme_request(repo: str, base: str = BASE) -> Request:
    return Request(NAME, f"{base}/repos/{repo}/readme", accept=ACCEPT)


def parse_repo(requested: str, reply: Reply) -> RepoFacts:
    if reply.status in (404, 410):
        return RepoFacts(requested, exists=False)
    data = obj(load_json(reply.body, NAME), "github repository")
    full = str(data.get("full_name") or "")
    if not ids.github_repo(f"https://github.com/{full}"):
        raise SourceFormatError("github: repository without a valid full_name")
    stars = data.get("stargazers_count")
    return RepoFacts(
        requested=requested,
        exists=True,
        full_name=full,
        url=clean_url(str(data.get("html_url") or "")) or f"https://github.com/{full}",
        archived=bool(data.get("archived")),
        stars=stars if isinstance(stars, int) else 0,
        description=clean_text(str(data.get("description") or "")),
    )


def parse_readme(body: str) -> list[str]:
    """arXiv ids the README links to, most linked first (the paper is usually first)."""
    data = obj(load_json(body, NAME), "github readme")
    if data.get("encoding") != "base64":
        raise SourceFormatError("github: README not base64-encoded")
    try:
        text = base64.b64decode(str(data.get("content") or ""), validate=False).decode(
            "utf-8", errors="replace"
        )
    except (binascii.Error, ValueError) as exc:
        raise SourceFormatError(f"github: README content is not base64 ({exc})") from None
    found = [ids.arxiv_id(m) or m for m in _ARXIV_LINK.findall(text)]
    counts = Counter(found)
    first = {ident: i for i, ident in reversed(list(enumerate(found)))}
    return sorted(counts, key=lambda i: (-counts[i], first[i]))
