"""Zotero item JSON, as the push writes it: patches that keep what members own.

Zotero's multi-object write has PATCH semantics ("Updating Multiple Objects" in the Web
API docs: properties not included remain unchanged), so an update sends only what the
bib changed. Tags and collections are merged three ways into what the item holds now,
relations are touched only by merges (`dc:replaces`, as the client's "Merge Items").
"""

from __future__ import annotations

import re

from genbib.zotero import mapping
from genbib.zotero.adapter import Json

_LISTS = ("tags", "collections")
_ITEM_URI = re.compile(r"/items/([23456789ABCDEFGHIJKLMNPQRSTUVWXYZ]{8})$")


def replaced(data: Json) -> tuple[str, ...]:
    """The items an item replaced in a merge: its `dc:replaces` relations (one URI or a
    list, `http://zotero.org/groups/<id>/items/<key>`), as item keys."""
    value = (data.get("relations") or {}).get("dc:replaces") or []
    uris = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    keys = (_ITEM_URI.search(str(u)) for u in uris)
    return tuple(sorted({m.group(1) for m in keys if m}))


def tag_names(tags: object) -> set[str]:
    if not isinstance(tags, list):
        return set()
    return {str(t.get("tag")) for t in tags if isinstance(t, dict) and t.get("tag")}


def list_change(new: Json, old: Json) -> bool:
    return tag_names(new.get("tags")) != tag_names(old.get("tags")) or set(
        new.get("collections") or []
    ) != set(old.get("collections") or [])


def patch(new: Json, old: Json, current: Json | None, schema: mapping.Schema) -> Json:
    """The fields of `new` that differ from `old` (what Zotero held when last read).

    A type change sends the new type with every field of the new type, and clears only
    fields valid for the new type (the server itself clears or moves, by base field, the
    fields the new type has no place for: `Item::setType` in zotero/dataserver). Tags and
    collections are merged three ways into what the item holds now: the bib's additions
    and removals applied, a member's other tags (automatic ones too) and collections kept.
    """
    body: Json = {}
    retyped = new.get("itemType") != old.get("itemType")
    allowed = schema.get(str(new.get("itemType")), frozenset())
    for name, value in new.items():
        if name in _LISTS or name == "relations":
            continue
        if retyped or old.get(name) != value:
            body[name] = value
    for name, value in old.items():
        if name in new or name in _LISTS or name in ("relations", "itemType"):
            continue
        if retyped and name not in allowed and name != "creators":
            continue
        body[name] = [] if isinstance(value, list) else ""
    if current is not None:
        want, had = tag_names(new.get("tags")), tag_names(old.get("tags"))
        if want != had:
            now = [t for t in current.get("tags") or [] if t.get("tag") not in had - want]
            names = tag_names(now)
            now += [t for t in new.get("tags") or [] if t.get("tag") not in names]
            body["tags"] = now
        cwant, chad = set(new.get("collections") or []), set(old.get("collections") or [])
        if cwant != chad:
            body["collections"] = sorted(
                (set(current.get("collections") or []) - (chad - cwant)) | cwant
            )
    return body


def merge_collections(want: list[str], had: list[str], now: list[str]) -> list[str]:
    """The bib's topic changes (`had` -> `want`) applied to the collections the item is in
    now: a member's other collections stay."""
    return sorted((set(now) - (set(had) - set(want))) | set(want))


def mergeable(data: Json) -> Json:
    relations = {
        k: list(v) if isinstance(v, list) else [v] for k, v in (data.get("relations") or {}).items()
    }
    return {
        "tags": list(data.get("tags") or []),
        "collections": list(data.get("collections") or []),
        "relations": relations,
    }


def show(ck: str) -> str:
    return ck.replace("\0", " ")[:100]


def ck(child: mapping.Child) -> str:
    return f"{child.role}\0{child.value}"
