"""The venue table: every spelling of a venue -> one short name and one full name.

Lists write "NIPS<br>2019", "ICLR 2021(Oral)", "ARXIV 28 Jul 2024"; metadata sources write
"Advances in Neural Information Processing Systems 33" or "Proceedings of the 40th
International Conference on Machine Learning". Import, enrich and render must agree that
these are the same venue, so the table lives in one data file (`genbib/data/venues.toml`)
and is read here. Names are year-aware: NIPS was renamed NeurIPS in 2018.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Literal

from genbib.model.entry import Entry

VenueKind = Literal["conference", "journal", "preprint", "workshop"]


@dataclass(frozen=True, slots=True)
class Venue:
    short: str
    full: str
    kind: VenueKind


@dataclass(frozen=True, slots=True)
class _Row:
    venue: Venue
    aliases: frozenset[str]
    patterns: tuple[re.Pattern[str], ...]
    until: int | None
    short_until: str
    full_until: str
    series: bool


_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_GLUED_YEAR = re.compile(r"^([a-z]+)[' ]?(\d{2})$")  # "icml23", "cvpr'24"
_NOISE = frozenset(
    """jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june
    july august september october november december oral spotlight poster best paper award
    highlight long short findings main track""".split()
)
_PAREN = re.compile(r"\(([^()]*)\)")


def fold(text: str) -> str:
    """Lower case, punctuation to single spaces: the form aliases are compared in."""
    return _NON_ALNUM.sub(" ", text.lower()).strip()


@cache
def _table() -> tuple[_Row, ...]:
    data = tomllib.loads(resources.files("genbib.data").joinpath("venues.toml").read_text("utf-8"))
    rows = []
    for item in data["venue"]:
        venue = Venue(item["short"], item["full"], item["kind"])
        aliases = {fold(a) for a in item.get("aliases", [])} | {fold(venue.short), fold(venue.full)}
        rows.append(
            _Row(
                venue,
                frozenset(aliases),
                tuple(re.compile(p) for p in item.get("patterns", [])),
                item.get("until"),
                item.get("short_until", venue.short),
                item.get("full_until", venue.full),
                bool(item.get("series", False)),
            )
        )
    # Workshops first: "CVPR ... Workshops" must not be read as CVPR.
    rows.sort(key=lambda r: r.venue.kind != "workshop")
    return tuple(rows)


@cache
def _patterns() -> tuple[tuple[_Row, re.Pattern[str]], ...]:
    """Every row's patterns in table order, flat: the first match is the first row's."""
    return tuple((row, p) for row in _table() for p in row.patterns)


def all_venues() -> list[Venue]:
    return [row.venue for row in _table()]


def is_series(venue: Venue) -> bool:
    """A proceedings series (PMLR) names where a paper was printed, not the venue itself."""
    return any(row.series for row in _table() if row.venue.short == venue.short)


def year_in(text: str) -> int | None:
    m = _YEAR.search(text)
    return int(m.group(1)) if m else None


def lookup(text: str, year: int | None = None) -> Venue | None:
    """The venue `text` names, named as it was in `year` (or the year in `text`); None if unknown."""
    if not text or not text.strip():
        return None
    if year is None:
        year = year_in(text)
    row, workshop = _find(text)
    if row is None:
        return None
    venue = _named(row, year)
    if workshop and venue.kind == "conference":
        return Venue(f"{venue.short} Workshop", f"{venue.full} Workshop", "workshop")
    return venue


def _named(row: _Row, year: int | None) -> Venue:
    if row.until is not None and year is not None and year <= row.until:
        return Venue(row.short_until, row.full_until, row.venue.kind)
    return row.venue


@lru_cache(maxsize=4096)  # a pure function of the text; a bib repeats a few hundred venues
def _find(text: str) -> tuple[_Row | None, bool]:
    folded = fold(text)
    rows = _table()
    for row, pattern in _patterns():
        if pattern.search(folded):
            return row, False
    tokens = [t for t in folded.split() if not _YEAR.fullmatch(t) and not t.isdigit()]
    workshop = any(t in ("workshop", "workshops") for t in tokens)
    if workshop:
        tokens = tokens[: next(i for i, t in enumerate(tokens) if t.startswith("workshop"))]
    core = [t for t in tokens if t not in _NOISE]
    candidates = [" ".join(core)]
    if len(core) == 1:
        m = _GLUED_YEAR.match(core[0])
        if m:
            candidates.append(m.group(1))
    candidates.extend(fold(p) for p in _PAREN.findall(text))
    for cand in candidates:
        if not cand:
            continue
        for row in rows:
            if cand in row.aliases:
                return row, workshop
        cand_core = " ".join(t for t in cand.split() if not _YEAR.fullmatch(t) and t not in _NOISE)
        for row in rows:
            if cand_core and cand_core in row.aliases:
                return row, workshop
    return None, False


_VENUE_FIELDS = ("booktitle", "journal", "journaltitle", "howpublished")


def venue_of(entry: Entry) -> Venue | None:
    """The venue an entry names in its booktitle/journal/howpublished, else arXiv for an e-print."""
    for name in _VENUE_FIELDS:
        text = entry.get(name)
        if text:
            found = lookup(text, entry.year)
            if found:
                return found
    if entry.arxiv:
        return lookup("arXiv")
    return None
