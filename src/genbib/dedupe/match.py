"""Deciding whether two entries are the same paper, and saying why.

Evidence is weighed strongest first: a shared identifier (arXiv id, DOI, OpenReview id,
proceedings page), then the same normalised title guarded by year and authors, then a
near-identical title (only misspellings of single words) with the same guards. A
different meaningful word always keeps two titles apart ("Consistency Models" and
"Improved Consistency Models"); two different identifiers of one kind always keep two
entries apart. The comparison is symmetric so that grouping does not depend on order.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from genbib.dedupe import normalize as norm
from genbib.model import identifiers as ids
from genbib.model.entry import LINK_NAMES, Entry, arxiv_in
from genbib.model.values import plain


@dataclass(frozen=True, slots=True)
class Reason:
    """One piece of evidence: `code` for scripts ("arxiv", "title", "authors"), `text` for people."""

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class Match:
    """`entry` is the same paper as the one looked up, for `reasons`."""

    entry: Entry
    reasons: tuple[Reason, ...]

    @property
    def text(self) -> str:
        return " + ".join(r.text for r in self.reasons)

    @property
    def rank(self) -> int:
        return RANK.get(self.reasons[0].code, len(RANK)) if self.reasons else len(RANK)


# Strength of the leading reason; lower is stronger.
RANK = {"arxiv": 0, "doi": 1, "openreview": 2, "url": 3, "title": 4, "fuzzy": 5}
ID_KINDS = (("arxiv", "same arXiv id"), ("doi", "same DOI"), ("openreview", "same OpenReview id"))

_PREPRINT = re.compile(r"arxiv|\bcorr\b|preprint|biorxiv|medrxiv|chemrxiv|ssrn|techrxiv", re.I)
_PUBLISHED_TYPES = {"book", "incollection", "phdthesis", "mastersthesis", "techreport"}


def is_published(entry: Entry) -> bool:
    """True when the entry names a venue that is not a preprint server."""
    return _published(entry.type, entry.get)


def _published(kind: str, text: Callable[[str], str | None]) -> bool:
    """`is_published` of an entry of type `kind` whose field `name` reads `text(name)`
    (the match features give the texts they have at hand)."""
    return kind.lower() in _PUBLISHED_TYPES or any(
        _names_venue(text(name)) for name in ("booktitle", "journal", "journaltitle")
    )


class Relation(Enum):
    SAME = "same"  # equal normalised titles (or one's short prefix/suffix name dropped)
    CLOSE = "close"  # equal but for misspelt words and articles
    CONTAINS = "contains"  # one title's words all occur in the other (a subtitle dropped)
    DIFFERENT = "different"
    UNKNOWN = "unknown"  # a title is missing


@dataclass(slots=True)
class Features:
    """What matching reads from an entry, computed once per entry.

    Never changed once made (the lazy fields below are filled once, from the others).
    Not a frozen dataclass only because freezing makes every construction slower, and
    an import makes one for each row, paper and library entry.
    """

    arxiv: str | None
    doi: str | None  # not an arXiv DOI (that one is `arxiv`)
    openreview: str | None
    procs: tuple[str, ...]
    repos: tuple[str, ...]
    title: str
    tokens: tuple[str, ...]
    full: str
    alts: tuple[str, ...]
    words: tuple[str, ...]  # sorted non-article tokens (the title's bag of words)
    year: int | None
    author: str | None
    published: bool
    _families: tuple[str, ...] | None = field(default=None, init=False, repr=False, compare=False)
    _identifiers: tuple[str, ...] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def families(self) -> tuple[str, ...]:
        """Comparable family names of the authors, read when first compared: most entries
        of a library are never compared with anything (an import into a large bib)."""
        found = self._families
        if found is None:
            found = norm.family_names(self.author)
            self._families = found
        return found

    def identifiers(self) -> tuple[str, ...]:
        """Each identifier as "kind:value" (asked at each look-up and filing: made once)."""
        found = self._identifiers
        if found is None:
            found = tuple(f"{kind}:{value}" for kind, value in self._ids() if value)
            found += tuple(f"url:{p}" for p in self.procs)
            self._identifiers = found
        return found

    def _ids(self) -> tuple[tuple[str, str | None], ...]:
        return (("arxiv", self.arxiv), ("doi", self.doi), ("openreview", self.openreview))


ARTICLES = frozenset({"a", "an", "the", "and", "of"})


_NEEDED = frozenset(
    {"title", "author", "year", "date", "eprint", "archiveprefix", "eprinttype", "doi",
     "booktitle", "journal", "journaltitle", *LINK_NAMES}
)  # fmt: skip
_YEAR = re.compile(r"\b(1[5-9]\d\d|2[01]\d\d)\b")


def _plain(raw: str) -> str:
    # The reader only stores valid value expressions, so a braced value without `#`
    # is one braced part; the general `plain` handles the rest.
    if raw[:1] == "{" and raw[-1:] == "}" and "#" not in raw:
        return raw[1:-1]
    if raw.isdigit():
        return raw
    return plain(raw)


def features(entry: Entry) -> Features:
    """The matching view of an entry (the same readings as `Entry.arxiv`, `.doi`, ...,
    read in one pass over the fields, since this runs on every entry of a library)."""
    v = {name: _plain(raw) for name, raw in entry.fields.items() if name in _NEEDED}
    title = v.get("title", "")
    if title:
        tokens = norm.title_tokens(title)
        full, alts = norm.title_keys(title)
        words = _bag(tokens)
    else:
        tokens, full, alts, words = (), "", (), ()
    doi = ids.doi(v.get("doi")) if "doi" in v else None
    if doi and doi.startswith("10.48550/"):
        doi = None  # the arXiv DOI: `arxiv` already
    openreview = None
    for name in LINK_NAMES:
        text = v.get(name)
        if text and "openreview" in text:
            openreview = next(
                (o for u in text.split() if "openreview" in u and (o := ids.openreview_id(u))),
                None,
            )
            if openreview:
                break
    urls = f"{v.get('url', '')} {v.get('pdf', '')}" if "url" in v or "pdf" in v else ""
    return Features(
        arxiv=arxiv_in(v, str),  # `Entry.arxiv`'s reading, from the texts at hand
        doi=doi,
        openreview=openreview,
        procs=tuple(dict.fromkeys(p for u in urls.split() if (p := norm.proceedings_id(u))))
        if urls
        else (),
        repos=tuple(
            dict.fromkeys(r.lower() for u in v["code"].split() if (r := ids.github_repo(u)))
        )
        if "code" in v
        else (),
        title=title,
        tokens=tokens,
        full=full,
        alts=alts,
        words=words,
        year=_year_in(v.get("year")) or _year_in(v.get("date")),
        author=v.get("author"),
        published=_published(entry.type, v.get),
    )


@lru_cache(maxsize=65536)
def _bag(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """A title's bag of words: its tokens but articles, sorted (titles recur in an import:
    the row, the paper made of it, the entry it becomes)."""
    return tuple(sorted(t for t in tokens if t not in ARTICLES))


@lru_cache(maxsize=4096)
def _year_in(text: str | None) -> int | None:
    m = _YEAR.search(text) if text else None
    return int(m.group(1)) if m else None


@lru_cache(maxsize=4096)
def _names_venue(text: str | None) -> bool:
    """A venue field that names a venue other than a preprint server (few distinct values)."""
    if not text:
        return False
    return _PREPRINT.search(text) is None


def _typo(a: str, b: str) -> bool:
    """One misspelt or swapped letter in a longer word; never a different number or short word."""
    if a.isdigit() or b.isdigit() or min(len(a), len(b)) < 5:
        return False
    return OSA.distance(a, b, score_cutoff=1) <= 1


def relation(a: Features, b: Features) -> Relation:
    if not a.full or not b.full:
        return Relation.UNKNOWN
    if a.full == b.full or a.full in b.alts or b.full in a.alts:
        return Relation.SAME
    if not a.words or not b.words:
        return Relation.DIFFERENT
    ca, cb = Counter(a.words), Counter(b.words)
    only_a, only_b = ca - cb, cb - ca
    if not only_a and not only_b:
        # the same words: articles or order differ; a reordered title is another paper
        return Relation.CLOSE if title_score(a, b) >= 0.9 else Relation.DIFFERENT
    if (
        sum(only_a.values()) == sum(only_b.values())
        and all(any(_typo(x, y) for y in only_b) for x in only_a)
        and all(any(_typo(y, x) for x in only_a) for y in only_b)
        and title_score(a, b) >= 0.9
    ):
        return Relation.CLOSE
    if not only_a or not only_b:
        return Relation.CONTAINS
    return Relation.DIFFERENT


def title_score(a: Features, b: Features) -> float:
    return round(fuzz.ratio(" ".join(a.tokens), " ".join(b.tokens)) / 100, 2)


def id_conflict(a: Features, b: Features) -> str | None:
    """The kind of identifier both entries have with different values (different papers)."""
    for (kind, x), (_, y) in zip(a._ids(), b._ids(), strict=True):
        if x and y and x != y:
            return kind
    return None


def shared_id(a: Features, b: Features) -> tuple[str, str] | None:
    for (kind, x), (_, y) in zip(a._ids(), b._ids(), strict=True):
        if x and x == y:
            return kind, x
    common = sorted(set(a.procs) & set(b.procs))
    if common:
        return "url", common[0]
    return None


def _year_tolerance(a: Features, b: Features) -> int:
    # A preprint often precedes its published version by more than a year.
    return 2 if a.published != b.published else 1


def _authors(a: Features, b: Features) -> tuple[bool, Reason | None]:
    """Whether the author lists allow a title match, and the reason to show."""
    if not a.families or not b.families:
        return True, None
    common = sum((Counter(a.families) & Counter(b.families)).values())
    shorter = min(len(a.families), len(b.families))
    # Half the shorter list must be shared: a common first family name alone is weak
    # evidence (many authors share the commonest names).
    if 2 * common < shorter or common == 0:
        return False, None
    return True, Reason("authors", f"{common}/{shorter} authors")


def _year(a: Features, b: Features) -> tuple[bool, Reason | None]:
    if a.year is None or b.year is None:
        return True, None
    gap = abs(a.year - b.year)
    if gap > _year_tolerance(a, b):
        return False, None
    return True, Reason(
        "year", "year" if gap == 0 else f"years {min(a.year, b.year)}/{max(a.year, b.year)}"
    )


def compare(a: Features, b: Features) -> tuple[Reason, ...] | None:
    """The reasons `a` and `b` are the same paper, or None. Symmetric in `a` and `b`."""
    if id_conflict(a, b):
        return None
    rel = relation(a, b)
    shared = shared_id(a, b)
    if shared:
        if rel is Relation.DIFFERENT:
            return None  # a contradiction (see `contradiction`), not a match
        kind, value = shared
        label = dict(ID_KINDS).get(kind, "same proceedings page")
        return (Reason(kind, f"{label} {value.removeprefix('url:')}"),)
    if rel not in (Relation.SAME, Relation.CLOSE):
        return None
    ok_year, year_reason = _year(a, b)
    ok_auth, auth_reason = _authors(a, b)
    if not (ok_year and ok_auth):
        return None
    if rel is Relation.CLOSE and auth_reason is None and len(a.words) < 4:
        return None  # a short title with a changed word and nothing else to go on
    head = (
        Reason("title", "same title")
        if rel is Relation.SAME
        else Reason("fuzzy", f"title {title_score(a, b):.2f}")
    )
    return tuple(r for r in (head, auth_reason, year_reason) if r is not None)


def contradiction(a: Features, b: Features) -> str | None:
    """Why two entries look linked but cannot be one paper, or None."""
    shared = shared_id(a, b)
    if shared and relation(a, b) is Relation.DIFFERENT:
        kind, value = shared
        label = dict(ID_KINDS).get(kind, "same proceedings page").removeprefix("same ")
        return f"{label} {value.removeprefix('url:')} on different titles"
    common = sorted(set(a.repos) & set(b.repos))
    if common and relation(a, b) is Relation.DIFFERENT and not shared:
        return f"code repository github.com/{common[0]} on unrelated papers"
    return None


def incompatible(a: Features, b: Features) -> bool:
    """True when two entries cannot be one paper whatever links them through others."""
    if id_conflict(a, b):
        return True
    if shared_id(a, b):
        return False
    if a.year is not None and b.year is not None and abs(a.year - b.year) > _year_tolerance(a, b):
        return True
    if a.families and b.families and not set(a.families) & set(b.families):
        return True
    return relation(a, b) is Relation.DIFFERENT
