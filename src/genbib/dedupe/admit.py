"""One way in: every paper that reaches the library is admitted here.

Import, `genbib add` and sync each receive papers from outside (a list row, an
identifier resolved online, a Zotero item). Each used to decide on its own whether the
paper was already there; now they all ask an `Admitter`, so a paper is recognised the
same way wherever it arrives:

1. the library: the dedupe engine (`MatchIndex`), then two fallbacks for known
   disagreements (a paper retitled between arXiv versions, a list linking another
   paper's arXiv id; see `_fallback`);
2. the retired record: a paper whose key was retired (the paper was deleted) is not
   brought back under a new key. It is skipped with a finding, or, with `revive`,
   added again under its old key;
3. otherwise it is added; `assign_keys` then gives every added entry its key (a
   provisional one while author or year is missing, see `genbib.bibtex.keys`).

A merge keeps field-level reasons: what a merge drops or a list contradicts is a
`Problem` on the admission, with the file and line the paper came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from genbib.bibtex import keys as keyrule
from genbib.bibtex.retired import note_parts, superseded_by
from genbib.dedupe.index import MatchIndex
from genbib.dedupe.match import Features
from genbib.dedupe.merge import VENUE_FIELDS, merge
from genbib.dedupe.normalize import title_keys, title_tokens
from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.model.problems import Problem, Severity
from genbib.model.venues import venue_of

RETIRED = "I-retired"
REVIVED = "I-revived"


class Outcome(StrEnum):
    ADDED = "added"  # a new paper, in the library now (key given by `assign_keys`)
    MERGED = "merged"  # the paper was there: merged into its entry (maybe unchanged)
    RETIRED = "retired"  # the paper of a retired key: skipped
    REVIVED = "revived"  # the paper of a retired key, added again under that key
    NOT_ADDED = "not-added"  # a metadata source's paper that the library lacks


@dataclass
class Admission:
    outcome: Outcome
    entry: Entry  # the library's entry holding the paper now (the incoming one if skipped)
    problems: list[Problem] = field(default_factory=list)
    retired_key: str = ""  # RETIRED / REVIVED: the key the paper had


class Admitter:
    """Admits papers into one library; its indexes follow the library as papers arrive.

    `revive`: a paper whose key was retired comes back under that key instead of being
    skipped. The library must change only through this object while it is in use.
    """

    def __init__(self, library: Library, *, revive: bool = False) -> None:
        self.library = library
        self.revive = revive
        self.index = MatchIndex(library.entries)
        self.lookup = _Lookup(library)
        self.retired = RetiredIndex(library.retired, library.keys_in_use())
        self.added: list[Entry] = []

    def admit(self, entry: Entry, *, metadata: bool = False, weak: bool = False) -> Admission:
        """Merge `entry` into its paper in the library, or add it (see the module docstring).

        `metadata`: update-only, and the entry's values are primary (a metadata .bib);
        `weak`: the entry comes from a markdown list, whose venue and year never override
        the library's (the difference is reported).
        """
        problems: list[Problem] = []
        f = self.index.features(entry)  # once: for the look-ups, and for filing if it is new
        contradictions = self.index.contradictions(entry, f)
        match = self.index.find(entry, f)
        target = match.entry if match is not None else None
        if target is None:
            target = _fallback(self.lookup, entry, problems, metadata=metadata)
        if target is None or target.arxiv != entry.arxiv or match is not None:
            problems.extend(contradictions)  # (a retitled paper's are explained instead)
        if target is None:  # (`_fallback` changes `entry` only when it finds a target)
            return self._new(entry, problems, metadata=metadata, f=f)
        self.index.discard(target)
        if not metadata and not target.key and entry.key and self._free(entry.key):
            # a paper new this run takes a source's key rather than making it an alias
            # (a metadata file's keys are not the lab's: the formula gives those)
            target.key = entry.key
            self.lookup.taken.add(entry.key)
        if metadata:
            _merge_metadata(target, entry, problems)
            merged: list[Problem] = []
        else:
            merged = merge(target, _trimmed(entry, target, weak=weak, problems=problems))
        problems.extend(
            Problem(
                p.code,
                p.message,
                p.severity,
                entry.file or p.file,
                entry.line or p.line,
                target.key,
            )
            for p in merged
        )
        self.index.add(target)
        self.lookup.refresh(target)
        return Admission(Outcome.MERGED, target, problems)

    def _new(
        self, entry: Entry, problems: list[Problem], *, metadata: bool, f: Features | None = None
    ) -> Admission:
        if metadata:
            problems.append(
                Problem(
                    "I-not-in-bib",
                    f"{entry.title!r} matches no paper in the bib; not added (update-only)",
                    Severity.INFO,
                    entry.file,
                    entry.line,
                    entry.key,
                )
            )
            return Admission(Outcome.NOT_ADDED, entry, problems)
        gone = self.retired.find(entry)
        if gone is not None:
            key, how = gone
            if not self.revive:
                problems.append(
                    Problem(
                        RETIRED,
                        f"{entry.title!r} is the paper of retired key {key!r} ({how}): it was "
                        "deleted from the bib; skipped (--revive brings it back under that key)",
                        Severity.WARNING,
                        entry.file,
                        entry.line,
                        key,
                    )
                )
                return Admission(Outcome.RETIRED, entry, problems, key)
            entry.key = key
            keyrule.mark_provisional(entry, False)
            self.retired.forget(key)
            problems.append(
                Problem(
                    REVIVED,
                    f"{entry.title!r} revived under its retired key {key!r} ({how})",
                    Severity.INFO,
                    entry.file,
                    entry.line,
                    key,
                )
            )
        elif entry.key and not self._free(entry.key):
            entry.key = ""  # a source's key that is taken or retired here: a new one is given
        self.library.add(entry)
        self.index.add(entry, f)  # features read no key or status: still the entry's
        self.lookup.add(entry)
        self.added.append(entry)
        return Admission(
            Outcome.REVIVED if gone else Outcome.ADDED, entry, problems, gone[0] if gone else ""
        )

    def _free(self, key: str) -> bool:
        return key not in self.lookup.taken and key.casefold() not in self.lookup.retired

    def assign_keys(self, formula: str = keyrule.DEFAULT_FORMULA) -> list[Entry]:
        """Keys for the added entries that have none: never a key in use or retired, and
        provisional while the entry's author or year is unknown."""
        return keyrule.assign_keys(self.added, self.library.taken_keys(), formula)


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


# --- the library: index helpers and the merge policies ------------------------------------


class _Lookup:
    """The library by arXiv id, title key and key, kept current as entries are added, so the
    fallbacks below cost a dictionary lookup, not a scan of the library per entry."""

    def __init__(self, library: Library) -> None:
        self.by_arxiv: dict[str, list[Entry]] = {}
        self.by_title: dict[str, list[Entry]] = {}
        self.filed: dict[int, tuple[str | None, str]] = {}  # id -> (arXiv id, title key)
        self.taken: set[str] = set()
        self.retired = {k.casefold() for k in library.retired}
        for e in library.entries:
            self.add(e)

    def add(self, e: Entry) -> None:
        arxiv = e.arxiv
        if arxiv:
            self.by_arxiv.setdefault(arxiv, []).append(e)
        key = title_keys(e.title)[0]
        if key:
            self.by_title.setdefault(key, []).append(e)
        self.filed[id(e)] = (arxiv, key)
        if e.key:
            self.taken.add(e.key)
        self.taken.update(e.aliases)

    def refresh(self, e: Entry) -> None:
        """Re-file `e` after a merge changed it: out of the buckets it was filed in (by
        identity; a scan of every bucket, comparing entries by value, made a re-import
        quadratic), then in again under its keys now, at the end of its buckets."""
        arxiv, key = self.filed.pop(id(e), (None, ""))
        for table, name in ((self.by_arxiv, arxiv or ""), (self.by_title, key)):
            bucket = table.get(name)
            if bucket is not None:
                bucket[:] = [x for x in bucket if x is not e]
        self.add(e)


_PROVENANCE = "fieldsources"  # genbib.enrich.provenance.FIELD (imported lazily below)
_NOT_DATA = frozenset({_PROVENANCE, "ids", "x-source", "x-confidence", keyrule.STATUS_FIELD})


def _merge_metadata(target: Entry, meta: Entry, problems: list[Problem]) -> None:
    """A metadata source: its values are primary, the bib's links/topics/notes kept."""
    merged = meta.copy()
    merged.key, merged.file, merged.line = target.key, target.file, target.line
    for name in ("ids", _PROVENANCE, keyrule.STATUS_FIELD):
        merged.fields.pop(name, None)
    base = _yield_to(target, meta, problems)
    base.fields.pop(_PROVENANCE, None)  # written below, from both sides' records
    problems.extend(
        Problem(p.code, p.message, p.severity, meta.file or p.file, meta.line or p.line, target.key)
        for p in merge(merged, base)
    )
    for name in ("x-source", "x-confidence"):
        merged.fields.pop(name, None)
    keyrule.mark_provisional(merged, keyrule.is_provisional(target))  # the key stays the bib's
    _record_sources(merged, meta, target)
    if merged.fields != target.fields:
        target.type = merged.type
        target.fields = merged.fields


def _record_sources(merged: Entry, meta: Entry, target: Entry) -> None:
    """Record in `merged.fieldsources` the fields whose value is the metadata source's, as
    enrichment records what it fills (`genbib show` / `enrich --explain` read it): the
    metadata file's name, or the source the file itself records for that field. Fields
    the metadata did not decide keep the bib's records."""
    from genbib.enrich import provenance

    source = Path(meta.file).name if meta.file else "metadata"
    theirs = provenance.sources(meta)
    records = provenance.sources(target)
    for name in merged.fields:
        if name not in _NOT_DATA and name in meta.fields and merged.get(name) == meta.get(name):
            records[name] = theirs.get(name, source)
    if merged.type.lower() == meta.type.lower():
        records[provenance.TYPE] = theirs.get(provenance.TYPE, source)
    provenance.write(merged, records)


def _trimmed(entry: Entry, target: Entry, *, weak: bool, problems: list[Problem]) -> Entry:
    """`entry` without what `target` already says in other words (the same venue spelled
    differently, annotation paragraphs already present), so a re-import changes nothing.

    A `weak` entry (from a markdown list) never overrides the venue or year the bib
    already has: the difference is reported instead.
    """
    out = entry.copy()
    out.fields.pop(keyrule.STATUS_FIELD, None)  # the target's key is its own business
    mine, theirs = venue_of(target), venue_of(entry)
    differs = mine is not None and theirs is not None and mine.short != theirs.short
    published = theirs is not None and theirs.kind != "preprint"
    if differs and weak and published and theirs and mine and mine.kind != "preprint":
        problems.append(
            Problem(
                "I-conflict",
                f"{target.title!r}: the list says {theirs.short}, the bib says "
                f"{mine.short}; kept {mine.short}",
                Severity.WARNING,
                entry.file,
                entry.line,
                target.key,
            )
        )
    if mine is not None and theirs is not None and (not differs or weak):
        for name in VENUE_FIELDS:
            out.fields.pop(name, None)
        out.type = target.type
    if weak and entry.year and target.year and entry.year != target.year:
        if not differs and published:
            problems.append(
                Problem(
                    "I-conflict",
                    f"{target.title!r}: the list says {entry.year}, the bib says "
                    f"{target.year}; kept {target.year}",
                    Severity.WARNING,
                    entry.file,
                    entry.line,
                    target.key,
                )
            )
        out.fields.pop("year", None)
    present = {" ".join(p.split()) for p in (target.get("annotation") or "").split("\n\n")}
    fresh = [
        p
        for p in (entry.get("annotation") or "").split("\n\n")
        if p.strip() and " ".join(p.split()) not in present
    ]
    out.set("annotation", "\n\n".join(fresh))
    return out


def _yield_to(target: Entry, meta: Entry, problems: list[Problem]) -> Entry:
    """A copy of `target` without the venue and year the metadata source replaces, with the
    replaced values reported (a list said NIPS, the metadata says CVPR)."""
    base = target.copy()
    mine, theirs = venue_of(target), venue_of(meta)
    if theirs is not None:
        if mine is not None and mine.short != theirs.short:
            problems.append(
                Problem(
                    "I-conflict",
                    f"{target.title!r}: venue {mine.short} in the bib (from the lists), "
                    f"{theirs.short} in the metadata source; kept {theirs.short}",
                    Severity.WARNING,
                    meta.file,
                    meta.line,
                    target.key,
                )
            )
        for name in VENUE_FIELDS:
            base.fields.pop(name, None)
        base.type = meta.type
    if meta.year and target.year and meta.year != target.year:
        problems.append(
            Problem(
                "I-conflict",
                f"{target.title!r}: year {target.year} in the bib (from the lists), "
                f"{meta.year} in the metadata source; kept {meta.year}",
                Severity.WARNING,
                meta.file,
                meta.line,
                target.key,
            )
        )
    if meta.year:
        base.fields.pop("year", None)
    return base


def _fallback(
    lookup: _Lookup, entry: Entry, problems: list[Problem], *, metadata: bool
) -> Entry | None:
    """The paper `entry` names when identifiers and title disagree in a known way.

    - the same arXiv id and the same name before the colon: the paper was retitled between
      versions ("DECOUPLE-THEN-MERGE: TOWARDS..." / "Decouple-Then-Merge: Finetune...");
    - the same title, years within one, but another arXiv id: one side links the wrong
      paper. A metadata source is believed (the bib's link is replaced); a list is not (its
      link is not imported). Either way it is reported.
    """
    arxiv = entry.arxiv
    if arxiv:
        same_id = [e for e in lookup.by_arxiv.get(arxiv, []) if e is not entry]
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
    key = title_keys(entry.title)[0]
    same = [e for e in lookup.by_title.get(key, []) if e is not entry] if key else []
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
    if not metadata:
        loser.fields.pop("archiveprefix", None)
    problems.append(
        Problem(
            "I-wrong-id",
            f"{entry.title!r}: arXiv {wrong} names another paper; this paper is arXiv {right} "
            + (
                "(the metadata source says so; the bib's link replaced)"
                if metadata
                else "(as the bib says; the list's link not imported)"
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
