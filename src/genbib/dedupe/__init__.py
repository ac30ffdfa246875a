"""One engine that decides which entries are the same paper and merges them.

Import, `genbib add`, Zotero sync and `genbib dedupe` all use it, so a paper is matched
the same way wherever it arrives: `recognize.Recognizer` for one incoming entry (the
index, its fallbacks, the retired record; `admit.Admitter` merges or adds it), `plan` and
`apply` for a whole library, `merge` for the field-by-field policy, `stage` for sync.
"""

from __future__ import annotations

from genbib.dedupe.index import MatchIndex
from genbib.dedupe.match import Match, Reason, is_published
from genbib.dedupe.merge import merge
from genbib.dedupe.plan import DedupePlan, Group, Link, apply, plan, stage

__all__ = [
    "DedupePlan",
    "Group",
    "Link",
    "Match",
    "MatchIndex",
    "Reason",
    "apply",
    "is_published",
    "merge",
    "plan",
    "stage",
]
