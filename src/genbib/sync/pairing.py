"""Pairing: which bib entry, Zotero item and state row are one paper, before any decision.

Order: state rows first (a row names its item and its citation key, or a former key kept
as an alias); then items new to the sync are linked to entries new to the sync (by the
citation key they record, else by the matcher), and an item that is a second copy of a
paper already known is merged into it the way Zotero merges (`RemoteOp.into`: children,
tags and collections move to the surviving item, the copy goes to the trash).

Zotero's own operations are followed here too: an item a member merged in Zotero (the
master records `dc:replaces` with the other item) merges the two bib entries (the other
key becomes an alias in `ids` and is retired, never reused); an item in the trash counts
as deleted, but its row is kept (`Row.trashed`) so the item restored from the trash comes
back with its own key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from genbib.model.entry import Entry
from genbib.model.library import Library
from genbib.model.problems import Problem, Severity
from genbib.sync import matching
from genbib.sync.engine import (
    SET_FIELDS,
    TYPE,
    Decision,
    Fields,
    Link,
    Op,
    Prefer,
    as_is,
    merge_field,
)
from genbib.sync.remote import Change, Pull, RemoteItem, RemoteOp, entry_fields, fields_entry
from genbib.sync.state import Row, State


@dataclass
class Pair:
    key: str  # citation key ("" for a new remote item without one)
    row: Row | None
    local: Entry | None
    remote: RemoteItem | None  # None: deleted, or unknown new
    remote_fields: Fields | None
    decision: Decision | None = None
    reuse: str = ""  # the item key of an unconfirmed create, sent again with the same key
    restored: bool = False  # the row's item came back from the trash: a new paper again

    @property
    def item(self) -> str:
        if self.remote is not None:
            return self.remote.item
        return self.row.item if self.row is not None else ""

    @property
    def base(self) -> Fields | None:
        return self.row.fields if self.row is not None and not self.restored else None


@dataclass
class Pairing:
    pairs: list[Pair] = field(default_factory=list)
    merges: list[RemoteOp] = field(default_factory=list)  # duplicates merged into a survivor
    unconfirmed: set[str] = field(default_factory=set)  # pending creates not seen in Zotero
    problems: list[Problem] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # bib changes made while pairing


def pair(
    library: Library, pull: Pull, state: State, match: matching.Matcher, link: Link = as_is
) -> Pairing:
    out = Pairing()
    _follow_zotero_merges(library, pull, state, out)
    local = library.by_key()
    alias = {a: e.key for e in library for a in e.aliases}
    claimed: dict[str, Pair] = {}
    # creates whose answer never arrived and that are not in Zotero: sent again, same key
    unconfirmed = {r.key: i for i, r in state.rows.items() if r.pending and i not in pull.changed}
    out.unconfirmed = set(unconfirmed.values())
    for item in sorted(state.rows):
        row = state.rows[item]
        changed = pull.changed.get(item)
        if row.pending and changed is None:
            continue
        if row.trashed:
            if changed is None or item in pull.deleted:
                continue  # still in the trash (or gone for good): nothing to pair
            # restored from the trash: a paper new to the bib, under its own key
            p = Pair(row.key, row, None, changed, changed.fields, restored=True)
            out.pairs.append(p)
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
        p = Pair(entry.key if entry else row.key, row, entry, ritem, rfields)
        p.reuse = unconfirmed.get(p.key, "")
        out.pairs.append(p)
        if entry is not None:
            claimed[entry.key] = p
    new_pairs: dict[str, Pair] = {}
    for e in library:
        if e.key not in claimed and e.key not in new_pairs:
            new_pairs[e.key] = Pair(e.key, None, e, None, None, reuse=unconfirmed.get(e.key, ""))
    accepted: list[Pair] = []
    as_entry: dict[int, Entry] = {}  # id of accepted[i] -> it as an entry keyed "\0i"
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
    retired = _retired_screen(library, match)
    for item in sorted(pull.changed):
        if item in state.rows or item in pull.deleted:
            continue
        ri = pull.changed[item]
        incoming = fields_entry(ri.key, ri.fields)
        target: Pair | None = None
        found: list[Problem] = []  # the recognition's findings about this item
        if ri.key and ri.key in new_pairs and new_pairs[ri.key].remote is None:
            target = new_pairs[ri.key]
        elif ri.key and (ri.key in claimed or ri.key in alias):
            target = claimed.get(ri.key) or claimed.get(alias.get(ri.key, ""))
        if target is None:
            hit, found = unlinked.find(incoming)
            if hit is not None:
                target = new_pairs[hit.key]
        if target is None:
            hit, more = known.find(incoming)
            found += more  # (a miss in `unlinked` found nothing but contradictions)
            if hit is not None:
                target = (
                    accepted[int(hit.key[1:])] if hit.key.startswith("\0") else claimed[hit.key]
                )
        out.problems.extend(_about(item, p) for p in found)
        if target is not None and target.row is None and target.remote is None:
            # link a new entry to the item: the decision reports the values that differ
            target.remote, target.remote_fields = ri, ri.fields
            if target.local is not None:
                unlinked.discard(target.local)
            continue
        survivor = survivor_of(target) if target is not None else ""
        if target is not None and survivor:  # a second copy of a known paper: merge it
            absorb(target, _recognised(ri.fields, incoming), link)
            if target.local is not None:
                known.add(target.local)  # re-read what the merge added, in its place
            elif id(target) in as_entry:
                mine = as_entry[id(target)]
                merged = fields_entry(mine.key, target.remote_fields or {})
                mine.type, mine.fields = merged.type, merged.fields
                known.add(mine)
            out.merges.append(
                RemoteOp(
                    Op.DELETE, item, target.key, None, ri.fields, ri.version, ri.children,
                    into=survivor,
                )
            )  # fmt: skip
            out.problems.append(duplicate_problem(item, incoming, target.key, survivor))
            continue
        skipped = retired(incoming)  # a deleted paper added again: not brought back
        if skipped is not None:
            out.problems.append(skipped)
            continue
        p = Pair(ri.key, None, None, ri, ri.fields)
        as_entry[id(p)] = fields_entry(f"\0{len(accepted)}", ri.fields)
        accepted.append(p)
        known.add(as_entry[id(p)])
    out.pairs.extend(new_pairs.values())
    out.pairs.extend(accepted)
    return out


def duplicate_problem(item: str, copy: Entry, key: str, survivor: str) -> Problem:
    """The report of a duplicate merged: names the member's item and where it went."""
    title = copy.get("title") or "untitled"
    return Problem(
        "SYNC_DUPLICATE",
        f"Zotero item {item} ({title!r}) is the same paper as {key or survivor}: merged "
        f"into item {survivor} as Zotero merges (its notes, attachments, tags and "
        "collections moved there; the copy is in the trash, restore it from there to undo)",
        Severity.WARNING,
        key=key,
    )


def _retired_screen(library: Library, match: matching.Matcher) -> Callable[[Entry], Problem | None]:
    """The recognition's check against the retired record (`genbib.dedupe.recognize`): a
    finding for a new item that is the paper of a retired key, None for any other."""
    if not library.retired:
        return lambda _entry: None
    find = match.retired(library.retired, library.keys_in_use())

    def screen(entry: Entry) -> Problem | None:
        found = find(entry)
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


def _about(item: str, p: Problem) -> Problem:
    """A recognition finding about a new Zotero item, naming the item (and the key of the
    bib's paper it concerns; not the pool's name for another new item of the pull)."""
    key = "" if p.key.startswith("\0") else p.key
    return Problem(p.code, f"Zotero item {item}: {p.message}", p.severity, key=key)


def _recognised(fields: Fields, entry: Entry) -> Fields:
    """`fields` less what the recognition dropped from their entry (a link the bib's paper
    contradicts: `genbib.dedupe.recognize._fallback`), so a merge does not take it in."""
    return {n: v for n, v in fields.items() if n == TYPE or entry.fields.get(n) == v}


def survivor_of(target: Pair) -> str:
    """The Zotero item a duplicate of `target` is merged into ("" when it has none yet)."""
    if target.remote is not None:
        return target.remote.item
    row = target.row
    if row is not None and not row.pending and not row.gone and not row.trashed:
        return row.item
    return ""


def absorb(target: Pair, extra: Fields, link: Link = as_is) -> None:
    """Add what a duplicate copy knows to a known paper: fields it lacks, and the union of
    list fields (topics, links, keywords); nothing it has is overwritten. The copy is first
    compared as a first link is (`link`): what is only the remote's form is no gap."""
    if target.local is not None:
        fields = target.local.fields
        extra = link(extra, entry_fields(target.local))
    elif target.remote_fields is not None:
        fields = dict(target.remote_fields)
        extra = link(extra, target.remote_fields)
    else:
        return
    for name, value in extra.items():
        if name == TYPE:
            continue
        if name not in fields:
            fields[name] = value
        elif name in SET_FIELDS:
            merged = merge_field(name, fields[name], value, None, Prefer.NONE)[0]
            if merged is not None:
                fields[name] = merged
    if target.local is None:
        target.remote_fields = fields


def _follow_zotero_merges(library: Library, pull: Pull, state: State, out: Pairing) -> None:
    """Items a member merged in Zotero: merge their bib entries the same way.

    The master records `dc:replaces` with the other item, which is in the trash or deleted.
    The other paper's entry is merged into the master's (dedupe's merge: nothing lost, the
    other key an alias in `ids`), removed and its key retired; its row is dropped, so the
    trashed copy is not taken for a deletion.
    """
    by_key = library.by_key()
    for master in sorted(pull.changed.values(), key=lambda r: r.item):
        for loser in master.replaces:
            row = state.rows.get(loser)
            if row is None or loser == master.item:
                continue
            mrow = state.rows.get(master.item)
            gone = by_key.get(row.key)
            if mrow is None:
                # the master is new to the sync: the loser's paper now lives in the master
                state.rows.pop(loser)
                state.rows[master.item] = Row(
                    row.key, master.item, 0, dict(row.fields), dict(row.conflicts)
                )
                out.changes.append(
                    Change("bib", "relink", row.key, f"Zotero item {loser} -> {master.item}")
                )
                continue
            keep = by_key.get(mrow.key)
            state.rows.pop(loser)
            if gone is None or keep is None or gone is keep:
                continue
            _merge_entries(keep, gone)
            library.remove(gone.key)
            library.retired.setdefault(gone.key, f"merged into {keep.key}")
            del by_key[gone.key]
            out.changes.append(Change("bib", "merge", gone.key, f"into {keep.key} (alias)"))
            out.problems.append(
                Problem(
                    "SYNC_ZOTERO_MERGE",
                    f"Zotero item {loser} was merged into {master.item} in Zotero: "
                    f"{gone.key} merged into {keep.key} (its key kept as an alias)",
                    Severity.INFO,
                    key=keep.key,
                )
            )


def _merge_entries(keep: Entry, gone: Entry) -> None:
    try:
        from genbib.dedupe.merge import merge
    except ImportError:
        for name, value in gone.fields.items():
            keep.fields.setdefault(name, value)
    else:
        merge(keep, gone)
    keep.add_alias(gone.key)
    for alias in gone.aliases:
        keep.add_alias(alias)
