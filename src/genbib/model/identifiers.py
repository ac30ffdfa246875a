"""Identifier normalisation: one spelling per paper identifier, whatever the source wrote.

Dedupe, enrichment and sync compare identifiers as plain strings, so everything that
can name the same paper (an arXiv abs/pdf/html URL, a versioned id, the arXiv DOI) must
normalise to the same string here and nowhere else.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit, urlunsplit

from genbib.model.untrusted import invisible_chars

# New-style ids (0704.0001 onwards) and old-style ids (hep-th/9901001, math.GT/0309136).
_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7}"
_ARXIV_ID = re.compile(rf"^(?:arxiv:)?({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?$", re.IGNORECASE)
_ARXIV_URL = re.compile(
    rf"arxiv\.org/(?:abs|pdf|html|format|ps)/({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?(?:\.pdf)?",
    re.IGNORECASE,
)
_ARXIV_DOI = re.compile(rf"^10\.48550/arxiv\.({_ARXIV_NEW}|{_ARXIV_OLD})(?:v\d+)?$", re.IGNORECASE)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_OPENREVIEW = re.compile(r"openreview\.net/(?:forum|pdf|attachment)\?(?:.*&)?id=([\w-]+)")
_GITHUB = re.compile(r"^https?://(?:www\.)?github\.com/([\w.-]+)/([\w.-]+)", re.IGNORECASE)


def arxiv_id(text: str | None) -> str | None:
    """The version-less arXiv id in an id, URL or arXiv DOI; None when there is none."""
    if not text:
        return None
    return _arxiv_id(text)


@lru_cache(maxsize=65536)
def _arxiv_id(text: str) -> str | None:
    text = text.strip()
    m = _ARXIV_ID.match(text)
    if m:
        return _arxiv_case(m.group(1))
    m = _ARXIV_URL.search(text)
    if m:
        return _arxiv_case(m.group(1))
    m = _ARXIV_DOI.match(doi(text) or "")
    if m:
        return _arxiv_case(m.group(1))
    return None


def _arxiv_case(ident: str) -> str:
    # Old-style archive names are lower case except the subject class (math.GT).
    if "/" in ident:
        archive, number = ident.split("/", 1)
        if "." in archive:
            name, cls = archive.split(".", 1)
            return f"{name.lower()}.{cls.upper()}/{number}"
        return f"{archive.lower()}/{number}"
    return ident


def doi(text: str | None) -> str | None:
    """A DOI lower-cased without resolver prefix; None when `text` is not a DOI."""
    if not text:
        return None
    value = _DOI_PREFIX.sub("", text.strip()).strip().rstrip(".")
    if not _DOI.match(value):
        return None
    return value.lower()


def arxiv_doi(ident: str) -> str:
    """The DOI arXiv assigns to every paper (DataCite)."""
    return f"10.48550/arxiv.{ident}".lower()


def openreview_id(text: str | None) -> str | None:
    """The OpenReview forum id in a forum or pdf URL."""
    if not text:
        return None
    m = _OPENREVIEW.search(text)
    return m.group(1) if m else None


def github_repo(text: str | None) -> str | None:
    """`owner/name` of a GitHub repository URL (deeper paths point into the repository)."""
    return _github_repo(text) if text else None


@lru_cache(maxsize=65536)  # pure; asked of a code link as a row's, a paper's and an entry's
def _github_repo(text: str) -> str | None:
    m = _GITHUB.match(text.strip())
    if not m:
        return None
    owner, name = m.group(1), m.group(2)
    name = name.removesuffix(".git")
    if owner.lower() in {"orgs", "topics", "features", "about", "sponsors", "marketplace"}:
        return None
    return f"{owner}/{name}"


@lru_cache(maxsize=65536)  # pure; an import asks it of each link several times (add_link)
def canonical_url(url: str) -> str:
    """One spelling per web page: https, no fragment, no tracking query, no trailing slash.

    arXiv URLs become their abs page; OpenReview pdf links become the forum page.
    """
    url = url.strip()
    ident = arxiv_id(url) if "arxiv.org" in url.lower() else None
    if ident:
        return f"https://arxiv.org/abs/{ident}"
    ident = openreview_id(url)
    if ident:
        return f"https://openreview.net/forum?id={ident}"
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[": not a URL at all, so nothing to canonicalise
        return url
    if parts.scheme.lower() not in {"http", "https"}:
        return url
    query = parse_qs(parts.query, keep_blank_values=True)
    kept = [
        f"{k}={v}"
        for k in sorted(query)
        if not k.lower().startswith(("utm_", "fbclid", "gclid"))
        for v in query[k]
    ]
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
    return urlunsplit(("https", host, path, "&".join(kept), ""))


# Characters a URL never holds unencoded (RFC 3986) that mean something to LaTeX, BibTeX,
# HTML or a terminal: a "URL" with them is text wearing a scheme (`http://\\input{...}`).
# Invisible characters (genbib.model.untrusted) are never in a link either.
_NOT_IN_URL = re.compile(r'[\s\\{}<>"^`]')


@lru_cache(maxsize=65536)  # pure; asked of every link of every row of an import
def is_http_url(text: str) -> bool:
    """Only http(s) links are ever written to outputs (no javascript:, data:, file:)."""
    text = text.strip()
    if _NOT_IN_URL.search(text) or invisible_chars(text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:  # a malformed IPv6 host ("http://[x"): not a link we write
        return False
    return parts.scheme.lower() in {"http", "https"} and bool(parts.netloc)
