"""The sync state file beside the bib (`genmodels.sync.json`), committed with it.

It holds what the documented Zotero sync procedure asks a client to remember: the library
and its version at the last completed sync, and per paper the Zotero item key, the item's
version and the field values last agreed on (the base of every three-way merge), plus the
conflicts still open. It never holds the API key. It is written atomically and sorted, so
it diffs well in git and a crash leaves either the old or the new file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genbib.bibtex.io import atomic_write
from genbib.errors import InputError

FORMAT = 1


@dataclass
class Row:
    """One paper known to both sides."""

    key: str  # citation key
    item: str  # Zotero item key
    version: int = 0  # the item's version when last agreed (0: created, answer not seen)
    fields: dict[str, str] = field(default_factory=dict)  # last agreed values
    conflicts: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> local/remote/base
    children: dict[str, int] = field(default_factory=dict)  # child item key -> version
    pending: bool = False  # create sent with this key; not yet confirmed
    gone: bool = False  # deleted in Zotero, deletion held back by the safety guard
    trashed: bool = False  # in Zotero's trash: deleted from the bib, back if restored

    def remote_fields(self) -> dict[str, str]:
        """What Zotero holds for an item unchanged since the last sync."""
        out = dict(self.fields)
        for name, c in self.conflicts.items():
            remote = c.get("remote")
            if remote is None or remote == "":
                out.pop(name, None)
            else:
                out[name] = remote
        return out

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "version": self.version,
            "fields": dict(sorted(self.fields.items())),
        }
        if self.conflicts:
            data["conflicts"] = dict(sorted(self.conflicts.items()))
        if self.children:
            data["children"] = dict(sorted(self.children.items()))
        if self.pending:
            data["pending"] = True
        if self.gone:
            data["gone"] = True
        if self.trashed:
            data["trashed"] = True
        return data


@dataclass
class State:
    library: str = ""  # "groups/123" or "users/456"
    version: int = 0  # library version of the last completed sync
    rows: dict[str, Row] = field(default_factory=dict)  # item key -> row
    collections: dict[str, str] = field(default_factory=dict)  # collection key -> name
    # collection key -> {"topic": slug, "name": the name last agreed with genbib.toml}: the
    # topic follows the key, so a rename on either side never moves papers between topics
    bindings: dict[str, dict[str, str]] = field(default_factory=dict)
    # child items genbib created (its linked-URL links and note): the only children it may
    # change or remove; a member's notes and attachments are never touched
    owned: set[str] = field(default_factory=set)

    def by_key(self) -> dict[str, Row]:
        """Rows of the papers in the bib by citation key (trashed items' rows left out)."""
        return {r.key: r for r in self.rows.values() if not r.trashed}

    def as_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "library": self.library,
            "version": self.version,
            "collections": dict(sorted(self.collections.items())),
            **({"topics": dict(sorted(self.bindings.items()))} if self.bindings else {}),
            **({"owned": sorted(self.owned)} if self.owned else {}),
            "items": {k: self.rows[k].as_json() for k in sorted(self.rows)},
        }

    def dumps(self) -> str:
        return json.dumps(self.as_json(), indent=1, ensure_ascii=False, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        rows = {
            item: Row(
                key=r["key"],
                item=item,
                version=int(r.get("version", 0)),
                fields=dict(r.get("fields", {})),
                conflicts=dict(r.get("conflicts", {})),
                children={k: int(v) for k, v in r.get("children", {}).items()},
                pending=bool(r.get("pending")),
                gone=bool(r.get("gone")),
                trashed=bool(r.get("trashed")),
            )
            for item, r in data.get("items", {}).items()
        }
        return cls(
            str(data.get("library", "")),
            int(data.get("version", 0)),
            rows,
            dict(data.get("collections", {})),
            {k: dict(v) for k, v in data.get("topics", {}).items()},
            {str(k) for k in data.get("owned", [])},
        )


def state_path(bib: Path) -> Path:
    return bib.with_name(bib.stem + ".sync.json")


def conflicts_path(bib: Path) -> Path:
    return bib.with_name(bib.stem + ".conflicts.json")


def load(path: Path) -> State:
    if not path.exists():
        return State()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise InputError(f"{path}: unknown sync state format {data.get('format')!r}")
        return State.from_json(data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(
            f"{path}: not a genbib sync state: {exc}",
            hint="restore it from git; deleting it makes the next sync link papers again",
        ) from None


def save(path: Path, state: State) -> None:
    text = state.dumps()
    try:
        if path.read_text(encoding="utf-8") == text:
            return
    except FileNotFoundError:
        pass
    atomic_write(path, text)
