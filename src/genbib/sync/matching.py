"""Which existing paper a new Zotero item is: the dedupe engine's judgement, or a fallback.

The runner links a paper added in Zotero to an entry of the bib (or merges a second copy)
through one of these matchers; `dedupe_match` is the lab's real one, `simple_match` keeps
sync working (and its tests independent) when the dedupe package is not installed.

A pull of k new items is matched against pools of up to n papers that change a little
after each item (an entry linked, a copy merged, an item accepted). So a matcher hands
out a `Pool`: one index built once and updated in place, so the whole pull costs
O(n + k) index work instead of an index rebuilt (or a list scanned) per item. A pool
answers exactly as the per-call form would over its members in the order they joined.
A plain function `(entry, candidates) -> entry | None` is still accepted as a matcher
(`pool_of` wraps it and calls it per lookup, as before).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, runtime_checkable

from genbib.model.entry import Entry

MatchFunction = Callable[[Entry, Sequence[Entry]], Entry | None]


class Pool(Protocol):
    """Candidates for matching that change between lookups."""

    def find(self, entry: Entry) -> Entry | None:
        """The member that is the same paper as `entry`, or None."""
        ...

    def add(self, entry: Entry) -> None:
        """Add `entry` last; a member already there is re-read (after a change) in place."""
        ...

    def discard(self, entry: Entry) -> None:
        """Forget `entry` (nothing happens when it is not a member)."""
        ...


@runtime_checkable
class PoolMatcher(Protocol):
    """A matcher that keeps an index across lookups (see the module docstring)."""

    def pool(self, entries: Iterable[Entry]) -> Pool: ...


Matcher = PoolMatcher | MatchFunction


def pool_of(match: Matcher, entries: Iterable[Entry]) -> Pool:
    """A pool of `entries` for `match`: its own when it has one, else a per-call wrapper."""
    if isinstance(match, PoolMatcher):
        return match.pool(entries)
    return CallPool(match, entries)


class CallPool:
    """A plain matching function over a list: O(members) per lookup, as it always was."""

    def __init__(self, match: MatchFunction, entries: Iterable[Entry] = ()) -> None:
        self._match = match
        self._members: dict[int, Entry] = {}  # insertion-ordered; re-adding keeps the place
        for entry in entries:
            self.add(entry)

    def find(self, entry: Entry) -> Entry | None:
        return self._match(entry, list(self._members.values()))

    def add(self, entry: Entry) -> None:
        self._members[id(entry)] = entry

    def discard(self, entry: Entry) -> None:
        self._members.pop(id(entry), None)


class LazyPool:
    """A pool built from `members()` on its first lookup, so a sync that never needs to
    match (no unknown new item) indexes nothing; until then, changes are left to
    `members()`, which must list the current members in order."""

    def __init__(self, match: Matcher, members: Callable[[], Iterable[Entry]]) -> None:
        self._match = match
        self._members = members
        self._pool: Pool | None = None

    def find(self, entry: Entry) -> Entry | None:
        if self._pool is None:
            self._pool = pool_of(self._match, self._members())
        return self._pool.find(entry)

    def add(self, entry: Entry) -> None:
        if self._pool is not None:
            self._pool.add(entry)

    def discard(self, entry: Entry) -> None:
        if self._pool is not None:
            self._pool.discard(entry)


# --- the fallback: shared identifiers ------------------------------------------------


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


class SimplePool:
    """`simple_match` over an index from identifier to members: the first member (in
    pool order) sharing an identifier, found without scanning the others."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        self._entries: dict[int, Entry] = {}
        self._ids: dict[int, set[str]] = {}
        self._place: dict[int, int] = {}
        self._postings: dict[str, set[int]] = {}
        self._counter = 0
        for entry in entries:
            self.add(entry)

    def find(self, entry: Entry) -> Entry | None:
        found: set[int] = set()
        for ident in _ids(entry):
            found |= self._postings.get(ident, set())
        if not found:
            return None
        return self._entries[min(found, key=self._place.__getitem__)]

    def add(self, entry: Entry) -> None:
        me = id(entry)
        if me in self._entries:
            place = self._place[me]
            self.discard(entry)
        else:
            place, self._counter = self._counter, self._counter + 1
        self._entries[me], self._place[me] = entry, place
        self._ids[me] = ids = _ids(entry)
        for ident in ids:
            self._postings.setdefault(ident, set()).add(me)

    def discard(self, entry: Entry) -> None:
        me = id(entry)
        ids = self._ids.pop(me, None)
        if ids is None:
            return
        del self._entries[me], self._place[me]
        for ident in ids:
            members = self._postings[ident]
            members.discard(me)
            if not members:
                del self._postings[ident]


class SimpleMatcher:
    """The same paper by arXiv id, DOI or normalised title (the dedupe engine does better)."""

    def __call__(self, entry: Entry, candidates: Sequence[Entry]) -> Entry | None:
        ids = _ids(entry)
        for c in candidates:
            if ids & _ids(c):
                return c
        return None

    def pool(self, entries: Iterable[Entry]) -> Pool:
        return SimplePool(entries)


simple_match = SimpleMatcher()


# --- the dedupe engine ---------------------------------------------------------------


class DedupePool:
    """One `MatchIndex` kept across lookups. A member re-added after a merge keeps its
    place in the index, so the pool answers as `MatchIndex.find` over a fresh index of
    the members in pool order would."""

    def __init__(self, entries: Iterable[Entry] = ()) -> None:
        from genbib.dedupe import MatchIndex

        self._index = MatchIndex(entries)

    def find(self, entry: Entry) -> Entry | None:
        found = self._index.find(entry)
        return found.entry if found is not None else None

    def add(self, entry: Entry) -> None:
        self._index.add(entry)  # re-files a member already there, in its place

    def discard(self, entry: Entry) -> None:
        self._index.discard(entry)


class DedupeMatcher:
    """The dedupe engine's judgement when it is installed, else `simple_match`."""

    def __call__(self, entry: Entry, candidates: Sequence[Entry]) -> Entry | None:
        try:
            from genbib.dedupe import MatchIndex
        except ImportError:
            return simple_match(entry, candidates)
        index = MatchIndex(candidates)
        found = index.find(entry)
        return found.entry if found is not None else None

    def pool(self, entries: Iterable[Entry]) -> Pool:
        try:
            import genbib.dedupe  # noqa: F401
        except ImportError:
            return SimplePool(entries)
        return DedupePool(entries)


dedupe_match = DedupeMatcher()
