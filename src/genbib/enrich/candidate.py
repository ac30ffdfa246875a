"""What a metadata source says about one paper, before anyone decides to believe it.

Every source maps its response to `Candidate`s (pure functions, no I/O); the guard then
decides whether a candidate is the entry's paper, and only then are fields filled.
"""

from __future__ import annotations

from dataclasses import dataclass

from genbib.model.entry import Link
from genbib.model.names import Name


class SourceFormatError(ValueError):
    """A response that is not in the format the source documents (malformed JSON/XML)."""


@dataclass(frozen=True)
class Candidate:
    source: str
    title: str = ""
    authors: tuple[Name, ...] = ()
    authors_complete: bool = True  # False when the source truncated the list
    year: int | None = None
    type: str = ""  # BibTeX type of a published version: inproceedings, article; "" = preprint
    fields: tuple[tuple[str, str], ...] = ()  # venue details: booktitle, journal, pages, ...
    arxiv: str = ""
    doi: str = ""
    url: str = ""  # the paper's page
    links: tuple[Link, ...] = ()  # code and project pages
    by_id: bool = False  # found by an identifier of the entry (not by a title search)

    @property
    def published(self) -> bool:
        return bool(self.type) and any(k in ("booktitle", "journal") for k, _ in self.fields)


@dataclass(frozen=True)
class RepoFacts:
    """What GitHub says about a repository."""

    requested: str  # owner/name as linked
    exists: bool
    full_name: str = ""  # owner/name after renames and transfers
    url: str = ""
    archived: bool = False
    stars: int = 0
    description: str = ""
