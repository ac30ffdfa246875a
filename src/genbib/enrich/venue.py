"""Venue names from sources, through the shared venue table (genbib.model.venues).

Sources name venues their own way (DBLP "NeurIPS", OpenAlex "Neural Information
Processing Systems", arXiv journal refs "ICLR 2021"); the table maps them to one short
name and the full proceedings or journal title, so enriched entries read alike.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Published:
    type: str  # inproceedings | article
    field: str  # booktitle | journal
    name: str  # the full venue name to write
    short: str


def published(text: str, year: int | None) -> Published | None:
    """The published venue `text` names, or None for preprints and unknown venues."""
    if not text.strip():
        return None
    try:
        from genbib.model.venues import lookup
    except ImportError:  # the table is not installed: keep sources working without it
        return None
    venue = lookup(text, year)
    if venue is None or venue.kind == "preprint":
        return None
    if venue.kind == "journal":
        return Published("article", "journal", venue.full, venue.short)
    return Published("inproceedings", "booktitle", venue.full, venue.short)


def is_preprint(text: str) -> bool:
    low = text.lower()
    return any(w in low for w in ("arxiv", "corr", "biorxiv", "medrxiv", "preprint"))
