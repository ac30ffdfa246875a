"""Blocking: find the few entries worth comparing, without comparing all pairs.

Entries are indexed under their identifiers, their title keys and the bags of their
title words with one word left out (so a single misspelt or extra word still meets its
partner). Only entries sharing one of these keys are compared, which keeps a
library-wide dedupe near linear. Importers, enrichment and sync keep one `MatchIndex`
over the library and ask it about each incoming entry; a library-wide dedupe takes every
pair at once from `candidate_pairs`, which meets the same pairs without a lookup per key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache

from genbib.dedupe.match import Features, Match, compare, contradiction, features, incompatible
from genbib.model.entry import Entry
from genbib.model.problems import Problem, Severity

# A bag-of-words key shared by more entries than this is not selective enough to be
# worth comparing through (short generic titles); exact title keys still apply.
_MAX_POSTING = 32


def _typo_keys(words: tuple[str, ...], only: int | None = None) -> Iterator[str]:
    """For each word long enough to be misspelt: the bag without it, plus a length
    bucket and the word's first or last letters (`only`: for the word at that place only).

    One misspelling of a word of five letters or more (see `match._typo`: one letter
    changed, added, dropped or two swapped) cannot touch both ends, and changes the
    length by at most one. A word of length L is filed in buckets L // 2 and
    (L + 1) // 2, so lengths that differ by one always share a bucket; the bucket sets
    how many end letters are kept (three from bucket 4, that is from seven letters on,
    where one edit still cannot touch both ends). So a misspelt title shares one of
    these keys with the right one, and few other titles do; the same keys serve filing
    and lookup.
    """
    if len(words) < 3:
        return
    for i in range(len(words)) if only is None else (only,):
        w = words[i]
        n = len(w)
        if n >= 5 and not w.isdigit() and (i == 0 or w != words[i - 1]):
            rest = " ".join(words[:i] + words[i + 1 :])
            for bucket in {n // 2, (n + 1) // 2}:
                k = 3 if bucket >= 4 else 2
                yield f"w:{rest}|{bucket}<{w[:k]}"
                yield f"w:{rest}|{bucket}>{w[-k:]}"


def _word_keys(words: tuple[str, ...], vocabulary: frozenset[str] | None = None) -> Iterator[str]:
    """The `w:` keys of a bag of title words: the bag, and its typo keys.

    With a `vocabulary` (every word the look-ups will bring), only the keys a bag of those
    words can share: a key is the bag less at most one word, so a member with two words
    outside the vocabulary can meet no look-up through its words, and one with a single
    such word only through the typo keys that leave that word out.
    """
    if vocabulary is not None:
        outside = [i for i, w in enumerate(words) if w not in vocabulary]
        if len(outside) > 1:
            return
        if outside:
            yield from _typo_keys(words, outside[0])
            return
    if len(words) >= 2:
        yield "w:" + " ".join(words)
    yield from _typo_keys(words)


@lru_cache(maxsize=65536)
def _word_hashes(words: tuple[str, ...]) -> tuple[int, ...]:
    """Hashes of all the `w:` keys of `words`. Kept: a paper is looked up, then filed
    (`MatchIndex.add`), and an import asks again of each title when it admits the paper,
    after filing the whole library (so room for both: a row's title must survive 20,000
    entries' bags)."""
    return tuple({hash(k) for k in _word_keys(words)})


def blocking_keys(f: Features) -> Iterator[str]:
    """The keys an entry is filed under.

    `i:` identifiers, `t:` exact title keys, `a:` alternative title keys (a title
    without its "DiT:" prefix), `w:` the bag of title words and the typo keys
    (`_typo_keys`), `r:` code repositories (for contradictions only).
    """
    yield from _exact_blocking_keys(f)
    yield from _word_keys(f.words)


def _exact_blocking_keys(f: Features) -> Iterator[str]:
    """`blocking_keys` but the `w:` ones."""
    for ident in f.identifiers():
        yield "i:" + ident
    if f.full:
        yield "t:" + f.full
        for alt in f.alts:
            yield "a:" + alt
    for repo in f.repos:
        yield "r:" + repo


def lookup_keys(f: Features) -> Iterator[str]:
    """The keys under which an entry's partners are filed.

    A full title meets full and alternative keys, an alternative key only full ones:
    "DiT: X" meets "X", but "CAR: X" and "VAR: X" do not meet through "X".
    """
    yield from _exact_lookup_keys(f)
    yield from _word_keys(f.words)


def _exact_lookup_keys(f: Features) -> Iterator[str]:
    """`lookup_keys` but the `w:` ones (which are never capped)."""
    for ident in f.identifiers():
        yield "i:" + ident
    if f.full:
        yield "t:" + f.full
        yield "a:" + f.full
        for alt in f.alts:
            yield "t:" + alt


def candidate_pairs(feats: Sequence[Features]) -> set[tuple[int, int]]:
    """Every pair `(i, j)`, `i < j`, of positions in `feats` that share a blocking key.

    The batch form of `MatchIndex.candidates` for a library-wide dedupe: the same pairs
    (an alternative title key meets only full ones, a bag-of-words key shared by more
    than `_MAX_POSTING` entries is skipped), found by filing every entry once and then
    reading each shared posting, with no lookups: a lookup per key is a random access
    into a dict of a million keys, a scan of the postings reads them in order.
    """
    exact: dict[int, int | list[int]] = {}  # identifiers and title keys, uncapped
    words: dict[int, int | list[int]] = {}  # bag-of-words and typo keys, capped
    for i, f in enumerate(feats):
        full, alt = 2 * i, 2 * i + 1  # the low bit tells an alternative title key
        filed: list[tuple[dict[int, int | list[int]], int, int]] = [
            (exact, hash("i:" + ident), full) for ident in f.identifiers()
        ]
        if f.full:
            filed.append((exact, hash("t:" + f.full), full))
            filed.extend((exact, hash("t:" + a), alt) for a in f.alts)
        if len(f.words) >= 2:
            filed.append((words, hash("w:" + " ".join(f.words)), full))
        filed.extend((words, hash(k), full) for k in _typo_keys(f.words))
        for postings, key, me in filed:
            found = postings.get(key)
            if found is None:
                postings[key] = me
            elif isinstance(found, int):
                if found != me:
                    postings[key] = [found, me]
            elif found[-1] != me:
                found.append(me)
    pairs: set[tuple[int, int]] = set()
    for postings, cap in ((exact, None), (words, _MAX_POSTING)):
        for members in postings.values():
            if isinstance(members, int) or (cap is not None and len(members) > cap):
                continue
            for n, a in enumerate(members):
                for b in members[n + 1 :]:
                    if a & b & 1 or a >> 1 == b >> 1:
                        continue  # two alternative keys ("CAR: X", "VAR: X"), or one entry
                    pairs.add((a >> 1, b >> 1))  # members are filed in increasing order
    return pairs


class MatchIndex:
    """An index of entries that answers "which of you is this paper?".

    `vocabulary`: when the look-ups to come are known (an import's rows), every title
    word they bring; members are then filed only under the `w:` keys such look-ups can
    share (`_word_keys`): most of a large library's typo keys are never made. A look-up
    with a word outside it first files every member under all its keys, so answers are
    the same with or without one.
    """

    def __init__(
        self, entries: Iterable[Entry] = (), vocabulary: Iterable[str] | None = None
    ) -> None:
        self._entries: dict[int, Entry] = {}
        self._features: dict[int, Features] = {}
        self._seq: dict[int, int] = {}
        # hash of a blocking key -> ids filed under it: an int for one entry (most keys),
        # a list for more; 1M small sets would dominate memory and time at 100k entries.
        self._postings: dict[int, int | list[int]] = {}
        self._counter = 0
        self._vocabulary = None if vocabulary is None else frozenset(vocabulary)
        for entry in entries:
            self.add(entry)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, entry: object) -> bool:
        return id(entry) in self._entries

    def features(self, entry: Entry) -> Features:
        """Features of an indexed entry (cached) or of any other entry (computed)."""
        found = self._features.get(id(entry))
        return found if found is not None else features(entry)

    def add(self, entry: Entry, f: Features | None = None) -> None:
        """Index `entry` (again: call after changing it, e.g. after a merge).

        A re-indexed entry keeps its place in insertion order, so ties between equally
        strong matches still go to the entry indexed first, however often it changed.
        `f`: the entry's features, when the caller has just computed them for `find`
        (they must be of the entry as it is now).
        """
        seq = self._seq.get(id(entry))
        if seq is not None:
            self.discard(entry)
        else:
            seq, self._counter = self._counter, self._counter + 1
        if f is None:
            f = features(entry)
        me = id(entry)
        self._entries[me] = entry
        self._features[me] = f
        self._seq[me] = seq
        self._file(me, self._filed_keys(f))

    def _filed_keys(self, f: Features) -> set[int]:
        """Hashes of the keys a member with features `f` is filed under now."""
        keys = {hash(k) for k in _exact_blocking_keys(f)}
        vocabulary = self._vocabulary
        if vocabulary is None or vocabulary.issuperset(f.words):
            keys.update(_word_hashes(f.words))
        else:
            keys.update(hash(k) for k in _word_keys(f.words, vocabulary))
        return keys

    def _file(self, me: int, keys: Iterable[int]) -> None:
        postings = self._postings
        for key in keys:
            found = postings.get(key)
            if found is None:
                postings[key] = me
            elif isinstance(found, int):
                postings[key] = [found, me]
            else:
                found.append(me)

    def _complete(self) -> None:
        """File every member under the keys the vocabulary left out, and drop it."""
        vocabulary, self._vocabulary = self._vocabulary, None
        for me, f in self._features.items():
            if vocabulary is not None and not vocabulary.issuperset(f.words):
                have = {hash(k) for k in _word_keys(f.words, vocabulary)}
                self._file(me, {hash(k) for k in _word_keys(f.words)} - have)

    def discard(self, entry: Entry) -> None:
        """Forget `entry` (no error when it is not indexed)."""
        f = self._features.pop(id(entry), None)
        if f is None:
            return
        del self._entries[id(entry)]
        del self._seq[id(entry)]
        me = id(entry)
        for key in self._filed_keys(f):
            found = self._postings.get(key)
            if found == me:
                del self._postings[key]
            elif isinstance(found, list) and me in found:
                found.remove(me)
                if len(found) == 1:
                    self._postings[key] = found[0]

    def with_arxiv(self, arxiv: str) -> list[Entry]:
        """Members whose arXiv id is `arxiv` (`Entry.arxiv`), in insertion order."""
        return self._filed_under("i:arxiv:" + arxiv, lambda f: f.arxiv == arxiv)

    def with_title(self, full: str) -> list[Entry]:
        """Members whose exact title key (`normalize.title_keys`) is `full`, in insertion order."""
        return self._filed_under("t:" + full, lambda f: f.full == full)

    def _filed_under(self, key: str, check: Callable[[Features], bool]) -> list[Entry]:
        posting = self._postings.get(hash(key))
        ids = [] if posting is None else [posting] if isinstance(posting, int) else posting
        found = [i for i in ids if check(self._features[i])]  # (a hash may collide)
        return [self._entries[i] for i in sorted(found, key=self._seq.__getitem__)]

    def candidates(self, entry: Entry, f: Features | None = None) -> list[Entry]:
        """Indexed entries that share a blocking key with `entry`, in insertion order."""
        f = f or self.features(entry)
        if self._vocabulary is not None and not self._vocabulary.issuperset(f.words):
            self._complete()
        found: set[int] = set()
        postings = self._postings
        for key in _exact_lookup_keys(f):
            posting = postings.get(hash(key))
            if isinstance(posting, int):
                found.add(posting)
            elif posting is not None:
                found.update(posting)
        for h in _word_hashes(f.words):
            posting = postings.get(h)
            if isinstance(posting, int):
                found.add(posting)
            elif posting is not None and len(posting) <= _MAX_POSTING:
                found.update(posting)
        found.discard(id(entry))
        return [self._entries[i] for i in sorted(found, key=self._seq.__getitem__)]

    def matches(self, entry: Entry, f: Features | None = None) -> list[Match]:
        """Every indexed entry that is the same paper, strongest evidence first."""
        f = f or self.features(entry)
        out = []
        for other in self.candidates(entry, f):
            reasons = compare(f, self._features[id(other)])
            if reasons:
                out.append(Match(other, reasons))
        out.sort(key=lambda m: m.rank)  # stable: insertion order breaks ties
        return out

    def find(self, entry: Entry, f: Features | None = None) -> Match | None:
        """The indexed entry that is the same paper as `entry`, or None.

        None also when the best candidates are themselves different papers (an entry
        with only a generic title that fits two of them): guessing would merge wrongly.
        """
        found = self.matches(entry, f)
        if not found:
            return None
        best = found[0]
        for other in found[1:]:
            if other.rank > best.rank:
                break
            if incompatible(self._features[id(best.entry)], self._features[id(other.entry)]):
                return None
        return best

    def contradictions(self, entry: Entry, f: Features | None = None) -> list[Problem]:
        """Findings about `entry` against the index: a shared identifier on a different
        title (a wrong link), one code repository on unrelated papers."""
        f = f or self.features(entry)
        # the `i:` and `r:` keys of `blocking_keys`, in its order, without its title keys
        keys = ["i:" + ident for ident in f.identifiers()] + ["r:" + r for r in f.repos]
        seen: set[int] = set()
        out = []
        for key in keys:
            posting = self._postings.get(hash(key), [])
            ids = [posting] if isinstance(posting, int) else posting
            for i in sorted(ids, key=self._seq.__getitem__):
                if i == id(entry) or i in seen:
                    continue
                seen.add(i)
                other = self._entries[i]
                why = contradiction(f, self._features[i])
                if why:
                    out.append(contradiction_problem(entry, other, why))
        return out


def contradiction_problem(entry: Entry, other: Entry, why: str) -> Problem:
    return Problem(
        "dedupe-contradiction",
        f"{why}: {entry.title!r} and {other.key or '(new entry)'} {other.title!r}; not merged",
        Severity.WARNING,
        entry.file,
        entry.line,
        entry.key,
    )
