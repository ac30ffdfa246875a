"""One sync run: pair papers across the bib and a remote side, decide, push, apply, record.

The run knows the remote only through the `Remote` protocol (the Zotero backend and the
in-memory side of the tests implement it) and the bib only as a `Library` in memory; the
caller reads and writes files. Order inside a run, chosen for crash safety:

1. pull what changed remotely since the last sync;
2. pair every paper (state rows, then new items linked to new entries by citation key or
   by the dedupe matcher; a new item that is a copy of a known paper is merged into it);
3. decide per paper (`engine.decide`), then the mass-deletion guard;
4. record creates as pending rows (with their pre-assigned item keys) and `checkpoint()`
   so that a crash after the upload never creates the item twice;
5. push; apply the bib side; record rows (a failed object keeps its old base: retried next
   run, never dropped). A 412 (someone wrote meanwhile) starts over with growing waits.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from genbib.bibtex.keys import assign_keys
from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.model.problems import Problem, Severity
from genbib.model.values import canonical_raw
from genbib.sync import matching
from genbib.sync.engine import (
    TYPE,
    Conflict,
    Decision,
    Fields,
    Guard,
    Op,
    Prefer,
    Same,
    decide,
    exact,
)
from genbib.sync.state import Row, State


def entry_fields(entry: Entry) -> dict[str, str]:
    """The synced field map of an entry: every field (canonical spelling) and its type."""
    return {TYPE: entry.type.lower(), **{n: canonical_raw(v) for n, v in entry.fields.items()}}


def fields_entry(key: str, fields: Fields) -> Entry:
    return Entry(fields.get(TYPE, "misc"), key, {n: v for n, v in fields.items() if n != TYPE})


@dataclass(frozen=True)
class RemoteItem:
    item: str
    version: int
    key: str  # the citation key the item records ("" when none)
    fields: Fields
    children: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Pull:
    version: int  # the library version the pull saw
    changed: Mapping[str, RemoteItem]  # top-level items changed since the last sync
    deleted: frozenset[str]
    problems: tuple[Problem, ...] = ()  # findings of the pull (a renamed collection, ...)
    writes: bool = False  # the remote has writes of its own to push (a collection rename)


@dataclass(frozen=True)
class RemoteOp:
    op: Op
    item: str
    key: str
    fields: Fields | None = None  # wanted state (create/update)
    before: Fields | None = None  # what the remote holds now (update/delete)
    version: int = 0
    children: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    item: str
    ok: bool
    version: int = 0
    children: Mapping[str, int] = field(default_factory=dict)
    message: str = ""


class RemoteChanged(Exception):
    """Someone wrote to the library during the push (412): start over."""

    def __init__(self, outcomes: list[Outcome]) -> None:
        super().__init__("library changed during the sync")
        self.outcomes = outcomes


class Remote(Protocol):
    def pull(self, state: State) -> Pull: ...
    def new_key(self) -> str: ...
    def push(self, ops: Sequence[RemoteOp], state: State) -> tuple[list[Outcome], int]:
        """Outcomes per op and the library version after the last write (0: unknown)."""
        ...


# a pool matcher (`matching.dedupe_match`, `matching.simple_match`) or a plain function
# `(entry, candidates) -> entry | None`; see genbib.sync.matching
Matcher = matching.Matcher


@dataclass(frozen=True)
class Options:
    pull: bool = True
    push: bool = True
    dry_run: bool = False
    prefer: Prefer = Prefer.NONE
    force_delete: bool = False
    max_delete_share: float = 0.2
    key_formula: str = "{author}{year}{title}"
    retries: int = 4
    retry_wait: float = 0.5


@dataclass
class Planned:
    """One paper's decision, as shown by --dry-run and --json."""

    key: str
    item: str
    rule: str
    bib: Op
    zotero: Op

    def as_dict(self) -> dict[str, str]:
        return {
            "key": self.key,
            "item": self.item,
            "rule": self.rule,
            "bib": self.bib.value,
            "zotero": self.zotero.value,
        }


@dataclass
class Result:
    planned: list[Planned] = field(default_factory=list)
    conflicts: list[tuple[str, Conflict]] = field(default_factory=list)  # (citation key, conflict)
    problems: list[Problem] = field(default_factory=list)
    failed: int = 0
    attempts: int = 0

    def count(self, side: str, op: Op) -> int:
        return sum(1 for p in self.planned if getattr(p, side) is op)

    @property
    def changed(self) -> int:
        return sum(1 for p in self.planned if p.bib is not Op.NONE or p.zotero is not Op.NONE)


@dataclass
class _Pair:
    key: str  # citation key ("" for a new remote item without one)
    row: Row | None
    local: Entry | None
    remote: RemoteItem | None  # None: deleted, or unknown new
    remote_fields: Fields | None
    decision: Decision | None = None
    reuse: str = ""  # the item key of an unconfirmed create, sent again with the same key


def run(
    library: Library,
    remote: Remote,
    state: State,
    options: Options = Options(),
    *,
    match: Matcher | None = None,
    same: Same = exact,
    checkpoint: Callable[[State], None] = lambda _state: None,
) -> Result:
    """Sync `library` (changed in place) with `remote`, updating `state`."""
    result = Result()
    wait = options.retry_wait
    # What is on disk: a checkpoint adds pending creates to it, never rows whose bib side
    # is only in memory (a crash would then pair an old bib with a new base).
    on_disk = State.from_json(state.as_json())
    earlier = Result()  # what attempts cut short by a 412 already did and found
    for attempt in range(1, options.retries + 2):
        result = Result(attempts=attempt)
        try:
            _attempt(
                library, remote, state, options, match or matching.simple_match, same,
                lambda: checkpoint(on_disk), result, on_disk,
            )  # fmt: skip
            return _combine(earlier, result)
        except RemoteChanged:
            earlier = _combine(earlier, result)
            if attempt > options.retries:
                result.problems.append(
                    Problem(
                        "SYNC_BUSY",
                        "the Zotero library kept changing during the sync; run it again",
                        Severity.ERROR,
                    )
                )
                return _combine(earlier, result)
            time.sleep(wait)
            wait *= 2
    return result


def _combine(earlier: Result, last: Result) -> Result:
    """One report for a run that started over: nothing found by any attempt is dropped."""
    planned = [p for p in earlier.planned if p.bib is not Op.NONE or p.zotero is not Op.NONE]
    seen = {(p.key, p.rule, p.bib, p.zotero) for p in last.planned}
    last.planned = [
        p for p in planned if (p.key, p.rule, p.bib, p.zotero) not in seen
    ] + last.planned
    conflicts = list(dict.fromkeys([*earlier.conflicts, *last.conflicts]))
    problems = list(dict.fromkeys([*earlier.problems, *last.problems]))
    last.conflicts, last.problems = conflicts, problems
    last.failed = max(last.failed, 0)
    return last


def _attempt(
    library: Library, remote: Remote, state: State, options: Options, match: Matcher,
    same: Same, checkpoint: Callable[[], None], result: Result, on_disk: State,
) -> None:  # fmt: skip
    pull = remote.pull(state) if options.pull else Pull(state.version, {}, frozenset())
    result.problems.extend(pull.problems)
    pairs, dup_ops, unconfirmed = _pair(library, pull, state, match, result)

    guard = Guard(options.max_delete_share, options.force_delete)
    for p in pairs:
        base = p.row.fields if p.row is not None else None
        local = entry_fields(p.local) if p.local is not None else None
        p.decision = decide(local, p.remote_fields, base, prefer=options.prefer, same=same)
    _hold_deletions(pairs, guard, len(library), len(pairs), result)

    # citation keys for papers new from Zotero: generated once, never changed afterwards,
    # and never a retired key (a deleted paper's), except for the very paper that had it
    taken = library.keys_in_use()
    retired = {k.casefold() for k in library.retired}
    fresh = []
    for p in pairs:
        if p.decision and p.decision.local_op is Op.CREATE:
            rkey = p.remote.key if p.remote else ""
            if rkey and rkey not in taken and rkey.casefold() not in retired and _valid_key(rkey):
                p.key = rkey
                taken.add(p.key)
            elif p.row is not None and p.row.key not in taken:
                p.key = p.row.key  # the same Zotero item coming back: its own key
                taken.add(p.key)
            else:
                entry = fields_entry("", p.decision.local or {})
                fresh.append((p, entry))
    assign_keys([e for _, e in fresh], taken | set(library.retired), options.key_formula)
    for p, e in fresh:
        p.key = e.key

    ops: list[RemoteOp] = list(dup_ops)
    op_pair: dict[str, _Pair] = {}
    for p in pairs:
        d = p.decision
        assert d is not None
        item = p.row.item if p.row is not None else (p.remote.item if p.remote else "")
        rop = d.remote_op
        if (
            rop is Op.NONE
            and p.remote is not None
            and d.remote is not None
            and p.remote.key != p.key
        ):
            rop = Op.UPDATE  # write the citation key back to the item
        if rop is Op.CREATE:
            item = p.reuse or remote.new_key()
            ops.append(RemoteOp(Op.CREATE, item, p.key, d.remote))
        elif rop in (Op.UPDATE, Op.DELETE):
            ops.append(
                RemoteOp(rop, item, p.key, d.remote, p.remote_fields, _version(p), _children(p))
            )
        op_pair[item] = p
        result.planned.append(Planned(p.key, item, d.rule, d.local_op, rop))
        result.conflicts.extend((p.key, c) for c in d.conflicts)
        for c in d.findings:
            result.problems.append(
                Problem(
                    "SYNC_LINK_DIFFERS",
                    f"linked to the Zotero item {item}; {c.field} differs: bib {c.local!r}, Zotero {c.remote!r} (bib kept)",
                    Severity.INFO,
                    key=p.key,
                )
            )
    if options.dry_run:
        return
    if not options.push:
        ops = []

    creates = [o for o in ops if o.op is Op.CREATE]
    if creates:
        for o in creates:
            state.rows[o.item] = Row(o.key, o.item, 0, dict(o.fields or {}), pending=True)
            on_disk.rows[o.item] = Row(o.key, o.item, 0, dict(o.fields or {}), pending=True)
        checkpoint()
    outcomes: list[Outcome] = []
    version = 0
    changed_meanwhile = False
    if ops or (pull.writes and options.push):
        try:
            outcomes, version = remote.push(ops, state)
        except RemoteChanged as exc:
            outcomes, changed_meanwhile = exc.outcomes, True
    done = {o.item: o for o in outcomes}

    for p in pairs:
        _apply_local(library, p)
    for item, p in op_pair.items():
        _record(state, item, p, done, {o.item: o for o in ops}, result, options.push)
    for item in unconfirmed - set(op_pair):
        state.rows.pop(item, None)
    for out in outcomes:
        if not out.ok:
            result.failed += 1
            result.problems.append(
                Problem(
                    "SYNC_FAILED",
                    f"Zotero refused item {out.item}: {out.message} (retried next sync)",
                    Severity.ERROR,
                )
            )
    if changed_meanwhile:
        raise RemoteChanged(outcomes)
    if options.pull:  # every write was made against the pulled version: nothing missed
        state.version = max(version, pull.version)


def _version(p: _Pair) -> int:
    if p.remote is not None:
        return p.remote.version
    return p.row.version if p.row is not None else 0


def _children(p: _Pair) -> Mapping[str, int]:
    if p.remote is not None:
        return p.remote.children
    return p.row.children if p.row is not None else {}


def _apply_local(library: Library, p: _Pair) -> None:
    assert p.decision is not None
    d = p.decision
    if d.local_op is Op.CREATE and d.local is not None:
        library.add(fields_entry(p.key, d.local))
    elif d.local_op is Op.UPDATE and d.local is not None and p.local is not None:
        new = fields_entry(p.local.key, d.local)
        p.local.type, p.local.fields = new.type, new.fields
    elif d.local_op is Op.DELETE and p.local is not None:
        library.remove(p.local.key)


def _record(
    state: State, item: str, p: _Pair, done: Mapping[str, Outcome], ops: Mapping[str, RemoteOp],
    result: Result, pushed: bool,
) -> None:  # fmt: skip
    d = p.decision
    assert d is not None
    op = ops.get(item)
    outcome = done.get(item)
    key = p.key or (p.local.key if p.local else "")
    if p.row is not None and p.row.item != item:
        state.rows.pop(p.row.item, None)
    if d.base is None:  # paper gone on both sides (or going)
        if op is None or (outcome is not None and outcome.ok):
            state.rows.pop(item, None)
        return
    conflicts = {
        c.field: {"local": c.local, "remote": c.remote, "base": c.base}
        for c in d.conflicts
        if c.remote != "<deleted>" and c.local != "<deleted>"
    }
    if op is None:
        old = p.row
        version = p.remote.version if p.remote else (old.version if old else 0)
        kids = dict(p.remote.children) if p.remote else (dict(old.children) if old else {})
        state.rows[item] = Row(
            key,
            item,
            version,
            dict(d.base),
            conflicts,
            kids,
            gone=bool(old and old.gone and p.remote_fields is None),
        )
    elif outcome is not None and outcome.ok:
        state.rows[item] = Row(
            key, item, outcome.version, dict(d.base), conflicts, dict(outcome.children)
        )
    elif op.op is Op.CREATE:
        if outcome is not None or not pushed:
            state.rows.pop(item, None)  # refused, or not sent: a new paper again next run
    else:
        # refused or not sent: keep what Zotero holds as the base of the fields we wanted to
        # push, so they are pushed again next run; remote changes already applied stay agreed
        before = p.remote_fields or {}
        base = {n: v for n, v in d.base.items() if (d.remote or {}).get(n) == before.get(n)}
        base.update({n: v for n, v in before.items() if (d.remote or {}).get(n) != v})
        state.rows[item] = Row(key, item, _version(p), base, conflicts, dict(_children(p)))


def _hold_deletions(
    pairs: list[_Pair], guard: Guard, local_size: int, remote_size: int, result: Result
) -> None:
    for side, attr, size in (("bib", "local_op", local_size), ("Zotero", "remote_op", remote_size)):
        victims = [
            p for p in pairs if p.decision is not None and getattr(p.decision, attr) is Op.DELETE
        ]
        if guard.allows(side, len(victims), size):
            continue
        result.problems.append(Problem(
            "SYNC_MASS_DELETE",
            f"{len(victims)} of {size} papers would be deleted from the {side} at once "
            f"(more than {guard.max_share:.0%}); nothing deleted there (use --force-delete)",
            Severity.ERROR,
        ))  # fmt: skip
        for p in victims:
            assert p.decision is not None
            d = p.decision
            keep = p.local is not None and side == "bib"
            fields = (
                entry_fields(p.local) if keep and p.local is not None else (p.remote_fields or {})
            )
            base = p.row.fields if p.row is not None else fields
            p.decision = Decision(
                "deletion held back", Op.NONE, Op.NONE, fields, fields, base, d.conflicts
            )
            if side == "bib" and p.row is not None:
                p.row.gone = True


# --- pairing ----------------------------------------------------------------------


def _pair(
    library: Library, pull: Pull, state: State, match: Matcher, result: Result
) -> tuple[list[_Pair], list[RemoteOp], set[str]]:
    local = library.by_key()
    alias = {a: e.key for e in library for a in e.aliases}
    pairs: list[_Pair] = []
    claimed: dict[str, _Pair] = {}
    # creates whose answer never arrived and that are not in Zotero: sent again, same key
    unconfirmed = {r.key: i for i, r in state.rows.items() if r.pending and i not in pull.changed}
    for item in sorted(state.rows):
        row = state.rows[item]
        changed = pull.changed.get(item)
        if row.pending and changed is None:
            continue
        lk = row.key if row.key in local else alias.get(row.key, "")
        entry = local.get(lk) if lk and lk not in claimed else None
        if changed is not None and (changed.version > row.version or row.pending):
            rfields: Fields | None = changed.fields
            ritem: RemoteItem | None = changed
        elif item in pull.deleted or row.gone:
            rfields, ritem = None, None
        else:
            rfields = row.remote_fields()
            ritem = RemoteItem(item, row.version, row.key, rfields, row.children)
        pair = _Pair(entry.key if entry else row.key, row, entry, ritem, rfields)
        pair.reuse = unconfirmed.get(pair.key, "")
        pairs.append(pair)
        if entry is not None:
            claimed[entry.key] = pair
    new_local = {e.key: e for e in library if e.key not in claimed}
    new_pairs: dict[str, _Pair] = {}
    for e in new_local.values():
        new_pairs[e.key] = _Pair(e.key, None, e, None, None, reuse=unconfirmed.get(e.key, ""))
    accepted: list[_Pair] = []
    as_entry: dict[int, Entry] = {}  # id of accepted[i] -> it as an entry keyed "\0i"
    dups: list[RemoteOp] = []
    # one pool per kind of candidate, kept across the loop (O(n + k), not O(k·n)):
    # new entries not yet linked, then papers known on both sides plus accepted items
    unlinked = matching.LazyPool(
        match,
        lambda: [p.local for p in new_pairs.values() if p.remote is None and p.local is not None],
    )
    known = matching.LazyPool(
        match,
        lambda: [*(p.local for p in claimed.values() if p.local is not None), *as_entry.values()],
    )
    retired = _retired_screen(library)
    for item in sorted(pull.changed):
        if item in state.rows:
            continue
        ri = pull.changed[item]
        incoming = fields_entry(ri.key, ri.fields)
        target: _Pair | None = None
        if ri.key and ri.key in new_pairs and new_pairs[ri.key].remote is None:
            target = new_pairs[ri.key]
        elif ri.key and (ri.key in claimed or ri.key in alias):
            target = claimed.get(ri.key) or claimed.get(alias.get(ri.key, ""))
        if target is None:
            found = unlinked.find(incoming)
            if found is not None:
                target = new_pairs[found.key]
        if target is None:
            found = known.find(incoming)
            if found is not None:
                target = (
                    accepted[int(found.key[1:])]
                    if found.key.startswith("\0")
                    else claimed[found.key]
                )
        if target is not None and target.row is None and target.remote is None:
            target.remote, target.remote_fields = ri, ri.fields  # link a new entry to the item
            if target.local is not None:
                unlinked.discard(target.local)
            continue
        if target is not None:  # a second copy of a paper already known: merge it, drop it
            _absorb(target, ri.fields)
            if target.local is not None:
                known.add(target.local)  # re-read what the merge added, in its place
            elif id(target) in as_entry:
                mine = as_entry[id(target)]
                merged = fields_entry(mine.key, target.remote_fields or {})
                mine.type, mine.fields = merged.type, merged.fields
                known.add(mine)
            dups.append(
                RemoteOp(Op.DELETE, item, target.key, None, ri.fields, ri.version, ri.children)
            )
            result.problems.append(
                Problem(
                    "SYNC_DUPLICATE",
                    f"Zotero item {item} is the same paper as {target.key or (target.remote and target.remote.item)}: merged into it and removed from Zotero",
                    Severity.WARNING,
                    key=target.key,
                )
            )
            continue
        skipped = retired(incoming)  # a deleted paper added again: not brought back
        if skipped is not None:
            result.problems.append(skipped)
            continue
        pair = _Pair(ri.key, None, None, ri, ri.fields)
        as_entry[id(pair)] = fields_entry(f"\0{len(accepted)}", ri.fields)
        accepted.append(pair)
        known.add(as_entry[id(pair)])
    pairs.extend(new_pairs.values())
    pairs.extend(accepted)
    return pairs, dups, set(unconfirmed.values())


def _retired_screen(library: Library) -> Callable[[Entry], Problem | None]:
    """The admission's check against the retired record (`genbib.dedupe.admit`): a finding
    for a new item that is the paper of a retired key, None for any other."""
    if not library.retired:
        return lambda _entry: None
    from genbib.dedupe.admit import RetiredIndex

    index = RetiredIndex(library.retired, library.keys_in_use())

    def screen(entry: Entry) -> Problem | None:
        found = index.find(entry)
        if found is None:
            return None
        key, how = found
        return Problem(
            "SYNC_RETIRED",
            f"a new Zotero item is the paper of retired key {key!r} ({how}), deleted from "
            "the bib: not added to the bib (genbib add --revive brings it back)",
            Severity.WARNING,
            key=key,
        )

    return screen


def _absorb(target: _Pair, extra: Fields) -> None:
    """Fill the fields a known paper lacks from a duplicate copy (nothing overwritten)."""
    if target.local is not None:
        for name, value in extra.items():
            if name != TYPE and name not in target.local.fields:
                target.local.fields[name] = value
    elif target.remote_fields is not None:
        merged = dict(target.remote_fields)
        for name, value in extra.items():
            merged.setdefault(name, value)
        target.remote_fields = merged


_KEY_RE = re.compile(r"^[A-Za-z0-9_:.+/-]+$")


def _valid_key(key: str) -> bool:
    return bool(_KEY_RE.match(key)) and len(key) <= 100
