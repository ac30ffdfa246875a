"""An in-memory remote side with Zotero's versioning rules, for engine tests and demos.

It keeps what the sync engine relies on from Zotero and nothing else: object and library
versions, `since` filtering, a deletion log, the trash (a deleted op trashes; a member may
restore), merges recorded as `dc:replaces` on the master, version preconditions (a stale
write fails with 412 per object, a stale library version fails the whole push),
client-chosen keys, and a hook to refuse chosen objects, so the run can be tested without
HTTP. Like the Zotero remote it journals every change it makes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from genbib.sync.engine import Fields, Op
from genbib.sync.remote import Change, Outcome, Pull, RemoteChanged, RemoteItem, RemoteOp
from genbib.sync.state import State


@dataclass
class Stored:
    version: int
    key: str
    fields: dict[str, str]
    trashed: bool = False
    replaces: list[str] = field(default_factory=list)


@dataclass
class MemoryRemote:
    items: dict[str, Stored] = field(default_factory=dict)
    version: int = 0
    deleted: dict[str, int] = field(default_factory=dict)  # item -> library version of deletion
    refuse: Callable[[RemoteOp], str | None] = lambda op: None  # a message refuses the op
    before_push: Callable[[], None] = lambda: None  # e.g. another client writing meanwhile
    requests: int = 0
    journal: list[Change] = field(default_factory=list)
    _keys: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- what other members do -----------------------------------------------------
    def add(self, fields: Fields, key: str = "") -> str:
        item = self.new_key()
        self.version += 1
        self.items[item] = Stored(self.version, key, dict(fields))
        return item

    def edit(self, item: str, **changes: str | None) -> None:
        stored = self.items[item]
        for name, value in changes.items():
            if value is None:
                stored.fields.pop(name, None)
            else:
                stored.fields[name] = value
        self._touch(item)

    def remove(self, item: str) -> None:
        """Delete for good (emptied from the trash)."""
        del self.items[item]
        self.version += 1
        self.deleted[item] = self.version

    def trash(self, item: str) -> None:
        self.items[item].trashed = True
        self._touch(item)

    def restore(self, item: str) -> None:
        self.items[item].trashed = False
        self._touch(item)

    def merge(self, master: str, other: str) -> None:
        """A member's "Merge Items" in Zotero: the other in the trash, dc:replaces on the master."""
        self.items[master].replaces.append(other)
        self.trash(other)
        self._touch(master)

    def live(self) -> dict[str, Stored]:
        return {k: s for k, s in self.items.items() if not s.trashed}

    def _touch(self, item: str) -> None:
        self.version += 1
        self.items[item].version = self.version

    # --- the Remote protocol -------------------------------------------------------
    def new_key(self) -> str:
        return f"M{next(self._keys):07d}"

    def pull(self, state: State) -> Pull:
        self.requests += 1
        if self.version == state.version:
            return Pull(self.version, {}, frozenset())
        fresh = {k: s for k, s in self.items.items() if s.version > state.version}
        changed = {
            k: RemoteItem(k, s.version, s.key, dict(s.fields), replaces=tuple(s.replaces))
            for k, s in fresh.items()
            if not s.trashed
        }
        trashed = frozenset(k for k, s in fresh.items() if s.trashed)
        gone = frozenset(k for k, v in self.deleted.items() if v > state.version)
        return Pull(self.version, changed, gone | trashed, trashed=trashed)

    def push(self, ops: Sequence[RemoteOp], state: State) -> tuple[list[Outcome], int]:
        self.before_push()
        self.requests += 1
        outcomes: list[Outcome] = []
        for op in ops:
            message = self.refuse(op)
            if message:
                outcomes.append(Outcome(op.item, False, message=message))
                continue
            stored = self.items.get(op.item)
            if op.op is Op.DELETE:
                if stored is not None and stored.version > op.version:
                    outcomes.append(Outcome(op.item, False, message="412 modified since"))
                    continue
                if stored is not None and not stored.trashed:
                    if op.into and op.into in self.items:
                        self.items[op.into].replaces.append(op.item)
                        self._touch(op.into)
                        self.journal.append(Change("zotero", "merge", op.item, f"into {op.into}"))
                    self.trash(op.item)
                    self.journal.append(Change("zotero", "trash", op.item, op.key))
                outcomes.append(Outcome(op.item, True, self.version))
                continue
            if op.op is Op.UPDATE and (stored is None or stored.version > op.version):
                outcomes.append(Outcome(op.item, False, message="412 modified since"))
                continue
            self.version += 1
            old = self.items.get(op.item)
            self.items[op.item] = Stored(
                self.version, op.key, dict(op.fields or {}),
                replaces=old.replaces if old is not None else [],
            )  # fmt: skip
            names = sorted(
                n
                for n in set(op.fields or {}) | set(old.fields if old else {})
                if (op.fields or {}).get(n) != (old.fields.get(n) if old else None)
            )
            self.journal.append(
                Change("zotero", "create", op.key) if old is None else
                Change("zotero", "update", op.item, ", ".join(n.lstrip("@") for n in names))
            )  # fmt: skip
            outcomes.append(Outcome(op.item, True, self.version))
        return outcomes, self.version


def conflict_on_push(remote: MemoryRemote, once: list[bool]) -> Callable[[], None]:
    """A `before_push` hook raising RemoteChanged once (someone wrote meanwhile)."""

    def hook() -> None:
        if once:
            once.pop()
            remote.version += 1
            raise RemoteChanged([])

    return hook
