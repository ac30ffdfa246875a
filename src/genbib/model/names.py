"""Person names, parsed with the BibTeX name grammar (through pybtex).

Dedupe compares family names, render prints short author lists and the Zotero mapping
splits names into first and last; all of them need the same reading of `von Last, Jr,
First` and of brace-protected corporate names, so it lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Name:
    """One person: the four BibTeX name parts, each as written (LaTeX kept)."""

    first: str = ""
    von: str = ""
    last: str = ""
    jr: str = ""

    @property
    def is_others(self) -> bool:
        return self.last == "others" and not (self.first or self.von or self.jr)

    def bibtex(self) -> str:
        """`von Last, Jr, First`: the unambiguous BibTeX form."""
        last = f"{self.von} {self.last}".strip()
        if self.jr:
            return f"{last}, {self.jr}, {self.first}"
        if self.first:
            return f"{last}, {self.first}"
        return last

    def display(self) -> str:
        """`First von Last Jr` for people to read."""
        return " ".join(p for p in (self.first, self.von, self.last, self.jr) if p)


@lru_cache(maxsize=65536)
def _parse_one(text: str) -> Name:
    from pybtex.database import Person

    if text.strip() == "others":
        return Name(last="others")
    try:
        p = Person(text)
    except Exception:  # pybtex raises on some malformed names; keep the text as a last name
        return Name(last=text.strip())
    return Name(
        first=" ".join(p.first_names + p.middle_names),
        von=" ".join(p.prelast_names),
        last=" ".join(p.last_names),
        jr=" ".join(p.lineage_names),
    )


def split_names(text: str) -> list[str]:
    """Split an author field on ` and ` at brace depth 0."""
    from pybtex.bibtex.utils import split_name_list

    # BibTeX reads any run of whitespace (a line break in a long author list) as one
    # space; pybtex only splits on ` and ` between spaces.
    return [s for s in split_name_list(" ".join(text.split())) if s.strip()]


def parse_names(text: str) -> list[Name]:
    """All persons of an author/editor field."""
    return list(_parse_all(text))


@lru_cache(maxsize=65536)
def _parse_all(text: str) -> tuple[Name, ...]:
    return tuple(_parse_one(s) for s in split_names(text))


def format_names(names: list[Name]) -> str:
    return " and ".join(n.bibtex() for n in names)
