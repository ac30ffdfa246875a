"""One sync run: pull, pair, decide, push, apply, record, over the `Remote` protocol.

The run knows the remote only through `genbib.sync.remote.Remote` and the bib only as a
`Library` in memory; the caller reads and writes files. Order inside a run, chosen for
crash safety:

1. pull what changed remotely since the last sync;
2. pair every paper (`genbib.sync.pairing`);
3. decide per paper (`engine.decide`), then the mass-deletion guard;
4. record creates as pending rows (with their pre-assigned item keys) and `checkpoint()`
   so that a crash after the upload never creates the item twice;
5. push; apply the bib side; record rows (a failed object keeps its old base: retried next
   run, never dropped). A 412 (someone wrote meanwhile) starts over with growing waits.

A deletion on the Zotero side is always a move to the trash (`Op.DELETE` is "trash" for a
remote), and the row of a trashed item is kept so a restore brings the paper back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from genbib.bibtex.keys import assign_keys, is_valid_key
from genbib.model.library import Library
from genbib.model.problems import Problem, Severity
from genbib.sync import matching
from genbib.sync.engine import (
    Conflict,
    Decision,
    Fields,
    Guard,
    Link,
    Op,
    Prefer,
    Same,
    as_is,
    decide,
    exact,
)
from genbib.sync.pairing import Pair, pair
from genbib.sync.remote import (
    Change,
    Outcome,
    Pull,
    Remote,
    RemoteChanged,
    RemoteOp,
    bib_changes,
    entry_fields,
    fields_entry,
    snapshot,
)
from genbib.sync.state import Row, State

# how new Zotero items are recognised as papers (genbib.sync.matching; the caller's to
# give, by default the admission's recognition, `matching.admission()`)
Matcher = matching.Matcher


@dataclass(frozen=True)
class Options:
    pull: bool = True
    push: bool = True
    dry_run: bool = False  # plan only: the caller gives a remote that does not write
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
    changes: list[Change] = field(default_factory=list)  # what the run changed, both sides
    failed: int = 0
    attempts: int = 0

    def count(self, side: str, op: Op) -> int:
        return sum(1 for p in self.planned if getattr(p, side) is op)

    @property
    def changed(self) -> int:
        return sum(1 for p in self.planned if p.bib is not Op.NONE or p.zotero is not Op.NONE)


def run(
    library: Library,
    remote: Remote,
    state: State,
    options: Options = Options(),
    *,
    match: Matcher | None = None,
    same: Same = exact,
    link: Link = as_is,
    checkpoint: Callable[[State], None] = lambda _state: None,
) -> Result:
    """Sync `library` (changed in place) with `remote`, updating `state`.

    `same` says whether two values of a field mean the same; `link` how a remote copy met
    for the first time compares with the bib's (see `engine.Link`)."""
    result = Result()
    wait = options.retry_wait
    before = snapshot(library)
    # What is on disk: a checkpoint adds pending creates to it, never rows whose bib side
    # is only in memory (a crash would then pair an old bib with a new base).
    on_disk = State.from_json(state.as_json())
    earlier = Result()  # what attempts cut short by a 412 already did and found
    for attempt in range(1, options.retries + 2):
        result = Result(attempts=attempt)
        try:
            _attempt(
                library, remote, state, options, match or matching.admission(), same,
                lambda: checkpoint(on_disk), result, on_disk, link,
            )  # fmt: skip
            break
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
                break
            time.sleep(wait)
            wait *= 2
    result = _combine(earlier, result)
    after = snapshot(library)
    result.changes = bib_changes(before, after) + result.changes
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
    last.changes = [*earlier.changes, *last.changes]
    return last


def _attempt(
    library: Library, remote: Remote, state: State, options: Options, match: Matcher,
    same: Same, checkpoint: Callable[[], None], result: Result, on_disk: State,
    link: Link = as_is,
) -> None:  # fmt: skip
    pull = remote.pull(state) if options.pull else Pull(state.version, {}, frozenset())
    result.problems.extend(pull.problems)
    paired = pair(library, pull, state, match, link)
    pairs = paired.pairs
    result.problems.extend(paired.problems)

    guard = Guard(options.max_delete_share, options.force_delete)
    for p in pairs:
        local = entry_fields(p.local) if p.local is not None else None
        theirs = p.remote_fields
        if p.base is None and local is not None and theirs is not None:
            theirs = link(theirs, local)  # first met: the remote's own form is no difference
        p.decision = decide(local, theirs, p.base, prefer=options.prefer, same=same)
    _hold_deletions(pairs, guard, len(library), len(pairs), result)
    _assign_keys(library, pairs, options)

    ops: list[RemoteOp] = []
    op_pair: dict[str, Pair] = {}
    survivors = {m.into for m in paired.merges}
    for p in pairs:
        d = p.decision
        assert d is not None
        item = p.item
        rop = d.remote_op
        if (
            rop is Op.NONE
            and p.remote is not None
            and d.remote is not None
            and p.remote.key != p.key
        ):
            rop = Op.UPDATE  # write the citation key back to the item
        if rop is Op.NONE and item in survivors and d.remote is not None:
            rop = Op.UPDATE  # a duplicate is merged into it: its children are recorded anew
        if rop is Op.CREATE:
            item = p.reuse or remote.new_key()
            ops.append(RemoteOp(Op.CREATE, item, p.key, d.remote))
        elif rop in (Op.UPDATE, Op.DELETE):
            held = p.remote.key if p.remote is not None else p.key
            ops.append(
                RemoteOp(
                    rop, item, p.key, d.remote, p.remote_fields, _version(p), _children(p),
                    held_key=held,
                )
            )  # fmt: skip
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
    for m in paired.merges:
        result.planned.append(Planned(m.key, m.item, "duplicate merged", Op.NONE, Op.DELETE))
    ops.extend(paired.merges)  # after the survivors' own writes
    if not options.push:
        ops = []

    creates = [o for o in ops if o.op is Op.CREATE]
    if creates and not options.dry_run:
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
        finally:
            result.changes.extend(remote.journal)
            remote.journal.clear()
    done = {o.item: o for o in outcomes}

    for p in pairs:
        _apply_local(library, p)
    by_item = {o.item: o for o in ops}
    for item, p in op_pair.items():
        _record(state, item, p, done, by_item, pull, options.push)
    for item in paired.unconfirmed - set(op_pair):
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


def _assign_keys(library: Library, pairs: list[Pair], options: Options) -> None:
    """Citation keys for papers new from Zotero: generated once, never changed afterwards,
    and never a retired key (a deleted paper's), except for the very paper that had it."""
    taken = library.keys_in_use()
    retired = {k.casefold() for k in library.retired}
    fresh = []
    for p in pairs:
        if p.decision and p.decision.local_op is Op.CREATE:
            rkey = p.remote.key if p.remote else ""
            if rkey and rkey not in taken and rkey.casefold() not in retired and is_valid_key(rkey):
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


def _version(p: Pair) -> int:
    if p.remote is not None:
        return p.remote.version
    return p.row.version if p.row is not None else 0


def _children(p: Pair) -> Mapping[str, int]:
    if p.remote is not None:
        return p.remote.children
    return p.row.children if p.row is not None else {}


def _apply_local(library: Library, p: Pair) -> None:
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
    state: State, item: str, p: Pair, done: Mapping[str, Outcome], ops: Mapping[str, RemoteOp],
    pull: Pull, pushed: bool,
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
            # an item in the trash keeps its row: restored, it comes back under its key
            trashed = item in pull.trashed or (op is not None and op.op is Op.DELETE)
            if trashed and p.row is not None:
                row = p.row
                state.rows[item] = Row(row.key, item, row.version, dict(row.fields), trashed=True)
            else:
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
    pairs: list[Pair], guard: Guard, local_size: int, remote_size: int, result: Result
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
            fields: Fields = (
                entry_fields(p.local) if keep and p.local is not None else (p.remote_fields or {})
            )
            base = p.row.fields if p.row is not None else fields
            p.decision = Decision(
                "deletion held back", Op.NONE, Op.NONE, fields, fields, base, d.conflicts
            )
            if side == "bib" and p.row is not None:
                p.row.gone = True
