"""One way in: every paper that reaches the library is admitted here.

Import, `genbib add` and sync each receive papers from outside (a list row, an
identifier resolved online, a Zotero item). Each used to decide on its own whether the
paper was already there; now they all ask an `Admitter`, so a paper is recognised the
same way wherever it arrives:

1. the library: recognised as every path recognises a paper (`genbib.dedupe.recognize`:
   the dedupe engine, then two fallbacks for known disagreements; sync asks the same);
2. the retired record: a paper whose key was retired (the paper was deleted) is not
   brought back under a new key. It is skipped with a finding, or, with `revive`,
   added again under its old key;
3. otherwise it is added; `assign_keys` then gives every added entry its key (a
   provisional one while author or year is missing, see `genbib.bibtex.keys`).

A merge keeps field-level reasons: what a merge drops or a list contradicts is a
`Problem` on the admission, with the file and line the paper came from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from genbib.bibtex import keys as keyrule
from genbib.dedupe.match import Features
from genbib.dedupe.merge import VENUE_FIELDS, merge
from genbib.dedupe.recognize import Recognizer, RetiredIndex
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
    skipped. `expected`: the papers about to be admitted, when known (see `Recognizer`).
    The library must change only through this object while it is in use.
    """

    def __init__(
        self, library: Library, *, revive: bool = False, expected: Iterable[Entry] = ()
    ) -> None:
        self.library = library
        self.revive = revive
        self.pool = Recognizer(library.entries, expected)
        self.retired = RetiredIndex(library.retired, library.keys_in_use())
        self.taken = {k for e in library.entries for k in (e.key, *e.aliases) if k}
        self.retired_keys = {k.casefold() for k in library.retired}
        self.added: list[Entry] = []

    def admit(self, entry: Entry, *, metadata: bool = False, weak: bool = False) -> Admission:
        """Merge `entry` into its paper in the library, or add it (see the module docstring).

        `metadata`: update-only, and the entry's values are primary (a metadata .bib);
        `weak`: the entry comes from a markdown list, whose venue and year never override
        the library's (the difference is reported).
        """
        found = self.pool.recognize(entry, metadata=metadata)
        problems, target = found.problems, found.entry
        if target is None:  # (a fallback changes `entry` only when it finds a target)
            return self._new(entry, problems, metadata=metadata, f=found.features)
        self.pool.discard(target)
        if not metadata and not target.key and entry.key and self._free(entry.key):
            # a paper new this run takes a source's key rather than making it an alias
            # (a metadata file's keys are not the lab's: the formula gives those)
            target.key = entry.key
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
        self.pool.add(target)
        self.taken.update(k for k in (target.key, *target.aliases) if k)
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
        self.pool.add(entry, f)  # features read no key or status: still the entry's
        self.taken.update(k for k in (entry.key, *entry.aliases) if k)
        self.added.append(entry)
        return Admission(
            Outcome.REVIVED if gone else Outcome.ADDED, entry, problems, gone[0] if gone else ""
        )

    def _free(self, key: str) -> bool:
        return key not in self.taken and key.casefold() not in self.retired_keys

    def assign_keys(self, formula: str = keyrule.DEFAULT_FORMULA) -> list[Entry]:
        """Keys for the added entries that have none: never a key in use or retired, and
        provisional while the entry's author or year is unknown."""
        return keyrule.assign_keys(self.added, self.library.taken_keys(), formula)


# --- the merge policies -----------------------------------------------------------------


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
