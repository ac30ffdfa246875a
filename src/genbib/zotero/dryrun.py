"""A Zotero adapter for `--dry-run`: reads go to Zotero, writes are answered, not sent.

The dry run is the real run with this adapter in place of the real one: the same pull,
pairing, merge, children, tags and trash code runs and journals the same changes. A write
is answered as Zotero answers an accepted one (keys, a new library version) and kept in
an overlay, so later reads in the same run (the children of an item just "created", the
second pass after enrich) see it; the second pass's "anything new?" check is answered
"no" for the versions only this overlay made, as Zotero's 304 answers the real run.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection, Sequence

from genbib.zotero.adapter import Json, WriteAnswer, ZoteroAdapter

_ALPHABET = "23456789ABCDEFGHIJKLMNPQRSTUVWXYZ"


class DryRunAdapter:
    def __init__(self, real: ZoteroAdapter) -> None:
        self.real = real
        self.library = real.library
        self._overlay: dict[str, Json] = {}  # key -> data written in this run (merged)
        self._gone: set[str] = set()
        self._fake = 0  # the last library version this overlay made up
        self._rng = random.Random(0)

    # what the real adapter offers beside reads and writes
    @property
    def requests(self) -> int:
        return self.real.requests

    @property
    def progress(self) -> Callable[[str, int, int], None] | None:
        return self.real.progress

    @progress.setter
    def progress(self, value: Callable[[str, int, int], None] | None) -> None:
        self.real.progress = value

    @property
    def notice(self) -> Callable[[str], None] | None:
        return self.real.notice

    @notice.setter
    def notice(self, value: Callable[[str], None] | None) -> None:
        self.real.notice = value

    def close(self) -> None:
        self.real.close()

    # --- reads ------------------------------------------------------------------
    def versions_since(self, since: int) -> tuple[int, dict[str, int]] | None:
        if self._fake and since >= self._fake:
            return None  # only this run's own (unsent) writes are newer
        return self.real.versions_since(since)

    def items(self, keys: Sequence[str]) -> list[Json]:
        wanted = [k for k in keys if k not in self._gone]
        found = {o["key"]: o for o in self.real.items(wanted)} if wanted else {}
        out = []
        for key in wanted:
            obj = found.get(key)
            patch = self._overlay.get(key)
            if obj is not None and patch is not None:
                obj = {**obj, "version": self._fake, "data": {**obj["data"], **patch}}
            elif obj is None and patch is not None:
                obj = {"key": key, "version": self._fake, "data": dict(patch)}
            if obj is not None:
                out.append(obj)
        return out

    def items_since(self, since: int, expected: int = 0) -> list[Json]:
        return self.real.items_since(since, expected)

    def deleted_items(self, since: int) -> set[str]:
        return self.real.deleted_items(since)

    def collections(self) -> dict[str, str]:
        return self.real.collections()

    def fields_of(self, item_type: str) -> frozenset[str]:
        return self.real.fields_of(item_type)

    # --- writes: answered, not sent ---------------------------------------------
    def write(self, objects: Sequence[Json], version: int, *, kind: str = "items") -> WriteAnswer:
        self._fake = max(self._fake, version) + 1
        answer = WriteAnswer(version=self._fake)
        for index, obj in enumerate(objects):
            key = str(obj.get("key") or "".join(self._rng.choice(_ALPHABET) for _ in range(8)))
            answer.keys[index] = key
            if kind == "items":
                self._overlay[key] = {**self._overlay.get(key, {}), **obj}
        return answer

    def delete(
        self, keys: Sequence[str], version: int, *, owned: Collection[str], kind: str = "items"
    ) -> int:
        foreign = sorted(set(keys) - set(owned))
        if foreign:
            raise ValueError(f"refusing to delete objects genbib did not create: {foreign}")
        self._gone.update(keys)
        self._fake = max(self._fake, version) + 1
        return self._fake
