"""Venue, year, date and presentation out of the cells lists write them in.

"NIPS<br>2019", "7/4/23<br>ICML23", "ICLR 2021(Oral)", "CVPR Jun 2024", "ARXIV 28 Jul
2024", "2021-X-X", "(15 March 2023)", "**[CVPR 2023]**": parsed as far as they go. A date
is the list's date (usually the first arXiv version); a year written with a venue is the
publication year, which wins over a date's year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from genbib.model.venues import Venue, lookup

_MONTHS = {
    m: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        1,
    )
    for m in names
}  # fmt: skip
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ISO = re.compile(r"\b((?:19|20)\d\d)[-./]([01]?\d|x{1,2})(?:[-./]([0-3]?\d|x{1,2}))?\b", re.I)
_US = re.compile(r"\b([01]?\d)/([0-3]?\d)/(\d{2}|\d{4})\b")
_TEXT_DATE = re.compile(
    rf"\b(?:([0-3]?\d)(?:st|nd|rd|th)?\s+)?({_MONTH})\.?,?\s+((?:19|20)\d\d)\b", re.I
)
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d\d)(?!\d|\.\d)")  # not in "2.2019.1"
_GLUED = re.compile(r"\b([A-Za-z]{2,})'?(\d{2})\b")
_PRESENTATION = re.compile(
    r"\b(oral|spotlight|poster|best paper(?: award)?|highlight|outstanding paper)\b", re.I
)
_JUNK = re.compile(r"[\s()\[\]{}*|,;:~–—-]+")


@dataclass(slots=True)
class When:
    venue: Venue | None = None
    venue_text: str = ""  # text that looked like a venue but is not in the table
    year: int | None = None  # publication year (written with a venue) or a bare year
    date: tuple[int, int | None, int | None] | None = None  # the list's date
    presentation: str = ""
    unknown: list[str] = field(default_factory=list)

    @property
    def best_year(self) -> int | None:
        return self.year if self.year is not None else (self.date[0] if self.date else None)


def parse_when(parts: list[str]) -> When:
    out = When()
    venue_parts: list[tuple[str, int | None]] = []
    for part in parts:
        text = part
        part_year: int | None = None
        for pm in _PRESENTATION.finditer(text):
            out.presentation = out.presentation or pm.group(1).title()
        text = _PRESENTATION.sub(" ", text)
        text, date = _take_date(text)
        if date and out.date is None:
            out.date = date
        if date:
            part_year = date[0]
        m = _YEAR.search(text)
        if m:
            part_year = int(m.group(1))
            text = _YEAR.sub(" ", text)
        g = _GLUED.search(text)
        if g and lookup(g.group(1)) is not None:
            part_year = 2000 + int(g.group(2))
            text = text.replace(g.group(0), g.group(1))
        rest = _JUNK.sub(" ", text).strip()
        if rest:
            venue_parts.append((rest, part_year))
        elif m or g:
            out.year = out.year or part_year
    for text, year in venue_parts:
        year = year or out.year or (out.date[0] if out.date else None)
        venue = lookup(text, year) or _scan(text, year)
        if venue and out.venue is None:
            out.venue = venue
            if year:
                out.year = year
        elif (
            venue is None
            and len(text.split()) <= 4
            and text.lower() not in ("none", "n a", "na", "x", "tbd")
        ):
            out.unknown.append(text)
    if out.year is None and out.venue is None and out.date is None:
        out.year = next((year for _, year in venue_parts if year), None)
    return out


_WORD_YEAR = re.compile(r"\b([A-Za-z][A-Za-z-]{1,12})\b")


def _scan(text: str, year: int | None) -> Venue | None:
    """A venue named inside a longer text ("Ho, Jain. NeurIPS 2020."), only when exactly one
    word of the text is a known venue short name written in capitals."""
    found = {
        lookup(w, year)
        for w in _WORD_YEAR.findall(text)
        if any(c.isupper() for c in w[1:]) or w.isupper()
    }
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def _take_date(text: str) -> tuple[str, tuple[int, int | None, int | None] | None]:
    m = _ISO.search(text)
    if m:
        year = int(m.group(1))
        month = _num(m.group(2), 12)
        day = _num(m.group(3), 31)
        return text.replace(m.group(0), " "), (year, month, day if month else None)
    m = _US.search(text)
    if m:
        month, day, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if year < 100:
            year += 2000
        if 1 <= month <= 12:
            return text.replace(m.group(0), " "), (year, month, day)
    m = _TEXT_DATE.search(text)
    if m:
        month = _MONTHS[m.group(2).lower()]
        day = int(m.group(1)) if m.group(1) else None
        return text.replace(m.group(0), " "), (int(m.group(3)), month, day)
    return text, None


def _num(text: str | None, limit: int) -> int | None:
    if not text or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= limit else None
