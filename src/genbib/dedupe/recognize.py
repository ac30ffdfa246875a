"""Recognition: which paper of a library an incoming entry is, the one way every path asks.

Import, `genbib add` (through `genbib.dedupe.admit.Admitter`) and Zotero sync (through
`SyncMatcher`, injected into the sync engine) all recognise a paper here, so it is the
same paper wherever it arrives:

1. the dedupe engine (`MatchIndex`): shared identifiers, then titles guarded by year and
   authors; a shared identifier on a different title is a contradiction, reported and
   never taken for a match;
2. two fallbacks for known disagreements (`_fallback`): a paper retitled between arXiv
   versions, and a source linking another paper's arXiv id;
3. the retired record (`RetiredIndex`): a paper none of the library is, but whose key was
   retired (the paper was deleted). What to do with it is the caller's: the admitter skips
   or revives it, sync leaves the member's item alone and reports it.

A `Recognizer` is a pool of candidates kept current as papers arrive (an entry added,
re-filed after a merge, or dropped), so recognising k papers against n costs O(n + k)
index work, not a scan per paper.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from genbib.bibtex.retired import note_parts, superseded_by
from genbib.dedupe.index import MatchIndex
from genbib.dedupe.match import Features
from genbib.dedupe.normalize import title_keys, title_tokens
from genbib.model.entry import Entry
from genbib.model.problems import Problem, Severity


@dataclass
class Recognition:
    """What a pool says of one incoming entry."""

    entry: Entry | None  # the member that is the same paper, or None
    problems: list[Problem] = field(default_factory=list)  # contradictions; fallbacks' reasons
    features: Features | None = None  # the incoming entry's, for filing it if it is new


class Recognizer:
    """Entries that answer "which of you is this paper?" (see the module docstring).

    The pool follows its members by identity: `add` files an entry (or re-files one that
    changed, e.g. merged into), `discard` forgets one.
    """

    def __init__(self, entries: Iterable[Entry] = (), expected: Iterable[Entry] = ()) -> None:
        """`expected`: the entries that will be recognised, when known (an import's
        papers): their title words let the index skip the keys none of them can share
        (`MatchIndex`'s vocabulary); others are still recognised, as without it."""
        members = list(entries)
        coming = list(expected)
        words = {w for e in coming for w in title_tokens(e.title)} if coming else None
        self.index = MatchIndex(members, words)

    def recognize(self, entry: Entry, *, metadata: bool = False) -> Recognition:
        """The member `entry` is, with the findings of the look-up.

        `metadata`: `entry` is a metadata source's, believed over the member when the two
        disagree on the arXiv id (see `_fallback`); otherwise the member is believed.
        A fallback may change the side it does not believe (the wrong link is dropped).
        """
        problems: list[Problem] = []
        f = self.index.features(entry)  # once: for the look-ups, and for filing if it is new
        contradictions = self.index.contradictions(entry, f)
        match = self.index.find(entry, f)
        target = match.entry if match is not None else None
        if target is None:
            target = _fallback(self.index, entry, f, problems, metadata=metadata)
        if target is None or target.arxiv != entry.arxiv or match is not None:
            problems.extend(contradictions)  # (a retitled paper's are explained instead)
        return Recognition(target, problems, f)

    def find(self, entry: Entry) -> tuple[Entry | None, list[Problem]]:
        """`recognize` as sync's pool protocol asks it (`genbib.sync.matching.Pool`)."""
        found = self.recognize(entry)
        return found.entry, found.problems

    def add(self, entry: Entry, f: Features | None = None) -> None:
        """File `entry`, or re-file it after a change (`f`: its features as it is now)."""
        self.index.add(entry, f)

    def discard(self, entry: Entry) -> None:
        self.index.discard(entry)


class SyncMatcher:
    """The recognition above as the sync engine's injected matcher: pools of candidates,
    and the retired record's screen (`genbib.sync.matching.Matcher`)."""

    def pool(self, entries: Iterable[Entry]) -> Recognizer:
        return Recognizer(entries)

    def retired(
        self, record: Mapping[str, str], in_use: Iterable[str]
    ) -> Callable[[Entry], tuple[str, str] | None]:
        return RetiredIndex(record, in_use).find


# --- the retired record ----------------------------------------------------------------


class RetiredIndex:
    """The papers of retired keys, from the notes of the record (`bibtex.retired.note`):
    by arXiv id and DOI, then by title (a note's title cut at its length limit matches
    titles that start with it). Keys still in use (an alias, a revived paper) are left
    out: their paper is in the library, where matching finds it first; so are provisional
    keys superseded by a final one (`retired.superseded_note`): if that paper was deleted
    too, its final key is the one it is recognised (and revived) by."""

    def __init__(self, record: Mapping[str, str], in_use: Iterable[str] = ()) -> None:
        live = {k.casefold() for k in in_use}
        self.by_id: dict[str, str] = {}
        self.by_title: dict[str, list[tuple[str, int | None, str | None]]] = {}
        self.prefixes: list[tuple[str, str, int | None, str | None]] = []
        for key in sorted(record):
            if key.casefold() in live or superseded_by(record[key]):
                continue  # its paper lives (or lived) under another key: found by that one
            title, year, arxiv, doi = note_parts(record[key])
            if arxiv:
                self.by_id.setdefault("arxiv:" + arxiv, key)
            if doi:
                self.by_id.setdefault("doi:" + doi.lower(), key)
            if title.endswith("..."):
                words = title_tokens(title[:-3])[:-1]  # the last word may be cut
                if sum(map(len, words)) >= 20:
                    self.prefixes.append(("".join(words), key, year, arxiv))
            else:
                full = title_keys(title)[0]
                if len(full) >= 12:  # "Untitled", a bare acronym: too weak to recognise
                    self.by_title.setdefault(full, []).append((key, year, arxiv))

    def find(self, entry: Entry) -> tuple[str, str] | None:
        """(retired key, how it was recognised) for the paper `entry` is, or None."""
        if not (self.by_id or self.by_title or self.prefixes):
            return None  # (no paper was ever deleted: most libraries)
        for name, value in (("arXiv", entry.arxiv), ("DOI", entry.doi)):
            if value:
                key = self.by_id.get(f"{name.lower()}:{value.lower() if name == 'DOI' else value}")
                if key:
                    return key, f"same {name} {value}"
        full = title_keys(entry.title)[0]
        if not full:
            return None
        arxiv, year = entry.arxiv, entry.year
        for key, y, a in self.by_title.get(full, []):
            if _compatible(arxiv, year, a, y):
                return key, "same title"
        for prefix, key, y, a in self.prefixes:
            if full.startswith(prefix) and _compatible(arxiv, year, a, y):
                return key, "same title"
        return None

    def forget(self, key: str) -> None:
        self.by_id = {k: v for k, v in self.by_id.items() if v != key}
        for bucket in self.by_title.values():
            bucket[:] = [t for t in bucket if t[0] != key]
        self.prefixes = [p for p in self.prefixes if p[1] != key]


def _compatible(arxiv: str | None, year: int | None, other: str | None, y: int | None) -> bool:
    """Not two papers that share a title: no other arXiv id, years within one."""
    if arxiv and other and arxiv != other:
        return False
    return not (year and y and abs(year - y) > 1)


# --- the fallbacks ----------------------------------------------------------------------


def _fallback(
    index: MatchIndex, entry: Entry, f: Features, problems: list[Problem], *, metadata: bool
) -> Entry | None:
    """The paper `entry` names when identifiers and title disagree in a known way.

    - the same arXiv id and the same name before the colon: the paper was retitled between
      versions ("DECOUPLE-THEN-MERGE: TOWARDS..." / "Decouple-Then-Merge: Finetune...");
    - the same title, years within one, but another arXiv id: one side links the wrong
      paper. A metadata source is believed (the bib's link is replaced); a list is not (its
      link is not imported). Either way it is reported.
    """
    arxiv = f.arxiv
    if arxiv:
        same_id = [e for e in index.with_arxiv(arxiv) if e is not entry]
        if len(same_id) == 1 and _name_part(same_id[0].title) == _name_part(entry.title) != "":
            problems.append(
                Problem(
                    "I-retitled",
                    f"arXiv {arxiv}: title {entry.title!r} here, {same_id[0].title!r} "
                    "in the bib; same paper, retitled between versions",
                    Severity.INFO,
                    entry.file,
                    entry.line,
                    same_id[0].key,
                )
            )
            return same_id[0]
    same = [e for e in index.with_title(f.full) if e is not entry] if f.full else []
    if len(same) != 1:
        return None
    target = same[0]
    if entry.year and target.year and abs(entry.year - target.year) > 1:
        return None
    if not (target.arxiv and arxiv and target.arxiv != arxiv):
        return None
    wrong, right = (target.arxiv, arxiv) if metadata else (arxiv, target.arxiv)
    loser = target if metadata else entry
    for name in ("url", "links", "pdf"):
        text = loser.get(name) or ""
        loser.set(name, " ".join(u for u in text.split() if wrong not in u))
    loser.set("eprint", right if metadata else None)
    for name in ("howpublished", "journal", "note"):  # `arXiv preprint arXiv:ID` names it too
        text = loser.get(name) or ""
        if wrong in text:
            loser.set(name, text.replace(wrong, right) if metadata else None)
    if not metadata:
        loser.fields.pop("archiveprefix", None)
    problems.append(
        Problem(
            "I-wrong-id",
            f"{entry.title!r}: arXiv {wrong} names another paper; this paper is arXiv {right} "
            + (
                "(the metadata source says so; the bib's link replaced)"
                if metadata
                else "(as the bib says; this copy's link not taken)"
            ),
            Severity.WARNING,
            entry.file,
            entry.line,
            target.key,
        )
    )
    return target


def _name_part(title: str) -> str:
    head, sep, _ = title.partition(":")
    return title_keys(head)[0] if sep and len(head) <= 40 else ""
