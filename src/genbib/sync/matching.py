"""Which paper a new Zotero item is: the interface the sync engine is given, as plain data.

The engine knows no matching rules of its own. The caller injects a `Matcher`; the lab's
is the admission's recognition (`genbib.dedupe.recognize.SyncMatcher`, given by
`admission()`), so a paper saved in Zotero is recognised exactly as one imported from a
list or added by identifier: the dedupe engine, its fallbacks (a retitled arXiv version,
a wrong arXiv link), then the retired record.

A pull of k new items is matched against pools of up to n papers that change a little
after each item (an entry linked, a copy merged, an item accepted). So a matcher hands
out a `Pool`: one index built once and updated in place, so the whole pull costs
O(n + k) index work instead of an index rebuilt (or a list scanned) per item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from genbib.model.entry import Entry
from genbib.model.problems import Problem

# an entry -> (the retired key whose paper it is, how that was recognised), or None
RetiredScreen = Callable[[Entry], tuple[str, str] | None]


class Pool(Protocol):
    """Candidates for matching that change between lookups."""

    def find(self, entry: Entry) -> tuple[Entry | None, list[Problem]]:
        """The member that is the same paper as `entry` (or None), and the findings of
        the look-up: a contradiction (an identifier shared with another paper), or why a
        disagreeing member was taken for the paper (retitled; another paper's arXiv id).
        A finding may mean `entry` was changed: a link the member contradicts dropped."""
        ...

    def add(self, entry: Entry) -> None:
        """Add `entry` last; a member already there is re-read (after a change)."""
        ...

    def discard(self, entry: Entry) -> None:
        """Forget `entry` (nothing happens when it is not a member)."""
        ...


class Matcher(Protocol):
    """What the sync engine is given to recognise papers (see the module docstring)."""

    def pool(self, entries: Iterable[Entry]) -> Pool: ...

    def retired(self, record: Mapping[str, str], in_use: Iterable[str]) -> RetiredScreen:
        """A screen over the retired record (`Library.retired`): keys in `in_use` live."""
        ...


def admission() -> Matcher:
    """The lab's matcher: the admission's recognition (imported lazily: it is heavy)."""
    from genbib.dedupe.recognize import SyncMatcher

    return SyncMatcher()


class LazyPool:
    """A pool built from `members()` on its first lookup, so a sync that never needs to
    match (no unknown new item) indexes nothing; until then, changes are left to
    `members()`, which must list the current members in order."""

    def __init__(self, match: Matcher, members: Callable[[], Iterable[Entry]]) -> None:
        self._match = match
        self._members = members
        self._pool: Pool | None = None

    def find(self, entry: Entry) -> tuple[Entry | None, list[Problem]]:
        if self._pool is None:
            self._pool = self._match.pool(self._members())
        return self._pool.find(entry)

    def add(self, entry: Entry) -> None:
        if self._pool is not None:
            self._pool.add(entry)

    def discard(self, entry: Entry) -> None:
        if self._pool is not None:
            self._pool.discard(entry)
