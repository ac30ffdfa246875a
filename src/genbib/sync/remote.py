"""The Remote protocol: what the sync run knows of the other side, as plain data.

The run sees the bib as entries and the remote side as field maps (field name -> raw BibTeX
value, plus the pseudo-field `@type`); `entry_fields` and `fields_entry` are the one
conversion between the two, used where data crosses this protocol. A remote (the Zotero
backend, the in-memory side of the tests) pulls `RemoteItem`s and pushes `RemoteOp`s.

A remote never destroys a paper: `Op.DELETE` asks it to put the item where the user can
get it back (Zotero's trash); `RemoteOp.into` names the item a duplicate is merged into
(its children, tags and collections move there first, as Zotero's own "Merge Items" does).
Every change a push makes is journaled as a `Change`, so a dry run (a push that answers
without writing) and a real run report the same list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from genbib.model.entry import Entry
from genbib.model.problems import Problem
from genbib.model.values import canonical_raw
from genbib.sync.engine import TYPE, Fields, Op
from genbib.sync.state import State


def entry_fields(entry: Entry) -> dict[str, str]:
    """The synced field map of an entry: every field (canonical spelling) and its type."""
    return {TYPE: entry.type.lower(), **{n: canonical_raw(v) for n, v in entry.fields.items()}}


def fields_entry(key: str, fields: Fields) -> Entry:
    """The entry a field map describes (the inverse of `entry_fields`)."""
    return Entry(fields.get(TYPE, "misc"), key, {n: v for n, v in fields.items() if n != TYPE})


@dataclass(frozen=True)
class RemoteItem:
    item: str
    version: int
    key: str  # the citation key the item records ("" when none)
    fields: Fields
    children: Mapping[str, int] = field(default_factory=dict)
    replaces: tuple[str, ...] = ()  # items of this library merged into this one (dc:replaces)


@dataclass(frozen=True)
class Pull:
    version: int  # the library version the pull saw
    changed: Mapping[str, RemoteItem]  # top-level items changed since the last sync
    deleted: frozenset[str]  # deleted for good or in the trash
    problems: tuple[Problem, ...] = ()  # findings of the pull (a renamed collection, ...)
    writes: bool = False  # the remote has writes of its own to push (a collection rename)
    trashed: frozenset[str] = frozenset()  # those of `deleted` in the trash (restorable)


@dataclass(frozen=True)
class RemoteOp:
    op: Op
    item: str
    key: str
    fields: Fields | None = None  # wanted state (create/update)
    before: Fields | None = None  # what the remote holds now (update/delete)
    version: int = 0
    children: Mapping[str, int] = field(default_factory=dict)
    into: str = ""  # DELETE of a duplicate: the surviving item it is merged into
    held_key: str = ""  # UPDATE: the citation key the item records now ("" when none)


@dataclass(frozen=True)
class Outcome:
    item: str
    ok: bool
    version: int = 0
    children: Mapping[str, int] = field(default_factory=dict)
    message: str = ""


@dataclass(frozen=True, order=True)
class Change:
    """One change a run makes (or a dry run would make) on one side.

    `side` is "bib", "zotero" or "latex" (a cited key rewritten); `action` a short verb ("create", "update", "trash",
    "merge", "move child", "tags", ...); `target` the citation key or item key; `detail`
    what exactly (the fields, the child, the tags).
    """

    side: str
    action: str
    target: str
    detail: str = ""

    def format(self) -> str:
        where = {"bib": "bib   ", "zotero": "Zotero", "latex": "LaTeX "}.get(self.side, self.side)
        return f"{where} {self.action:12} {self.target}" + (
            f": {self.detail}" if self.detail else ""
        )

    def as_dict(self) -> dict[str, str]:
        return {
            "side": self.side,
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
        }


def snapshot(entries: Iterable[Entry]) -> dict[str, Fields]:
    """The bib's entries as field maps, cheaply (raw values), to diff with `bib_changes`."""
    return {e.key: {TYPE: e.type.lower(), **e.fields} for e in entries}


def bib_changes(before: Mapping[str, Fields], after: Mapping[str, Fields]) -> list[Change]:
    """What changed in the bib between two snapshots (citation key -> field map)."""
    out: list[Change] = []
    aliases = {
        a.strip(): k
        for k, f in after.items()
        for a in (f.get("ids") or "").strip("{}").replace(";", ",").split(",")
        if a.strip()
    }
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old is None and new is not None:
            out.append(Change("bib", "create", key, _title(new)))
        elif new is None and old is not None:
            into = aliases.get(key)
            out.append(Change("bib", "delete", key, f"merged into {into}" if into else _title(old)))
        elif old is not None and new is not None and old != new:
            names = sorted(n for n in set(old) | set(new) if old.get(n) != new.get(n))
            out.append(Change("bib", "update", key, ", ".join(n.lstrip("@") for n in names)))
    return out


def _title(fields: Fields) -> str:
    title = " ".join((fields.get("title") or "").replace("{", "").replace("}", "").split())
    return title[:80]


class RemoteChanged(Exception):
    """Someone wrote to the library during the push (412): start over."""

    def __init__(self, outcomes: list[Outcome]) -> None:
        super().__init__("library changed during the sync")
        self.outcomes = outcomes


class Remote(Protocol):
    journal: list[Change]  # what the pushes changed; the run drains it

    def pull(self, state: State) -> Pull: ...
    def new_key(self) -> str: ...
    def push(self, ops: Sequence[RemoteOp], state: State) -> tuple[list[Outcome], int]:
        """Outcomes per op and the library version after the last write (0: unknown)."""
        ...
