"""Zotero item JSON the push needs beside the mapping: merges, relations, collections.

The update payloads themselves come from `mapping.update_item` (partial: the API's
multi-object write has PATCH semantics). Here: the collections an update merges into
(a member's other collections stay), the survivor of a duplicate merged as the client's
"Merge Items" does (tags and collections unioned, `dc:replaces` with the copy's URI), and
reading `dc:replaces` back.
"""

from __future__ import annotations

import re

from genbib.zotero import mapping
from genbib.zotero.adapter import Json

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
