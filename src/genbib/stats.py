"""Counts that tell a lab how its bibliography is doing, and what is still missing.

Used by `genbib stats`; plain data so `--json` and the text table show the same thing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from genbib.model.entry import Entry


def venue_name(entry: Entry) -> str:
    """The canonical short venue name, or the raw venue text, or "arXiv"/"unknown"."""
    from genbib.model.venues import venue_of

    venue = venue_of(entry)
    if venue is not None:
        return venue.short
    raw = entry.get("booktitle") or entry.get("journal") or entry.get("journaltitle")
    if raw:
        return raw
    return "arXiv" if entry.arxiv else "unknown"


@dataclass
class Stats:
    papers: int = 0
    by_topic: Counter[str] = field(default_factory=Counter)
    by_year: Counter[str] = field(default_factory=Counter)
    by_venue: Counter[str] = field(default_factory=Counter)
    missing: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "papers": self.papers,
            "by_topic": dict(sorted(self.by_topic.items())),
            "by_year": dict(sorted(self.by_year.items())),
            "by_venue": dict(self.by_venue.most_common()),
            "missing": {k: sorted(v) for k, v in sorted(self.missing.items())},
        }


def _no_venue(e: Entry) -> bool:
    return not (
        e.get("booktitle") or e.get("journal") or e.get("journaltitle") or e.arxiv
        or e.get("howpublished")
    )  # fmt: skip


MISSING_CHECKS: dict[str, Callable[[Entry], bool]] = {
    "author": lambda e: not e.get("author"),
    "year": lambda e: e.year is None,
    "venue": _no_venue,
    "identifier": lambda e: not (e.arxiv or e.doi or e.openreview),
    "code": lambda e: not e.get("code"),
    "topic": lambda e: not e.topics,
}


def compute(entries: Iterable[Entry]) -> Stats:
    s = Stats(missing={name: [] for name in MISSING_CHECKS})
    for e in entries:
        s.papers += 1
        for t in e.topics or ["(none)"]:
            s.by_topic[t] += 1
        s.by_year[str(e.year or "unknown")] += 1
        s.by_venue[venue_name(e)] += 1
        for name, test in MISSING_CHECKS.items():
            if test(e):
                s.missing[name].append(e.key)
    return s
