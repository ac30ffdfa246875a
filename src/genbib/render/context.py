"""What the templates see: the library and the configuration turned into plain views.

Templates should only lay things out, so every decision is taken here: which topics
exist, which papers belong to each and in what order, which venue name to show, which
links are safe to show, how a date and an author list are written. The views hold
plain Unicode text (entry fields are read out of their LaTeX once, here); the escaping
filters make it inert for each target. Nothing here reads a clock, the network or the
file system, so the same library and configuration always give the same context.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genbib.bibtex.keys import key_problem
from genbib.config import Config, Topic
from genbib.model.entry import Entry, Link, LinkKind
from genbib.model.identifiers import canonical_url, github_repo, openreview_id
from genbib.model.library import Library
from genbib.model.names import parse_names
from genbib.model.problems import Problem, Severity
from genbib.model.values import balanced
from genbib.model.venues import venue_of
from genbib.render.escape import safe_cite_key, safe_url, to_text

SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
RESERVED = frozenset({"readme", "all", "example"})  # names of the index and the tex drivers


@dataclass(frozen=True, slots=True)
class LinkView:
    """One badge: `label` (arXiv, code, ...), an http(s) `url`, an optional `note` (stars)."""

    label: str
    url: str
    note: str = ""
    color: str = "blue"


@dataclass(frozen=True, slots=True)
class Paper:
    key: str
    title: str
    authors: str  # short list: "Ho, Jain and Abbeel", "Sohl-Dickstein et al."
    shortname: str
    year: int | None
    date: str  # "2020-06", "2020" or ""
    venue: str  # canonical short name, else the raw booktitle/journal
    venue_kind: str  # conference | journal | preprint | workshop | ""
    presentation: str  # Oral, Spotlight, ...
    links: tuple[LinkView, ...]
    annotation: str
    citable: bool  # the key can go inside \cite{...}
    sort_date: tuple[int, int, int]


@dataclass(frozen=True, slots=True)
class YearGroup:
    year: str  # "2020", or "undated"
    papers: tuple[Paper, ...]


@dataclass(frozen=True, slots=True)
class TopicView:
    slug: str
    title: str
    description: str
    papers: tuple[Paper, ...]  # in the configured order

    @property
    def count(self) -> int:
        return len(self.papers)

    @property
    def groups(self) -> tuple[YearGroup, ...]:
        """Citable papers, oldest first, one group per year (for the related-work stub)."""
        chrono = sorted((p for p in self.papers if p.citable), key=lambda p: (p.sort_date, p.key))
        groups: dict[str, list[Paper]] = {}
        for p in chrono:
            groups.setdefault(str(p.year) if p.year else "undated", []).append(p)
        undated = groups.pop("undated", None)
        if undated:
            groups["undated"] = undated
        return tuple(YearGroup(y, tuple(ps)) for y, ps in groups.items())


@dataclass(frozen=True, slots=True)
class RenderContext:
    topics: tuple[TopicView, ...]
    order: str
    citations: str
    heading: str
    badges: str
    bib: str  # the canonical bib as configured, for "generated from" notes
    bibliography: str  # path for \bibliography / \addbibresource, from the tex directory
    problems: tuple[Problem, ...]
    stubs: str = ""  # the tex directory from the configuration's root (where a paper sits)


# --- building -------------------------------------------------------------------------


def build(library: Library, config: Config, *, tex_dir: Path | None = None) -> RenderContext:
    """The render context for `library` under `config` (tex_dir: where stubs are written)."""
    problems: list[Problem] = []
    tagged = [(entry, entry.topics) for entry in library]  # each entry's topics, read once
    topics = _topics(library, tagged, config, problems)
    members: dict[str, list[Paper]] = {t.slug: [] for t in topics}
    author_max = config.render.authors
    venues: dict[tuple[object, ...], tuple[str, str]] = {}
    for entry, entry_topics in tagged:
        slugs = [s for s in dict.fromkeys(entry_topics) if s in members]
        if not slugs:
            continue
        paper = _paper(entry, author_max, venues)
        if not paper.citable:
            problems.append(Problem(
                "render-unsafe-key",
                f"key {entry.key!r} cannot be cited safely in LaTeX ({key_problem(entry.key)}); "
                "left out of the stubs; `genbib rekey` gives it a valid key",
                Severity.WARNING, entry.file or library.file, entry.line, entry.key,
            ))  # fmt: skip
        for slug in slugs:
            members[slug].append(paper)
    sort = _ORDERS[config.render.order]
    views = tuple(
        TopicView(
            t.slug, t.title or t.slug, t.description, tuple(sorted(members[t.slug], key=sort))
        )
        for t in topics
    )
    tex_dir = tex_dir or config.path(config.output.related_work)
    return RenderContext(
        topics=views,
        order=config.render.order,
        citations=config.render.citations,
        heading=config.render.heading,
        badges=config.render.badges,
        bib=config.bib,
        bibliography=bibliography_path(config.bib_path, tex_dir),
        problems=tuple(problems),
        stubs=relative_dir(tex_dir, config.root),
    )


def _topics(
    library: Library,
    tagged: list[tuple[Entry, list[str]]],
    config: Config,
    problems: list[Problem],
) -> list[Topic]:
    """Configured topics in their order, then topics only the bib names, sorted."""
    found: list[Topic] = list(config.topics)
    known = {t.slug for t in found}
    extra = sorted({s for _, slugs in tagged for s in slugs} - known)
    found.extend(
        Topic(slug=s, title=s.replace("-", " ").replace("_", " ").capitalize()) for s in extra
    )
    out = []
    for t in found:
        if not SLUG.fullmatch(t.slug) or t.slug.lower() in RESERVED:
            problems.append(Problem(
                "render-bad-topic",
                f"topic {t.slug!r} cannot name a file (letters, digits, - and _; not "
                f"{', '.join(sorted(RESERVED))}); not rendered",
                Severity.WARNING, config.source if t.slug in known else library.file,
            ))  # fmt: skip
            continue
        out.append(t)
    return out


def relative_dir(directory: Path, root: Path) -> str:
    """`directory` relative to `root`, POSIX-style (how `\\input` names it from a paper
    at the root)."""
    return Path(os.path.relpath(directory.resolve(), root.resolve())).as_posix()


def bibliography_path(bib: Path, tex_dir: Path) -> str:
    """The bib's path without `.bib`, relative to `tex_dir`, as BibTeX wants it."""
    rel = Path(os.path.relpath(bib.resolve(), tex_dir.resolve())).as_posix()
    return rel.removesuffix(".bib")


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}  # fmt: skip
_ISO = re.compile(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")


def _date(entry: Entry, year: int | None) -> tuple[tuple[int, int, int], str]:
    m = _ISO.match((entry.get("date") or "").strip())
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0)
    else:
        y = year or 0
        month = (entry.get("month") or "").strip().lower()
        mo = int(month) if month.isdigit() else _MONTHS.get(month[:3], 0)
        d = 0
    if not 1 <= mo <= 12:
        mo, d = 0, 0
    shown = "" if not y else f"{y}-{mo:02d}" if mo else str(y)
    return (y, mo, d), shown


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def _family_names(text: str, most: int) -> tuple[list[str], bool]:
    """Family names (with `von`) of the first `most` + 1 people, and whether others follow.

    A list is long and render is asked for 10,000 entries at once, so the common
    `von Last, First and ...` form is read here directly; anything else (a name without
    a comma, braces around an `and`) goes through the BibTeX name grammar.
    """
    parts = _AND.split(text.strip())
    if "{" in text and not all(balanced(p) for p in parts):
        people = [n for n in parse_names(text)]
        named = [n for n in people if not n.is_others]
        lasts = [f"{n.von} {n.last}".strip() for n in named[: most + 1]]
        return lasts, len(named) < len(people) or len(named) > most
    more = len(parts) > most or ("others" in text and any(p.strip() == "others" for p in parts))
    lasts = []
    for part in parts[: most + 1]:
        part = part.strip()
        if part == "others" or not part:
            continue
        head = part.split(",", 1)[0]
        if head != part and ("{" not in head or balanced(head)):
            lasts.append(head.strip())
            continue
        words = part.split()
        if "{" not in part or all(balanced(w) for w in words):  # First von Last
            von = next((i for i, w in enumerate(words[:-1]) if i and _lower(w)), None)
            lasts.append(" ".join(words[von:]) if von is not None else words[-1])
        else:  # braces around spaces: the grammar decides where the family name starts
            name = parse_names(part)[0]
            lasts.append(f"{name.von} {name.last}".strip())
    return lasts, more


def _lower(word: str) -> bool:
    """A `von` word: its first letter is lower case (`van`, `de`, `{\\'e}tienne`)."""
    if "{" not in word and "\\" not in word:
        return word[:1].islower()
    return to_text(word)[:1].islower()


def _short_authors(entry: Entry, most: int) -> str:
    text = entry.get("author") or entry.get("editor") or ""
    if not text.strip():
        return ""
    lasts, etal = _family_names(text, most)
    lasts = [to_text(n) for n in lasts]
    if etal or not lasts:
        return f"{lasts[0] if lasts else 'Anonymous'} et al."
    if len(lasts) == 1:
        return lasts[0]
    return ", ".join(lasts[:-1]) + " and " + lasts[-1]


def _stars(entry: Entry) -> str:
    text = (entry.get("stars") or "").strip().replace(",", "")
    if not text.isdigit():
        return ""
    n = int(text)
    if n >= 1000:
        return f"{n / 1000:.1f}k".replace(".0k", "k")
    return str(n)


def _links(entry: Entry, arxiv: str | None, links: list[Link]) -> tuple[LinkView, ...]:
    out: list[LinkView] = []
    seen: set[str] = set()

    def add(label: str, url: str, note: str = "", color: str = "blue", built: bool = False) -> None:
        if built:
            canon = url  # made here from a checked identifier: its canonical page already
        elif not safe_url(url):
            return
        else:
            low = url.strip().rstrip("/").lower()
            if "arxiv.org" in low or "openreview.net" in low:
                canon = canonical_url(url)  # abs/pdf/versioned forms are one page
            else:
                canon = low.split("://", 1)[-1].removeprefix("www.")
        if canon in seen:
            return
        seen.add(canon)
        out.append(LinkView(label, url.strip(), note, color))

    if arxiv:
        add("arXiv", f"https://arxiv.org/abs/{arxiv}", arxiv, "b31b1b", built=True)
    forum = next((f for x in links if "openreview" in x.url and (f := openreview_id(x.url))), None)
    if forum:
        add("OpenReview", f"https://openreview.net/forum?id={forum}", color="8c1b13", built=True)
    doi = entry.doi
    if doi and not doi.startswith("10.48550/"):
        add("DOI", f"https://doi.org/{doi}", color="blue")
    by_kind: dict[LinkKind, list[str]] = {}
    for link in links:
        by_kind.setdefault(link.kind, []).append(link.url)
    for url in by_kind.get(LinkKind.PAPER, []):
        add("paper", url, color="informational")
    for url in by_kind.get(LinkKind.PDF, []):
        add("PDF", url, color="red")
    code = by_kind.get(LinkKind.CODE, [])
    stars = _stars(entry) if code else ""
    for i, url in enumerate(code):
        add("code", url, f"★ {stars}" if stars and i == 0 and github_repo(url) else "", "black")
    for url in by_kind.get(LinkKind.PROJECT, []):
        add("project", url, color="green")
    for url in by_kind.get(LinkKind.BLOG, []):
        add("blog", url, color="orange")
    for url in by_kind.get(LinkKind.VIDEO, []):
        add("video", url, color="red")
    return tuple(out)


_VENUE_FIELDS = ("booktitle", "journal", "journaltitle", "howpublished")


def _venue(
    entry: Entry,
    year: int | None,
    arxiv: str | None,
    cache: dict[tuple[object, ...], tuple[str, str]],
) -> tuple[str, str]:
    """The canonical short name and kind, else the booktitle/journal as written.

    Thousands of entries share a few hundred venue spellings, so answers are cached by
    what `venue_of` reads (the venue fields, the year, whether there is an e-print).
    """
    key = (*(entry.fields.get(f) for f in _VENUE_FIELDS), year, arxiv is not None)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _venue_uncached(entry, arxiv)
    return found


def _venue_uncached(entry: Entry, arxiv: str | None) -> tuple[str, str]:
    venue = venue_of(entry)
    if venue is not None:
        return venue.short, venue.kind
    raw = entry.get("booktitle") or entry.get("journal") or ""
    if raw:
        return to_text(raw), ""
    if arxiv:
        return "arXiv", "preprint"
    return "", ""


def _paper(
    entry: Entry, author_max: int, venues: dict[tuple[object, ...], tuple[str, str]]
) -> Paper:
    year = entry.year
    sort_date, shown = _date(entry, year)
    arxiv = entry.arxiv
    venue, kind = _venue(entry, year, arxiv, venues)
    return Paper(
        key=entry.key,
        title=to_text(entry.title),
        authors=_short_authors(entry, author_max),
        shortname=to_text(entry.get("shortname")),
        year=year,
        date=shown,
        venue=venue,
        venue_kind=kind,
        presentation=to_text(entry.get("presentation")),
        links=_links(entry, arxiv, entry.links()),
        annotation=to_text(entry.get("annotation")),
        citable=safe_cite_key(entry.key),
        sort_date=sort_date,
    )


def _newest(p: Paper) -> tuple[Any, ...]:
    y, m, d = p.sort_date
    return (-y, -m, -d, p.key)


def _oldest(p: Paper) -> tuple[Any, ...]:
    return (p.sort_date, p.key)


def _title(p: Paper) -> tuple[Any, ...]:
    return (p.title.casefold(), p.key)


_ORDERS: dict[str, Callable[[Paper], tuple[Any, ...]]] = {
    "newest": _newest,
    "oldest": _oldest,
    "title": _title,
}
