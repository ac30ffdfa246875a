"""A row -> a candidate entry: clean title, short name, venue, year, classified links.

Also decides what is not a paper (tutorials, courses, blogs, books, products, code
files, local notes): those rows are reported and skipped, never imported as papers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from genbib.importers.links import classify
from genbib.importers.rows import Row, Shape
from genbib.importers.text import clean, is_placeholder
from genbib.importers.when import When, parse_when
from genbib.model import identifiers as ids
from genbib.model.entry import Entry, Link, LinkKind
from genbib.model.problems import Problem, Severity

# Section words that mean "the rows here are not papers".
_NON_PAPER_SECTIONS = {
    "tutorial": "tutorial", "tutorials": "tutorial", "course": "course", "courses": "course",
    "cource": "course", "lecture": "course", "lectures": "course", "blog": "blog", "blogs": "blog",
    "book": "book", "books": "book", "coding": "code", "code": "code", "codebase": "code", "workshops": "event", "codebases": "code", "repos": "code",
    "repositories": "code", "implementations": "code", "packages": "code", "projects": "product",
    "leaderboard": "product", "leaderboards": "product", "team": "people",
    "contributors": "people", "maintainers": "people", "changelog": "navigation", "log": "navigation",
    "tools": "product", "products": "product", "product": "product",
    "apps": "product", "software": "product", "libraries": "product",
    "videos": "video", "talks": "video", "podcasts": "video", "slides": "video",
    "links": "links", "resources": "links", "contents": "navigation", "datasets": "dataset",
    "dataset": "dataset", "benchmarks": "dataset", "newsletter": "blog", "contact": "navigation",
    "overview": "navigation", "updates": "navigation", "news": "navigation", "about": "navigation",
    "contributing": "navigation", "license": "navigation", "acknowledgements": "navigation",
    "acknowledgments": "navigation", "citation": "navigation", "star": "navigation",
}  # fmt: skip
_NON_PAPER_TITLE = [
    (re.compile(r"\btutorials?\b", re.I), "tutorial"),
    (
        re.compile(
            r"\b(?:course|lecture|lectures|syllabus)\b|\b[A-Z]{2,4}\s?\d{2,4}[A-Z]?(?:\(\w\))?\b.*\b(?:fall|spring|winter|summer)\b|\b(?:fall|spring|winter|summer)\s+20\d\d\b",
            re.I,
        ),
        "course",
    ),
    (re.compile(r"\b(?:textbook|book)\b", re.I), "book"),
    (re.compile(r"^(?:blog|notes?)\b", re.I), "blog"),
    (re.compile(r"^(?:introducing|announcing|hello)\s", re.I), "blog"),  # a release post
]
# A word each of `_NON_PAPER_TITLE`'s patterns needs (`_may_name_non_paper`).
_NON_PAPER_WORDS = ("tutorial", "course", "lecture", "syllabus", "fall", "spring", "winter",
                    "summer", "book", "blog", "note", "introducing", "announcing", "hello")  # fmt: skip


def _may_name_non_paper(title: str) -> bool:
    """False when no pattern of `_NON_PAPER_TITLE` can match `title`: an ASCII title
    without any word one of them needs (lower case is then exactly what `re.I` compares;
    other titles go to the patterns, since `re.I` also folds a few non-ASCII letters)."""
    if not title.isascii():
        return True
    low = title.lower()
    return any(word in low for word in _NON_PAPER_WORDS)


_TRAILING_NAME = re.compile(r"\s*\\?\|\s*([^|]{1,40})$")
_SHORTCODE = re.compile(r"(?:^|\s):[a-z][a-z0-9_+-]{1,30}:(?=\s|$)")  # ":star:", ":fire:"
_REF_MARK = re.compile(r"\s*\[\d{1,3}\]$")  # "GLM[50]": a reference number, not the name
_TRAILING_PAREN = re.compile(r"\s*\(([^()]{1,48})\)\s*$")
_PREFIX_NAME = re.compile(r"^([A-Z][\w·.+-]*[A-Z0-9][\w·.+-]*|[A-Za-z][\w·-]*[A-Z][\w·-]*):\s*\S")
_MD_JUNK = re.compile(r"(?:\*\*|__|`|~~)")
_NAME_OK = re.compile(r"^[\w·.+'-]+(?:\s[\w·.+-]{1,3})?$")
_SPACE_AFTER_COLON = re.compile(r":(?=[A-Za-z])")
# markdown-it leaves links with unsafe schemes as literal text: "[Title](javascript:...)".
_UNSAFE_MD = re.compile(r"\[([^\]]*)\]\(\s*(?:javascript|vbscript|data|file)\s*:[^)]*\)*", re.I)


@dataclass(slots=True)
class Candidate:
    row: Row
    entry: Entry
    when: When
    links: list[tuple[Link, int]] = field(default_factory=list)  # link and its line
    summary: str = ""
    topics: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return self.row.where


# Kinds that describe only the heading they are in: a "Table of Contents" or "News" heading
# whose level happens to sit above the paper sections (`## Contents` then `### Video`) is
# not their parent in meaning.
_OWN_HEADING_ONLY = frozenset({"navigation", "links"})


def section_kind(row: Row) -> str:
    """The non-paper kind the row's headings name, or "". The document's title (its first,
    level-1 heading: "Survey & Resources") says what the whole file is, not what a section
    holds, so it is not read."""
    return _section_kind(row.section[1:] if row.titled else row.section, row.labelled)


@lru_cache(maxsize=4096)  # the rows of one section ask it alike
def _section_kind(path: tuple[str, ...], labelled: bool) -> str:
    own = 2 if labelled else 1  # a label line belongs to its heading
    for depth, heading in enumerate(reversed(path)):
        words = re.findall(r"[a-z]+", heading.lower())
        if len(words) > 3:  # a long heading is about a topic; only its ends say what it holds
            words = [words[0], words[-1]]
        for word in words:
            kind = _NON_PAPER_SECTIONS.get(word)
            if kind and (depth < own or kind not in _OWN_HEADING_ONLY):
                return kind
    return ""


def non_paper(row: Row) -> str:
    """The kind of non-paper a row is ("tutorial", "course"...), or "" for a paper."""
    kind = section_kind(row)
    if kind == "navigation" or (kind and not _links_paper(row)):
        return kind
    if _may_name_non_paper(row.title):  # (most titles cannot: no pattern is tried)
        for pattern, kind in _NON_PAPER_TITLE:
            if pattern.search(row.title) and not _links_paper(row):
                return kind
    urls = [row.title_url, *(lk.url for lk in row.links)]
    http = [u for u in urls if u and ids.is_http_url(u)]
    if not http and any(u and not u.startswith("#") for u in urls) and row.shape is not Shape.TABLE:
        return "local notes"
    if urls and all(u.startswith("#") for u in urls if u) and any(urls):
        return "navigation"
    if _resource(row):
        return "resource"
    kinds = {_link_kind(label, u) for label, u in _row_links(row)}
    if kinds and kinds <= {LinkKind.BLOG, LinkKind.VIDEO}:
        return "video" if kinds == {LinkKind.VIDEO} else "blog"  # links only a post or a talk
    venue = {w.strip(" ,.;:-–—()[]*|0123456789").lower() for w in row.when}
    if venue & {"blog", "website", "blog post", "product", "tweet", "news"} and not _links_paper(
        row
    ):
        return "blog"  # the list itself says where it appeared: "NTK Interpolation, Blog"
    if not urls_any(row) and _LOG_LINE.match(row.title):
        return "news"  # "2025.05.08 - update new layout.": a change-log line
    if not urls_any(row) and len(row.title.split()) > 24:
        return "prose"  # "Apprenticeship Learning: ... is a technique that ..." without a link
    if row.title.startswith(("http://", "https://")) or re.match(
        r"^[\w .-]{1,24}:\s*https?://", row.title
    ):
        return "link"
    return ""


_PAPER_URL = re.compile(
    r"arxiv\.org|openreview\.net|doi\.org|aclanthology|thecvf\.com|neurips\.cc|nips\.cc|"
    r"mlr\.press|ieeexplore|dl\.acm\.org|springer|sciencedirect|semanticscholar|\.pdf\b|"
    r"/paper|/abs/|/pdf/",
    re.IGNORECASE,
)


_LOG_LINE = re.compile(
    r"^\W*\[?(?:\d{4}[./-]\d{1,2}(?:[./-]\d{1,2})?|\d{1,2} \w{3,9},? \d{4})\]?\s"
)


def _resource(row: Row) -> bool:
    """`- [TinyZero](https://github.com/...) - a reproduction of R1`, `* **DALL-E 3**:
    [[Platform Link](...)]`: a project named by a short name, linking only a repository,
    model card, data source or product page. A paper row names
    its paper (a title, or a link to a paper host); this names a thing."""
    if row.authors or row.shape is not Shape.LIST or not urls_any(row):
        return False
    if len(row.title.split()) > 3 or len(row.title) > 30:
        return False
    urls = [row.title_url, *(lk.url for lk in row.links)]
    return not any(_PAPER_URL.search(u) for u in urls if u)


def _row_links(row: Row) -> list[tuple[str, str]]:
    out = [(row.title, row.title_url)] if row.title_url else []
    return out + [(lk.label, lk.url) for lk in row.links if lk.url]


def _link_kind(label: str, url: str) -> LinkKind | None:
    link = classify(label, url).link
    return link.kind if link is not None else None


def urls_any(row: Row) -> bool:
    return bool(row.title_url) or any(lk.url for lk in row.links)


def _links_paper(row: Row) -> bool:
    """The row's title (or first) link is a paper (arXiv, a proceedings site, a DOI): a paper, even under "Datasets" or "Toolboxes" (the
    dataset's or the tool's paper), which is what a reader of the list cites."""
    first = row.title_url or (row.links[0].url if row.links else "")
    return bool(first and (ids.arxiv_id(first) or _PAPER_URL.search(first)))


def split_title(raw: str) -> tuple[str, str]:
    """(title, short name): "Title | DDPM", "Title (VQ-VAE)", "Glow: Generative Flow..." """
    # (each pattern is tried only where the character it needs is)
    if "*" in raw or "_" in raw or "`" in raw or "~" in raw:
        raw = _MD_JUNK.sub("", raw)
    title = clean(_SHORTCODE.sub("", raw) if ":" in raw else raw)
    if "[" in title:
        title = _REF_MARK.sub("", title)
    title = title.strip(" *_")
    name = ""
    m = _TRAILING_NAME.search(title) if "|" in title else None
    if m and len(title) - len(m.group(0)) > 8:
        name, title = m.group(1).strip(), title[: m.start()].strip()
    m = _TRAILING_PAREN.search(title) if ")" in title else None
    if (
        m
        and not name
        and len(title) - len(m.group(0)) > 8
        and not re.fullmatch(r"[\d\s,.-]+", m.group(1))
    ):
        inner = m.group(1).strip()
        words = inner.split()
        if len(words) >= 3 and all(w[:1].isupper() for w in words):
            name = "".join(w[0] for w in words)  # "Noise Conditional Score Networks" -> NCSN
        elif len(words) <= 2:
            name = inner
        if name:
            title = title[: m.start()].strip()
    title = _SPACE_AFTER_COLON.sub(": ", title)
    if title.endswith(".") and not title.endswith(("..", "etc.", " al.")) and title.count(" ") >= 2:
        title = title[:-1]  # "**DreamBlend: ... Models.**<br>": the sentence's full stop
    return title, name


def shortname_ok(name: str, title: str) -> bool:
    name = clean(name)
    return (
        bool(name)
        and not is_placeholder(name)
        and bool(_NAME_OK.match(name))
        and name.lower() != title.lower()
    )


def build(row: Row, problems: list[Problem]) -> Candidate:
    for attr in ("title", "summary"):
        text = getattr(row, attr)
        if _UNSAFE_MD.search(text):
            setattr(row, attr, _UNSAFE_MD.sub(r"\1", text))
            problems.append(
                Problem(
                    "I-unsafe-link",
                    "javascript:/data:/file: link dropped (only http(s) links are kept)",
                    Severity.WARNING,
                    row.file,
                    row.line,
                )
            )
    title, name = split_title(row.title)
    if row.shortname and shortname_ok(row.shortname, title):
        name = clean(row.shortname)
    elif not name:
        m = _PREFIX_NAME.match(title)
        if m and len(m.group(1)) <= 16:
            name = m.group(1)
    entry = Entry("misc", "", line=row.line, file=row.file)
    entry.set("title", title)
    if name:
        entry.set("shortname", name)
    if row.authors:
        entry.set("author", _authors(row.authors))
    when = parse_when([w for w in row.when if w])
    for text in when.unknown:
        problems.append(
            Problem(
                "I-venue-unknown",
                f"venue {text!r} is not in the venue table; not kept",
                Severity.WARNING,
                row.file,
                row.line,
            )
        )
    if when.presentation:
        entry.set("presentation", when.presentation)
    cand = Candidate(row, entry, when)
    raw_links = [(row.title, row.title_url)] if row.title_url else []
    raw_links += [(lk.label, lk.url) for lk in row.links]
    for label, url in raw_links:
        result = classify(label, url)
        if result.problem:
            code, message = result.problem.split("|", 1)
            sev = Severity.INFO if code == "I-local-link" else Severity.WARNING
            problems.append(Problem(code, message, sev, row.file, row.line))
        if result.link is not None:
            cand.links.append((result.link, row.line))
    summary = clean(row.summary)
    if summary and not is_placeholder(summary):
        cand.summary = summary
    elif summary and summary.lower() not in ("none", "-", "--", "~", "n/a", ""):
        problems.append(
            Problem(
                "I-placeholder",
                f"placeholder summary {summary!r} not kept",
                Severity.INFO,
                row.file,
                row.line,
            )
        )
    return cand


def _authors(text: str) -> str:
    text = re.sub(r"\s*(?:,\s*)?\bet al\.?$", " and others", clean(text).rstrip(". "))
    parts = [p.strip() for p in re.split(r"\s*,\s*|\s+and\s+|\s*;\s*", text) if p.strip()]
    return " and ".join(parts)
