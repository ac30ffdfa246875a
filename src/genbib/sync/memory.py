"""An in-memory remote side with Zotero's versioning rules, for engine tests and demos.

It keeps what the sync engine relies on from Zotero and nothing else: object and library
versions, `since` filtering, a deletion log, version preconditions (a stale write fails with
412 per object, a stale library version fails the whole push), client-chosen keys, and a
hook to refuse chosen objects, so the runner can be tested without HTTP.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from genbib.sync.engine import Fields, Op
from genbib.sync.runner import Outcome, Pull, RemoteChanged, RemoteItem, RemoteOp
from genbib.sync.state import State


@dataclass
class Stored:
    version: int
    key: str
    fields: dict[str, str]


@dataclass
class MemoryRemote:
    items: dict[str, Stored] = field(default_factory=dict)
    version: int = 0
    deleted: dict[str, int] = field(default_factory=dict)  # item -> library version of deletion
    refuse: Callable[[RemoteOp], str | None] = lambda op: None  # a message refuses the op
    before_push: Callable[[], None] = lambda: None  # e.g. another client writing meanwhile
    requests: int = 0
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
        self.version += 1
        stored.version = self.version

    def remove(self, item: str) -> None:
        del self.items[item]
        self.version += 1
        self.deleted[item] = self.version

    # --- the Remote protocol -------------------------------------------------------
    def new_key(self) -> str:
        return f"M{next(self._keys):07d}"

    def pull(self, state: State) -> Pull:
        self.requests += 1
        if self.version == state.version:
            return Pull(self.version, {}, frozenset())
        changed = {
            k: RemoteItem(k, s.version, s.key, dict(s.fields))
            for k, s in self.items.items()
            if s.version > state.version
        }
        gone = frozenset(k for k, v in self.deleted.items() if v > state.version)
        return Pull(self.version, changed, gone)

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
                if stored is not None:
                    self.remove(op.item)
                outcomes.append(Outcome(op.item, True, self.version))
                continue
            if op.op is Op.UPDATE and (stored is None or stored.version > op.version):
                outcomes.append(Outcome(op.item, False, message="412 modified since"))
                continue
            self.version += 1
            self.items[op.item] = Stored(self.version, op.key, dict(op.fields or {}))
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
