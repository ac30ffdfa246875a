"""Which existing paper a new Zotero item is: the dedupe engine's judgement, or a fallback.

The runner links a paper added in Zotero to an entry of the bib (or merges a second copy)
through one of these matchers; `dedupe_match` is the lab's real one, `simple_match` keeps
sync working (and its tests independent) when the dedupe package is not installed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from genbib.model.entry import Entry


def simple_match(entry: Entry, candidates: Sequence[Entry]) -> Entry | None:
    """The same paper by arXiv id, DOI or normalised title (the dedupe engine does better)."""
    ids = _ids(entry)
    for c in candidates:
        if ids & _ids(c):
            return c
    return None


def _ids(entry: Entry) -> set[str]:
    from genbib.zotero.text import latex_to_text

    out = set()
    if entry.arxiv:
        out.add("arxiv:" + entry.arxiv)
    if entry.doi and not entry.doi.startswith("10.48550/"):
        out.add("doi:" + entry.doi)
    title = re.sub(r"[^a-z0-9]+", "", latex_to_text(entry.title).lower())
    if len(title) > 12:
        out.add("title:" + title)
    return out


def dedupe_match(entry: Entry, candidates: Sequence[Entry]) -> Entry | None:
    """The dedupe engine's judgement when it is installed, else `simple_match`."""
    try:
        from genbib.dedupe import MatchIndex
    except ImportError:
        return simple_match(entry, candidates)
    index = MatchIndex(candidates)
    found = index.find(entry)
    return found.entry if found is not None else None
